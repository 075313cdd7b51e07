"""Import-time code (constants, signatures) is ranked through the lines that use it."""

from rfsn.planners.localize import Location
from rfsn.planners.localize.definitions import definitions, with_definitions

TABLE = 'import re\n\nLIMIT = 3\nPATTERN = re.compile(\n    r"^a{0,3}$"\n)\n'
USER = "from .table import LIMIT, PATTERN\n\n\ndef check(text, strict=[]):\n    return PATTERN.match(text) and len(text) <= LIMIT\n"


def test_module_constants_used_by_a_suspicious_line_are_ranked() -> None:
    files = {"pkg/table.py": TABLE, "pkg/user.py": USER}
    ranked = with_definitions([Location("pkg/user.py", 5, 1.0)], files)
    where = {(loc.file, loc.line): loc.score for loc in ranked}
    assert where[("pkg/user.py", 5)] == 1.0
    assert where[("pkg/table.py", 3)] == 0.8  # LIMIT
    assert {("pkg/table.py", 4), ("pkg/table.py", 5), ("pkg/table.py", 6)} <= set(where)  # PATTERN
    assert where[("pkg/user.py", 4)] == 0.8  # the signature with its default


def test_definitions_skip_test_files_and_functions_locals() -> None:
    files = {"tests/test_x.py": "LIMIT = 1\n", "pkg/m.py": "def f():\n    LIMIT = 2\n"}
    assert "LIMIT" not in definitions(files)


def test_a_higher_score_is_never_lowered() -> None:
    files = {"m.py": "X = 1\n\ndef f():\n    return X\n"}
    ranked = with_definitions([Location("m.py", 1, 0.9), Location("m.py", 4, 1.0)], files)
    assert {(loc.file, loc.line): loc.score for loc in ranked}[("m.py", 1)] == 0.9
