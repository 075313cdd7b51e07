"""The workspace's git history as the sandbox sees it.

A workspace may borrow objects (``info/alternates``: a copy of a ``--shared`` or
``--reference`` clone), from a repository that may itself borrow from another, and so on
(a batch workspace borrows nothing: ``rfsn.batch.harness.history``). Mounting those object
directories at the paths git records fails twice: a path under a directory the sandbox user
cannot enter (``/root/...``) is unreadable inside, and a chain is only as long as what was mounted.

So every object directory of the chain is mounted read-only at a neutral path
(``/rfsn/git/objects/N``), and each ``info/alternates`` file of the chain, the workspace's own
included, is shadowed inside the sandbox by a generated one that names the neutral paths. The
workspace's submodules (their repositories under ``.git/modules``, cloned from mirrors that
may borrow too) start chains of their own. The host's files stay as they are; nothing is
copied; git inside reads tags, ``describe`` and ``log`` as on the host.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rfsn import hostgit

NEUTRAL_ROOT = "/rfsn/git/objects"


def alternates(objects: Path) -> list[Path]:
    """The object directories ``objects/info/alternates`` names (relative entries resolved)."""
    try:
        lines = (objects / "info" / "alternates").read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    found = [(objects / line.strip()).resolve() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    return [path for path in found if path.is_dir()]


def owned(workspace: Path) -> list[Path]:
    """The object directories inside the workspace: its own, and its submodules' (``.git/modules``)."""
    git_dir = (workspace / ".git").resolve()
    return [git_dir / "objects", *(module / "objects" for module in _modules(git_dir))]


def _modules(git_dir: Path) -> list[Path]:
    return sorted(path.parent for path in (git_dir / "modules").glob("**/HEAD") if (path.parent / "objects").is_dir())


def submodule_trees(workspace: Path) -> list[str]:
    """The work trees of the workspace's checked-out submodules, relative to it (each module's
    ``core.worktree``), which git inside must trust as it trusts the workspace."""
    root = workspace.resolve()
    found = []
    for module in _modules(root / ".git"):
        done = hostgit.run(None, "config", "-f", str(module / "config"), "core.worktree")
        tree = (module / done.stdout.strip()).resolve() if done.returncode == 0 else None
        if tree is not None and root in tree.parents:
            found.append(tree.relative_to(root).as_posix())
    return found


@dataclass
class GitView:
    """Mounts for the object chain of ``workspace`` (a path with a ``.git`` directory)."""

    #: host object directory -> its neutral path in the sandbox
    neutral: dict[Path, str] = field(default_factory=dict)
    #: host object directory (the workspace's own included) -> the directories it borrows from
    borrows: dict[Path, list[Path]] = field(default_factory=dict)

    @classmethod
    def of(cls, workspace: Path) -> GitView:
        view = cls()
        pending = owned(workspace)
        seen = set(pending)
        while pending:  # breadth first, each directory once (a cycle ends here)
            objects = pending.pop(0)
            borrowed = alternates(objects)
            if borrowed:
                view.borrows[objects] = borrowed
            for other in borrowed:
                if other not in seen:
                    seen.add(other)
                    view.neutral[other] = f"{NEUTRAL_ROOT}/{len(view.neutral)}"
                    pending.append(other)
        return view

    def alternates_text(self, objects: Path) -> str:
        """What ``objects/info/alternates`` says inside the sandbox."""
        return "".join(f"{self.neutral[other]}\n" for other in self.borrows.get(objects, []))

    def mounts(self, workspace: Path, workdir: str, files: Path) -> dict[str, dict[str, str]]:
        """Docker volume specs: the borrowed directories read-only at their neutral paths, and
        each alternates file shadowed by its generated text, written under ``files``."""
        own = {
            objects: f"{workdir}/{objects.relative_to(workspace.resolve()).as_posix()}" for objects in owned(workspace)
        }
        volumes = {str(path): {"bind": neutral, "mode": "ro"} for path, neutral in self.neutral.items()}
        for index, objects in enumerate(self.borrows):
            generated = files / f"alternates-{index}"
            generated.write_text(self.alternates_text(objects), encoding="utf-8")
            generated.chmod(0o644)
            inside = own.get(objects) or self.neutral[objects]
            volumes[str(generated)] = {"bind": f"{inside}/info/alternates", "mode": "ro"}
        return volumes
