"""Why no buildpack recognises a repository, in one line: the buildpacks that recognise one of
its folders (a project in a subfolder), else what its tree holds when it holds no source code
(an archived repository whose code moved), with the first line of its README."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from rfsn.buildpacks.base import Detection
from rfsn.buildpacks.languages import language_of

_SHOWN = 6  # files or folders named in the line
_MARKUP = re.compile(r"[*`#=_:|>\[\]]+")


def _files(repo: Path) -> list[Path]:
    return sorted(p for p in repo.rglob("*") if p.is_file() and ".git" not in p.relative_to(repo).parts)


def _listed(names: list[str]) -> str:
    more = f", and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(names[:_SHOWN]) + more


#: how much of a README is read for its first line
_README_BYTES = 65536


def _readme_line(repo: Path) -> str:
    """The README's first line of words, its markup dropped ('' without a README). A link is not
    followed (it may point at a host file) and only the README's start is read."""
    for readme in sorted(repo.glob("README*")):
        if readme.is_symlink() or not readme.is_file():
            continue
        with readme.open("rb") as text:
            start = text.read(_README_BYTES).decode("utf-8", errors="replace")
        for line in start.splitlines():
            words = " ".join(_MARKUP.sub(" ", line).split())
            if len(words) > 1:
                return f"; {readme.name} begins: {words[:200]!r}"
    return ""


def _in_folders(repo: Path, detect: Callable[[Path], list[tuple[str, Detection]]]) -> list[str]:
    """'NAME recognises FOLDER/ (reasons)' for each top-level folder some buildpack recognises."""
    found = []
    for folder in sorted(p for p in repo.iterdir() if p.is_dir() and not p.name.startswith(".")):
        ranked = [(name, d) for name, d in detect(folder) if d.score > 0]
        if ranked:
            name, best = ranked[0]
            found.append(f"{name} recognises its folder {folder.name}/ ({'; '.join(best.reasons)})")
    return found


def why(repo: Path, detect: Callable[[Path], list[tuple[str, Detection]]]) -> str:
    """What rfsn saw in ``repo`` that no buildpack recognises ('' when nothing useful to say).

    ``detect`` is every buildpack's detection of a folder, best first.
    """
    folders = _in_folders(repo, detect)
    if folders:
        return f"the project is not at its top: {_listed(folders)}"
    files = _files(repo)
    if any(language_of(p.name) for p in files):
        return ""
    names = [p.relative_to(repo).as_posix() for p in files]
    if not names:
        return "it holds no files"
    return f"it holds {len(names)} file(s) and no source code: {_listed(names)}{_readme_line(repo)}"


def unrecognised(repo: Path, what: str, detect: Callable[[Path], list[tuple[str, Detection]]]) -> str:
    """The error for a repository no buildpack recognises: why, then the ways out."""
    seen = why(repo, detect)
    return (
        f"no buildpack recognises {what}{f' ({seen})' if seen else ''}: "
        "choose one with --buildpack NAME or give the test command with --test-cmd"
    )
