"""Where settings come from besides the arguments: the ``RFSN_*`` variables, read within rfsn's
bounds, and the config file (``rfsn.toml``, or the file ``RFSN_CONFIG`` names)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_settings import BaseSettings, EnvSettingsSource, InitSettingsSource

from rfsn.errors import ConfigError
from rfsn.inputs import json_value, toml_file


class BoundedEnv(EnvSettingsSource):
    """The ``RFSN_*`` variables, a JSON value among them (``RFSN_LLM``) read within rfsn's bounds."""

    def decode_complex_value(self, field_name: str, field: FieldInfo, value: Any) -> Any:
        # the parent decodes "null" to None unless the field takes its text undecoded (NoDecode)
        undecoded = super().decode_complex_value(field_name, field, "null") is not None
        return value if undecoded else json_value(value, f"RFSN_{field_name.upper()}")


def config_file() -> Path:
    """The settings file: the one ``RFSN_CONFIG`` names, else ``rfsn.toml`` here (if any)."""
    return Path(os.environ.get("RFSN_CONFIG") or "rfsn.toml")


def config_source(settings_cls: type[BaseSettings]) -> InitSettingsSource:
    """The config file's values (none when there is no file), its booleans checked."""
    path = config_file()
    values = toml_file(path) if path.is_file() else {}
    toml_booleans(values, settings_cls, str(path))
    return InitSettingsSource(settings_cls, values)


def toml_booleans(values: dict[str, Any], model: type[BaseModel], source: str, prefix: str = "") -> None:
    """ConfigError unless every boolean setting of a TOML table is a TOML boolean: "yes", 1 or
    "false" there is a mistake, not a value (the environment's strings stay as pydantic reads them)."""
    for name, field in model.model_fields.items():
        value = values.get(name)
        if value is None:
            continue
        if field.annotation is bool and not isinstance(value, bool):
            raise ConfigError(
                f"invalid setting {prefix}{name} in {source}: a TOML boolean (true or false), not {value!r}"
            )
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel) and isinstance(value, dict):
            toml_booleans(value, field.annotation, source, f"{prefix}{name}.")
