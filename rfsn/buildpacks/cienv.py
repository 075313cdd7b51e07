"""The environment variables a project's CI runs its tests with (GitHub Actions workflows).

A suite is often written for the variables its CI sets (``TZ``, a feature switch): without them
tests fail that are no fault of the code. Taken: the literal ``env`` of a workflow, of each job
that runs tests, and what all of a job's test steps set alike, in file order (a later one wins);
never a value that GitHub computes (``${{ }}``), that names another variable or holds a NUL,
never what the sandbox decides itself (paths, identity, the locale, terminal and colours, the
runner's options, coverage's, where modules and crates come from, the platform tests are built
for).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field

#: the variables the sandbox decides, whatever CI sets
OWNED = re.compile(
    r"^(?:PATH|HOME|USER|LOGNAME|SHELL|PWD|TMPDIR|TMP|TEMP|TERM|COLUMNS|LINES|LANG|LANGUAGE"
    r"|LC_\w+|CI|GITHUB_\w+|RUNNER_\w+|ACTIONS_\w+|RFSN_\w+|FORCE_COLOR|NO_COLOR|PY_COLORS"
    r"|CLICOLOR\w*|DISPLAY|PYTEST_ADDOPTS|PYTHONWARNINGS|COVERAGE_\w+|COV_CORE_\w+|NODE_V8_COVERAGE"
    # where modules and crates come from and where builds go: the env image's (tests are offline)
    r"|GOPROXY|GOTOOLCHAIN|GOMODCACHE|GOCACHE|GOENV|CARGO_HOME|CARGO_TARGET_DIR|CARGO_TERM_COLOR"
    # the platform tests are built for: the sandbox's (a cross build's binaries cannot run)
    r"|GOOS|GOARCH|GOARM|GOAMD64|GO386|GOMIPS|GOMIPS64|GOPPC64|GORISCV64|GOWASM|CARGO_BUILD_TARGET)$"
)
#: a step command that runs tests (a runner, or a script or target named for them)
_RUNS_TESTS = re.compile(r"\b(?:tests?|pytest|py\.test|nosetests|unittest|jest|mocha|vitest|ava|tap)\b")
#: tox or nox, unless the environments or sessions it names are not tests (``tox -e mypy``)
_TOX = re.compile(r"\b[tn]ox\b(?!.*\s-[es]\s*(?!py|test)\w)")
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class CiEnv(BaseModel):
    """Variables the project's CI sets for its tests, and where each came from."""

    model_config = ConfigDict(frozen=True)

    values: dict[str, str] = Field(default_factory=dict)
    sources: dict[str, str] = Field(default_factory=dict, description="name -> file and job")

    def note(self) -> str:
        """One line for the session's report ("" when CI sets nothing)."""
        if not self.values:
            return ""
        said = ", ".join(f"{k}={v} ({self.sources[k]})" for k, v in self.values.items())
        return f"test environment from the project's CI: {said}"


def ci_env(repo: Path) -> CiEnv:
    """What the workflows under ``.github/workflows`` set for the jobs that run tests."""
    values: dict[str, str] = {}
    sources: dict[str, str] = {}
    for path in sorted((repo / ".github" / "workflows").glob("*.y*ml")):
        if path.is_symlink():  # a link may lead out of the repository: what it names is not the project's
            continue
        where = str(path.relative_to(repo))
        for scope, env in _scopes(load_workflow(path)):
            for name, value in env.items():
                if _NAME.match(name) and not OWNED.match(name) and not any(c in value for c in "$`\0"):
                    values[name], sources[name] = value, f"{where}{scope}"
    return CiEnv(values=values, sources=sources)


def load_workflow(path: Path) -> Any:
    """The workflow (or any YAML file), every scalar a string as Actions reads it (``yes`` stays
    ``yes``); None when it cannot be read."""
    try:
        return yaml.load(path.read_text(encoding="utf-8", errors="replace"), Loader=yaml.BaseLoader)
    except (yaml.YAMLError, OSError):
        return None


def _scopes(workflow: Any) -> Iterator[tuple[str, Mapping[str, str]]]:
    """(where, env) of the workflow, then of each job that runs tests and of its steps that do."""
    testing = list(test_jobs(workflow))
    if testing:
        yield "", _env(workflow)
    for name, job in testing:
        yield f", job {name}", _env(job)
        yield f", job {name}", _common([_env(step) for step in _test_steps(job)])


def test_jobs(workflow: Any) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """(name, job) of each of the workflow's jobs that has a step that runs tests."""
    jobs = workflow.get("jobs") if isinstance(workflow, dict) else None
    for name, job in jobs.items() if isinstance(jobs, dict) else ():
        if isinstance(job, dict) and _test_steps(job):
            yield str(name), job


def _test_steps(job: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    steps = job.get("steps")
    return [s for s in steps if isinstance(s, dict) and _runs_tests(s)] if isinstance(steps, list) else []


def _common(envs: list[Mapping[str, str]]) -> Mapping[str, str]:
    """The variables every one of a job's test steps sets alike: a step that sets more runs the
    suite again in a variant (with the internet, a server an earlier step started, a cross build)."""
    return {k: v for k, v in envs[0].items() if all(env.get(k) == v for env in envs[1:])}


def _runs_tests(step: Mapping[str, Any]) -> bool:
    lines = step["run"].splitlines() if isinstance(step.get("run"), str) else []
    return any(_RUNS_TESTS.search(line) or _TOX.search(line) for line in lines)


def _env(scope: Mapping[str, Any]) -> Mapping[str, str]:
    env = scope.get("env")
    return {str(k): v for k, v in env.items() if isinstance(v, str)} if isinstance(env, dict) else {}
