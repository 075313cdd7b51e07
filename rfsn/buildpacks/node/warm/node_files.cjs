'use strict';
// Preloaded (NODE_OPTIONS=--require) into a `node --test ARGS` run by node_server.cjs to learn
// which test files node itself finds for ARGS (its rules differ between node versions): in
// each per-file child (NODE_TEST_CONTEXT set) it appends the file to RFSN_FILES_LIST and
// exits before the file loads; in the orchestrator it does nothing.
const fs = require('node:fs');

const list = process.env.RFSN_FILES_LIST;
if (list && process.env.NODE_TEST_CONTEXT && process.argv[1]) {
  fs.appendFileSync(list, `${process.argv[1]}\n`);
  process.exit(0);
}
