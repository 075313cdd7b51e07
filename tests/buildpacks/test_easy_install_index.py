"""setuptools' own fetches read the build's index only in an image's build: a local sandbox runs
its steps on the host, whose ``~/.pydistutils.cfg`` and CA bundle are the user's (the step
appended the build's CA to the host's bundle and wrote the host's config when run locally)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from rfsn.buildpacks.python.pyenv import DATED_INDEX_DONE, EASY_INSTALL_INDEX


def _run(step: str, home: Path, env_root: str, cert: Path) -> None:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "RFSN_ENV": env_root,
        "PIP_INDEX_URL": "http://127.0.0.1:9/simple/",
        "PIP_CERT": str(cert),
    }
    subprocess.run(["sh", "-c", step], env=env, check=True)


@pytest.mark.parametrize("env_root", ["/tmp/rfsn-local-env", ""])
def test_a_local_sandbox_step_leaves_the_users_home_alone(tmp_path: Path, env_root: str) -> None:
    (tmp_path / ".pydistutils.cfg").write_text("[easy_install]\nindex_url = mine\n", encoding="utf-8")
    cert = tmp_path / "ca.crt"
    cert.write_text("not a certificate\n", encoding="utf-8")
    _run(EASY_INSTALL_INDEX, tmp_path, env_root, cert)
    _run(DATED_INDEX_DONE, tmp_path, env_root, cert)
    assert (tmp_path / ".pydistutils.cfg").read_text(encoding="utf-8") == "[easy_install]\nindex_url = mine\n"


def test_an_image_build_names_the_index_for_easy_install_while_it_runs(tmp_path: Path) -> None:
    cert = tmp_path / "missing.crt"  # no CA to add: the system bundle is not touched
    _run(EASY_INSTALL_INDEX, tmp_path, "/opt/rfsn", cert)
    assert (tmp_path / ".pydistutils.cfg").read_text(encoding="utf-8") == (
        "[easy_install]\nindex_url = http://127.0.0.1:9/simple/\n"
    )
    _run(DATED_INDEX_DONE, tmp_path, "/opt/rfsn", cert)
    assert not (tmp_path / ".pydistutils.cfg").exists()
