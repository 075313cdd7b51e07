"""A repository cloned from a URL comes with its submodules, as ``git clone --recurse-submodules``.

The URLs are served by a real ``git daemon`` on loopback. A submodule that cannot be fetched is
left empty, as a plain clone leaves it; one whose ``.gitmodules`` names a command or the ``ext``
transport runs nothing on the host.
"""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from rfsn.hostgit import git as rfsn_git
from rfsn.workspace import prepare
from tests.hostgit.hostile import git, project


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    """A directory whose repositories a loopback ``git daemon`` serves, and the URL of that directory."""
    root = tmp_path / "served"
    root.mkdir()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    daemon = subprocess.Popen(
        ["git", "daemon", "--reuseaddr", "--export-all", f"--base-path={root}", "--listen=127.0.0.1", f"--port={port}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(100):
            with socket.socket() as conn:
                if conn.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        yield root, f"git://127.0.0.1:{port}"
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def _with_submodule(repo: Path, source: Path, path: str, url: str) -> None:
    """Record ``source``'s HEAD as the submodule ``path`` of ``repo``, fetched from ``url``."""
    git(repo, "submodule", "add", "-q", str(source), path)
    git(repo, "config", "-f", ".gitmodules", f"submodule.{path}.url", url)
    git(repo, "add", ".gitmodules")
    git(repo, "commit", "-qm", f"add {path}")


def test_a_url_clone_checks_out_nested_submodules_at_their_recorded_commits(
    served: tuple[Path, str], tmp_path: Path
) -> None:
    root, url = served
    leaf = project(root / "leaf")
    lib = project(root / "lib")
    _with_submodule(lib, leaf, "leaf", "../leaf")
    app = project(root / "app")
    _with_submodule(app, lib, "lib", f"{url}/lib")
    (lib / "app.py").write_text("VALUE = 2\n")  # a newer commit the superproject does not record
    git(lib, "commit", "-qam", "newer")
    ws = prepare(f"{url}/app", tmp_path / "ws")
    assert (ws.path / "lib" / "app.py").read_text() == "VALUE = 1\n"
    assert (ws.path / "lib" / "leaf" / "app.py").read_text() == "VALUE = 1\n"
    assert rfsn_git(ws.path / "lib", "rev-parse", "HEAD").stdout.strip() == git(app, "rev-parse", "HEAD:lib")
    assert ws.diff() == ""


def test_a_submodule_that_cannot_be_fetched_is_left_empty_and_the_rest_is_there(
    served: tuple[Path, str], tmp_path: Path
) -> None:
    root, url = served
    lib = project(tmp_path / "lib")
    gone = project(tmp_path / "gone")
    app = project(root / "app")
    _with_submodule(app, gone, "gone", f"{url}/gone")  # never served
    _with_submodule(app, lib, "lib", str(lib))  # file transport: refused for a submodule
    ws = prepare(f"{url}/app", tmp_path / "ws")
    assert (ws.path / "app.py").read_text() == "VALUE = 1\n"
    assert list((ws.path / "gone").iterdir()) == []
    assert list((ws.path / "lib").iterdir()) == []


def test_gitmodules_that_name_a_command_or_the_ext_transport_run_nothing(
    served: tuple[Path, str], tmp_path: Path
) -> None:
    root, url = served
    marker = tmp_path / "ran"
    lib = project(root / "lib")
    app = project(root / "app")
    _with_submodule(app, lib, "lib", f"{url}/lib")
    _with_submodule(app, lib, "other", f"ext::sh -c touch% {marker}-ext")
    git(app, "config", "-f", ".gitmodules", "submodule.lib.update", f"!touch {marker}-update")
    git(app, "commit", "-qam", "hostile")
    prepare(f"{url}/app", tmp_path / "ws")  # git refuses the command, as a recursive clone does
    assert list(tmp_path.glob("ran*")) == []
