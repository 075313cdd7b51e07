"""Dependencies a Node project fetches from a git host (``github:x/y``, ``git+https://...``): where
the install cannot fetch them and no lockfile must stay in step with package.json, replaced by the
registry's releases of their names (``enginepins.git_substitution``) and, those it has none of, left
out; named in the build's one-line cause when the install still fails (package.json's own, those
its lockfile asks for deeper in the tree, those the substitution could not replace)."""

from __future__ import annotations

import re
import shlex
from typing import Any

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.steplog import STEP_CAUSE
from rfsn.inputs import json_value

_DEP_KEYS = ("dependencies", "devDependencies", "optionalDependencies")
#: the maps of a JSON lock whose values name a dependency's spec (npm's ``requires``: lockfileVersion 1)
_LOCK_MAPS = frozenset({*_DEP_KEYS, "peerDependencies", "requires"})
#: a yarn.lock entry's header: ``"name@spec", name@spec:``
_YARN_HEADER = re.compile(r"^(?P<specs>[^\s#].*):\s*$")

#: a dependency fetched from a git host: ``git+https://``, ``git://``, ``github:x/y``, ``x/y#ref``
_GIT_HOSTED = re.compile(
    r"^(?:git\+|git://|(?:github|gitlab|bitbucket|gist):|[\w.-]+/[\w.-]+(?:#\S*)?$)"
    r"|^https?://(?:www\.|codeload\.)?(?:github\.com|gitlab\.com|bitbucket\.org)/"
)
#: the repository's path in such a spec: ``owner/name`` (npm's errors name it in the URL they tried)
_REPO_PATH = re.compile(r"([\w.-]+/[\w.-]+?)(?:\.git)?/?(?:#.*|/tarball/.*|/archive/.*)?$")


def _is_git(spec: str) -> bool:
    return bool(_GIT_HOSTED.search(spec)) and not spec.startswith(("file:", "link:", "npm:", "workspace:"))


def _walk(node: dict[str, Any], name: str, in_map: bool, found: dict[str, str]) -> None:
    """The git specs of a JSON lock's entries: a dependency map's values, an entry's ``version`` or
    ``resolved`` (an entry's name: its key, less the ``node_modules/`` path before it)."""
    for key, value in node.items():
        if isinstance(value, dict):
            _walk(value, key.rpartition("node_modules/")[2], key in _LOCK_MAPS, found)
        elif isinstance(value, str) and _is_git(value):
            owner = key if in_map else name if key in ("version", "resolved") else ""
            if owner:
                found.setdefault(owner, value)


def locked_git_specs(lock_text: str) -> dict[str, str]:
    """name -> spec of each dependency a lockfile (npm's JSON, yarn's) fetches from a git host."""
    found: dict[str, str] = {}
    try:
        lock = json_value(lock_text, "the lockfile") if lock_text.lstrip().startswith("{") else None
    except ValueError:
        lock = None
    if isinstance(lock, dict):
        _walk(lock, "", False, found)
        return found
    for line in lock_text.splitlines():
        header = _YARN_HEADER.match(line)
        for entry in header.group("specs").split(",") if header else []:
            entry = entry.strip().strip('"')
            name, _, spec = entry[1:].partition("@")  # a scoped name's own "@" comes first
            if _is_git(spec):
                found.setdefault(entry[:1] + name, spec)
    return found


def git_hosted(package: dict[str, Any], lock_text: str = "") -> dict[str, tuple[str, str]]:
    """name -> (what package.json or its lockfile says, the repository's ``owner/name``) of each
    dependency fetched from a git host."""
    specs = locked_git_specs(lock_text)
    for key in _DEP_KEYS:
        specs |= {name: str(spec) for name, spec in (package.get(key) or {}).items() if _is_git(str(spec))}
    found: dict[str, tuple[str, str]] = {}
    for name, spec in specs.items():
        path = _REPO_PATH.search(spec.replace(":", "/"))
        found[name] = (spec, path.group(1) if path else spec)
    return found


#: deletes the dependencies named in its arguments from ./package.json (on the image's own Node)
LEAVE_OUT_JS = (
    "const fs = require('fs'); const p = JSON.parse(fs.readFileSync('package.json', 'utf8')); "
    "for (const n of process.argv.slice(1)) for (const k of ['dependencies', 'devDependencies', "
    "'optionalDependencies']) if (p[k]) delete p[k][n]; fs.writeFileSync('package.json', JSON.stringify(p, null, 2));"
)


#: what an install's output says when a fetch from a git host failed
GIT_FAILURE = r"git\serror|ls-remote|ENOGIT|github\.com|gitlab\.com|bitbucket\.org"
#: where the substitution (``substitute``) lists the git-hosted dependencies it could not replace
UNFETCHED = "/tmp/rfsn-git-unfetched"


def _from_registry(command: str, log: str, substitute: str) -> str:
    """Shell run after ``command`` failed (its output in ``log``): where that output says a fetch
    from a git host failed and ``substitute`` replaced git-hosted dependencies by the registry's
    releases, ``command`` again, the step's success if it passes."""
    again = "rfsn: git-hosted dependencies from the registry, a git host could not be fetched from; the install again"
    return (
        f"rm -f {UNFETCHED}; if grep -qiE {shlex.quote(GIT_FAILURE)} {log} && RFSN_UNFETCHED={UNFETCHED} {substitute}; "
        f"then echo {shlex.quote(again)} >&2; if ( {command} ) > {log} 2>&1; then cat {log}; exit 0; "
        f"else status=$?; cat {log}; fi; fi; "
    )


def naming_git_failures(
    command: str, package: dict[str, Any], retry: bool = False, lock_text: str = "", substitute: str = ""
) -> str:
    """``command``; when it fails on a fetch from a git host, ``substitute`` (a command: the git
    substitution of ``enginepins``, exit 0 when it changed package.json) and ``command`` again. When
    it still fails and its output names the repository of a git-hosted dependency (of package.json
    or of its lockfile, ``lock_text``), a last line (``STEP_CAUSE``) names those dependencies, or
    those the substitution could not replace: the build's one-line cause. With ``retry`` (no
    lockfile to keep in step), package.json's own are left out and the install runs again, said in
    the build's notes: the tests that need them fail and say so."""
    hosted = git_hosted(package, lock_text)
    if not hosted and not substitute:
        return command
    log = "/tmp/rfsn-install.log"
    checks = "".join(
        f'grep -qF {shlex.quote(path)} {log} && named="$named, "{shlex.quote(f"{name} ({spec})")}'
        f' && out="$out "{shlex.quote(name)}; '
        for name, (spec, path) in hosted.items()
    )
    said = f"{STEP_CAUSE}git-hosted dependencies could not be fetched: "
    again = (
        f'if [ -n "$out" ]; then note="git-hosted dependencies left out, they could not be fetched: ${{named#, }}"; '
        f'echo "rfsn: $note; the install again without them" >&2; /usr/bin/node -e {shlex.quote(LEAVE_OUT_JS)} $out'
        f' && ( {command} ) && mkdir -p "$RFSN_ENV" && echo "$note" >> "{BUILD_NOTES}" && exit 0; status=$?; fi; '
        if retry
        else ""
    )
    unfetched = (
        f"if [ -s {UNFETCHED} ]; then named=''; "
        f'while IFS= read -r line; do named="$named, $line"; done < {UNFETCHED}; fi; '
        if substitute
        else ""
    )
    return (
        f"if ( {command} ) > {log} 2>&1; then cat {log}; else status=$?; cat {log}; "
        f"{_from_registry(command, log, substitute) if substitute else ''}named=''; out=''; {checks}"
        f'{again}{unfetched}[ -z "$named" ] || echo {shlex.quote(said)}"${{named#, }}" >&2; exit $status; fi'
    )
