"""One answer to "is this test code?" for the gate, localization and batch patching."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.buildpacks.testfiles import is_test_code, is_test_file
from rfsn.gate import Gate
from rfsn.models import Edit, Phase
from rfsn.planners.code.sources import read_sources
from tests.gate.conftest import ctx

TESTS = [
    "tests/test_a.py",
    "test/bus.test.js",
    "pkg/a_test.go",
    "conftest.py",
    "django/tests/admin/tests.py",
    "pkg/util_tests.py",
    "e2e/flow.py",
    "Specs/x.py",
    "src\\tests\\win.py",
    "lib/FooTest.java",
    "spec/models/user_spec.rb",
    "test.js",
    "tests.mjs",
    "test.ts",
]  # ava's and mocha's single root test file (sindresorhus/*)
SOURCES = [
    "src/buffer.rs",
    "lib/contest.py",
    "testing.md",
    "pkg/latest.py",
    "src/attestation.py",
    "latest.js",
    "lib/contest.ts",
]


@pytest.mark.parametrize("path", TESTS)
def test_test_files(path: str) -> None:
    assert is_test_file(path)


@pytest.mark.parametrize("path", SOURCES)
def test_source_files(path: str) -> None:
    assert not is_test_file(path)


def test_a_rust_files_cfg_test_region_is_test_code() -> None:
    text = "fn f() {}\n#[cfg(test)]\nmod tests {\n    fn t() {}\n}\n"
    assert not is_test_code("src/lib.rs", 1, {"src/lib.rs": text})
    assert is_test_code("src/lib.rs", 4, {"src/lib.rs": text})


def test_the_planner_reads_as_source_only_files_the_gate_lets_it_edit(tmp_path: Path) -> None:
    """Localization never ranks a file whose edit the gate would reject as test tampering."""
    for path in [p for p in TESTS + SOURCES if p.endswith(".py") and "\\" not in p]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / path).write_text("X = 1\n")
    sources = read_sources(tmp_path, "python")
    gate = Gate()
    for path in sources:
        patch = f"--- a/{path}\n+++ b/{path}\n@@ -1 +1 @@\n-X = 1\n+X = 2\n"
        decision = gate.check(Edit(patch=patch), ctx(tmp_path, Phase.PATCH))
        assert decision.accepted, (path, decision.reason)
    assert set(sources) == {p for p in SOURCES if p.endswith(".py")}
