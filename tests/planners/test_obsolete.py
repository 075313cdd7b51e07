"""Tests a model calls obsolete: read from its reply, accepted only among those the candidate broke."""

from __future__ import annotations

from rfsn.planners.verify.obsolete import MAX_OBSOLETE, accepted, declared


def test_the_reply_names_them_on_lines_of_their_own_as_a_model_writes_them() -> None:
    reply = (
        "The old test checks the string the issue calls wrong.\n\n"
        "OBSOLETE: t/test_e.py::test_str\n- OBSOLETE: `t/test_e.py::TestX::test_y[a-b]`\n"
        "**OBSOLETE:** t/test_e.py::test_str\nnot OBSOLETE: t/other.py::test_z\n"
        "OBSOLETE: t/test_e.py::test_w[a b]  \nOBSOLETE:\n```diff\n...```\n"
    )
    assert declared(reply) == ["t/test_e.py::test_str", "t/test_e.py::TestX::test_y[a-b]", "t/test_e.py::test_w[a b]"]


def test_only_broken_tests_are_accepted_by_id_or_by_function() -> None:
    broken = ["t/a.py::test_s[1]", "t/a.py::test_s[2]", "t/a.py::test_t"]
    assert accepted(["t/a.py::test_s"], broken) == ("t/a.py::test_s[1]", "t/a.py::test_s[2]")
    assert accepted(["t/a.py::test_t", "t/a.py::test_passing"], broken) == ("t/a.py::test_t",)
    assert accepted(["t/a.py::test_"], broken) == ()  # a prefix names no test


def test_a_fix_that_breaks_more_functions_than_the_cap_is_a_regression() -> None:
    broken = [f"t/a.py::test_{n}" for n in range(MAX_OBSOLETE + 1)]
    assert accepted(broken[:MAX_OBSOLETE], broken) == tuple(broken[:MAX_OBSOLETE])
    assert accepted(broken, broken) == ()
