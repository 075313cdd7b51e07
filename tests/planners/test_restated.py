"""Which old tests a reproduction restates: the same name and a similar body, outside the
reproduction's own file."""

from __future__ import annotations

from rfsn.planners.restated import name_in_file, restated

OLD = ("from m import f\n\n\ndef test_total():\n    assert f(2) == 3\n\n\n"
       "class TestParse:\n    def test_empty(self):\n        assert f(0) == 1\n\n\n"
       "def test_other():\n    assert f(5) == 6\n")
NEW = ("from m import f\n\n\ndef test_total():\n    assert f(2) == 4\n\n\n"
       "class TestParse:\n    def test_empty(self):\n        assert f(0) == 0\n")
FILES = {"tests/test_m.py": OLD, "tests/test_repro.py": NEW,
         "tests/test_unrelated.py": "def test_total():\n    import json\n    assert json.dumps([]) == '[]'\n"}


def test_name_is_class_and_function_parameters_aside() -> None:
    assert name_in_file("tests/a.py::TestX::test_y[1-2]") == "TestX::test_y"
    assert name_in_file("tests/a.py::test_z") == "test_z"


def test_an_old_test_repeated_with_new_expectations_is_restated() -> None:
    passing = ["tests/test_m.py::test_total", "tests/test_m.py::TestParse::test_empty",
               "tests/test_m.py::test_other", "tests/test_unrelated.py::test_total"]
    reproduction = ["tests/test_repro.py::test_total", "tests/test_repro.py::TestParse::test_empty"]
    # the same name in an unrelated file with another body is not restated; nor a test not repeated
    assert restated(passing, reproduction, FILES) == ["tests/test_m.py::test_total",
                                                      "tests/test_m.py::TestParse::test_empty"]


def test_nothing_is_restated_without_a_python_source_to_compare() -> None:
    assert restated(["tests/test_m.py::test_total"], ["tests/test_repro.py::test_total"], {}) == []
    assert restated(["t/a.test.js > total"], ["t/repro.test.js > total"], {}) == []
