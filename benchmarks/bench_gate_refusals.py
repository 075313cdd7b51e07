"""The gate's false refusals on whole real test files: 0 refused that should pass.

Every test module of each project below is proposed through the real gate (``rfsn.gate.Gate``):

(a) as a new file in the reproduce phase (the module taken out of the project's checkout, then
    proposed whole, as a model that knows the fix would write its reproduction);
(b) as an edit in the patch phase, with ``allow_test_edits = true`` (the one policy under which
    a fix may touch a test): the module at the parent of the newest commit that changed it
    without weakening a test (every definition of the old module unchanged in the new one,
    read with ``ast``; for JS and Go, a change that adds lines only) vs. that commit;
(c) the same pair in the reproduce phase when its diff adds lines only.

Projects (chosen before any run, by this rule): the SWE-bench repositories that fit the fetch
tool's 500 MiB snapshot limit (astropy, flask, pylint, pytest, requests, seaborn, sphinx, sympy,
xarray; django, matplotlib and scikit-learn are over it), two more well-known pytest suites
(click, attrs), a mocha suite (express) and a Go suite (cobra). Each is a bare clone under
``--data`` (``NAME.git``); the HEAD of each is the fetched snapshot's.

    PYTHONPATH=. python benchmarks/bench_gate_refusals.py [--data /work/data/gate-bench] [--only NAME ...]
"""

from __future__ import annotations

import argparse
import ast
import collections
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterator
from pathlib import Path

from rfsn.buildpacks.testfiles import is_test_file, is_test_module
from rfsn.gate import Gate, GateContext, GatePolicy
from rfsn.gate.rules_tests import _bindings, changed_python_definition
from rfsn.models import Edit, Phase
from rfsn.observability.logging import configure
from rfsn.patches import new_file_diff, unified_diff

#: (name, buildpack): the projects, written down before the first run
PROJECTS = (
    ("astropy", "python"),
    ("flask", "python"),
    ("pylint", "python"),
    ("pytest", "python"),
    ("requests", "python"),
    ("seaborn", "python"),
    ("sphinx", "python"),
    ("sympy", "python"),
    ("xarray", "python"),
    ("click", "python"),
    ("attrs", "python"),
    ("express", "node"),
    ("cobra", "go"),
)
HISTORY = 4000  # newest commits searched for each module's last non-weakening change
_FIXTURE_DIRS = {"fixtures", "fixture", "support", "data", "roots", "functional", "regrtest_data", "input"}


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, errors="surrogateescape"
    ).stdout


def test_module(path: str, buildpack: str) -> bool:
    """A file of tests the project runs: a test-shaped name (any JS file under ``test/`` for
    mocha), not a fixture or data file a test reads."""
    parts = path.split("/")
    if any(part in _FIXTURE_DIRS for part in parts[:-1]):
        return False
    if buildpack == "node":
        return path.endswith(".js") and is_test_file(path)
    suffix = ".go" if buildpack == "go" else ".py"
    return path.endswith(suffix) and is_test_module(path)


def checkout(repo: Path, into: Path) -> None:
    archive = into / "head.tar"
    subprocess.run(["git", "-C", str(repo), "archive", "-o", str(archive), "HEAD"], check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "ws", filter="data")
    archive.unlink()


def additive(path: str, old: str, new: str) -> bool:
    """Does ``old`` -> ``new`` weaken no test? Python: every definition of ``old`` unchanged and
    no ``pytestmark`` added where existing tests are (a mark a conftest or plugin reads may skip
    them: xarray 927c185ac4 added an xfail so); other languages: lines added only."""
    if path.endswith(".py"):
        try:
            old_tree, new_tree = ast.parse(old), ast.parse(new)
        except SyntaxError:
            return False
        marks = [
            {name for name, _ in _bindings(tree.body) if name.rsplit(".", 1)[-1] == "pytestmark"}
            for tree in (old_tree, new_tree)
        ]
        classes = {name.split(".")[0] for name, _ in _bindings(old_tree.body)} | {""}
        added_marks = {m for m in marks[1] - marks[0] if (m.rsplit(".", 1)[0] if "." in m else "") in classes}
        return changed_python_definition(old, new) is None and old != new and not added_marks
    return old != new and not any(
        line.startswith("-") and not line.startswith("---") for line in unified_diff(path, old, new).splitlines()
    )


def last_changes(repo: Path, modules: set[str]) -> dict[str, list[str]]:
    """Each module's commits (newest first) among the newest ``HISTORY`` that modified it."""
    out: dict[str, list[str]] = collections.defaultdict(list)
    commit = ""
    for line in git(repo, "log", "--no-merges", f"-n{HISTORY}", "--name-status", "--format=@%H").splitlines():
        if line.startswith("@"):
            commit = line[1:]
        elif line.startswith("M\t") and line[2:] in modules:
            out[line[2:]].append(commit)
    return out


def show(repo: Path, rev: str, path: str) -> str | None:
    proc = subprocess.run(["git", "-C", str(repo), "show", f"{rev}:{path}"], capture_output=True)
    try:
        return proc.stdout.decode("utf-8") if proc.returncode == 0 else None
    except UnicodeDecodeError:
        return None


def pair(repo: Path, path: str, commits: list[str]) -> tuple[str, str, str] | None:
    for commit in commits[:20]:
        old, new = show(repo, f"{commit}^", path), show(repo, commit, path)
        if old is not None and new is not None and additive(path, old, new):
            return commit, old, new
    return None


class Run:
    """One project's proposals through the gate, in a checkout of its HEAD."""

    def __init__(self, name: str, buildpack: str, repo: Path, workspace: Path) -> None:
        self.name, self.buildpack, self.repo, self.ws = name, buildpack, repo, workspace
        self.counts: collections.Counter[str] = collections.Counter()
        self.refusals: list[tuple[str, str, str, str]] = []  # kind, path, rule, reason

    def decide(self, kind: str, path: str, patch: str, phase: Phase, allow_test_edits: bool) -> None:
        gate = Gate(GatePolicy(allow_test_edits=allow_test_edits))
        context = GateContext(workspace=self.ws, phase=phase, buildpack=self.buildpack)
        decision = gate.check(Edit(patch=patch), context)
        self.counts[kind] += 1
        if not decision.accepted:
            self.counts[f"{kind}:refused"] += 1
            self.refusals.append((kind, path, decision.rule or "", decision.reason))

    def run(self) -> None:
        modules = sorted(
            p
            for p in git(self.repo, "ls-tree", "-r", "--name-only", "HEAD").splitlines()
            if test_module(p, self.buildpack)
        )
        for path in modules:
            file = self.ws / path
            text = file.read_text(encoding="utf-8", errors="surrogateescape")
            file.unlink()
            try:
                self.decide("a_new_file", path, new_file_diff(path, text), Phase.REPRODUCE, False)
            finally:
                file.write_text(text, encoding="utf-8", errors="surrogateescape")
        changes = last_changes(self.repo, set(modules))
        for path in modules:
            found = pair(self.repo, path, changes.get(path, []))
            if found is None:
                continue
            commit, old, new = found
            file = self.ws / path
            text = file.read_text(encoding="utf-8", errors="surrogateescape")
            file.write_text(old, encoding="utf-8")
            try:
                patch = unified_diff(path, old, new)
                self.decide("b_patch_edit", f"{path}@{commit[:10]}", patch, Phase.PATCH, True)
                if not any(line.startswith("-") and not line.startswith("---") for line in patch.splitlines()):
                    self.decide("c_reproduce_edit", f"{path}@{commit[:10]}", patch, Phase.REPRODUCE, False)
            finally:
                file.write_text(text, encoding="utf-8", errors="surrogateescape")


def runs(data: Path, only: list[str]) -> Iterator[Run]:
    for name, buildpack in PROJECTS:
        repo = data / f"{name}.git"
        if only and name not in only:
            continue
        if not repo.is_dir():
            print(f"{name}: no clone at {repo}; skipped", file=sys.stderr)
            continue
        with tempfile.TemporaryDirectory(prefix=f"gate-bench-{name}-") as tmp:
            checkout(repo, Path(tmp))
            run = Run(name, buildpack, repo, Path(tmp) / "ws")
            run.run()
            yield run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path("/work/data/gate-bench"))
    parser.add_argument("--only", nargs="*", default=[])
    args = parser.parse_args()
    configure(level="warning")  # one gate.decision line per proposal would bury the table
    kinds = ("a_new_file", "b_patch_edit", "c_reproduce_edit")
    print(f"{'project':<10} {'head':<10} " + " ".join(f"{k:>22}" for k in kinds) + "  refused by rule")
    total: collections.Counter[str] = collections.Counter()
    refusals: list[tuple[str, str, str, str, str]] = []
    for run in runs(args.data, args.only):
        head = git(run.repo, "rev-parse", "--short=10", "HEAD").strip()
        rules = collections.Counter(rule for _, _, rule, _ in run.refusals)
        cells = " ".join(f"{run.counts[f'{k}:refused']:>6} of {run.counts[k]:>5} refused" for k in kinds)
        print(f"{run.name:<10} {head:<10} {cells}  {dict(rules) or '-'}", flush=True)
        total.update(run.counts)
        refusals += [(run.name, *r) for r in run.refusals]
    cells = " ".join(f"{total[f'{k}:refused']:>6} of {total[k]:>5} refused" for k in kinds)
    print(f"{'all':<10} {'':<10} {cells}")
    for project, kind, path, rule, reason in refusals:
        print(f"REFUSED {project} {kind} {path}: {rule}: {reason}")


if __name__ == "__main__":
    main()
