"""A real ``rfsn test`` run whose pytest ids hold markup, emoji codes and brackets prints each id
as pytest wrote it (``test_path[/tmp]`` made it exit 3 with rich's MarkupError; ``[a;b]`` and
``[c;d]`` were stripped to one row; ``:x:`` became an emoji)."""

from __future__ import annotations

from pathlib import Path

from tests.cli.test_test_cmd import rfsn
from tests.sandbox.projects import make_project

PARAMS = ["/tmp", "a;b", "c;d", ":x:", "[/b]", "[bold]"]
MARKUP_IDS = {
    "tests/test_ids.py": f"import pytest\n\n@pytest.mark.parametrize('p', {PARAMS!r})\n"
    "def test_path(p):\n    assert p\n"
}


def test_rfsn_test_prints_ids_with_markup_as_they_are(tmp_path: Path) -> None:
    repo = make_project(tmp_path / "p", MARKUP_IDS)
    proc = rfsn("test", str(repo), "--sandbox", "local")
    assert proc.returncode == 0, proc.stderr
    rows = [line.split() for line in proc.stdout.splitlines()]
    assert sorted(row[0] for row in rows if row[-1:] == ["passed"]) == sorted(
        f"tests/test_ids.py::test_path[{p}]" for p in PARAMS
    )
    assert "6 passed" in proc.stdout
