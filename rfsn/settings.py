"""Settings: the one place that reads ``RFSN_*`` environment variables and ``rfsn.toml``.

Precedence, highest first: explicit arguments (the CLI passes its flags as
init values), ``RFSN_*`` environment variables, ``rfsn.toml`` in the current
directory (or the file named by ``RFSN_CONFIG``), then the defaults below.
"""

from __future__ import annotations

import os
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from rfsn.errors import ConfigError

_HOST_CA_VARIABLES = ("PIP_CERT", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE")


def host_ca_bundle() -> Path | None:
    """The CA bundle the host configured for pip/requests, if any file is named."""
    for name in _HOST_CA_VARIABLES:
        value = os.environ.get(name)
        if value and Path(value).is_file():
            return Path(value)
    return None


class Price(BaseModel):
    """A model's price in USD per million tokens."""

    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class LLMSettings(BaseModel):
    """The ``[llm]`` table: the model planners' provider, model, server and prices."""

    model_config = ConfigDict(extra="forbid")

    provider: Literal["openai", "anthropic"] = Field(
        default="openai", description="the hybrid planner's provider")
    model: str | None = Field(default=None, description="model name (--model)")
    base_url: str | None = Field(default=None, description="server base URL (--base-url)")
    prices: dict[str, Price] = Field(
        default_factory=dict, description='USD per million tokens: [llm.prices."MODEL"]')
    cache: bool = Field(default=True, description="answer a request asked before from the response "
                        "cache under the rfsn home (--no-cache turns it off)")
    timeout: float = Field(default=120.0, gt=0, description="seconds for one model call; a call "
                           "that takes longer is abandoned and retried")
    retry_backoff: float = Field(default=0.5, gt=0, description="seconds: the scale of the jittered "
                                 "exponential backoff between retries (at most 16 times it)")


#: SWE-bench's verdicts (the FAIL_TO_PASS and PASS_TO_PASS lists of the test split, Lite's
#: included) were made with the packages of 2023; a spec's exact pins of later releases move the
#: cutoff on for that spec (``rfsn.sandbox.asof``)
SWEBENCH_INDEX_DATE = date(2024, 1, 1)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RFSN_", extra="forbid", env_nested_delimiter="__",
                                      populate_by_name=True)

    sandbox: Literal["auto", "docker", "local"] = Field(
        default="auto", description="where code runs; auto = Docker when a daemon answers"
    )
    home: Path = Field(
        default_factory=lambda: Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "rfsn",
        description="cache directory (local environments, clones, scratch space)",
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
    debian_mirror: str = Field(
        default="http://deb.debian.org/debian", description="mirror used by debootstrap"
    )
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
        default="commit", description="resolve a plain Python repository's environment (its "
        "packages, build tools and Python) as of: 'commit' (its commit's date), 'today', or a "
        "date YYYY-MM-DD; exact pins still win (--as-of). SWE-bench specs keep their own date")
    python: str | None = Field(
        default=None, pattern=r"^\d+\.\d+$",
        description="the Python X.Y of a plain repository's environment (--python); default: "
        "one the project declares that existed at the as-of date")
    memory: str = Field(default="4g", description="container memory limit")
    cpus: float = Field(default=2.0, description="container CPU limit")
    pids: int = Field(default=1024, description="container process limit")
    file_size: str = Field(default="4g", description="largest file a command in the container may write")
    tmp_size: str = Field(default="1g", description="size of the container's /tmp (a tmpfs; counts as memory)")
    test_timeout: float = Field(default=900.0, gt=0, description="seconds for one test run")
    test_case_timeout: float = Field(default=60.0, gt=0, description=(
        "seconds one test may run in a repair session or rfsn test (cut to a quarter of the "
        "session's budget); past it the test is stopped and reported as timeout. Evaluation runs "
        "have no per-test limit"))
    setup_timeout: float = Field(default=1800.0, gt=0, description="seconds for one image build step")
    setup_snapshots: bool = Field(default=True, description=(
        "keep what a Docker sandbox's setup (the project's install) did at a clean commit as an "
        "image, and start later sandboxes at that commit from it instead of running the setup "
        "again (SWE-bench's instance image)"))
    clone_timeout: float = Field(default=120.0, gt=0, description="seconds for cloning a repository")
    log_file: Path | None = Field(default=None, description="JSON-lines event log")
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        default="warning", description="console log level (-v means info)"
    )
    llm: LLMSettings = Field(default_factory=LLMSettings, description="the [llm] table")
    openai_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("openai_api_key", "OPENAI_API_KEY"),
        description="key of the openai planner (OPENAI_API_KEY)")
    anthropic_api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("anthropic_api_key", "ANTHROPIC_API_KEY"),
        description="key of the anthropic planner (ANTHROPIC_API_KEY)")
    gate: dict[str, Any] = Field(
        default_factory=dict, description="the [gate] table: GatePolicy overrides (docs/gate.md)"
    )

    @field_validator("swebench_index_date", mode="before")
    @classmethod
    def _today(cls, value: object) -> object:
        """'today' or an empty value: resolve as PyPI is now."""
        return None if isinstance(value, str) and value.strip().lower() in ("", "today", "none") else value

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
        toml_file = Path(os.environ.get("RFSN_CONFIG", "rfsn.toml"))
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls, toml_file))

    def resolved_ca_bundle(self) -> Path | None:
        return self.ca_bundle if self.ca_bundle is not None else host_ca_bundle()


def load_settings(**overrides: Any) -> Settings:
    """Settings with the given explicit values (None means 'not given').

    A config file that cannot be read or parsed, or a bad value, is a ConfigError.
    """
    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, OSError) as exc:
        path = os.environ.get("RFSN_CONFIG", "rfsn.toml")
        raise ConfigError(f"cannot read settings from {path}: {exc}") from exc
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "settings"
        raise ConfigError(f"invalid setting {where}: {first['msg']}") from exc
