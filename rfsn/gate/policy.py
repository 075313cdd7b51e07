"""Gate policy as data: what is allowed, with documented defaults.

Loaded from the ``[gate]`` table of ``rfsn.toml`` with ``GatePolicy.from_toml``
(unknown keys are an error). Every limit can be raised only here, never by a
proposal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from rfsn.buildpacks.gaterules import gate_commands, gate_subcommands
from rfsn.errors import ConfigError, InputError
from rfsn.gate.defaults import (
    DEFAULT_DENIED,
    DEFAULT_LOCKFILES,
    DEFAULT_PROTECTED,
    DEFAULT_PYTHON_MODULES,
    DEFAULT_SECRET_GLOBS,
)
from rfsn.inputs import toml_file


class SizeTier(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    max_files: StrictInt = Field(gt=0, description="files one edit may touch")
    max_changed_lines: StrictInt = Field(gt=0, description="added plus removed lines in one edit")


DEFAULT_TIERS = {
    "small": SizeTier(max_files=3, max_changed_lines=60),
    "medium": SizeTier(max_files=8, max_changed_lines=400),
    "large": SizeTier(max_files=30, max_changed_lines=3000),
}


#: what a strict field takes, as TOML writes it
_TOML_TYPES = {"bool_type": "boolean (true or false)", "int_type": "integer"}


class GatePolicy(BaseModel):
    """What the gate allows. Defaults are safe for unattended repair runs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    commands: dict[str, tuple[str, ...]] = Field(
        default_factory=gate_commands,
        description="executables allowed per ecosystem; 'generic' is allowed for every buildpack",
    )
    subcommands: dict[str, tuple[str, ...]] = Field(
        default_factory=gate_subcommands,
        description="for multi-command tools, the allowed first argument",
    )
    denied_commands: tuple[str, ...] = Field(
        default=DEFAULT_DENIED, description="never allowed, whatever the allow lists say"
    )
    python_modules: tuple[str, ...] = Field(
        default=DEFAULT_PYTHON_MODULES, description="modules allowed with 'python -m'"
    )
    max_args: StrictInt = Field(default=64, gt=0, description="arguments in one command")
    max_arg_length: StrictInt = Field(default=1024, gt=0, description="characters in one argument")
    max_path_length: StrictInt = Field(default=400, gt=0, description="characters in one path")
    protected: tuple[str, ...] = Field(
        default=DEFAULT_PROTECTED, description="globs no edit may touch (gitignore-like, case-insensitive)"
    )
    secret_globs: tuple[str, ...] = Field(
        default=DEFAULT_SECRET_GLOBS, description="globs that may not even be read or searched"
    )
    lockfiles: tuple[str, ...] = Field(default=DEFAULT_LOCKFILES, description="dependency lockfiles")
    allow_lockfile_edits: StrictBool = Field(default=False, description="let edits touch lockfiles")
    tiers: dict[str, SizeTier] = Field(default_factory=lambda: dict(DEFAULT_TIERS))
    tier: str = Field(default="medium", description="the size tier edits are held to")
    max_patch_bytes: StrictInt = Field(default=1_000_000, gt=0, description="raw size of one patch")
    allow_test_edits: StrictBool = Field(
        default=False,
        description="let patch/verify edits modify test files (off: tests are evidence)",
    )
    git_apply_check: StrictBool = Field(
        default=True, description="also run 'git apply --check' when the workspace is a git checkout"
    )
    max_pattern_length: StrictInt = Field(default=500, gt=0, description="characters in a search regex")

    def size_tier(self) -> SizeTier:
        try:
            return self.tiers[self.tier]
        except KeyError:
            raise ConfigError(f"gate tier {self.tier!r} is not one of {', '.join(sorted(self.tiers))}") from None

    def allowed_commands(self, buildpack: str) -> frozenset[str]:
        return frozenset(self.commands.get("generic", ())) | frozenset(self.commands.get(buildpack, ()))

    @classmethod
    def from_mapping(cls, data: dict[str, Any], source: str = "settings") -> GatePolicy:
        """The policy a ``[gate]`` table asks for; a ConfigError in one line naming the first
        bad key and ``source`` (the file it came from) otherwise."""
        try:
            policy = cls.model_validate(data)
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(part) for part in first["loc"]) or "[gate]"
            message = (
                "unknown key"
                if first["type"] == "extra_forbidden"
                else f"a TOML {_TOML_TYPES[first['type']]}, not {first['input']!r}"
                if first["type"] in _TOML_TYPES
                else first["msg"].removeprefix("Value error, ")
            )
            raise ConfigError(f"invalid [gate] policy in {source}: {key}: {message}") from exc
        try:
            policy.size_tier()
        except ConfigError as exc:
            raise ConfigError(f"invalid [gate] policy in {source}: tier: {exc}") from exc
        return policy

    @classmethod
    def from_toml(cls, path: Path) -> GatePolicy:
        """Read the ``[gate]`` table of a TOML file (defaults when the table is absent)."""
        try:
            data = toml_file(path)
        except InputError as exc:
            raise ConfigError(f"cannot read gate policy: {exc}") from exc
        table = data.get("gate", {})
        if not isinstance(table, dict):
            raise ConfigError(f"[gate] in {path} must be a table")
        return cls.from_mapping(table, str(path))
