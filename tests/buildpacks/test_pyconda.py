"""A conda environment.yml (xarray's SWE-bench specs) as pip requirements from PyPI: the same
names and pins, the names PyPI spells otherwise translated, conda-only packages left out and said."""

from __future__ import annotations

from rfsn.batch.harness import specs
from rfsn.buildpacks import pyconda

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
    assert wanted == ["aiobotocore", "cftime>=1.5", "dask", "fsspec!=2021.7.0", "scitools-iris",
                      "matplotlib", "netcdf4", "numpy==1.23.*", "pandas<2,>=1.4", "scipy==1.9.*",
                      "zarr==2.12.0.*", "numbagg", "git+https://example.invalid/pydap.git#egg=pydap"]
    assert left == ["cdms2", "hdf5"]


def test_an_environment_yml_spec_is_built_from_pypi_and_says_so() -> None:
    spec = {"python": "3.11", "packages": "environment.yml", "install": "python -m pip install -e .",
            "pip_packages": ["numpy==1.23.0"], "test_cmd": "pytest -rA"}
    recipe = specs.render_recipe(spec, registry=False, requirements=XARRAY_YML)
    assert "numpy==1.23.*\n" in dict(recipe.files)["requirements.txt"]
    assert any(step.endswith("-r $RFSN_ENV/files/requirements.txt") for step in recipe.steps)
    assert recipe.notes == ("conda environment.yml from PyPI, the same names and pins (13); no conda: "
                            "left out cdms2, hdf5",)
