// rfsn: each direct dependency of ./package.json is pinned to the newest release in its range
// that runs on the Node given (argv[2], by the release's engines.node) and, for a day (argv[3])
// before npm 5 (2017-05-25), was packed by then; where that is not the newest in range. The
// day is read from the tarball (npm before 5 kept its files' times; npm 5 on writes 1985-10-26),
// not from the registry's `time`, which may be the day a mirror stored it. Run on the image's
// own Node (fetch), with npm's semver. A range no release meets gets the nearest release above,
// a tag the registry does not list its latest release, a dependency's git host branch the
// registry's release of the day. Once an install failed to fetch from a git host
// (RFSN_GIT_UNREACHABLE=1, `main`), only the git-hosted dependencies change, each to the registry's
// release of its name (`fromRegistry`), a dependency's through `overrides`.
'use strict';
const fs = require('fs');
const path = require('path');
const cp = require('child_process');
const zlib = require('zlib');

const NPM5 = Date.parse('2017-05-25T00:00:00Z');

// at most 8 requests at once, each tried 3 times: a proxy drops connections (a connect timeout)
// when a walk level opens a hundred, and a pick read from a failed request is a wrong one
const slots = { free: 8, waiting: [] };
async function fetched(url, options) {
  if (slots.free > 0) slots.free -= 1;
  else await new Promise((resolve) => slots.waiting.push(resolve));
  try {
    for (let tries = 1; ; tries += 1) {
      try {
        const res = await fetch(url, options);
        if (res.status < 500 || tries >= 3) return res;
      } catch (e) {
        if (tries >= 3) throw e;
      }
      await new Promise((resolve) => setTimeout(resolve, 200 * tries));
    }
  } finally {
    const next = slots.waiting.shift();
    if (next) next(); else slots.free += 1;
  }
}

// the time of a tarball's first entry (ms), or null when it cannot be read; reads no more of it
// than that entry's header takes
async function packedOn(url) {
  const res = await fetched(url);
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

// the newest semver at hand: the PATH's npm's is the era's when the Node is an old one (semver 1
// takes `*` for no range and knows no `^`), the image's own npm's and the dated npm's are today's
function semverLib() {
  const tries = [];
  try {
    const npm = fs.realpathSync(cp.execSync('command -v npm', { shell: '/bin/sh' }).toString().trim());
    tries.push(path.join(path.dirname(npm), '..', 'node_modules', 'semver'));
  } catch (_) { /* no npm on the PATH */ }
  tries.push('/usr/share/nodejs/semver', '/usr/lib/node_modules/npm/node_modules/semver',
    '/usr/local/lib/node_modules/npm/node_modules/semver', '/tmp/rfsn-npm/package/node_modules/semver', 'semver');
  let best = null;
  let newest = -1;
  for (const where of tries) {
    try {
      const lib = require(where);
      const [major, minor, patch] = String(require(path.join(where, 'package.json')).version).split('.').map(Number);
      const key = (major * 1000 + (minor || 0)) * 1000 + (patch || 0);
      if (key > newest) { best = lib; newest = key; }
    } catch (_) { /* next */ }
  }
  return best;
}

const docs = new Map();

// the registry's abbreviated document of a package (cached), or null
async function packument(registry, name) {
  if (!docs.has(name)) {
    docs.set(name, (async () => {
      const res = await fetched(registry + name.replace('/', '%2f'),
        { headers: { accept: 'application/vnd.npm.install-v1+json' } });
      return res.ok ? res.json() : null;
    })().catch(() => null));
  }
  return docs.get(name);
}

// {within: the releases in range, newest first; best: the newest of them packed by `end` (when
// `end` is given and can be told) that runs on `node`; versions}, or null for a spec not a range
async function choose(ctx, name, spec, end) {
  const range = spec === '' || spec === 'latest' ? '*' : String(spec);
  const tag = ctx.semver.validRange(range) === null && /^[A-Za-z][\w.-]*$/.test(range);
  if (ctx.semver.validRange(range) === null && !tag) return null; // a git host, a file
  const doc = await packument(ctx.registry, name);
  if (!doc) return null;
  const versions = doc.versions || {};
  const tags = doc['dist-tags'] || {};
  if (tag) { // a tag the registry does not list (`next`): its latest release
    const latest = range in tags || !(tags.latest in versions) ? null : tags.latest;
    return { within: [], versions, given: latest && { version: latest, why: `the registry has no such tag; ${latest}, its latest` } };
  }
  const runs = (v) => {
    const wants = (versions[v].engines || {}).node;
    try { return typeof wants !== 'string' || ctx.semver.satisfies(ctx.node, wants); } catch (_) { return true; }
  };
  // a version semver cannot read (`1.0.2beta`) is none: an older semver (the era's npm's) throws on it
  const within = Object.keys(versions).filter((v) => !v.includes('-') && ctx.semver.valid(v) && ctx.semver.satisfies(v, range))
    .sort(ctx.semver.rcompare);
  const dated = within.length ? await packedBy(within, versions, end) : null;
  const pool = dated && dated.length ? dated : within;
  const gone = !within.length && !Object.keys(versions).some((v) => safely(() => ctx.semver.satisfies(v, range)));
  const above = gone ? nearestAbove(ctx, versions, range) : null;
  return { within, best: pool.find(runs), versions, dated: Boolean(dated && dated.length),
    given: above && { version: above, why: `no release on the registry meets it; ${above}, the nearest above` } };
}

function safely(test) {
  try { return Boolean(test()); } catch (_) { return false; }
}

// for a range no release on the registry meets (one it no longer lists: an exact `1.1.0`, a
// `~7001.1.0-dev`), the lowest release above it; a prerelease only where no release is above
function nearestAbove(ctx, versions, range) {
  const up = Object.keys(versions).filter((v) => ctx.semver.valid(v) && safely(() => ctx.semver.gtr(v, range)))
    .sort(ctx.semver.compare);
  return up.find((v) => !v.includes('-')) || up[0] || null;
}

// says what was given for a range no release meets or a tag the registry lacks, on stderr and
// in the build's notes
function gave(name, spec, given, whose) {
  const line = `rfsn: ${name}@${spec}${whose}: ${given.why}`;
  console.error(line);
  if (process.env.RFSN_NOTES) fs.appendFileSync(process.env.RFSN_NOTES, line + '\n');
}

// a git host's spec (`github:u/r#ref`, `git+https://...`, `u/r`, a `.../tarball/ref`, a codeload URL):
// {ref, pinned: a commit, tag: the version a semver tag names, range: a `semver:` range}, else null
const GIT_HOSTED = /^(git\+[a-z]+:|git:|github:|gitlab:|bitbucket:|gist:)|^[\w.-]+\/[\w.-]+(#.*)?$|^https?:\/\/(www\.|codeload\.)?(github\.com|gitlab\.com|bitbucket\.org)\/|^https?:\/\/\S+(\.git(#.*)?|\/(tarball|archive)\/[^/]+)$/;
function gitRef(spec) {
  const text = String(spec);
  if (!GIT_HOSTED.test(text) || /^(file|link|npm|workspace|portal):/.test(text)) return null;
  const hash = text.indexOf('#');
  const tail = text.match(/\/(?:tarball|archive|tar\.gz|zip)\/([^/#]+?)(?:\.tar\.gz|\.tgz|\.zip)?$/);
  const ref = hash >= 0 ? text.slice(hash + 1) : tail ? tail[1] : '';
  const range = ref.startsWith('semver:') ? ref.slice('semver:'.length) : null;
  const tag = /^v?\d+\.\d+\.\d+(-[\w.]+)?$/.test(ref) ? ref.replace(/^v/, '') : null;
  return { ref, range, tag, pinned: /^[0-9a-f]{7,40}$/i.test(ref) };
}

// for a git host's spec, the registry's release of that name: the version its semver tag names
// where the registry has it, the newest its `semver:` range takes, else the release of the day
// (packed by the day where that can be told, else any release for npm's --before: `>=0.0.0`, as
// npm reads an override of `*` as none). A branch names the host's head today, not the day's: it
// is given even while the host answers (`ctx.unreachable` unset, the pins); a commit or a tag only
// once a fetch from the host has failed (`ctx.unreachable`). Null where the registry has no release.
async function fromRegistry(ctx, name, spec, end) {
  const git = gitRef(spec);
  if (!git || (!ctx.unreachable && (git.pinned || git.tag || git.range))) return null;
  const lost = ctx.unreachable ? 'a git host the build could not fetch from' : "a git host's branch, not the day's";
  const doc = await packument(ctx.registry, name);
  if (git.tag && doc && (doc.versions || {})[git.tag]) {
    return { within: [git.tag], versions: doc.versions, given: { version: git.tag, why: `${lost}; the registry's release of its tag (${git.tag})` } };
  }
  const pick = await choose(ctx, name, git.range || '*', end);
  if (!pick || !pick.within.length) return null;
  const version = pick.best && (pick.dated || git.range) ? pick.best : git.range || '>=0.0.0';
  const of = git.range ? `the newest its range ${git.range} takes` : `the registry's release of the day`;
  return { ...pick, given: { version, why: `${lost}; ${of} (${version})` } };
}

// the dependencies below the direct ones whose newest release in range does not run on the Node
// or was not packed by `end`: name -> the newest that does, for npm's `overrides` (one release a
// name; each range met is read, breadth-first, at most `limit` of them): below a range open above
// (`*`, `>=`) the first one met; else the newest pick every range met of that name takes, or an
// engines-only pick; where the name's ranges take no one release (`^2` and `^3`), each dated pick
// as `name@range` (npm does not always hold those: a name's one release where one fits)
async function transitive(ctx, roots, direct, end, limit) {
  const overrides = {};
  const seen = new Set();
  const met = new Map(); // name -> {ranges, picks} of the closed ranges
  let level = roots;
  while (level.length && seen.size < limit) {
    const next = [];
    const open = (spec) => { try { return ctx.semver.satisfies('999999.0.0', spec || '*'); } catch (_) { return false; } };
    const picks = await Promise.all(level.map(async ([name, spec]) => (await choose(ctx, name, spec, end))
      || fromRegistry(ctx, name, String(spec), end)));
    level.forEach(([name, spec, parent], i) => {
      const pick = picks[i];
      const git = Boolean(gitRef(spec)) && !direct.has(name) && !ctx.held.has(name); // held: overridden before
      if (git && ctx.unreachable && !(pick && pick.given && ctx.overrides)) {
        const why = pick && pick.given ? 'the npm in use predates overrides' : 'the registry has no release of it';
        ctx.unfetched.push(`${name} (${spec}, a dependency of ${parent}: ${why})`);
      } else if (pick && pick.given && !direct.has(name) && !(name in overrides) && !ctx.held.has(name)
        && (git || !ctx.unreachable)) {
        overrides[name] = pick.given.version;
        gave(name, spec, pick.given, " (a dependency's, overrides)");
      }
      if (!pick || !(pick.within.length || pick.given)) return;
      const version = pick.best || pick.within[0] || pick.given.version;
      if (!pick.versions[version]) return;
      const moved = !ctx.unreachable && pick.best && pick.best !== pick.within[0] && !direct.has(name);
      if (moved && open(spec) && !(name in overrides)) {
        overrides[name] = pick.best;
        said(ctx, name, spec, pick);
      } else if (!open(spec)) {
        const seenName = met.get(name) || { ranges: [], picks: [] };
        seenName.ranges.push(spec);
        if (moved) seenName.picks.push({ spec, pick });
        met.set(name, seenName);
      }
      for (const [dep, range] of Object.entries(pick.versions[version].dependencies || {})) {
        // each range of a name is read: npm installs a release for each (a git host's branch stops it)
        const key = `${dep}@${range}`;
        if (!seen.has(key)) { seen.add(key); next.push([dep, range, name]); }
      }
    });
    level = next;
  }
  for (const [name, { ranges, picks }] of met) {
    if (name in overrides || !picks.length) continue;
    const takes = (v) => ranges.every((r) => safely(() => ctx.semver.satisfies(v, r)));
    const chosen = picks.filter(({ pick }) => takes(pick.best)).sort((a, b) => ctx.semver.rcompare(a.pick.best, b.pick.best))[0]
      || picks.find(({ pick }) => !pick.dated);
    for (const { spec, pick } of chosen ? [chosen] : picks) {
      overrides[chosen ? name : `${name}@${spec}`] = pick.best;
      said(ctx, name, spec, pick);
    }
  }
  return overrides;
}

function said(ctx, name, spec, pick) {
  const by = pick.dated ? 'packed by the day and ' : '';
  console.error(`rfsn: ${name}@${spec} (a dependency's) -> ${pick.best} (overrides), the newest ${by}whose engines.node takes Node ${ctx.node}`);
}

// a direct dependency fetched from a git host, once a fetch from it has failed: the registry's
// release (`fromRegistry`) written in its place, or named as one the registry has none of
async function directFromRegistry(ctx, pkg, key, name, end, roots) {
  const spec = pkg[key][name];
  const sub = await fromRegistry(ctx, name, spec, end);
  if (!sub) {
    ctx.unfetched.push(`${name} (${spec}: the registry has no release of it)`);
    return false;
  }
  pkg[key][name] = sub.given.version;
  roots.push([name, sub.given.version, 'package.json']);
  gave(name, spec, sub.given, '');
  return true;
}

// pins a direct dependency of a registry range (`choose`) where its newest does not run on the Node
async function pinned(ctx, pkg, key, name, end, roots) {
  const spec = pkg[key][name];
  const pick = await choose(ctx, name, spec, end);
  let changed = false;
  if (pick && pick.given && !ctx.unreachable) {
    [pkg[key][name], changed] = [pick.given.version, true];
    roots.push([name, pick.given.version, 'package.json']);
    gave(name, spec, pick.given, '');
  }
  if (!pick || !pick.within.length) return changed;
  roots.push([name, pick.best || pick.within[0], 'package.json']);
  if (pick.best === pick.within[0] || ctx.unreachable) return changed;
  if (!pick.best) {
    console.error(`rfsn: ${name}@${spec}: no release in range says it runs on Node ${ctx.node}`);
    return changed;
  }
  pkg[key][name] = pick.best;
  const by = pick.dated ? `packed by ${ctx.day} and ` : '';
  console.error(`rfsn: ${name}@${spec} -> ${pick.best}, the newest ${by}whose engines.node takes Node ${ctx.node}`);
  return true;
}

// argv: the Node, the day (YYYY-MM-DD, optional). With RFSN_GIT_UNREACHABLE=1 (a fetch from a git
// host failed) only the git-hosted dependencies change: each from the registry, a dependency's
// through `overrides` unless RFSN_OVERRIDES=0 (an npm before 8.3); those that cannot are appended
// to the file RFSN_UNFETCHED names; exit 1 where nothing changed
async function main() {
  const [node, day] = process.argv.slice(2);
  const end = day ? Date.parse(`${day}T00:00:00Z`) : NaN;
  const registry = (process.env.npm_config_registry || 'https://registry.npmjs.org/').replace(/\/?$/, '/');
  const semver = semverLib();
  if (!semver) return console.error('rfsn: no semver at hand: the dependencies as npm picks them');
  const unreachable = process.env.RFSN_GIT_UNREACHABLE === '1';
  const ctx = { node, day, registry, semver, unreachable, overrides: process.env.RFSN_OVERRIDES !== '0', unfetched: [] };
  const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
  ctx.held = new Set(Object.keys(pkg.overrides || {}));
  let changed = false;
  const direct = new Set();
  const roots = [];
  for (const key of ['dependencies', 'devDependencies', 'optionalDependencies']) {
    for (const name of Object.keys(pkg[key] || {})) {
      direct.add(name);
      const git = unreachable && gitRef(pkg[key][name]);
      changed = (await (git ? directFromRegistry : pinned)(ctx, pkg, key, name, end, roots)) || changed;
    }
  }
  const overrides = await transitive(ctx, roots, direct, end, 400);
  if (Object.keys(overrides).length) {
    pkg.overrides = { ...overrides, ...(pkg.overrides || {}) };
    changed = true;
  }
  if (changed) fs.writeFileSync('package.json', JSON.stringify(pkg, null, 2) + '\n');
  if (ctx.unfetched.length && process.env.RFSN_UNFETCHED) fs.appendFileSync(process.env.RFSN_UNFETCHED, ctx.unfetched.join('\n') + '\n');
  if (unreachable && !changed) process.exitCode = 1;
}

module.exports = { gitRef };
if (require.main === module) main().catch((e) => console.error(`rfsn: engine pins skipped: ${e.message}`));
