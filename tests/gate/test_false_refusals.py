"""Classes of false refusal found by benchmarks/bench_gate_refusals.py on real test files, each
with the attack its fix must still refuse."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.gate import Gate, GatePolicy
from rfsn.models import Edit, Phase
from rfsn.patches import unified_diff
from tests.gate.attacks import new_file
from tests.gate.conftest import ctx, make_repo

SKIPIF = "@pytest.mark.skipif(not PY_3_8_PLUS, reason='cached_property is 3.8+')\n"
SLOTS = (
    "import pytest\n\nPY_3_8_PLUS = True\n\n\n" + SKIPIF + "def test_cached_property_with_getattr():\n    assert 1\n"
)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    workspace = make_repo(tmp_path)
    (workspace / "tests" / "test_slots.py").write_text(SLOTS)
    return workspace


def _check(repo: Path, patch: str, phase: Phase = Phase.REPRODUCE):
    return Gate(GatePolicy(allow_test_edits=True)).check(Edit(patch=patch), ctx(repo, phase))


def test_attrs_88e2896_new_test_whose_decorator_the_diff_aligns_with_an_existing_one_is_accepted(repo: Path) -> None:
    """A new test inserted above an existing one with the same decorator: the diff takes the new
    decorator line as the old one's and the old one's as added, though no existing test changed."""
    new = SLOTS.replace(SKIPIF, SKIPIF + "def test_cached_property_raising():\n    assert 2\n\n\n" + SKIPIF)
    patch = unified_diff("tests/test_slots.py", SLOTS, new)
    assert "+def test_cached_property_raising" in patch and f"+{SKIPIF}" in patch
    for phase in (Phase.REPRODUCE, Phase.PATCH):
        assert _check(repo, patch, phase).accepted
    rigged = SLOTS.replace(SKIPIF, SKIPIF + "@pytest.mark.xfail\n")
    assert _check(repo, unified_diff("tests/test_slots.py", SLOTS, rigged), Phase.PATCH).rule == "test_tampering"


def test_click_test_options_backport_set_on_a_standard_module_at_import_is_accepted(repo: Path) -> None:
    """click's tests/test_options.py sets ``enum.StrEnum`` on Pythons before 3.11."""
    backport = new_file(
        "tests/test_options.py",
        [
            "import enum",
            "import sys",
            "",
            "if sys.version_info < (3, 11):",
            "    enum.StrEnum = enum.Enum",
            "",
            "def test_x():",
            "    assert enum.StrEnum",
        ],
    )
    assert _check(repo, backport).accepted


@pytest.mark.parametrize(
    "lines",
    [
        ["import unittest", "unittest.TestCase.assertEqual = lambda *a, **k: None"],
        ["import pkg.mod", "pkg.mod.add = lambda a, b: a + b"],
        ["from pkg import mod", "mod.add = lambda a, b: a + b"],
        ["from . import test_mod", "test_mod.test_add = lambda: None"],
        ["import importlib", "m = importlib.import_module('tests.test_mod')", "m.test_add = lambda: None"],
    ],
)
def test_a_new_file_setting_the_projects_or_a_test_frameworks_objects_at_import_is_refused(
    repo: Path, lines: list[str]
) -> None:
    assert _check(repo, new_file("tests/test_aaa.py", lines)).rule == "test_tampering"


LOGGING = [
    "import pytest",
    "",
    "",
    "@pytest.fixture(autouse=True)",
    "def reset_logging(pytestconfig):",
    "    plugin = pytestconfig.pluginmanager.unregister(name='logging-plugin')",
    "    yield",
    "    if plugin:",
    "        pytestconfig.pluginmanager.register(plugin, 'logging-plugin')",
    "",
    "",
    "def test_logger():",
    "    assert True",
]


def test_flask_test_logging_taking_a_plugin_out_and_putting_it_back_is_accepted(repo: Path) -> None:
    """flask's tests/test_logging.py unregisters pytest's logging plugin around each test."""
    assert _check(repo, new_file("tests/test_logging.py", LOGGING)).accepted


@pytest.mark.parametrize(
    "change",
    [
        (
            "plugin = pytestconfig.pluginmanager.unregister(name='logging-plugin')",
            "plugin = pytestconfig.pluginmanager.unregister(name='logging-plugin')\n    plugin = object()",
        ),
        ("register(plugin, 'logging-plugin')", "register(Evil(), 'evil')"),
        ("    yield", "    manager = pytestconfig.pluginmanager\n    yield"),
    ],
)
def test_registering_a_plugin_of_the_files_own_is_still_refused(repo: Path, change: tuple[str, str]) -> None:
    lines = "\n".join(LOGGING).replace(*change).splitlines()
    assert _check(repo, new_file("tests/test_logging.py", lines)).rule == "test_tampering"


PYTEST_OWN = {
    # pytest's testing/test_cacheprovider.py and doc/en/example/assertion/test_failures.py
    "loads_pytester": ["pytest_plugins = ('pytester',)", "", "def test_x(pytester):", "    assert pytester"],
    # testing/test_helpconfig.py
    "lists_plugins": [
        "def test_x(pytestconfig):",
        "    if pytestconfig.pluginmanager.list_plugin_distinfo():",
        "        pass",
    ],
    # testing/test_config.py
    "reads_a_field": [
        "def test_x(pytester, request):",
        "    config = pytester.parseconfig(request.node)",
        "    assert config.pluginmanager._confcutdir is None",
    ],
    # testing/test_pytester.py
    "records_hooks": [
        "def test_x(pytester, request):",
        "    item = pytester.getitem(request.node.name)",
        "    recorder = pytester.make_hook_recorder(item.config.pluginmanager)",
    ],
    # testing/test_reports.py
    "serializes_a_report": [
        "def test_x(pytestconfig, report):",
        "    data = pytestconfig.hook.pytest_report_to_serializable(config=pytestconfig, report=report)",
    ],
    # testing/test_terminal.py
    "calls_a_reporter_method": [
        "def test_x(request, rep, excinfo, name):",
        "    rep.pytest_internalerror(excinfo)",
        "    assert getattr(request.node, name)",
    ],
    # testing/acceptance_test.py: a local plugin class in a file that also looks a plugin up
    "local_plugin_beside_a_lookup": [
        "def test_x(pytester, request):",
        "    assert request.config.pluginmanager.hasplugin('python')",
        "    class MyPlugin:",
        "        def pytest_addoption(self, parser):",
        "            pass",
        "    pytester.inline_run(plugins=[MyPlugin()])",
    ],
}


@pytest.mark.parametrize("name", sorted(PYTEST_OWN))
def test_pytests_own_tests_of_its_plugin_manager_are_accepted_as_new_modules(repo: Path, name: str) -> None:
    assert _check(repo, new_file("tests/test_plugins.py", PYTEST_OWN[name])).accepted


@pytest.mark.parametrize(
    "lines",
    [
        ["pytest_plugins = ('pytester', 'tests.evil')"],
        ["def test_x(pytestconfig, report):", "    pytestconfig.hook.pytest_runtest_logreport(report=report)"],
        ["def test_x(request):", "    request.config.pluginmanager.hook.pytest_runtest_logreport(report=None)"],
        ["def test_x(request):", "    pm = request.config.pluginmanager", "    pm.register(object())"],
        ["def test_x(request):", "    request.config.pluginmanager.register(object())"],
        [
            "def test_x(request, pytester):",
            "    pytester.make_hook_recorder(request.config.pluginmanager)",
            "    class P:",
            "        def pytest_runtest_makereport(self, item, call):",
            "            pass",
            "    request.config.pluginmanager.register(P())",
        ],
    ],
)
def test_a_test_that_registers_or_reports_through_the_running_session_is_still_refused(
    repo: Path, lines: list[str]
) -> None:
    assert _check(repo, new_file("tests/test_plugins.py", lines)).rule == "test_tampering"


MADE_AT_IMPORT = {
    # seaborn tests/test_regression.py: a class-level frame changed in the class body
    "seaborn_class_level_frame": [
        "import numpy as np",
        "import pandas as pd",
        "",
        "",
        "class TestX:",
        "    df = pd.DataFrame(dict(y=np.zeros(3)))",
        "    df.y += 1",
        "",
        "    def test_x(self):",
        "        assert self.df.y.sum() == 3",
    ],
    # astropy wcsaxes/tests/test_wcsapi.py: a project object built at import, then set up
    "astropy_wcs_built_at_import": [
        "from pkg.mod import add",
        "",
        "WCS2D = add(1, 2)",
        "WCS2D.real_part = 1",
        "",
        "def test_x():",
        "    assert WCS2D",
    ],
    # pytest testing/test_runner.py: pytest.exit caught by the test
    "pytest_exit_caught": [
        "import pytest",
        "",
        "def test_pytest_exit():",
        "    with pytest.raises(pytest.exit.Exception) as excinfo:",
        "        pytest.exit('hello')",
        "    assert excinfo.errisinstance(pytest.exit.Exception)",
    ],
    # astropy .pyinstaller/run_astropy_tests.py: a plugin module named for a nested pytest run
    "astropy_nested_run_plugins": [
        "import pytest",
        "import sys",
        "",
        "sys.exit(pytest.main(['x'], plugins=['pytest_skip_slow', 'pytest_doctestplus']))",
    ],
}


@pytest.mark.parametrize("name", sorted(MADE_AT_IMPORT))
def test_what_a_real_test_module_does_at_import_is_accepted(repo: Path, name: str) -> None:
    path = "tests/run_tests.py" if "nested_run" in name else "tests/test_made.py"  # a runner, no test module
    assert _check(repo, new_file(path, MADE_AT_IMPORT[name])).accepted


@pytest.mark.parametrize(
    "lines",
    [
        [
            "import importlib",
            "import functools",
            "m = functools.reduce(getattr, ['test_mod'], importlib)",
            "m.test_add = None",
        ],
        ["from tests import test_mod", "import copy", "m = copy.copy(test_mod)", "m.test_add = None"],
        ["import pytest", "", "def test_x():", "    with pytest.raises(ValueError):", "        pytest.exit('x')"],
        ["import pytest", "pytest.main(['x'], plugins=['p'])", "pytest_plugins = ['evil']"],
    ],
)
def test_the_same_shapes_reaching_tests_stay_refused(repo: Path, lines: list[str]) -> None:
    for path in ("tests/test_made.py", "tests/run_tests.py"):
        assert _check(repo, new_file(path, lines)).rule == "test_tampering"


def test_a_runner_naming_plugins_for_a_nested_run_still_may_not_define_a_hook(repo: Path) -> None:
    lines = ["import pytest", "pytest.main(['x'], plugins=['p'])", "def pytest_configure(config):", "    pass"]
    assert _check(repo, new_file("tests/run_tests.py", lines)).rule == "test_tampering"


def test_sphinx_a_project_on_a_newer_python_than_the_gates_is_not_refused_for_its_grammar(repo: Path) -> None:
    """sphinx (requires-python >= 3.12): ``type X = ...`` and ``def f[T]()`` in its tests do not
    parse on the gate's 3.11; a new module with a skip in a new test was refused too."""
    module = [
        "import pytest",
        "",
        "type Entry = tuple[str, int]",
        "",
        "def ident[T](x: T) -> T:",
        "    return x",
        "",
        "def test_x():",
        "    pytest.skip('later')",
    ]
    patch = new_file("tests/test_grammar.py", module)
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('name = "pkg"', 'name = "pkg"\nrequires-python = ">=3.99"'))
    assert _check(repo, patch).accepted
    rigged = new_file("tests/test_grammar.py", [*module, "import tests.test_mod as m", "m.test_add = None"])
    assert _check(repo, rigged).rule == "test_tampering"


BENCH = [
    "from unittest import TestCase",
    "",
    "for i in range(15000):",
    '    exec(f"""',
    "class Test{i}(TestCase):",
    "    def test_1(self): pass",
    '""")',
]


def test_pytest_bench_unit_test_making_classes_with_exec_of_an_f_string_over_range_is_accepted(repo: Path) -> None:
    """pytest's bench/unit_test.py: ``exec(f"class Test{i}...")`` for i in range(15000)."""
    assert _check(repo, new_file("bench/unit_test.py", BENCH)).accepted


@pytest.mark.parametrize(
    "change",
    [
        ("def test_1(self): pass", "def pytest_collection_modifyitems(self, items): pass"),
        ("for i in range(15000):", "for i in ['pytest_plugins']:"),
        ("    exec(f", "    i = 'pytest_plugins'\n    exec(f"),
        ("class Test{i}(TestCase):", "class Test{i!r}(TestCase):\n    {name} = 1"),
    ],
)
def test_an_exec_of_an_f_string_that_may_bind_a_hook_is_still_refused(repo: Path, change: tuple[str, str]) -> None:
    lines = "\n".join(BENCH).replace(*change).splitlines()
    assert _check(repo, new_file("bench/run_bench.py", lines), Phase.PATCH).rule == "test_tampering"


@pytest.mark.parametrize(
    "use",
    [
        "pm._inner_hookexec = None",
        "pm._inner_hookexec += 1",
        "pm._name2plugin['x'] = object()",
        "x = pm._plugins",
        "f(pm._plugins)",
    ],
)
def test_setting_or_handing_on_a_field_of_the_running_sessions_manager_still_counts(repo: Path, use: str) -> None:
    lines = ["def test_x(request):", f"    {use.replace('pm.', 'request.config.pluginmanager.')}"]
    assert _check(repo, new_file("tests/test_plugins.py", lines)).rule == "test_tampering"


def test_sphinx_test_ext_napoleon_a_setattr_in_a_method_with_a_long_signature_is_test_code(repo: Path) -> None:
    """sphinx's tests/test_ext_napoleon/test_ext_napoleon.py does not parse on 3.11 (``def f[**P, R]``):
    read line by line, a signature closing at the def's indentation ended its body too early."""
    lines = [
        "def simple_decorator[**P, R](f):",
        "    return f",
        "",
        "class TestSkip:",
        "    def assert_skip(",
        "        self,",
        "        name,",
        "    ) -> None:",
        "        app = object()",
        "        setattr(app, name, True)",
        "",
        "    def test_x(self):",
        "        self.assert_skip('x')",
    ]
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('name = "pkg"', 'name = "pkg"\nrequires-python = ">=3.99"'))
    assert _check(repo, new_file("tests/test_napoleon.py", lines)).accepted
    rigged = [*lines, "", "import tests.test_mod as m", "setattr(m, 'test_add', None)"]
    assert _check(repo, new_file("tests/test_napoleon.py", rigged)).rule == "test_tampering"


INNER = {
    # pytest's testing/test_config.py, test_pytester.py, test_reports.py, test_terminal.py: what they
    # do with a session pytester made, in files that also reach the running one
    "inner_config_imports_a_plugin": [
        "config = pytester.parseconfig()",
        "config.pluginmanager.import_plugin('mytestplugin')",
    ],
    "recorder_calls_a_hook": [
        "item = pytester.getitem('def test_func(): pass')",
        "recorder = pytester.make_hook_recorder(item.config.pluginmanager)",
        "recorder.hook.pytest_runtest_logreport(report=None)",
    ],
    "registers_on_an_inner_item": [
        "item = pytester.getitem('def test_func(): pass')",
        "item.config.pluginmanager.register(object())",
    ],
}


def _inner_test(body: list[str]) -> list[str]:
    return [
        "import pytest",
        "",
        "",
        "@pytest.mark.parametrize('hook_name', ['pytest_runtest_logreport'])",
        "def test_x(pytester, request, hook_name):",
        "    assert request.node",
        *(f"    {line}" for line in body),
    ]


@pytest.mark.parametrize("name", sorted(INNER))
def test_what_a_test_does_with_a_session_pytester_made_is_accepted(repo: Path, name: str) -> None:
    assert _check(repo, new_file("tests/test_inner.py", _inner_test(INNER[name]))).accepted


@pytest.mark.parametrize(
    "body",
    [
        ["x = pytester._request.getfixturevalue('pytestconfig')", "x.pluginmanager.register(object())"],
        ["cfg = pytester.parseconfig(request.config)", "cfg.pluginmanager.register(object())"],
        ["getattr(request.config.hook, hook_name)(report=None)"],
        ["pytester = request", "item = pytester.getitem('x')", "item.config.pluginmanager.register(object())"],
        ["item = pytester.getitem('x')", "item = request", "item.config.pluginmanager.register(object())"],
    ],
)
def test_the_running_session_reached_beside_pytester_still_counts(repo: Path, body: list[str]) -> None:
    assert _check(repo, new_file("tests/test_inner.py", _inner_test(body))).rule == "test_tampering"


def test_pytest_test_pytester_an_attribute_set_on_pytester_does_not_rebind_it(repo: Path) -> None:
    """testing/test_pytester.py sets ``pytester.path``-like attributes elsewhere in the file: setting an
    attribute of a name is no binding of that name."""
    body = [*INNER["recorder_calls_a_hook"], "pytester.plugins = []"]
    assert _check(repo, new_file("tests/test_inner.py", _inner_test(body))).accepted
