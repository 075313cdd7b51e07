"""Nothing of an instance's environment setup commit's own code is in its env image, nor in the
session sandbox started from it (issue 68: nothing from the future reaches the sandbox).

An env image installs the project at ``environment_setup_commit``, which may be later than the
base commit. A non-editable install (requests' ``pip install .``; django's and matplotlib's
``setup.py install``) leaves that commit's code in site-packages; a session that reinstalls a
different version beside it leaves it readable. Real git, real Docker, a real PyPI install; the
whole filesystem is searched, as root, archives opened (outside /proc, /sys and /dev).
"""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

from rfsn.batch.harness.repos import Origin, env_history, instance_checkout
from rfsn.batch.harness.specenv import instance_buildpack
from rfsn.buildpacks.python.swebench import upstream
from rfsn.models.swebench import Instance
from rfsn.sandbox import open_sandbox
from rfsn.settings import Settings
from tests.paths import COMMIT_DATES

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.usefixtures("docker_client", "no_leaked_sandboxes")]

#: in the env commit's code alone (split, so no file of the suite holds it whole); a package's name
MARKER = "rfsn_env_future_" + "b7c41e09"
#: the two ways the harness's specs install a project without ``-e``, in one build; and with it
SPECS = {
    "copied": {
        "python": "3.11",
        "install": "python -m pip install . && python setup.py install",
        "test_cmd": "pytest -rA",
    },
    "editable": {"python": "3.11", "install": "python -m pip install -e .", "test_cmd": "pytest -rA"},
}
#: version from a source file, as requests' and django's setup.py read it
SETUP = (
    "import re\nfrom setuptools import find_packages, setup\n\n"
    "version = re.search(r'\"(.+)\"', open('futproj/__init__.py').read()).group(1)\n"
    "setup(name='futproj', version=version, packages=['futproj'], zip_safe=False)\n"
)
PYPROJECT = '[build-system]\nrequires = ["setuptools>=64"]\nbuild-backend = "setuptools.build_meta"\n'
#: every file of the filesystem, and every member of the zip and tar archives among them
SCAN = """
import os, sys, tarfile, zipfile
marker = sys.argv[1].encode()
def holds(path):
    with open(path, "rb") as fh:
        if marker in fh.read():
            return True
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            return any(marker in archive.read(name) for name in archive.namelist())
    if tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            return any(marker in archive.extractfile(m).read() for m in archive if m.isfile())
    return False
for top, dirs, files in os.walk("/"):
    if top == "/":
        dirs[:] = [d for d in dirs if d not in ("proc", "sys", "dev")]
    for name in files:
        path = os.path.join(top, name)
        try:
            if os.path.isfile(path) and not os.path.islink(path) and holds(path):
                print("FOUND", path)
        except Exception as exc:
            print("UNREAD", path, type(exc).__name__)
print("SCANNED")
"""


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t", *args],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **COMMIT_DATES},
    ).stdout.strip()


def _instance(root: Path, packages: bool) -> Instance:
    """A project at 1.0 (the base) whose next commit, the env commit, is 1.1 and adds a module
    holding ``MARKER``: its code only, no root metadata (the env installs that commit). With
    ``packages`` (setup.py finds them) the env commit also adds a package named ``MARKER``, which an
    editable install's metadata names (``top_level.txt``, its finder's mapping)."""
    repo = root / "futproj"
    (repo / "futproj").mkdir(parents=True)
    _git(root, "init", "-q", str(repo))
    (repo / "setup.py").write_text(SETUP.replace("['futproj']", "find_packages()") if packages else SETUP)
    if packages:  # a build backend declared: pip's editable install is PEP 660's, metadata in site-packages
        (repo / "pyproject.toml").write_text(PYPROJECT)
    (repo / "futproj" / "__init__.py").write_text('__version__ = "1.0"\n')
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD")
    (repo / "futproj" / "__init__.py").write_text('__version__ = "1.1"\n')
    (repo / "futproj" / "later.py").write_text(f"FIX = {MARKER!r}\n\n\ndef main():\n    print(FIX)\n")
    if packages:
        (repo / MARKER).mkdir()
        (repo / MARKER / "__init__.py").write_text("")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "the env commit")
    return Instance(
        instance_id="local__futproj-1",
        repo=str(repo),
        base_commit=base,
        version="1.1",
        environment_setup_commit=_git(repo, "rev-parse", "HEAD"),
    )


def _found(sandbox: Any) -> list[str]:
    """The files of ``sandbox``'s container holding ``MARKER``, searched as root."""
    code, output = sandbox.container.exec_run(["python3", "-c", SCAN, MARKER], user="0")
    text = output.decode(errors="replace")
    assert code == 0 and text.rstrip().endswith("SCANNED"), text[-2000:]
    return [line.split(" ", 1)[1] for line in text.splitlines() if line.startswith("FOUND ")]


@pytest.mark.parametrize("install", sorted(SPECS))
def test_no_file_of_the_env_image_or_the_session_holds_the_env_commits_code_issue_68(
    install: str, tmp_path: Path, rfsn_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``editable``: the env commit's metadata of an editable install (its version, its packages'
    names) is gone from the image too, not only once a session reinstalls at its base."""
    spec = SPECS[install]
    monkeypatch.setattr(upstream, "lookup", lambda repo, version: spec if repo.endswith("futproj") else None)
    instance = _instance(tmp_path, packages=install == "editable")
    settings = Settings(
        sandbox="docker", home=rfsn_home, memory="1g", cpus=1.0, pids=256, test_timeout=120, setup_timeout=600
    )
    workspace = instance_checkout(
        Origin(instance.repo, rfsn_home / "repos", 120, None), instance.base_commit, tmp_path / "repo"
    )
    history = env_history(
        Origin(instance.repo, rfsn_home / "repos", 120, None),
        instance.environment_setup_commit,
        workspace.base_commit,
        workspace.path,
        tmp_path / "env-history",
    )
    assert history is not None  # the workspace lacks the env commit: the env is built from the later one
    buildpack = instance_buildpack(instance, workspace.path, settings, repairing=True, history=history)
    assert buildpack.env_recipe(workspace.path).source == instance.environment_setup_commit
    with open_sandbox(workspace.path, buildpack, settings, "docker") as sandbox:
        assert sandbox.setup_failure is None
        imported = sandbox.exec(["python", "-c", "import futproj; print(futproj.__version__)"], timeout=60)
        notes = sandbox.exec(["sh", "-c", "ls $RFSN_ENV"], timeout=60)  # the build's, of the env commit's tree
        session = _found(sandbox)
    assert imported.output.split() == ["1.0"], imported.output
    assert not {"project.txt", "ask.log", "build-requires.txt"} & set(notes.output.split()), notes.output
    bare = copy.copy(buildpack)  # the image as built: no session's reinstall over it
    bare.spec = {**bare.spec, "install": ""}  # type: ignore[attr-defined]
    with open_sandbox(workspace.path, bare, settings, "docker") as sandbox:
        image = _found(sandbox)
    assert (session, image) == ([], []), (session, image)
