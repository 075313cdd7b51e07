"""The one way rfsn runs git on the host.

No configuration but rfsn's own decides what such a git starts: the system and global
files are not read (``GIT_CONFIG_NOSYSTEM``, ``GIT_CONFIG_GLOBAL=/dev/null``), no ``GIT_*``
variable of the caller's environment is passed on, and the keys that name a program (hooks,
fsmonitor, pager, editor, askpass, credential helper, ssh and proxy commands, signing
programs, the ext transport) are pinned on the command line, which wins over any file.
Programs a repository's config can only name per attribute (``filter.<driver>``,
``diff.<driver>.textconv``, ``merge.<driver>``, ``diff.external``) have no override: rfsn runs
content commands only in repositories it created, whose config is its own (rfsn.workspace
copies a user's repository into one; rfsn.patches.apply reaches a user's tree through an empty
git directory), and elsewhere only plumbing that applies no attribute.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from rfsn.errors import WorkspaceError

#: who makes rfsn's own commits (a snapshot of a dirty tree, an applied test patch)
EMAIL = "rfsn@localhost"
_IDENTITY = {
    "GIT_AUTHOR_NAME": "rfsn",
    "GIT_AUTHOR_EMAIL": EMAIL,
    "GIT_COMMITTER_NAME": "rfsn",
    "GIT_COMMITTER_EMAIL": EMAIL,
}
_SSH = "ssh -o BatchMode=yes -o ConnectTimeout=10"
#: every key of git-config(1) that names a program, set to one that runs nothing of the repository's
PINNED = (
    "core.hooksPath=/dev/null",
    "core.fsmonitor=false",
    "core.pager=cat",
    "core.editor=:",
    "sequence.editor=:",
    "core.askPass=",
    "credential.helper=",
    f"core.sshCommand={_SSH}",
    "commit.gpgSign=false",
    "tag.gpgSign=false",
    "log.showSignature=false",
    "gpg.program=false",
    "gpg.ssh.program=false",
    "gpg.x509.program=false",
    "gpg.ssh.defaultKeyCommand=false",
    "protocol.ext.allow=never",
    "core.attributesFile=/dev/null",
    "submodule.recurse=false",
    "core.untrackedCache=false",
    "core.splitIndex=false",
)
_ENV = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_ATTR_NOSYSTEM": "1",
    "GIT_TERMINAL_PROMPT": "0",
    "GIT_PAGER": "cat",
    "GIT_EDITOR": ":",
    "GIT_SEQUENCE_EDITOR": ":",
    "GIT_SSH_COMMAND": _SSH,
    "GIT_PROXY_COMMAND": "",
    "GIT_ASKPASS": "",
}


#: the caller's ``GIT_*`` variables a host git keeps: where the certificates of a TLS proxy are
_PASSED = frozenset({"GIT_SSL_CAINFO", "GIT_SSL_CAPATH"})


def environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a host git: the caller's without any ``GIT_*`` but the certificate paths
    (nor ``SSH_ASKPASS``), rfsn's fixed variables, then ``extra`` (an index file, a date)."""
    kept = {k: v for k, v in os.environ.items() if (k in _PASSED or not k.startswith("GIT_")) and k != "SSH_ASKPASS"}
    return {**kept, **_ENV, **(extra or {})}


def run(
    cwd: Path | None,
    *args: str,
    text: bool = True,
    input: str | bytes | None = None,
    timeout: float | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[Any]:
    """``git *args`` in ``cwd``, output captured, never checked; WorkspaceError when it runs past
    ``timeout`` (None: no limit)."""
    argv = ["git", *(f for key in PINNED for f in ("-c", key)), *args]
    try:
        return subprocess.run(
            argv,
            cwd=cwd,
            env=environment(env),
            text=text,
            capture_output=True,
            timeout=timeout,
            input=input,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise WorkspaceError(f"git {_subcommand(args)} timed out after {timeout:g}s") from exc


def git(
    repo: Path,
    *args: str,
    timeout: float = 60.0,
    check: bool = True,
    input_text: str | None = None,
    dated: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """``git *args`` in ``repo`` as rfsn (its identity; ``dated``: the commit date); WorkspaceError
    naming the subcommand when it fails and ``check``."""
    extra = {**_IDENTITY, **({"GIT_AUTHOR_DATE": dated, "GIT_COMMITTER_DATE": dated} if dated else {})}
    proc = run(repo, *args, input=input_text, timeout=timeout, env=extra)
    if check and proc.returncode != 0:
        raise WorkspaceError(f"git {_subcommand(args)} failed: {_detail(proc.stderr)}")
    return proc


def commit(repo: Path, message: str, *flags: str) -> str:
    """Commit what is staged as rfsn, dated as its parent (a first commit at the epoch): the same
    tree on the same parent is the same commit in every run and on every node, so what is keyed
    by the commit (setup snapshots) is made once. Returns the new HEAD."""
    parent = git(repo, "log", "-1", "--no-show-signature", "--format=%cI", "HEAD", check=False).stdout.strip()
    git(repo, "commit", "-q", "--no-verify", *flags, "-m", message, dated=parent or "@0 +0000")
    return git(repo, "rev-parse", "HEAD").stdout.strip()


def _subcommand(args: tuple[str, ...]) -> str:
    """The git subcommand in ``args``, skipping global options such as ``-c key=value``."""
    rest = list(args)
    while rest and rest[0].startswith("-"):
        rest = rest[2:] if rest[0] in ("-c", "-C") else rest[1:]
    return rest[0] if rest else "command"


def _detail(stderr: str) -> str:
    """The line of git's stderr that says what went wrong: the first ``fatal:``, else the last."""
    lines = [line.strip() for line in stderr.strip().splitlines() if line.strip()]
    fatal = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (fatal or lines or ["failed"])[0 if fatal else -1]
