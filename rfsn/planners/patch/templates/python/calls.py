"""Similar builtins and methods, sibling module constants, missing keyword arguments."""

from __future__ import annotations

import ast
import importlib
import sys
from collections.abc import Iterator

from rfsn.planners.code.candidates import Splice
from rfsn.planners.patch.templates.edit import Edit, template
from rfsn.planners.patch.templates.python.base import FileContext, of_type, replace
from rfsn.planners.patch.templates.python.scope import function_at, names_before, parameters
from rfsn.planners.patch.templates.similar import SIMILAR

# keyword arguments that stdlib constants are passed as
STDLIB_KEYWORDS = {("decimal", "ROUND_"): "rounding", ("re", ""): "flags"}
#: keyword arguments the fixes corpus's design part adds to standard-library calls (by the
#: callee's last name): what a call of the library leaves at a default that is wrong
LIBRARY_KEYWORDS = {
    "open": ("encoding='utf-8'",),
    "walk": ("followlinks=True",),
    "ConfigParser": ("interpolation=None",),
    "parse_qs": ("keep_blank_values=True",),
    "parse_qsl": ("keep_blank_values=True",),
    "read_text": ("encoding='utf-8'",),
    "write_text": ("encoding='utf-8'",),
    "Popen": ("text=True",),
    "run": ("check=True", "text=True"),
    "check_output": ("text=True",),
    "dumps": ("sort_keys=True",),
    "exception": ("exc_info=True",),
    "fileConfig": ("disable_existing_loggers=False",),
}
#: the ``re`` functions whose positional argument after the string is a count, not the flags
_RE_COUNTED = {"sub": 3, "subn": 3, "split": 2}


def _callee_span(ctx: FileContext, call: ast.Call) -> tuple[int, int, str] | None:
    func = call.func
    if isinstance(func, ast.Name):
        start, end = ctx.map.span(func)
        return start, end, func.id
    if isinstance(func, ast.Attribute):
        end = ctx.map.span(func)[1]
        return end - len(func.attr), end, func.attr
    return None


@template("similar_call", 0.75)
def similar_call(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``min`` <-> ``max``, ``any`` <-> ``all``, ``.lower()`` <-> ``.upper()``, ..."""
    for call in of_type(ctx.nodes_at(line), ast.Call):
        found = _callee_span(ctx, call)
        if found is None:
            continue
        start, end, name = found
        for other in SIMILAR.get(name, ()):
            yield Edit((Splice(start, end, other),), f"replace `{name}` with `{other}`")


_NO_IMPORT = {"this", "antigravity", "turtle", "tkinter", "idlelib", "__hello__", "__phello__"}


def _module_names(module: str) -> list[str]:
    top = module.split(".")[0]
    if top not in sys.stdlib_module_names or top in _NO_IMPORT:
        return []
    try:
        return [n for n in dir(importlib.import_module(module)) if n.isupper()]
    except ImportError:
        return []


def _from_imports(tree: ast.Module) -> dict[str, str]:
    """``from m import NAME`` -> {NAME: m} for module-level imports."""
    out = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            out.update({a.asname or a.name: stmt.module for a in stmt.names})
    return out


def _siblings(name: str, pool: list[str]) -> list[str]:
    prefix = name.split("_")[0] + "_" if "_" in name else None
    if prefix is None:
        return []
    return [n for n in pool if n.startswith(prefix) and n != name]


@template("sibling_constant", 0.7)
def sibling_constant(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``ROUND_HALF_EVEN`` -> ``ROUND_HALF_UP`` and other constants of the same family."""
    imports = _from_imports(ctx.tree)
    for node in ctx.nodes_at(line):
        if isinstance(node, ast.Name) and node.id.isupper():
            pool = [*ctx.module_constants, *_module_names(imports.get(node.id, ""))]
            for other in _siblings(node.id, list(dict.fromkeys(pool))):
                yield replace(ctx, node, other, f"replace `{node.id}` with `{other}`")
        elif isinstance(node, ast.Attribute) and node.attr.isupper():
            module = node.value.id if isinstance(node.value, ast.Name) else ""
            for other in _siblings(node.attr, _module_names(module)):
                end = ctx.map.span(node)[1]
                splice = Splice(end - len(node.attr), end, other)
                yield Edit((splice,), f"replace `{node.attr}` with `{other}`")


def _keywords_seen(ctx: FileContext, name: str) -> dict[str, str]:
    """Keyword arguments passed to calls of ``name`` anywhere in the file (indexed once a file)."""
    if "keywords_seen" not in ctx.cache:
        seen: dict[str, dict[str, str]] = {}
        for call in ast.walk(ctx.tree):
            found = _callee_span(ctx, call) if isinstance(call, ast.Call) else None
            if found is not None:
                seen.setdefault(found[2], {}).update({k.arg: ctx.map.text(k.value) for k in call.keywords if k.arg})  # type: ignore[attr-defined]
        ctx.cache["keywords_seen"] = seen
    return ctx.cache["keywords_seen"].get(name, {})


def _unused_stdlib_constants(ctx: FileContext) -> dict[str, str]:
    """Imported stdlib constants never used in the file -> their keyword name."""
    if "unused_stdlib_constants" not in ctx.cache:
        used = {n.id for n in ast.walk(ctx.tree) if isinstance(n, ast.Name)}
        out = {}
        for name, module in _from_imports(ctx.tree).items():
            for (mod, prefix), keyword in STDLIB_KEYWORDS.items():
                if module == mod and name.startswith(prefix) and name.isupper() and name not in used:
                    out[name] = keyword
        ctx.cache["unused_stdlib_constants"] = out
    return ctx.cache["unused_stdlib_constants"]


@template("add_keyword_argument", 0.6)
def add_keyword_argument(ctx: FileContext, line: int) -> Iterator[Edit]:
    """Pass a keyword seen at other calls of the same function, or an unused constant."""
    unused = _unused_stdlib_constants(ctx)
    for call in of_type(ctx.nodes_at(line), ast.Call):
        found = _callee_span(ctx, call)
        library = [tuple(kw.split("=", 1)) for kw in LIBRARY_KEYWORDS.get(found[2] if found else "", ())]
        if found is None:
            continue
        present = {k.arg for k in call.keywords}
        options = _keywords_seen(ctx, found[2])
        pairs = [(k, v) for k, v in options.items() if k not in present]
        if call.args or call.keywords or library:  # a call without arguments: only the keywords seen
            pairs += [(k, v) for k, v in library if k not in present and k not in options]
            pairs += [(kw, name) for name, kw in unused.items() if kw not in present]
        end = ctx.map.span(call)[1] - 1  # before the closing parenthesis
        while ctx.source[end - 1] in " \t\n,":
            end -= 1
        for keyword, value in pairs:
            text = f"{', ' if call.args or call.keywords else ''}{keyword}={value}"
            yield Edit((Splice(end, end, text),), f"add `{keyword}={value}` to the call")


def _signatures(ctx: FileContext, name: str) -> list[tuple[list[str], list[str]]]:
    """(positional, keyword-only) parameter names of the functions and methods named ``name``
    defined in the file (``self``/``cls`` first aside), indexed once a file."""
    if "parameter_lists" not in ctx.cache:
        found: dict[str, list[tuple[list[str], list[str]]]] = {}
        for node in ast.walk(ctx.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                positional = [a.arg for a in [*node.args.posonlyargs, *node.args.args]]
                if positional[:1] in (["self"], ["cls"]):
                    positional = positional[1:]
                found.setdefault(node.name, []).append((positional, [a.arg for a in node.args.kwonlyargs]))
        ctx.cache["parameter_lists"] = found
    return ctx.cache["parameter_lists"].get(name, [])


def _unused_parameters(func: ast.FunctionDef) -> list[str]:
    """The named parameters (not ``*args``/``**kwargs``) the function never reads."""
    read = {n.id for n in ast.walk(func) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    star = {a.arg for a in (func.args.vararg, func.args.kwarg) if a is not None}
    return [p for p in parameters(func) if p not in read and p not in star and p not in ("self", "cls")]


@template("pass_missing_argument", 0.6)
def pass_missing_argument(ctx: FileContext, line: int) -> Iterator[Edit]:
    """A call that leaves out an argument the code at hand holds under the parameter's name:
    ``_get(i, seq)`` -> ``_get(i, seq, default)`` when ``_get(ind, seq, default)`` is defined
    here and ``default`` is in scope; ``get(key, convert=convert)`` -> ``..., default=default``
    when ``default`` is a parameter the function never reads."""
    func = function_at(ctx, line)
    if func is None:
        return
    scope = set(names_before(ctx, line))
    unused = _unused_parameters(func)
    for call in of_type(ctx.nodes_at(line), ast.Call):
        found = _callee_span(ctx, call)
        if (
            found is None
            or any(isinstance(a, ast.Starred | ast.GeneratorExp) for a in call.args)
            or any(k.arg is None for k in call.keywords)
        ):
            continue
        given, count = {k.arg for k in call.keywords}, len(call.args)
        options: dict[str, bool] = {}  # parameter -> passed positionally
        for names, keyword_only in _signatures(ctx, found[2]):
            for index, param in enumerate([*names, *keyword_only]):
                if index < min(count, len(names)) or param in given:  # passed already
                    continue
                if param in scope:
                    options.setdefault(param, index == count and index < len(names) and not call.keywords)
        for param in unused:
            if param not in given:
                options.setdefault(param, False)
        end = ctx.map.span(call)[1] - 1  # before the closing parenthesis
        while ctx.source[end - 1] in " \t\n,":
            end -= 1
        lead = ", " if call.args or call.keywords else ""
        for param, positional in options.items():
            text = param if positional else f"{param}={param}"
            yield Edit((Splice(end, end, lead + text),), f"pass `{text}` to the call")


@template("flags_by_keyword", 0.5)
def flags_by_keyword(ctx: FileContext, line: int) -> Iterator[Edit]:
    """``re.sub(p, r, s, re.ASCII)`` -> ``re.sub(p, r, s, flags=re.ASCII)``: flags passed
    where ``re.sub``, ``re.subn`` and ``re.split`` take the count."""
    for call in of_type(ctx.nodes_at(line), ast.Call):
        func = call.func
        if not (isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "re"):
            continue
        at = _RE_COUNTED.get(func.attr)
        if at is None or len(call.args) != at + 1 or "re." not in ctx.map.text(call.args[at]):
            continue
        start = ctx.map.span(call.args[at])[0]
        yield Edit((Splice(start, start, "flags="),), f"pass `{ctx.map.text(call.args[at])}` as the flags")


TEMPLATES = (similar_call, sibling_constant, add_keyword_argument, pass_missing_argument, flags_by_keyword)
