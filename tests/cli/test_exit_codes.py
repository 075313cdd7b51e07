"""How a command ends is one line on stderr and an exit status a script can trust: 0 done,
1 a result short of done, 2 bad input or an unusable environment, 3 rfsn failed.

Each test is a row of issue 46's table: an input that gave a traceback, exit 1 (which also
means "not fixed"), a wrong message, or a flag accepted and ignored.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from rfsn.cli import main
from tests.conftest import installed_plugin
from tests.paths import ROOT

QUICKSTART = ROOT / "examples" / "quickstart"


def run(*args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def progress_line(line: str) -> bool:
    """A heartbeat's line (``rfsn: repair: phase ..., elapsed 20s, ...``), printed off a terminal
    every 20 s of a run however it ends: how long the run took before its error is not the test's."""
    return line.startswith("rfsn: ") and not line.startswith("rfsn: error: ") and ", elapsed " in line


def one_error_line(result: Result, code: int = 2) -> str:
    """The only stderr line of a refused command: ``rfsn: error: ...``, no traceback."""
    assert result.exit_code == code, (result.exit_code, result.output, result.exception)
    lines = [line for line in result.stderr.strip().splitlines() if not progress_line(line)]
    assert len(lines) == 1 and lines[0].startswith("rfsn: error: "), result.stderr
    assert "Traceback" not in result.output
    return lines[0]


@pytest.fixture
def immutable(tmp_path: Path) -> Iterator[Path]:
    """A directory even root cannot write in (chattr +i; mode bits do not stop root)."""
    path = tmp_path / "immutable"
    path.mkdir()
    if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(path)]).returncode != 0:
        pytest.skip("chattr +i is not available on this file system")
    yield path
    subprocess.run(["chattr", "-i", str(path)], check=True)


@pytest.mark.parametrize(
    "out",
    ["/proc/rfsn-out", "{tmp}/afile/sub", "{immutable}", "{tmp}/" + "a" * 300, "a" * 300 + "/b"],
    ids=["proc", "under_a_file", "immutable", "name_too_long", "relative_too_long"],
)
def test_an_output_directory_that_cannot_be_written_is_named_with_its_cause(
    tmp_path: Path, immutable: Path, out: str
) -> None:
    """`repair --out /proc/x` (also under a file, an immutable directory) raised from mkdir after
    the work began: a traceback and exit 1. It is refused before any work, naming the path."""
    (tmp_path / "afile").write_text("")
    out = out.format(tmp=tmp_path, immutable=immutable)
    line = one_error_line(run("repair", str(QUICKSTART), "--out", out))
    assert f"cannot write to {out}" in line, line
    assert not list(immutable.iterdir())


@pytest.mark.parametrize("command", ["batch", "evaluate", "validate"])
def test_a_run_directory_the_file_system_refuses_is_exit_2_naming_it(immutable: Path, command: str) -> None:
    """`batch --out`, `evaluate`/`validate --report-dir` in an immutable directory: PermissionError's
    traceback and exit 1. Whatever the command, a refusal of the file system is the environment's
    (exit 2, the path and the cause), not rfsn failing."""
    instances = str(ROOT / "examples" / "instances.jsonl")
    args = {
        "batch": ["batch", instances, "--out", str(immutable)],
        "evaluate": ["evaluate", "gold", "--instances", instances, "--run-id", "r", "--report-dir", str(immutable)],
        "validate": ["validate", instances, "--report-dir", str(immutable)],
    }[command]
    line = one_error_line(run(*args))
    assert str(immutable) in line and "Operation not permitted" in line, line


@pytest.mark.parametrize("how", ["flag", "env"])
def test_a_log_file_that_is_a_directory_is_an_input_error(tmp_path: Path, how: str) -> None:
    """--log-file DIR (or RFSN_LOG_FILE=DIR) gave IsADirectoryError's traceback and exit 1."""
    args = ["--log-file", str(tmp_path)] if how == "flag" else []
    env = {"RFSN_LOG_FILE": str(tmp_path)} if how == "env" else None
    line = one_error_line(run("repair", str(QUICKSTART), *args, env=env))
    assert str(tmp_path) in line and "directory" in line


def test_an_unexpected_exception_is_exit_3_with_its_traceback_in_the_log(tmp_path: Path) -> None:
    """A crash (here a strategy plugin that raises) exited 1 with a traceback: 1 is "not fixed".
    It is exit 3 and one line; the traceback goes to the --log-file."""
    source = (
        "class Crashy:\n    name = 'crashy'\n\n    def candidates(self, context):\n        raise RuntimeError('boom')\n"
    )
    site = installed_plugin(tmp_path / "site", "crashy", source, "[rfsn.strategies]\ncrashy = crashy:Crashy\n")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(site), str(ROOT)])}  # the run's rfsn home
    log = tmp_path / "log.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rfsn",
            "repair",
            str(QUICKSTART),
            "--planner",
            "crashy",
            "--sandbox",
            "local",
            "--out",
            str(tmp_path / "out"),
            "--log-file",
            str(log),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert proc.returncode == 3, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].startswith("rfsn: failed: RuntimeError: boom")
    crash = [json.loads(line) for line in log.read_text().splitlines() if '"rfsn.crash"' in line]
    assert len(crash) == 1 and "raise RuntimeError('boom')" in crash[0]["traceback"]


def test_a_problem_file_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    """--problem-file with Latin-1 bytes gave UnicodeDecodeError's traceback."""
    problem = tmp_path / "issue.txt"
    problem.write_bytes(b"caf\xe9 au lait")
    line = one_error_line(run("repair", str(QUICKSTART), "--problem-file", str(problem)))
    assert f"--problem-file {problem} is not UTF-8 text (byte 0xe9 at offset 3)" in line


def test_rfsn_llm_that_is_not_json_names_the_variable() -> None:
    """RFSN_LLM='{not json' gave pydantic-settings' SettingsError traceback."""
    line = one_error_line(run("repair", str(QUICKSTART), env={"RFSN_LLM": "{not json"}))
    assert "invalid setting llm (RFSN_LLM): RFSN_LLM:1: invalid JSON: Expecting property name" in line


@pytest.mark.parametrize(
    ("target", "fragment"),
    [
        ("", "TARGET is empty"),
        ("   ", "TARGET is empty"),
        ("{tmp}/afile.txt", "afile.txt is a file"),
    ],
    ids=["empty", "blank", "a_file"],
)
@pytest.mark.parametrize("command", [["repair"], ["test"], ["buildpacks", "detect"]])
def test_a_target_that_names_no_repository_says_what_it_is(
    tmp_path: Path, command: list[str], target: str, fragment: str
) -> None:
    """`repair ""` took the current directory; `repair ./afile.txt` said "no such directory".
    The target is judged before Docker is asked, so a stopped daemon does not hide the cause."""
    (tmp_path / "afile.txt").write_text("x")
    line = one_error_line(run(*command, target.format(tmp=tmp_path)))
    assert fragment in line, line
    no_daemon = {"DOCKER_HOST": f"unix://{tmp_path}/no-daemon.sock"}
    line = one_error_line(run(*command, target.format(tmp=tmp_path), env=no_daemon))
    assert fragment in line, line


def test_ref_on_a_directory_that_is_not_a_git_repository_says_so(tmp_path: Path) -> None:
    """`repair ./notgit --ref main` said "unknown ref 'main'": the directory has no refs at all."""
    line = one_error_line(run("repair", str(QUICKSTART), "--ref", "main", "--out", str(tmp_path / "out")))
    assert "is not a git repository" in line and "unknown ref" not in line
    assert not (tmp_path / "out").exists()


def test_an_unrecognised_repository_is_refused_before_the_session_folder(tmp_path: Path) -> None:
    """`repair ./empty` printed its error on stdout, unprefixed, and left a session folder of six
    files: an input error known before the session starts leaves nothing."""
    (tmp_path / "empty").mkdir()
    result = run("repair", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert "no buildpack recognises this repository" in one_error_line(result)
    assert result.stdout == "" and not (tmp_path / "out").exists()


def test_problem_and_problem_file_together_are_refused(tmp_path: Path) -> None:
    """--problem with --problem-file took the file and dropped the text without a word."""
    (tmp_path / "issue.txt").write_text("the issue")
    line = one_error_line(
        run("repair", str(QUICKSTART), "--problem", "text", "--problem-file", str(tmp_path / "issue.txt"))
    )
    assert "--problem and --problem-file" in line


@pytest.mark.parametrize(
    "flag",
    [
        ["--model", "m"],
        ["--max-cost", "1"],
        ["--max-tokens", "9"],
        ["--max-calls", "3"],
        ["--base-url", "http://127.0.0.1:9/v1"],
        ["--no-cache"],
        ["--replay", "{tmp}"],
    ],
)
def test_model_flags_with_a_planner_that_asks_no_model_are_refused(tmp_path: Path, flag: list[str]) -> None:
    """--replay, --max-cost, --model... with the template planner were accepted and ignored."""
    line = one_error_line(run("repair", str(QUICKSTART), *(f.format(tmp=tmp_path) for f in flag)))
    assert f"{flag[0]} applies only to the planners that ask a model (openai, anthropic, hybrid)" in line
    assert "--planner template" in line


def test_a_usage_error_is_one_line_naming_the_help() -> None:
    """click's usage errors were four lines (usage, hint, blank, error): one line, as every error."""
    line = one_error_line(run("repair"))
    assert "Missing argument 'TARGET'" in line and "repair --help" in line


def test_help_lists_the_choices_and_explains_every_option() -> None:
    """--max-steps and `sandbox bootstrap -v` had no help; --planner and --buildpack no choices."""
    repair = run("repair", "--help").stdout
    assert "[anthropic|hybrid|openai|template]" in repair
    assert "[python|node|rust|go|java|generic]" in repair
    assert "proposals the session may make" in repair
    bootstrap = run("sandbox", "bootstrap", "--help").stdout
    assert "show progress events" in bootstrap and "[python|node|rust|go|java|generic]" in bootstrap
    assert "[python|node|rust|go|java|generic]" in run("test", "--help").stdout


def test_detect_on_a_repository_nothing_recognises_exits_2(tmp_path: Path) -> None:
    """`buildpacks detect` printed all-zero scores and exited 0; `repair` refuses such a repo."""
    result = run("buildpacks", "detect", str(tmp_path))
    assert f"no buildpack recognises {tmp_path}" in one_error_line(result)
    assert run("buildpacks", "detect", str(QUICKSTART)).exit_code == 0


@pytest.mark.docker
def test_bootstrap_of_generic_builds_its_debian_image(docker_client: object) -> None:
    """`sandbox bootstrap --buildpack generic` said "unknown buildpack 'generic' (known: generic, ...)";
    generic has a base image (plain Debian, which `buildpacks list` shows), so it is built.
    Here it exists (tagged for the test from a base image), so bootstrap says so."""
    from rfsn.buildpacks.generic import GenericBuildpack

    tag = GenericBuildpack.default_base.bootstrap_tag
    images = subprocess.run(
        ["docker", "images", "-q", "rfsn/base-python"], capture_output=True, text=True, check=True
    ).stdout.split()
    existed = subprocess.run(["docker", "image", "inspect", tag], capture_output=True).returncode == 0
    if not existed:
        if not images:
            pytest.skip("no base image to tag")
        subprocess.run(["docker", "tag", images[0], tag], check=True)
    try:
        result = run("sandbox", "bootstrap", "--buildpack", "generic")
        assert result.exit_code == 0, result.output
        assert result.stdout.strip() == f"{tag} exists"
    finally:
        if not existed:
            subprocess.run(["docker", "rmi", tag], check=True, capture_output=True)


@pytest.mark.docker
@pytest.mark.parametrize(
    ("test_id", "code", "status"),
    [
        ("tests/test_pricing.py::test_bogus", 2, "error"),
        ("tests/test_pricing.py::test_no_discount_for_small_orders", 1, "not_reproduced"),
    ],
    ids=["no_such_test", "a_test_that_passes"],
)
def test_a_named_test_that_does_not_exist_is_an_input_error(
    tmp_path: Path, no_container_left: None, test_id: str, code: int, status: str
) -> None:
    """`repair --tests BOGUS` ended not_reproduced, exit 1, where `rfsn test BOGUS` exits 2: a test
    that does not exist is bad input in both; a named test that exists and passes is a result."""
    result = run("repair", str(QUICKSTART), "--tests", test_id, "--out", str(tmp_path / "out"), "--sandbox", "docker")
    assert result.exit_code == code, result.output
    (session,) = (tmp_path / "out").iterdir()
    assert json.loads((session / "result.json").read_text())["status"] == status
    if code == 2:
        assert f"rfsn: error: no such test: {test_id}" in one_error_line(result)
