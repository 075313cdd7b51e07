"""Every git rfsn starts on the host goes through rfsn.hostgit.

A module that starts a process (subprocess, os, asyncio) with ``git`` as the program, given
directly, as a shell line or through a name bound to such an argv in the module, bypasses the
runner's isolation from the repository's and the machine's configuration (issue 68: about 15
such calls in 10 modules let a target's config decide what ran). Only the runner may. Nor is a
git command written anywhere else (an argv table, a shell line, a git library's import) but the
few listed in ALLOWED, each with why it starts no git outside the runner; git argv meant for the
sandbox is told apart by where it stands (an image's Debian packages, the gate's comparisons).
"""

from __future__ import annotations

import ast
import re

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


_SHELL_GIT = re.compile(r"(?:^|[;&|`]\s*|\$\(\s*)git\s")
#: the rest, one by one: (module, the literal) -> why it is no git started outside the runner
ALLOWED = {
    ("rfsn/patches/apply.py", "('git', 'apply', '--verbose')"): "the SWE-bench harness's command as it names it "
    "(its log line); patches.apply._try runs it as hostgit.run(tree, *command[1:])",
    ("rfsn/patches/apply.py", "('git', 'apply', '--verbose', '--reject')"): "the same, the harness's second try",
    ("rfsn/gate/rules_patches.py", "'git apply --check: '"): "text of the gate's refusal, shown to the model",
}
#: libraries that would run git, or read a repository's config, behind the runner's back
LIBRARIES = ("git", "pygit2", "dulwich")


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _looks_like_git(node: ast.AST) -> bool:
    """A sequence whose first item is ``"git"``, or a string that runs git as a shell line would."""
    if isinstance(node, ast.List | ast.Tuple):
        first = node.elts[0] if node.elts else None
        return isinstance(first, ast.Constant) and first.value == "git"
    return isinstance(node, ast.Constant) and isinstance(node.value, str) and bool(_SHELL_GIT.search(node.value))


def _stands_for_no_command(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    """Git argv outside the runner that is no host git, told apart by where it stands: the names
    of Debian packages an image installs (its git runs inside the sandbox), an operand of a
    comparison (the gate asks whether a command the model hands the sandbox is git's), a docstring."""
    parent = parents.get(node)
    if isinstance(parent, ast.keyword) and parent.arg == "debian_packages":
        return True
    if isinstance(parent, ast.Compare):
        return True
    return isinstance(parent, ast.Expr)  # a docstring


def git_argv(source: str) -> list[str]:
    """The git argv literals of ``source`` that stand for a command (unparsed), and its imports of
    a git library."""
    tree = ast.parse(source)
    parents = _parents(tree)
    found = [
        ast.unparse(node)
        for node in ast.walk(tree)
        if _looks_like_git(node) and not _stands_for_no_command(node, parents)
    ]
    for node in ast.walk(tree):
        names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
        names += [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level else []
        found += [f"import {name}" for name in names if name.split(".")[0] in LIBRARIES]
    return found


def test_no_git_argv_outside_the_runner_but_the_listed() -> None:
    """A git command written anywhere but rfsn/hostgit is one a caller may start without it (a
    table of argv a loop hands to ``subprocess.run`` escapes the starter scan above)."""
    found = {
        (str(path.relative_to(ROOT)), literal)
        for path in sorted((ROOT / "rfsn").rglob("*.py"))
        if path.parent != ROOT / "rfsn" / "hostgit"
        for literal in git_argv(path.read_text(encoding="utf-8"))
    }
    assert sorted(found - set(ALLOWED)) == []
    assert sorted(set(ALLOWED) - found) == [], "no longer there: take it off the list"


@pytest.mark.parametrize(
    "source",
    [
        'COMMANDS = (("git", "apply"), ("patch", "-p1"))\n',
        'import subprocess\nsubprocess.run(["bash", "-c", "cd x && git status"])\n',
        'import subprocess\nsubprocess.run(["sh", "-c", "git clean -fdx"])\n',
        'x = f"{y}; git log"\n',
        "import git\n",
        "from dulwich.repo import Repo\n",
        "import pygit2 as g\n",
    ],
)
def test_the_argv_scan_sees_git_written_as_a_command(source: str) -> None:
    assert git_argv(source) != []


@pytest.mark.parametrize(
    "source",
    [
        'Recipe(debian_packages=("git", "procps"))\n',
        'if argv[0] in ("git", "pytest"):\n    pass\n',
        '"""The workspace\'s git history; git is run by the runner."""\n',
        'ALLOW = {"git": ("status", "diff")}\n',
        'from rfsn import hostgit\nhostgit.run(None, "status")\n',
        "from .git import x\n",
    ],
)
def test_the_argv_scan_leaves_what_is_no_command(source: str) -> None:
    assert git_argv(source) == []
