"""Small Python projects for sandbox and CLI tests, all sharing one env image.

Their dependency set is the one most devset projects declare (pytest>=7,
setuptools>=61), so every Docker test reuses a single env image.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

PYPROJECT = """\
[build-system]
requires = ["setuptools>=61"]
build-backend = "setuptools.build_meta"

[project]
name = "{name}"
version = "0.1.0"

[project.optional-dependencies]
test = ["pytest>=7"]

[tool.setuptools]
packages = []
"""


def make_project(root: Path, tests: dict[str, str], name: str = "demo") -> Path:
    """A git repo with the shared pyproject and the given files (paths relative to root)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT.format(name=name))
    for rel, text in tests.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@t",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@t",
        "PATH": "/usr/bin:/bin:/usr/local/bin",
    }
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "init"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)
    return root


PASSING = {"tests/test_ok.py": "def test_one():\n    assert 1 + 1 == 2\n\ndef test_two():\n    pass\n"}
MIXED = {"tests/test_mixed.py": "def test_good():\n    pass\n\ndef test_bad():\n    assert 0\n"}
SLEEPING = {
    "tests/test_sleep.py": (
        "import subprocess, time\n\ndef test_sleeps():\n    subprocess.Popen(['sleep', '300'])\n    time.sleep(300)\n"
    )
}
