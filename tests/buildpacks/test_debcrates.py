"""Crates from Debian's packages where crates.io cannot be reached: the script run by a real shell
with cargo and apt standing in (rust-lang/glob at HEAD ended on "failed to get `doc-comment`",
crates.io unreachable; Debian packages doc-comment as librust-doc-comment-dev)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from rfsn.buildpacks.rust.debcrates import SCRIPT, crate_names
from rfsn.buildpacks.steplog import step_error

#: cargo that cannot reach crates.io, and with Debian's directory source fails on ``missing``
FAKE_CARGO = """#!/bin/sh
if grep -q 'replace-with = "debian"' "$CARGO_HOME/config.toml" 2>/dev/null; then
  [ -z "$MISSING" ] && exit 0
  echo "error: $MISSING"; exit 101
fi
echo "error: failed to get \\`doc-comment\\` as a dependency of package \\`glob v0.3.4\\`"
echo "  [6] Could not resolve host: index.crates.io"; exit 101
"""
FAKE_APT_CACHE = "#!/bin/sh\nprintf 'librust-doc-comment-dev\\nlibrust-tempfile-dev\\nlibrust-serde-dev\\n'\n"
FAKE_APT_GET = '#!/bin/sh\necho "$@" >> "$APT_SEEN"\n'


def _run(tmp_path: Path, names: str, missing: str = "") -> subprocess.CompletedProcess[str]:
    tools = tmp_path / "bin"
    tools.mkdir(exist_ok=True)
    for name, text in (("cargo", FAKE_CARGO), ("apt-cache", FAKE_APT_CACHE), ("apt-get", FAKE_APT_GET)):
        (tools / name).write_text(text)
        (tools / name).chmod(0o755)
    (tmp_path / "rfsn-crates.txt").write_text(names)
    script = SCRIPT.replace("$RFSN_ENV/notes.txt", str(tmp_path / "notes.txt"))
    env = {
        **os.environ,
        "PATH": f"{tools}:{os.environ['PATH']}",
        "CARGO_HOME": str(tmp_path / "home"),
        "APT_SEEN": str(tmp_path / "apt.txt"),
        "MISSING": missing,
    }
    return subprocess.run(["sh", "-c", script, "sh", "--locked"], capture_output=True, text=True, cwd=tmp_path, env=env)


def test_unreachable_crates_io_falls_back_to_debians_packaged_crates(tmp_path: Path) -> None:
    done = _run(tmp_path, "doc-comment\ntempfile\nnot_in_debian\nDoc_Comment\n")
    assert done.returncode == 0, done.stdout
    installs = (tmp_path / "apt.txt").read_text().splitlines()
    assert installs[-1].endswith("install -y -q --no-install-recommends librust-doc-comment-dev librust-tempfile-dev")
    assert 'directory = "/usr/share/cargo/registry"' in (tmp_path / "home" / "config.toml").read_text()
    assert "Debian's packaged crates" in (tmp_path / "notes.txt").read_text()


def test_a_crate_debian_lacks_is_the_one_line_cause(tmp_path: Path) -> None:
    done = _run(tmp_path, "doc-comment\n", missing="no matching package named `quickcheck_macros` found")
    assert done.returncode == 101
    assert step_error(done.stdout).startswith(
        "cargo fetch: quickcheck_macros: not in Debian's packaged crates, and no crate registry reachable"
    )


def test_a_version_debian_lacks_is_named_with_its_requirement(tmp_path: Path) -> None:
    """BurntSushi/bstr at HEAD: its line said "criterion : not in Debian's packaged crates" (Debian
    has criterion, not at the version required)."""
    said = 'failed to select a version for the requirement `criterion = "^0.3.4"`'
    done = _run(tmp_path, "criterion\n", missing=said)
    assert step_error(done.stdout).startswith('cargo fetch: criterion = "^0.3.4": not in Debian')


def test_a_locked_version_debian_lacks_names_the_lock_and_what_debian_has(tmp_path: Path) -> None:
    """rust-random/getrandom at HEAD: its Cargo.lock pins cfg-if 1.0.4, Debian has 1.0.0 (the line
    said "not in Debian's packaged crates")."""
    said = (
        'failed to select a version for the requirement `cfg-if = "^1"` (locked to 1.0.4)\n'
        "candidate versions found which didn't match: 1.0.0"
    )
    done = _run(tmp_path, "cfg-if\n", missing=said)
    assert step_error(done.stdout).startswith(
        'cargo fetch: cfg-if = "^1" (locked to 1.0.4): Debian\'s packaged crates have only 1.0.0, and no crate'
    )


def test_the_crates_named_are_every_dependency_and_locked_package_but_the_projects_own(tmp_path: Path) -> None:
    (tmp_path / "Cargo.toml").write_text(
        '[package]\nname = "glob"\n\n[dependencies]\nlocal = { path = "local" }\n'
        'ser = { package = "serde", version = "1" }\n\n[dev-dependencies]\ndoc-comment = "0.3"\n\n'
        '[target."cfg(unix)".dependencies]\nlibc = "0.2"\n\n[workspace.dependencies]\nmemchr = "2"\n'
    )
    (tmp_path / "Cargo.lock").write_text('version = 3\n\n[[package]]\nname = "glob"\n\n[[package]]\nname = "cfg-if"\n')
    assert crate_names(tmp_path, ["Cargo.toml"]) == ["cfg-if", "doc-comment", "libc", "memchr", "serde"]
