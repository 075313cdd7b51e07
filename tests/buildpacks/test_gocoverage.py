"""Per-test Go coverage from go's cover profiles: the parser, and live runs (host go, Docker)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rfsn.buildpacks.go.buildpack import GoBuildpack
from rfsn.buildpacks.go.gocoverage import parse_go_coverage, parse_profile, profile_name
from rfsn.planners.localize import rank
from rfsn.runner import Measure, run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from tests.buildpacks.conftest import go_module

MODULE = "example.com/words"
# the seeded off-by-one of the issue: `s[1:]` became `s[2:]`; the failing test's message
# names no frame of the faulty function
WORDS = """package words

import "strings"

// Tail drops the first character.
func Tail(s string) string {
	if s == "" {
		return s
	}
	return s[2:]
}

// Upper shouts.
func Upper(s string) string {
	return strings.ToUpper(s)
}

// Lower whispers.
func Lower(s string) string {
	return strings.ToLower(s)
}
"""
WORDS_TEST = """package words

import "testing"

func TestTail(t *testing.T) {
	if got := Tail("abc"); got != "bc" {
		t.Errorf("got %q", got)
	}
}

func TestTailEmpty(t *testing.T) {
	if Tail("") != "" {
		t.Error("not empty")
	}
}

func TestUpper(t *testing.T) {
	if Upper("a") != "A" {
		t.Error("upper")
	}
}

func TestLower(t *testing.T) {
	t.Run("one", func(t *testing.T) {
		if Lower("A") != "a" {
			t.Error("lower")
		}
	})
}
"""
FAULT = 10  # return s[2:]


def _module(root: Path) -> Path:
    return go_module(root, MODULE, {"words/words.go": WORDS, "words/words_test.go": WORDS_TEST})


def test_a_profile_gives_the_lines_of_the_blocks_that_ran() -> None:
    profile = (
        f"mode: set\n{MODULE}/words/words.go:6.28,7.14 1 1\n"
        f"{MODULE}/words/words.go:7.14,9.3 1 0\n{MODULE}/words/words.go:10.2,10.14 1 1\n"
        "other.org/x/y.go:1.1,2.2 1 1\nnot a block\n"
    )
    assert parse_profile(profile, MODULE) == {"words/words.go": {6, 7, 10}, "other.org/x/y.go": {1, 2}}


def test_a_test_without_its_own_profile_shares_its_packages() -> None:
    pkg = f"{MODULE}/words"
    reports = {
        "go-module.txt": MODULE + "\n",
        profile_name(pkg, "TestA"): f"mode: set\n{MODULE}/words/w.go:3.1,4.2 1 1\n",
        profile_name(pkg): f"mode: set\n{MODULE}/words/w.go:3.1,9.2 1 1\n",
    }
    got = parse_go_coverage(reports, [f"{pkg}/TestA", f"{pkg}/TestA/sub", f"{pkg}/TestB", "m/q/TestC"])
    assert got == {
        f"{pkg}/TestA": {"words/w.go": {3, 4}},
        f"{pkg}/TestA/sub": {"words/w.go": {3, 4}},
        f"{pkg}/TestB": {"words/w.go": set(range(3, 10))},
    }
    del reports["go-module.txt"]  # outside a module the paths would not be the repo's
    assert parse_go_coverage(reports, [f"{pkg}/TestA"]) == {}


def _localize(root: Path, kind: str) -> list:
    pack = GoBuildpack()
    with open_sandbox(root, pack, load_settings(), kind) as box:
        report = run_tests(box, pack, timeout=300, measure=Measure(coverage=True))
    pkg = f"{MODULE}/words"
    assert report.tests[f"{pkg}/TestTail"].value == "failed"
    assert report.coverage[f"{pkg}/TestTail"]["words/words.go"] == [6, 7, 10]
    assert report.coverage[f"{pkg}/TestLower/one"]["words/words.go"] == [19, 20, 21]  # a subtest: its test's run
    failing = [t for t, s in report.tests.items() if s.value == "failed"]
    passing = [t for t, s in report.tests.items() if s.value == "passed"]
    return rank({t: {f: set(ls) for f, ls in fs.items()} for t, fs in report.coverage.items()}, failing, passing)


@pytest.mark.skipif(shutil.which("go") is None, reason="no go on this host")
def test_the_driver_live_with_the_hosts_go(tmp_path: Path) -> None:
    ranked = _localize(_module(tmp_path / "m"), "local")
    assert (ranked[0].file, ranked[0].line) == ("words/words.go", FAULT)


@pytest.mark.docker
def test_the_driver_live_in_the_go_image(tmp_path: Path) -> None:
    ranked = _localize(_module(tmp_path / "m"), "docker")
    assert (ranked[0].file, ranked[0].line) == ("words/words.go", FAULT)
