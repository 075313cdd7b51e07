'use strict';
// One pre-started `node` that runs one test file in-process, then exits; the design
// is in rfsn/buildpacks/node/warm/node_client.py. Started by node_server.cjs as
//
//   node --expose-internals node_worker.cjs     (fd 3: a socket to the server)
//
// It boots node, reads node:test's command-line options object before node:test
// itself loads, says "ready" on fd 3 and waits there for one JSON line
// {"file", "patterns", "reporters", "destinations"}. Then it sets those options
// (what `node --test-name-pattern=... --test-reporter=... FILE` would have set),
// closes fd 3 and runs FILE as node runs a main script: the harness, the reporters
// and the exit status are the ones `node --test` gives each file's child.
// node:test reads its options once, when internal/test_runner/test loads (node
// 18.19-20): if it has loaded already, or the options are not of the expected
// shape, the worker exits with status 3 before saying "ready".
const net = require('node:net');
const path = require('node:path');

const NOT_SUPPORTED = 3;
let utils = null;
try {
  utils = require('internal/test_runner/utils');
} catch { /* no --expose-internals, or another layout */ }
const options = typeof utils?.parseCommandLine === 'function' ? utils.parseCommandLine() : null;
const loaded = (process.moduleLoadList ?? []).includes('NativeModule internal/test_runner/test');
if (loaded || !options || !('testNamePatterns' in options) || options.isTestRunner
    || !Array.isArray(options.reporters) || !Array.isArray(options.destinations)
    || typeof utils.convertStringToRegExp !== 'function') {
  process.exit(NOT_SUPPORTED);
}
const toRegExp = (pattern) => utils.convertStringToRegExp(pattern, '--test-name-pattern');

function start(request) {
  const file = path.resolve(request.file);
  options.testNamePatterns = request.patterns.length ? request.patterns.map(toRegExp) : null;
  options.reporters = request.reporters;
  options.destinations = request.destinations;
  process.argv[1] = file;
  require('node:module').runMain(file);
}

const control = new net.Socket({ fd: 3, readable: true, writable: true });
let buffered = '';
control.setEncoding('utf8');
control.on('data', (chunk) => {
  buffered += chunk;
  const end = buffered.indexOf('\n');
  if (end < 0) return;
  control.removeAllListeners('end');
  control.destroy(); // nothing else holds the event loop: the run ends when the tests do
  start(JSON.parse(buffered.slice(0, end)));
});
control.on('end', () => process.exit(0)); // the server is gone before asking anything
control.on('error', () => process.exit(0));
control.write('ready\n');
