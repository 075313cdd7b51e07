"""RFSN_SETUP_TIMEOUT bounds each step of an env image build, not just an HTTP read."""

from __future__ import annotations

import time
import uuid
from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks.base import EnvRecipe
from rfsn.buildpacks.python.pyrecipe import python_image
from rfsn.errors import ImageError
from rfsn.sandbox.envimage import EnvImage
from rfsn.sandbox.images import BuildOptions, ensure_env_image
from rfsn.sandbox.registry import image_exists

#: pip's real output of failed steps (captured in a venv against the package proxy)
PIP_LOGS = Path(__file__).parents[1] / "buildpacks" / "fixtures" / "steplogs"


def _recipe(step: str) -> EnvRecipe:
    return EnvRecipe(buildpack="python", base=python_image("3.11"), steps=(step,))


def test_the_step_limit_is_not_part_of_the_image_tag() -> None:
    recipe = _recipe("true")
    dockerfile = EnvImage(recipe, "base").dockerfile(False, 30)
    assert "timeout -k 10 30 sh -c 'trap " in dockerfile and "EXIT; set -e; true'" in dockerfile
    assert EnvImage(recipe, "base").tag == EnvImage(_recipe("true"), "base").tag


@pytest.mark.docker
def test_a_step_past_the_limit_fails_the_build(docker_client: Any) -> None:
    recipe = _recipe(f"sleep 120 # {uuid.uuid4().hex}")
    started = time.monotonic()
    with pytest.raises(ImageError, match=r"ran past 3s \(RFSN_SETUP_TIMEOUT\)"):
        ensure_env_image(docker_client, recipe, BuildOptions("bootstrap", step_timeout=3))
    assert time.monotonic() - started < 60
    assert not image_exists(docker_client, EnvImage(recipe, python_image("3.11").bootstrap_tag).tag)


@pytest.mark.docker
def test_a_failed_build_keeps_what_the_step_printed_first_for_the_log(docker_client: Any) -> None:
    """The one-line message holds the last lines; pip prints the cause well before them."""
    noise = " ".join(f"echo wrapper-{n};" for n in range(5))
    recipe = _recipe(f"echo the-cause-$((40 + 2)) {uuid.uuid4().hex}; {noise} exit 3")
    with pytest.raises(ImageError) as failed:
        ensure_env_image(docker_client, recipe, BuildOptions("bootstrap", step_timeout=60))
    assert "the-cause-42" not in str(failed.value)
    assert "the-cause-42" in failed.value.output


def test_a_failed_build_says_what_the_step_printed_before_the_step_itself() -> None:
    """Outcomes keep the first 500 characters of a message: the cause must come first, not a
    long pip command line."""
    from rfsn.sandbox.buildlog import build_failure

    command = "timeout -k 10 1800 sh -c 'set -e; pip install " + "pkg==1.0 " * 80 + "'"
    message = build_failure(
        "rfsn/env-python:x",
        f"The command '/bin/sh -c {command}' returned a non-zero code: 1",
        "Collecting pkg\nERROR: No matching distribution found for exceptiongroup==0.0.0a0\n",
        1800.0,
    )
    assert message.startswith("env image: pip install pkg==1.0 pkg==1.0")
    assert ": ERROR: No matching distribution found for exceptiongroup==0.0.0a0 (building" in message
    assert len(message) < 300


def test_a_failed_build_skips_where_the_log_went_and_colours() -> None:
    """npm ends a failure by saying where its debug log went; Docker, what it removed: neither
    is the cause, nor is npm's code or the command it ran, and the terminal colours are not part of it."""
    from rfsn.sandbox.buildlog import build_failure

    output = (
        "\x1b[91mnpm ERR! code 127\n\x1b[0m\x1b[91mnpm ERR! command sh -c cmake-js compile\n"
        "npm ERR! sh: 1: cmake-js: not found\n\x1b[0m"
        "\x1b[91mnpm ERR! A complete log of this run can be found in:\n"
        "npm ERR!     /root/.npm/_logs/2026-11-23T09_16_53_728Z-debug-0.log\n"
        "\x1b[0mRemoving intermediate container 1708f7478b51\n"
    )
    message = build_failure(
        "rfsn/env-node:x", "The command '/bin/sh -c npm install' returned a non-zero code: 127", output, 1800.0
    )
    assert message == (
        "env image: npm install: npm ERR! sh: 1: cmake-js: not found (building rfsn/env-node:x failed, exit 127)"
    )


@pytest.mark.parametrize(
    "output",
    [
        # pip 23 and later
        "Collecting astropy\n  error: subprocess-exited-with-error\n\n"
        "  \u00d7 python setup.py egg_info did not run successfully.\n  │ exit code: 1\n"
        "  ╰─> [6 lines of output]\n      Traceback (most recent call last):\n"
        '        File "<string>", line 2, in <module>\n        File "setup.py", line 12, in <module>\n'
        "          import ah_bootstrap\n      ModuleNotFoundError: No module named 'ah_bootstrap'\n"
        "      [end of output]\n\n"
        "  note: This error originates from a subprocess, and is likely not a problem with pip.\n"
        "error: metadata-generation-failed\n\n\u00d7 Encountered error while generating package metadata.\n"
        "╰─> See above for output.\n\nnote: This is an issue with the package mentioned above, not pip.\n"
        "hint: See above for details.\n",
        # pip 21 (Python 3.6)
        "    ERROR: Command errored out with exit status 1:\n     command: /usr/bin/python3 -c 'import sys'\n"
        "    Complete output (4 lines):\n    Traceback (most recent call last):\n"
        '      File "setup.py", line 12, in <module>\n'
        "        import ah_bootstrap\n    ModuleNotFoundError: No module named 'ah_bootstrap'\n"
        "    ----------------------------------------\nWARNING: Discarding file:///testbed.\n"
        "ERROR: Command errored out with exit status 1: python setup.py egg_info "
        "Check the logs for full command output.\n",
    ],
)
def test_a_failed_build_leads_with_the_exception_a_setup_script_raised(output: str) -> None:
    """pip's last lines are its advice; the cause is the exception of the traceback above them."""
    from rfsn.sandbox.buildlog import build_failure

    message = build_failure(
        "rfsn/env-python:x", "The command '/bin/sh -c pip install -e .' returned a non-zero code: 1", output, 1800.0
    )
    assert message.startswith("env image: pip install -e .: ModuleNotFoundError: No module named 'ah_bootstrap' (")


def test_a_failed_build_with_no_traceback_is_told_by_its_first_error_line() -> None:
    from rfsn.sandbox.buildlog import build_failure

    message = build_failure(
        "rfsn/env-python:x",
        "The command '/bin/sh -c make' returned a non-zero code: 2",
        "cc -c a.c\na.c:1: error: expected ';'\nmake: *** [a.o] Error 1\n",
        1800.0,
    )
    assert message == "env image: make: a.c:1: error: expected ';' (building rfsn/env-python:x failed, exit 2)"


def test_a_failed_project_install_names_its_step_and_the_import_that_failed(tmp_path: Path) -> None:
    """The sandbox's setup failure (the project's ``pip install -e .``), from pip's real output."""
    from rfsn.buildpacks.python.buildpack import PythonBuildpack
    from rfsn.sandbox.fake import FakeSandbox, Reply
    from rfsn.sandbox.setupsteps import run_setup
    from rfsn.settings import Settings

    (tmp_path / "setup.py").write_text("import nosuchmodule_rfsn_capture\n")
    output = (PIP_LOGS / "pip-setup.log").read_text(encoding="utf-8")
    box = FakeSandbox(tmp_path, {("env",): Reply(1, output)})
    try:
        run_setup(box, PythonBuildpack().setup_commands(tmp_path), Settings(), None)
    finally:
        box.close()
    assert box.setup_failure == (
        "setup: pip install -e .: ModuleNotFoundError: No module named 'nosuchmodule_rfsn_capture'"
    )


@pytest.mark.parametrize("seconds", [None, 1800.0])
def test_a_failed_step_is_named_by_its_own_commands_not_the_opening_of_its_modes(seconds: float | None) -> None:
    """Every step of the Dockerfile ends by opening the modes of what it made (``OPEN_MODES``):
    the name of the step that failed leaves that out."""
    from rfsn.sandbox.buildlog import build_failure

    dockerfile = EnvImage(_recipe("pip install six"), "base").dockerfile(False, seconds)
    command = next(line for line in dockerfile.splitlines() if "six" in line).removeprefix("RUN ")
    message = build_failure(
        "rfsn/env-python:x",
        f"The command '/bin/sh -c {command}' returned a non-zero code: 1",
        "ERROR: No matching distribution found for six\n",
        seconds,
    )
    assert message.startswith("env image: pip install six: ERROR: No matching distribution found for six (building")
