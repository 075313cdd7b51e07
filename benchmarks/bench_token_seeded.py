"""Repair the seeded JavaScript and Rust bugs (benchmarks/seeded/token_bugs.py) with the
offline planner in Docker: the generality check of the token templates.

Each bug's project (sources, tests, manifest) is written in its buggy state and
committed; its failing tests are the targets (no test patch, no hidden tests).
**fixed**: the session ends ``fixed`` (the planner proved its patch on the whole
suite); **reference**: the patched file is the reference fix, whitespace aside.

    python benchmarks/bench_token_seeded.py [--only NAME ...] [--timeout 300]
"""

from __future__ import annotations

import argparse
import importlib.util
import re
import sys
import tempfile
from pathlib import Path

from devset_runs import git

from rfsn.controller.session import RepairOptions, repair_workspace
from rfsn.observability.logging import configure
from rfsn.settings import load_settings
from rfsn.workspace import prepare

HERE = Path(__file__).resolve().parent


def _bugs() -> list:
    spec = importlib.util.spec_from_file_location("token_bugs", HERE / "seeded" / "token_bugs.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["token_bugs"] = module
    spec.loader.exec_module(module)
    return list(module.SEEDED)


def write_project(files: dict[str, str], dest: Path) -> Path:
    for path, text in files.items():
        (dest / path).parent.mkdir(parents=True, exist_ok=True)
        (dest / path).write_text(text)
    git(dest, "init", "-q")
    git(dest, "add", "--all", ".")
    git(dest, "commit", "-qm", "seeded bug")
    return dest


def is_reference(bug, patch: str, tmp: Path) -> bool:  # type: ignore[no-untyped-def]
    if not patch:
        return False
    repo = write_project(bug.project(), tmp / "check")
    git(repo, "apply", "-", text=patch)
    same = re.sub(r"\s+", "", (repo / bug.path).read_text()) == re.sub(r"\s+", "", bug.files[bug.path])
    return bool(same)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--sandbox", default="docker")
    parser.add_argument("--timeout", type=float, default=300.0)
    args = parser.parse_args()
    configure("warning")
    settings = load_settings()
    bugs = [b for b in _bugs() if not args.only or b.name in args.only]
    fixed = reference = 0
    for bug in bugs:
        with tempfile.TemporaryDirectory(prefix="rfsn-token-seeded-") as tmp:
            source = write_project(bug.project(), Path(tmp) / "src")
            workspace = prepare(str(source), Path(tmp) / "repo")
            result = repair_workspace(
                workspace,
                RepairOptions(out_dir=Path(tmp) / "out", sandbox=args.sandbox, timeout=args.timeout),
                settings,
            )
            ok = result.status.value == "fixed"
            right = ok and is_reference(bug, result.patch, Path(tmp))
        fixed += ok
        reference += right
        print(
            f"{bug.name:<28} {result.status.value:<16} reference={right!s:<5} {result.duration:6.1f}s "
            f"{result.candidates_tried:4d} candidates",
            flush=True,
        )
    print(f"\nfixed: {fixed}/{len(bugs)}  reference fix: {reference}/{len(bugs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
