// rfsn's mocha reporter: one JSON line per finished test (or failed hook) appended to the file
// named by RFSN_MOCHA_REPORT, in the shape of mocha's own JSON reporter's cases plus the event.
// It uses only the runner's events, the same in mocha 1.x to 10.x, and ES5 syntax, so that any
// mocha on any Node writes the same report; lines are written as tests end, so a run that dies
// midway still names the tests it finished. It prints a summary and each failure on stdout.
'use strict';
var fs = require('fs');

function fileOf(runnable) {
  for (var node = runnable; node; node = node.parent) {
    if (node.file) return String(node.file);
  }
  return '';
}

function fullTitle(runnable) {
  return typeof runnable.fullTitle === 'function' ? runnable.fullTitle() : String(runnable.title || '');
}

function RfsnMochaReporter(runner) {
  var out = process.env.RFSN_MOCHA_REPORT;
  var counts = { pass: 0, fail: 0, pending: 0 };
  if (out) fs.writeFileSync(out, '');
  function record(event, runnable, err) {
    counts[event] += 1;
    var line = { event: event, title: String(runnable.title || ''), fullTitle: fullTitle(runnable),
      file: fileOf(runnable), duration: runnable.duration || 0 };
    if (err) {
      line.err = { name: String(err.name || 'Error'), message: String(err.message || err),
        stack: String(err.stack || err.message || err) };
      process.stdout.write('  failed: ' + line.fullTitle + '\n    ' + line.err.message.split('\n')[0] + '\n');
    }
    if (out) fs.appendFileSync(out, JSON.stringify(line) + '\n');
  }
  runner.on('pass', function (test) { record('pass', test); });
  runner.on('fail', function (test, err) { record('fail', test, err || {}); });
  runner.on('pending', function (test) { record('pending', test); });
  runner.on('end', function () {
    process.stdout.write(counts.pass + ' passing, ' + counts.fail + ' failing, ' +
      counts.pending + ' pending\n');
  });
}

module.exports = RfsnMochaReporter;
