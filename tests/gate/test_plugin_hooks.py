"""pytest hooks: an edit may not add a hook pytest loads by itself, and a test of a plugin
framework may define the hooks it hands to a pytest run of its own.

pytest reads hooks from what a module binds when it is imported or registered (module
and class bodies): those stay refused in every file, however they are bound. A hook in a
function's body, or in a string a test writes for pytester, is test code.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rfsn.gate import Gate
from rfsn.gate.rules_pyhooks import could_add_hook, hook_lines
from rfsn.models import Edit, Phase
from tests.gate.attacks import append, new_file
from tests.gate.conftest import ctx


def _new_test(text: str) -> Edit:
    return Edit(patch=new_file("tests/test_repro.py", textwrap.dedent(text).strip("\n").splitlines()))


#: the shapes pytest's own suite (and pluggy-based projects') reproductions are written in
TESTS_OF_PLUGINS = {
    # testing/test_collection.py::TestCollectPluginHookRelay, pytest 5
    "local_plugin_class_passed_to_inline_run": """
        def test_pytest_collect_file(testdir):
            wascalled = []

            class Plugin:
                def pytest_collect_file(self, path, parent):
                    if not path.basename.startswith("."):
                        wascalled.append(path)

            testdir.makefile(".abc", "xyz")
            testdir.inline_run(testdir.tmpdir, plugins=[Plugin()])
            assert len(wascalled) == 1
    """,
    "local_hook_function_in_a_test_method": """
        class TestHooks:
            def test_configure(self, testdir):
                def pytest_configure(config):
                    config.seen = True

                class Plugin:
                    pytest_configure = staticmethod(pytest_configure)

                testdir.inline_run(plugins=[Plugin()])
    """,
    "conftest_written_with_makeconftest": '''
        def test_collect_custom_file(testdir):
            testdir.makeconftest("""
                import pytest
                def pytest_collect_file(path, parent):
                    return None
                pytest_plugins = ["pytester"]
            """)
            assert testdir.runpytest().ret == 5
    ''',
    "conftest_written_with_makepyfile": """
        def test_generate_tests(pytester):
            pytester.makepyfile(conftest="def pytest_generate_tests(metafunc): pass")
            assert pytester.runpytest().ret == 5
    """,
    "plugin_registered_with_a_config_of_its_own": """
        def test_terminal_reporter(pytester):
            class Recorder:
                def pytest_runtest_logreport(self, report):
                    pass

            config = pytester.parseconfig()
            config.pluginmanager.register(Recorder())
            assert config.pluginmanager.is_registered
    """,
    "hook_name_as_data_inside_a_test": """
        import types

        def test_consider_module(pytestpm):
            mod = types.ModuleType("temp")
            mod.__dict__["pytest_plugins"] = ["pytest_p1"]
            mod.pytest_plugins = ["pytest_p2"]
            pytestpm.consider_module(mod)
    """,
    "pytest_plugin_module_imported_for_its_fixtures": """
        import pytest_asyncio

        @pytest_asyncio.fixture
        async def client():
            return 1

        def test_client(client):
            assert client == 1
    """,
}


@pytest.mark.parametrize("name", TESTS_OF_PLUGINS)
def test_a_reproduction_for_a_plugin_framework_may_define_hooks_for_its_own_runs(
    gate: Gate, repo: Path, name: str
) -> None:
    """A hook a test defines in a function body or a string, for a pytest run it starts itself,
    is accepted (a reproduction for pytest was refused for ``def pytest_collect_file(self, path,
    parent)``, a method of a local class handed to ``inline_run(plugins=[...])``)."""
    decision = gate.check(_new_test(TESTS_OF_PLUGINS[name]), ctx(repo, Phase.REPRODUCE))
    assert decision.accepted, decision


#: hooks pytest would load from a plugin module, bound every way Python binds a name
PLUGIN_MODULE_HOOKS = {
    "module_level_hook": "def pytest_collection_modifyitems(items):\n    items.clear()",
    "hook_method_of_a_module_level_plugin_class": (
        "class Plugin:\n    def pytest_runtest_call(self, item):\n        pass"
    ),
    "hook_under_a_module_level_if": "import os\nif os.environ:\n    def pytest_configure(config):\n        pass",
    "hook_bound_by_assignment": "pytest_configure = print",
    "hook_bound_by_import": "from os import getcwd as pytest_configure",
    "hook_under_another_name_by_specname": (
        "import pytest\n@pytest.hookimpl(specname='pytest_collection_modifyitems')\ndef f(items):\n    items.clear()"
    ),
}
#: what pytest reads from a test module too (it imports one without registering it), or what
#: reaches a plugin from any file
TEST_MODULE_HOOKS = {
    "module_level_generate_tests": "def pytest_generate_tests(metafunc):\n    pass",
    "generate_tests_method_of_a_test_class": (
        "class TestX:\n    def pytest_generate_tests(self, metafunc):\n        pass"
    ),
    "pytest_plugins_list": "pytest_plugins = [\n    'evil_plugin',\n]",
    "pytest_plugins_appended_to": "pytest_plugins.append('evil')",
    "pytest_plugins_via_globals": "globals()['pytest_plugins'] = ['evil']",
    "pytest_plugins_via_globals_update": "globals().update(pytest_plugins=['evil'])",
    "pytest_plugins_via_setattr": "import sys\nsetattr(sys.modules[__name__], 'pytest_plugins', ['evil'])",
    "hook_set_on_another_module_by_attribute": "import pkg\npkg.pytest_configure = print",
    "hook_set_on_another_module_by_setattr": "import pkg\nsetattr(pkg, 'pytest_configure', print)",
    "pytest_plugins_in_an_exec_string": "exec('pytest_plugins = [\"evil\"]')",
    "hook_in_an_exec_of_code_built_at_import": "import base64\nexec(base64.b64decode('cHl0ZXN0X3BsdWdpbnM9MQ=='))",
    "import_shadowing_pytest_plugins": (
        "try:\n    import pytest_plugins\nexcept ImportError:\n    pass\npytest_plugins = ['evil']"
    ),
    "local_plugin_registered_with_the_running_session": (
        "def test_x(request):\n    class P:\n        def pytest_runtest_makereport(self, item, call):\n"
        "            pass\n    request.config.pluginmanager.register(P())"
    ),
    "imported_plugin_registered_with_the_running_session": (
        "from pkg.mod import add\n\n\ndef test_x(request):\n    request.config.pluginmanager.register(add)"
    ),
    "local_plugin_registered_through_pytestconfig": (
        "def test_x(pytestconfig):\n    def pytest_runtest_logreport(report):\n        pass\n"
        "    pytestconfig.pluginmanager.register(__import__('sys').modules[__name__])"
    ),
    "report_forged_through_the_running_sessions_hook": (
        "def test_x(pytestconfig, report):\n    pytestconfig.hook.pytest_runtest_logreport(report=report)"
    ),
    # the review of issue 46's change: the session reached under an alias, or by attributes named
    # at run time, registered a local plugin that forces every report to "passed"
    "local_plugin_registered_through_an_alias_of_request": (
        "def test_x(request):\n    class P:\n        def pytest_runtest_makereport(self, item, call):\n"
        "            pass\n    r = request\n    r.config.pluginmanager.register(P())"
    ),
    "local_plugin_registered_through_getattr": (
        "def test_x(request):\n    class P:\n        def pytest_runtest_makereport(self, item, call):\n"
        "            pass\n    getattr(getattr(request, 'config'), 'pluginmanager').register(P())"
    ),
    "local_plugin_registered_through_an_attribute_built_at_run_time": (
        "def test_x(request):\n    class P:\n        def pytest_runtest_makereport(self, item, call):\n"
        "            pass\n    getattr(request.config, 'plugin' + 'manager').register(P())"
    ),
    "local_plugin_registered_through_pytesters_request": (
        "def test_x(pytester):\n    class P:\n        def pytest_runtest_makereport(self, item, call):\n"
        "            pass\n    pytester._request.config.pluginmanager.register(P())"
    ),
}
LOADED_HOOKS = {**PLUGIN_MODULE_HOOKS, **TEST_MODULE_HOOKS}


def _refused(gate: Gate, repo: Path, path: str, text: str) -> bool:
    decision = gate.check(Edit(patch=new_file(path, text.splitlines())), ctx(repo, Phase.REPRODUCE))
    return decision.rule == "test_tampering" and "pytest plugin hook" in decision.reason


@pytest.mark.parametrize("name", LOADED_HOOKS)
def test_a_hook_is_refused_in_a_module_pytest_may_register(gate: Gate, repo: Path, name: str) -> None:
    """A hook bound where pytest reads hooks (module or class body, or handed to the running
    session) is refused in a new helper module of the tests (conftest may name it a plugin)."""
    assert _refused(gate, repo, "tests/helpers.py", LOADED_HOOKS[name])


@pytest.mark.parametrize("name", TEST_MODULE_HOOKS)
def test_what_pytest_reads_from_a_test_module_is_refused_in_one(gate: Gate, repo: Path, name: str) -> None:
    """In a test module, ``pytest_plugins``, ``pytest_generate_tests`` and anything that reaches
    a plugin are refused."""
    assert _refused(gate, repo, "tests/test_repro.py", TEST_MODULE_HOOKS[name])


@pytest.mark.parametrize("name", PLUGIN_MODULE_HOOKS)
def test_a_test_module_may_hold_a_hook_pytest_never_registers(gate: Gate, repo: Path, name: str) -> None:
    """pytest imports a test module without registering it as a plugin: its other hooks are
    never called, and a new test module may hold one."""
    assert not _refused(gate, repo, "tests/test_repro.py", PLUGIN_MODULE_HOOKS[name])


@pytest.mark.parametrize("name", LOADED_HOOKS)
def test_the_cheap_filter_never_spares_a_file_holding_a_hook(name: str) -> None:
    """The test that spares parsing a module per candidate lets every hook above through to the parser."""
    text = LOADED_HOOKS[name]
    assert could_add_hook(text, text.splitlines()) and hook_lines(text)


@pytest.mark.parametrize(
    "name",
    [
        "hook_bound_by_assignment",
        "pytest_plugins_via_setattr",
        "pytest_plugins_in_an_exec_string",
        "hook_under_another_name_by_specname",
    ],
)
def test_a_hook_pytest_loads_by_itself_is_refused_in_source(gate: Gate, repo: Path, name: str) -> None:
    """Any module can be a registered plugin: a fix may not bind a hook in source either."""
    decision = gate.check(
        Edit(patch=append("pkg/mod.py", ["", *LOADED_HOOKS[name].splitlines()])), ctx(repo, Phase.PATCH)
    )
    assert decision.rule == "test_tampering", decision


def test_a_pytest11_entry_point_in_setup_py_is_refused(gate: Gate, repo: Path) -> None:
    """setup.py declaring a pytest plugin entry point (a string, run at import) is refused."""
    setup = [
        "from setuptools import setup",
        "setup(",
        "    name='pkg',",
        "    entry_points={'pytest11': ['evil = pkg.mod']},",
        ")",
    ]
    decision = gate.check(Edit(patch=new_file("setup.py", setup)), ctx(repo, Phase.PATCH))
    assert decision.rule == "test_tampering" and "pytest11" in decision.reason, decision


def test_a_file_that_does_not_parse_falls_back_to_the_line_rule() -> None:
    """Unparsable source has no scopes to read: the caller keeps the strict line rule."""
    assert hook_lines("class Plugin:\n    def pytest_configure(self, config)\n") is None


_HOOKS = st.sampled_from(
    [
        "pytest_configure",
        "pytest_collection_modifyitems",
        "pytest_runtest_call",
        "pytest_generate_tests",
        "pytest_collect_file",
    ]
)


@settings(max_examples=60, deadline=None)
@given(hook=_HOOKS, depth=st.integers(0, 3))
def test_a_hook_is_loaded_exactly_when_no_function_encloses_it(hook: str, depth: int) -> None:
    """Classes keep a hook where pytest finds it, however deep; one enclosing function makes it
    test code."""
    body = f"def {hook}(self, x):\n    pass\n"
    for level in range(depth):
        body = f"class C{level}:\n" + textwrap.indent(body, "    ")
    header = len(body.splitlines()) - 1
    assert hook_lines(body) == {header}
    local = "def test_x():\n" + textwrap.indent(body, "    ")
    assert hook_lines(local) == set()
