"""A whole-suite run selects the tests CI's runs select by marker (``-m "not integration"``),
followed into the Makefile targets CI runs; named tests are run whatever their markers."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.buildpacks.python.cimarks import bare, ci_marks

_SSE_CI = """\
jobs:
  build:
    steps:
      - name: Type check
        run: make ty
      - name: Run tests
        run: make test-unit
"""
_SSE_MAKEFILE = """\
.PHONY: test
test: test-unit test-docker  ## run tests

.PHONY: test-unit
test-unit:  ## run all tests except "integration" marked
\tRUN_ENV=local uv run python -m pytest --ignore=tests/experimentation -m "not (integration or experimentation)" \
--cov-report=term --cov=$(pkg_src) tests

ty:
\tuv run ty check src
"""
_MARKED = """\
import pytest

def test_unit():
    pass

@pytest.mark.integration
def test_server_in_a_container():
    raise OSError("no Docker daemon")
"""


def _repo(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_a_whole_suite_run_leaves_out_the_marked_tests_ci_leaves_out_sse_starlette_2026(tmp_path: Path) -> None:
    """sse-starlette 2026: CI runs ``make test-unit``, a pytest run with ``-m "not (integration or
    experimentation)"``; rfsn ran its two integration tests, which start a Docker container
    through testcontainers, and they failed (81/83)."""
    repo = _repo(
        tmp_path,
        {
            ".github/workflows/build.yml": _SSE_CI,
            "Makefile": _SSE_MAKEFILE,
            "pyproject.toml": '[tool.pytest.ini_options]\nmarkers = ["integration: needs Docker"]\n',
            "tests/test_sse.py": _MARKED,
        },
    )
    pack = PythonBuildpack()
    pack.marks = ci_marks(repo)
    assert pack.marks == "not (integration or experimentation)"
    whole = pack.test_command([], str(tmp_path / "report"))
    done = subprocess.run(
        [sys.executable, *whole[1:], "--collect-only", "-q"], cwd=repo, capture_output=True, text=True, timeout=120
    )
    assert "tests/test_sse.py::test_unit" in done.stdout, done.stdout + done.stderr
    assert "test_server_in_a_container" not in done.stdout
    assert "-m" not in pack.test_command(["tests/test_sse.py::test_server_in_a_container"], "r")[3:]


@pytest.mark.parametrize(
    ("runs", "makefile", "marks"),
    [
        (["pytest -m 'not slow' tests"], "", "not slow"),
        (["uv run pytest -m 'not network'", "flake8 ."], "", "not network"),
        (["pytest -m 'not slow'", "pytest -m slow --runslow"], "", "(not slow) or (slow)"),
        (["pytest -m 'not slow'", "pytest tests"], "", None),  # one runs every test
        (["pytest -m 'not slow'", "tox -e py"], "", None),  # tox's commands are its own
        (["make test"], "test:\n\t$(PYTHON) -m pytest -m 'not db'\n", "not db"),
        (["make test"], "test:\n\tpytest -m $(MARKS)\n", None),
        (["make test"], "", None),  # no Makefile: what it runs is unknown
        (["pytest tests"], "", None),
        (["pytest-3 -m 'not slow'"], "", None),  # a program of another name: unknown, not a crash
    ],
)
def test_ci_marks_only_where_every_test_run_selects_by_marker(
    tmp_path: Path, runs: list[str], makefile: str, marks: str | None
) -> None:
    steps = "".join(f"      - run: {run}\n" for run in runs)
    files = {".github/workflows/ci.yml": f"jobs:\n  test:\n    steps:\n{steps}", "Makefile": makefile}
    repo = _repo(tmp_path, {k: v for k, v in files.items() if v})
    assert ci_marks(repo) == marks


def test_a_makefile_that_links_outside_the_checkout_is_not_read(tmp_path: Path) -> None:
    outside = _repo(tmp_path / "host", {"Makefile": "test:\n\tpytest -m 'not secret'\n"})
    repo = _repo(tmp_path / "repo", {".github/workflows/ci.yml": "jobs:\n  t:\n    steps:\n      - run: make test\n"})
    (repo / "Makefile").symlink_to(outside / "Makefile")
    assert ci_marks(repo) is None


def test_a_workflow_that_links_outside_the_checkout_is_not_read(tmp_path: Path) -> None:
    outside = _repo(tmp_path / "host", {"ci.yml": "jobs:\n  t:\n    steps:\n      - run: pytest -m 'not secret'\n"})
    repo = _repo(tmp_path / "repo", {"app.py": ""})
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").symlink_to(outside / "ci.yml")
    assert ci_marks(repo) is None


def test_bare_drops_what_only_sets_how_a_command_runs() -> None:
    assert bare("@RUN_ENV=local uv run python -m pytest -x") == "python -m pytest -x"
    assert bare("env A=1 poetry run pytest") == "pytest"
