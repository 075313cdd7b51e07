"""A project's tox configuration, wherever tox reads it: ``tox.ini``, else the ini text of
``pyproject.toml``'s ``[tool.tox] legacy_tox_ini``, else ``setup.cfg``'s ``[tox:tox]``; and its
env list, also from native TOML (``[tool.tox] env_list`` in pyproject.toml, ``tox.toml``)."""

from __future__ import annotations

import configparser
from pathlib import Path

from rfsn.fsutil import read_toml


def _parsed(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return configparser.ConfigParser(interpolation=None)
    return parser


def tox_ini(repo: Path) -> tuple[configparser.ConfigParser, str]:
    """(the ini configuration tox reads, where it is): ``tox.ini``, else the pyproject's
    ``legacy_tox_ini``; an empty one and "tox.ini" when the project has neither."""
    path = repo / "tox.ini"
    if path.is_file():
        try:
            return _parsed(path.read_text(encoding="utf-8", errors="replace")), "tox.ini"
        except OSError:
            pass
    legacy = read_toml(repo / "pyproject.toml").get("tool", {}).get("tox", {}).get("legacy_tox_ini")
    if isinstance(legacy, str):
        return _parsed(legacy), "pyproject.toml legacy_tox_ini"
    return _parsed(""), "tox.ini"


def env_list(repo: Path) -> str:
    """The envs tox runs by default, as written (``py{38,39}, lint``; a TOML list joined by
    commas): from the ini configuration (``[tox] envlist``, setup.cfg's ``[tox:tox]``), else
    native TOML (pyproject.toml's ``[tool.tox]``, ``tox.toml``)."""
    tox, _ = tox_ini(repo)
    setup_cfg = _parsed(_text(repo / "setup.cfg"))
    for parser, section in ((tox, "tox"), (setup_cfg, "tox:tox")):
        for key in ("envlist", "env_list"):
            if parser.has_option(section, key):
                return parser.get(section, key)
    for table in (read_toml(repo / "pyproject.toml").get("tool", {}).get("tox", {}), read_toml(repo / "tox.toml")):
        for key in ("env_list", "envlist"):
            value = table.get(key) if isinstance(table, dict) else None
            if isinstance(value, list):
                return ", ".join(str(item) for item in value if isinstance(item, str))
    return ""


def _text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def native_run_base(repo: Path) -> tuple[list[str], set[str], str]:
    """(deps, extras, where) of tox's native TOML configuration for every env
    (``[tool.tox.env_run_base]`` of pyproject.toml, ``[env_run_base]`` of tox.toml); nothing where
    the project has an ini configuration, which tox reads instead."""
    if tox_ini(repo)[0].sections():
        return [], set(), ""
    tables = (
        (read_toml(repo / "pyproject.toml").get("tool", {}).get("tox", {}), "pyproject.toml [tool.tox]"),
        (read_toml(repo / "tox.toml"), "tox.toml"),
    )
    for table, where in tables:
        base = table.get("env_run_base") if isinstance(table, dict) else None
        if isinstance(base, dict) and base:
            return _strings(base.get("deps")), set(_strings(base.get("extras"))), f"{where} env_run_base"
    return [], set(), ""


def _strings(value: object) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []
