'use strict';
// Per-test coverage of jest's tests in one run: a setup file after the project's own (the driver
// passes them all), it reads the statement counters jest's --coverage keeps (istanbul's, the
// global __coverage__) before and after each test and appends per test a line to
// RFSN_JEST_TESTS.<worker>: the test's file and full name and the lines whose statements ran in
// it, or outside any test before it (the file's loading, `beforeAll` hooks), which a run of the
// test alone would run too. v8runs.cjs turns the lines into runs.
const fs = require('node:fs');

const out = `${process.env.RFSN_JEST_TESTS}.${process.env.JEST_WORKER_ID ?? '1'}`;

function counts() {
  return Object.fromEntries(Object.entries(globalThis.__coverage__ ?? {}).map(([file, c]) => [file, { ...c.s }]));
}

// into `lines` ({file: Set of lines}): the first line of each statement whose count grew
function grown(from, to, lines) {
  const coverage = globalThis.__coverage__ ?? {};
  for (const [file, now] of Object.entries(to)) {
    const was = from[file] ?? {};
    const spans = coverage[file]?.statementMap ?? {};
    for (const [key, count] of Object.entries(now)) {
      if (count > (was[key] ?? 0) && spans[key]) {
        if (!lines[file]) lines[file] = new Set();
        lines[file].add(spans[key].start.line);
      }
    }
  }
  return lines;
}

function union(into, from) {
  for (const [file, lines] of Object.entries(from)) into[file] = new Set([...(into[file] ?? []), ...lines]);
  return into;
}

const shared = {};
let last = {};
let before = {};

beforeEach(() => {
  before = counts();
  grown(last, before, shared);
});

afterEach(() => {
  last = counts();
  const own = union(grown(before, last, {}), shared);
  const state = expect.getState();
  const covered = Object.fromEntries(Object.entries(own).map(([file, lines]) => [file, [...lines].sort((a, b) => a - b)]));
  fs.appendFileSync(out, JSON.stringify({ file: state.testPath, name: state.currentTestName, lines: covered }) + '\n');
});
