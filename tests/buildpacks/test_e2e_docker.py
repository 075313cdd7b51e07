"""End to end in Docker: `rfsn test` reports exactly what the runners report on the host.

The expected statuses are the devset harness's (FAIL_TO_PASS failed, PASS_TO_PASS
passed, after the instance's test_patch), which the host runs reproduce
(tests/buildpacks/fixtures/*/...expected). Base images come from the registry
or `rfsn sandbox bootstrap --buildpack NAME`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.patches import parse_patch
from rfsn.settings import load_settings
from rfsn.workspace import prepare
from tests.buildpacks.conftest import FIXTURES
from tests.conftest import with_test_patch
from tests.paths import DEVSET

pytestmark = pytest.mark.docker


def _docker_answers() -> bool:
    try:
        import docker

        docker.from_env().ping()
    except Exception:  # any failure to reach a daemon means: no Docker here
        return False
    return True


@pytest.fixture(scope="module", autouse=True)
def _needs_docker() -> None:
    if not _docker_answers():
        if os.environ.get("RFSN_REQUIRE_DOCKER") == "1":
            pytest.fail("RFSN_REQUIRE_DOCKER=1 but no Docker daemon answers")
        pytest.skip("no Docker daemon")


def _instance(project: str) -> dict[str, object]:
    for line in (DEVSET / "instances.jsonl").read_text().splitlines():
        instance = json.loads(line)
        if instance["repo"] == f"devset/{project}":
            return instance
    raise LookupError(project)


def _devset_repo(project: str, tmp_path: Path) -> Path:
    if not (DEVSET / "materialize.py").is_file():
        pytest.skip("the devset is not available")
    subprocess.run(
        [sys.executable, str(DEVSET / "materialize.py"), str(tmp_path), "--only", project],
        check=True,
        capture_output=True,
    )
    repo = tmp_path / project
    subprocess.run(["git", "apply"], input=str(_instance(project)["test_patch"]), text=True, cwd=repo, check=True)
    return repo


def _rfsn_test(repo: Path) -> dict[str, str]:
    proc = subprocess.run(
        [sys.executable, "-c", "from rfsn.cli import main; main()", "test", str(repo), "--sandbox", "docker", "--json"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode in (0, 1), proc.stderr[-3000:]
    return dict(json.loads(proc.stdout)["tests"])


#: a case the default run keeps out: another project of a language a kept case runs (``-m sweep``)
SWEEP = pytest.mark.sweep


@pytest.mark.parametrize(
    "project",
    [
        pytest.param("cart-pricing", marks=SWEEP),
        "event-bus",
        pytest.param("duration-fmt", marks=SWEEP),
        pytest.param("wordfreq", marks=SWEEP),
        "ringbuf",
    ],
)
def test_devset_projects(project: str, tmp_path: Path) -> None:
    instance = _instance(project)
    expected = {t: "failed" for t in instance["FAIL_TO_PASS"]}  # type: ignore[union-attr]
    expected |= {t: "passed" for t in instance["PASS_TO_PASS"]}  # type: ignore[union-attr]
    assert _rfsn_test(_devset_repo(project, tmp_path)) == expected


def _gold_line(patch: str) -> str:
    """``file:line`` of the first line the instance's fix removes."""
    (file_patch,) = parse_patch(patch)
    line = file_patch.hunks[0].old_start
    for op, _ in file_patch.hunks[0].lines:
        if op == "-":
            return f"{file_patch.old_path}:{line}"
        line += op == " "
    raise AssertionError("the fix removes no line")


@pytest.mark.parametrize(
    "project", [pytest.param("cart-pricing", marks=SWEEP), "event-bus", pytest.param("duration-fmt", marks=SWEEP)]
)
def test_js_faults_are_localized_by_per_test_coverage(
    project: str, devset_instances: dict[str, Any], devset_repos: Path, tmp_path: Path
) -> None:
    """The phase planner in a Docker session ranks by per-test V8 coverage (not stack frames)
    and puts the line the instance's fix changes among its first three."""
    instance = devset_instances[project]
    repo = with_test_patch(devset_repos, instance, tmp_path / "repo")
    # to the first edit: the baseline, its failing tests once more, the coverage run
    options = RepairOptions(out_dir=tmp_path / "out", sandbox="docker", max_steps=4)
    with capture_logs() as logs:
        repair_workspace(prepare(str(repo), tmp_path / "ws"), options, load_settings())
    (localized,) = [e for e in logs if e["event"] == "planner.localized"]
    assert localized["by"] == "coverage"
    assert _gold_line(str(instance["patch"])) in localized["top"][:3], localized["top"]


def test_go_project(tmp_path: Path) -> None:
    repo = tmp_path / "calc"
    shutil.copytree(FIXTURES / "go" / "calc", repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    pkg = "example.com/calc"
    assert _rfsn_test(repo) == {
        f"{pkg}/mathx/TestAbs": "passed",
        f"{pkg}/mathx/TestAbs/positive": "passed",
        f"{pkg}/mathx/TestAbs/negative_number": "passed",
        f"{pkg}/mathx/TestAbs/zero": "passed",
        f"{pkg}/mathx/TestClamp": "failed",
        f"{pkg}/mathx/TestClamp/below": "passed",
        f"{pkg}/mathx/TestClamp/above": "failed",
        f"{pkg}/mathx/TestSkipped": "skipped",
        f"{pkg}/strs/TestShout": "passed",
        f"{pkg}/strs/ExampleShout": "passed",
        f"{pkg}/broken": "error",
    }


def _go_words(tmp_path: Path) -> Path:
    repo = tmp_path / "words"
    shutil.copytree(FIXTURES / "go" / "words", repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    return repo


def test_a_go_panic_fails_its_test_and_the_tests_it_kept_from_running_run_without_it(tmp_path: Path) -> None:
    """A panic ends the package's test binary after 2 of its 5 tests: the panicking test fails
    with the panic's message and stack, and the 3 it kept from running run again (one fails on its
    own), none counted as passed without running."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from rfsn.cli import main; main()",
            "test",
            str(_go_words(tmp_path)),
            "--sandbox",
            "docker",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    pkg = "example.com/gopanic/words"
    assert report["tests"] == {
        f"{pkg}/TestVerb": "passed",
        f"{pkg}/TestArgsOne": "failed",
        f"{pkg}/TestArgsMany": "failed",
        f"{pkg}/TestCount": "passed",
        f"{pkg}/TestEmpty": "passed",
    }
    (crash,) = report["crashes"]
    assert crash["test"] == f"{pkg}/TestArgsOne"
    assert crash["reason"] == "runtime error: slice bounds out of range [2:1]"
    assert "/words/words.go:12\n" in crash["stack"]


def test_a_go_panic_from_a_slice_off_by_one_is_repaired_offline(tmp_path: Path) -> None:
    """`rfsn repair PATH`, no test named, no model: the panic's cause is read, localization falls
    back to its stack (the panicking test wrote no coverage) and a template fixes ``fields[2:]``."""
    repo = _go_words(tmp_path)
    out = tmp_path / "out"
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from rfsn.cli import main; main()",
            "repair",
            str(repo),
            "--sandbox",
            "docker",
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "slice bounds out of range" in proc.stdout
    (result,) = out.glob("*/result.json")
    fixed = json.loads(result.read_text())
    assert "-\treturn fields[2:]\n+\treturn fields[1:]" in fixed["patch"]
    assert "example.com/gopanic/words/TestArgsOne" in fixed["failing_before"]


def test_rust_test_binaries_that_die_fail_their_test_and_run_the_rest_without_it(tmp_path: Path) -> None:
    """A stack overflow and an abort each end their test binary: the test that died fails (the
    abort's found by running that binary's tests one at a time) and the binary's other tests
    run again without it."""
    repo = tmp_path / "rustdie"
    shutil.copytree(FIXTURES / "rust" / "rustdie", repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    assert _rfsn_test(repo) == {
        "tests::a_halves": "passed",
        "tests::b_overflows": "failed",
        "tests::c_halves_odd": "passed",
        "tests::d_halves_zero": "passed",
        "first": "passed",
        "aborts": "failed",
        "last": "passed",
    }


def test_a_node_test_that_exits_fails_and_its_files_other_tests_run(tmp_path: Path) -> None:
    """``process.exit`` in a test ends its file's process under ``node --test``, which loses the
    whole file's results (exit code 0: the file passes): the exiting test fails and the file's
    other tests run again with its exit disarmed."""
    repo = tmp_path / "exits"
    shutil.copytree(FIXTURES / "node" / "exits", repo)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    assert _rfsn_test(repo) == {
        "test/exit.test.js > first": "passed",
        "test/exit.test.js > exits": "failed",
        "test/exit.test.js > after exit": "passed",
        "test/exit.test.js > also after": "passed",
        "test/nested.test.js > outer > fine": "passed",
        "test/nested.test.js > outer > inner > dies": "failed",
        "test/nested.test.js > outer > later": "passed",
        "test/fine.test.js > fine": "passed",
    }


def test_a_node_install_whose_script_fails_is_done_again_without_scripts(tmp_path: Path) -> None:
    """A dependency's install script that needs what the image lacks (here the project's own
    postinstall, exit 127 as from a missing cmake-js) does not cost the env: npm installs again
    with --ignore-scripts and the suite runs."""
    repo = tmp_path / "scripted"
    repo.mkdir()
    (repo / "package.json").write_text(
        json.dumps(
            {
                "name": "scripted",
                "version": "1.0.0",
                "scripts": {"test": "node --test", "postinstall": "rfsn-no-such-tool"},
                "dependencies": {"is-number": "7.0.0"},
            }
        )
    )
    (repo / "test").mkdir()
    (repo / "test" / "num.test.js").write_text(
        "const test = require('node:test')\nconst assert = require('node:assert')\n"
        "const isNumber = require('is-number')\n\ntest('five is a number', () => assert.ok(isNumber(5)))\n"
        "test('the runtime is the node the image is named for', () => assert.match(process.version, /^v20\\./))\n"
    )
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    assert _rfsn_test(repo) == {
        "test/num.test.js > five is a number": "passed",
        "test/num.test.js > the runtime is the node the image is named for": "passed",
    }


HANGS = {
    "go.mod": "module example.com/hangs\n\ngo 1.19\n",
    "add.go": "package hangs\n\nfunc Add(a, b int) int { return a + b }\n",
    "add_test.go": (
        'package hangs\n\nimport (\n\t"testing"\n\t"time"\n)\n\n'
        'func TestAdd(t *testing.T) {\n\tif Add(1, 2) != 3 {\n\t\tt.Fatal("1+2")\n\t}\n}\n\n'
        "func TestHang(t *testing.T) {\n\tfor {\n\t\ttime.Sleep(10 * time.Millisecond)\n\t}\n}\n\n"
        'func TestLater(t *testing.T) {\n\tif Add(2, 2) != 4 {\n\t\tt.Fatal("2+2")\n\t}\n}\n'
    ),
}


def test_a_go_test_that_never_ends_times_out_at_the_per_test_limit_and_the_rest_run_without_it(tmp_path: Path) -> None:
    """A Go test binary's limit is the per-test limit (cron bc59245: a seed made a test that never
    ends, and the baseline ran out the session's budget): the hanging test ends its binary with
    go's "test timed out" panic after 3 s, is ``timeout``, and the test it kept from running runs."""
    repo = tmp_path / "hangs"
    repo.mkdir()
    for name, text in HANGS.items():
        (repo / name).write_text(text)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            "from rfsn.cli import main; main()",
            "test",
            str(repo),
            "--sandbox",
            "docker",
            "--json",
            "--timeout",
            "90",
        ],
        capture_output=True,
        text=True,
        timeout=1800,
        env={**os.environ, "RFSN_TEST_CASE_TIMEOUT": "3"},
    )
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    report = json.loads(proc.stdout)
    pkg = "example.com/hangs"
    assert report["tests"] == {f"{pkg}/TestAdd": "passed", f"{pkg}/TestHang": "timeout", f"{pkg}/TestLater": "passed"}
    assert report["reasons"][f"{pkg}/TestHang"][0] == "test timed out after 3s"
