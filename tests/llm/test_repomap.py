"""The model's view of a repository: the map, whole functions in the patch prompt, and the
reproduction request showing the map and the project's conftest fixtures."""

from __future__ import annotations

from pathlib import Path

from rfsn.planners import reproduce
from rfsn.planners.base import RepairContext
from rfsn.planners.explore.repomap import enclosing, repo_map
from rfsn.planners.localize.location import Location
from rfsn.planners.strategies.model import prompt

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


def test_the_map_keeps_to_its_budget_sources_first() -> None:
    files = {f"pkg/m{i:03d}.py": "def f(a):\n    return a\n" for i in range(300)}
    files["tests/test_z.py"] = "def test_z():\n    pass\n"
    text = repo_map(files, max_chars=2000)
    assert len(text) <= 2000 + 40
    assert text.startswith("pkg/m000.py\n  1: def f(a)")
    assert text.endswith("more files") and "tests/test_z.py" not in text


def test_a_file_that_does_not_parse_is_listed_by_its_path() -> None:
    assert repo_map({"a.py": "def (:\n", "b.txt": "x"}) == "a.py\nb.txt"


def test_enclosing_gives_the_innermost_function_with_its_decorators() -> None:
    assert enclosing("m.py", SOURCE, 12) == (8, 13)
    assert enclosing("m.py", SOURCE, 6) is None  # a class attribute: no function
    assert enclosing("m.py", SOURCE, 12, max_lines=3) is None
    assert enclosing("m.js", "function h(a) {\n  return a;\n}\n", 2) == (1, 3)


def test_the_patch_prompt_shows_the_whole_function_the_localization_chose(tmp_path: Path) -> None:
    context = RepairContext(workspace=tmp_path, language="python", failing=["t"], passing=[],
                            locations=[Location("bank/core/money.py", 12, 1.0)],
                            files={"bank/core/money.py": SOURCE})
    text = prompt(context)
    assert "the function around suspicious line 12" in text
    assert "    8      @staticmethod" in text and "   13          return total" in text
    assert "async def close" not in text


def test_without_a_suspicious_line_the_patch_prompt_shows_the_map(tmp_path: Path) -> None:
    context = RepairContext(workspace=tmp_path, language="python", failing=[], passing=[],
                            locations=[], problem="interest doubles", files={"bank/core/money.py": SOURCE})
    assert "def interest(balance: int, years: int=1) -> int" in prompt(context)


def test_the_reproduction_request_shows_the_map_and_the_conftest_fixtures() -> None:
    conftest = "import pytest\n\n@pytest.fixture\ndef account():\n    return 1\n"
    tests = {"tests/conftest.py": conftest, "tests/test_money.py": "def test_a(account):\n    assert account\n"}
    user = reproduce.messages("interest is wrong", {"bank/core/money.py": SOURCE}, tests)[1].content
    assert "def interest(balance: int, years: int=1) -> int" in user
    assert f"## tests/conftest.py (fixtures the tests can use)\n{conftest}" in user
    assert "## tests/test_money.py (an existing test)" in user
