"""The ``rfsn`` command. Thin: it parses, builds the parts, calls them.

How a command ends is decided in one place, ``_reported``: bad input or an
environment rfsn cannot use is one line on stderr and exit 2; a bug is one
line and exit 3 (its traceback in the JSON log, and on the console with -v);
Ctrl-C is 130 and SIGTERM 143, after the sandboxes are cleaned up. Exit 1 is
left to the commands, for "not fixed" and its kin.
"""

from __future__ import annotations

import errno
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


def _register() -> None:
    from rfsn.cli.batch_cmd import batch
    from rfsn.cli.buildpacks_cmd import buildpacks
    from rfsn.cli.evaluate_cmd import evaluate, report, validate
    from rfsn.cli.gate_cmd import gate
    from rfsn.cli.repair_cmd import repair
    from rfsn.cli.sandbox_cmd import sandbox
    from rfsn.cli.test_cmd import test

    for command in (repair, test, batch, evaluate, validate, report, buildpacks, sandbox, gate):
        main.add_command(command)


_register()
