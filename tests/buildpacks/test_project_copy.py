"""The env build's last step removes the project's own installed copy (``project_copy.py``, run by
a real venv's Python over a real site-packages) and nothing else: its dependencies, and another
tree's editable install, stay."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from rfsn.buildpacks.python.pyenv import PROJECT_COPY_SCRIPT


def _venv(root: Path) -> tuple[Path, Path]:
    """A venv without pip (its Python, its site-packages)."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / "venv")], check=True)
    python = root / "venv" / "bin" / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    return python, Path(site)


def _installed(site: Path, info: str, files: dict[str, str], url: dict[str, object] | None = None) -> None:
    """A distribution's files and its ``info`` metadata directory (RECORD, direct_url.json)."""
    for name, text in files.items():
        (site / name).parent.mkdir(parents=True, exist_ok=True)
        (site / name).write_text(text)
    (site / info).mkdir()
    (site / info / "METADATA").write_text("Name: x\n")
    if url is not None:
        (site / info / "direct_url.json").write_text(json.dumps(url))
    listed = [*files, f"{info}/METADATA", f"{info}/RECORD"] + ([f"{info}/direct_url.json"] if url else [])
    (site / info / "RECORD").write_text("".join(f"{name},,\n" for name in listed))


def _run(python: Path, root: Path, *args: str) -> str:
    script = root / PROJECT_COPY_SCRIPT[0]
    script.write_text(PROJECT_COPY_SCRIPT[1])
    return subprocess.run(
        [str(python), str(script), *args], check=True, capture_output=True, text=True, timeout=60
    ).stdout


def test_the_projects_wheel_and_egg_copies_go_its_dependencies_and_other_editable_installs_stay(tmp_path: Path) -> None:
    python, site = _venv(tmp_path)
    tree = tmp_path / "src"
    (tree / "futproj.egg-info").mkdir(parents=True)
    (tree / "futproj.egg-info" / "PKG-INFO").write_text("Metadata-Version: 1.0\nName: futproj\nVersion: 1.1\n")
    _installed(
        site,
        "futproj-1.1.dist-info",
        {
            "futproj/__init__.py": "",
            "futproj/later.py": "FIX = 1\n",
            "futproj/__pycache__/later.cpython-311.pyc": "x",
            "../../../bin/futproj-cli": "#!python\n",
        },
        {"url": f"file://{tree}", "dir_info": {}},
    )
    _installed(site, "six-1.16.0.dist-info", {"six.py": "# six\n"})
    _installed(site, "other-2.0.dist-info", {"other/__init__.py": ""}, {"url": "file:///elsewhere", "dir_info": {}})
    _installed(
        site,
        "editproj-1.0.dist-info",
        {"__editable__.editproj-1.0.pth": "/elsewhere\n"},
        {"url": "file:///elsewhere", "dir_info": {"editable": True}},
    )
    for egg in ("futproj-1.1-py3.11.egg", "attrs-23.1.0-py3.11.egg"):
        (site / egg / "EGG-INFO").mkdir(parents=True)
    (site / "easy-install.pth").write_text("./attrs-23.1.0-py3.11.egg\n./futproj-1.1-py3.11.egg\n")

    _run(python, tmp_path, "names", str(tree), str(tmp_path / "names.txt"))
    assert (tmp_path / "names.txt").read_text() == f"{tree}\nfutproj\n"
    said = _run(python, tmp_path, "remove", str(tmp_path / "names.txt"))

    assert "futproj-1.1-py3.11.egg, futproj-1.1.dist-info" in said, said
    left = sorted(p.relative_to(site).as_posix() for p in site.iterdir())
    assert left == [
        "__editable__.editproj-1.0.pth",
        "attrs-23.1.0-py3.11.egg",
        "easy-install.pth",
        "editproj-1.0.dist-info",
        "other",
        "other-2.0.dist-info",
        "six-1.16.0.dist-info",
        "six.py",
    ]
    assert not (tmp_path / "venv" / "bin" / "futproj-cli").exists()
    assert (site / "easy-install.pth").read_text() == "./attrs-23.1.0-py3.11.egg\n"


def test_without_a_copy_nothing_is_removed_or_said(tmp_path: Path) -> None:
    python, site = _venv(tmp_path)
    _installed(site, "six-1.16.0.dist-info", {"six.py": "# six\n"})
    said = _run(python, tmp_path, "remove", str(tmp_path / "absent.txt"))
    assert said == ""
    assert sorted(p.name for p in site.iterdir()) == ["six-1.16.0.dist-info", "six.py"]


def test_an_editable_install_of_the_tree_goes_with_its_metadata_issue_68(tmp_path: Path) -> None:
    """An editable install at the env commit keeps that commit's metadata (its version, its
    packages' names in ``top_level.txt`` and the finder's mapping), which a session whose reinstall
    fails or is skipped could read: it is removed with the paths its RECORD lists."""
    python, site = _venv(tmp_path)
    tree = tmp_path / "src"
    (tree / "futproj.egg-info").mkdir(parents=True)
    (tree / "futproj.egg-info" / "PKG-INFO").write_text("Metadata-Version: 1.0\nName: futproj\nVersion: 1.1\n")
    _installed(
        site,
        "futproj-1.1.dist-info",
        {
            "__editable__.futproj-1.1.pth": "import finder\n",
            "__editable___futproj_1_1_finder.py": "MAPPING = {'laterpkg': ''}\n",
        },
        {"url": f"file://{tree}", "dir_info": {"editable": True}},
    )
    (site / "futproj-1.1.dist-info" / "top_level.txt").write_text("futproj\nlaterpkg\n")
    (site / "__pycache__").mkdir()  # the finder, imported by every Python the build ran after it
    (site / "__pycache__" / "__editable___futproj_1_1_finder.cpython-311.pyc").write_text("laterpkg")
    _installed(site, "six-1.16.0.dist-info", {"six.py": "# six\n"})
    _run(python, tmp_path, "names", str(tree), str(tmp_path / "names.txt"))
    said = _run(python, tmp_path, "remove", str(tmp_path / "names.txt"))
    assert "futproj-1.1.dist-info" in said, said
    assert sorted(p.name for p in site.iterdir()) == ["six-1.16.0.dist-info", "six.py"]
