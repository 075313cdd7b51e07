"""Hot swaps: an edit local to function bodies reaches an imported module without a re-import;
anything else is refused, so that a fresh process runs it."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import rfsn.buildpacks.python.warm as warm_scripts
from rfsn.buildpacks.python.warm.hotswap import NotSwappable, plan

SOURCE = """import functools

LIMIT = 10


def clamp(x):
    return min(x, LIMIT)


class Box:
    def __init__(self, items):
        self.items = items

    def size(self):
        return len(self.items)

    def __doubled(self):
        return 2 * len(self.items)

    def doubled(self):
        return self.__doubled()

    @property
    def empty(self):
        return not self.items

    @staticmethod
    def unit():
        return 1

    def nested(self):
        def inner():
            return self.size()
        return inner()


@functools.lru_cache
def cached(x):
    return x * 2


def table():
    return {1: "one"}


TABLE = table()
"""


@pytest.fixture
def swapping(monkeypatch: pytest.MonkeyPatch) -> Iterator[ModuleType]:
    """hotswap_loaded.py as the servers import it: beside hotswap.py, both top-level modules."""
    monkeypatch.syspath_prepend(str(Path(warm_scripts.__file__).parent))
    for name in ("hotswap", "hotswap_loaded"):
        monkeypatch.delitem(sys.modules, name, raising=False)
    yield importlib.import_module("hotswap_loaded")
    for name in ("hotswap", "hotswap_loaded"):
        sys.modules.pop(name, None)


@pytest.fixture
def module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[ModuleType, Path]]:
    name = f"hotswap_target_{abs(hash(tmp_path))}"
    path = tmp_path / f"{name}.py"
    path.write_text(SOURCE)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield importlib.import_module(name), path
    sys.modules.pop(name, None)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1) + "\n")  # the size changes: a new stat


def test_a_body_edit_reaches_every_reference_to_the_function(
    module: tuple[ModuleType, Path], swapping: ModuleType
) -> None:
    mod, path = module
    loaded = swapping.Loaded(str(path.parent), {mod.__name__: mod})
    clamp, box = mod.clamp, mod.Box([1, 2])
    edit(path, "return min(x, LIMIT)", "return max(x, LIMIT)")
    edit(path, "return len(self.items)", "return len(self.items) + 100")
    edit(path, "return not self.items", "return bool(self.items)")
    edit(path, "return 1\n", "return 2\n")
    loaded.refresh()
    assert clamp(3) == 10 and mod.clamp is clamp  # the same object, new code
    assert box.size() == 102 and box.empty is True and mod.Box.unit() == 2
    assert box.nested() == 102


def test_a_private_method_is_found_under_its_mangled_name_cachetools_seed_3(
    module: tuple[ModuleType, Path], swapping: ModuleType
) -> None:
    mod, path = module
    loaded = swapping.Loaded(str(path.parent), {mod.__name__: mod})
    edit(path, "return 2 * len(self.items)", "return 3 * len(self.items)")
    loaded.refresh()
    assert mod.Box([1]).doubled() == 3


def test_a_nested_function_is_swapped_with_its_outer_function(
    module: tuple[ModuleType, Path], swapping: ModuleType
) -> None:
    mod, path = module
    loaded = swapping.Loaded(str(path.parent), {mod.__name__: mod})
    edit(path, "            return self.size()", "            return -self.size()")
    loaded.refresh()
    assert mod.Box([1]).nested() == -1


@pytest.mark.parametrize(
    ("old", "new", "why"),
    [
        ("LIMIT = 10", "LIMIT = 11", "not local to function bodies"),
        ("def clamp(x):", "def clamp(x, y=0):", "not local to function bodies"),
        ("return x * 2", "return x * 3", "cached is decorated"),
        ('return {1: "one"}', 'return {1: "uno"}', "table is used by code that runs at import time"),
        ("return min(x, LIMIT)", "return min(x, LIMIT", "does not compile"),
    ],
)
def test_an_edit_that_is_not_local_to_a_body_is_refused(
    module: tuple[ModuleType, Path], swapping: ModuleType, old: str, new: str, why: str
) -> None:
    mod, path = module
    loaded = swapping.Loaded(str(path.parent), {mod.__name__: mod})
    edit(path, old, new)
    with pytest.raises(swapping.NotSwappable, match=why):
        loaded.refresh()
    assert mod.clamp(30) == 10  # nothing was half-applied


def test_new_code_that_closes_over_other_variables_does_not_fit(
    module: tuple[ModuleType, Path], swapping: ModuleType
) -> None:
    mod, path = module
    loaded = swapping.Loaded(str(path.parent), {mod.__name__: mod})
    edit(path, "return len(self.items)", "return super().__sizeof__()")  # a __class__ cell
    with pytest.raises(swapping.NotSwappable, match="closes over other variables"):
        loaded.refresh()


def test_a_name_defined_twice_is_ambiguous() -> None:
    with pytest.raises(NotSwappable, match="defined twice"):
        plan(
            "class A:\n    def p(self):\n        return 1\n    def p(self):\n        return 2\n",
            "class A:\n    def p(self):\n        return 1\n    def p(self):\n        return 3\n",
            "m.py",
        )


def test_an_edit_beside_a_name_defined_twice_is_swapped() -> None:
    """Overloads and property setters are common in real projects: only an edit to one of them is
    ambiguous, not an edit elsewhere in the same module."""
    twice = "class A:\n    def p(self):\n        return 1\n    def p(self):\n        return 2\n"
    swaps = plan(twice + "def f(x):\n    return x - 1\n", twice + "def f(x):\n    return x + 1\n", "m.py")
    assert [name for name, _ in swaps] == ["f"]


def test_files_outside_the_project_and_unchanged_files_are_left_alone(
    module: tuple[ModuleType, Path], swapping: ModuleType, tmp_path: Path
) -> None:
    mod, path = module
    assert swapping.Loaded(str(tmp_path / "elsewhere"), {mod.__name__: mod}).entries == {}
    loaded = swapping.Loaded(str(path.parent), {mod.__name__: mod})
    path.touch()  # a new stat, the same text
    loaded.refresh()
    assert mod.clamp(30) == 10


def test_an_edit_is_planned_once_for_every_run_of_it(
    module: tuple[ModuleType, Path], swapping: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server plans the edit before forking a run (``prepare``): the run, and the next run of
    the same edit (a candidate's next tier), swap it in without parsing the module again. On a
    3,800-line module a plan took 0.3 s, more than the run of a few tests it came before."""
    mod, path = module
    loaded = swapping.Loaded(str(path.parent), {mod.__name__: mod})
    edit(path, "return min(x, LIMIT)", "return max(x, LIMIT)")
    loaded.prepare()
    assert mod.clamp(3) == 3  # planned, not applied: the server's own modules stay as loaded

    def no_parse(*args: object) -> None:
        raise AssertionError("planned again")

    monkeypatch.setattr(swapping, "planned", no_parse)
    monkeypatch.setattr(swapping, "LoadedText", no_parse)
    loaded.refresh()
    loaded.refresh()
    assert mod.clamp(3) == 10


def test_the_loaded_text_is_analysed_once_for_all_its_edits(
    module: tuple[ModuleType, Path], swapping: ModuleType
) -> None:
    mod, path = module
    loaded = swapping.Loaded(str(path.parent), {mod.__name__: mod})
    edit(path, "return min(x, LIMIT)", "return max(x, LIMIT)")
    loaded.refresh()
    (analysed,) = loaded.analysed.values()
    edit(path, "return len(self.items)", "return len(self.items) + 100")
    loaded.refresh()
    assert list(loaded.analysed.values()) == [analysed] and mod.Box([1]).size() == 101


def test_an_edit_that_cannot_be_swapped_is_refused_at_every_run_of_it(
    module: tuple[ModuleType, Path], swapping: ModuleType
) -> None:
    mod, path = module
    loaded = swapping.Loaded(str(path.parent), {mod.__name__: mod})
    edit(path, "LIMIT = 10", "LIMIT = 11")
    loaded.prepare()  # a server: the refusal is the run's to report
    for _ in range(2):
        with pytest.raises(swapping.NotSwappable, match="not local to function bodies"):
            loaded.refresh()


SCRIPT = """import sys


def main(argv=None):
    return 1


def setup():
    return 0


if __name__ == "__main__":
    sys.exit(main())
"""


def test_what_only_a_scripts_main_block_calls_is_swapped_csvreport() -> None:
    """``if __name__ == "__main__":`` does not run on import: csvreport's ``main``, edited by 206
    of its session's 525 screening runs, went to a fresh process each time."""
    swaps = plan(SCRIPT, SCRIPT.replace("return 1", "return 2"), "cli.py")
    assert [name for name, _ in swaps] == ["main"]
    reversed_guard = SCRIPT.replace('__name__ == "__main__"', '"__main__" == __name__')
    assert [n for n, _ in plan(reversed_guard, reversed_guard.replace("return 1", "return 2"), "cli.py")] == ["main"]


def test_the_else_of_a_main_block_runs_on_import() -> None:
    source = SCRIPT + "else:\n    setup()\n"
    with pytest.raises(NotSwappable, match="setup is used by code that runs at import time"):
        plan(source, source.replace("return 0", "return 5"), "cli.py")
    other = SCRIPT.replace('__name__ == "__main__"', '__name__ != "__main__"')
    with pytest.raises(NotSwappable, match="main is used by code that runs at import time"):
        plan(other, other.replace("return 1", "return 2"), "cli.py")


BASE = """class Cache:
    def __setitem__(self, key, value):
        self.last = (key, value)

    def get(self, key):
        return key


class LRU(Cache):
    def __setitem__(self, key, value, cache_setitem=Cache.__setitem__):
        cache_setitem(self, key, value)


alias = Cache.get
"""
INIT = BASE.replace("    def get(", "    def __init__(self):\n        self.n = 0\n\n    def get(")
SETITEM = ("self.last = (key, value)", "self.last = (value, key)")


def test_a_function_only_referenced_at_import_time_is_swapped() -> None:
    """A default value or an alias holds the function object, which takes the new code
    (cachetools' subclasses keep ``Cache.__setitem__`` as a default argument)."""
    swaps = plan(BASE, BASE.replace(*SETITEM), "m.py")
    assert [name for name, _ in swaps] == ["Cache.__setitem__"]
    swaps = plan(BASE, BASE.replace("return key", "return -key"), "m.py")
    assert [name for name, _ in swaps] == ["Cache.get"]
    other = INIT + "marker = object()\n"  # a call at import time, of no class of this module
    swaps = plan(other, other.replace("self.n = 0", "self.n = 1"), "m.py")
    assert [name for name, _ in swaps] == ["Cache.__init__"]


@pytest.mark.parametrize(
    ("module_code", "old", "new"),
    [
        ("X = Cache.get(1)", "return key", "return -key"),  # called
        ("X = sorted([3, 1], key=Cache.get)", "return key", "return -key"),  # handed to a call
        ("@Cache.get\ndef f():\n    pass", "return key", "return -key"),  # a decorator
        ("c = object()\nc['k'] = 1", *SETITEM),  # syntax calling __setitem__
        ("c = LRU()", "self.n = 0", "self.n = 1"),  # a class of the module built: __init__ ran
    ],
)
def test_a_function_that_may_have_run_at_import_time_is_refused(module_code: str, old: str, new: str) -> None:
    source = INIT + module_code + "\n"
    with pytest.raises(NotSwappable, match="used by code that runs at import time"):
        plan(source, source.replace(old, new), "m.py")


def test_the_def_after_its_overload_stubs_is_swapped() -> None:
    """iniconfig's ``get``: ``@overload`` stubs, then the def that exists at run time. An edit to
    that def is swapped; the stubs are no second definition."""
    head = "from typing import overload\n\n\nclass A:\n"
    stubs = (
        "    @overload\n    def get(self, key: str) -> str: ...\n\n"
        "    @overload\n    def get(self, key: str, default: int) -> int: ...\n\n"
    )
    old = head + stubs + "    def get(self, key, default=None):\n        return self.find(key)\n"
    new = old.replace("self.find(key)", "self.find(key, default=default)")
    mod = ModuleType("m")
    exec(compile(old, "m.py", "exec"), mod.__dict__)
    swaps = plan(old, new, "m.py")
    assert [name for name, _ in swaps] == ["A.get"]
    assert "default" in swaps[0][1].co_names or "default" in swaps[0][1].co_varnames
