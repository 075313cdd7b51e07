"""A manager or hook caller counts when it may be the running session's: files that name the
session and also work managers of their own are accepted, and every route by which a session
value may reach the file's own names is still refused."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from rfsn.gate import Gate, GatePolicy
from rfsn.gate.scopes import name_keys
from rfsn.models import Edit, Phase
from tests.gate.attacks import new_file
from tests.gate.conftest import ctx, make_repo

PLUGIN = ["    class P:", "        def pytest_runtest_makereport(self, item, call):", "            pass"]
#: a file that names the running session and only looks at it
LOOKS = [
    "import pytest",
    "from _pytest.config import PytestPluginManager",
    "",
    "",
    "def test_looks(pytestconfig):",
    "    pm = pytestconfig.pluginmanager",
    "    assert pm.parse_hookimpl_opts(object(), 'pytest_x') is None",
    "    assert pytestconfig.pluginmanager.has_plugin('python')",
    "",
]

OWN_MANAGERS = {
    # pytest's testing/test_pytester.py: a manager the test builds
    "built_by_a_call": [
        "def test_own():",
        "    pm = PytestPluginManager()",
        *PLUGIN,
        "    pm.register(P())",
        "    pm.hook.pytest_runtest_makereport(item=None, call=None)",
    ],
    # pytest's testing/test_config.py: a config pytester parses from arguments chosen from literals
    "parsed_from_literal_arguments": [
        "@pytest.mark.parametrize('block', [True, False])",
        "def test_own(pytester, block):",
        "    args = ('-p', 'no:x') if block else ()",
        "    config = pytester.parseconfig(*args)",
        *PLUGIN,
        "    config.pluginmanager.register(P())",
    ],
    # pytest's testing/test_config.py: a fixture's config, the same name bound elsewhere to the running one
    "a_fixtures_config": [
        "def test_own(_config_for_test):",
        "    pm = _config_for_test.pluginmanager",
        *PLUGIN,
        "    pm.register(P())",
        "    assert pm.hook.pytest_runtest_makereport",
    ],
    # pytest's testing/test_terminal.py: a reporter built on an inner item's config
    "reporter_on_an_inner_item": [
        "def test_own(pytester, request):",
        "    item = pytester.getitem('x')",
        "    tr = Reporter(item.config)",
        "    item.config.pluginmanager.register(tr)",
        "    tr.config.hook.pytest_runtest_logstart(nodeid=item.nodeid)",
        "    assert request.param",
    ],
    # pytest's testing/test_pluginmanager.py and test_config.py: a module's namespace set by name, a
    # class of the file's own with __getattr__ beside a check of the running manager
    "a_modules_namespace_and_a_getattr_of_the_files_own": [
        "import types",
        "",
        "class Lazy:",
        "    def __getattr__(self, name):",
        "        return name",
        "",
        "def test_own(pytester, request):",
        "    mod = types.ModuleType('x')",
        "    mod.__dict__['pytest_plugins'] = ['p']",
        "    assert request.config.pluginmanager.parse_hookimpl_opts(Lazy(), 'pytest_x') is None",
        *PLUGIN,
        "    pytester.inline_run(plugins=[P()])",
    ],
    "attribute_named_by_a_parametrized_literal": [
        "import sys",
        "",
        "@pytest.mark.parametrize('name', ['fnmatch_lines', 'path'])",
        "def test_own(pytester, name):",
        "    assert getattr(sys, name, None) is not getattr(pytester, name)",
        *PLUGIN,
        "    pytester.inline_run(plugins=[P()])",
    ],
}

#: the nearest hostile variant of each: the running session's manager reached by another route
RUNNING = {
    "alias_of_the_running_manager": [
        "def test_evil(pytestconfig):",
        *PLUGIN,
        "    pm = pytestconfig.pluginmanager",
        "    pm.register(P())",
    ],
    "hook_caller_alias": [
        "def test_evil(request):",
        "    h = request.config.hook",
        "    h.pytest_runtest_logreport(report=None)",
    ],
    "closure": [
        "def test_evil(pytestconfig):",
        "    c = pytestconfig",
        *PLUGIN,
        "    def inner():",
        "        c.pluginmanager.register(P())",
        "    inner()",
    ],
    "default_argument": [
        "def test_evil(pytestconfig):",
        *PLUGIN,
        "    def inner(c=pytestconfig):",
        "        c.pluginmanager.register(P())",
        "    inner()",
    ],
    "stored_in_a_list": [
        "STORE = []",
        "",
        "def test_a(request):",
        "    STORE.append(request.config)",
        "",
        "def test_evil():",
        *PLUGIN,
        "    STORE[0].pluginmanager.register(P())",
    ],
    "handed_to_an_operator_of_the_files_own": [
        "STORE = []",
        "",
        "class Holder:",
        "    def __contains__(self, other):",
        "        STORE.append(other)",
        "        return True",
        "",
        "def test_a(request):",
        "    assert request.config in Holder()",
        "",
        "def test_evil():",
        *PLUGIN,
        "    STORE[0].pluginmanager.register(P())",
    ],
    "returned_by_a_fixture": [
        "@pytest.fixture",
        "def cfg(request):",
        "    return request.config",
        "",
        "def test_evil(cfg):",
        *PLUGIN,
        "    cfg.pluginmanager.register(P())",
    ],
    "set_on_an_object": [
        "def test_evil(request, tmp_path):",
        "    tmp_path.c = request.config",
        *PLUGIN,
        "    tmp_path.c.pluginmanager.register(P())",
    ],
    "walrus_in_a_comprehension": [
        "def test_evil(request):",
        "    [(c := request.config) for _ in [1]]",
        *PLUGIN,
        "    c.pluginmanager.register(P())",
    ],
    "run_from_a_string": ["def test_evil(request):", *PLUGIN, "    exec('request.config.pluginmanager.register(P())')"],
    "a_frame": [
        "import sys",
        "",
        "def test_evil(request):",
        *PLUGIN,
        "    sys._getframe(0).f_locals['request'].config.pluginmanager.register(P())",
    ],
    "pytests_own_holder": ["def test_evil():", *PLUGIN, "    pytest.mark._config.pluginmanager.register(P())"],
    "debuggers_holder": [
        "from _pytest.debugging import pytestPDB",
        "",
        "def test_evil():",
        *PLUGIN,
        "    pytestPDB._pluginmanager.register(P())",
    ],
    "an_objects_namespace": [
        "def test_evil(pytester):",
        *PLUGIN,
        "    pytester.__dict__['_request'].config.pluginmanager.register(P())",
    ],
    "attribute_named_at_run_time": [
        "def test_evil(pytester):",
        "    name = '_req' + 'uest'",
        *PLUGIN,
        "    getattr(pytester, name).config.pluginmanager.register(P())",
    ],
    "attribute_named_by_a_parametrized_private_name": [
        "@pytest.mark.parametrize('name', ['_request'])",
        "def test_evil(pytester, name):",
        *PLUGIN,
        "    getattr(pytester, name).config.pluginmanager.register(P())",
    ],
}


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path)


def _check(repo: Path, lines: list[str]) -> str | None:
    decision = Gate(GatePolicy()).check(Edit(patch=new_file("tests/test_flow.py", lines)), ctx(repo, Phase.REPRODUCE))
    return decision.rule if not decision.accepted else None


@pytest.mark.parametrize("name", sorted(OWN_MANAGERS))
def test_pytest_test_config_pytester_terminal_a_manager_of_the_files_own_beside_the_running_one_is_accepted(
    repo: Path, name: str
) -> None:
    assert _check(repo, LOOKS + OWN_MANAGERS[name]) is None


@pytest.mark.parametrize("name", sorted(RUNNING))
def test_the_running_sessions_manager_reached_by_any_route_is_refused(repo: Path, name: str) -> None:
    assert _check(repo, LOOKS + RUNNING[name]) == "test_tampering"


def test_names_resolve_as_python_resolves_them() -> None:
    """A method does not see its class body's names; a comprehension's target is its own; a
    walrus in it binds in the function; ``global`` makes one name of all uses."""
    tree = ast.parse(
        "x = 1\nclass C:\n    x = 2\n    def m(self):\n        return x\n"
        "def f():\n    [x for x in y]\n    [(z := 1) for _ in y]\n    return x, z\n"
        "def g():\n    global w\n    w = 1\ndef h():\n    w = 2\n"
    )
    keys = name_keys(tree)
    names = [n for n in ast.walk(tree) if isinstance(n, ast.Name)]
    by_line = {(n.lineno, n.id): keys[id(n)] for n in names}
    assert by_line[(5, "x")] == by_line[(1, "x")] != by_line[(3, "x")]
    assert by_line[(9, "x")] == by_line[(1, "x")]
    assert by_line[(9, "z")] == by_line[(8, "z")] != (id(tree), "z")
    assert by_line[(12, "w")] == by_line[(14, "w")]


@pytest.mark.parametrize("name", ["a_frame", "pytests_own_holder", "debuggers_holder", "an_objects_namespace"])
def test_a_file_that_names_no_session_fixture_still_may_not_reach_the_running_manager(repo: Path, name: str) -> None:
    """pytest keeps the running config in private attributes of its own modules; frames reach
    anything. (An attribute named at run time, ``getattr(pytester, name)``, is not followed in a
    file that names no session root: docs/gate.md, limits.)"""
    assert _check(repo, ["import pytest", "", *RUNNING[name]]) == "test_tampering"


def test_astropy_test_separation_attributes_read_by_computed_names_make_no_session_root(repo: Path) -> None:
    """A class-level ``pytest_id`` field counts only in a file judged whole; reading attributes by
    computed names (``getattr(coord, method)``, handed to a helper) reaches no session by itself."""
    lines = [
        "from typing import NamedTuple",
        "",
        "class Expectation(NamedTuple):",
        "    pytest_id: str",
        "",
        "def test_x(method):",
        "    check(getattr(object(), method)(1), getattr(object(), f'r_{method}'))",
    ]
    assert _check(repo, ["import pytest", "", *lines]) is None
    assert (
        _check(
            repo,
            [
                "import pytest",
                "",
                *lines,
                "",
                "def test_y(request):",
                "    request.config.pluginmanager.register(object())",
            ],
        )
        == "test_tampering"
    )
