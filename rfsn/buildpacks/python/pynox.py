"""What a noxfile's test sessions install, read with ``ast``.

A noxfile is the project's code: nox answers what a session installs only by running it, so
it is read, never run. A test session is a ``@nox.session`` function that runs the tests (its
name says test, or a program its ``session.run`` starts is a test runner); what it installs is the arguments of its
``session.install(...)`` calls (and of ``session.run("pip", "install", ...)``) that are string
literals or module- or function-level constants of them, read as pip reads its arguments,
kept when the test run may use them as CI's are.
"""

from __future__ import annotations

import ast
from pathlib import Path

from rfsn.buildpacks.python.ciinstalls import pip_args, runs_tests, used_by_tests_only
from rfsn.buildpacks.python.pysources import Found

_PIP = ("pip", "install")


def nox_installs(repo: Path, seen: set[Path]) -> tuple[Found, set[str]]:
    """The requirements the test sessions of ``repo/noxfile.py`` install, and the project's
    extras they name (``.[test]``)."""
    try:
        tree = ast.parse((repo / "noxfile.py").read_text(encoding="utf-8"))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return [], set()
    constants = _constants(tree.body)
    found: Found = []
    extras: set[str] = set()
    for node in tree.body:
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) or not _session(node):
            continue
        local = {**constants, **_constants(node.body)}
        calls = [c for c in ast.walk(node) if isinstance(c, ast.Call) and isinstance(c.func, ast.Attribute)]
        if "test" not in node.name.lower() and not any(
            isinstance(c.func, ast.Attribute) and c.func.attr == "run" and runs_tests(" ".join(_words(c, local)))
            for c in calls
        ):
            continue
        for call in calls:
            words = _installed(call, _words(call, local))
            if words is not None:
                more, named = pip_args(words, f"noxfile.py session {node.name}", repo, seen)
                found += more
                extras |= named
    return used_by_tests_only(repo, found), extras


def _session(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Decorated ``@nox.session``, ``@nox.session(...)`` or ``@session(...)``."""
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ast.unparse(target).rsplit(".", 1)[-1] == "session":
            return True
    return False


def _installed(call: ast.Call, words: list[str]) -> list[str] | None:
    """What a session's call installs with pip (None: the call installs nothing)."""
    assert isinstance(call.func, ast.Attribute)
    if call.func.attr == "install":
        return words
    if call.func.attr in ("run", "run_always", "run_install"):
        for start in range(len(words) - 1):
            if tuple(words[start : start + 2]) == _PIP and words[:start] in ([], ["python", "-m"], ["python3", "-m"]):
                return words[start + 2 :]
    return None


def _constants(body: list[ast.stmt]) -> dict[str, ast.expr]:
    return {
        target.id: node.value
        for node in body
        if isinstance(node, ast.Assign)
        for target in node.targets
        if isinstance(target, ast.Name)
    }


def _words(call: ast.Call, constants: dict[str, ast.expr]) -> list[str]:
    """The call's positional arguments that are strings, a constant's or a starred list's
    strings in their place (anything computed is left out)."""
    words: list[str] = []
    for arg in call.args:
        value = arg.value if isinstance(arg, ast.Starred) else arg
        if isinstance(value, ast.Name):
            value = constants.get(value.id, value)
        items = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
        words += [item.value for item in items if isinstance(item, ast.Constant) and isinstance(item.value, str)]
    return words
