"""The tests-given setting of the fixes corpus: what a repair session would read from its
failing tests, for one fix. The test files the fixing commit touched (``tests``), read at the
fixing commit; of each, the test functions the commit's diff adds or changes (as the bugs
layer mines FAIL_TO_PASS), or the whole file where it changes none
(`rfsn.planners.patch.templates.python.material.from_tests`)."""

from __future__ import annotations

import ast
import hashlib
import pickle
import re
import subprocess
from pathlib import Path
from typing import Any

from mine import git_dir

from rfsn.planners.patch.templates.python.material import EMPTY, Material, from_tests

_NEW_LINES = re.compile(r"^@@ -\S+ \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


def _git(repos: Path, row: dict[str, Any], *args: str) -> str:
    gdir = git_dir(repos, row["project"])
    done = subprocess.run(["git", "--git-dir", str(gdir), *args], capture_output=True, text=True, errors="replace")
    return done.stdout if done.returncode == 0 else ""


def changed_functions(text: str, diff: str) -> list[str]:
    """Pure: the innermost functions of ``text`` (the new side) holding a line ``diff`` changes."""
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    lines: set[int] = set()
    for match in _NEW_LINES.finditer(diff):
        start, count = int(match[1]), 1 if match[2] is None else int(match[2])
        lines |= set(range(start, start + max(count, 1)))
    funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    names = []
    for line in sorted(lines):
        holding = [f for f in funcs if f.lineno <= line <= (f.end_lineno or f.lineno)]
        if holding:
            names.append(max(holding, key=lambda f: f.lineno).name)
    return list(dict.fromkeys(names))


def material_of(repos: Path, row: dict[str, Any], cache: Path | None = None) -> Material:
    """What the fix's touched Python test files give a session (kept under ``cache``)."""
    paths = [p for p in row.get("tests", []) if p.endswith(".py")]
    if not paths:
        return EMPTY
    kept = cache / ("m" + hashlib.sha256(f"{row['project']}:{row['commit']}".encode()).hexdigest()) if cache else None
    if kept is not None and kept.exists():
        return pickle.loads(kept.read_bytes())
    texts, targets = {}, []
    for path in paths:
        text = _git(repos, row, "show", f"{row['commit']}:{path}")
        if not text:
            continue  # deleted by the fix
        texts[path] = text
        diff = _git(repos, row, "diff", "-U0", row["parent"], row["commit"], "--", path)
        targets += [f"{path}::{name}" for name in changed_functions(text, diff)]
    material = from_tests(texts, targets)
    if kept is not None:
        kept.parent.mkdir(parents=True, exist_ok=True)
        kept.write_bytes(pickle.dumps(material))
    return material
