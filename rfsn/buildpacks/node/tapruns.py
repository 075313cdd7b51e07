"""The commands of the runners that report in TAP: ava (``--tap``), node-tap (``--reporter=tap``)
and tape (TAP always), each given the paths the project's test script gives it; and ``plain``:
on a Node without ``node --test`` (before 18), the files the test script runs with plain ``node``,
each a test named by its path whose exit code is its verdict (as ``node --test`` reads a file
without tests), written as TAP.

Their TAP goes to a file of the report directory (and is shown too), read by
:mod:`.tapreports`. ava names a test by its file's path only when it runs more than one file,
so it always runs the project's files, a selection narrowing by title (``--match``); node-tap's
ids begin with the file, so a selection runs its files; tape's name no file, so it runs them all.
"""

from __future__ import annotations

from collections.abc import Sequence

#: the TAP the runner printed, in the report directory
TAP_REPORT = "tap.txt"
#: runs the command with its stdout into the report, then shows it
_TAP_WRAPPER = 'r="$1"; shift; "$@" > "$r/' + TAP_REPORT + '"; s=$?; cat "$r/' + TAP_REPORT + '"; exit $s'
TAP_RUNNERS = ("ava", "tap", "tape", "plain")
#: runs each file with node, a TAP line per file by its exit code, then shows the TAP
_PLAIN_WRAPPER = (
    'r="$1"; shift; t="$r/' + TAP_REPORT + '"; i=0; s=0; : > "$t"; for f in "$@"; do i=$((i+1)); '
    'if node "$f"; then echo "ok $i - $f" >> "$t"; else s=1; echo "not ok $i - $f" >> "$t"; fi; done; '
    'echo "1..$i" >> "$t"; cat "$t"; exit $s'
)


def tap_command(
    runner: str,
    files: Sequence[str],
    titles: Sequence[Sequence[str]],
    paths: Sequence[str],
    report_dir: str,
    options: Sequence[str] = (),
) -> list[str]:
    """argv of ``runner`` over the selected ``files`` (none: the project's ``paths``) and test
    ``titles`` (title paths), its TAP written into ``report_dir``, given the test script's
    ``options`` too (``runneroptions``)."""
    wrap = ["sh", "-c", _TAP_WRAPPER, "rfsn", report_dir]
    if runner == "ava":
        matches = sorted({f"--match={path[-1]}" for path in titles if path})
        return [*wrap, "node_modules/.bin/ava", "--tap", *options, *paths, *matches]
    if runner == "tap":
        return [*wrap, "node_modules/.bin/tap", "--reporter=tap", *options, *(files or paths)]
    if runner == "plain":
        return ["sh", "-c", _PLAIN_WRAPPER, "rfsn", report_dir, *(files or paths)]
    return [*wrap, "node_modules/.bin/tape", *options, *paths]
