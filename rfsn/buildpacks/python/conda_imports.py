"""Run in the sandbox, after a conda environment.yml was installed from PyPI: each distribution
the requirements file names whose modules raise on import is uninstalled, and said.

    python conda_imports.py REQUIREMENTS NOTES

conda's package brings the C library a PyPI wheel may lack, and a package that raises on import
(not ImportError) breaks every test module importing it, where an absent one is skipped; one
raising ImportError is left, as the tests skip on it alike. Python 3.8 and later.
"""

from __future__ import annotations

import importlib.metadata as metadata
import re
import subprocess
import sys

_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
#: an ImportError is no failure: the tests skip on it as on an absent package (distributed of
#: another dask), and a module may import the project, installed after this step
_IMPORT = "import sys\ntry:\n    __import__(sys.argv[1])\nexcept ImportError:\n    pass\n"


def modules(dist: metadata.Distribution) -> list[str]:
    """The top-level modules ``dist`` installs (top_level.txt, else its files)."""
    listed = (dist.read_text("top_level.txt") or "").split()
    if listed:
        return listed
    found = {f.parts[0] for f in dist.files or [] if len(f.parts) == 2 and f.parts[1] == "__init__.py"}
    found |= {f.stem for f in dist.files or [] if len(f.parts) == 1 and f.suffix == ".py"}
    return sorted(found)


def failure(module: str) -> str:
    """The last line ``import module`` prints to stderr in a fresh interpreter ("" if it imports)."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", _IMPORT, module], capture_output=True, text=True, timeout=300, check=False
        )
    except subprocess.TimeoutExpired:
        return "the import did not end in 300 s"
    lines = [line.strip() for line in done.stderr.splitlines() if line.strip()]
    return "" if done.returncode == 0 else (lines[-1] if lines else f"exit {done.returncode}")[:200]


def main(requirements: str, notes: str) -> None:
    with open(requirements, encoding="utf-8") as fh:
        names = [m.group(1) for m in map(_NAME.match, fh) if m]
    for name in names:
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        broken = next(((m, why) for m in modules(dist) for why in [failure(m)] if why), None)
        if broken is None:
            continue
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", name], check=True)
        line = f"rfsn: {name} left out: import {broken[0]} fails here ({broken[1]})"
        print(line, flush=True)
        with open(notes, "a", encoding="utf-8") as fh:
            fh.write(line + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
