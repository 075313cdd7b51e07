"""Every git rfsn starts on the host goes through rfsn.hostgit.

A module that starts a process (subprocess, os, asyncio) with ``git`` as the program, given
directly, as a shell line or through a name bound to such an argv in the module, bypasses the
runner's isolation from the repository's and the machine's configuration (issue 68: about 15
such calls in 10 modules let a target's config decide what ran). Only the runner may.
"""

from __future__ import annotations

import ast

import pytest

from tests.paths import ROOT

RUNNER = "rfsn/hostgit/__init__.py"
_STARTERS = {
    "subprocess": {"run", "Popen", "call", "check_call", "check_output", "getoutput", "getstatusoutput"},
    "os": {
        "system",
        "popen",
        "execv",
        "execve",
        "execvp",
        "execvpe",
        "execl",
        "execle",
        "execlp",
        "execlpe",
        "spawnv",
        "spawnve",
        "spawnvp",
        "spawnvpe",
        "spawnl",
        "spawnle",
        "spawnlp",
        "spawnlpe",
        "posix_spawn",
        "posix_spawnp",
    },
    "asyncio": {"create_subprocess_exec", "create_subprocess_shell"},
}


def _is_git(node: ast.expr, bound: dict[str, list[ast.expr]]) -> bool:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value == "git" or node.value.startswith("git ")
    if isinstance(node, ast.List | ast.Tuple):
        return bool(node.elts) and _is_git(node.elts[0], {})
    if isinstance(node, ast.Name):
        return any(_is_git(value, {}) for value in bound.get(node.id, []))
    return False


def _starter(call: ast.Call, imported: set[str]) -> bool:
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        return func.attr in _STARTERS.get(func.value.id, set())
    return isinstance(func, ast.Name) and func.id in imported


def git_starts(source: str) -> list[int]:
    """The lines of ``source`` that start ``git`` as a process."""
    tree = ast.parse(source)
    imported = {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module in _STARTERS
        for alias in node.names
        if alias.name in _STARTERS[node.module]
    }
    bound: dict[str, list[ast.expr]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    bound.setdefault(target.id, []).append(node.value)
    return [
        node.lineno
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and _starter(node, imported)
        and any(_is_git(arg, bound) for arg in [*node.args, *(k.value for k in node.keywords if k.arg == "args")])
    ]


def test_only_the_runner_starts_git_on_the_host() -> None:
    found = {
        str(path.relative_to(ROOT)): lines
        for path in sorted((ROOT / "rfsn").rglob("*.py"))
        if (lines := git_starts(path.read_text(encoding="utf-8")))
    }
    assert list(found) == [RUNNER], found


@pytest.mark.parametrize(
    "source",
    [
        'import subprocess\nsubprocess.run(["git", "status"], cwd=".")\n',
        'import subprocess\nsubprocess.check_output(("git", "-C", "x", "log"))\n',
        'from subprocess import Popen as P\nP(["git", "add", "-A"])\n',
        'import os\nos.system("git status")\n',
        'import os\nos.execvp("git", ["git", "status"])\n',
        'import subprocess\nargv = ["git", "diff"]\nsubprocess.run(argv)\n',
        'import subprocess\nsubprocess.run(args=["git", "fetch"])\n',
        'import asyncio\nasyncio.create_subprocess_exec("git", "status")\n',
    ],
)
def test_the_scan_sees_each_way_of_starting_git(source: str) -> None:
    assert git_starts(source) != []


@pytest.mark.parametrize(
    "source",
    [
        'import subprocess\nsubprocess.run(["patch", "-p1"])\n',
        'PACKAGES = ("git", "procps")\n',
        'from rfsn import hostgit\nhostgit.run(None, "status")\n',
    ],
)
def test_the_scan_leaves_other_programs_and_the_runner_s_callers(source: str) -> None:
    assert git_starts(source) == []
