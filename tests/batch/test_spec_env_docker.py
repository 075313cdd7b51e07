"""An env image built from a SWE-bench-style spec runs the spec's own install, so pip resolves
what a static reading of the project's metadata cannot (real Docker, a real PyPI install)."""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rfsn.batch.harness.repos import checkout
from rfsn.buildpacks.python.swebench import metadata, specs
from rfsn.buildpacks.python.swebench.specpytest import SpecBuildpack
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings
from tests.batch.test_repos import superproject
from tests.paths import COMMIT_DATES

pytestmark = [pytest.mark.docker, pytest.mark.slow]

#: extras built from other lists at run time (pvlib's and marshmallow's setup.py do this), and a
#: version that setuptools_scm computes from the tags
SETUP_PY = """\
from setuptools import setup

EXTRAS_REQUIRE = {"tests": ["six==1.16.0"], "lint": []}
EXTRAS_REQUIRE["dev"] = EXTRAS_REQUIRE["tests"] + EXTRAS_REQUIRE["lint"]
setup(name="scmproj", packages=["scmproj"], use_scm_version=True,
      setup_requires=["setuptools_scm"], extras_require=EXTRAS_REQUIRE)
"""
PYPROJECT = """\
[build-system]
requires = ["setuptools>=45", "setuptools_scm>=6.2,<8"]
build-backend = "setuptools.build_meta"
"""
SPEC = {"python": "3.11", "install": "python -m pip install -e '.[dev]'", "test_cmd": "pytest -rA"}


def _settings(home: Path) -> Settings:
    """A docker sandbox of 1 GB, one CPU, with room for an env build."""
    return Settings(sandbox="docker", home=home, memory="1g", cpus=1.0, pids=256, test_timeout=120, setup_timeout=600)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **COMMIT_DATES},
    ).stdout.strip()


def _project(root: Path) -> tuple[Path, str]:
    """A repository tagged v2.5.0 at its env commit and v2.6.0 at the later base commit."""
    repo = root / "scmproj"
    (repo / "scmproj").mkdir(parents=True)
    _git(root, "init", "-q", str(repo))
    (repo / "setup.py").write_text(SETUP_PY)
    (repo / "pyproject.toml").write_text(PYPROJECT)
    (repo / "scmproj" / "__init__.py").write_text("")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "env")
    _git(repo, "tag", "v2.5.0")
    env_commit = _git(repo, "rev-parse", "HEAD")
    (repo / "scmproj" / "__init__.py").write_text("ANSWER = 42\n")
    _git(repo, "commit", "-qam", "base")
    _git(repo, "tag", "v2.6.0")
    return repo, env_commit


def _flat_project(root: Path, name: str, requires: str) -> tuple[Path, str]:
    """A one-package setuptools project whose backend ``requires`` these, and its commit."""
    repo = root / name
    (repo / name).mkdir(parents=True)
    _git(root, "init", "-q", str(repo))
    (repo / "setup.py").write_text(f'from setuptools import setup\nsetup(name="{name}", packages=["{name}"])\n')
    (repo / "pyproject.toml").write_text(
        f'[build-system]\nrequires = [{requires}]\nbuild-backend = "setuptools.build_meta"\n'
    )
    (repo / name / "__init__.py").write_text("")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "env")
    return repo, _git(repo, "rev-parse", "HEAD")


def test_an_extra_computed_in_setup_py_is_installed_and_the_version_comes_from_the_tags(
    docker_client: Any, tmp_path: Path, rfsn_home: Path
) -> None:
    """``pip install -e '.[dev]'`` where ``dev`` is the sum of other lists: the env has its
    packages (a static reader of setup.py lost them); the build's copy has no history, yet the
    setuptools_scm project builds, and the session's reinstall reads its own tags."""
    repo, env_commit = _project(tmp_path)
    backend = tuple(metadata.build_requirements(repo, env_commit))
    assert backend == ("setuptools>=45", "setuptools_scm>=6.2,<8")
    assert metadata.scm_version(repo, env_commit) == "2.5.0"
    recipe = specs.render_recipe(
        SPEC,
        registry=False,
        project=specs.ProjectSource(commit=env_commit, backend=backend, version=metadata.scm_version(repo, env_commit)),
    )
    settings = _settings(rfsn_home)
    with open_sandbox(repo, SpecBuildpack(SPEC, recipe), settings, "docker") as sandbox:
        assert sandbox.setup_failure is None
        probe = (
            "import six, scmproj, importlib.metadata as m; print(six.__version__, m.version('scmproj'), scmproj.ANSWER)"
        )
        result = sandbox.exec(["python", "-c", probe], timeout=60)
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["1.16.0", "2.6.0", "42"]


def test_xarray_4094_a_project_whose_setup_cfg_asks_setup_requires_reinstalls_offline(
    docker_client: Any, tmp_path: Path, rfsn_home: Path
) -> None:
    """What setuptools fetches while it builds (``setup_requires``) is in the env, so the
    session's offline ``pip install -e .`` builds without an index. pydata__xarray-4094 (setup.cfg:
    ``setup_requires = setuptools_scm``, no pyproject.toml) failed it in every sandbox, 43-65 s
    each, and no setup snapshot was kept."""
    repo = tmp_path / "cfgscm"
    (repo / "cfgscm").mkdir(parents=True)
    _git(tmp_path, "init", "-q", str(repo))
    (repo / "setup.py").write_text("from setuptools import setup\nsetup(use_scm_version=True)\n")
    (repo / "setup.cfg").write_text(
        "[metadata]\nname = cfgscm\n\n[options]\npackages = cfgscm\n"
        "setup_requires =\n    setuptools >= 41.2\n    setuptools_scm\n"
    )
    (repo / "cfgscm" / "__init__.py").write_text("")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    _git(repo, "tag", "v1.2.0")
    commit = _git(repo, "rev-parse", "HEAD")
    spec = {**SPEC, "install": "python -m pip install -e ."}
    assert metadata.build_requirements(repo, commit) == []
    recipe = specs.render_recipe(
        spec,
        registry=False,
        project=specs.ProjectSource(
            commit=commit,
            build_backend=metadata.build_backend(repo, commit),
            version=metadata.scm_version(repo, commit),
        ),
    )
    settings = _settings(rfsn_home)
    with open_sandbox(repo, SpecBuildpack(spec, recipe), settings, "docker") as sandbox:
        assert sandbox.setup_failure is None
        result = sandbox.exec(
            ["python", "-c", "import importlib.metadata as m; print(m.version('cfgscm'))"], timeout=60
        )
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["1.2.0"]


def test_astropy_8707_setup_requires_setup_py_computes_as_it_runs_are_in_the_env(
    docker_client: Any, tmp_path: Path, rfsn_home: Path
) -> None:
    """The env build asks the project's build backend what building it needs, after the spec's
    install, and the venv gets it: astropy 3.1's setup.py adds cython and jinja2 to
    ``setup_requires`` as it runs, no reading of the files saw them, and every session's offline
    reinstall failed (astropy__astropy-8707, -8872: "ImportError: astropy")."""
    repo = tmp_path / "runreq"
    (repo / "runreq").mkdir(parents=True)
    _git(tmp_path, "init", "-q", str(repo))
    (repo / "setup.py").write_text(
        "import os\nfrom setuptools import setup\nsetup_requires = []\n"
        "if not os.path.exists(os.path.join(os.path.dirname(__file__), 'PKG-INFO')):\n"
        "    setup_requires.extend(['six>=1.10'])\n"
        "setup(name='runreq', packages=['runreq'], setup_requires=setup_requires)\n"
    )
    (repo / "runreq" / "__init__.py").write_text("")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    commit = _git(repo, "rev-parse", "HEAD")
    spec = {**SPEC, "install": "python -m pip install -e ."}
    recipe = specs.render_recipe(
        spec,
        registry=False,
        project=specs.ProjectSource(commit=commit, build_backend=metadata.build_backend(repo, commit)),
    )
    settings = _settings(rfsn_home)
    with open_sandbox(repo, SpecBuildpack(spec, recipe), settings, "docker") as sandbox:
        assert sandbox.setup_failure is None
        result = sandbox.exec(["python", "-c", "import six, runreq; print(runreq.__file__)"], timeout=60)
    assert result.exit_code == 0, result.output
    assert "/runreq/__init__.py" in result.output and "/venv/" not in result.output


def test_the_source_commit_is_part_of_the_recipe_and_its_image_tag() -> None:
    """Two env commits are two environments, never one image reused for the other."""
    from rfsn.sandbox.envimage import EnvImage

    first = specs.render_recipe(SPEC, registry=False, project=specs.ProjectSource(commit="a" * 40))
    second = specs.render_recipe(SPEC, registry=False, project=specs.ProjectSource(commit="b" * 40))
    assert first.key() != second.key()
    assert EnvImage(first, "base").tag != EnvImage(second, "base").tag
    install = next(step for step in first.steps if step.startswith("cd $RFSN_ENV/src && "))
    assert "( python -m pip install -e '.[dev]' )" in install


def test_the_build_backend_never_moves_a_package_the_spec_pinned(
    docker_client: Any, tmp_path: Path, rfsn_home: Path
) -> None:
    """astropy's ``oldest-supported-numpy`` pinned an old numpy over the spec's numpy==1.25.2,
    and the spec's install then upgraded it to the newest (its C extensions broke). Here the
    backend asks for ``six<1.16`` while the spec pins six==1.16.0: the pin stands."""
    repo, commit = _flat_project(tmp_path, "pinned", '"setuptools>=45", "six<1.16"')
    spec = {**SPEC, "install": "python -m pip install -e .", "pip_packages": ["six==1.16.0"]}
    recipe = specs.render_recipe(
        spec,
        registry=False,
        project=specs.ProjectSource(commit=commit, backend=tuple(metadata.build_requirements(repo, commit))),
    )
    settings = _settings(rfsn_home)
    with open_sandbox(repo, SpecBuildpack(spec, recipe), settings, "docker") as sandbox:
        assert sandbox.setup_failure is None
        result = sandbox.exec(["python", "-c", "import six, pinned; print(six.__version__)"], timeout=60)
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["1.16.0"]


def test_a_tool_of_rfsns_that_would_move_what_the_project_pinned_is_left_out(
    docker_client: Any, tmp_path: Path, rfsn_home: Path
) -> None:
    """astropy 1.3 on Python 3.6 gets coverage 6.2 (the last for 3.6) through pytest-cov, and
    rfsn's ``coverage>=7.4`` failed its whole env build. Here the project pins coverage==7.3.0:
    the env builds with the project's pin, and rfsn's other tools are there."""
    repo = tmp_path / "pinscov"
    (repo / "pinscov").mkdir(parents=True)
    _git(tmp_path, "init", "-q", str(repo))
    (repo / "setup.py").write_text(
        'from setuptools import setup\nsetup(name="pinscov", packages=["pinscov"], '
        'install_requires=["coverage==7.3.0"])\n'
    )
    (repo / "pinscov" / "__init__.py").write_text("")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "env")
    spec = {**SPEC, "install": "python -m pip install -e ."}
    recipe = specs.render_recipe(
        spec, registry=False, project=specs.ProjectSource(commit=_git(repo, "rev-parse", "HEAD"))
    )
    settings = _settings(rfsn_home)
    with open_sandbox(repo, SpecBuildpack(spec, recipe), settings, "docker") as sandbox:
        assert sandbox.setup_failure is None
        result = sandbox.exec(
            ["python", "-c", "import coverage, pytest_timeout, pinscov; print(coverage.__version__)"], timeout=60
        )
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["7.3.0"]


def test_an_index_date_builds_the_env_from_pypi_as_it_was_then(
    docker_client: Any, tmp_path: Path, rfsn_home: Path
) -> None:
    """six 1.17.0 came out on 2024-12-04: before that date six is 1.16.0, except that the spec's
    exact pin tomli==2.2.1 (2024-11-27) is installed and moves the cutoff only to the next day;
    rfsn's own tools come from today's index (coverage>=7.4 is newer than 2024-01-01's)."""
    spec = {"python": "3.11", "install": "", "test_cmd": "pytest -rA", "pip_packages": ["six", "tomli==2.2.1"]}
    recipe = specs.render_recipe(spec, registry=False, index_date="2024-01-01")
    assert recipe.key() != specs.render_recipe(spec, registry=False).key()
    settings = _settings(rfsn_home)
    (tmp_path / "repo").mkdir()
    with open_sandbox(tmp_path / "repo", SpecBuildpack(spec, recipe), settings, "docker") as sandbox:
        assert sandbox.setup_failure is None
        result = sandbox.exec(
            [
                "python",
                "-c",
                "import six, tomli, coverage; print(six.__version__, "
                "tomli.__version__, coverage.version_info >= (7, 4))",
            ],
            timeout=60,
        )
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["1.16.0", "2.2.1", "True"]


#: a build that reads a submodule, as astropy's ``ah_bootstrap`` reads ``astropy_helpers`` (which,
#: found empty, it fetches from the network)
HELPED_SETUP = """\
import sys
sys.path.insert(0, "helpers")
from helpers_lib import NAME
from setuptools import setup
with open("app/_built.py", "w") as fh:
    fh.write(f"HELPERS = {NAME!r}\\n")
setup(name="app", version="1.0", packages=["app"])
"""


def test_a_build_that_reads_a_submodule_runs_and_the_submodules_history_is_readable_inside(
    docker_client: Any, tmp_path: Path, rfsn_home: Path
) -> None:
    """The submodule comes from its mirror under --repos-dir, which borrows its objects from a
    repository under a mode-700 directory: the env build installs with the env commit's helpers
    (v1), the session's offline reinstall with the base's (v2), and git inside reads the
    submodule's tags and log."""
    mirrors, app, env, base = superproject(tmp_path, {"setup.py": HELPED_SETUP})
    ws = checkout(
        str(app), tmp_path / "ws", base, tmp_path / "cache", repos_dir=mirrors, upstream="https://github.com/acme/app"
    )
    spec = {**SPEC, "install": "python -m pip install -e ."}
    recipe = specs.render_recipe(spec, registry=False, project=specs.ProjectSource(commit=env))
    settings = _settings(rfsn_home)
    with open_sandbox(ws.path, SpecBuildpack(spec, recipe), settings, "docker") as sandbox:
        assert sandbox.setup_failure is None
        result = sandbox.exec(
            [
                "sh",
                "-c",
                "python -c 'import app._built as b; print(b.HELPERS)' && "
                "git -C helpers describe --tags && git -C helpers log --oneline | wc -l",
            ],
            timeout=60,
        )
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["v2", "v2.0", "2"]


def test_pylint_7277_the_reinstall_builds_with_the_projects_own_backend_as_the_harness_does(
    docker_client: Any, tmp_path: Path, rfsn_home: Path
) -> None:
    """pylint pins ``setuptools~=62.6``: the harness's isolated build makes a ``develop`` install,
    which puts the checkout on ``sys.path`` (astroid finds modules by path there). Built with the
    venv's newer setuptools it was a PEP 660 editable whose finder keeps the checkout off it."""
    repo, commit = _flat_project(tmp_path, "flat", '"setuptools~=62.6", "wheel~=0.37.1"')
    spec = {**SPEC, "install": "python -m pip install -e ."}
    recipe = specs.render_recipe(
        spec,
        registry=False,
        project=specs.ProjectSource(commit=commit, backend=tuple(metadata.build_requirements(repo, commit))),
    )
    settings = _settings(rfsn_home)
    probe = "import flat, os, sys; print(os.path.dirname(os.path.dirname(flat.__file__)) in sys.path)"
    with open_sandbox(repo, SpecBuildpack(spec, recipe), settings, "docker") as sandbox:
        assert sandbox.setup_failure is None
        result = sandbox.exec(["bash", "-c", f"cd / && python -c {shlex.quote(probe)}"], timeout=60)
    assert result.exit_code == 0, result.output
    assert result.output.split() == ["True"]
