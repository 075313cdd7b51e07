"""The runner's own guard: in a repository whose config names programs, git starts none of them.

rfsn runs plumbing in repositories it did not create (a ``--repos-dir`` mirror, a source's
``.git/modules``); there the keys that name a program by themselves must be pinned by the
runner, and the caller's ``GIT_*`` variables must not redirect or reconfigure it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.hostgit import commit, environment, git
from tests.hostgit.hostile import hook_script, project


def test_program_keys_in_the_repository_s_config_start_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    repo = project(tmp_path / "repo")
    script = tmp_path / "evil.sh"
    script.write_text(f'#!/bin/sh\ntouch {marker}-$(basename $0)-"$*"\ncat\n')
    script.chmod(0o755)
    hooks = ("pre-commit", "commit-msg", "post-commit", "post-index-change", "reference-transaction")
    hook_script(repo / ".git" / "hooks", marker, *hooks)
    hook_script(tmp_path / "hooks", marker, *hooks)
    with (repo / ".git" / "config").open("a") as config:
        config.write(
            f"[core]\n\thooksPath = {tmp_path / 'hooks'}\n\tfsmonitor = {script}\n\tpager = {script}\n"
            f"\teditor = {script}\n\taskPass = {script}\n\tsshCommand = {script}\n"
            f"[commit]\n\tgpgSign = true\n[log]\n\tshowSignature = true\n[gpg]\n\tprogram = {script}\n"
            f'[credential]\n\thelper = {script}\n[remote "origin"]\n\turl = ssh://example.invalid/x.git\n'
        )
    (repo / "app.py").write_text("VALUE = 2\n")
    assert git(repo, "status", "--porcelain").stdout.strip() == "M app.py"
    git(repo, "add", "--all")
    head = commit(repo, "two")
    assert git(repo, "log", "-1", "--format=%H %s").stdout.split() == [head, "two"]
    git(repo, "fetch", "-q", "origin", check=False)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("marker")) == []


def test_the_caller_s_git_variables_do_not_reach_git(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = project(tmp_path / "other")
    repo = project(tmp_path / "repo")
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_INDEX_FILE", str(tmp_path / "index"))
    monkeypatch.setenv("GIT_CONFIG_PARAMETERS", "'core.fsmonitor'='touch /nonexistent'")
    monkeypatch.setenv("GIT_SSL_CAINFO", "/etc/ssl/certs/ca-certificates.crt")
    assert git(repo, "rev-parse", "--absolute-git-dir").stdout.strip() == str(repo / ".git")
    env = environment()
    assert {k for k in env if k.startswith("GIT_")} >= {"GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL", "GIT_SSL_CAINFO"}
    assert not {"GIT_DIR", "GIT_INDEX_FILE", "GIT_CONFIG_PARAMETERS"} & set(env)


def test_a_credential_helper_an_editor_and_a_signature_program_of_the_repository_never_run(tmp_path: Path) -> None:
    """The keys whose programs git starts on its own accord: a credential fill (an http remote that
    asks for a password), an amend without a message, a log of a signed commit."""
    marker = tmp_path / "marker"
    repo = project(tmp_path / "repo")
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {marker}-$(basename $0)\n")
    script.chmod(0o755)
    for key in ("credential.helper", "core.askPass", "core.editor", "sequence.editor", "gpg.program"):
        git(repo, "config", key, str(script))
    git(repo, "config", "log.showSignature", "true")
    git(repo, "credential", "fill", input_text="protocol=https\nhost=example.invalid\n\n", check=False)
    git(repo, "commit", "-q", "--amend", "--allow-empty", check=False)
    body = git(repo, "cat-file", "commit", "HEAD").stdout
    header, _, message = body.partition("\n\n")
    signed = f"{header}\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEz\n -----END PGP SIGNATURE-----\n\n{message}"
    sha = git(repo, "hash-object", "-t", "commit", "-w", "--stdin", input_text=signed).stdout.strip()
    git(repo, "log", "-1", sha)
    git(repo, "show", "-s", sha)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("marker")) == []
