"""Env recipes rendered from SWE-bench harness specs (spec tables given here, repos built here)."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rfsn.buildpacks.python.pyenv import PIP_INSTALL
from rfsn.buildpacks.python.swebench import metadata, specs, upstream

SPEC = {
    "python": "3.9",
    "packages": "requirements.txt",
    "pip_packages": ["attrs==23.1.0"],
    "install": "python -m pip install -e .",
    "pre_install": ["echo pre"],
    "test_cmd": "pytest -rA",
}


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout.strip()


def _repo(tmp_path: Path) -> tuple[Path, str]:
    repo = tmp_path / "repo"
    (repo / "reqs").mkdir(parents=True)
    _git(tmp_path, "init", "-q", str(repo))
    (repo / "reqs" / "test.txt").write_text("-r base.txt\n# pinned\n-e .\npytest==7.4.0\n")
    (repo / "setup.py").write_text(
        "from setuptools import setup\nsetup(name='p', install_requires=['six'], extras_require={'x': ['lxml']})\n"
    )
    (repo / "reqs" / "base.txt").write_text("six==1.16.0\n")
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "setup")
    setup = _git(repo, "rev-parse", "HEAD")
    (repo / "reqs" / "base.txt").write_text("six==1.17.0\n")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "later")
    return repo, setup


def test_requirements_come_from_the_setup_commit_with_includes_inlined(tmp_path: Path) -> None:
    repo, setup = _repo(tmp_path)
    text = metadata.read_requirements(repo, setup, ["missing.txt", "reqs/test.txt"])
    assert text.splitlines() == ["six==1.16.0", "pytest==7.4.0"]


def test_the_build_backend_is_read_for_the_offline_reinstall(tmp_path: Path) -> None:
    """Without build isolation (sessions are offline) the backend must already be in the env."""
    repo, _ = _repo(tmp_path)
    (repo / "pyproject.toml").write_text(
        '[build-system]\nrequires = ["flit_core>=3.2,<4"]\nbuild-backend = "flit_core.buildapi"\n'
    )
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "flit")
    assert metadata.build_requirements(repo, _git(repo, "rev-parse", "HEAD")) == ["flit_core>=3.2,<4"]


def test_no_requirements_file_is_an_env_failure_with_its_reason(tmp_path: Path) -> None:
    repo, setup = _repo(tmp_path)
    with pytest.raises(specs.EnvUnavailable, match="no requirements file"):
        metadata.read_requirements(repo, setup, ["nope.txt"])


def test_recipe_installs_the_spec_and_keeps_its_pytest_pin() -> None:
    recipe = specs.render_recipe(SPEC, registry=False, requirements="pytest==7.4.0\n")
    assert recipe.base.version == "3.9" and recipe.base.debian_release == "bullseye"
    assert dict(recipe.files) == {"requirements.txt": "pytest==7.4.0\n"}
    steps = "\n".join(recipe.steps)
    assert "-r $RFSN_ENV/files/requirements.txt" in steps and "attrs==23.1.0" in steps
    assert "coverage>=7.4" in steps
    assert " pytest " not in steps.replace("'", " ") + " "


def test_rfsn_tooling_is_constrained_by_what_the_spec_installed() -> None:
    """A spec pinning pluggy==0.13.1 keeps it: rfsn's pytest is resolved under those pins, and
    the venv's bundled pip/setuptools are really brought to the spec's bounds."""
    recipe = specs.render_recipe({**SPEC, "pip_packages": ["pluggy==0.13.1"]}, registry=False, requirements="six\n")
    assert "--upgrade 'pip<24.1' 'setuptools<70'" in recipe.steps[1]
    tooling = recipe.steps[-1]
    assert "pytest" in tooling and tooling.index("-c $RFSN_ENV/pins.txt") < tooling.index("pytest")
    assert "pip list --format=freeze > $RFSN_ENV/pins.txt" in tooling


def test_one_key_per_rendered_recipe() -> None:
    first = specs.render_recipe(SPEC, registry=False, requirements="six\n")
    assert first.key() == specs.render_recipe(dict(SPEC), registry=False, requirements="six\n").key()
    assert first.key() != specs.render_recipe(SPEC, registry=False, requirements="six==1\n").key()


def test_a_python_debian_does_not_ship_needs_a_registry() -> None:
    spec = {**SPEC, "python": "3.7"}
    with pytest.raises(specs.EnvUnavailable, match=r"Python 3\.7 is not shipped by Debian"):
        specs.render_recipe(spec, registry=False, requirements="")
    assert specs.render_recipe(spec, registry=True, requirements="").base.registry_image == "python:3.7-slim"


def test_conda_environment_files_are_refused_with_a_reason() -> None:
    with pytest.raises(specs.EnvUnavailable, match=r"environment\.yml"):
        specs.render_recipe({"python": "3.9", "packages": "environment.yml"}, registry=False)


def test_setup_runs_pre_install_then_install(tmp_path: Path) -> None:
    """Offline: built in isolation from the backend's wheels the env kept, else with the venv's."""
    pre, install = specs.setup_commands(SPEC)
    assert pre == ["bash", "-c", "echo pre"]
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "python").write_text('#!/bin/sh\necho "$@"\n')  # what pip would be given
    (tmp_path / "bin" / "python").chmod(0o755)
    env = {"PATH": f"{tmp_path / 'bin'}:/usr/bin:/bin", "RFSN_ENV": str(tmp_path)}
    ran = subprocess.run(install, env=env, capture_output=True, text=True, check=True)
    assert ran.stdout.split() == ["-m", "pip", "install", "--no-deps", "--no-build-isolation", "-e", "."]
    (tmp_path / "backend").mkdir()
    ran = subprocess.run(install, env=env, capture_output=True, text=True, check=True)
    assert ran.stdout.split() == [
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-index",
        "--find-links",
        f"{tmp_path}/backend",
        "-e",
        ".",
    ]
    # a build that asks for more than its backend's wheels (setup_requires, a backend's own
    # get_requires_for_build_*) cannot be isolated offline: built with the venv's, as before
    (tmp_path / "bin" / "python").write_text('#!/bin/sh\necho "$@"\ncase "$*" in *--no-index*) exit 1;; esac\n')
    ran = subprocess.run(install, env=env, capture_output=True, text=True, check=True)
    assert ran.stdout.splitlines()[-1].split() == [
        "-m",
        "pip",
        "install",
        "--no-deps",
        "--no-build-isolation",
        "-e",
        ".",
    ]


def test_real_spec_table_and_directives() -> None:
    pytest.importorskip("swebench")
    spec = upstream.lookup("pylint-dev/pylint", "2.15")
    assert spec is not None and spec["python"] == "3.9"
    assert upstream.lookup("pylint-dev/pylint", "0.0") is None
    patch = "diff --git a/tests/test_x.py b/tests/test_x.py\ndiff --git a/doc/a.md b/doc/a.md\n"
    assert upstream.test_directives({"repo": "pylint-dev/pylint", "test_patch": patch}) == ["tests/test_x.py"]


def test_a_spec_that_installs_all_tooling_adds_no_empty_install_step() -> None:
    reqs = "pytest==7.0\ncoverage==7.4\nsetuptools==68\nwheel\n"
    recipe = specs.render_recipe(SPEC, registry=False, requirements=reqs)
    assert all(step.strip() != PIP_INSTALL for step in recipe.steps)


def test_only_a_tox_current_env_runner_makes_the_base_python_see_the_venv() -> None:
    tox = {**SPEC, "test_cmd": "tox --current-env -epy39 -v --"}
    assert specs.render_recipe(tox, registry=False, requirements="six\n").steps[-1] == specs.BASE_SEES_VENV
    assert specs.BASE_SEES_VENV not in specs.render_recipe(SPEC, registry=False, requirements="six\n").steps


@pytest.mark.docker
def test_a_symlink_to_the_venv_python_keeps_its_packages(docker_client: object) -> None:
    """What tox-current-env does: ``.tox/py39/bin/python`` -> the venv's python. Without the step
    that symlink starts the bare base Python (sphinx-doc__sphinx-10325: "No module named pytest")."""
    from rfsn.buildpacks.python.pyenv import CREATE_VENV
    from rfsn.buildpacks.python.pyrecipe import DEBIAN_PYTHON, python_image

    built = [
        python_image(v).bootstrap_tag
        for v in DEBIAN_PYTHON
        if docker_client.images.list(name=python_image(v).bootstrap_tag)
    ]  # type: ignore[attr-defined]
    if not built:
        pytest.skip("no Debian Python base image is built here (rfsn sandbox bootstrap --buildpack python)")
    image = built[0]
    probe = (
        'purelib="$($RFSN_ENV/venv/bin/python -c \'import sysconfig; print(sysconfig.get_paths()["purelib"])\')"'
        ' && echo "X = 1" > "$purelib/rfsn_probe.py"'
        " && mkdir -p /tmp/tox/bin && ln -s $RFSN_ENV/venv/bin/python /tmp/tox/bin/python"
    )
    check = "/tmp/tox/bin/python -c 'import rfsn_probe' 2>/dev/null && echo seen || echo unseen"
    script = " && ".join([CREATE_VENV, probe, check, specs.BASE_SEES_VENV, check])
    out = docker_client.containers.run(  # type: ignore[attr-defined]
        image,
        ["sh", "-c", script],
        environment={"RFSN_ENV": "/tmp/rfsn-env"},
        network_mode="none",
        remove=True,
        user="root",
    )
    assert out.decode().split() == ["unseen", "seen"]


def test_pre_install_sed_edits_of_the_metadata_decide_the_build_backend(tmp_path: Path) -> None:
    """astropy's spec pins setuptools by sed on pyproject.toml before the harness installs the
    project; the backend rfsn puts in the env for the offline reinstall must be the edited one."""
    repo, _ = _repo(tmp_path)
    (repo / "pyproject.toml").write_text('[build-system]\nrequires = ["setuptools", "wheel"]\n')
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "backend")
    spec = {
        **SPEC,
        "pre_install": [
            "sed -i 's/pytest/pytest -rA/' tox.ini",
            """sed -i 's/requires = \\["setuptools",/"""
            """requires = \\["setuptools==68.0.0",/' pyproject.toml""",
            "grep -q 'lxml' setup.py && sed -i 's/lxml/lxml<5/' setup.py",
            "apt-get update && apt-get install -y graphviz",
        ],
    }
    edits = metadata.metadata_edits(spec)
    assert edits == spec["pre_install"][1:3]  # tox.ini is not metadata; apt-get is not an edit
    head = _git(repo, "rev-parse", "HEAD")
    assert metadata.build_requirements(repo, head) == ["setuptools", "wheel"]
    assert metadata.build_requirements(repo, head, edits) == ["setuptools==68.0.0", "wheel"]
    assert "68.0.0" not in (repo / "pyproject.toml").read_text()  # the checkout itself is untouched


def test_the_version_for_a_tree_without_history_is_the_nearest_release_tag(tmp_path: Path) -> None:
    repo, setup = _repo(tmp_path)
    assert metadata.scm_version(repo, setup) == ""  # no tag: no override
    _git(repo, "tag", "v1.4.0rc1", setup)
    assert metadata.scm_version(repo, _git(repo, "rev-parse", "HEAD")) == "1.4.0rc1"
    _git(repo, "tag", "not-a-version")
    assert metadata.scm_version(repo, _git(repo, "rev-parse", "HEAD")) == ""


def test_pieces_of_progress_lines_the_harness_parser_reports_are_kept_beside_junit() -> None:
    """Some datasets list ``[100%]`` as PASS_TO_PASS because the harness's parser reads it off a
    progress line; such non-ids come from the parser, every real test id from junit alone."""
    pytest.importorskip("swebench")
    from rfsn.buildpacks.python.swebench.specpytest import SpecBuildpack
    from rfsn.models import TestStatus
    from tests.controller.conftest import junit

    pack = SpecBuildpack(
        {},
        specs.render_recipe({"python": "3.11"}, registry=False),
        upstream.log_parser("pytest-dev/pytest"),
        "pytest-dev__pytest-1",
    )
    output = (
        "PASSED [100%]\nPASSED tests/test_calc.py::test_add\n"
        "PASSED tests/test_calc.py::test_zero\n"  # a lie: junit says failed
        "ERROR    root:t.py:7 error text going to logger\n"
    )  # a test's log output, no test
    statuses = pack.parse(output, {"junit.xml": junit(test_add="passed", test_zero="failed")})
    assert statuses == {
        "tests/test_calc.py::test_add": TestStatus.PASSED,
        "tests/test_calc.py::test_zero": TestStatus.FAILED,
        "[100%]": TestStatus.PASSED,
    }


def test_the_project_is_installed_at_the_base_commit_when_its_metadata_moved(tmp_path: Path) -> None:
    """pylint's base commit still needs ``toml``, which its env commit dropped: the harness
    installs at the base commit, so must the env build, whenever the metadata differ."""
    repo, setup = _repo(tmp_path)
    later = _git(repo, "rev-parse", "HEAD")  # reqs/base.txt changed: not a root-level file
    assert metadata.install_commit(repo, setup, later) == setup
    (repo / "setup.py").write_text("from setuptools import setup\nsetup(name='p', install_requires=['toml'])\n")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qam", "needs toml")
    moved = _git(repo, "rev-parse", "HEAD")
    assert metadata.install_commit(repo, setup, moved) == moved
    assert metadata.install_commit(repo, moved, moved) == moved


def test_dataset_instances_without_the_harness_specs_are_an_input_error(tmp_path: Path) -> None:
    """Without the ``swebench`` package a SWE-bench instance would silently get a generic
    environment (and fail as ``env``): the command stops first, saying what to install."""
    import json
    import sys

    from tests.paths import ROOT

    lines = [
        {
            "instance_id": "o__r-1",
            "repo": "o/r",
            "base_commit": "a" * 40,
            "patch": "",
            "test_patch": "",
            "FAIL_TO_PASS": [],
            "PASS_TO_PASS": [],
            "version": "1.0",
            "environment_setup_commit": "b" * 40,
        }
    ]
    path = tmp_path / "instances.jsonl"
    path.write_text("".join(json.dumps(x) + "\n" for x in lines))
    empty = tmp_path / "empty.json"
    empty.write_text("[]")
    script = (
        "import sys; sys.modules['swebench'] = None\n"
        "from rfsn.cli import main\n"
        "main(['evaluate', 'gold', '--instances', sys.argv[1], '--run-id', 'r', '--report-dir', sys.argv[2]])\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(path), str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2, done.stderr
    assert "pip install 'rfsn[swebench]'" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "logs").exists()  # nothing ran
    done = subprocess.run(
        [sys.executable, "-c", script, str(empty), str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and f"no instances in {empty}" in done.stderr, done.stderr


def _harness_run(repo: str, test_patch: str, selects: bool) -> Any:
    from rfsn.buildpacks.python.swebench.harnessrun import HarnessRunBuildpack

    directives = upstream.test_directives({"repo": repo, "test_patch": test_patch})
    return HarnessRunBuildpack(
        {"test_cmd": "tox --current-env -epy39 -v --"},
        specs.render_recipe({"python": "3.9"}, registry=False),
        directives,
        upstream.log_parser(repo),
        f"{repo.replace('/', '__')}-1",
        repo=repo,
        selects=selects,
    )


def test_a_repair_session_runs_the_files_it_selects_through_a_harness_runner() -> None:
    """sphinx runs ``tox --current-env``: a repair session's reproduction file must run when
    selected, and in the issue-only setting (no test patch) a run of no selection is the whole
    suite; grading always runs the test patch's directives, as the harness does."""
    pytest.importorskip("swebench")
    patch = "diff --git a/tests/test_ext.py b/tests/test_ext.py\n"
    selected = ["tests/test_rfsn_repro_ext.py::test_a", "tests/test_rfsn_repro_ext.py::test_b"]
    repairing = _harness_run("sphinx-doc/sphinx", patch, selects=True)
    assert repairing.test_command(selected, "/r")[-1] == "tox --current-env -epy39 -v -- tests/test_rfsn_repro_ext.py"
    assert repairing.test_command([], "/r")[-1] == "tox --current-env -epy39 -v -- tests/test_ext.py"
    issue_only = _harness_run("sphinx-doc/sphinx", "", selects=True)
    assert issue_only.test_command([], "/r")[-1] == "tox --current-env -epy39 -v --"
    grading = _harness_run("sphinx-doc/sphinx", patch, selects=False)
    assert grading.test_command(selected, "/r")[-1] == "tox --current-env -epy39 -v -- tests/test_ext.py"
    # sympy's parser names a failing test "path:name": its file is selected, not the whole suite
    sympy = _harness_run("sympy/sympy", "", selects=True)
    assert sympy.test_command(["sympy/core/tests/test_rfsn_repro_x.py:test_x"], "/r")[-1].endswith(
        " sympy/core/tests/test_rfsn_repro_x.py"
    )
    # django's runner takes module labels: a file turns into one the harness's way; an id that
    # names no file leaves the directives
    django = _harness_run(
        "django/django", "diff --git a/tests/calc/test_core.py b/tests/calc/test_core.py\n", selects=True
    )
    assert django.test_command(["tests/calc/test_rfsn_repro.py"], "/r")[-1].endswith(" calc.test_rfsn_repro")
    assert django.test_command(["test_add (calc.test_core.CoreTests.test_add)"], "/r")[-1].endswith(" calc.test_core")


SYMPY_LOG = """\
sympy/solvers/tests/test_polysys.py[2]
test_solve_poly_system ok
test_solve_biquadratic ok                                                   [OK]

sympy/solvers/tests/test_rfsn_repro_polysys.py[2]
test_solve_poly_system ok
test_solve_issue_x E                                                      [FAIL]

________________________________________________________________________________
____ sympy/solvers/tests/test_rfsn_repro_polysys.py:test_solve_issue_x _____
Traceback (most recent call last):
sympy.testing.pytest.Failed: DID NOT RAISE
=========== tests finished: 3 passed, 1 exceptions, in 1.00 seconds ============
"""


def _sympy(selects: bool) -> Any:
    """sympy's harness runner with the spec's own command (``bin/test``, whose output rfsn also reads by file)."""
    buildpack = _harness_run("sympy/sympy", "", selects=selects)
    buildpack.spec = {"test_cmd": "PYTHONWARNINGS='ignore::UserWarning' bin/test -C --verbose"}
    return buildpack


def test_a_repair_session_sees_a_sympy_reproductions_test_pass_by_its_file() -> None:
    """The harness's sympy parser names a failing test ``path.py:name`` and a passing one by its
    bare name (which another file's test may share): a repair session also reads each test by
    its file, so a reproduction's test that fails and then passes is seen to pass. Grading reads
    what the harness reads."""
    pytest.importorskip("swebench")
    from rfsn.models import TestStatus

    repro = "sympy/solvers/tests/test_rfsn_repro_polysys.py"
    statuses = _sympy(selects=True).parse(SYMPY_LOG, {})
    assert statuses[f"{repro}:test_solve_poly_system"] is TestStatus.PASSED
    assert statuses[f"{repro}:test_solve_issue_x"] is TestStatus.FAILED  # the harness's own id
    assert statuses["sympy/solvers/tests/test_polysys.py:test_solve_poly_system"] is TestStatus.PASSED
    # a file's last test: its line ends with the file's [OK], which the harness's parser misses;
    # its bare name too (the one test a run selects by name is the last: sympy-13437's target)
    assert statuses["sympy/solvers/tests/test_polysys.py:test_solve_biquadratic"] is TestStatus.PASSED
    assert statuses["test_solve_biquadratic"] is TestStatus.PASSED
    assert "test_solve_biquadratic" not in _sympy(selects=False).parse(SYMPY_LOG, {})
    assert statuses["test_solve_poly_system"] is TestStatus.PASSED
    graded = _sympy(selects=False).parse(SYMPY_LOG, {})
    assert f"{repro}:test_solve_poly_system" not in graded and graded["test_solve_poly_system"] is TestStatus.PASSED
    # a newer sympy heads the traceback `path.py::name` (sympy-24909), which the harness's parser
    # reads as an id of its own: in a session it is the test `path.py:name`, the one id of it
    newer = SYMPY_LOG.replace(f"{repro}:test_solve_issue_x", f"{repro}::test_solve_issue_x")
    session = _sympy(selects=True).parse(newer, {})
    assert session == statuses
    assert f"{repro}::test_solve_issue_x" in _sympy(selects=False).parse(newer, {})


def test_a_session_gives_a_harness_runner_that_can_its_per_test_limit_and_the_names_it_selects() -> None:
    """sympy's ``bin/test`` stops a test past ``--timeout`` seconds and prints it ``T`` (a test
    of sympy 1.1's ``test_trigonometric.py`` runs for minutes there), and runs only the tests
    whose names contain a word after ``-k``: a session's per-test limit goes to it, the test
    reads as timed out, and a selection of named tests runs those, not their whole files. tox's
    runner has neither option, and grading runs the harness's command as it is."""
    pytest.importorskip("swebench")
    from rfsn.buildpacks.base import limit_cases
    from rfsn.models import TestStatus

    sympy = _sympy(selects=True)
    file = "sympy/functions/elementary/tests/test_trigonometric.py"
    assert sympy.test_command([file], "/r")[-1].endswith(f"bin/test -C --verbose {file}")
    assert sympy.test_command([f"{file}:test_sin"], "/r")[-1].endswith(f"bin/test -C --verbose {file} -k test_sin")
    limit_cases(sympy, 59.6)
    assert sympy.test_command([f"{file}:test_sin", f"{file}:test_cos"], "/r")[-1].endswith(
        f"bin/test -C --verbose --timeout=60 {file} -k test_sin test_cos"
    )
    # a whole file among the selection: no name selects it, so the files run whole
    assert sympy.test_command([f"{file}:test_sin", "sympy/core/tests/test_basic.py"], "/r")[-1].endswith(
        f"--timeout=60 {file} sympy/core/tests/test_basic.py"
    )
    # a reproduction's test with the bare alias it is also reported by (sympy-20590's failing
    # tier ran the session's suite and selected nothing): the named file holds both
    repro = "sympy/core/tests/test_rfsn_repro_basic.py"
    assert sympy.test_command([f"{repro}:test_immutable", "test_immutable"], "/r")[-1].endswith(
        f"--timeout=60 {repro} -k test_immutable"
    )
    grading = _harness_run("sympy/sympy", f"diff --git a/{file} b/{file}\n", selects=False)
    grading.spec = sympy.spec
    assert grading.test_command(["test_sin"], "/r")[-1].endswith(f"bin/test -C --verbose {file}")
    log = f"{file}[3]\ntest_sin ok\ntest_sin_cos Timeout T\ntest_cos ok                [OK]\n"
    statuses = sympy.parse(log, {})
    assert statuses[f"{file}:test_sin_cos"] is TestStatus.TIMEOUT
    assert statuses[f"{file}:test_cos"] is TestStatus.PASSED
    # a run cut short: the file it was in when it stopped is not finished
    assert sympy.finished_files(log + "sympy/core/tests/test_basic.py[2] \ntest_a ok\n") == [file]
    tox = _harness_run("sphinx-doc/sphinx", "", selects=True)
    limit_cases(tox, 60)
    assert tox.test_command([], "/r")[-1] == "tox --current-env -epy39 -v --"


def test_an_issue_only_session_of_a_harness_runner_runs_its_suite_for_a_selection_without_files(tmp_path: Path) -> None:
    """sympy's ``bin/test``: issue-only there is no test patch, and a selection that names no
    file (a bare test name) ran all of sympy; it runs the session's suite instead, and of it
    the tests so named."""
    pytest.importorskip("swebench")
    from rfsn.buildpacks.python.swebench.environment import spec_buildpack
    from rfsn.models.swebench import Instance

    repo = tmp_path / "repo"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    (repo / "setup.py").write_text("from setuptools import setup\nsetup(name='sympy')\n")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x"], check=True
    )
    base = subprocess.run(
        ["git", "-C", str(repo), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    instance = Instance(
        instance_id="sympy__sympy-1", repo="sympy/sympy", version="1.9", base_commit=base, problem_statement="x"
    )
    suite = ["sympy/printing/tests/test_latex.py"]
    buildpack = spec_buildpack(instance, repo, registry=False, repairing=True, suite=suite)
    assert buildpack is not None
    assert buildpack.test_command(["test_latex_functions"], "/r")[-1].endswith(
        " sympy/printing/tests/test_latex.py -k test_latex_functions"
    )
    assert buildpack.test_command([], "/r")[-1].endswith(" sympy/printing/tests/test_latex.py")
    # a bare name that is no named test's alias may be anywhere in the suite: it runs too
    assert buildpack.test_command(["sympy/core/tests/test_repro.py:test_a", "test_latex_functions"], "/r")[-1].endswith(
        " sympy/core/tests/test_repro.py sympy/printing/tests/test_latex.py -k test_a test_latex_functions"
    )
    whole = spec_buildpack(instance, repo, registry=False, repairing=True)
    assert whole is not None and whole.test_command(["test_latex_functions"], "/r")[-1].endswith(
        "bin/test -C --verbose -k test_latex_functions"
    )
    # with no suite of the session's, a bare name that is no named test's alias: the whole suite
    assert whole.test_command(["sympy/core/tests/test_repro.py:test_a", "test_latex_functions"], "/r")[-1].endswith(
        "bin/test -C --verbose -k test_a test_latex_functions"
    )


def test_the_harness_specs_leave_logging_as_they_found_it() -> None:
    """Importing the swebench package calls ``logging.basicConfig(level=INFO)``; after it every
    HTTP request of httpx printed a line on the user's terminal. A fresh process: the package
    may be imported already in this one."""
    probe = (
        "import logging\nfrom rfsn.buildpacks.python.swebench import upstream\n"
        "upstream.lookup('pallets/flask', '2.3')\nupstream.log_parser('pallets/flask')\n"
        "print(len(logging.getLogger().handlers), logging.getLogger().level)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", str(logging.WARNING)]


def test_a_spec_lookup_imports_the_specs_alone_and_leaves_the_package_whole() -> None:
    """The package's ``__init__`` imports datasets, pandas and modal (3 s in every worker before
    its first lookup). A lookup reads the specs alone; a later ``import swebench`` still gets the
    whole package. A fresh process: the package may be imported already in this one."""
    probe = (
        "import sys\nfrom rfsn.buildpacks.python.swebench import upstream\n"
        "assert upstream.lookup('pallets/flask', '2.3') is not None\n"
        "print(sorted(m for m in ('datasets', 'pandas', 'modal', 'swebench') if m in sys.modules))\n"
        "import swebench, swebench.harness.run_evaluation\n"
        "print(swebench.__version__ == __import__('importlib.metadata').metadata.version('swebench'))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.split("\n")[:2] == ["[]", "True"], out.stdout + out.stderr
