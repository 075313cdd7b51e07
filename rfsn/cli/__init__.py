"""The ``rfsn`` command. Thin: it parses, builds the parts, calls them.

Every error rfsn knows becomes one line on stderr and exit code 2; SIGTERM
is turned into an exception so that sandboxes are cleaned up as on Ctrl-C.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

import click
from pydantic import ValidationError

from rfsn import __version__
from rfsn.errors import RfsnError


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except RfsnError as exc:
            click.echo(f"rfsn: error: {exc}", err=True)
            sys.exit(exc.exit_code)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "input"
            click.echo(f"rfsn: error: invalid {where}: {first['msg']}", err=True)
            sys.exit(2)
        except KeyboardInterrupt:
            click.echo("rfsn: interrupted", err=True)
            sys.exit(130)


def _terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rfsn")
def main() -> None:
    """rfsn repairs software: sandboxed tests, fault localization, proven patches."""
    signal.signal(signal.SIGTERM, _terminate)


def _register() -> None:
    from rfsn.cli.batch_cmd import batch, evaluate, report, validate
    from rfsn.cli.buildpacks_cmd import buildpacks
    from rfsn.cli.repair_cmd import repair
    from rfsn.cli.sandbox_cmd import sandbox
    from rfsn.cli.test_cmd import test
    from rfsn.gate.cli import gate

    for command in (repair, test, batch, evaluate, validate, report, buildpacks, sandbox, gate):
        main.add_command(command)


_register()
