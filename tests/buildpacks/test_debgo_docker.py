"""Go modules from Debian's packaged sources, for real: a module requiring github.com/google/go-cmp,
which Debian ships as golang-github-google-go-cmp-dev, gets an env with the module proxy
unreachable (the sandbox's build has no route to it here; 31 of 35 Go rows of the environment sweep
stopped there), and go test runs green from the vendor tree the build wrote, which git status does
not show. A few minutes (apt and Debian's contents index)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rfsn import models
from rfsn.buildpacks.go.buildpack import GoBuildpack
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from rfsn.workspace import prepare
from tests.buildpacks.conftest import go_module

pytestmark = [pytest.mark.docker, pytest.mark.slow]

GO_MOD = """module example.com/diff

go 1.27

require github.com/google/go-cmp v0.6.0
"""
# go.sum's hash of the proxy's v0.6.0, which Debian's sources do not match: vendor mode reads no go.sum
GO_SUM = "github.com/google/go-cmp v0.6.0 h1:ofyhxvXcZhMsU5ulbFiLKl/XBFqE1GSq7atu8tAmTRI=\n"
TEST = """package diff

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestSame(t *testing.T) {
	if d := cmp.Diff([]int{1, 2}, []int{1, 2}); d != "" {
		t.Fatal(d)
	}
}

func TestDiffers(t *testing.T) {
	if cmp.Diff(map[string]int{"a": 1}, map[string]int{"a": 2}) == "" {
		t.Fatal("no diff")
	}
}
"""


def test_go_cmp_from_debians_sources_runs_green_with_no_module_proxy(tmp_path: Path, docker_client: object) -> None:
    source = go_module(tmp_path / "src", "example.com/diff", {"diff_test.go": TEST})
    (source / "go.mod").write_text(GO_MOD)
    (source / "go.sum").write_text(GO_SUM)
    subprocess.run(["git", "add", "-A"], cwd=source, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@e", "commit", "-qm", "a"], cwd=source, check=True)
    workspace = prepare(str(source), tmp_path / "work")
    with open_sandbox(workspace.path, GoBuildpack(), load_settings(), "docker") as box:
        notes = "\n".join(box.environment)
        report = run_tests(box, GoBuildpack(), timeout=600)
    assert "Debian's packaged Go sources" in notes and "not go.mod's" in notes, notes
    assert report.tests == {
        "example.com/diff/TestSame": models.TestStatus.PASSED,
        "example.com/diff/TestDiffers": models.TestStatus.PASSED,
    }, report.log[-3000:]
    status = subprocess.run(["git", "status", "--porcelain"], cwd=workspace.path, capture_output=True, text=True)
    assert (workspace.path / "vendor").is_symlink() and status.stdout == ""
