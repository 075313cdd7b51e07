"""Failures name their real cause: a command that cannot run, a test that does not exist, no tests.

Each test is a row of issue 21's table, run as a user runs rfsn (the real
command in a subprocess, the local sandbox, a real git repository).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CODE = {
    "pkg/__init__.py": "",
    "pkg/mod.py": "def add(a, b):\n    return a - b\n",
    "pyproject.toml": '[project]\nname = "pkg"\nversion = "0.1"\n',
}
TESTS = {"tests/test_mod.py": "from pkg.mod import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n"}


def rfsn(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # the run's rfsn home: its local envs are shared
    return subprocess.run(
        [sys.executable, "-m", "rfsn", *args, "--sandbox", "local"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def make_repo(root: Path, files: dict[str, str]) -> Path:
    repo = root / "repo"
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@x.invalid", "commit", "-qm", "init"],
    ):
        subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)
    return repo


def _result(out: Path) -> dict:
    return json.loads(next(out.glob("*/result.json")).read_text())


def test_test_cmd_that_cannot_run_says_so(tmp_path: Path) -> None:
    """A --test-cmd the shell cannot find is reported as a command that could not run, not as a fault."""
    repo = make_repo(tmp_path, {**CODE, **TESTS})
    proc = rfsn("repair", str(repo), "--test-cmd", "nosuchcmd-rfsn", "--out", str(tmp_path / "out"), cwd=tmp_path)
    result = _result(tmp_path / "out")
    assert result["status"] == "env_error", result
    assert result["message"].startswith("the test command could not run (exit 127)"), result
    assert "localize" not in proc.stdout + proc.stderr


def test_repair_of_a_test_that_does_not_exist_names_it(tmp_path: Path) -> None:
    """--tests naming a test the suite does not have is 'no such test', not 'does not fail'."""
    repo = make_repo(tmp_path, {**CODE, **TESTS})
    rfsn("repair", str(repo), "--tests", "tests/test_mod.py::test_nosuch", "--out", str(tmp_path / "out"), cwd=tmp_path)
    assert _result(tmp_path / "out")["message"].startswith("no such test: tests/test_mod.py::test_nosuch")


def test_repository_without_tests_is_no_tests_found(tmp_path: Path) -> None:
    """Code and no tests is 'no tests found' with how to point rfsn at them, not a broken environment."""
    repo = make_repo(tmp_path, CODE)
    rfsn("repair", str(repo), "--out", str(tmp_path / "out"), cwd=tmp_path)
    message = _result(tmp_path / "out")["message"]
    assert message.startswith("no tests found") and "--test-cmd" in message, message
    assert "environment is broken" not in message


@pytest.mark.parametrize(
    ("files", "ids", "fragment"),
    [
        ({**CODE, **TESTS}, ["tests/test_mod.py::test_nosuch"], "no such test: tests/test_mod.py::test_nosuch"),
        (CODE, [], "no tests found"),
    ],
    ids=["unknown_test_id", "no_tests"],
)
def test_rfsn_test_without_the_tests_asked_for_exits_2(
    tmp_path: Path, files: dict, ids: list[str], fragment: str
) -> None:
    """`rfsn test` exits 2, as the README says, when a test id is unknown or there are no tests."""
    repo = make_repo(tmp_path, files)
    proc = rfsn("test", str(repo), *ids, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert f"rfsn: error: {fragment}" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_rfsn_test_accepts_a_file_as_a_test_id(tmp_path: Path) -> None:
    """A file of tests is a known test id: its failing test gives exit 1, not 'no such test'."""
    repo = make_repo(tmp_path, {**CODE, **TESTS})
    proc = rfsn("test", str(repo), "tests/test_mod.py", cwd=tmp_path)
    assert proc.returncode == 1, proc.stderr


def test_rfsn_test_json_on_a_hanging_run_still_prints_its_json(tmp_path: Path) -> None:
    """`rfsn test --json` whose run hits --timeout prints the report's JSON (timed out), with the
    tests that ended before it, and exits 2."""
    hang = {
        "tests/test_a.py": "def test_ok():\n    pass\n",
        "tests/test_hang.py": "import time\n\n\ndef test_hangs():\n    time.sleep(600)\n",
    }
    repo = make_repo(tmp_path, {**CODE, **hang})
    proc = rfsn("test", str(repo), "--timeout", "8", "--json", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    report = json.loads(proc.stdout)
    assert report["timed_out"] is True and report["tests"] == {"tests/test_a.py::test_ok": "passed"}, report["tests"]
    assert "tests (reported before it: 1)" in proc.stderr, proc.stderr
    assert "timed out" in proc.stderr and "Traceback" not in proc.stderr


def test_rfsn_test_whose_runner_crashed_before_reporting_says_why(tmp_path: Path) -> None:
    """A run that reports no test says the runner's own error, as a repair does: a test file whose
    name is not UTF-8 made pytest's report writer raise, and `rfsn test` said "no tests found"."""
    repo = make_repo(tmp_path, {**CODE, **TESTS})
    (repo / "tests" / os.fsdecode(b"test_bad\xff.py")).write_text("def test_named_in_latin1():\n    pass\n")
    proc = rfsn("test", str(repo), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "UnicodeEncodeError" in proc.stderr and "no tests found" not in proc.stderr, proc.stderr


def test_no_tests_found_names_what_the_runner_said_path_to_regexp_2014(tmp_path: Path) -> None:
    """A runner that dies before any test (mocha 1.18 on Node 0.10 loading today's ``debug``,
    exit 8): "no tests found" names the line of its output that says why, not only the exit code."""
    died = (
        "\n/opt/rfsn/files/node_modules/mocha/node_modules/debug/src/node.js:19\n\t() => {},\n\t ^\n"
        "SyntaxError: Unexpected token )\n    at Module._compile (module.js:439:25)\n"
    )
    repo = make_repo(tmp_path, {"package.json": json.dumps({"scripts": {"test": "mocha"}}), "test/a.js": ""})
    mocha = repo / "node_modules" / ".bin" / "mocha"
    mocha.parent.mkdir(parents=True)
    mocha.write_text(f"#!/bin/sh\nprintf '%s' '{died}' >&2\nexit 8\n")
    mocha.chmod(0o755)
    proc = rfsn("test", str(repo), cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "no tests found (the test runner exited 8: SyntaxError: Unexpected token ))" in proc.stderr, proc.stderr
