"""Import-time code (constants, signatures) is ranked through the lines that use it."""

import os
import subprocess
import sys

from rfsn.planners.localize import Location
from rfsn.planners.localize.definitions import with_callees, with_definitions

TABLE = 'import re\n\nLIMIT = 3\nPATTERN = re.compile(\n    r"^a{0,3}$"\n)\n'
USER = (
    "from .table import LIMIT, PATTERN\n\n\n"
    "def check(text, strict=[]):\n    return PATTERN.match(text) and len(text) <= LIMIT\n"
)


def test_module_constants_used_by_a_suspicious_line_are_ranked() -> None:
    files = {"pkg/table.py": TABLE, "pkg/user.py": USER}
    ranked = with_definitions([Location("pkg/user.py", 5, 1.0)], files)
    where = {(loc.file, loc.line): loc.score for loc in ranked}
    assert where[("pkg/user.py", 5)] == 1.0
    assert where[("pkg/table.py", 3)] == 0.8  # LIMIT
    assert {("pkg/table.py", 4), ("pkg/table.py", 5), ("pkg/table.py", 6)} <= set(where)  # PATTERN
    assert where[("pkg/user.py", 4)] == 0.8  # the signature with its default


def test_definitions_skip_test_files_and_functions_locals() -> None:
    files = {
        "tests/test_x.py": "LIMIT = 1\n",
        "pkg/m.py": "from tests.test_x import *\n\ndef f():\n    LIMIT = 2\n"
        "    return LIMIT\n\n\ndef g():\n    return LIMIT\n",
    }
    ranked = with_definitions([Location("pkg/m.py", 9, 1.0), Location("pkg/m.py", 5, 1.0)], files)
    assert {(loc.file, loc.line) for loc in ranked} == {
        ("pkg/m.py", 9),
        ("pkg/m.py", 5),
        ("pkg/m.py", 8),
        ("pkg/m.py", 3),
    }


def test_a_higher_score_is_never_lowered() -> None:
    files = {"m.py": "X = 1\n\ndef f():\n    return X\n"}
    ranked = with_definitions([Location("m.py", 1, 0.9), Location("m.py", 4, 1.0)], files)
    assert {(loc.file, loc.line): loc.score for loc in ranked}[("m.py", 1)] == 0.9


def test_the_ranking_is_the_same_under_every_hash_seed() -> None:
    # a line naming several constants adds their definitions in one order, whatever the
    # interpreter's string hashing: a model prompt built from the ranking must be reproducible
    # for the response cache to answer it
    program = (
        "from rfsn.planners.localize import Location\n"
        "from rfsn.planners.localize.definitions import with_definitions\n"
        "files = {'a.py': 'ALPHA = 1\\nBETA = 2\\nGAMMA = 3\\nDELTA = 4\\n',\n"
        "         'b.py': 'from a import *\\n\\ndef f():\\n    return ALPHA + BETA + GAMMA + DELTA\\n'}\n"
        "print([(l.file, l.line) for l in with_definitions([Location('b.py', 4, 1.0)], files)])\n"
    )
    orders = {
        subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
        ).stdout
        for seed in range(8)
    }
    assert len(orders) == 1 and "('a.py', 4)" in orders.pop(), orders


def test_a_name_is_looked_up_where_python_finds_it() -> None:
    """A local ``g`` is not an example script's ``g``; an imported name is its module's."""
    files = {
        "examples/plot.py": "g = plot()\nh = 2\n",
        "pkg/numbers.py": "from pkg.table import h as limit\nh = 5\n\n\ndef root(p, g=1):\n"
        "    k = g + p\n    return k + limit + h\n",
        "pkg/table.py": "h = 3\n",
    }
    where = {
        (loc.file, loc.line)
        for loc in with_definitions([Location("pkg/numbers.py", 7, 1.0), Location("pkg/numbers.py", 6, 0.9)], files)
    }
    assert ("pkg/table.py", 1) in where and ("pkg/numbers.py", 2) in where  # limit, then the module's h
    assert not any(path.startswith("examples/") for path, _ in where)


def test_an_attribute_is_looked_up_in_class_bodies_and_imported_modules() -> None:
    files = {
        "pkg/conf.py": "TIMEOUT = 3\n",
        "pkg/other.py": "TIMEOUT = 9\n",
        "pkg/model.py": "class Account:\n    rate = 2\n",
        "pkg/use.py": "from pkg import conf\n\n\ndef f(a):\n    return a.rate * conf.TIMEOUT\n",
    }
    where = {(loc.file, loc.line) for loc in with_definitions([Location("pkg/use.py", 5, 1.0)], files)}
    assert {("pkg/model.py", 2), ("pkg/conf.py", 1)} <= where and ("pkg/other.py", 1) not in where


def test_a_function_the_top_frame_line_calls_follows_it_marshmallow_8e4e746() -> None:
    """From stack frames, the body of a project function a top line calls follows that line: the
    frame stops where the caller acted on its result. marshmallow 8e4e746's seed negated
    ``is_collection``; the import error's frames ended at ``if ... not is_collection(exclude):
    raise`` in ``fields.py``, and the function's body was in no ranking."""
    utils = (
        'def is_collection(obj):\n    """Whether obj is a collection."""\n'
        "    return is_iterable(obj) and isinstance(obj, dict)\n\n\ndef unused():\n    return 1\n"
    )
    fields = (
        "from pkg import utils\nfrom pkg.utils import is_collection\n\n\n"
        "def nested(exclude=()):\n    if not is_collection(exclude):\n        raise ValueError(exclude)\n"
        "    return utils.unused()\n"
    )
    files = {"pkg/utils.py": utils, "pkg/fields.py": fields}
    ranked = with_callees([Location("pkg/fields.py", 6, 1.0), Location("pkg/fields.py", 7, 1.0)], files)
    assert [(loc.file, loc.line, loc.score) for loc in ranked] == [
        ("pkg/fields.py", 6, 1.0),
        ("pkg/fields.py", 7, 1.0),
        ("pkg/utils.py", 3, 0.8),
    ]
    called = with_callees([Location("pkg/fields.py", 8, 1.0)], files)  # through the module's name
    assert [(loc.file, loc.line) for loc in called] == [("pkg/fields.py", 8), ("pkg/utils.py", 7)]
