"""A new test module may not take the import name of an existing module (rules_shadow)."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.gate import Gate
from rfsn.models import Edit, Phase
from tests.gate.attacks import new_file
from tests.gate.conftest import ctx, git

FILES = {
    "pkg/__init__.py": "",
    "pkg/mod.py": "def add(a, b):\n    return a - b\n",
    "tests/test_add.py": "from pkg.mod import add\n\n\ndef test_add():\n    assert add(1, 2) == 3\n",
    "tests/helpers.py": "def check(x):\n    assert x\n",
    "lib/test_lib.py": "def test_lib():\n    pass\n",
}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Tests in a directory without ``__init__.py``: pytest puts ``tests/`` on ``sys.path``."""
    root = tmp_path_factory.mktemp("shadow")
    for rel, text in FILES.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "init")
    return root


FAKE = ["def add(a, b):", "    return a + b"]


@pytest.mark.parametrize(
    "path",
    [
        "tests/pkg.py",
        "tests/pkg/__init__.py",
        "tests/pkg/mod.py",
        "tests/helpers/__init__.py",
        "tests/decimal.py",
        "tests/test_lib.py",
    ],
)
def test_a_new_test_module_that_takes_an_existing_name_is_refused(repo: Path, path: str) -> None:
    patch = new_file(path, FAKE)
    if path == "tests/pkg/mod.py":
        patch = new_file("tests/pkg/__init__.py", ["# a package"]) + patch
    decision = Gate().check(Edit(patch=patch), ctx(repo, Phase.REPRODUCE))
    assert decision.rule == "test_tampering" and "import it in place of" in decision.reason, decision


@pytest.mark.parametrize("path", ["tests/test_issue.py", "tests/util_issue.py", "tests/unit/test_add.py"])
def test_a_new_test_module_with_a_name_of_its_own_is_accepted(repo: Path, path: str) -> None:
    assert Gate().check(Edit(patch=new_file(path, ["def test_x():", "    pass"])), ctx(repo, Phase.REPRODUCE)).accepted
