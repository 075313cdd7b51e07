"""Real public Python projects at their HEAD, each with one seeded single-line bug.

For each project: clone it (from a local mirror or any git URL) into
``--work DIR`` (default /work/data/real; sources never enter this repository),
replace the seed's line (it must occur exactly once), commit, and run
``rfsn repair file://...`` with its default budget. Prints one row per project:
status, failing tests at baseline, steps, seconds, whether the patch restores
the original line, and the tests that already fail at HEAD before the seed
(``failing_at_head``: empty when the environment is the maintainers' own).

    python benchmarks/real_projects.py [--only NAME ...] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

MIRRORS = Path("/work/.mirror")

# name: (mirror or git URL, file, original line fragment, seeded fragment)
SEEDS: dict[str, tuple[str, str, str, str]] = {
    "iniconfig": ("pytest-dev+iniconfig", "src/iniconfig/__init__.py",
                  "else lineno + 1", "else lineno - 1"),
    "cachetools": ("tkem+cachetools", "src/cachetools/keys.py",
                   "key += tuple(type(v) for v in args)", "key += tuple(type(v) for v in kwargs)"),
    "toolz": ("pytoolz+toolz", "toolz/itertoolz.py",
              "    if N < 2:\n        raise TypeError('Too few", "    if N <= 2:\n        raise TypeError('Too few"),
    "tabulate": ("astanin+python-tabulate", "tabulate/__init__.py",
                 "return len(string) - pos - 1", "return len(string) - pos + 1"),
    "humanize": ("python-humanize+humanize", "src/humanize/number.py",
                 "digit = 0 if value % 100 in (11, 12, 13)", "digit = 0 if value % 100 not in (11, 12, 13)"),
}


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def clone(name: str, work: Path) -> Path:
    """A fresh clone of ``name`` at HEAD."""
    source = SEEDS[name][0]
    url = str(MIRRORS / source / "repo") if (MIRRORS / source).exists() else source
    repo = work / name
    shutil.rmtree(repo, ignore_errors=True)
    subprocess.run(["git", "clone", "-q", url, str(repo)], check=True)
    return repo


def failing_at_head(repo: Path) -> list[str]:
    """The tests that fail before the seed (``rfsn test``): the baseline must add only the seed's."""
    proc = subprocess.run([sys.executable, "-m", "rfsn", "test", str(repo), "--json"],
                          capture_output=True, text=True)
    try:
        tests = json.loads(proc.stdout)["tests"]
    except (json.JSONDecodeError, KeyError):
        return [f"rfsn test failed (exit {proc.returncode}): {proc.stderr.strip()[-200:]}"]
    return sorted(t for t, status in tests.items() if status not in ("passed", "skipped", "xfailed"))


def seed(name: str, repo: Path) -> None:
    """Commit the seeded bug of ``name`` into its clone."""
    _, path, original, seeded = SEEDS[name]
    target = repo / path
    text = target.read_text(encoding="utf-8")
    if text.count(original) != 1:
        raise SystemExit(f"{name}: the seed's original occurs {text.count(original)} times in {path}")
    target.write_text(text.replace(original, seeded), encoding="utf-8")
    _git(repo, "-c", "user.name=bench", "-c", "user.email=bench@localhost",
         "commit", "-q", "-am", f"seed a bug in {path}")


def repair(name: str, repo: Path, out: Path) -> dict[str, object]:
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "rfsn", "repair", f"file://{repo}", "--out", str(out)],
                          capture_output=True, text=True)
    seconds = time.monotonic() - start
    results = sorted(out.glob("*/result.json"), key=lambda p: p.stat().st_mtime)
    if not results:
        return {"name": name, "status": f"no result (exit {proc.returncode}): {proc.stderr[-300:]}"}
    result = json.loads(results[-1].read_text())
    patch = (results[-1].parent / "patch.diff").read_text() if (results[-1].parent / "patch.diff").exists() else ""
    _, _, original, _ = SEEDS[name]
    return {"name": name, "status": result["status"], "exit": proc.returncode,
            "failing_before": len(result.get("failing_before", [])), "steps": result.get("steps"),
            "seconds": round(seconds, 1), "env_error": result.get("env_error"),
            "restores_original": original.splitlines()[0].strip() in patch}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", default=list(SEEDS))
    parser.add_argument("--work", type=Path, default=Path("/work/data/real"))
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    for name in args.only:
        repo = clone(name, args.work)
        before = failing_at_head(repo)
        seed(name, repo)
        out = args.work / f"{name}-out"
        shutil.rmtree(out, ignore_errors=True)
        print(json.dumps({**repair(name, repo, out), "failing_at_head": before}), flush=True)


if __name__ == "__main__":
    main()
