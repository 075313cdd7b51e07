"""Templates that draw on the failing tests' text (tests given): the material read from the
targets' test functions, a literal replaced by a test's, a test's string added to a
collection, an expected raise as a guard's exit; and the template strategy reading the test
files the session's targets name from a real workspace."""

from __future__ import annotations

import ast
from pathlib import Path

from rfsn.planners.base import RepairContext
from rfsn.planners.code.candidates import apply_splices
from rfsn.planners.code.location import Location
from rfsn.planners.code.sources import read_tests
from rfsn.planners.patch.strategies.template import TemplateStrategy
from rfsn.planners.patch.templates.python import BY_NAME, FileContext
from rfsn.planners.patch.templates.python.material import EMPTY, Material, from_tests
from tests.planners.templates.helpers import dedent, line_of

TESTS = '''
import pytest

EXPECTED = "not read: a module constant no target names"


def test_universe_domain(client):
    """A docstring is no material."""
    assert client.path == "universe/universe-domain"
    assert client.options == {"rpId": "x", "challenge": 3}


def test_empty():
    with pytest.raises(ValueError, match="addr_infos must not be empty"):
        connect([])
    with pytest.raises(TypeError, match=r"bad .* type"):
        connect(None)


def test_other():
    assert other() == "left alone"
'''

DOMAIN = """
def universe_domain(request):
    return get(request, "universe/universe_domain", missing=None)
"""

OPTIONS = """
def options(self):
    return {"rpid": self.rpid, "challenge": self.challenge}
"""

KINDS = """
def named(kind):
    if kind in ('struct', 'union', 'enum'):
        return True
    return False
"""

CONNECT = """
def connect(addr_infos):
    first = addr_infos[0]
    return first
"""


def _material(*names: str) -> Material:
    return from_tests({"tests/test_x.py": dedent(TESTS)}, [f"tests/test_x.py::{n}" for n in names])


def _patched(source: str, needle: str, name: str, material: Material) -> list[str]:
    source = dedent(source)
    ctx = FileContext("m.py", source, ast.parse(source), {}, material)
    return [apply_splices(source, e.splices) for e in BY_NAME[name].fn(ctx, line_of(source, needle))]


def test_material_is_the_targets_functions_without_docstrings_and_their_expected_raises():
    material = _material("test_universe_domain", "test_empty")
    assert "universe/universe-domain" in material.strings and "rpId" in material.strings
    assert "left alone" not in material.strings and EMPTY.strings == ()
    assert not any("docstring" in s for s in material.strings)
    assert "not read: a module constant no target names" not in material.strings
    assert material.raises == (("ValueError", "addr_infos must not be empty"),)  # a regex is no message


def test_material_reads_the_whole_file_where_no_target_names_a_function_of_it():
    whole = from_tests({"tests/test_x.py": dedent(TESTS)}, ["tests/test_y.py::test_a"])
    assert "left alone" in whole.strings and "not read: a module constant no target names" in whole.strings
    bare = from_tests({"tests/test_x.py": dedent(TESTS)}, ["tests/test_x.py:test_other"])
    assert bare.strings == ("left alone",)


def test_a_string_becomes_the_tests_string_like_it_as_google_auth_168fcc63():
    fixed = dedent(DOMAIN).replace('universe_domain"', 'universe-domain"')
    assert _patched(DOMAIN, "get(", "string_from_tests", _material("test_universe_domain")) == [fixed]


def test_a_dict_key_becomes_the_tests_key_in_the_files_quotes_as_google_auth_0c5ef364():
    fixed = dedent(OPTIONS).replace('"rpid"', '"rpId"')
    assert fixed in _patched(OPTIONS, '"rpid"', "string_from_tests", _material("test_universe_domain"))


def test_no_test_text_no_string_from_tests():
    assert _patched(DOMAIN, "get(", "string_from_tests", EMPTY) == []
    assert _patched(DOMAIN, "get(", "string_from_tests", _material("test_other")) == []


def test_a_collection_of_strings_gains_the_tests_string_like_its_elements():
    material = from_tests({"t.py": "def test_k():\n    assert named('unions')\n"}, ["t.py::test_k"])
    fixed = dedent(KINDS).replace("'enum')", "'enum', 'unions')")
    assert _patched(KINDS, "if kind", "element_from_tests", material) == [fixed]
    assert _patched(KINDS, "if kind", "element_from_tests", EMPTY) == []


def test_a_guard_exits_with_the_raise_the_tests_expect_as_aiohappyeyeballs_55dd76ae():
    fixed = dedent(CONNECT).replace(
        "    first", "    if not addr_infos:\n        raise ValueError('addr_infos must not be empty')\n    first"
    )
    assert fixed in _patched(CONNECT, "first =", "empty_guard", _material("test_empty"))
    assert fixed not in _patched(CONNECT, "first =", "empty_guard", EMPTY)


def test_an_expected_exception_the_module_cannot_name_is_no_exit():
    material = Material(raises=(("errors.Missing", "gone"), ("Unknown", "gone")))
    assert not any("raise" in t for t in _patched(CONNECT, "first =", "empty_guard", material))


def test_no_test_file_is_read_through_a_link_that_leads_out_of_the_workspace(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "test_secret.py").write_text("TOKEN = 'host secret'\n")
    work = tmp_path / "work"
    work.mkdir()
    (work / "tests").symlink_to(outside)
    (work / "test_link.py").symlink_to(outside / "test_secret.py")
    assert read_tests(work, ["tests/test_secret.py::test_a", "test_link.py::test_b"]) == {}


def test_the_template_strategy_reads_the_targets_test_files_from_the_workspace(tmp_path: Path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_x.py").write_text(dedent(TESTS))
    assert read_tests(tmp_path, ["tests/test_x.py::test_empty", "tests/missing.py::test_a"]) == {
        "tests/test_x.py": dedent(TESTS)
    }
    context = RepairContext(
        workspace=tmp_path,
        language="python",
        failing=["tests/test_x.py::test_universe_domain"],
        passing=[],
        locations=[Location("m.py", 2, 1.0)],
        files={"m.py": dedent(DOMAIN)},
        tests=read_tests(tmp_path, ["tests/test_x.py::test_universe_domain"]),
    )
    fixed = dedent(DOMAIN).replace('universe_domain"', 'universe-domain"')
    assert fixed in [c.patched for c in TemplateStrategy().ranked(context)]
    context.tests = {}
    assert fixed not in [c.patched for c in TemplateStrategy().ranked(context)]


STARTS = '''
async def start_connection(addr_infos, loop=None):
    """Connect to the first address that answers."""
    current_loop = loop or get_running_loop()
    single = len(addr_infos) == 1
    return current_loop, single
'''


def test_a_parameter_read_later_is_refused_with_the_expected_raise_as_aiohappyeyeballs_55dd76ae():
    fixed = dedent(STARTS).replace(
        "    current_loop",
        "    if not addr_infos:\n        raise ValueError('addr_infos must not be empty')\n    current_loop",
    )
    made = _patched(STARTS, "current_loop =", "raise_expected", _material("test_empty"))
    assert fixed in made and len(made) == 4  # addr_infos and loop, each `not p` and `p is None`
    assert _patched(STARTS, "current_loop =", "raise_expected", EMPTY) == []
    assert _patched(STARTS, '"""Connect', "raise_expected", _material("test_empty")) == []
