"""Wrong and partial predictions made from gold patches, to grade with `rfsn evaluate`.

    python benchmarks/swebench_variants.py DATASET.json [...] --ids ID ... --out DIR

For each instance: `half` (the first hunk of a gold patch with several), `tests_only` (the
instance's test_patch as the model patch: the harness resets those files, so nothing is fixed),
`break_run` (gold plus a root conftest.py that exits: pytest cannot start, for repositories run
by pytest), and `empty`. The harness's rule (resolved iff every FAIL_TO_PASS and every
PASS_TO_PASS test passes) says `tests_only`, `break_run` and `empty` are unresolved; `half` is
unresolved unless the first hunk alone is the fix. Each variant is written to DIR/<variant>.jsonl
under its own model name, one `rfsn evaluate` each.
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path
from typing import Any

HUNK = re.compile(r"^@@ ", re.M)


def first_hunk(patch: str) -> str | None:
    """The first file's header and first hunk, or None when the patch has only one hunk."""
    if len(HUNK.findall(patch)) < 2:
        return None
    files = re.split(r"(?m)^(?=diff --git )", patch)
    first = next(f for f in files if f.strip())
    header, *hunks = re.split(r"(?m)^(?=@@ )", first)
    return header + hunks[0]


def break_run(patch: str) -> str:
    """Gold, and a new root conftest.py that exits: the test run cannot start."""
    return patch + (
        "diff --git a/conftest.py b/conftest.py\nnew file mode 100644\n--- /dev/null\n"
        "+++ b/conftest.py\n@@ -0,0 +1 @@\n+raise SystemExit(3)\n"
    )


def variants(instance: dict[str, Any]) -> dict[str, str]:
    found = {"tests_only": instance["test_patch"], "break_run": break_run(instance["patch"]), "empty": ""}
    half = first_hunk(instance["patch"])
    if half is not None:
        found["half"] = half
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--ids", nargs="+", required=True)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    wanted = set(args.ids)
    instances = [x for path in args.datasets for x in json.loads(path.read_text()) if x["instance_id"] in wanted]
    args.out.mkdir(parents=True, exist_ok=True)
    files: dict[str, list[str]] = {}
    for instance in instances:
        for name, patch in variants(instance).items():
            files.setdefault(name, []).append(
                json.dumps({"instance_id": instance["instance_id"], "model_patch": patch, "model_name_or_path": name})
            )
    for name, lines in files.items():
        (args.out / f"{name}.jsonl").write_text("".join(f"{line}\n" for line in lines))
        print(f"{args.out / name}.jsonl: {len(lines)} predictions")


if __name__ == "__main__":
    main()
