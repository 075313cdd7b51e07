"""The ``rfsn`` command. Thin: it parses, builds the parts, calls them.

How a command ends is decided in one place, ``_reported``: bad input or an
environment rfsn cannot use is one line on stderr and exit 2; a bug is one
line and exit 3 (its traceback in the JSON log, and on the console with -v);
Ctrl-C is 130 and SIGTERM 143, after the sandboxes are cleaned up. Exit 1 is
left to the commands, for "not fixed" and its kin.
"""

from __future__ import annotations

import errno
import importlib
import signal
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import click
from pydantic import ValidationError

from rfsn.errors import RfsnError
from rfsn.version import __version__

#: exit statuses no command uses for its result (the README's table)
EXIT_ERROR, EXIT_FAILED, EXIT_INTERRUPTED = 2, 3, 130
#: each command and the module of ``rfsn.cli`` that defines it under its name: a module is imported
#: when its command runs (or the help lists it), so one command never pays for another's imports
COMMANDS = {
    "repair": "repair_cmd",
    "test": "test_cmd",
    "batch": "batch_cmd",
    "evaluate": "evaluate_cmd",
    "validate": "evaluate_cmd",
    "report": "evaluate_cmd",
    "buildpacks": "buildpacks_cmd",
    "sandbox": "sandbox_cmd",
    "gate": "gate_cmd",
}
#: the file system's refusals: an environment rfsn cannot use (exit 2), not a bug in rfsn
REFUSALS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENAMETOOLONG})


def _fail(code: int, line: str) -> NoReturn:
    from rfsn.cli.common import error_line

    error_line(line)
    sys.exit(code)


def _crashed(exc: Exception) -> NoReturn:
    """A bug: one line; the traceback goes to the JSON log (and to the console under -v)."""
    from rfsn.cli.common import LOGGING
    from rfsn.observability import logging as rlog

    ctx = click.get_current_context(silent=True)
    if ctx is None or not ctx.meta.get(LOGGING):  # a command without -v or --log-file: no console
        rlog.configure(level="warning")
    rlog.get_logger("rfsn.cli").info(
        "rfsn.crash", error=f"{type(exc).__name__}: {exc}", traceback=traceback.format_exc()
    )
    _fail(EXIT_FAILED, f"rfsn: failed: {type(exc).__name__}: {exc} (unexpected: -v or --log-file show the traceback)")


@contextmanager
def _reported() -> Iterator[None]:
    """Every way a command can fail, as one line and its exit status."""
    try:
        yield
    except (click.exceptions.Exit, click.exceptions.Abort, click.exceptions.NoArgsIsHelpError):
        raise  # click's own ends: --help, --version, a bare group's help
    except click.ClickException as exc:  # a usage error: click's message, on one line
        hint = f" (see '{exc.ctx.command_path} --help')" if isinstance(exc, click.UsageError) and exc.ctx else ""
        _fail(exc.exit_code, f"rfsn: error: {exc.format_message()}{hint}")
    except RfsnError as exc:
        _fail(exc.exit_code, f"rfsn: error: {exc}")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "input"
        _fail(EXIT_ERROR, f"rfsn: error: invalid {where}: {first['msg']}")
    except KeyboardInterrupt:
        _fail(EXIT_INTERRUPTED, "rfsn: interrupted")
    except OSError as exc:
        if exc.errno not in REFUSALS:
            _crashed(exc)
        _fail(EXIT_ERROR, f"rfsn: error: {exc.filename or ''}: {exc.strerror}".replace(" : ", " "))
    except Exception as exc:
        _crashed(exc)


class _Group(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        command: click.Command = getattr(importlib.import_module(f"rfsn.cli.{COMMANDS[cmd_name]}"), cmd_name)
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:  # click suggests among the commands it holds: none
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=COMMANDS, ctx=ctx) from None

    def make_context(self, *args: Any, **kwargs: Any) -> click.Context:
        with _reported():
            return super().make_context(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        with _reported():
            return super().invoke(ctx)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rfsn")
def main() -> None:
    """rfsn repairs software: sandboxed tests, fault localization, proven patches.

    Exit status: 0 done (fixed, passed, valid), 1 a result short of that (not fixed, tests
    failed, instances invalid), 2 bad input or an environment rfsn cannot use, 3 rfsn failed
    (a bug), 130/143 interrupted.
    """
    signal.signal(signal.SIGTERM, _terminate)
