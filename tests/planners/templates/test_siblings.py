"""A function or attribute reference swapped with a sibling of the same module or class."""

from rfsn.planners.patch.templates.python.siblings import similarity
from tests.planners.templates.helpers import fixed_by_driver, line_of, patched

OPERATOR = """
import operator

def at_least(a, b):
    return compare(operator.gt, a, b)
"""

PATHS = """
import os.path

def folder(p):
    return os.path.basename(p)
"""

CLASS = """
class Text:
    def __init__(self, s):
        self.s = s

    def lower(self):
        return self.s.lower()

    def upper(self):
        return self.s.upper()

    def shout(self):
        return self.lower() + "!"
"""

PROJECT = {"pkg/units.py": "def meters(x):\n    return x\n\ndef feet(x):\n    return x\n\nSCALE = 3\n"}
USER = """
from pkg import units

def length(x):
    return units.meters(x)
"""


def test_a_standard_library_function_never_used_in_the_file() -> None:
    out = patched(OPERATOR, line_of(OPERATOR, "operator.gt"), "sibling_reference")
    assert any("operator.ge," in text for text in out)
    assert len(out) <= 8
    assert fixed_by_driver(OPERATOR, OPERATOR.replace("operator.gt", "operator.ge"), "operator.gt") <= 10


def test_a_dotted_module_and_a_class_body() -> None:
    assert any("os.path.dirname(p)" in t for t in patched(PATHS, line_of(PATHS, "basename"), "sibling_reference"))
    out = patched(CLASS, line_of(CLASS, "self.lower() +"), "sibling_reference")
    assert any("self.upper() +" in t for t in out)
    assert not any("self.s() +" in t for t in out)  # a method is replaced with methods only


def test_a_project_module_offers_its_functions_not_its_constants() -> None:
    out = patched(USER, line_of(USER, "units.meters"), "sibling_reference", files=PROJECT)
    assert [t for t in out if "units.feet(x)" in t]
    assert not [t for t in out if "units.SCALE" in t]


def test_names_rank_by_similarity() -> None:
    assert similarity("gt", "ge") > similarity("gt", "getitem")
    assert similarity("basename", "dirname") > similarity("basename", "sep")
