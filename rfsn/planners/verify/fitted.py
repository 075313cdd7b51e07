"""Signs in the code that a plausible patch fits the failing tests' values rather than fixes a
fault, for the choice among plausible patches (`choice.concerns`).

- it leaves a name its function binds and read unread: the patch reads another name where the
  code computed this one for a reason (``total += k`` -> ``total += n`` inside ``for k in ...``);
- it trades one number for another where the number is a quantity (an operand of arithmetic, a
  value stored or returned): any number the failing test expects is met by some quantity
  (``count += 1`` -> ``count += 2``), where moving a bound (a comparison's, a slice's, an
  index, an argument) changes which inputs take a branch or which items are taken;
- it adjusts a quantity by a number (``variance`` -> ``variance + 1``, ``h * 60`` ->
  ``(h * 60) ** 2``): a doubt, not only a concern, for a developer's fix seldom has that shape
  (1 of 405 and 1 of 388 one-line Python fixes of ``benchmarks/fixes``, design and test part).

Pure, on the file before and after the patch.
"""

from __future__ import annotations

import ast
import difflib

from rfsn.planners.code.candidates import FileChange

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
#: where a number is a quantity: computed with, stored, returned
_QUANTITY = (ast.BinOp, ast.AugAssign, ast.Assign, ast.AnnAssign, ast.Return)


def _parsed(change: FileChange) -> tuple[ast.Module, ast.Module] | None:
    if not change.path.endswith(".py"):
        return None
    try:
        return ast.parse(change.original), ast.parse(change.patched)
    except SyntaxError:
        return None


def _names(fn: ast.AST) -> tuple[set[str], set[str]]:
    """The names ``fn`` reads, and those it binds (its parameters, its assignments, its loops')."""
    read: set[str] = set()
    bound: set[str] = set()
    if isinstance(fn, _FUNCTIONS):
        bound |= {a.arg for a in [*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs]}
    for node in ast.walk(fn):
        if isinstance(node, ast.Name):
            (read if isinstance(node.ctx, ast.Load) else bound).add(node.id)
    return read, bound


def _functions(tree: ast.Module) -> dict[str, list[ast.AST]]:
    found: dict[str, list[ast.AST]] = {}
    for node in ast.walk(tree):
        if isinstance(node, _FUNCTIONS):
            found.setdefault(node.name, []).append(node)
    return found


def unread(change: FileChange) -> list[str]:
    """A name each changed function binds and read before the patch, and reads no more."""
    trees = _parsed(change)
    if trees is None:
        return []
    old, new = (_functions(t) for t in trees)
    found = []
    for name in sorted(old.keys() & new.keys()):
        if len(old[name]) != len(new[name]):
            continue
        for before, after in zip(old[name], new[name], strict=True):
            was, _ = _names(before)
            now, bound = _names(after)
            lost = sorted((was - now) & bound)
            if lost:
                found.append(
                    f"{name}() binds {', '.join(f'`{n}`' for n in lost)} and no longer reads it: "
                    "the patch reads another value where the code computed this one"
                )
    return found


def _number(node: ast.AST) -> ast.Constant | None:
    return node if isinstance(node, ast.Constant) and type(node.value) in (int, float, complex) else None


def _changed_rows(change: FileChange) -> set[int]:
    """The patched file's line numbers (from 1) that the patch wrote."""
    matcher = difflib.SequenceMatcher(None, change.original.splitlines(), change.patched.splitlines(), autojunk=False)
    return {j + 1 for tag, _, _, j1, j2 in matcher.get_opcodes() if tag != "equal" for j in range(j1, j2)}


def _dump_without(tree: ast.Module, parent: ast.AST, node: ast.expr, inner: ast.expr) -> str:
    """The dump of ``tree`` with ``node`` (a child of ``parent``) put back by ``inner``."""
    for name, value in ast.iter_fields(parent):
        if value is node:
            setattr(parent, name, inner)
            try:
                return ast.dump(tree)
            finally:
                setattr(parent, name, node)
        if isinstance(value, list) and any(v is node for v in value):
            at = next(n for n, v in enumerate(value) if v is node)
            value[at] = inner
            try:
                return ast.dump(tree)
            finally:
                value[at] = node
    return ""


_SAID = "some quantity meets any one value a failing test expects"


def adjusted(change: FileChange) -> list[str]:
    """The quantity (`_QUANTITY`) the patch only adjusts by a number: ``x`` -> ``x + 1``, ``x ** 2``."""
    trees = _parsed(change)
    if trees is None:
        return []
    original, patched = trees
    parents = {child: node for node in ast.walk(patched) for child in ast.iter_child_nodes(node)}
    found, before, rows = [], ast.dump(original), _changed_rows(change)
    for node in [n for n in ast.walk(patched) if isinstance(n, ast.BinOp) and n.lineno in rows]:
        inner = node.left if _number(node.right) else node.right if _number(node.left) else None
        parent = parents.get(node)
        if inner is None or not isinstance(parent, _QUANTITY):
            continue
        if _dump_without(patched, parent, node, inner) == before:
            text, was = (ast.get_source_segment(change.patched, n) or ast.unparse(n) for n in (node, inner))
            found.append(f"adjusts `{was}` by a number: `{text}` at {change.path}:{node.lineno}: {_SAID}")
    return found


def retuned(change: FileChange) -> list[str]:
    """Each quantity (`_QUANTITY`) the patch trades for another number."""
    trees = _parsed(change)
    if trees is None:
        return []
    old, new = (list(ast.walk(t)) for t in trees)
    if len(old) != len(new) or any(type(a) is not type(b) for a, b in zip(old, new, strict=True)):
        return []  # more than numbers changed
    parents = {child: node for node in old for child in ast.iter_child_nodes(node)}
    found = []
    for a, b in zip(old, new, strict=True):
        was, now = _number(a), _number(b)
        if was and now and was.value != now.value and isinstance(parents.get(a), _QUANTITY):
            found.append(f"changes the quantity {was.value!r} to {now.value!r} at {change.path}:{was.lineno}: {_SAID}")
    return found
