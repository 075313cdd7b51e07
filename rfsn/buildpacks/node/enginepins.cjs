// rfsn: each direct dependency of ./package.json is pinned to the newest release in its range
// that runs on the Node given (argv[2], by the release's engines.node) and, for a day (argv[3])
// before npm 5 (2017-05-25), was packed by then; where that is not the newest in range. The
// day is read from the tarball (npm before 5 kept its files' times; npm 5 on writes 1985-10-26),
// not from the registry's `time`, which may be the day a mirror stored it. Run on the image's
// own Node (fetch), with npm's semver.
'use strict';
const fs = require('fs');
const path = require('path');
const cp = require('child_process');
const zlib = require('zlib');

const NPM5 = Date.parse('2017-05-25T00:00:00Z');

// the time of a tarball's first entry (ms), or null when it cannot be read; reads no more of it
// than that entry's header takes
async function packedOn(url) {
  const res = await fetch(url);
  if (!res.ok || !res.body) return null;
  const reader = res.body.getReader();
  let packed = Buffer.alloc(0);
  let head = Buffer.alloc(0);
  for (;;) {
    const { value, done } = await reader.read();
    if (value) packed = Buffer.concat([packed, Buffer.from(value)]);
    try {
      head = zlib.gunzipSync(packed, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    } catch (_) { /* not enough yet */ }
    if (head.length >= 512 || done) break;
  }
  reader.cancel().catch(() => {});
  if (head.length < 512) return null;
  const seconds = parseInt(head.subarray(136, 148).toString().replace(/\0.*$/s, '').trim(), 8);
  return Number.isNaN(seconds) ? null : seconds * 1000;
}

// the releases of `within` (newest first) packed by `end`: a binary search, release days rising
// with versions; none known when the day is after npm 5
async function packedBy(within, versions, end) {
  if (!(end <= NPM5)) return null;
  let lo = 0;
  let hi = within.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const url = ((versions[within[mid]] || {}).dist || {}).tarball;
    const when = url ? await packedOn(url).catch(() => null) : null;
    if (when !== null && when > Date.parse('1986-01-01') && when <= end) hi = mid;
    else lo = mid + 1;
  }
  return within.slice(lo);
}

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
  const [node, day] = process.argv.slice(2);
  const end = day ? Date.parse(`${day}T00:00:00Z`) : NaN;
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
      const dated = within.length ? await packedBy(within, versions, end) : null;
      const pool = dated && dated.length ? dated : within;
      const best = pool.find(runs);
      if (!within.length || best === within[0]) continue;
      if (!best) {
        console.error(`rfsn: ${name}@${spec}: no release in range says it runs on Node ${node}`);
        continue;
      }
      pkg[key][name] = best;
      changed = true;
      const by = dated && dated.length ? `packed by ${day} and ` : '';
      console.error(`rfsn: ${name}@${spec} -> ${best}, the newest ${by}whose engines.node takes Node ${node}`);
    }
  }
  if (changed) fs.writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
}

main().catch((e) => console.error(`rfsn: engine pins skipped: ${e.message}`));
