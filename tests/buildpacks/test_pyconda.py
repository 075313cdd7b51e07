"""A conda environment.yml (xarray's SWE-bench specs) as pip requirements from PyPI: the same
names and pins, the names PyPI spells otherwise translated, conda-only packages left out and said."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from rfsn.buildpacks.python import pyconda
from rfsn.buildpacks.python.swebench import specs

#: the shape of xarray's ci/requirements/environment.yml, with pins of the kinds conda takes
XARRAY_YML = """\
name: xarray-tests
channels:
  - conda-forge
  - nodefaults
dependencies:
  - python=3.10
  - aiobotocore
  - cdms2  # not on PyPI
  - conda-forge::cftime>=1.5
  - dask-core
  - fsspec!=2021.7.0
  - hdf5
  - iris
  - matplotlib-base
  - netcdf4
  - numpy=1.23
  - pandas>=1.4,<2
  - pip
  - scipy 1.9.*
  - zarr=2.12.0=pyhd8ed1ab_0
  - pip:
      - numbagg
      - git+https://example.invalid/pydap.git#egg=pydap
"""


def test_names_pins_and_the_pip_block_of_an_environment_yml() -> None:
    wanted, left = pyconda.requirements(XARRAY_YML)
    assert wanted == [
        "aiobotocore",
        "cftime>=1.5",
        "dask",
        "fsspec!=2021.7.0",
        "scitools-iris",
        "matplotlib",
        "netcdf4",
        "numpy==1.23.*",
        "pandas<2,>=1.4",
        "scipy==1.9.*",
        "zarr==2.12.0.*",
        "numbagg",
        "git+https://example.invalid/pydap.git#egg=pydap",
    ]
    assert left == ["cdms2", "hdf5"]


def test_an_environment_yml_spec_is_built_from_pypi_and_says_so() -> None:
    spec = {
        "python": "3.11",
        "packages": "environment.yml",
        "install": "python -m pip install -e .",
        "pip_packages": ["numpy==1.23.0"],
        "test_cmd": "pytest -rA",
    }
    recipe = specs.render_recipe(spec, registry=False, requirements=XARRAY_YML)
    assert "numpy==1.23.*\n" in dict(recipe.files)["requirements.txt"]
    assert any(step.endswith("-r $RFSN_ENV/files/requirements.txt") for step in recipe.steps)
    assert recipe.notes == (
        "conda environment.yml from PyPI, the same names and pins (13); no conda: left out cdms2, hdf5",
    )


def _installed(site: Path, name: str, init: str) -> None:
    """A distribution ``name`` laid out in ``site`` as pip installs one, its package's
    ``__init__`` being ``init``."""
    (site / name).mkdir()
    (site / name / "__init__.py").write_text(init)
    info = site / f"{name}-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text(
        f"{name}/__init__.py,,\n{info.name}/METADATA,,\n{info.name}/INSTALLER,,\n{info.name}/RECORD,,\n"
    )


def test_xarray_2905_a_package_that_raises_on_import_is_left_out_and_said(tmp_path: Path) -> None:
    """A package of the environment.yml that raises on import (cfgrib from PyPI without conda's
    ecCodes library) is uninstalled, and said; one that imports, raises ImportError (cfgrib's cf2cdm
    imports xarray, installed later; distributed of another dask) or names no package, stays."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    _installed(site, "gribby", "raise RuntimeError('Cannot find the ecCodes library')\n")
    _installed(site, "fine", "VALUE = 1\n")
    _installed(site, "needsproject", "import xarray\n")  # the project is installed after this step
    requirements, notes = tmp_path / "requirements.txt", tmp_path / "notes.txt"
    requirements.write_text("gribby\nfine>=1\nneedsproject\nabsent==2.*\ngit+https://example.invalid/x.git#egg=x\n")
    script = Path(pyconda.__file__).with_name(pyconda.UNIMPORTABLE[0])
    done = subprocess.run(
        [str(python), str(script), str(requirements), str(notes)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    said = "rfsn: gribby left out: import gribby fails here (RuntimeError: Cannot find the ecCodes library)\n"
    assert notes.read_text() == said
    assert said in done.stdout
    assert not (site / "gribby").exists() and (site / "fine" / "__init__.py").exists()
    assert (site / "needsproject" / "__init__.py").exists()


def test_the_unimportable_are_dropped_after_the_specs_pins() -> None:
    spec = {"python": "3.11", "packages": "environment.yml", "pip_packages": ["numpy==1.23.0"]}
    recipe = specs.render_recipe(spec, registry=False, requirements=XARRAY_YML)
    assert pyconda.UNIMPORTABLE in recipe.files
    pins = next(i for i, step in enumerate(recipe.steps) if "numpy==1.23.0" in step)
    assert recipe.steps[pins + 1] == pyconda.DROP_UNIMPORTABLE
