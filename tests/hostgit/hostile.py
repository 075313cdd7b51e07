"""Repositories whose git configuration tries to start a program on the host.

Each builder makes a real repository under ``root`` whose config (or attributes, hooks, a
linked git directory, the user's global or system config) names a command that creates
``marker``; it returns where to point rfsn, the directories that must stay byte for byte as they
were, and the environment rfsn runs in. The test's own git runs before the hostile config exists.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CLEAN = {
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@t",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@t",
}


def git(repo: Path, *args: str) -> str:
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("GIT_")}, **CLEAN}
    return subprocess.run(
        ["git", "-c", "protocol.file.allow=always", *args],
        cwd=repo,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


@dataclass
class Hostile:
    target: Path  #: what rfsn is given
    watched: list[Path]  #: directories that must not change in any byte or mtime
    env: dict[str, str] = field(default_factory=dict)  #: added to rfsn's environment
    error: str = ""  #: when rfsn must refuse: a fragment of its one-line error


def project(repo: Path) -> Path:
    """A small Python project with one commit, a tag and a second branch."""
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    (repo / "pyproject.toml").write_text('[project]\nname = "demo"\nversion = "0"\n')
    (repo / "app.py").write_text("VALUE = 1\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "one")
    git(repo, "tag", "v1")
    return repo


def evil(marker: Path, name: str = "") -> str:
    """A shell command that creates ``marker`` (``name`` tells which key ran it) and passes stdin on."""
    return f"sh -c 'touch {shlex.quote(str(marker) + name)}; cat'"


def quoted(command: str) -> str:
    """``command`` as a value in a config file written by hand (``;`` would start a comment)."""
    return '"' + command.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hook_script(directory: Path, marker: Path, *names: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        (directory / name).write_text(f"#!/bin/sh\ntouch {shlex.quote(str(marker))}-{name}\n")
        (directory / name).chmod(0o755)


def dirty(repo: Path) -> None:
    """An uncommitted change and a new file, as a user's tree has them."""
    (repo / "app.py").write_text("VALUE = 2\n")
    (repo / "new.py").write_text("NEW = 1\n")


def with_filter(repo: Path, marker: Path, attributes: str = "*.py filter=evil\n") -> None:
    (repo / ".gitattributes").write_text(attributes)
    git(repo, "config", "filter.evil.clean", evil(marker, "-clean"))
    git(repo, "config", "filter.evil.smudge", evil(marker, "-smudge"))


def audit_filter_clean(root: Path, marker: Path) -> Hostile:
    repo = project(root / "src")
    (repo / ".gitattributes").write_text("*.py filter=evil\n")
    git(repo, "config", "filter.evil.clean", evil(marker))
    dirty(repo)
    return Hostile(repo, [repo])


def filter_process(root: Path, marker: Path) -> Hostile:
    repo = project(root / "src")
    (repo / ".gitattributes").write_text("* filter=evil\n")
    git(repo, "config", "filter.evil.process", evil(marker, "-process"))
    git(repo, "config", "filter.evil.required", "true")
    dirty(repo)
    return Hostile(repo, [repo])


def textconv(root: Path, marker: Path) -> Hostile:
    repo = project(root / "src")
    (repo / ".gitattributes").write_text("*.py diff=evil\n")
    git(repo, "config", "diff.evil.textconv", evil(marker, "-textconv"))
    git(repo, "config", "diff.evil.command", evil(marker, "-command"))
    dirty(repo)
    return Hostile(repo, [repo])


def program_keys(root: Path, marker: Path) -> Hostile:
    """Every single-valued key that names a program, plus signing forced on."""
    repo = project(root / "src")
    script = root / "evil.sh"
    script.write_text(f"#!/bin/sh\ntouch {shlex.quote(str(marker))}-script\n")
    script.chmod(0o755)
    for key in (
        "diff.external",
        "core.pager",
        "core.editor",
        "sequence.editor",
        "core.askPass",
        "credential.helper",
        "core.sshCommand",
        "core.gitProxy",
        "gpg.program",
        "gpg.ssh.program",
        "core.alternateRefsCommand",
        "uploadpack.packObjectsHook",
        "core.fsmonitor",
    ):
        git(repo, "config", key, str(script))
    for key in ("commit.gpgSign", "tag.gpgSign", "log.showSignature"):
        git(repo, "config", key, "true")
    git(repo, "config", "remote.origin.url", "ssh://example.invalid/x.git")
    git(repo, "config", "alias.status", f"!{script}")
    dirty(repo)
    return Hostile(repo, [repo])


def hooks(root: Path, marker: Path) -> Hostile:
    repo = project(root / "src")
    names = (
        "pre-commit",
        "post-commit",
        "commit-msg",
        "post-checkout",
        "post-index-change",
        "reference-transaction",
        "pre-auto-gc",
        "post-rewrite",
    )
    hook_script(repo / ".git" / "hooks", marker, *names)
    hook_script(root / "hookdir", marker, *names)
    dirty(repo)
    return Hostile(repo, [repo, root / "hookdir"])


def hooks_path(root: Path, marker: Path) -> Hostile:
    found = hooks(root, marker)
    git(found.target, "config", "core.hooksPath", str(root / "hookdir"))
    return found


def include_path(root: Path, marker: Path) -> Hostile:
    repo = project(root / "src")
    included = root / "included.cfg"
    included.write_text(
        f'[filter "evil"]\n\tclean = {quoted(evil(marker, "-include"))}\n[core]\n\tfsmonitor = {root / "nothing"}\n'
    )
    (repo / ".gitattributes").write_text("*.py filter=evil\n")
    git(repo, "config", "include.path", str(included))
    git(repo, "config", f"includeIf.gitdir:{root}/**.path", str(included))
    dirty(repo)
    return Hostile(repo, [repo, root])


def alternates_outside(root: Path, marker: Path) -> Hostile:
    """A ``--shared`` clone: its history lives in another repository, whose config is hostile."""
    other = project(root / "other")
    with_filter(other, marker)
    repo = root / "src"
    git(root, "clone", "-q", "--shared", str(other), str(repo))
    dirty(repo)
    return Hostile(repo, [repo, other], error="objects/info/alternates")


def alternates_unneeded(root: Path, marker: Path) -> Hostile:
    """Alternates outside that the history does not need: copied, not followed, no error."""
    other = project(root / "other")
    repo = project(root / "src")
    (repo / ".git" / "objects" / "info" / "alternates").write_text(f"{other / '.git' / 'objects'}\n")
    with_filter(repo, marker)
    dirty(repo)
    return Hostile(repo, [repo, other])


def symlinked_git(root: Path, marker: Path) -> Hostile:
    """``.git`` is a symlink to another repository (the audit's write-through)."""
    other = project(root / "other")
    with_filter(other, marker)
    repo = root / "src"
    repo.mkdir()
    for name in ("pyproject.toml", "app.py", ".gitattributes"):
        (repo / name).write_bytes((other / name).read_bytes())
    (repo / ".git").symlink_to(other / ".git")
    dirty(repo)
    return Hostile(repo, [repo, other])


def worktree(root: Path, marker: Path) -> Hostile:
    """A real ``git worktree add``: its ``gitdir:`` file leads to a common dir whose config is hostile."""
    main = project(root / "main")
    git(main, "worktree", "add", "-q", "-b", "side", str(root / "src"))
    with_filter(main, marker)
    hook_script(main / ".git" / "hooks", marker, "post-commit", "pre-commit")
    repo = root / "src"
    (repo / ".gitattributes").write_text("*.py filter=evil\n")
    dirty(repo)
    return Hostile(repo, [repo, main])


def submodule_checkout(root: Path, marker: Path) -> Hostile:
    """rfsn pointed at a real submodule checkout; the submodule's own config is hostile."""
    sub = project(root / "sub")
    sup = project(root / "super")
    git(sup, "submodule", "add", "-q", str(sub), "lib")
    git(sup, "commit", "-qm", "add lib")
    module = sup / ".git" / "modules" / "lib"
    git(module, "config", "filter.evil.clean", evil(marker, "-sub"))
    (sup / "lib" / ".gitattributes").write_text("*.py filter=evil\n")
    dirty(sup / "lib")
    return Hostile(sup / "lib", [sup, sub])


def superproject(root: Path, marker: Path) -> Hostile:
    """A superproject whose checked-out submodule's config is hostile."""
    found = submodule_checkout(root, marker)
    return Hostile(found.target.parent, found.watched)


def nested_repository(root: Path, marker: Path) -> Hostile:
    """A repository planted inside the tree (a fixture, a vendored checkout) with its own config."""
    repo = project(root / "src")
    inner = project(repo / "vendor" / "inner")
    with_filter(inner, marker)
    git(inner, "config", "core.fsmonitor", evil(marker, "-fsmonitor"))
    dirty(inner)
    dirty(repo)
    return Hostile(repo, [repo])


def core_worktree(root: Path, marker: Path) -> Hostile:
    """``core.worktree`` names another directory: a checkout there would overwrite or delete it."""
    repo = project(root / "src")
    victim = root / "victim"
    victim.mkdir()
    (victim / "precious.txt").write_text("keep me\n")
    git(repo, "config", "core.worktree", str(victim))
    with_filter(repo, marker)
    return Hostile(repo, [repo, victim])


def global_config(root: Path, marker: Path) -> Hostile:
    """The user's ``~/.gitconfig`` (and XDG config) name a filter for every file."""
    repo = project(root / "src")
    home = root / "home"
    (home / ".config" / "git").mkdir(parents=True)
    (home / "attributes").write_text("* filter=evil diff=evil\n")
    text = (
        f"[core]\n\tattributesFile = {home / 'attributes'}\n\tfsmonitor = {root / 'nothing'}\n"
        f'[filter "evil"]\n\tclean = {quoted(evil(marker, "-global"))}\n'
        f"\tsmudge = {quoted(evil(marker, '-global'))}\n"
        f'[diff "evil"]\n\ttextconv = {quoted(evil(marker, "-globaltextconv"))}\n'
    )
    (home / ".gitconfig").write_text(text)
    (home / ".config" / "git" / "config").write_text(text)
    (home / ".config" / "git" / "attributes").write_text("* filter=evil\n")
    dirty(repo)
    return Hostile(repo, [repo], env={"HOME": str(home), "XDG_CONFIG_HOME": str(home / ".config")})


def system_config(root: Path, marker: Path) -> Hostile:
    """A system config (``GIT_CONFIG_SYSTEM``, as /etc/gitconfig would) naming a filter for every file."""
    repo = project(root / "src")
    (root / "attributes").write_text("* filter=evil\n")
    system = root / "system.cfg"
    system.write_text(
        f"[core]\n\tattributesFile = {root / 'attributes'}\n"
        f'[filter "evil"]\n\tclean = {quoted(evil(marker, "-system"))}\n'
    )
    dirty(repo)
    return Hostile(repo, [repo], env={"GIT_CONFIG_SYSTEM": str(system), "GIT_CONFIG_NOSYSTEM": ""})


def git_environment(root: Path, marker: Path) -> Hostile:
    """rfsn started from a hook or a shell whose ``GIT_*`` variables name another repository."""
    other = project(root / "other")
    with_filter(other, marker)
    repo = project(root / "src")
    dirty(repo)
    env = {
        "GIT_DIR": str(other / ".git"),
        "GIT_WORK_TREE": str(other),
        "GIT_EXTERNAL_DIFF": evil(marker, "-ext"),
        "GIT_CONFIG_PARAMETERS": f"'filter.evil.clean'='{evil(marker, '-params')}'",
    }
    return Hostile(repo, [repo, other], env=env)


def gitdir_nowhere(root: Path, marker: Path) -> Hostile:
    repo = project(root / "src")
    with_filter(repo, marker)
    (root / "moved").mkdir()
    os.rename(repo / ".git", root / "moved" / ".git")
    (repo / ".git").write_text(f"gitdir: {root / 'nowhere'}\n")
    return Hostile(repo, [repo, root / "moved"], error="names no git repository")


CASES: dict[str, Callable[[Path, Path], Hostile]] = {
    f.__name__: f
    for f in (
        audit_filter_clean,
        filter_process,
        textconv,
        program_keys,
        hooks,
        hooks_path,
        include_path,
        alternates_outside,
        alternates_unneeded,
        symlinked_git,
        worktree,
        submodule_checkout,
        superproject,
        nested_repository,
        core_worktree,
        global_config,
        system_config,
        git_environment,
        gitdir_nowhere,
    )
}
