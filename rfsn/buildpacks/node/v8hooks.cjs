'use strict';
// Per-test V8 coverage of mocha's tests in one process: loaded first (mocha --file), it takes
// V8's precise coverage (which resets its counters) before and after each test through the
// inspector, and appends per test a line to the file RFSN_V8_TESTS names: the test's file,
// titles and state, and the takes of the workspace's scripts that count for it: its own, and
// each earlier one outside any test (the files' loading, suites' `before` hooks), which a
// run of the test alone would run too. v8runs.cjs turns the lines into runs.
const fs = require('node:fs');
const inspector = require('node:inspector');
const { pathToFileURL } = require('node:url');

const root = pathToFileURL(process.cwd()).href + '/';
const out = process.env.RFSN_V8_TESTS;
const session = new inspector.Session();
session.connect();

function post(method, params) {
  let answer = null;
  session.post(method, params ?? {}, (error, result) => { if (!error) answer = result; });
  return answer; // a session on the main thread answers before post returns
}

// the workspace's scripts a take ran code of (every function of those: a function that did
// not run is what keeps its lines out of the range around it)
function take() {
  const result = post('Profiler.takePreciseCoverage')?.result ?? [];
  return result.filter((s) => s.url.startsWith(root) && !s.url.includes('/node_modules/') &&
    s.functions.some((f) => f.ranges.some((r) => r.count > 0)))
    .map((s) => ({ url: s.url, functions: s.functions }));
}

post('Profiler.enable');
post('Profiler.startPreciseCoverage', { callCount: true, detailed: true });
const shared = [];

beforeEach(function () {
  const between = take();
  if (between.length) shared.push(between);
});

afterEach(function () {
  const test = this.currentTest;
  fs.appendFileSync(out, JSON.stringify({
    file: test.file, title: test.title, fullTitle: test.fullTitle(), state: test.state,
    takes: [...shared, take()],
  }) + '\n');
});
