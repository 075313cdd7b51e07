"""Per-test line coverage for Go from ``go test``'s own cover profiles.

The suite runs once as usual (``go test -json``, its events kept in ``go-events.jsonl``); then
``gocover.sh`` (`coverage_plan`) builds each package that reported a test as one test binary
covering the whole module (``go test -c -cover -coverpkg=./...``) and runs it per top-level
test (``-test.run '^TestX$' -test.coverprofile``), packages with a failing test first, within
``BUDGET_SECONDS``. A package the budget did not reach gets one profile its tests share;
subtests share their top-level test's. ``go list -m`` names the module, so profile paths
become repo-relative.

Each profile line ``file:l0.c0,l1.c1 statements count`` is a basic block; the lines of blocks
with ``count > 0`` are covered. Blocks never nest, so the union is exact up to lines a run and
a skipped block share (``} else {``).
"""

from __future__ import annotations

import re
from collections import defaultdict

from rfsn.buildpacks.base import CoverageByTest

DRIVER = "gocover.sh"
EVENTS = "go-events.jsonl"
MODULE = "go-module.txt"
PROFILES = "go-profile-"
#: seconds the driver may spend on per-test runs after the suite's run
BUDGET_SECONDS = 120

#: the first element of a test id after the package: a test, example or fuzz function
_TEST_FUNC = re.compile(r"^(Test|Example|Fuzz)([^a-z].*)?$")
_BLOCK = re.compile(r"^(?P<file>.+\.go):(?P<start>\d+)\.\d+,(?P<end>\d+)\.\d+ \d+ (?P<count>\d+)$")

# Reads go-events.jsonl (test2json writes Action, Package, Test in that order), runs each
# top-level test of each package with a profile named <package>@<test>.out (package with
# / turned into %), and a package's whole run <package>@.out for the tests left.
_SCRIPT = r"""#!/bin/sh
R="$1"; BUDGET="$2"; LIMIT="${3#-timeout=}"; mkdir -p "$R/go-bin"
go list -m -f '{{.Path}}' > "$R/go-module.txt" 2>/dev/null
start=$(date +%s)
left() { [ $(( $(date +%s) - start )) -lt "$1" ]; }
tests=$(sed -n 's/^{.*"Action":"\(pass\|fail\)","Package":"\([^"]*\)","Test":"\([^"/]*\)".*/\1 \2 \3/p' \
    "$R/go-events.jsonl" | sort -u)
failing=$(printf '%s\n' "$tests" | awk '$1 == "fail" {print $2}')
packages=$( (printf '%s\n' "$failing"; printf '%s\n' "$tests" | awk '{print $2}') | awk 'NF && !seen[$0]++')
for pkg in $packages; do
  name=$(printf '%s' "$pkg" | tr '/' '%')
  bin="$R/go-bin/$name.test"
  dir=$(go list -f '{{.Dir}}' "$pkg" 2>/dev/null) || continue
  done_all=no
  if left "$BUDGET" && go test -c -cover -coverpkg=./... -o "$bin" "$pkg" >/dev/null 2>&1 && [ -x "$bin" ]; then
    done_all=yes
    for t in $(printf '%s\n' "$tests" | awk -v p="$pkg" '$2 == p {print $3}' | sort -u); do
      left "$BUDGET" || { done_all=no; break; }
      (cd "$dir" && "$bin" -test.run "^$t\$" -test.timeout "$LIMIT" \
        -test.coverprofile "$R/go-profile-$name@$t.out" >/dev/null 2>&1)
    done
  fi
  if [ "$done_all" = no ] && left "$((BUDGET * 2))"; then
    go test -count=1 -timeout "$LIMIT" -coverpkg=./... -coverprofile "$R/go-profile-$name@.out" "$pkg" >/dev/null 2>&1
  fi
done
exit 0
"""


def split_test_id(test_id: str) -> tuple[str, str | None]:
    """``(package, top-level test)``; the test is None when the id names a whole package."""
    parts = test_id.split("/")
    for i, part in enumerate(parts[1:], start=1):
        if _TEST_FUNC.match(part):
            return "/".join(parts[:i]), part
    return test_id, None


def driver_script() -> str:
    return _SCRIPT


def suite_command(argv: list[str], report_dir: str) -> list[str]:
    """The suite's ``go test -json`` run, its events also kept for the driver (exit status kept)."""
    return ["sh", "-c", f'"$@" > {report_dir}/{EVENTS}; s=$?; cat {report_dir}/{EVENTS}; exit $s', "sh", *argv]


def driver_command(report_dir: str, timeout: str) -> list[str]:
    """The driver's argv; ``timeout``: each test binary's, as go test's ``-timeout=D``."""
    return ["sh", f"{report_dir}/{DRIVER}", report_dir, str(BUDGET_SECONDS), timeout]


def profile_name(package: str, test: str = "") -> str:
    """The report name of a package's (or one test's) profile, as the driver writes it."""
    return f"{PROFILES}{package.replace('/', '%')}@{test}.out"


def parse_profile(text: str, module: str) -> dict[str, set[int]]:
    """Covered lines per repo-relative file of one cover profile."""
    covered: dict[str, set[int]] = defaultdict(set)
    prefix = module.rstrip("/") + "/" if module else ""
    for line in text.splitlines():
        match = _BLOCK.match(line.strip())
        if not match or match["count"] == "0":
            continue
        path = match["file"]
        if prefix and path.startswith(prefix):
            path = path[len(prefix) :]
        elif module and path == module:
            continue
        covered[path].update(range(int(match["start"]), int(match["end"]) + 1))
    return covered


def parse_go_coverage(reports: dict[str, str], test_ids: list[str]) -> CoverageByTest:
    """``{test: {file: lines}}`` for the ``test_ids`` the profiles cover: a test's own
    profile, or (for tests the budget did not reach) its package's."""
    module = reports.get(MODULE, "").strip()
    out: CoverageByTest = {}
    if not module:  # no go.mod: profile paths cannot be made repo-relative (stack frames stand)
        return out
    for test_id in test_ids:
        package, func = split_test_id(test_id)
        text = reports.get(profile_name(package, func or "")) if func else None
        text = text if text is not None else reports.get(profile_name(package))
        if text is not None:
            lines = parse_profile(text, module)
            out[test_id] = dict(lines)
    return out
