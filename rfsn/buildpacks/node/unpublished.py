"""A lock's devDependency whose locked release the registry does not have (unpublished since, or
a mirror that never had it): the install leaves it out and runs again, the lock kept for the rest.

A tool the project only develops with (``multiocular`` of postcss's docs, ``@size-limit/dual-publish``
of nanoid's release) should not cost the environment of every test; a runtime dependency is not
left out (the tests need it), and the build's one line then names its 404. A lock that
package.json outgrew (a dependency added or changed and the lock left stale) installs once more,
the lock updated for what package.json names, its other entries kept.
"""

from __future__ import annotations

import shlex

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.node.githosted import LEAVE_OUT_JS

#: prints the devDependencies of ./package.json whose tarball a line of the log (argv[1]) says
#: answered 404 (a URL wrapped onto the next, indented line after a ``/`` or ``-``, as pnpm's box does, joined first)
_NAMED_JS = (
    "const fs = require('fs'); "
    "const log = fs.readFileSync(process.argv[1], 'utf8').replace(/([\\/-])\\r?\\n\\s+/g, '$1'); "
    "const dev = JSON.parse(fs.readFileSync('package.json', 'utf8')).devDependencies || {}; const out = new Set(); "
    "for (const line of log.split('\\n')) if (/\\b404\\b/.test(line)) "
    "for (const m of line.matchAll(/\\/((?:@[\\w.-]+\\/)?[\\w.-]+)\\/-\\/[\\w.-]+\\.tgz/g)) "
    "if (Object.prototype.hasOwnProperty.call(dev, m[1])) out.add(m[1]); console.log([...out].join(' '));"
)
_LOG = "/tmp/rfsn-install-locked.log"
#: installs again at most, each without the devDependencies its predecessor's 404s named
ROUNDS = 5


def leaving_out_unpublished(command: str, again: str) -> str:
    """``command`` (a lock's install); when it fails on devDependencies' locked tarballs that the
    registry answers 404, those are left out of package.json and ``again`` (the same install that
    may update the lock) runs, up to ``ROUNDS`` times (an install stops at its first missing
    tarball), said in the build's notes; else its failure stands."""
    said = "devDependencies left out, the registry has not their locked release:"
    return (
        f"if ( {command} ) > {_LOG} 2>&1; then cat {_LOG}; else status=$?; cat {_LOG}; left=''; "
        f"for round in {' '.join(map(str, range(1, ROUNDS + 1)))}; do "
        f'out=$(/usr/bin/node -e {shlex.quote(_NAMED_JS)} {_LOG}); [ -n "$out" ] || break; left="$left $out"; '
        f'echo "rfsn: {said} $out; the install again, its lock updated" >&2; '
        f"/usr/bin/node -e {shlex.quote(LEAVE_OUT_JS)} $out; "
        f'if ( {again} ) > {_LOG} 2>&1; then cat {_LOG}; mkdir -p "$RFSN_ENV"; '
        f'echo "{said}$left" >> "{BUILD_NOTES}"; exit 0; else status=$?; cat {_LOG}; fi; '
        "done; exit $status; fi"
    )


#: what a frozen install says when package.json names what its lock does not hold (yarn 1, pnpm, npm ci)
_OUTGROWN = (
    "Your lockfile needs to be updated|ERR_PNPM_OUTDATED_LOCKFILE"
    "|can only install packages when your package.json and package-lock.json"
)
_OUTGROWN_LOG = "/tmp/rfsn-install-outgrown.log"


def updating_an_outgrown_lock(command: str, again: str) -> str:
    """``command`` (a lock's install); when it fails because package.json names what the lock does
    not hold, ``again`` (the install that may update the lock) runs once, said in the build's
    notes; else its failure stands."""
    said = "the lock does not match package.json: installed with the lock updated"
    return (
        f"if ( {command} ) > {_OUTGROWN_LOG} 2>&1; then cat {_OUTGROWN_LOG}; else status=$?; cat {_OUTGROWN_LOG}; "
        f"grep -qE {shlex.quote(_OUTGROWN)} {_OUTGROWN_LOG} || exit $status; echo 'rfsn: {said}' >&2; "
        f'( {again} ) || exit $?; mkdir -p "$RFSN_ENV"; echo "{said}" >> "{BUILD_NOTES}"; fi'
    )


def locked_install(command: str, again: str) -> str:
    """A lock's install (``command``), its unpublished devDependencies left out and an outgrown
    lock updated, each by ``again``."""
    return updating_an_outgrown_lock(leaving_out_unpublished(command, again), again)
