'use strict';
// The warm runner for `node --test`, run INSIDE the sandbox (node 18.19+, no dependencies);
// the design is in rfsn/buildpacks/node/warm/node_client.py.
//
//   node node_server.cjs SOCKET WORKDIR       start; exits 0 once SOCKET listens, else 1
//
// The server keeps POOL workers (node_worker.cjs) started and waiting (the ones a run took
// are replaced when it ends, or at once when the run needs them). Each request is one
// JSON line {"args", "patterns", "reporters", "destinations", "events", "output",
// "timeout", "max_failures"} and is run as `node --test` runs it: each test file in a
// process of its own (a worker), one file after the other, the reporters'
// output of each appended to the destinations, stdout and stderr to OUTPUT. Like node's
// orchestrator it reports a file whose process failed without a failing test (or ran no
// test) as a test named by the file. It stops after the file in which the
// max_failures-th test failed, and at the timeout it kills the worker's process group.
// The reply is one JSON line {"exit_code", "timed_out", "duration"}, or {"cold": true}
// when node could not say which files the run names (the caller runs it cold).
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

// workers kept started: the files of two runs of two files each, so that back-to-back runs
// (screening) find them ready while the replacements start
const POOL = 4;
const WORKER = path.join(__dirname, 'node_worker.cjs');
const FILES = path.join(__dirname, 'node_files.cjs');
// ms between checks that the socket still exists (a local sandbox's server is a daemon: it
// exits once the session removed its scratch directory)
const ORPHAN_CHECK = 2000;
// workers that may fail to start in a row before the server gives up
const MAX_START_FAILURES = 3;
// ms the first worker may take to start
const START_TIMEOUT = 60000;

function launch(socketPath, workdir) {
  const log = `${socketPath}.log`;
  const fd = fs.openSync(log, 'w');
  const child = spawn(process.execPath, [__filename, '--serve', socketPath, workdir],
    { cwd: workdir, detached: true, stdio: ['ignore', fd, fd] });
  child.on('exit', (code) => {
    process.stderr.write(`${fs.readFileSync(log, 'utf8')}rfsn: the warm node server ended (${code})\n`);
    process.exit(1);
  });
  const poll = setInterval(() => {
    if (fs.existsSync(socketPath)) {
      clearInterval(poll);
      child.unref();
      process.exit(0);
    }
  }, 10);
}

class Pool {
  constructor(workdir) {
    this.workdir = workdir;
    this.workers = [];
    this.failures = 0;
    this.running = null; // the worker running a file
    for (let i = 0; i < POOL; i += 1) this.workers.push(this.spawn());
  }

  spawn() {
    const child = spawn(process.execPath, ['--expose-internals', WORKER],
      { cwd: this.workdir, detached: true, stdio: ['ignore', 'pipe', 'pipe', 'pipe'] });
    const worker = { child, control: child.stdio[3] };
    worker.closed = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    worker.ready = new Promise((resolve) => {
      worker.control.once('data', () => resolve(true));
      child.once('exit', () => resolve(false));
    });
    worker.control.on('error', () => {});
    return worker;
  }

  // The oldest worker once it is ready (null: none could start). A replacement starts at
  // once only when the run needs more workers than are waiting (``later``: the files after
  // this one); otherwise when the run has ended (fill), so that no start-up competes with a run.
  async take(later) {
    while (this.failures < MAX_START_FAILURES) {
      if (this.workers.length === 0) this.workers.push(this.spawn());
      const worker = this.workers.shift();
      if (this.workers.length < later) this.workers.push(this.spawn());
      const alive = await worker.ready;
      if (alive && worker.child.exitCode === null && worker.child.signalCode === null) {
        this.failures = 0;
        return worker;
      }
      this.failures += alive ? 0 : 1; // one that was ready and died since (killed) is just replaced
    }
    return null;
  }

  fill() {
    while (this.workers.length < POOL) this.workers.push(this.spawn());
  }

  discardWaiting() {
    for (const { child } of this.workers) kill(child);
    this.workers = [];
  }

  kill() {
    for (const { child } of [...this.workers, ...(this.running ? [this.running] : [])]) kill(child);
  }
}

function kill(child) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch { /* gone already */ }
}

const lists = new Map();

// The test files `node --test ARGS` would run: ARGS themselves when all are files, else as
// node finds them (its rules differ between versions), asked once per ARGS (null: node
// could not say, e.g. a path that does not exist; such a run is left to the cold path).
function testFiles(args, workdir) {
  const resolved = args.map((arg) => path.resolve(workdir, arg));
  if (args.length && resolved.every((file) => fs.statSync(file, { throwIfNoEntry: false })?.isFile())) {
    return [...new Set(resolved)].sort();
  }
  const key = JSON.stringify(args);
  if (!lists.has(key)) {
    const list = path.join(path.dirname(FILES), `files-${lists.size}.txt`);
    fs.writeFileSync(list, '');
    const listed = spawnSync(process.execPath, ['--test', '--test-reporter=tap', '--test-reporter-destination=stderr', ...args], {
      cwd: workdir, stdio: 'ignore', timeout: 120000,
      env: { ...process.env, RFSN_FILES_LIST: list, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require=${FILES}` },
    });
    const files = [...new Set(fs.readFileSync(list, 'utf8').split('\n').filter(Boolean))].sort();
    lists.set(key, listed.status === 0 ? files : null);
  }
  return lists.get(key);
}

// What a file's run said through the rfsn reporter (JSON lines), as node's orchestrator counts it.
function tally(text) {
  const seen = { reported: 0, failed: false, failedTopLevel: false, failures: 0 };
  for (const line of text.split('\n')) {
    let event;
    try { event = JSON.parse(line); } catch { continue; }
    if (event?.event !== 'pass' && event?.event !== 'fail') continue;
    seen.reported += 1;
    if (event.event === 'fail' && !event.todo) {
      seen.failed = true;
      seen.failedTopLevel ||= event.nesting === 0;
      if (event.kind !== 'suite') seen.failures += 1;
    }
  }
  return seen;
}

// The event node's orchestrator adds for a file's own test (see FileTest in node's
// lib/internal/test_runner/runner.js): when the file's process failed without a failing
// top-level test, or ran no test at all. Its shape is the rfsn reporter's.
function fileEvent(file, seen, exit, workdir) {
  const ok = exit.code === 0 && exit.signal === null;
  if (seen.reported > 0 && (ok || seen.failedTopLevel)) return null;
  const name = path.relative(workdir, file);
  return { event: ok ? 'pass' : 'fail', name, nesting: 0, file: name, skip: false, todo: false, kind: 'test' };
}

function collect(destination, index) {
  const part = `${destination}.part${index}`;
  let text = '';
  try { text = fs.readFileSync(part, 'utf8'); } catch { return ''; }
  fs.rmSync(part, { force: true });
  fs.appendFileSync(destination, text);
  return text;
}

async function runFile(worker, request, file, index, output) {
  const { destinations } = request;
  const parts = destinations.map((d) => (d === 'stdout' || d === 'stderr' ? d : `${d}.part${index}`));
  worker.child.stdout.on('data', (data) => fs.writeSync(output, data));
  worker.child.stderr.on('data', (data) => fs.writeSync(output, data));
  worker.control.write(`${JSON.stringify({ file, patterns: request.patterns, reporters: request.reporters,
    destinations: parts })}\n`);
  let timer;
  const expired = new Promise((resolve) => {
    timer = setTimeout(() => resolve(null), Math.max(0, request.deadline - Date.now()));
  });
  let exit = await Promise.race([worker.closed, expired]);
  clearTimeout(timer);
  const timedOut = exit === null;
  if (timedOut) {
    kill(worker.child);
    exit = await worker.closed;
  }
  const texts = destinations.map((d, i) => (parts[i] === d ? '' : collect(d, index)));
  return { exit, timedOut, text: texts[request.events] ?? '' };
}

function diedUnused(run) {
  return !run.timedOut && run.exit.signal !== null && run.text === '';
}

async function handle(pool, request, workdir) {
  const started = Date.now();
  request.deadline = started + request.timeout * 1000;
  const files = testFiles(request.args, workdir);
  if (files === null) return { cold: true };
  const output = fs.openSync(request.output, 'w');
  let failed = false;
  let failures = 0;
  let timedOut = false;
  try {
    for (const d of request.destinations) if (d !== 'stdout' && d !== 'stderr') fs.writeFileSync(d, '');
    for (const [index, file] of files.entries()) {
      if (request.max_failures !== null && failures >= request.max_failures) break;
      let run = null;
      // a worker killed while it waited may be handed the file before its exit is seen: it
      // reports nothing and dies by a signal. Whatever killed it may have killed the others
      // that wait: they are replaced, and the file runs once more on a fresh worker
      for (let attempt = 0; attempt < 2 && (run === null || diedUnused(run)); attempt += 1) {
        if (run !== null) pool.discardWaiting();
        const worker = await pool.take(files.length - index - 1);
        if (worker === null) throw new Error('no worker could start');
        pool.running = worker;
        run = await runFile(worker, request, file, index, output);
        pool.running = null;
      }
      timedOut = run.timedOut;
      if (timedOut) break;
      const seen = tally(run.text);
      const extra = fileEvent(file, seen, run.exit, workdir);
      if (extra && request.events !== null) {
        fs.appendFileSync(request.destinations[request.events], `${JSON.stringify(extra)}\n`);
      }
      failures += seen.failures + (extra?.event === 'fail' ? 1 : 0);
      failed ||= seen.failed || extra?.event === 'fail';
    }
  } finally {
    fs.closeSync(output);
    pool.fill();
  }
  return { exit_code: timedOut ? 124 : (failed ? 1 : 0), timed_out: timedOut,
    duration: (Date.now() - started) / 1000 };
}

async function serve(socketPath, workdir) {
  const pool = new Pool(workdir);
  const slow = setTimeout(() => pool.workers[0].child.kill('SIGKILL'), START_TIMEOUT);
  const ready = await pool.workers[0].ready;
  clearTimeout(slow);
  if (!ready) {
    pool.kill();
    process.stderr.write('rfsn: a worker could not start (node:test internals not as expected?)\n');
    process.exit(3);
  }
  let queue = Promise.resolve();
  const server = net.createServer((conn) => {
    let data = '';
    conn.setEncoding('utf8');
    conn.on('error', () => {});
    conn.on('data', (chunk) => {
      if (data === null) return;
      data += chunk;
      if (!data.includes('\n')) return;
      const request = JSON.parse(data.slice(0, data.indexOf('\n')));
      data = null; // one request a connection
      queue = queue.then(() => handle(pool, request, workdir)).then(
        (reply) => conn.end(`${JSON.stringify(reply)}\n`),
        (error) => { process.stderr.write(`${error.stack}\n`); conn.destroy(); });
    });
  });
  server.listen(socketPath, () => fs.chmodSync(socketPath, 0o666));
  setInterval(() => {
    if (!fs.existsSync(socketPath)) { // the sandbox's scratch is gone: nobody can ask again
      pool.kill();
      process.exit(0);
    }
  }, ORPHAN_CHECK);
}

if (process.argv[2] === '--serve') {
  serve(process.argv[3], process.argv[4]);
} else {
  launch(process.argv[2], process.argv[3]);
}
