"""One requirement per name where the sources that name it disagree (``pymerge``)."""

from __future__ import annotations

from pathlib import Path

from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from rfsn.buildpacks.python import pydeps, pymerge
from rfsn.buildpacks.python.buildpack import PythonBuildpack


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_two_exact_pins_of_coverage_4_5_1_and_6_5_0_give_pip_one_of_them(tmp_path: Path) -> None:
    """A bug of the fixes corpus (2026-11) reached pip as ``coverage==4.5.1,==6.5.0``, which no
    version satisfies: the project's own requirements file wins over a CI line, and between two
    files the newer pin."""
    repo = _write(
        tmp_path,
        {
            "setup.py": "from setuptools import setup\nsetup(name='p')\n",
            "requirements-dev.txt": "coverage==4.5.1\npytest\n",
            ".github/workflows/ci.yml": "jobs:\n  test:\n    steps:\n      - run: pip install coverage==6.5.0\n"
            "      - run: pytest\n",
        },
    )
    assert "coverage==4.5.1" in pydeps.normalized(repo, pydeps.declared(repo, "3.11"), "3.11")
    step = next(s for s in PythonBuildpack().env_recipe(repo).steps if "pytest" in s)
    assert "coverage==4.5.1" in step and "6.5.0" not in step, step
    (repo / "requirements-test.txt").write_text("coverage==6.5.0\n")
    assert "coverage==6.5.0" in pydeps.normalized(repo, pydeps.declared(repo, "3.11"), "3.11")


def test_what_installing_the_project_needs_wins_over_a_test_pin_that_contradicts_it(tmp_path: Path) -> None:
    repo = _write(
        tmp_path,
        {
            "setup.py": "from setuptools import setup\nsetup(name='p', install_requires=['attrs>=22'])\n",
            "requirements-dev.txt": "attrs==19.3.0\nattrs<23\n",
        },
    )
    assert pydeps.normalized(repo, pydeps.declared(repo, "3.11"), "3.11") == ["attrs<23,>=22"]


def test_specifiers_some_version_satisfies_still_intersect() -> None:
    same = [Requirement(r) for r in ("six>1", "six<2", "six!=1.5", "six==1.*")]
    assert pymerge.merged(same) == "six!=1.5,<2,==1.*,>1"
    # between a pin and a range of equal sources that contradict it, the pin; a stronger range wins
    pins = [Requirement("py>=4"), Requirement("py==3.0.7")]
    assert pymerge.merged(pins) == "py==3.0.7"
    assert pymerge.merged(pins, [pymerge.CI, pymerge.PROJECT]) == "py==3.0.7"
    assert pymerge.merged(pins, [pymerge.INSTALL, pymerge.PROJECT]) == "py>=4"


def test_satisfiable_finds_a_version_between_bounds_and_refuses_disjoint_ones() -> None:
    for spec in (">1,<2", ">1.5,<1.5.1", "~=1.4,!=1.4", ">=2.0a1,<2.0b1", "<1", ""):
        assert pymerge.satisfiable(SpecifierSet(spec)), spec
    for spec in ("==4.5.1,==6.5.0", ">=2,<1", "==1.*,>=2", "<1,>1", ">=2.0a1,<2.0"):
        assert not pymerge.satisfiable(SpecifierSet(spec)), spec


def test_once_keeps_the_first_order_and_a_line_pip_cannot_read() -> None:
    assert pymerge.once(["setuptools", "setuptools>=41.0", "wheel==0.30", "wheel==0.31", "a b c"]) == [
        "setuptools>=41.0",
        "wheel==0.31",
        "a b c",
    ]
