"""Settings say when they are not what the user meant: a boolean in rfsn.toml is a TOML boolean
(``"yes"`` was read as true in ``[gate]``), and an ``RFSN_*`` variable rfsn does not read is
named once, with the nearest one it does (they were ignored without a word)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.settings import Settings
from rfsn.settings.variables import known_variables
from tests.paths import ROOT


def _rfsn(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("RFSN_")}
    return subprocess.run(
        [sys.executable, "-m", "rfsn", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**clean, **env},
        cwd=ROOT,
    )


@pytest.mark.parametrize(
    ("toml", "named"),
    [
        ('[gate]\nallow_test_edits = "yes"\n', "allow_test_edits: a TOML boolean (true or false), not 'yes'"),
        ("[gate]\ngit_apply_check = 1\n", "git_apply_check: a TOML boolean (true or false), not 1"),
        ('[gate]\nmax_args = "5"\n', "max_args: a TOML integer, not '5'"),
        ('compile_cache = "no"\n', "compile_cache in "),
        ("[llm]\ncache = 0\n", "llm.cache in "),
    ],
)
def test_a_boolean_or_integer_in_rfsn_toml_must_be_one(tmp_path: Path, toml: str, named: str) -> None:
    config = tmp_path / "rfsn.toml"
    config.write_text(toml)
    proc = _rfsn("buildpacks", "list", env={"RFSN_CONFIG": str(config)})
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and named in proc.stderr, proc.stderr
    if "[gate]" in toml:
        policy = _rfsn("gate", "check", "--policy", str(config), env={})
        assert policy.returncode == 2 and named in policy.stderr, policy.stderr


def test_toml_booleans_and_environment_strings_are_read(tmp_path: Path) -> None:
    config = tmp_path / "rfsn.toml"
    config.write_text("compile_cache = false\n[gate]\nallow_test_edits = true\nmax_args = 5\n")
    assert _rfsn("buildpacks", "list", env={"RFSN_CONFIG": str(config), "RFSN_SETUP_SNAPSHOTS": "yes"}).returncode == 0


def test_an_unknown_rfsn_variable_is_named_once_with_the_nearest_known_one() -> None:
    proc = _rfsn("buildpacks", "list", env={"RFSN_SANBOX": "local", "RFSN_QQQQQQQ": "1"})
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.splitlines() == [
        "rfsn: warning: RFSN_QQQQQQQ is not a variable rfsn reads; it changes nothing",
        "rfsn: warning: RFSN_SANBOX is not a variable rfsn reads; it changes nothing (did you mean RFSN_SANDBOX?)",
    ]


def test_every_rfsn_variable_the_code_names_is_known() -> None:
    """A variable rfsn reads or hands on but does not know would draw a false warning."""
    named = set()
    for path in (ROOT / "rfsn").rglob("*"):
        if path.is_file() and path.suffix in (".py", ".cjs", ".js", ".mjs", ".sh", ".toml", ".txt"):
            named |= set(re.findall(r"\bRFSN_[A-Z0-9_]*[A-Z0-9]\b", path.read_text(encoding="utf-8")))
    known = known_variables(Settings)
    assert sorted(n for n in named if n not in known and n != "RFSN_COMMITTER") == []
