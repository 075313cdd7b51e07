"""A pytest plugin recording what one function of the project evaluates to on each test.

Loaded by `pyprobe.probe_plan` (``-p rfsn_probe``, ``hotswap.py`` beside it; it runs in the
sandbox on the environment's Python, 3.6 on, with the standard library and pytest only). Once the
module of ``RFSN_PROBE``'s file is imported, the function it names (`models.probes.Probe`) gets
the code of a copy of itself whose expression, condition and returns pass through recorders. Each
test's values (their type and whether they are callable, at most `MAX_SEEN` kinds) and its first
`MAX_TRACED` returns and truths of the condition in calls the test's code makes (with the call's
arguments, each by a stable digest: `_stable`; a return thrown away is none) go to
``RFSN_PROBE_OUT`` as JSON, with the reason the function could not be instrumented, if it could not.
"""

import ast
import bisect
import dis
import hashlib
import json
import os
import sys

import hotswap  # beside this file

#: kinds of value kept per test and place
MAX_SEEN = 8
#: evaluations kept per test; items of a container and levels of an object a digest looks into
MAX_TRACED, ITEMS, DEPTH = 200, 20, 3
#: items of a set or dict a digest sorts at most (a larger one is its size)
UNORDERED = 200
#: the recorders' names in the module's globals
VALUE, RETURN, TRUTH, ENTER, LEAVE = (
    "_rfsn_probe_value",
    "_rfsn_probe_return",
    "_rfsn_probe_truth",
    "_rfsn_probe_enter",
    "_rfsn_probe_leave",
)
SPEC = json.loads(os.environ.get("RFSN_PROBE") or "{}")
SEEN = {"values": {}, "returns": {}, "traced": {}, "error": ""}
STATE = {"test": None, "installed": False, "calls": [], "keyed": {}, "tests": set(), "real": {}}  # type: dict
_PLAIN = (type(None), bool, int, float, complex, str, bytes)
POPS = {}  # type: dict


def _name(cls):
    return getattr(cls, "__module__", "") + "." + getattr(cls, "__qualname__", cls.__name__)


def _stable(value, depth=DEPTH):
    """A text of ``value`` that is the same in another process: a plain value by its repr (a long
    one cut, with its length and hash), a container by ``ITEMS`` of its items (a set's or a dict's
    sorted: equal ones in another order are equal), another object by its type and attributes;
    ``depth`` levels down, then types alone. Never an address, never the project's own repr."""
    if isinstance(value, _PLAIN):
        text = repr(value)
        return text if len(text) <= 200 else f"{text[:100]}...{len(text)}#{_hash(text)}"
    if depth <= 0:
        return _name(type(value))
    if isinstance(value, (list, tuple)):
        inner = [_stable(v, depth - 1) for v in value[:ITEMS]]
        more = f", ...{len(value)}" if len(value) > ITEMS else ""
        return f"{type(value).__name__}[{', '.join(inner)}{more}]"
    if isinstance(value, (set, frozenset, dict)):  # equal in any order: their texts sorted
        if len(value) > UNORDERED:
            return f"{type(value).__name__}{{...{len(value)}}}"
        texts = (
            sorted(f"{_stable(k, depth - 1)}: {_stable(v, depth - 1)}" for k, v in value.items())
            if isinstance(value, dict)
            else sorted(_stable(v, depth - 1) for v in value)
        )
        more = f", ...{len(texts)}" if len(texts) > ITEMS else ""
        return f"{type(value).__name__}{{{', '.join(texts[:ITEMS])}{more}}}"
    attrs = getattr(value, "__dict__", None)
    if not isinstance(attrs, dict) or callable(value):
        return _name(type(value))
    return _name(type(value)) + _stable(attrs, depth)


def _hash(text):
    return hashlib.md5(text.encode("utf-8", "replace")).hexdigest()[:10]


def _digest(value, width=0):
    """``_stable`` cut to ``width`` characters and a hash of the rest (a hash alone: no width)."""
    try:
        text = _stable(value)
    except Exception:  # a container changed while read, a comparison that raises
        text = "?"
    if width and len(text) <= width:
        return text
    return text[:width] + ("..." if width else "") + _hash(text)


def _trace(what, value):
    """Keep ``value`` with its call's key; none outside a keyed call (after the function returned)."""
    traced = SEEN["traced"].setdefault(STATE["test"], [])
    if len(traced) < MAX_TRACED and STATE["calls"] and STATE["calls"][-1]:
        traced.append([what, STATE["calls"][-1], _digest(value, 40)])


def _recorder(kind):
    def record(value):
        test = STATE["test"]
        if test is not None:
            seen = [_name(type(value)), callable(value)]
            found = SEEN[kind].setdefault(test, [])
            if seen not in found and len(found) < MAX_SEEN:
                found.append(seen)
            if kind == "returns" and not _discarded(sys._getframe(1)):
                _trace(kind, value)
        return value

    return record


def _discarded(frame):
    """Whether the caller of ``frame`` throws its return away (a call made as a statement: the
    caller's next instruction pops it), so no change of it is seen there."""
    caller = frame.f_back
    if caller is None:
        return False
    found = POPS.get(caller.f_code)
    if found is None:
        codes = list(dis.get_instructions(caller.f_code))
        found = POPS[caller.f_code] = ([c.offset for c in codes], [c.opname for c in codes])
    at = bisect.bisect_right(found[0], caller.f_lasti)  # past the call (and its caches, 3.11 on)
    return at < len(found[1]) and found[1][at] == "POP_TOP"


def _truth(value):
    """The condition's truth, recorded (the one time it is taken: the statement takes it again)."""
    truth = bool(value)
    if STATE["test"] is not None:
        _trace("condition", truth)
    return truth


def _enter():
    """The call's arguments, by digest, as the key of what the call evaluates (``_leave`` ends it);
    none (nothing of the call is kept) past a test's first `MAX_TRACED` calls, or for a call the
    test's own code did not make: what project code does with a return is not what a test sees."""
    test, frame = STATE["test"], sys._getframe(1)
    keyed = STATE["keyed"]
    keyed[test] = keyed.get(test, 0) + 1
    full = test is None or keyed[test] > MAX_TRACED or len(SEEN["traced"].get(test, ())) >= MAX_TRACED
    STATE["calls"].append("" if full or not _from_test(frame) else _digest(dict(sorted(frame.f_locals.items()))))


def _from_test(frame):
    caller = frame.f_back
    name = caller.f_code.co_filename if caller is not None else ""
    if name not in STATE["real"]:
        STATE["real"][name] = os.path.realpath(name)
    return STATE["real"][name] in STATE["tests"]


def _leave():
    if STATE["calls"]:
        STATE["calls"].pop()


def _child(node, step):
    field, index = step
    value = getattr(node, field)
    return value if index is None else value[index]


def _call(name, node=None):
    call = ast.Call(func=ast.Name(id=name, ctx=ast.Load()), args=[node] if node is not None else [], keywords=[])
    return ast.copy_location(call, node) if node is not None else call


def _wrap(unit, path, name, where):
    """Pass the node at ``path`` (from ``unit``) through the recorder ``name``; ``where`` (its
    type, line and column) is checked on the way."""
    parent = unit
    for step in path[:-1]:
        parent = _child(parent, step)
    field, index = path[-1]
    node = _child(parent, (field, index))
    if [type(node).__name__, node.lineno, node.col_offset] != list(where):
        raise hotswap.NotSwappable("the expression is not where it was expected")
    if index is None:
        setattr(parent, field, _call(name, node))
    else:
        getattr(parent, field)[index] = _call(name, node)


def _keyed(unit):
    """Each call of ``unit`` keys what it evaluates by its arguments (a generator's, from its start)."""
    enter = ast.Expr(value=_call(ENTER))
    leave = ast.Expr(value=_call(LEAVE))
    unit.body = [enter, ast.Try(body=unit.body, handlers=[], orelse=[], finalbody=[leave])]


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
        _wrap(unit, spec["value"], VALUE, spec["node"])
    if spec.get("condition") is not None:
        _wrap(unit, spec["condition"], TRUTH, spec["condition_node"])
    if spec.get("returns") is not None:
        fn = unit
        for step in spec["returns"]:
            fn = _child(fn, step)
        for ret in _own_returns(fn):
            value = ret.value if ret.value is not None else ast.copy_location(ast.Constant(value=None), ret)
            ret.value = _call(RETURN, value)
    _keyed(unit)
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
        module.__dict__.update(
            {VALUE: _recorder("values"), RETURN: _recorder("returns"), TRUTH: _truth, ENTER: _enter, LEAVE: _leave}
        )
        hotswap.apply(module, [(SPEC["function"], codes[SPEC["function"]])])
    except (hotswap.NotSwappable, SyntaxError, ValueError, TypeError, LookupError, AttributeError, OSError) as exc:
        SEEN["error"] = f"{type(exc).__name__}: {exc}"


def pytest_collection_finish(session):
    for item in session.items:  # the files of the tests' own code
        path = getattr(item, "path", None) or getattr(item, "fspath", None)
        if path is not None:
            STATE["tests"].add(os.path.realpath(str(path)))
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
