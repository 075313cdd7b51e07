"""A failed env image build's output: the one line that says which step failed and why, and
the whole output, for a file of the session's or instance's outputs (``ENV_BUILD_LOG``)."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import time
from pathlib import Path

from rfsn.buildpacks.steplog import step_error, step_name
from rfsn.errors import ImageError
from rfsn.fsutil import write_atomic
from rfsn.sandbox.envimage import OPEN_AT_EXIT, OPEN_MODES

BUILD_LOG_CHARS = 20_000  # of a failed build's output, where the one line's cause is looked for
#: the file of a session's or an instance's outputs holding a failed env build's whole output
ENV_BUILD_LOG = "env-build.log"
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STEP = re.compile(r"^Step \d+/\d+ : ", re.M)


def _script(command: str) -> str:
    """The step's own script, out of the ``timeout ... sh -c`` that bounds it, without the modes
    every step ends by setting (``OPEN_MODES``)."""
    if command.startswith("timeout "):
        with contextlib.suppress(ValueError):
            words = shlex.split(command)
            if "-c" in words:
                command = words[words.index("-c") + 1]
    return command.replace(OPEN_AT_EXIT, "").removesuffix(f" && {OPEN_MODES}")


def build_failure(tag: str, error: str, output: str, step_timeout: float | None) -> str:
    """One line: ``env image: STEP: CAUSE``, the step short and the first line of its output that
    says why it failed (``steplog``), then the image and the exit status."""
    output = _ANSI.sub("", output)
    marks = list(_STEP.finditer(output))
    cause = step_error(output[marks[-1].end() :] if marks else output[-BUILD_LOG_CHARS:])
    command = error.strip().removeprefix("The command '/bin/sh -c ").rsplit("' returned", 1)[0]
    step = step_name(_script(command))
    code = error.strip().rsplit(" ", 1)[-1]
    if step_timeout is not None and code in ("124", "137"):
        return (
            f"env image: {step}: ran past {step_timeout:g}s (RFSN_SETUP_TIMEOUT) and was killed; "
            f"it printed: {cause} (building {tag})"
        )
    return f"env image: {step}: {cause} (building {tag} failed, exit {code})"


def build_output(output: str) -> str:
    """A build's ``output`` without terminal escapes: what ``ImageError.output`` keeps of it."""
    return _ANSI.sub("", output)


def keep_build_log(exc: BaseException, directory: Path) -> str:
    """Write the whole output of the failed build ``exc`` reports (an ``ImageError``'s) to
    ``directory/ENV_BUILD_LOG``; the file's name, or "" when ``exc`` carries no build output."""
    output = getattr(exc, "output", "")
    if not isinstance(output, str) or not output:
        return ""
    directory.mkdir(parents=True, exist_ok=True)
    write_atomic(directory / ENV_BUILD_LOG, output)
    return ENV_BUILD_LOG


def named_build_log(exc: ImageError, log_file: Path | None, home: Path) -> ImageError:
    """A command without an outputs directory (``rfsn test``): the failed build's whole output
    kept beside its ``log_file`` (``<log>.env-build.log``), else in ``home``'s ``env-builds``, and
    ``exc`` again naming that file; ``exc`` itself when it carries no build output."""
    if not exc.output:
        return exc
    stamp = f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
    path = log_file.with_suffix(f".{ENV_BUILD_LOG}") if log_file else home / "env-builds" / f"{stamp}.{ENV_BUILD_LOG}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, exc.output)
    except OSError:  # the one line still says why; only the file is missing
        return exc
    named = ImageError(f"{exc}; the whole build output: {path}", output=exc.output)
    named.environment = exc.environment
    return named
