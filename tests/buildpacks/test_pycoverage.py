import json
from pathlib import Path

import pytest

from rfsn.buildpacks.python.pycoverage import (
    COVERAGE_RC,
    ContextMatcher,
    coverage_command,
    coverage_env,
    coverage_json_command,
    coverage_rc,
    node_parts,
    per_test_coverage,
)

DATA = Path(__file__).parent / "fixtures" / "pycoverage"


def test_real_report_from_the_ratelimit_project():
    """Recorded with COVERAGE_RC on devset ratelimit + its test_patch (coverage 7.17)."""
    report = json.loads((DATA / "ratelimit_coverage.json").read_text())
    ids = (DATA / "ratelimit_node_ids.txt").read_text().split()
    cov = per_test_coverage(report, ids)
    assert set(cov) == set(ids)
    one = cov["tests/test_bucket.py::test_can_take_exactly_the_remaining_tokens"]
    # the same lines as running that test alone under coverage
    assert sorted(one["ratelimit/bucket.py"]) == [
        19, 21, 23, 24, 25, 26, 27, 30, 31, 32, 44, 46, 48, 49, 50, 51, 52, 56, 57, 58, 59, 65
    ]  # fmt: skip
    assert one["tests/test_bucket.py"] == {71, 72, 73, 74}
    assert "ratelimit/window.py" not in one


def test_dotted_contexts_match_by_module_suffix_and_parametrized_cases():
    ids = [
        "tests/test_x.py::TestC::test_m",
        "tests/test_x.py::test_p[1]",
        "tests/test_x.py::test_p[2]",
        "tests/sub/test_y.py::test_m",
    ]
    matcher = ContextMatcher(ids)
    assert matcher.match("tests.test_x.TestC.test_m") == ["tests/test_x.py::TestC::test_m"]
    assert matcher.match("test_x.test_p") == [
        "tests/test_x.py::test_p[1]",
        "tests/test_x.py::test_p[2]",
    ]
    assert matcher.match("test_y.test_m") == ["tests/sub/test_y.py::test_m"]
    assert matcher.match("") == []
    assert matcher.match("other.test_m") == []


def test_a_runner_that_names_a_test_by_its_file_and_one_colon_is_matched():
    """sympy's ``bin/test``, read by the SWE-bench harness's parser: ``path.py:test_m``."""
    ids = ["sympy/core/tests/test_basic.py:test_m", "sympy/core/tests/test_expr.py:test_m", "test_m"]
    assert node_parts(ids[0]) == ("sympy", "core", "tests", "test_basic", "test_m")
    matcher = ContextMatcher(ids)
    assert matcher.match("sympy.core.tests.test_basic.test_m") == [ids[0]]


def test_ids_that_name_no_test_are_passed_over():
    """The harness's log parser, reading the output of a project that runs pytest inside its
    tests (pytest's own suite), reports ids such as ``[100%]``."""
    matcher = ContextMatcher(["tests/test_x.py::test_a", "[100%]", "[", ""])
    assert matcher.match("test_x.test_a") == ["tests/test_x.py::test_a"]
    assert matcher.match("[100%]") == []


def test_pytest_cov_contexts_and_root_stripping():
    report = {
        "files": {
            "/testbed/pkg/m.py": {
                "contexts": {
                    "3": ["tests/test_m.py::test_a|run", "tests/test_m.py::test_a|setup"],
                    "4": ["", "tests/test_m.py::test_b[x]|run"],
                }
            }
        }
    }
    ids = ["tests/test_m.py::test_a", "tests/test_m.py::test_b[x]"]
    assert per_test_coverage(report, ids, root="/testbed") == {
        "tests/test_m.py::test_a": {"pkg/m.py": {3}},
        "tests/test_m.py::test_b[x]": {"pkg/m.py": {4}},
    }


def test_node_parts():
    assert node_parts("tests/test_x.py::TestC::test_m[a::b]") == (
        "tests",
        "test_x",
        "TestC",
        "test_m",
    )


def test_commands_and_config_are_data():
    assert "dynamic_context = test_function" in COVERAGE_RC
    assert "core = ctrace" in COVERAGE_RC
    assert coverage_env() == {"COVERAGE_CORE": "ctrace"}
    assert coverage_rc("/tmp/d").endswith("data_file = /tmp/d\n")
    argv = coverage_command(["-x", "tests"], "/tmp/rc")
    assert argv[:4] == ["python", "-m", "coverage", "run"]
    assert argv[-4:] == ["-m", "pytest", "-x", "tests"]
    assert coverage_json_command("/tmp/d", "/tmp/rc", "/tmp/o.json", "/tmp/s.py") == [
        "python",
        "/tmp/s.py",
        "/tmp/d",
        "/tmp/rc",
        "/tmp/o.json",
    ]


@pytest.mark.parametrize(
    "text",
    [
        "",
        "not json",
        "[1]",
        '{"files": [1]}',
        '{"files": {"a.py": 3}}',
        '{"files": {"a.py": {"contexts": {"x": ["t.py::test_a"]}}}}',
    ],
)
def test_a_report_not_of_coverages_shape_is_no_coverage(text: str) -> None:
    from rfsn.buildpacks.python.buildpack import PythonBuildpack

    assert PythonBuildpack().parse_coverage({"coverage.json": text}, ["t.py::test_a"], "/testbed") == {}


def test_the_rc_holds_only_the_options_the_environments_coverage_knows() -> None:
    """Before 5.0 an unknown rc option stops coverage (pyparsing bcb8242 pins 4.4.2:
    ``Unrecognized option '[run] core='``); ``core`` came in 7.9, contexts in 5.0."""
    assert "core" not in coverage_rc("/d", (7, 8, 2)) and "dynamic_context" in coverage_rc("/d", (7, 8, 2))
    assert coverage_rc("/d", (4, 4, 2)) == "[run]\nbranch = False\nsource = .\ndata_file = /d\n"
    assert coverage_rc("/d", (7, 9)) == coverage_rc("/d") == f"{COVERAGE_RC}data_file = /d\n"


def test_the_per_test_plan_runs_beside_the_pythonpath_the_environment_sets(tmp_path: Path) -> None:
    """The per-test plugin's directory goes before the environment's PYTHONPATH, not in its
    place (a project that finds its code through PYTHONPATH failed to import; found in review),
    and each test's lines come back under its id."""
    import os
    import subprocess
    import sys

    from rfsn.buildpacks.python.pycoverage import per_test_coverage, per_test_plan

    lib, report = tmp_path / "lib", tmp_path / "report"
    lib.mkdir(), report.mkdir()
    (lib / "m.py").write_text("def f(x):\n    if x:\n        return 1\n    return 2\n")
    (tmp_path / "test_m.py").write_text(
        "import m\n\ndef test_a():\n    assert m.f(1) == 1\n\ndef test_b():\n    assert m.f(0) == 2\n"
    )
    plan = per_test_plan(["-q", "-p", "no:cacheprovider", "test_m.py"], str(report), (4, 5))
    for name, text in plan.files.items():
        (report / name).write_text(text)
    argv = [sys.executable if arg == "python" else arg for arg in plan.commands[0]]
    done = subprocess.run(
        argv,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **plan.env, "PYTHONPATH": str(lib)},
    )
    assert done.returncode == 0, done.stdout[-500:] + done.stderr[-500:]
    coverage = per_test_coverage(
        json.loads((report / "coverage.json").read_text()), ["test_m.py::test_a", "test_m.py::test_b"], str(tmp_path)
    )
    assert coverage["test_m.py::test_a"]["lib/m.py"] == {2, 3}
    assert coverage["test_m.py::test_b"]["lib/m.py"] == {2, 4}
