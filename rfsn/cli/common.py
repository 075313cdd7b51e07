"""Options and helpers shared by the commands: the inputs every command checks the same way."""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from rfsn.errors import ConfigError, OutputError
from rfsn.gate.policy import GatePolicy
from rfsn.observability import logging as rlog
from rfsn.observability.console import shown
from rfsn.sandbox import choose_kind
from rfsn.settings import Settings, config_file, load_settings
from rfsn.settings.values import LONGEST
from rfsn.settings.variables import unknown_variables

if TYPE_CHECKING:
    from rfsn.buildpacks.base import BaseImage


class Registered(click.Choice):
    """A choice among names known at run time (built-ins and installed plugins): read when the
    help or a value needs them, never at import."""

    def __init__(self, what: str, names: Callable[[], Iterable[str]]) -> None:
        self.what = what
        self._names = names
        super().__init__(())

    @property
    def choices(self) -> tuple[str, ...]:
        return tuple(self._names())

    @choices.setter
    def choices(self, value: Any) -> None:
        """click's constructor sets them; they are read from the registry instead."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        self.fail(f"unknown {self.what} {value!r} (known: {', '.join(self.choices)})", param, ctx)


def _planners() -> list[str]:
    from rfsn.planners.patch.strategies import known

    return sorted(info.name for info in known())


def buildpack_names() -> list[str]:
    """Every name --buildpack accepts: the registered buildpacks and generic."""
    from rfsn.buildpacks import discover

    return [*(info.name for info in discover()), "generic"]


PLANNER = Registered("planner", _planners)
BUILDPACK = Registered("buildpack", buildpack_names)


def default_base(name: str) -> BaseImage:
    """The base image of the buildpack ``name`` (generic's: plain Debian, for --test-cmd)."""
    from rfsn.buildpacks import load
    from rfsn.buildpacks.generic import GenericBuildpack

    return GenericBuildpack.default_base if name == "generic" else load(name).default_base


class OutputDir(click.Path):
    """A directory rfsn will write in: refused at once, with the path and the cause, when it
    cannot be created or written (a file on its way, /proc, an immutable or read-only
    directory: whatever really fails, for root too). Creates nothing."""

    def __init__(self) -> None:
        super().__init__(file_okay=False, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        path = Path(os.fsdecode(super().convert(value, param, ctx)))
        try:
            writable_dir(path)
        except OutputError as exc:
            self.fail(str(exc), param, ctx)
        return path


def writable_dir(path: Path) -> None:
    """OutputError unless ``path`` is, or can be made, a directory rfsn can write in; tried by
    making (and removing) an entry in it or in its nearest existing ancestor."""
    existing = path
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise OutputError(f"cannot write to {path}: {existing} is not a directory")
    longest = os.pathconf(existing, "PC_NAME_MAX")
    for name in path.parts[len(existing.parts) :]:
        if len(os.fsencode(name)) > longest:
            raise OutputError(
                f"cannot write to {path}: a name in it is longer than the {longest} bytes {existing} allows"
            )
    try:
        os.rmdir(tempfile.mkdtemp(prefix=".rfsn-probe-", dir=existing))
    except OSError as exc:
        refused = "it accepts no new entries" if exc.errno == errno.ENOENT else exc.strerror
        raise OutputError(f"cannot write to {path}: {existing}: {refused}") from exc


def error_line(line: str) -> None:
    """Print an error on stderr as one line, whatever the user's text in it held (its line breaks
    joined, its other control characters escaped). The one writer of rfsn's error lines."""
    click.echo(shown(" ".join(line.splitlines())), err=True)


#: set in ``click.Context.meta`` (shared by the nested contexts) once ``setup`` configured logging
LOGGING = "rfsn.logging_configured"


def setup(verbose: bool = False, log_file: Path | None = None, **overrides: Any) -> Settings:
    """Settings from flags, environment and rfsn.toml, the [gate] table included; logging
    configured from them (a log file that cannot be written is an OutputError naming it). A
    command that runs code (it has ``--sandbox``) stops here, before anything runs, when Docker
    does not answer and the host was not asked for by name; one that can share images (it has
    ``--registry``) stops when the registry does not answer."""
    settings = load_settings(log_file=log_file, **overrides)
    GatePolicy.from_mapping(settings.gate, str(config_file()))
    try:
        if settings.log_file is not None and settings.log_file.resolve().is_dir():  # also x/..
            raise IsADirectoryError(errno.EISDIR, "it names a directory")
        rlog.configure(level=console_level(verbose, settings), json_file=settings.log_file)
    except OSError as exc:
        raise OutputError(f"cannot write the log file {settings.log_file}: {exc.strerror or exc}") from exc
    ctx = click.get_current_context(silent=True)
    if ctx is not None:
        ctx.meta[LOGGING] = True
    _warn_unknown_variables()
    if "sandbox" in overrides:
        choose_kind(settings.sandbox)
    if "registry" in overrides:
        _check_registry(
            settings,
            given=overrides["registry"] is not None,
            local="sandbox" in overrides and settings.sandbox == "local",
        )
    return settings


_warned: set[str] = set()


def _warn_unknown_variables() -> None:
    """One warning line per unknown ``RFSN_*`` variable, once in a process."""
    for name, nearest in unknown_variables(Settings):
        if name not in _warned:
            _warned.add(name)
            hint = f" (did you mean {nearest}?)" if nearest else ""
            error_line(f"rfsn: warning: {name} is not a variable rfsn reads; it changes nothing{hint}")


def _check_registry(settings: Settings, given: bool, local: bool) -> None:
    """The registry answers; ``--registry`` with ``--sandbox local`` (which builds no image) is
    an input error, RFSN_REGISTRY is then unused."""
    from rfsn.sandbox import registry

    if settings.registry is None:
        return
    if local:
        if given:
            raise ConfigError("--registry shares Docker images; --sandbox local builds none")
        return
    registry.check(settings.registry)


def console_level(verbose: bool, settings: Settings) -> str:
    """``-v`` shows progress events (info); otherwise RFSN_LOG_LEVEL decides."""
    return "info" if verbose else settings.log_level


def check_target(target: str, ref: str | None) -> None:
    """ConfigError for a TARGET that names no repository: empty, a file, or (with ``ref``) a
    directory that is not a git repository, so has no refs."""
    from rfsn.workspace import is_url

    if not target.strip():
        raise ConfigError("TARGET is empty: name a repository's directory or git URL ('.' for here)")
    if is_url(target):
        return
    path = Path(target).expanduser()
    try:
        is_dir, exists = path.is_dir(), path.exists()
    except OSError as exc:  # a name too long for the file system
        raise ConfigError(f"TARGET {target}: {exc.strerror}") from exc
    if exists and not is_dir:
        raise ConfigError(f"{target} is a file: TARGET is a repository's directory or git URL")
    if ref and is_dir and not (path / ".git").exists():
        raise ConfigError(
            f"--ref {ref}: {target} is not a git repository (no .git), so it has no refs; "
            "without --ref its files are taken as they are"
        )


#: a number of seconds: positive and finite (``--timeout -5`` is an input error, never an option
#: handed on to a command)
SECONDS = click.FloatRange(min=0.0, min_open=True, max=LONGEST)
