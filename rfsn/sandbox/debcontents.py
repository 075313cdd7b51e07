"""Which Debian package ships a file: the release's contents index (``Contents-<arch>.gz`` and
``Contents-all.gz``, as ``apt-file`` reads them), fetched once per release into rfsn's home and
read as a stream.

``owners`` is pure (the index's lines in, each wanted file's best paths and their packages out);
``fetched`` keeps the index under ``<home>/debian/<release>/<day fetched>/`` and fetches it again
only once the newest copy is ``MAX_AGE_DAYS`` old.
"""

from __future__ import annotations

import gzip
import platform
import re
import shutil
import ssl
import urllib.request
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path

from rfsn.fsutil import held
from rfsn.observability.logging import get_logger
from rfsn.sandbox.missing import VERSIONED, Missing

log = get_logger(__name__)
MAX_AGE_DAYS = 30
FETCH_TIMEOUT = 300.0
_ARCH = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}


def arch() -> str:
    """This host's Debian architecture (its containers run it)."""
    return _ARCH.get(platform.machine().lower(), "amd64")


def index_names(architecture: str) -> tuple[str, ...]:
    return (f"Contents-{architecture}.gz", "Contents-all.gz")


def owners(blocks: Iterable[str], wanted: Sequence[Missing]) -> dict[Missing, tuple[str, list[str]]]:
    """For each wanted file the index answers: (its best path, the packages that ship a path as
    good), the best the lowest ``Missing.rank``, the first of equals named. ``blocks``: the
    index's text in pieces of whole lines (both files of a release: a path may be in each)."""
    names = sorted({m.basename for m in wanted} | {m.name.rsplit("/", 1)[-1] for m in wanted})
    if not names:
        return {}
    named = re.compile(rf"/(?:{'|'.join(map(re.escape, names))})(?:{VERSIONED})?[ \t]")
    best: dict[Missing, tuple[int, str, list[str]]] = {}
    for block in blocks:
        for match in named.finditer(block):
            start, end = block.rfind("\n", 0, match.start()) + 1, block.find("\n", match.end())
            path, packages = block[start : end if end >= 0 else None].rsplit(None, 1)
            shipping = [p.rsplit("/", 1)[-1] for p in packages.split(",")]
            for want in wanted:
                rank = want.rank(path)
                if rank is None or (want in best and rank > best[want][0]):
                    continue
                if want in best and rank == best[want][0]:
                    _, first, before = best[want]
                    best[want] = (rank, first, [*before, *(p for p in shipping if p not in before)])
                else:
                    best[want] = (rank, path, shipping)
    return {want: (path, packages) for want, (_, path, packages) in best.items()}


def preferred(packages: Sequence[str]) -> str:
    """One of the packages that ship a file: a library's development package first (``libkrb5-dev``
    before ``heimdal-dev``), then the shortest name, then by name."""
    return min(packages, key=lambda p: (not (p.startswith("lib") and p.endswith("-dev")), len(p), p))


def read_blocks(paths: Sequence[Path], size: int = 1 << 22) -> Iterator[str]:
    """The text of the gzip files ``paths`` in pieces of whole lines of about ``size``
    characters (never a whole file in memory)."""
    for path in paths:
        with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
            rest = ""
            while block := fh.read(size):
                block = rest + block
                cut = block.rfind("\n") + 1
                rest = block[cut:]
                if cut:
                    yield block[:cut]
            if rest:
                yield rest


def fetched(
    home: Path,
    mirror: str,
    release: str,
    ca_bundle: Path | None = None,
    architecture: str | None = None,
    today: date | None = None,
) -> list[Path]:
    """The contents index of ``release`` on this host: the newest copy under ``home``, fetched
    from ``mirror`` when there is none or it is ``MAX_AGE_DAYS`` old (older copies then removed).
    OSError when it cannot be fetched."""
    today = today or date.today()
    names = index_names(architecture or arch())
    root = home / "debian" / release
    kept = sorted(
        (d for d in root.glob("*") if d.is_dir() and all((d / n).is_file() for n in names)), key=lambda d: d.name
    )
    if kept and (today - date.fromisoformat(kept[-1].name)).days < MAX_AGE_DAYS:
        return [kept[-1] / n for n in names]
    folder = root / today.isoformat()
    folder.mkdir(parents=True, exist_ok=True)
    with held(root / ".fetch.lock"):  # one fetch per host; a second process then finds it
        for name in names:
            _download(f"{mirror.rstrip('/')}/dists/{release}/main/{name}", folder / name, ca_bundle)
    for old in kept:
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    return [folder / n for n in names]


def _download(url: str, target: Path, ca_bundle: Path | None) -> None:
    """``url`` to ``target``, streamed, whole or not at all."""
    if target.is_file():
        return
    context = ssl.create_default_context(cafile=str(ca_bundle)) if ca_bundle else None
    log.info("debian.contents_fetch", url=url)
    partial = target.with_name(target.name + ".part")
    with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT, context=context) as response, partial.open("wb") as out:
        shutil.copyfileobj(response, out, 1 << 20)
    partial.replace(target)
