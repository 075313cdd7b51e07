"""A plausible patch that fits the failing test's values rather than fixes the fault goes after one
that shows no such sign: it leaves a name its function computed unread, it retunes a quantity,
or no passing test that runs its line evaluates what it writes (only the failing tests vouch for
it). Seeded triangular, ratewindow and access: the wrong patch was found first and chosen."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.models import Probed, SessionStatus
from rfsn.planners.verify.choice import Evidence, concerns, rank_plausible
from rfsn.planners.verify.fitted import adjusted, retuned, unread
from rfsn.planners.verify.sites import sites
from rfsn.planners.verify.types import unevaluated
from rfsn.settings import Settings, load_settings
from rfsn.workspace import prepare
from tests.planners.test_types import candidate, change
from tests.sandbox.projects import make_project

TRIANGLE = "def triangle(n):\n    total = 0\n    for k in range(1, n):\n        total += k\n    return total\n"
WINDOW = """class Window:
    def __init__(self, limit):
        self.limit = limit
        self.count = 0

    def allow(self):
        if self.count > self.limit:
            return False
        self.count += 1
        return True
"""
ACCESS = "def can_edit(user, doc):\n    return user['active'] or (user['admin'] or doc['owner'] == user['name'])\n"


def test_a_patch_that_leaves_a_computed_name_unread_is_a_concern_seeded_triangular() -> None:
    """A name its function binds and reads that the patch no longer reads: the loop's ``k``."""
    (said,) = unread(change(TRIANGLE, "total += k", "total += n", "m.py"))
    assert said.startswith("triangle() binds `k` and no longer reads it")
    assert unread(change(TRIANGLE, "range(1, n)", "range(1, n + 1)", "m.py")) == []
    assert unread(change(TRIANGLE, "total += k", "total += k * k", "m.py")) == []
    assert unread(change("x = (", "(", "[", "m.py")) == []  # a file that does not parse says nothing


def test_a_quantity_traded_for_another_number_is_a_concern_a_bound_moved_is_not_seeded_ratewindow() -> None:
    """A number computed with, stored or returned, traded for another: a count's step, a start."""
    (step,) = retuned(change(WINDOW, "self.count += 1", "self.count += 2", "m.py"))
    assert step.startswith("changes the quantity 1 to 2 at m.py:9")
    assert retuned(change(WINDOW, "self.count = 0", "self.count = 1", "m.py")) != []
    assert retuned(change("def f(n):\n    return n * 60\n", "60", "3600", "m.py")) != []
    # a comparison's bound, a slice's, an index, an argument: which inputs, not how much
    assert retuned(change("def f(n):\n    return n <= 0\n", "0", "1", "m.py")) == []
    assert retuned(change("def f(s):\n    return s.split()[1:]\n", "1:", "0:", "m.py")) == []
    assert retuned(change("def f(s):\n    return s[1]\n", "1", "0", "m.py")) == []
    assert retuned(change(TRIANGLE, "range(1, n)", "range(0, n)", "m.py")) == []
    assert retuned(change(WINDOW, "self.count > self.limit", "self.count >= self.limit", "m.py")) == []


def test_a_quantity_adjusted_by_a_number_is_a_doubt_seeded_stats_clock() -> None:
    """A variance plus one, a term squared; not a bound adjusted, nor a value adjusted by a value."""
    variance = "def variance(xs):\n    return sum(x - 1 for x in xs) / len(xs)\n"
    (plus,) = adjusted(
        change(variance, "sum(x - 1 for x in xs) / len(xs)", "(sum(x - 1 for x in xs) / len(xs)) + 1", "m.py")
    )
    assert plus.startswith(
        "adjusts `sum(x - 1 for x in xs) / len(xs)` by a number: `(sum(x - 1 for x in xs) / len(xs)) + 1` at m.py:2"
    )
    seconds = "def f(h, m, s):\n    return h * 60 + m * 60 + s\n"
    (squared,) = adjusted(change(seconds, "h * 60 +", "(h * 60) ** 2 +", "m.py"))
    assert squared.startswith("adjusts `h * 60` by a number: `(h * 60) ** 2` at m.py:2")
    assert adjusted(change("def f(s, i):\n    return s[i]\n", "[i]", "[i + 1]", "m.py")) == []
    assert adjusted(change(TRIANGLE, "range(1, n)", "range(1, n + 1)", "m.py")) == []
    assert adjusted(change(seconds, "h * 60 +", "h * m +", "m.py")) == []  # not a number
    assert adjusted(change(seconds, "h * 60 +", "(h * 60) * m +", "m.py")) == []
    assert adjusted(change("def f(n):\n    return n * 60\n", "60", "3600", "m.py")) == []  # a concern, not a doubt


def test_the_fix_found_after_a_retuned_quantity_and_a_name_left_unread_is_chosen() -> None:
    count, start = candidate(WINDOW, "count += 1", "count += 2", 9), candidate(WINDOW, "count = 0", "count = 1", 4)
    bound = candidate(WINDOW, "count > self", "count >= self", 7)
    ranked = rank_plausible([count, bound, start], Evidence())
    assert ranked[0].candidate == bound and ranked[0].concerns == []
    assert ranked[1].concerns and ranked[1].doubts == []  # a concern: it ranks, it is not a doubt
    loop, right = candidate(TRIANGLE, "total += k", "total += n", 4), candidate(TRIANGLE, "1, n)", "1, n + 1)", 3)
    ranked = rank_plausible([loop, right], Evidence())
    assert [r.candidate for r in ranked] == [right, loop] and ranked[0].concerns == []
    assert ranked[1].doubts == []  # a name left unread ranks; it does not keep a patch from fixed


def test_a_quantity_adjusted_by_a_number_goes_after_a_patch_with_more_concerns_and_is_doubted() -> None:
    variance = (
        "def variance(xs):\n    total = 0\n    for x in xs:\n        total += x * x\n    return total / len(xs)\n"
    )
    plus = candidate(variance, "total / len(xs)", "total / len(xs) + 1", 5)
    unread_x = candidate(variance, "x * x", "total * total", 4)
    ranked = rank_plausible([plus, unread_x], Evidence())
    assert [r.candidate for r in ranked] == [unread_x, plus]
    assert ranked[1].doubts and ranked[1].doubts[0].startswith("adjusts `total / len(xs)` by a number")


def test_an_expression_no_passing_test_evaluates_is_a_concern_seeded_access() -> None:
    """``a or (b or x == y)`` -> ``x != y``: the passing test that runs the line stops at ``a``."""
    edit = change(ACCESS, "==", "!=", "m.py")
    probes = sites(edit)
    assert probes is not None and probes[1].value is not None
    failing_only = Probed(values={"t::failing": [("builtins.bool", False)]})
    (said,) = unevaluated(edit, probes[1], failing_only, ["t::passing"])
    assert said.startswith("`doc['owner'] != user['name']` at m.py:2 is evaluated by none of the 1 passing test(s)")
    both = Probed(values={"t::failing": [("builtins.bool", False)], "t::passing": [("builtins.bool", False)]})
    assert unevaluated(edit, probes[1], both, ["t::passing"]) == []
    assert unevaluated(edit, probes[1], failing_only, []) == []  # no passing test ran it: the probe saw nothing


def test_the_patch_the_passing_tests_evaluate_is_chosen_over_one_they_pass_by() -> None:
    skipped = candidate(ACCESS, "==", "!=", 2)
    right = candidate(ACCESS, "user['active'] or (", "user['active'] and (", 2)
    assert [r.candidate for r in rank_plausible([skipped, right], Evidence())] == [skipped, right]  # smaller
    said = "`doc['owner'] != user['name']` at m.py:2 is evaluated by none of the 1 passing test(s)"
    evidence = Evidence(unevaluated={skipped.diff(): [said]})
    assert [r.candidate for r in rank_plausible([skipped, right], evidence)] == [right, skipped]
    assert concerns(skipped, evidence) == [said] and concerns(right, evidence) == []


@pytest.fixture(scope="module")
def settings(rfsn_home: Path) -> Settings:
    """Local sandbox; its venv in the run's rfsn home (built once a worker, for every module)."""
    return load_settings(home=rfsn_home, sandbox="local", test_timeout=120)


def test_a_real_session_chooses_the_fix_the_passing_test_evaluates_seeded_access(
    tmp_path: Path, settings: Settings
) -> None:
    """Seeded access in a real session in the local sandbox: ``==`` -> ``!=`` (which the passing
    test's ``or`` never reaches) and ``or`` -> ``and`` are both plausible, the first found first;
    the probe sees no passing test evaluate the first, and the second is chosen, ``fixed``."""
    repo = make_project(
        tmp_path / "repo",
        {
            "access.py": ACCESS,
            "tests/test_access.py": "from access import can_edit\n\n\ndef test_owner():\n"
            "    assert can_edit({'active': True, 'admin': False, 'name': 'a'}, {'owner': 'a'})\n",
            "tests/test_access_issue.py": "from access import can_edit\n\n\ndef test_inactive_owner():\n"
            "    assert not can_edit({'active': False, 'admin': False, 'name': 'a'}, {'owner': 'a'})\n",
        },
        name="access",
    )
    options = RepairOptions(out_dir=tmp_path / "out", sandbox="local", session_id="s", timeout=300)
    result = repair_workspace(prepare(str(repo), tmp_path / "ws"), options, settings)
    assert result.status is SessionStatus.FIXED, (result.patch, result.concerns)
    assert "+    return user['active'] and (user['admin'] or doc['owner'] == user['name'])" in result.patch
    skipped = [a for a in result.alternatives if "!=" in a.patch]
    assert skipped and any("is evaluated by none of the 1 passing test(s)" in c for c in skipped[0].concerns)


def test_a_real_session_whose_one_plausible_patch_adjusts_a_quantity_ends_plausible_seeded_stats(
    tmp_path: Path, settings: Settings
) -> None:
    """Seeded stats in a real session in the local sandbox: no template writes the square the
    variance lacks, and a constant added to what it returns meets the one value the failing test
    expects; that patch is returned ``plausible``, the doubt named, not claimed ``fixed``."""
    module = "def mean(xs):\n    return sum(xs) / len(xs)\n\n\ndef variance(xs):\n    m = mean(xs)\n"
    repo = make_project(
        tmp_path / "repo",
        {
            "stats.py": module + "    return sum((x - m) for x in xs) / len(xs)\n",
            "tests/test_stats.py": "from stats import mean\n\n\ndef test_mean():\n    assert mean([1, 2, 3]) == 2\n",
            "tests/test_stats_issue.py": "from stats import variance\n\n\ndef test_variance():\n"
            "    assert variance([1, 3]) == 1\n",
        },
        name="stats",
    )
    options = RepairOptions(out_dir=tmp_path / "out", sandbox="local", session_id="s", timeout=300)
    result = repair_workspace(prepare(str(repo), tmp_path / "ws"), options, settings)
    assert result.status is SessionStatus.PLAUSIBLE, (result.patch, result.concerns)
    assert result.concerns[0].startswith("adjusts `sum((x - m) for x in xs) / len(xs)` by a number")
    assert "plausible, not claimed fixed: adjusts" in result.message
