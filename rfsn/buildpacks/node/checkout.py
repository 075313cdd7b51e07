"""What a checkout runs besides the install: the project's own steps, those that build from the
sources before each test run whose tree changed (``rebuild_steps``: a patch to ``src/`` reaches the
``dist/`` the tests import, as ``npm test`` runs ``pretest`` each time), the others once in the
sandbox's setup (``checkout_steps``)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rfsn import hostgit
from rfsn.buildpacks.capabilities import SandboxView
from rfsn.buildpacks.node.package import Runner, runner_paths

#: a script that runs the project's build by name (``npm run build:cjs``, ``pnpm run build``,
#: ``npm run prepare``: the script npm runs to build a checkout)
_RUNS_BUILD = re.compile(
    r"\b(?:npm run(?:-script)?|pnpm(?: run)?|yarn(?: run)?)(?:\s+--?[\w-]+)*\s+(build[\w:.-]*|prepare)(?![\w:.-])"
)


def _step(name: str) -> list[str]:
    return ["sh", "-c", f"npm run {name} || echo 'rfsn: npm run {name} failed; the tests run without it' >&2"]


def _in_checkout(repo: Path, path: str) -> bool:
    """Whether the checkout has ``path``: git tracks it (a build an earlier sandbox ran on this
    workspace left its output, ignored, on disk), or it exists where the tree has no git."""
    tracked = hostgit.run(None, "-C", str(repo), "ls-files", "--error-unmatch", "--", path)
    if tracked.returncode == 0:
        return True
    inside = hostgit.run(None, "-C", str(repo), "rev-parse", "--is-inside-work-tree")
    return inside.returncode != 0 and (repo / path).exists()


def checkout_names(package: dict[str, Any], repo: Path) -> list[str]:
    """The scripts a checkout runs before its tests: ``prepare`` (``npm install`` runs it in a
    checkout; rfsn's install has no sources to build), ``build`` when the test script runs with
    plain ``node`` a file the checkout lacks (its output: ``node index.test.js`` of ``tsc``), the
    builds the test script runs by name (``npm run build && vitest run``: rfsn runs the runner
    alone), and ``pretest`` (``npm test`` does)."""
    scripts = package.get("scripts") or {}
    made = [w for w in runner_paths(package, "node", repo) if "*" not in w]
    lacking = [w for w in made if not any(_in_checkout(repo, w + ext) for ext in ("", ".js", ".cjs", ".mjs"))]
    run_by_test = _RUNS_BUILD.findall(str(scripts.get("test", "")))
    names = ("prepare", *(("build",) if lacking else ()), *run_by_test, "pretest")
    return [name for name in dict.fromkeys(names) if scripts.get(name)]


def checkout_steps(package: dict[str, Any], repo: Path, rebuilt: list[str]) -> list[list[str]]:
    """The checkout's scripts as setup steps, less those ``rebuilt`` before the first test run (a
    build in the setup too would build the same tree twice); one that fails is said, and the tests
    run without it."""
    return [_step(name) for name in checkout_names(package, repo) if name not in rebuilt]


def rebuild_steps(package: dict[str, Any], repo: Path, runner: Runner) -> list[str]:
    """The checkout's scripts that build from the sources (``build…``, or one that runs a
    ``build…`` or ``prepare`` script by name), each script once; not ``pretest`` nor those the test
    script runs, where it runs as a whole (it runs them). A lint in ``pretest`` builds nothing."""
    scripts = package.get("scripts") or {}
    own = {"pretest", *_RUNS_BUILD.findall(str(scripts.get("test", "")))} if runner == "script" else set()
    chosen: dict[str, str] = {}
    for name in checkout_names(package, repo):
        builds = name.startswith("build") or _RUNS_BUILD.search(str(scripts[name]))
        if builds and name not in own:
            chosen.setdefault(str(scripts[name]), name)
    return list(chosen.values())


@dataclass
class Rebuild:
    """The scripts built again before each test run, and those that have built: one that fails
    after it built is the tree's failure (the run is not judged on the last build); one that
    never built is the environment's, and is dropped (the tests run without it, as in the setup)."""

    names: list[str]
    built: set[str] = field(default_factory=set)

    def run(self, sandbox: SandboxView, timeout: float) -> tuple[float, str]:
        """Each script in turn: the seconds taken, and why the tree does not build ("" if it does)."""
        spent, broken = 0.0, ""
        for name in list(self.names):
            done = sandbox.exec(["npm", "run", name], timeout=max(timeout - spent, 1.0))
            spent += done.duration
            if done.exit_code == 0:
                self.built.add(name)
            elif name in self.built:
                said = [line for line in done.output.splitlines() if line.strip()][-1:] or ["no output"]
                broken = broken or f"the build of the sources failed: npm run {name}: {said[0][:300]}"
            else:
                self.names.remove(name)
        return spent, broken
