"""A failed jest test's reason is the first line of its failure message and the file of its
innermost frame outside ``node_modules``, so the baseline's failures group by cause."""

from __future__ import annotations

from rfsn.buildpacks.node.buildpack import CWD_FILE, JEST_REPORT, NodeBuildpack
from rfsn.planners.reproduce.evidence import ordered
from rfsn.planners.reproduce.targets import causes, group
from tests.buildpacks.conftest import FIXTURES

NODE = FIXTURES / "node"
#: jest 29.7 on node 20, TZ=UTC: a seeded isLeapYear (test/leap.test.js) and tests that expect
#: TZ=America/New_York (test/zone.test.js)
TWO_CAUSES = NODE / "jest-two-causes.json"
ROOT = "/tmp/notclean2-jest"


def _reasons(path, root: str) -> dict[str, tuple[str, str]]:
    return NodeBuildpack("jest").reasons("", {JEST_REPORT: path.read_text(), CWD_FILE: root + "\n"})


def test_luxon_the_seeds_failures_and_the_time_zones_group_apart() -> None:
    """luxon b6b9d03: 54 jest failures (a time zone its tests expect, and the seed) were one
    group of no reason; each test's own failure message and frame part them."""
    reasons = _reasons(TWO_CAUSES, ROOT)
    leap = "test/leap.test.js > isLeapYear > a century is not"
    assert reasons[leap] == ("Error: expect(received).toBe(expected) // Object.is equality", "test/leap.test.js")
    assert "test/leap.test.js > isLeapYear > every 400 years it is" not in reasons  # it passed
    failing = sorted(reasons)
    groups = ordered(group(failing, causes("", (), reasons), []), "", {}, ROOT)
    assert sorted(sorted(g.tests) for g in groups) == [
        [
            "test/leap.test.js > daysInYear counts the leap day",
            "test/leap.test.js > isLeapYear > a century is not",
            "test/leap.test.js > isLeapYear > a year divisible by 4 is a leap year",
        ],
        ["test/zone.test.js > local midnight is 05:00 UTC"],
        ["test/zone.test.js > summer is four hours behind", "test/zone.test.js > winter is five hours behind"],
    ]


def test_a_suite_that_did_not_load_has_its_messages_first_line_past_its_title() -> None:
    reasons = _reasons(NODE / "sample-jest.json", "/tmp/jsr")
    assert reasons["test/broken.test.js"] == (
        "Cannot find module './does-not-exist' from 'test/broken.test.js'",
        "test/broken.test.js",
    )
    assert reasons["test/sum.test.js > sum > of integers > is wrong on purpose"][1] == "test/sum.test.js"
