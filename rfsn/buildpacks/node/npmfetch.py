"""npm fetched from the registry by the image's own Node: the fetch itself, and the dated npm an
older era's install runs with."""

from __future__ import annotations

import shlex

#: fetches ``NAME@VERSION`` tarballs from the npm registry here, on the image's own Node (20: fetch); one line
FETCH_JS = (
    "const fs = require('fs'); const registry = (process.env.npm_config_registry || "
    "'https://registry.npmjs.org/').replace(/\\/?$/, '/'); (async () => { for (const spec of process.argv.slice(1)) "
    "{ const [name, version] = spec.split('@'); const url = `${registry}${name}/-/${name}-${version}.tgz`; "
    "const res = await fetch(url); if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`); "
    "fs.writeFileSync(`${name}-${version}.tgz`, Buffer.from(await res.arrayBuffer())); } })().catch((e) => "
    "{ console.error(`rfsn: cause: ${e.message}${e.cause ? ` (${e.cause.message})` : ''}`); process.exit(1); });"
)
#: ``--before`` (an install as of a date) came with npm 6.9; an older era's npm (which cannot read
#: today's registry metadata either: npm 3's EMISSINGARG) gets this npm for the install, run on
#: the image's own Node (Debian's), which the fetch runs on too
BEFORE_NPM, DATED_NPM, _DATED_DIR = (6, 9, 0), "10.9.2", "/tmp/rfsn-npm"
#: npm's ``overrides`` came with 8.3
OVERRIDES_NPM = (8, 3, 0)
DATED_NPM_CLI = f"/usr/bin/node {_DATED_DIR}/package/bin/npm-cli.js"
FETCH_DATED_NPM = (
    f"mkdir -p {_DATED_DIR} && cd {_DATED_DIR} && /usr/bin/node -e {shlex.quote(FETCH_JS)} "
    f"npm@{DATED_NPM} && tar -xzf npm-{DATED_NPM}.tgz && cd /"
)
