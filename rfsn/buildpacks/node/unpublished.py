"""A lock's devDependency whose locked release the registry does not have (unpublished since, or
a mirror that never had it): the install leaves it out and runs again, the lock kept for the rest.

A tool the project only develops with (``multiocular`` of postcss's docs, ``@size-limit/dual-publish``
of nanoid's release) should not cost the environment of every test; a runtime dependency is not
left out (the tests need it), and the build's one line then names its 404.
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
