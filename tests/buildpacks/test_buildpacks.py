"""Detection, env recipes and commands of the node, rust, go and java buildpacks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from rfsn.buildpacks import detect_all, load, select
from rfsn.buildpacks.base import Buildpack
from rfsn.buildpacks.go.buildpack import GO_STD
from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.package import detect_runner, package_manager
from rfsn.buildpacks.rust.buildpack import RustBuildpack
from tests.buildpacks.conftest import FIXTURES

NAMES = ("node", "rust", "go", "java")


@pytest.mark.parametrize("name", NAMES)
def test_builtins_load_and_implement_the_protocol(name: str) -> None:
    buildpack = load(name)
    assert isinstance(buildpack, Buildpack) and buildpack.name == name
    base = buildpack.default_base
    # node from trixie: bookworm's nodejs is 18, and the image is node 20 (checked in Docker by
    # test_e2e_docker's node project); go and rust: Debian's newest (trixie's backports)
    assert base.debian_release == ("bookworm" if name == "java" else "trixie")
    assert {"git", "ca-certificates"} <= set(base.debian_packages)


def _package(tmp_path: Path, package: dict[str, object], *files: str) -> Path:
    (tmp_path / "package.json").write_text(json.dumps(package))
    for name in files:
        (tmp_path / name).write_text("{}")
    return tmp_path


def test_select_picks_each_ecosystem(tmp_path: Path) -> None:
    repos = {
        "node": _package(tmp_path, {"scripts": {"test": "node --test"}}),
        "rust": FIXTURES / "rust" / "multicrate",
        "go": FIXTURES / "go" / "calc",
        "java": FIXTURES / "java" / "shapes",
    }
    for name, repo in repos.items():
        assert select(repo).name == name
        assert detect_all(repo)[0][0].name == name


@pytest.mark.parametrize(
    ("package", "runner"),
    [
        ({"scripts": {"test": "node --test test/"}, "devDependencies": {"jest": "^29"}}, "node"),
        ({"scripts": {"test": "jest --coverage"}}, "jest"),
        ({"devDependencies": {"vitest": "^1", "jest": "^29"}}, "vitest"),
        ({"devDependencies": {"mocha": "^10"}, "scripts": {"test": "mocha"}}, "mocha"),
        ({}, "node"),
    ],
)
def test_runner_detection(package: dict[str, object], runner: str) -> None:
    assert detect_runner(package) == runner


def test_package_manager_by_lockfile(tmp_path: Path) -> None:
    assert package_manager(_package(tmp_path, {}), {}) == ("npm", None)
    (tmp_path / "yarn.lock").write_text("")
    assert package_manager(tmp_path, {}) == ("yarn", "yarn.lock")
    (tmp_path / "pnpm-lock.yaml").write_text("")
    assert package_manager(tmp_path, {}) == ("pnpm", "pnpm-lock.yaml")
    assert package_manager(tmp_path, {"packageManager": "yarn@1.22.19"}) == ("yarn", "yarn.lock")


def test_node_without_dependencies_needs_no_install(tmp_path: Path) -> None:
    repo = _package(tmp_path, {"scripts": {"test": "node --test"}})
    buildpack = NodeBuildpack()
    recipe = buildpack.env_recipe(repo)
    assert recipe.steps == () and recipe.files == ()
    assert buildpack.setup_commands(repo) == []


def test_node_recipe_is_keyed_on_package_json_and_lockfile(tmp_path: Path) -> None:
    repo = _package(tmp_path, {"devDependencies": {"jest": "^29"}}, "package-lock.json")
    buildpack = NodeBuildpack()
    recipe = buildpack.env_recipe(repo)
    assert [name for name, _ in recipe.files] == ["package.json", "package-lock.json"]
    assert any("npm ci" in step for step in recipe.steps)
    key = recipe.key()
    (repo / "index.js").write_text("module.exports = 1")  # sources do not change the env
    assert buildpack.env_recipe(repo).key() == key
    (repo / "package-lock.json").write_text('{"lockfileVersion": 3}')
    assert buildpack.env_recipe(repo).key() != key
    assert buildpack.runner == "jest"
    assert "node_modules" in " ".join(buildpack.setup_commands(repo)[0])


def test_node_selected_tests_map_to_files_and_name_patterns() -> None:
    argv = NodeBuildpack().test_command(
        ["test/bus.test.js > once handlers run a single time", "test/wait.test.js > a (b)"], "/r"
    )
    assert argv[:2] == ["node", "--test"]
    assert "--test-name-pattern=^(?:once\\ handlers\\ run\\ a\\ single\\ time)$" in argv
    assert "--test-name-pattern=^(?:a\\ \\(b\\))$" in argv
    assert argv[-2:] == ["test/bus.test.js", "test/wait.test.js"]
    assert "--test-reporter-destination=/r/node-tests.jsonl" in argv


def test_node_runs_the_paths_of_its_test_script(tmp_path: Path) -> None:
    buildpack = NodeBuildpack()
    buildpack.setup_commands(_package(tmp_path, {"scripts": {"test": "node --test --foo spec/"}}))
    assert buildpack.test_command([], "/r")[-1] == "spec/"


@pytest.mark.parametrize(
    ("runner", "tool", "pattern_flag"),
    [
        ("jest", "node_modules/.bin/jest", "-t"),
        ("vitest", "node_modules/.bin/vitest", "-t"),
        ("mocha", "node_modules/.bin/mocha", "--grep"),
    ],
)
def test_other_runners_record_the_working_directory(runner: str, tool: str, pattern_flag: str) -> None:
    argv = NodeBuildpack(runner).test_command(["t/a.test.js > s > x y"], "/r")  # type: ignore[arg-type]
    assert argv[:2] == ["sh", "-c"] and argv[4] == "/r" and tool in argv[5:]
    # one plain title goes to mocha as it is: mocha before 4 greps the string literally
    expected = "s x y" if runner == "mocha" else r"^(?:s(?: | > )x\ y)$"
    assert argv[argv.index(pattern_flag) + 1] == expected


def test_rust_recipe_and_commands(tmp_path: Path) -> None:
    buildpack = RustBuildpack()
    recipe = buildpack.env_recipe(FIXTURES / "rust" / "multicrate")
    assert recipe.steps == ()  # no crates to fetch
    assert ("CARGO_TARGET_DIR", "/tmp/rfsn-target") in recipe.env
    shutil.copytree(FIXTURES / "rust" / "multicrate", tmp_path / "c")
    with (tmp_path / "c" / "Cargo.toml").open("a") as f:
        f.write('serde = "1"\n')
    recipe = buildpack.env_recipe(tmp_path / "c")
    # the fixture's Cargo.lock is honoured as written: cargo fails rather than update it
    assert recipe.steps[0].endswith("sh rfsn-crates.sh --locked") and recipe.files[0][0] == "Cargo.toml"
    assert "Cargo.lock" in dict(recipe.files)
    (tmp_path / "c" / "Cargo.lock").unlink()
    assert buildpack.env_recipe(tmp_path / "c").steps[0].endswith("sh rfsn-crates.sh")
    assert buildpack.test_command(["a::b"], "/r")[-3:] == ["--", "--exact", "a::b"]
    assert "--exact" not in buildpack.test_command(["src/lib.rs - double (line 5)"], "/r")


def test_go_and_java_recipes_copy_only_the_dependency_files(tmp_path: Path) -> None:
    go = load("go").env_recipe(FIXTURES / "go" / "calc")
    assert go.steps == (GO_STD,) and ("GOPROXY", "off") in go.env  # no module to download
    # go.sum sits beside go.mod when `go mod download` runs, which checks every module against it
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.22\n\nrequire example.com/x v1.0.0\n")
    (tmp_path / "go.sum").write_text("example.com/x v1.0.0 h1:abc=\n")
    summed = load("go").env_recipe(tmp_path)
    assert [name for name, _ in summed.files][:2] == ["go.mod", "go.sum"]
    assert summed.steps[0] == "cd $RFSN_ENV/files && sh rfsn-gomods.sh"
    assert "go mod download all" in dict(summed.files)["rfsn-gomods.sh"]
    java = load("java").env_recipe(FIXTURES / "java" / "shapes")
    assert [name for name, _ in java.files] == ["pom.xml", "rfsn-maven.sh", "rfsn-maven-subst.sh", "rfsn-maven.txt"]
    assert "rfsn-maven.sh $RFSN_ENV/m2" in java.steps[0] and "dependency:go-offline" in java.files[1][1]


def test_runners_that_can_stop_early_are_told_how_many_failures_end_the_run() -> None:
    from rfsn.buildpacks.base import FailFastCapable

    for name in ("node", "rust", "go"):
        assert isinstance(load(name), FailFastCapable)
    jest, mocha = NodeBuildpack("jest"), NodeBuildpack("mocha")
    assert jest.fail_fast_command(["t/a.test.js"], "/r", 3) == [*jest.test_command(["t/a.test.js"], "/r"), "--bail=3"]
    assert mocha.fail_fast_command([], "/r", 1)[-1] == "--bail"  # type: ignore[index]
    assert mocha.fail_fast_command([], "/r", 2) is None  # mocha stops only at the first
    node = NodeBuildpack()  # node 20's runner cannot stop: the count is for the warm runner
    assert node.fail_fast_command([], "/r", 1) == ["env", "RFSN_MAX_FAILURES=1", *node.test_command([], "/r")]
    rust = RustBuildpack()
    assert "--no-fail-fast" in rust.test_command(["a::b"], "/r")
    assert rust.fail_fast_command(["a::b"], "/r", 1) == [
        a for a in rust.test_command(["a::b"], "/r") if a != "--no-fail-fast"
    ]
    assert rust.fail_fast_command(["a::b"], "/r", 2) is None
    go = load("go")
    assert go.fail_fast_command(["./calc TestAdd"], "/r", 1)[:3] == ["go", "test", "-failfast"]  # type: ignore[attr-defined]
    assert go.fail_fast_command([], "/r", 2) is None  # type: ignore[attr-defined]
