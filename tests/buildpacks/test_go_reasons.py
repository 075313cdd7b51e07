"""A failed Go test's reason is the ``file_test.go:NN: message`` line it printed, so the
baseline's failures group by cause and a network-shaped group is tried last."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rfsn.buildpacks.go.buildpack import GoBuildpack
from rfsn.buildpacks.go.goreasons import go_reasons
from rfsn.planners.code.sources import read_sources
from rfsn.planners.reproduce.evidence import ordered
from rfsn.planners.reproduce.targets import causes, group
from rfsn.runner import run_tests
from rfsn.sandbox import open_sandbox
from rfsn.settings import load_settings
from tests.buildpacks.conftest import go_module

MODULE = "example.com/quote"
QUOTE = """package quote

// Literal quotes s for SQL, doubling its single quotes (seeded: it doubles double quotes).
func Literal(s string) string {
	out := "'"
	for _, r := range s {
		if r == '"' {
			out += "'"
		}
		out += string(r)
	}
	return out + "'"
}
"""
# a server the tests need and do not have: a loopback port that was just closed
QUOTE_TEST = """package quote

import (
	"net"
	"testing"
)

func connect(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skip(err)
	}
	addr := l.Addr().String()
	l.Close()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

func TestServerA(t *testing.T) { connect(t) }
func TestServerB(t *testing.T) { connect(t) }
func TestServerC(t *testing.T) { connect(t) }

func TestServerD(t *testing.T) {
	if _, err := net.Dial("tcp", "127.0.0.1:1"); err != nil {
		t.Fatalf("expected Error, got %#v", err)
	}
}

func TestConfig(t *testing.T) {
	t.Errorf("got %d rows, want 1", 0)
}

func TestLiteral(t *testing.T) {
	t.Log("quoting")
	if got := Literal("it's"); got != "'it''s'" {
		t.Errorf("Literal(%q) = %s, want %s", "it's", got, "'it''s'")
	}
}

func TestCases(t *testing.T) {
	t.Run("plain", func(t *testing.T) {
		if got := Literal("x"); got != "'x'" {
			t.Errorf("Literal(x) = %s", got)
		}
	})
	t.Run("doubled", func(t *testing.T) {
		if got := Literal("''"); got != "''''''" {
			t.Errorf("Literal('') = %s, want %s", got, "''''''")
		}
	})
}
"""


def _module(root: Path) -> Path:
    return go_module(root, MODULE, {"quote/quote.go": QUOTE, "quote/quote_test.go": QUOTE_TEST})


def _baseline(root: Path, kind: str) -> None:
    pack = GoBuildpack()
    with open_sandbox(root, pack, load_settings(), kind) as box:
        report = run_tests(box, pack, timeout=300)
    pkg = f"{MODULE}/quote"
    assert report.failing == sorted(
        f"{pkg}/{t}"
        for t in (
            "TestCases",
            "TestCases/doubled",
            "TestConfig",
            "TestLiteral",
            "TestServerA",
            "TestServerB",
            "TestServerC",
            "TestServerD",
        )
    )
    message, where = report.reasons[f"{pkg}/TestServerB"]
    assert "connection refused" in message and where == "quote_test.go"
    assert report.reasons[f"{pkg}/TestLiteral"][0] == "Literal(\"it's\") = 'it's', want 'it''s'"
    assert report.reasons[f"{pkg}/TestCases"] == report.reasons[f"{pkg}/TestCases/doubled"]
    assert f"{pkg}/TestCases/plain" not in report.reasons
    groups = ordered(
        group(report.failing, causes(report.log, report.crashes, report.reasons), [MODULE]),
        report.log,
        read_sources(root, "go"),
        str(root),
    )
    assert [sorted(g.tests) for g in groups] == [
        [f"{pkg}/TestLiteral"],
        [f"{pkg}/TestCases", f"{pkg}/TestCases/doubled"],
        [f"{pkg}/TestConfig"],
        [f"{pkg}/TestServerD"],
        [f"{pkg}/TestServerA", f"{pkg}/TestServerB", f"{pkg}/TestServerC"],
    ]
    assert groups[0].evidence == ["it asserts on the project's values (Literal)"]
    assert [g.shape for g in groups] == ["", "", "", "the network", "the network"]


@pytest.mark.skipif(shutil.which("go") is None, reason="no go on this host")
def test_pq_a_test_that_needs_a_server_and_the_seeds_assertion_group_apart_with_the_hosts_go(tmp_path: Path) -> None:
    """pq v1.10.9: 74 tests failing for want of a PostgreSQL server and the seed's one assertion
    were one group of no reason; each test's own ``t.Fatal``/``t.Errorf`` line parts them, a
    dial's ``%#v`` (``&net.OpError{Op:"dial"``) is network-shaped, and the assertion on the
    project's function goes before a smaller group's that names none."""
    _baseline(_module(tmp_path / "m"), "local")


@pytest.mark.docker
def test_go_reasons_in_the_go_image(tmp_path: Path) -> None:
    _baseline(_module(tmp_path / "m"), "docker")


def _event(test: str, action: str, output: str = "") -> str:
    return json.dumps({"Action": action, "Package": "m/p", "Test": test, **({"Output": output} if output else {})})


def test_testifys_empty_header_line_takes_its_error_line() -> None:
    lines = [
        _event("TestT", "output", "    t_test.go:9: \n"),
        _event("TestT", "output", "        \tError Trace:\tt_test.go:9\n"),
        _event("TestT", "output", "        \tError:      \tNot equal: \n"),
        _event("TestT", "fail"),
        _event("TestPass", "output", "    t_test.go:3: a log\n"),
        _event("TestPass", "pass"),
    ]
    assert go_reasons("\n".join(lines)) == {"m/p/TestT": ("Not equal:", "t_test.go")}
