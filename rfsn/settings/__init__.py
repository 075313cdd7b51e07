"""Settings: the one place that reads ``RFSN_*`` environment variables and ``rfsn.toml``.

Precedence, highest first: explicit arguments (the CLI passes its flags as
init values), ``RFSN_*`` environment variables, ``rfsn.toml`` in the current
directory (or the file named by ``RFSN_CONFIG``), then the defaults below.
"""

from __future__ import annotations

import os
import re
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from rfsn.errors import ConfigError, InputError
from rfsn.settings.llm import LLMSettings
from rfsn.settings.sources import BoundedEnv, config_source
from rfsn.settings.sources import config_file as config_file
from rfsn.settings.values import Seconds, registry_address, size_range

_HOST_CA_VARIABLES = ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE")


def host_ca_bundle() -> Path | None:
    """The CA bundle the host configured for pip/requests, if any file is named."""
    for name in _HOST_CA_VARIABLES:
        value = os.environ.get(name)
        if value and Path(value).is_file():
            return Path(value)
    return None


#: SWE-bench's verdicts (the FAIL_TO_PASS and PASS_TO_PASS lists of the test split, Lite's
#: included) were made with the packages of 2023; a spec's exact pins of later releases move the
#: cutoff on for that spec (``rfsn.sandbox.asof``)
SWEBENCH_INDEX_DATE = date(2024, 1, 1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="RFSN_", extra="forbid", env_nested_delimiter="__", populate_by_name=True
    )

    sandbox: Literal["docker", "local"] = Field(
        default="docker",
        description="where code runs: docker, or local (on this host, unsandboxed: "
        "only when asked for by name, never as a fallback)",
    )
    home: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rfsn",
        description="cache directory (local environments, clones, scratch space); made when settings load",
    )
    ca_bundle: Path | None = Field(
        default=None,
        description="CA bundle passed into image builds and containers; "
        "defaults to the host's (PIP_CERT, REQUESTS_CA_BUNDLE, ...)",
    )
    base_image_source: Literal["auto", "registry", "bootstrap"] = Field(
        default="auto",
        description="where base images come from: the registry, debootstrap, or auto: whichever "
        "exists, else a pull, else a bootstrap (as root, with debootstrap installed)",
    )
    debian_mirror: str = Field(default="http://deb.debian.org/debian", description="mirror used by debootstrap")
    python_archives: Path | None = Field(
        default=None,
        description="a directory of python-build-standalone install_only archives "
        "(cpython-X.Y.Z+DATE-<platform>-install_only.tar.gz): the Pythons Debian does not ship",
    )
    swebench_index_date: date | None = Field(
        default=SWEBENCH_INDEX_DATE,
        description="build SWE-bench spec environments from PyPI as it was before this date "
        "(YYYY-MM-DD), save the versions a spec pins: packages of the time the dataset's verdicts "
        "were made; 'today' (or empty) resolves as PyPI is now",
    )
    as_of: str = Field(
        default="commit",
        description="resolve a plain Python repository's environment (its "
        "packages, build tools and Python) as of: 'commit' (its commit's date), 'today', or a "
        "date YYYY-MM-DD; exact pins still win (--as-of). SWE-bench specs keep their own date",
    )
    python: str | None = Field(
        default=None,
        pattern=r"^\d+\.\d+$",
        description="the Python X.Y of a plain repository's environment (--python); default: "
        "one the project declares that existed at the as-of date",
    )
    # Every limit is bounded: a value Docker or the kernel reads as "no limit" (0, -1) is an error.
    memory: Annotated[str, size_range("16m", "1024g")] = Field(
        default="4g", description="container memory limit (16m to 1024g)"
    )
    cpus: float = Field(
        default=2.0,
        ge=0.01,
        le=1024,
        allow_inf_nan=False,
        description="container CPU limit (0.01 to 1024; at most the host's CPUs)",
    )
    pids: int = Field(default=1024, ge=16, le=4_194_304, description="container process limit (16 and up)")
    file_size: Annotated[str, size_range("1m", "16384g")] = Field(
        default="4g", description="largest file a command in the container may write (1m to 16384g)"
    )
    tmp_size: Annotated[str, size_range("1m", "1024g")] = Field(
        default="1g", description="size of the container's /tmp (a tmpfs; counts as memory; 1m to 1024g)"
    )
    test_timeout: Seconds = Field(default=900.0, description="seconds for one test run")
    test_case_timeout: Seconds = Field(
        default=60.0,
        description=(
            "seconds one test may run in a repair session or rfsn test (cut to a quarter of the "
            "session's budget) and in an evaluation of an instance SWE-bench's harness does not "
            "specify; past it the test is stopped and reported as timeout. The harness's own runs "
            "have no per-test limit"
        ),
    )
    setup_timeout: Seconds = Field(default=1800.0, description="seconds for one image build step")
    registry: str | None = Field(
        default=None,
        description=(
            "HOST:PORT/PREFIX of a registry that shares images between machines: a base, env or setup "
            "image missing here is pulled from it before anything builds it, and one built here is "
            "pushed to it under its content-addressed tag (--registry)"
        ),
    )
    setup_snapshots: bool = Field(
        default=True,
        description=(
            "keep what a Docker sandbox's setup (the project's install) did at a clean commit as an "
            "image, and start later sandboxes at that commit from it instead of running the setup "
            "again (SWE-bench's instance image)"
        ),
    )
    compile_cache: bool = Field(
        default=True,
        description=(
            "run a Docker sandbox's setup with ccache before its C and C++ compilers, reading the "
            "compilations of its commit's and its ancestors' setups and keeping its own at clean commits under "
            "<home>/ccache (rfsn.sandbox.ccache)"
        ),
    )
    clone_timeout: Seconds = Field(default=120.0, description="seconds for cloning a repository")
    log_file: Path | None = Field(default=None, description="JSON-lines event log")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="warning", description="console log level (-v means info)"
    )
    llm: LLMSettings = Field(default_factory=LLMSettings, description="the [llm] table")
    openai_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("openai_api_key", "OPENAI_API_KEY"),
        description="key of the openai planner (OPENAI_API_KEY)",
    )
    anthropic_api_key: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("anthropic_api_key", "ANTHROPIC_API_KEY"),
        description="key of the anthropic planner (ANTHROPIC_API_KEY)",
    )
    gate: dict[str, Any] = Field(
        default_factory=dict, description="the [gate] table: GatePolicy overrides (docs/gate.md)"
    )

    @field_validator("home")
    @classmethod
    def _a_directory(cls, value: Path) -> Path:
        """A directory rfsn can write in (made if missing), or an error naming the path and why."""
        existing = next(p for p in (value, *value.parents) if p.exists() or p == p.parent)
        if not existing.is_dir():
            where = "it is" if existing == value else f"{existing} is"
            raise ValueError(f"{value} cannot be a directory: {where} a file")
        try:
            value.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ValueError(f"cannot make the directory {value}: {exc.strerror}") from exc
        if not os.access(value, os.W_OK | os.X_OK):
            raise ValueError(f"cannot write in {value}: permission denied")
        return value

    @field_validator("swebench_index_date", mode="before")
    @classmethod
    def _today(cls, value: object) -> object:
        """'today' or an empty value: resolve as PyPI is now."""
        return None if isinstance(value, str) and value.strip().lower() in ("", "today", "none") else value

    @field_validator("registry", mode="before")
    @classmethod
    def _registry(cls, value: object) -> object:
        """HOST:PORT with an optional /PREFIX of lowercase path components (Docker's grammar)."""
        return registry_address(value)

    @field_validator("as_of", mode="before")
    @classmethod
    def _as_of(cls, value: object) -> object:
        """'commit', 'today' or a date (YYYY-MM-DD)."""
        text = str(value).strip().lower()
        if text in ("commit", "today"):
            return text
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            raise ValueError(f"{value!r} is not 'commit', 'today' or a date YYYY-MM-DD") from None

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, BoundedEnv(settings_cls), config_source(settings_cls))

    def resolved_ca_bundle(self) -> Path | None:
        return self.ca_bundle if self.ca_bundle is not None else host_ca_bundle()


#: the settings a batch worker takes over from the process that starts it (the rest are its own)
WORKER_SETTINGS = frozenset(
    {
        "sandbox",
        "home",
        "memory",
        "cpus",
        "pids",
        "tmp_size",
        "file_size",
        "test_timeout",
        "test_case_timeout",
        "setup_timeout",
        "clone_timeout",
        "base_image_source",
        "registry",
        "ca_bundle",
        "as_of",
        "python",
        "python_archives",
    }
)


def for_workers(settings: Settings) -> dict[str, Any]:
    """What a batch worker takes over of ``settings``: keyword values for its ``load_settings``."""
    return settings.model_dump(include=set(WORKER_SETTINGS))


def load_settings(**overrides: Any) -> Settings:
    """Settings with the given explicit values (None means 'not given').

    A config file that cannot be read or parsed (or that ``RFSN_CONFIG`` names and is not a
    file), or a bad value, is a ConfigError naming the setting.
    """
    path = config_file()
    if os.environ.get("RFSN_CONFIG") and not path.is_file():
        cause = "is a directory" if path.is_dir() else "is not a regular file" if path.exists() else "does not exist"
        raise ConfigError(f"RFSN_CONFIG names {path}, which {cause}: name a TOML file")
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except InputError as exc:
        raise ConfigError(f"cannot read settings: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"invalid setting {setting_name(first['loc'])}: {message}") from exc
    except SettingsError as exc:  # a value its source could not parse (RFSN_LLM='{not json')
        found = re.search(r'field "(\w+)" from source', str(exc))
        name = setting_name((found.group(1),)) if found else "settings"
        raise ConfigError(f"invalid setting {name}: {exc.__cause__ or exc}") from exc


def setting_name(loc: tuple[int | str, ...]) -> str:
    """A setting as a user sets it: ``file_size (RFSN_FILE_SIZE)``, ``llm.timeout (RFSN_LLM__TIMEOUT)``."""
    if not loc:
        return "settings"
    return f"{'.'.join(map(str, loc))} (RFSN_{'__'.join(map(str, loc[:2])).upper()})"
