'use strict';
// Per-test coverage for `node --test` (node 18.19+), mocha and jest; the design is in
// rfsn/buildpacks/node/jscoverage.py, which reads what this writes.
//
//   node v8runs.cjs REPORT_DIR BUDGET_SECONDS REPORTER_URL [mocha|jest BIN [JEST_OPTION...]]
//
// From the events of the suite's run (REPORT_DIR/node-tests.jsonl, or the JSON report
// of mocha or jest, REPORT_DIR/mocha.json or jest.json: each test's file and full name;
// jest's runs measure with jest's own coverage, whose JSON the line carries) it runs each
// test file once, then, when the estimate fits the budget, each outermost test
// alone (--test-name-pattern), each run in one process with NODE_V8_COVERAGE set. mocha's
// tests are measured each in a run of their file (v8hooks.cjs), and jest's in one run of
// the failing tests' files and one of the others (jesthooks.cjs), where that works.
// Per run it appends a line to REPORT_DIR/v8-runs.jsonl: the run's test events
// and the V8 result of the workspace's scripts (not node_modules), after a line
// with the text of each script it names for the first time. With RFSN_SECONDS_LEFT set it
// starts no run past that many seconds and ends the one running then: what it measured stands.
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');

const [reportDir, budget, reporter, runner = 'node', runnerBin, ...runnerOptions] = process.argv.slice(2);
const root = pathToFileURL(process.cwd()).href + '/';
const out = fs.openSync(path.join(reportDir, 'v8-runs.jsonl'), 'w');
const written = new Set();
const left = Number(process.env.RFSN_SECONDS_LEFT);
// a second of its own to write what it measured
const deadline = Number.isFinite(left) && left > 0 ? Date.now() + (left - 1) * 1000 : Infinity;

function readEvents(file) {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { return []; }
  const events = [];
  for (const line of text.split('\n')) {
    try { events.push(JSON.parse(line)); } catch { /* a partial or foreign line */ }
  }
  return events.filter((e) => e && typeof e.file === 'string' && e.skip !== 'test name does not match pattern');
}

// [file, name] selecting each test that ran, in the order of the file: node runs a test
// when its own name or an ancestor's matches --test-name-pattern (suites run their
// bodies regardless), and a subtest only with its parent test, so the names of the
// tests whose ancestors are all suites. node reports a test after its children, one
// level deeper: read backwards, each test comes right after its ancestors.
function testRuns(events) {
  const found = [];
  const stacks = new Map();
  for (const e of [...events].reverse()) {
    const stack = stacks.get(e.file) ?? [];
    stack.length = e.nesting;
    const outermost = stack.every((kind) => kind === 'suite');
    stack.push(e.kind ?? 'test');
    stacks.set(e.file, stack);
    if (e.kind !== 'suite' && !e.skip && outermost && !(e.nesting === 0 && e.name === e.file)) {
      found.push(JSON.stringify([e.file, e.name]));
    }
  }
  return [...new Set(found.reverse())].map((key) => JSON.parse(key));
}

// the workspace's scripts of a V8 result, each script's text written the first time it is named
function keep(result) {
  const kept = [];
  for (const script of result ?? []) {
    if (!script.url.startsWith(root) || script.url.includes('/node_modules/')) continue;
    if (!written.has(script.url)) {
      written.add(script.url);
      let source = null;
      try { source = fs.readFileSync(new URL(script.url), 'utf8'); } catch { /* gone since */ }
      fs.writeSync(out, JSON.stringify({ url: script.url, source }) + '\n');
    }
    kept.push({ url: script.url, functions: script.functions });
  }
  return kept;
}

function keepScripts(dir) {
  return (fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []).filter((name) => name.endsWith('.json'))
    .flatMap((name) => keep(JSON.parse(fs.readFileSync(path.join(dir, name), 'utf8')).result));
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

// mocha's JSON report -> the same events as node's reporter gives: one per test, at the top
// level (mocha's --grep matches the full title, parents and all)
// (or the JSON lines of rfsn's mocha reporter, mochareport.cjs: the same cases, each with its event)
function mochaEvents(file) {
  let text = '';
  try { text = fs.readFileSync(file, 'utf8'); } catch { return []; }
  let data = null;
  try { data = JSON.parse(text.slice(text.indexOf('{'))); } catch { data = null; }
  const tagged = (key, event) => (data?.[key] ?? []).map((t) => ({ ...t, event }));
  const found = data && !data.event ? [...tagged('passes', 'pass'), ...tagged('failures', 'fail')]
    : text.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
  return found.filter((t) => typeof t.file === 'string' && (t.event === 'pass' || t.event === 'fail'))
    .map((t) => ({ file: t.file, name: t.fullTitle ?? t.title, nesting: 0, kind: 'test', event: t.event }));
}

function jestEvents(file) {
  let data = null;
  try { data = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { return []; }
  return (data.testResults ?? []).flatMap((suite) => (suite.assertionResults ?? [])
    .filter((t) => t.status === 'passed' || t.status === 'failed')
    .map((t) => ({ file: suite.name, name: [...(t.ancestorTitles ?? []), t.title].join(' '),
      nesting: 0, kind: 'test', event: t.status === 'failed' ? 'fail' : 'pass',
      result: { ancestorTitles: t.ancestorTitles ?? [], title: t.title, status: t.status } })));
}

function runArgs(file, name, eventsFile, dir) {
  const pattern = (flag) => (name === null ? [] : [flag, `^${escape(name)}$`]);
  if (runner === 'mocha') {
    return [runnerBin, '--reporter', 'json', '--reporter-option', `output=${eventsFile}`,
      ...pattern('--grep'), file];
  }
  if (runner === 'jest') {
    return [runnerBin, ...runnerOptions, '--ci', '--json', `--outputFile=${eventsFile}`, '--coverage',
      '--coverageReporters=json', `--coverageDirectory=${dir}`, '--runTestsByPath', file, ...pattern('-t')];
  }
  return [`--test-reporter=${reporter}`, `--test-reporter-destination=${eventsFile}`,
    ...(name === null ? [] : [`--test-name-pattern=^${escape(name)}$`]), file];
}

// the prefix that ends a run at the deadline; coreutils' timeout kills its whole process group
// (node --test runs each file in a child)
function killedAtDeadline() {
  return deadline === Infinity ? [] : ['timeout', '-s', 'KILL', `${Math.max(1, deadline - Date.now()) / 1000}`];
}

function run(file, name, index) {
  const started = Date.now();
  if (started >= deadline) return 0;
  const dir = path.join(reportDir, `v8-${index}`);
  const eventsFile = `${dir}.jsonl`;
  // jest compiles other text than the file's: its own coverage, not V8's, says what ran
  const env = runner === 'jest' ? process.env : { ...process.env, NODE_V8_COVERAGE: dir };
  const [command, ...args] = [...killedAtDeadline(), process.execPath, ...runArgs(file, name, eventsFile, dir)];
  spawnSync(command, args, { env, stdio: 'ignore' });
  let events = '';
  try { events = fs.readFileSync(eventsFile, 'utf8'); } catch { /* the run reported nothing */ }
  let istanbul = null;
  if (runner === 'jest') {
    try { istanbul = fs.readFileSync(path.join(dir, 'coverage-final.json'), 'utf8'); } catch { /* none */ }
  }
  const scripts = runner === 'jest' ? [] : keepScripts(dir);
  fs.writeSync(out, JSON.stringify({ file, name, events, runner, istanbul, scripts }) + '\n');
  fs.rmSync(dir, { recursive: true, force: true });
  fs.rmSync(eventsFile, { force: true });
  return (Date.now() - started) / 1000;
}

// mocha: every test of a file measured in one process (v8hooks.cjs, loaded first), a run per
// test written from what it measured; whether it measured any (an old or parallel mocha: none)
function runHooked(file, index) {
  if (Date.now() >= deadline) return false;
  const testsFile = path.join(reportDir, `v8-${index}.tests.jsonl`);
  const eventsFile = path.join(reportDir, `v8-${index}.jsonl`);
  const [command, ...args] = [...killedAtDeadline(), process.execPath, runnerBin, '--reporter', 'json',
    '--reporter-option', `output=${eventsFile}`, '--file', path.join(reportDir, 'v8hooks.cjs'), file];
  spawnSync(command, args, { env: { ...process.env, RFSN_V8_TESTS: testsFile }, stdio: 'ignore' });
  let lines = [];
  try { lines = fs.readFileSync(testsFile, 'utf8').split('\n'); } catch { /* it measured nothing */ }
  let measured = false;
  for (const line of lines) {
    let test = null;
    try { test = JSON.parse(line); } catch { continue; } // a line cut short by the deadline's kill
    const key = test.state === 'failed' ? 'failures' : test.state === 'passed' ? 'passes' : null;
    if (!key) continue;
    const events = JSON.stringify({ [key]: [{ title: test.title, fullTitle: test.fullTitle, file: test.file }] });
    const scripts = test.takes.flatMap(keep);
    fs.writeSync(out, JSON.stringify({ file, name: test.fullTitle, events, runner, scripts }) + '\n');
    measured = true;
  }
  fs.rmSync(testsFile, { force: true });
  fs.rmSync(eventsFile, { force: true });
  return measured;
}

// jest's setup files after the environment, as the project resolves them (null: several
// projects, a jest before 24, which has no such setting, or jest could not say): the hooks go after them
function jestSetupFiles() {
  const shown = spawnSync(process.execPath, [runnerBin, ...runnerOptions, '--showConfig'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 << 20, timeout: 60000 });
  try {
    const configs = JSON.parse(shown.stdout.slice(shown.stdout.indexOf('{'))).configs ?? [];
    const files = configs.length === 1 ? configs[0].setupFilesAfterEnv : null;
    return Array.isArray(files) ? files : null;
  } catch { return null; }
}

// jest: every test of `files` measured in one run (jesthooks.cjs, after the project's setup
// files), a run per test written with its result in the suite's report; the files measured
function runJestHooked(files, setupFiles, results, index) {
  if (!files.length || Date.now() >= deadline) return [];
  const prefix = `v8-${index}.tests`;
  const [command, ...args] = [...killedAtDeadline(), process.execPath, runnerBin, ...runnerOptions, '--ci',
    '--coverage', '--coverageProvider=babel', '--coverageReporters=none',
    `--coverageDirectory=${path.join(reportDir, `${prefix}.coverage`)}`,
    '--setupFilesAfterEnv', ...setupFiles, path.join(reportDir, 'jesthooks.cjs'), '--runTestsByPath', ...files];
  spawnSync(command, args, { env: { ...process.env, RFSN_JEST_TESTS: path.join(reportDir, prefix) }, stdio: 'ignore' });
  const measured = new Set();
  for (const name of fs.readdirSync(reportDir).filter((n) => n.startsWith(`${prefix}.`)).sort()) {
    const where = path.join(reportDir, name);
    const lines = fs.statSync(where).isFile() ? fs.readFileSync(where, 'utf8').split('\n') : [];
    for (const line of lines) {
      let test = null;
      try { test = JSON.parse(line); } catch { continue; } // a line cut short by the deadline's kill
      const result = results.get(`${test.file}\0${test.name}`);
      if (!result) continue;
      const events = JSON.stringify({ testResults: [{ name: test.file, assertionResults: [result] }] });
      fs.writeSync(out, JSON.stringify({ file: test.file, name: test.name, events, runner, scripts: [],
        lines: test.lines }) + '\n');
      measured.add(test.file);
    }
    fs.rmSync(where, { recursive: true, force: true });
  }
  return [...measured];
}

const readers = { mocha: () => mochaEvents(path.join(reportDir, 'mocha-events.jsonl')),
  jest: () => jestEvents(path.join(reportDir, 'jest.json')),
  node: () => readEvents(path.join(reportDir, 'node-tests.jsonl')) };
const events = (readers[runner] ?? readers.node)();
const failing = new Set(events.filter((e) => e.event === 'fail').map((e) => e.file));
const files = [...new Set(events.map((e) => e.file))].sort((a, b) => failing.has(b) - failing.has(a));
let index = 0;
let hooked = new Set();
const setupFiles = runner === 'jest' ? jestSetupFiles() : null;
if (setupFiles) {
  const results = new Map(events.map((e) => [`${e.file}\0${e.name}`, e.result]));
  for (const part of [files.filter((f) => failing.has(f)), files.filter((f) => !failing.has(f))]) {
    for (const file of runJestHooked(part, setupFiles, results, index++)) hooked.add(file);
  }
}
const unmeasured = files.filter((file) => !hooked.has(file));
const seconds = unmeasured.map((file) => run(file, null, index++));
if (runner === 'mocha') hooked = new Set(files.filter((file) => runHooked(file, index++)));
const perTest = testRuns(events).filter(([file]) => !hooked.has(file))
  .sort(([a], [b]) => files.indexOf(a) - files.indexOf(b));
const estimate = perTest.length * seconds.reduce((a, b) => a + b, 0) / Math.max(unmeasured.length, 1);
if (estimate <= Number(budget) && Date.now() < deadline) for (const [file, name] of perTest) run(file, name, index++);
fs.closeSync(out);
