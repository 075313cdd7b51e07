"""A test script that runs jest through a wrapper (the ``script`` runner) counts the tests jest's
verbose text report names, not only its exit code.

pillarjs/path-to-regexp 762bc6b (2022, jsbugs design row): ``"test": "ts-scripts test && npm run
size"`` runs eslint, prettier and jest; rfsn read no per-test report of it, and the run counted as
one ``<suite>``, which the grading never trusts. The fixture is that run's output at the buggy
commit with the test patch (Node 12.22.12; the ``rules`` block cut short).
"""

from __future__ import annotations

from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.jesttext import parse_jest_text
from rfsn.buildpacks.node.scriptreports import parse_script_output
from rfsn.models import TestStatus as Status
from tests.buildpacks.conftest import FIXTURES

OUTPUT = (FIXTURES / "node" / "jest-ts-scripts-762bc6b.txt").read_text()
FILE = "src/index.spec.ts > path-to-regexp"


def test_jests_verbose_report_names_each_test_path_to_regexp_762bc6b() -> None:
    statuses = parse_script_output(OUTPUT)
    failed = sorted(t for t, s in statuses.items() if s != Status.PASSED)
    assert failed == [
        f"{FILE} > rules > ':name*' > match > should match 'foobar'",
        f"{FILE} > rules > ':name+' > match > should match 'foobar'",
    ]
    assert statuses[f"{FILE} > arguments > should throw on non-capturing pattern"] == Status.PASSED  # "(56 ms)" cut
    assert statuses[f"{FILE} > rules > ':name*' > compile > should compile using {{ name: 'foobar' }}"] == Status.PASSED
    assert statuses[f"{FILE} > tokens > should expose method to compile tokens to regexp"] == Status.PASSED
    # eslint's lines before jest's report and the failures' blocks after it name no test
    assert all(t.startswith(FILE) for t in statuses)
    buildpack = NodeBuildpack(runner="script")
    assert buildpack.parse(OUTPUT, {}) == statuses


def test_skipped_and_todo_tests_and_a_report_that_is_not_verbose() -> None:
    verbose = (
        "PASS test/a.test.js\n"
        "  outer\n"
        "    ✓ one (3 ms)\n"
        "    inner\n"
        "      ○ skipped two\n"
        "      ✎ todo three\n"
        "  ✕ top level\n"
        "\n"
        "  ● top level\n"
        "    ✓ not a test: inside a failure's block\n"
    )
    assert parse_jest_text(verbose) == {
        "test/a.test.js > outer > one": Status.PASSED,
        "test/a.test.js > outer > inner > two": Status.SKIPPED,
        "test/a.test.js > outer > inner > three": Status.SKIPPED,
        "test/a.test.js > top level": Status.FAILED,
    }
    quiet = "PASS test/a.test.js\nFAIL test/b.test.js\n  ● b \u203a fails\n\nTests:       1 failed, 3 passed, 4 total\n"
    assert parse_jest_text(quiet) == {}
