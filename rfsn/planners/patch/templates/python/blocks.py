"""Block structure: a statement wrapped in ``try``/``except`` for the error its operations raise,
a statement joined to the compound statement before it (``if`` -> ``elif``, moved into an
``else:`` or indented into the block's end), an ``if``/``try`` replaced by one of its blocks, and
an ``else`` branch run in every case: the fix shapes "statement wrapped in try", "statement
deleted" (a statement that moved into a block), "expression narrowed" (a block unwrapped) and
"statements inserted" (an ``else`` dropped) of the fixes corpus (benchmarks/fixes)."""

from __future__ import annotations

import ast
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FUNCTIONS, FileContext
from rfsn.planners.patch.templates.python.exits import guard_actions, indent_unit, starts_line

_EXITS = (ast.Return, ast.Raise, ast.Continue, ast.Break)
#: the methods and functions of the standard library that fail with ``OSError``
_OS_CALLS = frozenset(
    {
        "open",
        "remove",
        "unlink",
        "rmdir",
        "chmod",
        "chown",
        "rename",
        "replace",
        "makedirs",
        "mkdir",
        "stat",
        "close",
        "kill",
        "symlink",
        "rmtree",
        "copyfile",
        "listdir",
        "scandir",
    }
)
_IMPORTS = frozenset({"__import__", "import_module"})
#: compound statements a following statement may be moved into
_COMPOUND = ast.If | ast.For | ast.AsyncFor | ast.While | ast.With | ast.AsyncWith | ast.Try


def _callee(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def raised_by(stmt: ast.stmt) -> list[str]:
    """Pure: the built-in exceptions the statement's operations raise (its blocks' too), in a
    fixed order: an item's ``KeyError``/``IndexError``, an attribute's ``AttributeError``, a
    call's ``TypeError``/``ValueError`` and the callee's own (``next``, imports, files), a division's."""
    found: set[str] = set()
    for node in ast.walk(stmt):
        if isinstance(node, ast.Subscript) and not isinstance(node.slice, ast.Slice):
            found |= {"KeyError", "IndexError"}
        elif isinstance(node, ast.Attribute):
            found.add("AttributeError")
        elif isinstance(node, ast.Call):
            name = _callee(node)
            found |= {"TypeError", "ValueError"}
            found |= {"StopIteration"} if name == "next" else {"ImportError"} if name in _IMPORTS else set()
            found |= {"OSError"} if name in _OS_CALLS else set()
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div | ast.FloorDiv | ast.Mod):
            found.add("ZeroDivisionError")
        elif isinstance(node, ast.Import | ast.ImportFrom):
            found.add("ImportError")
    order = (
        "KeyError",
        "IndexError",
        "AttributeError",
        "StopIteration",
        "ImportError",
        "OSError",
        "TypeError",
        "ValueError",
        "ZeroDivisionError",
    )
    return [name for name in order if name in found]


def lines_of(ctx: FileContext, stmt: ast.stmt) -> tuple[int, int, str]:
    """The offsets of the statement's whole lines and their text (ending in a newline)."""
    start, end = ctx.map.line_start(stmt.lineno), ctx.map.line_start(stmt.end_lineno + 1)  # type: ignore[operator]
    text = ctx.source[start:end]
    return start, end, text if text.endswith("\n") else text + "\n"


def indented(text: str, unit: str) -> str:
    """Pure: ``text`` with ``unit`` before each of its non-blank lines."""
    return "".join(unit + line if line.strip() else line for line in text.splitlines(keepends=True))


def multiline_string(stmt: ast.stmt) -> bool:
    """Whether a string of the statement spans lines (indenting it would change its value)."""
    return any(
        isinstance(n, ast.Constant) and isinstance(n.value, str | bytes) and n.end_lineno != n.lineno
        for n in ast.walk(stmt)
    )


def _movable(ctx: FileContext, line: int) -> ast.stmt | None:
    """The statement at ``line`` when it may be re-indented as a whole (it starts its line, in a
    function, and holds no string spanning lines, whose text indenting would change)."""
    stmt = ctx.statement_at(line)
    if (
        stmt is None
        or isinstance(stmt, FUNCTIONS | ast.ClassDef)
        or not starts_line(ctx, stmt)
        or multiline_string(stmt)
        or ctx.enclosing(stmt, FUNCTIONS) is None
    ):
        return None
    return stmt


@template("wrap_in_try", 0.3)
def wrap_in_try(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``stmt`` -> ``try: stmt`` ``except E: pass`` (or the function's early exit) for each
    exception ``E`` its operations raise: a statement whose failure the caller must not see."""
    stmt = _movable(ctx, line)
    if stmt is None or isinstance(stmt, ast.Try):
        return
    start, end, text = lines_of(ctx, stmt)
    indent, unit = ctx.map.indent(stmt.lineno), indent_unit(ctx)
    exits = [action.replace("return None", "return") for action in guard_actions(ctx, stmt, line)]
    handlers = list(dict.fromkeys(["pass", *exits]))
    pairs = [(error, handler) for error in raised_by(stmt) for handler in handlers]
    for error, handler in [*pairs, *_attribute_lookup(ctx, stmt)]:
        body = f"{indent}try:\n{indented(text, unit)}{indent}except {error}:\n{indent}{unit}{handler}\n"
        yield Edit((Splice(start, end, body),), f"catch `{error}` around the statement: `{handler}`")


def _attribute_lookup(ctx: FileContext, stmt: ast.stmt) -> list[tuple[str, str]]:
    """``except KeyError: raise AttributeError(name)`` in a ``__getattr__`` (or a function the
    file's ``__getattr__`` calls) whose first parameter is the attribute's name: a failed lookup
    reported as the missing attribute that ``getattr``/``hasattr`` expect."""
    func = ctx.enclosing(stmt, FUNCTIONS)
    if not isinstance(func, FUNCTIONS):
        return []
    names = [a.arg for a in [*func.args.posonlyargs, *func.args.args] if a.arg not in ("self", "cls")]
    if not names or (func.name != "__getattr__" and func.name not in _called_by_getattr(ctx)):
        return []
    return [("KeyError", f"raise AttributeError({names[0]})")]


def _called_by_getattr(ctx: FileContext) -> set[str]:
    """The names the file's ``__getattr__`` methods call."""
    if "getattr_calls" not in ctx.cache:
        ctx.cache["getattr_calls"] = {
            _callee(call)
            for func in ast.walk(ctx.tree)
            if isinstance(func, FUNCTIONS) and func.name == "__getattr__"
            for call in ast.walk(func)
            if isinstance(call, ast.Call)
        }
    return ctx.cache["getattr_calls"]


def _previous(ctx: FileContext, stmt: ast.stmt) -> ast.stmt | None:
    """The statement just before ``stmt`` in the same body (None: it is the first)."""
    parent = ctx.parents.get(stmt)
    for field in ("body", "orelse", "finalbody"):
        body = getattr(parent, field, None)
        if isinstance(body, list) and stmt in body:
            at = body.index(stmt)
            return body[at - 1] if at else None
    return None


def _last_line_statement(ctx: FileContext, block: ast.stmt) -> ast.stmt:
    """The last statement of the compound statement's final block (an ``elif`` chain followed)."""
    while True:
        if isinstance(block, ast.Try):
            tail = block.finalbody or block.orelse or (block.handlers[-1].body if block.handlers else block.body)
        else:
            tail = getattr(block, "orelse", None) or block.body  # type: ignore[attr-defined]
        last = tail[-1]
        if not (isinstance(last, ast.If) and last.col_offset == block.col_offset):
            return last
        block = last  # an elif: its own blocks


@template("join_previous_block", 0.3)
def join_previous_block(ctx: FileContext, line: int) -> Iterator[Edit]:
    """The statement after an ``if``/loop/``with``/``try`` made part of it: ``if`` -> ``elif``,
    moved under a new ``else:``, or indented into the block's last statements."""
    stmt = _movable(ctx, line)
    prev = _previous(ctx, stmt) if stmt is not None else None
    if stmt is None or not isinstance(prev, _COMPOUND):
        return
    start, end, text = lines_of(ctx, stmt)
    indent, unit = ctx.map.indent(stmt.lineno), indent_unit(ctx)
    if isinstance(prev, ast.If) and not prev.orelse:
        if isinstance(stmt, ast.If) and ctx.source.startswith("if", ctx.map.span(stmt)[0]):
            at = ctx.map.span(stmt)[0]
            yield Edit((Splice(at, at, "el"),), "join the `if` to the one before as its `elif`")
        else:  # an ``if`` under an ``else:`` is the ``elif`` above
            yield Edit(
                (Splice(start, end, f"{indent}else:\n{indented(text, unit)}"),),
                "move the statement under an `else:` of the `if` before",
            )
    inner = ctx.map.indent(_last_line_statement(ctx, prev).lineno)
    if len(inner) > len(indent) and inner.startswith(indent):
        yield Edit(
            (Splice(start, end, indented(text, inner[len(indent) :])),),
            "indent the statement into the end of the block before",
        )


def _dedented(ctx: FileContext, block: list[ast.stmt], indent: str, first: int) -> str | None:
    """The lines of ``block`` from line ``first`` (the comments before it too) at ``indent``
    (None: a line is not indented past it alike)."""
    end = ctx.map.line_start(block[-1].end_lineno + 1)  # type: ignore[operator]
    start, inner = ctx.map.line_start(first), ctx.map.indent(block[0].lineno)
    if len(inner) <= len(indent) or not inner.startswith(indent) or any(multiline_string(s) for s in block):
        return None
    lines = ctx.source[start:end].splitlines(keepends=True)
    if any(line.strip() and not line.startswith(inner) for line in lines):
        return None
    text = "".join(indent + line[len(inner) :] if line.strip() else line for line in lines)
    return text if text.endswith("\n") else text + "\n"


def _kept_blocks(stmt: ast.If | ast.Try) -> list[tuple[str, list[ast.stmt]]]:
    """The blocks of an ``if`` (or ``try``) that may stand alone: its body and its ``else``
    branch, a ``try``'s body (an ``elif`` is no block of its own: ``_dedented`` refuses it)."""
    if isinstance(stmt, ast.Try):
        return [("`try`'s body", stmt.body)]
    return [("`if`'s body", stmt.body), *([("`else` branch", stmt.orelse)] if stmt.orelse else [])]


@template("unwrap_block", 0.25)
def unwrap_block(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if c: A`` -> ``A`` (``if c: A else: B`` -> ``A`` or ``B``), ``try: A except ...`` ->
    ``A``: a condition the code must not depend on, an error it must not hide."""
    stmt = ctx.statement_at(line)
    if not isinstance(stmt, ast.If | ast.Try):
        return
    keyword = "if" if isinstance(stmt, ast.If) else "try"
    if (
        stmt.lineno != line
        or not starts_line(ctx, stmt)
        or not ctx.source.startswith(keyword, ctx.map.span(stmt)[0])
        or ctx.enclosing(stmt, FUNCTIONS) is None
    ):
        return
    start, end, _ = lines_of(ctx, stmt)
    indent = ctx.map.indent(stmt.lineno)
    header_end = (stmt.test.end_lineno or stmt.lineno) if isinstance(stmt, ast.If) else stmt.lineno
    for name, block in _kept_blocks(stmt):
        first = min(header_end + 1, block[0].lineno) if block is stmt.body else block[0].lineno
        text = _dedented(ctx, block, indent, first)
        if text is not None:
            yield Edit((Splice(start, end, text),), f"keep only the {name}, unconditionally")


def _else_line(ctx: FileContext, stmt: ast.If) -> int | None:
    """The line of ``stmt``'s ``else:`` (None: its ``orelse`` is an ``elif`` or empty)."""
    if not stmt.orelse:
        return None
    lines = range(stmt.orelse[0].lineno - 1, stmt.body[-1].end_lineno or stmt.lineno, -1)
    found = next((n for n in lines if ctx.map.lines[n - 1].strip().startswith("else")), None)
    return found if found is not None and ctx.map.indent(found) == ctx.map.indent(stmt.lineno) else None


@template("else_always", 0.25)
def else_always(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``if c: A else: B`` -> ``if c: A`` then ``B``: work every case needs was done in one
    branch only (the ``if`` body does not exit, else nothing would change)."""
    stmt = ctx.statement_at(line)
    owner = ctx.parents.get(stmt) if stmt is not None else None
    node = owner if isinstance(owner, ast.If) and stmt in owner.orelse else stmt
    if not isinstance(node, ast.If) or isinstance(node.body[-1], _EXITS):
        return
    at = _else_line(ctx, node)
    if at is None or (node is stmt and line != at) or ctx.enclosing(node, FUNCTIONS) is None:
        return
    text = _dedented(ctx, node.orelse, ctx.map.indent(node.lineno), node.orelse[0].lineno)
    if text is not None:
        start, end = ctx.map.line_start(at), ctx.map.line_start(node.orelse[-1].end_lineno + 1)  # type: ignore[operator]
        yield Edit((Splice(start, end, text),), "run the `else` branch in every case, after the `if`")


TEMPLATES = (wrap_in_try, join_previous_block, unwrap_block, else_always)
