"""The condition governing a suspicious block inherits its suspicion (control dependence)."""

from rfsn.planners.localize import Location, rank
from rfsn.planners.localize.control import LOOP, with_control_dependence
from rfsn.planners.localize.definitions import with_definitions

# the seeded fault: `not isinstance(...)` negated to `isinstance(...)` on line 3
CHECK = (
    "def check(value):\n"
    "    name = type(value).__name__\n"
    "    if isinstance(value, int):\n"
    "        raise TypeError('expected an int, got ' + name)\n"
    "    return value * 2\n"
)


def _coverage() -> dict[str, dict[str, set[int]]]:
    # every test runs lines 1-3; only the failing one (an int) reaches the raise
    ran = {"m.py": {1, 2, 3, 5}}
    return {"t::int": {"m.py": {1, 2, 3, 4}}, **{f"t::ok{i}": ran for i in range(5)}}


def test_a_negated_condition_ranks_at_or_above_the_raise_it_guards() -> None:
    ranked = rank(_coverage(), ["t::int"], [f"t::ok{i}" for i in range(5)])
    assert ranked[0].line == 4  # spectrum alone blames the body
    files = {"m.py": CHECK}
    for found in (
        with_control_dependence(ranked, files),
        with_definitions(with_control_dependence(ranked, files), files),
    ):
        lines = [loc.line for loc in found]
        score = {loc.line: loc.score for loc in found}
        assert score[3] >= score[4]
        assert lines.index(3) < lines.index(4)


def test_nested_conditions_and_loop_headers_decay_and_stop_at_the_function() -> None:
    source = (
        "if DEBUG:\n"
        "    def f(items):\n"
        "        for item in items:\n"
        "            while item > 0:\n"
        "                item -= 1\n"
        "        return items\n"
    )
    found = {loc.line: loc.score for loc in with_control_dependence([Location("m.py", 5, 1.0)], {"m.py": source})}
    assert found[4] == LOOP  # a loop header keeps a little less than an if's condition
    assert abs(found[3] - LOOP * 0.9) < 1e-9
    assert 1 not in found  # a condition outside the function does not govern its body


def test_elif_else_assert_and_ternary_conditions() -> None:
    source = (
        "def f(x):\n"
        "    if x < 0:\n"
        "        return 0\n"
        "    elif x > 10:\n"
        "        return 10\n"
        "    else:\n"
        "        assert x, (\n"
        "            'zero')\n"
        "    return (1\n"
        "            if x\n"
        "            else 2)\n"
    )
    files = {"m.py": source}

    def governors(line: int) -> set[int]:
        return {loc.line for loc in with_control_dependence([Location("m.py", line, 1.0)], files)} - {line}

    assert governors(5) == {4, 2}
    assert governors(8) == {7, 4, 2}
    assert governors(11) == {10}


def test_brace_languages_read_their_block_structure() -> None:
    js = (
        "function check(value) {\n"
        "  if (typeof value === 'number') {\n"
        "    throw new TypeError('expected a number');\n"
        "  } else if (value === null) {\n"
        "    return 0;\n"
        "  } else {\n"
        "    for (const k of Object.keys(value)) {\n"
        "      use(k);\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
    go = "func trim(s string) string {\n\tif len(s) > 0 &&\n\t\ts[0] == ' ' {\n\t\treturn s[2:]\n\t}\n\treturn s\n}\n"
    files = {"a.js": js, "t.go": go}

    def governors(path: str, line: int) -> list[int]:
        found = with_control_dependence([Location(path, line, 1.0)], files)
        return [loc.line for loc in found]

    assert governors("a.js", 3) == [2, 3]
    assert governors("a.js", 5) == [4, 5, 2]  # the elif, then (decayed) the if before it
    assert governors("a.js", 8)[:2] == [8, 7]  # the loop header, just below its body
    assert set(governors("a.js", 8)) == {7, 8, 4, 2}
    assert governors("t.go", 4) == [2, 3, 4]
    assert governors("t.go", 6) == [6]  # outside any branch; the function is no condition


def test_cron_a_go_if_after_a_statement_governs_its_block() -> None:
    """robfig/cron bc59245: an ``if`` after a ``var ( ... )`` block (or any statement ending in
    ``)``) governed nothing: with no ``;`` the walk back from its ``{`` ran into the statement
    before it. A newline ends a Go (or semicolon-less JavaScript) statement."""
    go = (
        "func dayMatches(s *Spec, t time.Time) bool {\n"
        "\tvar (\n"
        "\t\tdom = t.Day()&s.Dom > 0\n"
        "\t)\n"
        "\tif s.Dom&star > 0 || s.Dow&star > 0 {\n"
        "\t\treturn dom\n"
        "\t}\n"
        "\tx := f(t)\n"
        "\tif x > 0 {\n"
        "\t\treturn true\n"
        "\t} else if g(x) {\n"
        "\t\treturn false\n"
        "\t}\n"
        "\treturn dom\n"
        "}\n"
    )
    js = "function f(a) {\n  const x = g(a)\n  if (x > 0) {\n    return 1\n  }\n  return 0\n}\n"
    files = {"spec.go": go, "f.js": js}

    def governors(path: str, line: int) -> list[int]:
        return [loc.line for loc in with_control_dependence([Location(path, line, 1.0)], files)]

    assert governors("spec.go", 6) == [5, 6]
    assert governors("spec.go", 10) == [9, 10]
    assert governors("spec.go", 12) == [11, 12, 9]
    assert governors("f.js", 4) == [3, 4]


def test_a_variable_named_match_or_loop_is_no_block_keyword() -> None:
    """``match`` and ``loop`` begin blocks in Rust alone: in Go and JavaScript a variable of
    that name before a composite or object literal governed its lines (found in review)."""
    go = "func f(s string) T {\n\tx := 1\n\tmatch := re.FindString(s)\n\treturn T{\n\t\tv: x,\n\t}\n}\n"
    js = "function f(s) {\n  const loop = 1\n  match = re.exec(s)\n  return {\n    v: loop,\n  }\n}\n"
    rust = "fn f(x: u8) -> u8 {\n    match x {\n        0 => 1,\n        _ => x,\n    }\n}\n"
    files = {"m.go": go, "m.js": js, "m.rs": rust}

    def governors(path: str, line: int) -> list[int]:
        return [loc.line for loc in with_control_dependence([Location(path, line, 1.0)], files)]

    assert governors("m.go", 5) == [5] and governors("m.js", 5) == [5]
    assert governors("m.rs", 3) == [2, 3]


def test_a_condition_moves_just_before_the_line_it_governs_not_before_its_equals() -> None:
    source = (
        "def f(xs, k):\n"
        "    groups = len(xs) // k\n"
        "    for x in xs:\n"
        "        if x > 0:\n"
        "            total = x\n"
        "    return groups\n"
    )
    locations = [Location("m.py", 2, 1.0), Location("m.py", 5, 1.0), Location("m.py", 6, 0.5)]
    lines = [loc.line for loc in with_control_dependence(locations, {"m.py": source})]
    assert lines[:3] == [2, 4, 5]  # line 2 ties with 5 and came first: it stays first
    assert lines[3] == 3  # the loop header, at LOOP x 0.9
    assert lines.index(3) < lines.index(6)  # the loop header, at 0.9
