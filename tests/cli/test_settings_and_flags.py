"""Flags and settings do what they say; the README documents every setting there is."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from rfsn.cli.common import console_level
from rfsn.settings import Settings, load_settings
from tests.cli.test_test_cmd import assert_one_line_error, rfsn
from tests.paths import ROOT


def test_log_level_info_from_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RFSN_LOG_LEVEL", "info")
    assert console_level(False, load_settings()) == "info"
    monkeypatch.delenv("RFSN_LOG_LEVEL")
    assert console_level(False, load_settings()) == "warning"
    assert console_level(True, load_settings()) == "info"


def test_an_unknown_log_level_is_a_one_line_error() -> None:
    proc = rfsn("buildpacks", "list", env={"RFSN_LOG_LEVEL": "loud"})
    assert_one_line_error(proc, "log_level")


def test_bootstrap_python_without_the_python_buildpack_is_an_error() -> None:
    proc = rfsn("sandbox", "bootstrap", "--buildpack", "node", "--python", "3.9")
    assert_one_line_error(proc, "--python", "--buildpack python")


def _readme_settings() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return {name for row in rows for name in re.findall(r"`([A-Z][A-Z_]+)`", row.split("|")[1])}


def _variables(name: str) -> set[str]:
    """The environment variables that set the field ``name``."""
    alias = Settings.model_fields[name].validation_alias
    if alias is not None:
        return {str(choice) for choice in alias.choices if str(choice).isupper()}  # type: ignore[union-attr]
    return {f"RFSN_{name.upper()}"}


def test_the_readme_configuration_table_lists_every_setting() -> None:
    documented = _readme_settings() - {"RFSN_CONFIG"}  # RFSN_CONFIG names the file itself
    expected = {v for name in Settings.model_fields for v in _variables(name)}
    assert documented == expected, (
        f"missing from the README: {sorted(expected - documented)}; not settings: {sorted(documented - expected)}"
    )


def test_the_readme_names_no_option_a_command_does_not_have() -> None:
    from rfsn.cli import main

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():
        known = {opt for param in _params(command) for opt in param.opts}
        for block in re.findall(rf"^\s+rfsn {name} (.+(?:\n\s{{10,}}.+)*)", readme, re.M):
            for option in re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", block):
                assert option in known, f"README: rfsn {name} has no option {option}"


def _params(command: object) -> list:
    import click

    if isinstance(command, click.Group):
        return [p for sub in command.commands.values() for p in _params(sub)]
    return list(getattr(command, "params", []))


def test_the_readme_points_at_nothing_outside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../" not in readme  # no path above the repository, linked or quoted
    for target in re.findall(r"\]\(([^)#:]+)\)", readme):
        assert (ROOT / target).exists(), f"README links to a missing file: {target}"


def test_setup_script_never_uses_a_system_wide_pip() -> None:
    script = (Path(ROOT) / "scripts" / "setup").read_text()
    code = [re.sub(r"(^|\s)#.*", "", line) for line in script.splitlines()]
    pips = [line for line in code if "pip install" in line]
    assert pips and all(line.strip().startswith(".venv/bin/python -m pip") for line in pips)


def test_swebench_environments_resolve_as_of_2024_unless_told_today(monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime

    from rfsn.settings import load_settings

    monkeypatch.delenv("RFSN_SWEBENCH_INDEX_DATE", raising=False)
    assert load_settings().swebench_index_date == datetime.date(2024, 1, 1)
    for today in ("today", ""):
        monkeypatch.setenv("RFSN_SWEBENCH_INDEX_DATE", today)
        assert load_settings().swebench_index_date is None
    monkeypatch.setenv("RFSN_SWEBENCH_INDEX_DATE", "2023-05-01")
    assert load_settings().swebench_index_date == datetime.date(2023, 5, 1)
