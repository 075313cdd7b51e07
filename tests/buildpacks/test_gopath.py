"""A GOPATH-era Go package (no go.mod) runs from its import path: gofrs/flock at its 2021 commit
ended with its one package in error, "cannot find package github.com/gofrs/flock" (its external
tests import it by that path, which only a GOPATH gives)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from rfsn.buildpacks.go.buildpack import GoBuildpack
from rfsn.buildpacks.go.gopath import import_path

CALC = "package calc\n\nfunc Add(a, b int) int { return a + b }\n"
CALC_TEST = """package calc_test

import (
\t"testing"

\t"example.org/someone/calc"
)

func TestAdd(t *testing.T) {
\tif calc.Add(1, 2) != 3 {
\t\tt.Fatal("1 + 2")
\t}
}
"""


def _package(tmp_path: Path) -> Path:
    (tmp_path / "calc.go").write_text(CALC)
    (tmp_path / "calc_test.go").write_text(CALC_TEST)
    return tmp_path


def test_the_import_path_is_the_canonical_comment_else_what_the_external_tests_import(tmp_path: Path) -> None:
    repo = _package(tmp_path)
    assert import_path(repo) == "example.org/someone/calc"
    (repo / "calc.go").write_text(CALC.replace("package calc\n", 'package calc // import "example.org/x/calc"\n'))
    assert import_path(repo) == "example.org/x/calc"
    (repo / "go.mod").write_text("module example.org/m\n")
    recipe = GoBuildpack().env_recipe(repo)
    assert ("GO111MODULE", "off") not in recipe.env  # a module is run as one


def test_the_recipe_puts_the_gopath_go_first(tmp_path: Path) -> None:
    recipe = GoBuildpack().env_recipe(_package(tmp_path))
    assert ("GO111MODULE", "off") in recipe.env and dict(recipe.env)["PATH"].startswith("$RFSN_ENV/files/bin:")
    assert "no go.mod: GOPATH mode, the package at example.org/someone/calc" in recipe.notes[0]


@pytest.mark.skipif(shutil.which("go") is None, reason="needs go on PATH (the local sandbox runs the host's)")
def test_its_external_tests_find_it_by_its_import_path(tmp_path: Path) -> None:
    (tmp_path / "calc").mkdir()
    repo = _package(tmp_path / "calc")
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    proc = subprocess.run(
        [sys.executable, "-m", "rfsn", "test", str(repo), "--sandbox", "local", "--json"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert json.loads(proc.stdout)["tests"] == {"example.org/someone/calc/TestAdd": "passed"}, proc.stderr
