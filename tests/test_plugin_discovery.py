"""Plugin discovery shared by buildpacks and patch strategies (rfsn/plugins.py)."""

from __future__ import annotations

import pytest

from rfsn.buildpacks.base import Buildpack
from rfsn.errors import ConfigError, RfsnError
from rfsn.plugins import PluginInfo, instantiate


def test_a_part_that_does_not_implement_the_protocol_is_a_config_error() -> None:
    """A plugin naming the wrong object is an RfsnError the CLI reports in one line, not a bare TypeError."""
    info = PluginInfo("wrong", "rfsn.errors:RfsnError", "plugin example 1.0")
    with pytest.raises(ConfigError, match="does not implement the Buildpack protocol") as raised:
        instantiate(info, Buildpack)
    assert isinstance(raised.value, RfsnError)


def test_a_class_that_implements_the_protocol_is_instantiated() -> None:
    part = instantiate(PluginInfo("python", "rfsn.buildpacks.python.buildpack:PythonBuildpack", "builtin"), Buildpack)
    assert isinstance(part, Buildpack) and part.name == "python"
