"""Target groups are tried in the order of the evidence that they are a code fault in the project,
not by size: one rule per sign, environment-shaped groups last. Read from a real pytest run of a
project whose bug fails two tests beside an annotation test, a subprocess's undecodable output
and a missing program (the shape of a real project's baseline with six failures in three causes)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rfsn.buildpacks.python.buildpack import PythonBuildpack
from rfsn.fsutil import project_modules
from rfsn.planners.code.sources import read_sources
from rfsn.planners.reproduce.evidence import defined_names, ordered, shape, signs
from rfsn.planners.reproduce.targets import causes, group

#: a one-line bug (``>=`` for ``>``) failing two tests; a version-dependent annotation test; a
#: test decoding a subprocess's output; a test running a program that is not there
PROJECT = {
    "fmtlib/__init__.py": "",
    "fmtlib/fields.py": (
        "def check_length(value, limit):\n    if len(value) >= limit:\n"
        "        raise ValueError(f\"Length of 'value' must be <= {limit}: {len(value)}\")\n"
        "    return value\n\n\ndef describe(flag: bool = False):\n"
        "    return 'on' if flag else 'off'\n"
    ),
    "tests/test_fields.py": (
        "from fmtlib.fields import check_length\n\n\n"
        "def test_at_limit():\n    assert check_length('abcd', 4) == 'abcd'\n\n\n"
        "def test_padded_at_limit():\n    assert check_length('ab  ', 4).strip() == 'ab'\n\n\n"
        "def test_short():\n    assert check_length('ab', 4) == 'ab'\n\n\n"
        "def test_too_long():\n    try:\n        check_length('abcde', 4)\n"
        "    except ValueError:\n        return\n    raise AssertionError('no error')\n"
    ),
    "tests/test_annotations.py": (
        "from fmtlib.fields import describe\n\n\n"
        "def test_flag_annotation():\n"
        "    assert describe.__annotations__['flag'] is None\n"
    ),
    "tests/test_tools.py": (
        "import json\nimport subprocess\nimport sys\n\n\n"
        "def test_lint_clean():\n"
        "    subprocess.run(['fmtlib-lint-absent-rfsn', 'fmtlib'], check=True)\n\n\n"
        "def test_report_is_json():\n"
        "    out = subprocess.run([sys.executable, '-c', \"print('lint: 0 problems')\"],\n"
        "                         capture_output=True, text=True)\n"
        "    assert json.loads(out.stdout) == {'problems': 0}\n"
    ),
}


def write(repo: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)


def baseline(repo: Path) -> tuple[str, list[str]]:
    """A real pytest run of ``repo`` with the buildpack's command: its output and failing tests."""
    pack = PythonBuildpack()
    (repo / ".reports").mkdir()
    argv = [sys.executable, *pack.test_command([], str(repo / ".reports"))[1:]]
    proc = subprocess.run(argv, cwd=repo, capture_output=True, text=True, timeout=120)
    statuses = pack.parse(proc.stdout, {p.name: p.read_text() for p in (repo / ".reports").iterdir()})
    return proc.stdout, sorted(t for t, s in statuses.items() if s in ("failed", "error"))


def test_the_bugs_group_goes_first_and_the_environment_shaped_last_whatever_their_size(tmp_path: Path) -> None:
    write(tmp_path, PROJECT)
    log, failing = baseline(tmp_path)
    groups = ordered(
        group(failing, causes(log), project_modules(tmp_path)), log, read_sources(tmp_path, "python"), str(tmp_path)
    )
    names = [(g.kind, [t.rsplit("::", 1)[-1] for t in g.tests]) for g in groups]
    assert names == [
        ("target", ["test_at_limit", "test_padded_at_limit"]),
        ("target", ["test_flag_annotation"]),
        ("target", ["test_report_is_json"]),
        ("environment", ["test_lint_clean"]),
    ], [(g.cause, g.evidence) for g in groups]
    assert groups[0].evidence == [
        "its frames end in project code (fmtlib/fields.py)",
        "its 2 tests agree on fmtlib/fields.py:3",
    ]
    assert groups[1].evidence == ["environment-shaped (a version-dependent test of annotations or typing): tried last"]
    assert groups[2].evidence == ["environment-shaped (a decode error of a subprocess's output): tried last"]


def test_an_assertion_on_a_project_value_is_a_sign_and_a_builtins_is_not(tmp_path: Path) -> None:
    """The larger group goes first: it asserts on what the project's ``discount`` returns."""
    write(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/pricing.py": "def discount(q):\n    return 0\n",
            "tests/test_p.py": (
                "from shop.pricing import discount\n\n"
                "def test_big():\n    assert discount(50) == 10\n\n"
                "def test_bigger():\n    assert discount(90) == 10\n\n"
                "def test_round():\n    assert round(1 / 3, 2) >= 0.34\n"
            ),
        },
    )
    log, failing = baseline(tmp_path)
    groups = ordered(group(failing, causes(log), set()), log, read_sources(tmp_path, "python"), str(tmp_path))
    assert [g.tests for g in groups] == [
        ["tests/test_p.py::test_big", "tests/test_p.py::test_bigger"],
        ["tests/test_p.py::test_round"],
    ], [(g.cause, g.evidence) for g in groups]
    assert groups[0].evidence == ["it asserts on the project's values (discount)", "its 2 tests agree on discount"]
    assert groups[1].evidence == []


def test_the_network_is_the_environments_shape() -> None:
    assert shape(["t.py::test_fetch"], "ConnectionRefusedError: [Errno 111] Connection refused", {}) == "the network"
    assert shape(["t.py::test_fetch"], "AssertionError: assert 1 == 2", {}) == ""


def test_tomlkit_a_missing_file_is_not_the_network() -> None:
    """tomlkit fefb29f: ``FileNotFoundError`` holds ``NotFound``, which a case-blind ``ENOTFOUND``
    (node's unresolved name) took for the network."""
    cause = "FileNotFoundError: [Errno 2] No such file or directory: '/testbed/tests/toml-test/tests'"
    assert shape(["t.py::test_valid"], cause, {}) == ""
    assert shape(["m/p/TestDial"], "dial tcp 127.0.0.1:5432: connect: connection refused", {}) == "the network"
    assert shape(["a.test.js > fetch"], "Error: getaddrinfo ENOTFOUND example.invalid", {}) == "the network"


def test_a_decode_error_is_the_environments_only_where_a_subprocess_printed_what_failed() -> None:
    section = "    def test_x():\n>       json.loads(text)\nE   json.decoder.JSONDecodeError: Expecting value\n"
    assert shape(["t.py::test_x"], "json.decoder.JSONDecodeError: Expecting value", {"test_x": section}) == ""
    piped = section.replace("json.loads(text)", "json.loads(subprocess.check_output(['tool']))")
    assert shape(["t.py::test_x"], "json.decoder.JSONDecodeError: Expecting value", {"test_x": piped}) != ""


def test_one_test_cannot_agree_with_itself() -> None:
    section = "    raise ValueError\nE   ValueError\n\npkg/m.py:3: ValueError\n"
    assert signs(["t.py::test_a"], {"test_a": section}, {"pkg/m.py": "x"}, set(), None) == [
        "its frames end in project code (pkg/m.py)"
    ]


def test_the_word_function_in_prose_defines_nothing() -> None:
    """A JavaScript definition starts its line; "a function is fine" in a docstring named `is`
    a project function (found in review)."""
    sources = {
        "m.py": '"""This function returns x; a function is fine."""\ndef real():\n    pass\n',
        "m.js": "export async function load(a) {}\nfunction* gen() {}\n",
        "m.go": "func (r T) Name() {}\n",
    }
    assert defined_names(sources) == {"real", "load", "gen", "Name"}


def test_one_test_named_for_typing_does_not_shape_its_groups_others_dateutil_seed_30() -> None:
    """dateutil seed 30: `testDuckTyping` made its group of 349 `collections.Callable` errors
    "a version-dependent test of annotations or typing", tried last (never, in 600 s)."""
    cause = "AttributeError: module 'collections' has no attribute 'Callable'"
    tests = [f"t/test_parser.py::ParserTest::{name}" for name in ("testDuckTyping", "test0", "test1", "test2")]
    assert shape(tests, cause, {}) == ""
    assert shape(tests[:2], cause, {}) == "a version-dependent test of annotations or typing"
