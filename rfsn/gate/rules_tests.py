"""Test rules: tests are evidence, so edits may not weaken them.

Pure functions over paths and texts: which added lines skip or rig tests, and
whether a patch leaves existing Python tests untouched. Which files are tests
is the ecosystems' answer, ``rfsn.buildpacks.testfiles``.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterator

from rfsn.buildpacks.gaterules import skip_markers
from rfsn.errors import InputError
from rfsn.inputs import toml_text

#: the name of the Python ecosystem's marker of a pytest hook, which ``rules_pyhooks`` reads a
#: Python file that parses for instead, by scope
HOOK_MARKER = "pytest plugin hook"
PYTEST_INFRA = frozenset({"conftest.py", "pytest.ini", "pytest.toml", ".pytest.ini"})
_SECTIONED_CONFIG = {"tox.ini": ("pytest",), "setup.cfg": ("tool:pytest",)}


def is_pytest_infra(path: str) -> bool:
    return path.rsplit("/", 1)[-1].casefold() in PYTEST_INFRA


#: guards a new test file written to reproduce may carry: ``pytest.importorskip`` asks only
#: whether a dependency is installed (real tests import optional modules so), it cannot depend
#: on the code under test, and a reproduction it skips reproduces nothing
FILE_LOCAL = frozenset({"pytest.importorskip call"})


_DOCUMENTATION = (".rst", ".md", ".txt")


def _markers_for(path: str) -> list[tuple[str, re.Pattern[str]]]:
    """The ecosystems' markers of added lines that skip or rig tests (``skip_markers``) that mean
    something in the file at ``path``, by its suffix: a file of a suffix no marker is for is looked
    at for every marker, but documentation runs nothing and is looked at for none."""
    name = path.rsplit("/", 1)[-1].lower()
    suffix = "." + name.rsplit(".", 1)[-1] if "." in name else ""
    if suffix in _DOCUMENTATION:
        return []
    markers = skip_markers()
    if not any(suffix in suffixes for _, _, suffixes in markers):
        return [(marker, pattern) for marker, pattern, _ in markers]
    return [(marker, pattern) for marker, pattern, suffixes in markers if suffix in suffixes]


def python_code(text: str) -> dict[int, str] | None:
    """Each line (numbered from 1) of Python source with its comments and the insides of its
    string literals blanked: what runs, not what is said (a message, or the source of a test
    file that a test of pytest itself writes). None when the text does not tokenize."""
    rows = [list(line) for line in text.splitlines(keepends=True)]
    quiet = {tokenize.COMMENT, tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.type not in quiet:
                continue
            (first, start), (last, end) = token.start, token.end
            for row in range(first, last + 1):
                chars = rows[row - 1]
                for col in range(start if row == first else 0, end if row == last else len(chars)):
                    if chars[col] not in "\r\n":
                        chars[col] = " "
    except (tokenize.TokenError, SyntaxError, IndexError):
        return None
    return {number: "".join(chars) for number, chars in enumerate(rows, start=1)}


def line_markers(line: str, own_file: bool = False, path: str = "", without: frozenset[str] = frozenset()) -> list[str]:
    """The names of the markers on ``line`` that skip or rig tests; with ``own_file`` (the line is
    a new test file's) only those that reach beyond it; with ``path``, only the markers of that
    file's language; none of the markers named ``without``."""
    markers = _markers_for(path) if path else [(marker, pattern) for marker, pattern, _ in skip_markers()]
    return [
        name
        for name, pattern in markers
        if pattern.search(line) and not (own_file and name in FILE_LOCAL) and name not in without
    ]


def skip_marker(
    lines: list[str], own_file: bool = False, path: str = "", without: frozenset[str] = frozenset()
) -> tuple[str, str] | None:
    """The first (marker name, line) among ``lines`` that skips or rigs tests (``line_markers``)."""
    for line in lines:
        names = line_markers(line, own_file, path, without)
        if names:
            return names[0], line.strip()[:100]
    return None


def _ini_sections(text: str, names: tuple[str, ...]) -> list[str]:
    out: list[str] = []
    inside = False
    for line in text.splitlines():
        header = re.match(r"^\s*\[([^\]]*)\]", line)
        if header:
            inside = header[1].strip() in names
        if inside:
            out.append(line.rstrip())
    return out


def _pyproject_pytest(text: str) -> object:
    try:
        return toml_text(text, "pyproject.toml").get("tool", {}).get("pytest")
    except InputError:
        return _ini_sections(text, ("tool.pytest", "tool.pytest.ini_options"))


def pytest_config_changed(path: str, old_text: str, new_text: str) -> bool:
    """Does this edit change the pytest section of tox.ini, setup.cfg or pyproject.toml?"""
    name = path.rsplit("/", 1)[-1].casefold()
    if name == "pyproject.toml":
        return _pyproject_pytest(old_text) != _pyproject_pytest(new_text)
    sections = _SECTIONED_CONFIG.get(name)
    if sections is None:
        return False
    return _ini_sections(old_text, sections) != _ini_sections(new_text, sections)


def _bindings(body: list[ast.stmt], prefix: str = "") -> Iterator[tuple[str, str]]:
    for node in body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield prefix + node.name, ast.dump(node)
        elif isinstance(node, ast.ClassDef):
            header = (node.bases, node.keywords, node.decorator_list)
            yield prefix + node.name, repr([[ast.dump(n) for n in group] for group in header])
            yield from _bindings(node.body, f"{prefix}{node.name}.")
        elif isinstance(node, ast.Assign | ast.AnnAssign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                for name in ast.walk(target):
                    if isinstance(name, ast.Name):
                        yield prefix + name.id, ast.dump(node)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                yield prefix + (alias.asname or alias.name.split(".")[0]), ast.dump(node)
        elif isinstance(node, ast.If | ast.Try | ast.With | ast.For | ast.While):
            for field in ("body", "orelse", "finalbody", "handlers"):
                nested = getattr(node, field, [])
                yield from _bindings([n for n in nested if isinstance(n, ast.stmt)], prefix)
                for handler in nested:
                    if isinstance(handler, ast.ExceptHandler):
                        yield from _bindings(handler.body, prefix)


def changed_python_definition(old_text: str, new_text: str) -> str | None:
    """The first existing top-level or class-level name whose definition the edit changes.

    Additions that leave every existing definition as it was return None; the
    last binding of a name counts, as in Python, so shadowing is a change.
    """
    try:
        old_tree, new_tree = ast.parse(old_text), ast.parse(new_text)
    except (SyntaxError, ValueError):
        return None  # the syntax rule reports unparsable files
    old = dict(_bindings(old_tree.body))
    new = dict(_bindings(new_tree.body))
    for name, dumped in old.items():
        if new.get(name) != dumped:
            return name
    return None
