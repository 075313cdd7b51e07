"""A ``node --test`` file whose test calls ``process.exit``: which test, why, and its stack.

Node 20 loses every result of a test file whose process exits: the file is one error (or, exit
code 0, one pass), and the tests after the exiting one never run. Such a file runs again with
:data:`CRASH_IMPORT` preloaded (it follows every asynchronous resource, too slow for every run),
which prints one line (``rfsn-crash: {json}``) before the exit: the file, the test's title path,
the exit code and the stack; :func:`node_crashes` reads those lines back. In a run with
:data:`DISARM_VAR` set (a JSON list of title paths), a listed test's ``process.exit`` throws
instead, so its file's other tests run to their end.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping

from rfsn.buildpacks.node.jsreports import SEP, make_id
from rfsn.errors import InputError
from rfsn.inputs import json_value
from rfsn.models import Crash, TestStatus

DISARM_VAR = "RFSN_NODE_DISARMED"
_PREFIX = "rfsn-crash: "
_PRELOAD = """\
import { writeSync } from 'node:fs';
import { relative } from 'node:path';
import { createHook, executionAsyncResource } from 'node:async_hooks';
const owner = Symbol('rfsn.test');
const isTest = (r) => r && typeof r.name === 'string' && 'parent' in r && typeof r.runInAsyncScope === 'function';
const current = () => { const r = executionAsyncResource(); return isTest(r) ? r : r?.[owner]; };
createHook({ init(id, type, trigger, resource) { const t = current(); if (t) resource[owner] = t; } }).enable();
const disarmed = new Set(JSON.parse(process.env.@VAR@ || '[]').map((titles) => JSON.stringify(titles)));
const exit = process.exit;
process.exit = function (code) {
  const titles = [];
  for (let t = current(); t && t.parent; t = t.parent) titles.unshift(t.name);
  const reason = `process.exit(${code ?? ''}) called`;
  if (titles.length && disarmed.has(JSON.stringify(titles))) throw new Error(reason);
  const stack = new Error(reason).stack.split('\\n').slice(2).join('\\n');
  const file = process.argv[1] ? relative(process.cwd(), process.argv[1]) : '';
  const status = code ?? process.exitCode ?? 0;
  writeSync(2, `@PREFIX@${JSON.stringify({ file, titles, reason, stack, status })}\\n`);
  return exit.call(process, code);
};
""".replace("@VAR@", DISARM_VAR).replace("@PREFIX@", _PREFIX)
#: the ``node`` flag that preloads it
CRASH_IMPORT = "--import=data:text/javascript;base64," + base64.b64encode(_PRELOAD.encode()).decode()
_LINE = re.compile(rf"^{re.escape(_PREFIX)}(\{{.*\}})$", re.M)


def node_crashes(output: str, statuses: Mapping[str, TestStatus]) -> list[Crash]:
    """The tests whose ``process.exit`` ended their file's process (the file itself when it
    exited outside any test, unless with code 0: a plain script's runner ending its process),
    from the preload's lines in ``output``; a file reported as one test (its process reported
    none of its tests) is a crash of a test not known yet."""
    crashes: dict[str, Crash] = {}
    for line in _LINE.findall(output):
        try:
            found = json_value(line)
            file, titles = str(found["file"]), [str(t) for t in found["titles"]]
            reason, stack = str(found["reason"]), str(found["stack"])
        except (InputError, KeyError, TypeError):
            continue
        if not titles and found.get("status") in (0, "0"):
            continue  # a clean exit outside any test ends the file as its own script would: its verdict
        crashes.setdefault(file, Crash(test=make_id(file, *titles), reason=reason, stack=stack, unit=file))
    for test in statuses:
        if SEP not in test and test not in crashes:
            crashes[test] = Crash(test="", reason="its process ended before it reported its tests", unit=test)
    return list(crashes.values())


def disarming(test_ids: list[str], file: str) -> str:
    """The value of :data:`DISARM_VAR` for the tests of ``file`` among ``test_ids``."""
    prefix = file + SEP
    return json.dumps([t[len(prefix) :].split(SEP) for t in test_ids if t.startswith(prefix)])
