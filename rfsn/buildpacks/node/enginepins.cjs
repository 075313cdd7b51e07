// rfsn: each direct dependency of ./package.json whose newest release in its range does not run
// on the Node given (argv[2], by that release's engines.node) is pinned to the newest one that
// does, as the registry's metadata says; run on the image's own Node (fetch), with npm's semver.
'use strict';
const fs = require('fs');
const path = require('path');
const cp = require('child_process');

function semverLib() {
  const tries = [];
  try {
    const npm = fs.realpathSync(cp.execSync('command -v npm', { shell: '/bin/sh' }).toString().trim());
    tries.push(path.join(path.dirname(npm), '..', 'node_modules', 'semver'));
  } catch (_) { /* no npm on the PATH */ }
  tries.push('/usr/share/nodejs/semver', '/usr/lib/node_modules/npm/node_modules/semver',
    '/usr/local/lib/node_modules/npm/node_modules/semver', 'semver');
  for (const where of tries) {
    try { return require(where); } catch (_) { /* next */ }
  }
  return null;
}

async function main() {
  const node = process.argv[2];
  const registry = (process.env.npm_config_registry || 'https://registry.npmjs.org/').replace(/\/?$/, '/');
  const semver = semverLib();
  if (!semver) return console.error('rfsn: no semver at hand: the dependencies as npm picks them');
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  let changed = false;
  for (const key of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    for (const [name, spec] of Object.entries(pkg[key] || {})) {
      const range = spec === '' || spec === 'latest' ? '*' : String(spec);
      if (!semver.validRange(range)) continue; // a git host, a file, a tag
      let doc;
      try {
        const res = await fetch(registry + name.replace('/', '%2f'),
          { headers: { accept: 'application/vnd.npm.install-v1+json' } });
        if (!res.ok) continue;
        doc = await res.json();
      } catch (_) { continue; }
      const versions = doc.versions || {};
      const runs = (v) => {
        const wants = (versions[v].engines || {}).node;
        try { return typeof wants !== 'string' || semver.satisfies(node, wants); } catch (_) { return true; }
      };
      const within = Object.keys(versions).filter((v) => !v.includes('-') && semver.satisfies(v, range))
        .sort(semver.rcompare);
      if (!within.length || runs(within[0])) continue;
      const best = within.find(runs);
      if (!best) {
        console.error(`rfsn: ${name}@${spec}: no release in range says it runs on Node ${node}`);
        continue;
      }
      pkg[key][name] = best;
      changed = true;
      console.error(`rfsn: ${name}@${spec} -> ${best}, the newest whose engines.node takes Node ${node}`);
    }
  }
  if (changed) fs.writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
}

main().catch((e) => console.error(`rfsn: engine pins skipped: ${e.message}`));
