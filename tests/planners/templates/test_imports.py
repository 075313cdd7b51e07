import ast

from rfsn.planners.code.candidates import apply_splices
from rfsn.planners.patch.templates.python import BY_NAME, FileContext
from rfsn.planners.patch.templates.python.imports import packages


def _patched(path: str, source: str, line: int) -> list[str]:
    ctx = FileContext(path, source, ast.parse(source), {path: source})
    return [apply_splices(source, e.splices) for e in BY_NAME["package_import"].fn(ctx, line)]


def test_the_packages_a_path_allows():
    assert packages("src/virtualenv/discovery/py_info.py") == [
        "src.virtualenv.discovery",
        "virtualenv.discovery",
        "discovery",
    ]
    assert packages("setup.py") == []


def test_an_implicit_relative_import_is_qualified_as_idna_1da3b556_needs():
    out = _patched("idna/compat.py", "from core import *\nfrom codec import *\n", 1)
    assert "from idna.core import *\nfrom codec import *\n" in out
    assert "from .core import *\nfrom codec import *\n" in out


def test_a_relative_import_is_made_absolute_as_virtualenv_66d793ed_needs():
    src = "def f():\n    from .info import fs_is_case_sensitive  # noqa: PLC0415\n"
    out = _patched("src/virtualenv/discovery/py_info.py", src, 2)
    assert src.replace(".info", "virtualenv.discovery.info") in out


def test_a_submodule_is_imported_from_its_package_as_setuptools_6b4b0719_needs():
    src = "from setuptools.command.install_scripts import install_scripts\n"
    out = _patched("setuptools/command/__init__.py", src, 1)
    assert "from setuptools.command import install_scripts\n" in out
    assert "from .install_scripts import install_scripts\n" in out


def test_a_plain_import_of_a_sibling_comes_from_the_package_as_pillow_172e46de_needs():
    src = "def load():\n    import Jpeg2KImagePlugin\n"
    assert "def load():\n    from PIL import Jpeg2KImagePlugin\n" in _patched("PIL/IcnsImagePlugin.py", src, 2)


def test_no_import_respelled_off_an_import_line_nor_a_future_one():
    src = "from __future__ import annotations\nx = 1\n"
    assert _patched("pkg/m.py", src, 1) == []
    assert _patched("pkg/m.py", src, 2) == []
