"""The command lines that run a Node project's tests under each runner rfsn reads: ``node
--test`` with rfsn's reporter, jest and vitest with their JSON reports, mocha with rfsn's own
reporter (``mochareport.cjs``). Test ids are ``<file> > <describe> > ... > <test>``; a selection
of tests becomes their files and a title pattern."""

from __future__ import annotations

import base64
import posixpath
import re
from collections.abc import Mapping, Sequence
from importlib import resources

from rfsn.buildpacks.base import session_cache
from rfsn.buildpacks.node.jsreports import NODE_REPORTER_JS, SEP, jest_reasons, mocha_reasons

#: report file names in the report directory
NODE_REPORT, JEST_REPORT, MOCHA_REPORT, VITEST_REPORT, CWD_FILE = (
    "node-tests.jsonl",
    "jest.json",
    "mocha.json",
    "vitest.json",
    "cwd.txt",
)
#: what rfsn's mocha reporter writes (``mochareport.cjs``; the JSON reporter of mocha 1.x-8.x writes
#: to stdout only, and before 7.x names no test's file)
MOCHA_EVENTS = "mocha-events.jsonl"
_MOCHA_REPORTER_JS = resources.files(__package__).joinpath("mochareport.cjs").read_text(encoding="utf-8")
REPORTER_URL = "data:text/javascript;base64," + base64.b64encode(NODE_REPORTER_JS.encode()).decode()
#: records the working directory, so that absolute paths in reports can be made relative
_CWD_WRAPPER = 'printf "%s" "$PWD" > "$1/' + CWD_FILE + '"; shift; exec "$@"'
#: and places rfsn's mocha reporter ($3) at $2, its report in the report directory ($1)
_MOCHA_WRAPPER = (
    'printf "%s" "$PWD" > "$1/' + CWD_FILE + '"; printf "%s" "$3" > "$2"; '
    'export RFSN_MOCHA_REPORT="$1/' + MOCHA_EVENTS + '"; shift 3; exec "$@"'
)


def jest_cache(report_dir: str) -> str:
    """jest's transform cache, kept for the session: each run has a TMPDIR of its own, where jest
    would put it, and compiles every file again (three times the run)."""
    return f"--cacheDirectory={session_cache(report_dir, 'jest')}"


def _pattern(alternatives: Sequence[str]) -> str:
    return "^(?:" + "|".join(sorted(set(alternatives))) + ")$"


def split_tests(tests: Sequence[str]) -> tuple[list[str], list[tuple[str, ...]]]:
    """Files of the selected tests, and their title paths (none when a whole file is asked). A test
    whose runner named no file (mocha before 7: ``" > suite > test"``) is found by its title alone."""
    files: dict[str, None] = {}
    titles: list[tuple[str, ...]] = []
    whole_file = False
    for tid in tests:
        file, *names = tid.split(SEP)
        if file:
            files[file] = None
        if names:
            titles.append(tuple(names))
        else:
            whole_file = True
    return list(files), [] if whole_file else titles


#: ``npm exec -c`` (a command with the project's bins on the PATH, as ``npm run`` gives it) came with npm 7
_EXEC_NPM = (7, 0, 0)


#: tools a test script runs that test no behaviour: linters, formatters, type and size checks
_CHECKS = frozenset(
    {
        "eslint",
        "xo",
        "standard",
        "semistandard",
        "prettier",
        "tslint",
        "oxlint",
        "biome",
        "stylelint",
        "tsd",
        "check-dts",
        "dtslint",
        "size-limit",
        "publint",
        "attw",
    }
)


def _is_check(segment: str) -> bool:
    """Whether a command of a script runs a check, not tests (``FORCE_COLOR=1 eslint .``, ``tsc --noEmit``)."""
    words = [w for w in segment.split() if not re.match(r"^\w+=", w)]
    tool = posixpath.basename(words[0]) if words else ""
    return tool in _CHECKS or (tool == "tsc" and "--noEmit" in words)


def without_checks(script: str) -> str:
    """The script without the commands of its ``&&`` chain that only check (``_CHECKS``): their
    minutes and their verdicts are not the tests'; the script itself when nothing else is left."""
    parts = script.split("&&")
    kept = [part.strip() for part in parts if not _is_check(part)]
    return " && ".join(kept) if kept and len(kept) < len(parts) else script


def script_command(scripts: Mapping[str, object], npm: tuple[int, int, int], full: str = "") -> list[str]:
    """``npm test`` as a whole, but where the npm can (7 on) without its ``posttest`` (what runs
    after the tests, a coverage report, an audit, is nothing a test's verdict needs, and an audit
    fails without network) and without the checks of ``full``, the test script with the scripts
    it runs by name put in place (``without_checks``): its ``pretest``, then the test script."""
    test = str(scripts.get("test") or "")
    tested = without_checks(full or test)
    checked = tested != (full or test)
    if not test or npm < _EXEC_NPM or not (scripts.get("posttest") or checked):
        return ["npm", "test"]
    first = "npm run pretest && " if scripts.get("pretest") else ""
    return ["sh", "-c", f'{first}exec npm exec -c "$1"', "rfsn", tested if checked else test]


def node_command(files: list[str], titles: list[tuple[str, ...]], paths: Sequence[str], report_dir: str) -> list[str]:
    """``node --test`` with rfsn's reporter; each title path a name pattern (``paths``: the test
    script's, when no file is selected)."""
    patterns = [_pattern([re.escape(t) for t in path]) for path in titles]
    return [
        "node",
        "--test",
        "--test-reporter=spec",
        "--test-reporter-destination=stdout",
        f"--test-reporter={REPORTER_URL}",
        f"--test-reporter-destination={report_dir}/{NODE_REPORT}",
        *(f"--test-name-pattern={p}" for p in patterns),
        *(files or paths),
    ]


def reporting_command(
    runner: str,
    files: list[str],
    titles: list[tuple[str, ...]],
    paths: Sequence[str],
    report_dir: str,
    options: Sequence[str] = (),
) -> list[str]:
    """jest, vitest or mocha, writing its report (and the working directory) to ``report_dir``
    (given the test script's ``options`` too)."""
    full = _pattern([r"(?: | > )".join(re.escape(t) for t in path) for path in titles]) if titles else ""
    wrap = ["sh", "-c", _CWD_WRAPPER, "rfsn", report_dir]
    if runner == "jest":
        selected = ["--runTestsByPath", *files] if files else []
        return [
            *wrap,
            "node_modules/.bin/jest",
            *options,
            jest_cache(report_dir),
            "--ci",
            "--json",
            f"--outputFile={report_dir}/{JEST_REPORT}",
            *selected,
            *(["-t", full] if full else []),
        ]
    if runner == "vitest":
        vitest = ["node_modules/.bin/vitest", "run", *options, "--reporter=json"]
        return [*wrap, *vitest, f"--outputFile={report_dir}/{VITEST_REPORT}", *files, *(["-t", full] if full else [])]
    plain = " ".join(titles[0]) if len(titles) == 1 else ""
    if plain and not re.search(r"[\\^$.|?*+()\[\]{}]", plain):  # mocha before 4 greps a string as it is
        full = plain
    reporter = posixpath.join(posixpath.dirname(report_dir.rstrip("/")), "rfsn-mocha-reporter.cjs")
    mocha = ["sh", "-c", _MOCHA_WRAPPER, "rfsn", report_dir, reporter, _MOCHA_REPORTER_JS]
    return [
        *mocha,
        "node_modules/.bin/mocha",
        *options,
        "--reporter",
        reporter,
        *(files or paths),
        *(["--grep", full] if full else []),
    ]


def reported_reasons(reports: dict[str, str]) -> dict[str, tuple[str, str]]:
    """Why each test failed, from the JSON of jest, vitest (their failure messages) and mocha
    (its errors' stacks)."""
    root = reports.get(CWD_FILE, "").strip() or None
    found: dict[str, tuple[str, str]] = {}
    for name in (JEST_REPORT, VITEST_REPORT):
        found |= jest_reasons(reports[name], root) if name in reports else {}
    for name in (MOCHA_REPORT, MOCHA_EVENTS):
        found |= mocha_reasons(reports[name], root) if name in reports else {}
    return found
