"""A pytest plugin recording what one function of the project evaluates to on each test.

Loaded by `pyprobe.probe_plan` (``-p rfsn_probe``, ``hotswap.py`` beside it; it runs in the
sandbox on the environment's Python, 3.6 on, with the standard library and pytest only). Once the
module of ``RFSN_PROBE``'s file is imported, the function it names (`models.probes.Probe`) gets
the code of a copy of itself whose expression and returns pass through recorders. Each test's
values (their type and whether they are callable, at most `MAX_SEEN` kinds) go to
``RFSN_PROBE_OUT`` as JSON, with the reason the function could not be instrumented, if it could not.
"""

import ast
import json
import os
import sys

import hotswap  # beside this file

#: kinds of value kept per test and place
MAX_SEEN = 8
#: the recorders' names in the module's globals
VALUE, RETURN = "_rfsn_probe_value", "_rfsn_probe_return"
SPEC = json.loads(os.environ.get("RFSN_PROBE") or "{}")
SEEN = {"values": {}, "returns": {}, "error": ""}
STATE = {"test": None, "installed": False}


def _recorder(kind):
    def record(value):
        test = STATE["test"]
        if test is not None:
            cls = type(value)
            seen = [getattr(cls, "__module__", "") + "." + getattr(cls, "__qualname__", cls.__name__), callable(value)]
            found = SEEN[kind].setdefault(test, [])
            if seen not in found and len(found) < MAX_SEEN:
                found.append(seen)
        return value

    return record


def _child(node, step):
    field, index = step
    value = getattr(node, field)
    return value if index is None else value[index]


def _call(name, node):
    return ast.copy_location(ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[node], keywords=[]), node)


def _own_returns(fn):
    """The returns of ``fn`` itself; none for a generator (its returns end an iteration)."""
    stack, found = list(fn.body), []
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.Yield, ast.YieldFrom)):
            return []
        if isinstance(node, ast.Return):
            found.append(node)
        stack.extend(ast.iter_child_nodes(node))
    return found


def instrument(tree, spec):
    """Pass ``spec``'s expression and returns, in ``tree``, through the recorders."""
    unit = hotswap._named_defs(tree.body).get(spec["function"])
    if unit is None:
        raise hotswap.NotSwappable("{} is not one function of the file".format(spec["function"]))
    if spec.get("value") is not None:
        parent = unit
        for step in spec["value"][:-1]:
            parent = _child(parent, step)
        field, index = spec["value"][-1]
        node = _child(parent, (field, index))
        if [type(node).__name__, node.lineno, node.col_offset] != list(spec["node"]):
            raise hotswap.NotSwappable("the expression is not where it was expected")
        if index is None:
            setattr(parent, field, _call(VALUE, node))
        else:
            getattr(parent, field)[index] = _call(VALUE, node)
    if spec.get("returns") is not None:
        fn = unit
        for step in spec["returns"]:
            fn = _child(fn, step)
        for ret in _own_returns(fn):
            value = ret.value if ret.value is not None else ast.copy_location(ast.Constant(value=None), ret)
            ret.value = _call(RETURN, value)
    return ast.fix_missing_locations(tree)


def _module(path):
    for module in list(sys.modules.values()):
        name = getattr(module, "__file__", None) or ""
        if name.endswith(".py") and os.path.realpath(name) == path:
            return module
    return None


def install():
    """Instrument the function once its module is imported (at most once)."""
    path = os.path.realpath(os.path.join(os.getcwd(), SPEC["path"]))
    module = _module(path)
    if module is None or STATE["installed"]:
        return
    STATE["installed"] = True
    try:
        with open(path, encoding="utf-8") as fh:
            tree = instrument(ast.parse(fh.read()), SPEC)
        codes = hotswap._codes(compile(tree, path, "exec"))
        module.__dict__[VALUE], module.__dict__[RETURN] = _recorder("values"), _recorder("returns")
        hotswap.apply(module, [(SPEC["function"], codes[SPEC["function"]])])
    except (hotswap.NotSwappable, SyntaxError, ValueError, TypeError, LookupError, AttributeError, OSError) as exc:
        SEEN["error"] = f"{type(exc).__name__}: {exc}"


def pytest_collection_finish(session):
    install()


def pytest_runtest_logstart(nodeid, location):
    STATE["test"] = nodeid
    install()


def pytest_sessionfinish(session, exitstatus):
    STATE["test"] = None
    if not STATE["installed"] and not SEEN["error"]:
        SEEN["error"] = "no test imported {}".format(SPEC["path"])
    with open(os.environ["RFSN_PROBE_OUT"], "w", encoding="utf-8") as fh:
        json.dump(SEEN, fh)
