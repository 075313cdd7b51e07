"""One requirement per package name, from several that name it (pip before 20.3 refuses a name
given twice).

Specifiers intersect while some version still satisfies them all; where they disagree
(``coverage==4.5.1`` and ``coverage==6.5.0``), the stronger source's requirement is kept and the
other's specifier dropped: what installing the project needs, then the project's own test
declarations, then nox's and CI's install lines; between equals, a pin over a range (it is what
someone ran), the newer pin over the older.
"""

from __future__ import annotations

from collections.abc import Sequence

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

#: how strongly a source binds (``strength``): what the project's install needs, its tests, CI's lines
INSTALL, PROJECT, CI = 2, 1, 0


def strength(where: str, installs: bool) -> int:
    """The strength of a requirement found ``where`` (``installs``: installing the project needs it)."""
    if installs:
        return INSTALL
    return CI if where.endswith(" pip install") or where.startswith("noxfile.py ") else PROJECT


def merged(same: Sequence[Requirement], strengths: Sequence[int] = ()) -> str:
    """One requirement for all of ``same`` (one name; ``strengths``: one per requirement, all
    equal when not given): specifiers agreed (``agreed``), extras united, a URL wins; markers that
    differ are dropped (each applies to the Python the environment runs)."""
    if len(same) == 1:
        return str(same[0])
    first = same[0]
    result = Requirement(first.name)
    result.url = next((r.url for r in same if r.url), None)
    result.extras = set().union(*(r.extras for r in same))
    if result.url is None:
        result.specifier = agreed(same, strengths or [PROJECT] * len(same))
    if all(str(r.marker) == str(first.marker) for r in same):
        result.marker = first.marker
    return str(result)


def agreed(same: Sequence[Requirement], strengths: Sequence[int]) -> SpecifierSet:
    """The specifiers of ``same`` intersected, strongest first, each one that would leave no
    version left out."""
    order = sorted(range(len(same)), key=lambda i: (strengths[i], *_pin(same[i].specifier)), reverse=True)
    kept = SpecifierSet()
    for i in order:
        if satisfiable(kept & same[i].specifier):
            kept &= same[i].specifier
    return kept


def _pin(spec: SpecifierSet) -> tuple[bool, Version]:
    """(whether ``spec`` pins one version, that version): the order between equal sources."""
    for one in spec:
        if one.operator in ("==", "===") and not one.version.endswith(".*"):
            try:
                return True, Version(one.version)
            except InvalidVersion:
                return True, Version("0")
    return False, Version("0")


def satisfiable(spec: SpecifierSet) -> bool:
    """Whether some version satisfies ``spec``: tried on the versions it names, just above each,
    and the extremes (a specifier whose version is not PEP 440 counts as satisfiable)."""
    candidates = [Version("0"), Version("999999")]
    for one in spec:
        try:
            named = Version(one.version.removesuffix(".*"))
        except InvalidVersion:
            return True
        candidates += [named, Version(f"{named.base_version}.0.0.0.1")]
    return any(spec.contains(v, prereleases=True) for v in candidates)


def once(requirements: Sequence[str]) -> list[str]:
    """``requirements`` with each name given once, in the order first given (``merged``): pip
    before 20.3 refuses ``setuptools setuptools>=41.0``. One pip cannot read stays as it is."""
    by_name: dict[str, list[Requirement]] = {}
    kept: dict[str, str] = {}
    for raw in requirements:
        try:
            req = Requirement(raw)
        except InvalidRequirement:
            kept.setdefault(raw, raw)
            continue
        key = canonicalize_name(req.name)
        by_name.setdefault(key, []).append(req)
        kept.setdefault(key, "")
    return [text or merged(by_name[key]) for key, text in kept.items()]
