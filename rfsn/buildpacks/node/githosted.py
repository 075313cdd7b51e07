"""Dependencies a Node project fetches from a git host (``github:x/y``, ``git+https://...``): named
in the build's one-line cause when the install cannot fetch them, and left out where no lockfile
must stay in step with package.json."""

from __future__ import annotations

import re
import shlex
from typing import Any

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.steplog import STEP_CAUSE

_DEP_KEYS = ("dependencies", "devDependencies", "optionalDependencies")

#: a dependency fetched from a git host: ``git+https://``, ``git://``, ``github:x/y``, ``x/y#ref``
_GIT_HOSTED = re.compile(
    r"^(?:git\+|git://|(?:github|gitlab|bitbucket|gist):|[\w.-]+/[\w.-]+(?:#\S*)?$)"
    r"|^https?://(?:github\.com|gitlab\.com|bitbucket\.org)/"
)
#: the repository's path in such a spec: ``owner/name`` (npm's errors name it in the URL they tried)
_REPO_PATH = re.compile(r"([\w.-]+/[\w.-]+?)(?:\.git)?/?(?:#.*|/tarball/.*|/archive/.*)?$")


def git_hosted(package: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """name -> (what package.json says, the repository's ``owner/name``) of each dependency
    fetched from a git host."""
    found: dict[str, tuple[str, str]] = {}
    for key in _DEP_KEYS:
        for name, spec in (package.get(key) or {}).items():
            spec = str(spec)
            if _GIT_HOSTED.search(spec) and not spec.startswith(("file:", "link:", "npm:", "workspace:")):
                path = _REPO_PATH.search(spec.replace(":", "/"))
                found[name] = (spec, path.group(1) if path else spec)
    return found


#: deletes the dependencies named in its arguments from ./package.json (on the image's own Node)
LEAVE_OUT_JS = (
    "const fs = require('fs'); const p = JSON.parse(fs.readFileSync('package.json', 'utf8')); "
    "for (const n of process.argv.slice(1)) for (const k of ['dependencies', 'devDependencies', "
    "'optionalDependencies']) if (p[k]) delete p[k][n]; fs.writeFileSync('package.json', JSON.stringify(p, null, 2));"
)


def naming_git_failures(command: str, package: dict[str, Any], retry: bool = False) -> str:
    """``command``; when it fails and its output names the repository of a git-hosted dependency,
    a last line (``STEP_CAUSE``) names those dependencies: the build's one-line cause. With
    ``retry`` (no lockfile to keep in step), those dependencies are left out of package.json and
    the install runs again, said in the build's notes: the tests that need them fail and say so."""
    hosted = git_hosted(package)
    if not hosted:
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
    return (
        f"if ( {command} ) > {log} 2>&1; then cat {log}; else status=$?; cat {log}; named=''; out=''; {checks}"
        f'{again}[ -z "$named" ] || echo {shlex.quote(said)}"${{named#, }}" >&2; exit $status; fi'
    )
