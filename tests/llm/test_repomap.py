"""The model's view of a repository: the map, whole functions in the patch prompt, and the
reproduction request showing the map and the project's conftest fixtures."""

from __future__ import annotations

from pathlib import Path

from rfsn.planners.base import RepairContext
from rfsn.planners.code.location import Location
from rfsn.planners.patch.explore.repomap import enclosing, repo_map
from rfsn.planners.patch.strategies.model import prompt
from rfsn.planners.reproduce import issue

SOURCE = '''"""Money."""
import decimal


class Account(Base):
    rate = 2

    @staticmethod
    def interest(balance: int, years: int = 1) -> int:
        total = balance
        for _ in range(years):
            total = total * 2
        return total

    async def close(self, *reasons, **flags):
        return None


def helper(x):
    return x
'''


def test_the_map_lists_classes_methods_and_signatures_nested() -> None:
    text = repo_map({"bank/core/money.py": SOURCE, "tests/test_money.py": "def test_a(fx):\n    pass\n"})
    assert text.splitlines() == [
        "bank/core/money.py",
        "  5: class Account(Base)",
        "    9: def interest(balance: int, years: int=1) -> int",
        "    15: async def close(self, *reasons, **flags)",
        "  19: def helper(x)",
        "tests/test_money.py",
        "  1: def test_a(fx)",
    ]


def test_past_the_outlines_budget_every_file_is_still_named_by_directory_tests_last() -> None:
    files = {f"pkg/m{i:03d}.py": "def f(a):\n    return a\n" for i in range(300)}
    files["tests/test_z.py"] = "def test_z():\n    pass\n"
    text = repo_map(files, max_chars=2000)
    outlines, _, index = text.partition("\nOther files, by directory:\n")
    assert len(outlines) <= 2000 and outlines.startswith("pkg/m000.py\n  1: def f(a)")
    listed = [line.split(":", 1)[0] for line in index.splitlines()]
    assert listed == ["pkg/", "tests/"]  # sources first
    named = {f"{line.split(':', 1)[0]}{n}" for line in index.splitlines() for n in line.split(": ", 1)[1].split(", ")}
    assert named | {p for p in files if p in outlines} == set(files)


def test_package_code_is_named_before_loose_example_files() -> None:
    """Documentation examples (no package) sort first by name, yet never use up the budget."""
    files = {f"doc/data/messages/m{i:03d}/bad.py": "x = 1\n" for i in range(200)}
    files.update(
        {
            "pylint/__init__.py": "",
            "pylint/config/__init__.py": "",
            "pylint/config/argument.py": "def f(a):\n    return a\n",
        }
    )
    text = repo_map(files, max_chars=40, first=["pylint/__init__.py"], max_index_chars=400)
    index = text.partition("Other files, by directory:\n")[2].splitlines()
    assert index[0] == "pylint/config/: __init__.py, argument.py"
    assert index[1].startswith("doc/data/messages/") and index[-1].startswith("... and ")


def test_the_names_keep_to_their_own_budget_and_count_the_rest() -> None:
    files = {f"pkg/m{i:03d}.py": "def f(a):\n    return a\n" for i in range(300)}
    text = repo_map(files, max_chars=200, max_index_chars=500)
    assert len(text) <= 200 + 500 + 60
    last = text.splitlines()[-1]
    assert last.startswith("... and ") and last.endswith("more files (list_dir shows them)")
    named = {f"m{i:03d}" for i in range(300) if f"m{i:03d}" in text}
    assert 0 < len(named) < 300 and int(last.split()[2]) == 300 - len(named)


def test_a_file_that_does_not_parse_is_listed_by_its_path() -> None:
    assert repo_map({"a.py": "def (:\n", "b.txt": "x"}) == "a.py\nb.txt"


def test_enclosing_gives_the_innermost_function_with_its_decorators() -> None:
    assert enclosing("m.py", SOURCE, 12) == (8, 13)
    assert enclosing("m.py", SOURCE, 6) is None  # a class attribute: no function
    assert enclosing("m.py", SOURCE, 12, max_lines=3) is None
    assert enclosing("m.js", "function h(a) {\n  return a;\n}\n", 2) == (1, 3)


def test_the_patch_prompt_shows_the_whole_function_the_localization_chose(tmp_path: Path) -> None:
    context = RepairContext(
        workspace=tmp_path,
        language="python",
        failing=["t"],
        passing=[],
        locations=[Location("bank/core/money.py", 12, 1.0)],
        files={"bank/core/money.py": SOURCE},
    )
    text = prompt(context)
    assert "the function around suspicious line 12" in text
    assert "    8      @staticmethod" in text and "   13          return total" in text
    assert "async def close" not in text


def test_the_patch_prompt_shows_distinct_functions_past_top_lines_that_share_one(tmp_path: Path) -> None:
    """Six top lines in one function took all six places; the next function is shown too."""
    first = "def first(x):\n" + "".join(f"    x = x + {n}\n" for n in range(8)) + "    return x\n\n\n"
    source = first + "def second(y):\n    return y * 2\n"
    context = RepairContext(
        workspace=tmp_path,
        language="python",
        failing=["t"],
        passing=[],
        locations=[*(Location("m.py", n, 1.0 - n / 100) for n in range(2, 9)), Location("m.py", 14, 0.5)],
        files={"m.py": source},
    )
    text = prompt(context)
    assert "suspicious line 2)" in text and "(the function around suspicious line 14)" in text
    assert text.count("def first(x)") == 1


def test_top_lines_inside_a_window_already_shown_do_not_take_another_place(tmp_path: Path) -> None:
    """Lines outside any function are shown in windows: sympy's top lines 2390, 2391 and 2386
    took three of the six places with three near-copies of one window, and pushed the rest out."""
    source = "".join(f"x{n} = {n}\n" for n in range(1, 101))
    context = RepairContext(
        workspace=tmp_path,
        language="python",
        failing=["t"],
        passing=[],
        locations=[
            Location("m.py", 40, 1.0),
            Location("m.py", 41, 0.9),
            Location("m.py", 36, 0.8),
            *(Location("m.py", n, 0.5) for n in (70, 95)),
        ],
        files={"m.py": source},
    )
    text = prompt(context, max_functions=2)
    assert "(around suspicious line 40)" in text and "(around suspicious line 70)" in text
    assert "suspicious line 41" not in text and "suspicious line 36" not in text


def test_without_a_suspicious_line_the_patch_prompt_shows_the_map(tmp_path: Path) -> None:
    context = RepairContext(
        workspace=tmp_path,
        language="python",
        failing=[],
        passing=[],
        locations=[],
        problem="interest doubles",
        files={"bank/core/money.py": SOURCE},
    )
    assert "def interest(balance: int, years: int=1) -> int" in prompt(context)


def test_the_reproduction_request_shows_the_map_and_the_conftest_fixtures() -> None:
    conftest = "import pytest\n\n@pytest.fixture\ndef account():\n    return 1\n"
    tests = {"tests/conftest.py": conftest, "tests/test_money.py": "def test_a(account):\n    assert account\n"}
    user = issue.messages("interest is wrong", {"bank/core/money.py": SOURCE}, tests)[1].content
    assert "def interest(balance: int, years: int=1) -> int" in user
    assert f"## tests/conftest.py (fixtures the tests can use)\n{conftest}" in user
    assert "## tests/test_money.py (an existing test)" in user
