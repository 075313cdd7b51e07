"""Whatever a user types, a command ends with a status a script can trust: 0, 1 or 2 (never 3,
a crash), one `rfsn: error:` line when it refuses, never a traceback, nothing written outside
what it was asked to write, no container left.

Inputs are drawn by hypothesis over the CLI's surface: paths (--out, --log-file, TARGET),
numbers (the budgets), test ids and settings from the environment. In process, no Docker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner, Result
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rfsn.cli import main
from rfsn.workspace import is_url
from tests.paths import ROOT

PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

#: text a shell can pass as one argument (no NUL in argv or the environment; no lone surrogates)
ARG = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
SPECIAL_PATHS = st.sampled_from(
    [
        "/proc/rfsn",
        "/dev/null/x",
        "/sys/rfsn",
        "",
        " ",
        ".",
        "..",
        "a/../..",
        "-",
        "--",
        "x" * 300,
        "a/" * 60,
        "~",
        "~nobody/x",
        "\t",
        "é/ü",
    ]
)
NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.floats(allow_nan=True).map(str),
    st.sampled_from(["", " ", "1e309", "-0", "0x10", "1_000", "inf", "nan", "½"]),
    ARG,
)


def exists(path: str) -> bool:
    try:
        return Path(path).expanduser().resolve().exists()
    except (OSError, RuntimeError):
        return False


def files_under(root: Path) -> set[Path]:
    return {p for p in root.rglob("*")}


@contextmanager
def sandboxed_cwd() -> Iterator[Path]:
    """A fresh working directory per example (hypothesis reuses a test's fixtures)."""
    base = Path(tempfile.mkdtemp(prefix="rfsn-prop-"))
    cwd = base / "cwd"
    cwd.mkdir()
    old = Path.cwd()
    os.chdir(cwd)
    try:
        yield cwd
    finally:
        os.chdir(old)
        subprocess.run(["chmod", "-R", "u+rwx", str(base)], check=False)
        shutil.rmtree(base, ignore_errors=True)


def check_ending(result: Result) -> None:
    """0, 1 or 2; a refusal is one `rfsn: error:` line; never a traceback."""
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output, result.exception)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("rfsn: error: "), result.stderr


def no_container_of_ours() -> None:
    if shutil.which("docker") is None:
        return
    ps = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=rfsn.pid={os.getpid()}"], capture_output=True, text=True, timeout=60
    )
    assert ps.returncode != 0 or ps.stdout.strip() == "", "containers left behind"


@PROPERTY
@given(out=st.one_of(ARG, SPECIAL_PATHS), log=st.one_of(st.none(), ARG, SPECIAL_PATHS))
def test_any_output_path_is_refused_in_one_line_or_written_only_where_asked(out: str, log: str | None) -> None:
    """--out and --log-file of any text, for a TARGET that is missing: exit 2, one line; the
    only thing written is the log file asked for (never the output folder of a refused run)."""
    with sandboxed_cwd() as cwd:
        args = ["repair", "missing-target", "--out", out] + (["--log-file", log] if log is not None else [])
        result = CliRunner().invoke(main, args)
        check_ending(result)
        assert result.exit_code == 2
        asked = (cwd / log).expanduser().resolve() if log else None
        for path in files_under(cwd.parent) - {cwd}:
            assert asked is not None and (path == asked or path in asked.parents), path
    no_container_of_ours()


@PROPERTY
@given(timeout=NUMBERS, steps=NUMBERS, cost=NUMBERS, test_id=ARG)
def test_any_budget_or_test_id_is_an_answer_never_a_crash(timeout: str, steps: str, cost: str, test_id: str) -> None:
    """--timeout, --max-steps, --max-cost and --tests of any text: a one-line refusal."""
    with sandboxed_cwd() as cwd:
        result = CliRunner().invoke(
            main,
            [
                "repair",
                "missing-target",
                "--timeout",
                timeout,
                "--max-steps",
                steps,
                "--planner",
                "openai",
                "--max-cost",
                cost,
                "--tests",
                test_id,
            ],
        )
        check_ending(result)
        assert result.exit_code == 2 and files_under(cwd) == set()


@PROPERTY
@given(target=st.one_of(ARG, SPECIAL_PATHS), ref=st.one_of(st.none(), ARG))
def test_any_target_is_an_answer_never_a_crash(target: str, ref: str | None) -> None:
    """TARGET and --ref of any text (never a URL: nothing leaves this machine), for
    `buildpacks detect`: refused in one line, or detected; the target is never written."""
    assume(not is_url(target.strip()))
    with sandboxed_cwd() as cwd:
        shutil.copytree(ROOT / "examples" / "quickstart", cwd / "repo")
        assume(target.strip() in ("", ".") or not exists(target) or (cwd / target).resolve() == cwd / "repo")
        before = files_under(cwd)
        result = CliRunner().invoke(
            main, ["buildpacks", "detect", target] + (["--ref", ref] if ref is not None else [])
        )
        check_ending(result)
        assert files_under(cwd) == before


SETTINGS = st.sampled_from(
    [
        "RFSN_LLM",
        "RFSN_GATE",
        "RFSN_LOG_LEVEL",
        "RFSN_SANDBOX",
        "RFSN_TEST_TIMEOUT",
        "RFSN_CLONE_TIMEOUT",
        "RFSN_SETUP_TIMEOUT",
        "RFSN_SWEBENCH_INDEX_DATE",
        "RFSN_LLM__TIMEOUT",
        "RFSN_LLM__PROVIDER",
        "RFSN_SETUP_SNAPSHOTS",
        "RFSN_TEST_CASE_TIMEOUT",
        "RFSN_BASE_IMAGE_SOURCE",
    ]
)


@PROPERTY
@given(
    name=SETTINGS,
    value=st.one_of(ARG, st.sampled_from(["{", "{not json", "[]", "null", "-1", "0", "1e999", "nan", '{"model": 1}'])),
)
def test_any_setting_from_the_environment_is_an_answer_never_a_crash(name: str, value: str) -> None:
    """A setting of any text in the environment (as CI systems set them): read, or refused in
    one line naming it."""
    with sandboxed_cwd() as cwd:
        shutil.copytree(ROOT / "examples" / "quickstart", cwd / "repo")
        result = CliRunner().invoke(main, ["buildpacks", "detect", "repo"], env={name: value})
        check_ending(result)
        if result.exit_code == 2:
            assert name.removeprefix("RFSN_").split("__")[0].lower() in result.stderr.lower(), result.stderr
