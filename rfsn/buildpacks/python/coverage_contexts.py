"""Per-test contexts of a coverage data file, shaped as ``coverage json --show-contexts``
shapes them (``{"files": {path: {"contexts": {line: [context, ...]}}}}``).

Runs in the sandbox (the standard library and coverage only):
``python coverage_contexts.py DATA RCFILE OUTPUT``. It reads the data file alone. The
json report also parses every measured source file, which can take longer than the tests
themselves. Before
coverage 5.0 (no ``contexts_by_lineno``) it runs the json report instead.
"""

import json
import subprocess
import sys


def main(data_file, rcfile, output):
    try:
        from coverage import CoverageData

        data = CoverageData(basename=data_file)
        data.read()
        files = {}
        for path in data.measured_files():
            by_line = data.contexts_by_lineno(path)
            if by_line:
                files[path] = {"contexts": {str(n): sorted(c) for n, c in by_line.items()}}
    except (ImportError, AttributeError):
        # the rc names the data file (a coverage this old has no --data-file)
        return subprocess.call(
            [sys.executable, "-m", "coverage", "json", "--rcfile=" + rcfile, "--show-contexts", "-o", output]
        )
    with open(output, "w", encoding="utf-8") as out:
        json.dump({"files": files}, out)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
