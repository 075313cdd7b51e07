"""Mine bug-fixing commits from local clones into SWE-bench-format instances (the history corpus).

A commit is a candidate when its subject says it fixes something (fix, bug, issue, ``#N``,
none of the words of chores, no ``fixup!``), it is not a merge, and its diff changes both the
project's own Python source (outside docs, ``setup.py``) and a test file, nothing else but
documentation, and the source change changes code (not only whitespace, comments, docstrings
or module metadata such as ``__version__``); a subject naming another platform than Linux or a
Python before 2.7 (what the environments are not) is no candidate either. The buggy commit is its
parent; ``patch`` is the source part of the diff,
``test_patch`` the test part, ``FAIL_TO_PASS`` the pytest node ids of the test functions
whose lines the test diff adds or changes (read from the fixed test file with ``ast``:
parametrized functions are named without their parameters). Nothing is run: the ids are
what the diff says, and ``rfsn validate`` judges them.

``--refine CORPUS`` writes CORPUS's rows again with FAIL_TO_PASS as SWE-bench builds it: the
named tests' files run through rfsn's own environment at the buggy commit with the test patch,
then with the fix, and the tests that do not pass before and pass after are the row's
FAIL_TO_PASS, parametrized cases by their ids (the mined names stay in ``mined_FAIL_TO_PASS``),
those that pass in both runs its PASS_TO_PASS.
A row whose runs say nothing (a broken environment, no test that flips) is written as mined,
with why in ``refined``.

    python benchmarks/history/mine.py --repos-dir /work/data/repos --out benchmarks/history/corpus.jsonl \\
        [--per-project 4] [--since 2015-01-01] [--until 2025-01-01] [--projects "OWNER__NAME ..."] [--interleave]
    python benchmarks/history/mine.py --repos-dir /work/data/repos --refine benchmarks/history/corpus.jsonl \\
        --out benchmarks/history/corpus.refined.jsonl [--instance-ids "ID ..."] [--timeout 900]

``--exclude CORPUS`` picks none of CORPUS's rows again: the pick spreads over the other commits,
and the rows written can be appended to CORPUS (a corpus grown, its first rows unchanged).

``--check CORPUS`` writes the rows of CORPUS the rules of now reject, and why, one a line.

``--language javascript`` mines JavaScript/TypeScript projects by the same subject rule and row
shape: the source is the project's own ``.js``/``.ts`` code (no build, dist, bundled, config or
benchmark files), a code change is a change to a line that is not whitespace or a comment, a
subject naming a browser is no candidate (the environments are Node), and FAIL_TO_PASS is the
fix's test files: only running names their tests (``--refine``).
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

from rfsn.buildpacks.testfiles import is_test_file
from rfsn.runner import SUITE_ID

FIX = re.compile(r"\b(fix(es|ed|ing)?|bug(s|fix)?|issue|closes?|resolves?)\b", re.IGNORECASE)
#: an issue number: a fix unless the subject opens with the verb of a feature
ISSUE = re.compile(r"#\d+")
FEATURE = re.compile(r"^\W*(add|improve|update|implement|refactor|rename|support|new|introduce)", re.IGNORECASE)
#: a commit git's autosquash folds into another (``fixup!``, ``squash!``): rework of a change, no fix
AUTOSQUASH = re.compile(r"^(fixup|squash|amend)! ")
#: a platform or a Python the environments are not (they are Linux, Python 2.7 or later): its
#: fix cannot fail there before it (the platforms as proper nouns: "rolling windows" is none)
PLATFORM = r"\b(Windows|WINDOWS|[Ww]in32|OSX|OS ?X|[Mm]ac ?OS|Darwin|(Free|Open|Net)BSD)\b"
ELSEWHERE = re.compile(PLATFORM + r"|(?<![\w.])(?i:py(thon)? ?)?2\.[0-6](?![\w.])")
#: what JavaScript's environments (Node on Linux) are not: another platform, a browser, another runtime
JS_ELSEWHERE = re.compile(
    PLATFORM + r"|\b(IE ?\d*|Internet Explorer|Safari|Firefox|Chrome|Edge|Opera|"
    r"browsers?|Deno|Bun)\b"
)
JS_SOURCE = re.compile(r"\.(?:[cm]?js|jsx|[cm]?ts|tsx)$")
#: JavaScript files that are not the project's own code: built, bundled or vendored copies, task
#: and tool configuration, benchmarks and examples
JS_NOT_SOURCE = re.compile(
    r"(^|/)(dist|build|lib-cov|coverage|vendor|node_modules|benchmarks?|bench|examples?|"
    r"scripts|tasks|fixtures?)/|\.d\.[cm]?ts$|\.min\.js$|(^|/)\.|"
    r"(^|/)[\w.-]*(config|conf|rc|file)\.[cm]?[jt]s$",
    re.IGNORECASE,
)
#: a JavaScript line that is a comment (or the inside of a block comment)
JS_COMMENT = re.compile(r"^\s*(//|/\*|\*|$)")
#: a comment after code on its line (no quote after it: not inside a string)
JS_TRAILING_COMMENT = re.compile(r"""\s//[^'"`]*$""")
CHORE = re.compile(
    r"\b(typos?|flake8|lint\w*|pep8|pycodestyle|pyflakes|pylint|bugbear|ruff|travis|appveyor|"
    r"ci|mypy|typing|type hints?|docs?|"
    r"documentation|release|bump|revert\w*|merge|style|black|isort|warnings?|"
    r"deprecat\w*|py2|py3k?|python ?[23]|coverage|tests? only)\b",
    re.IGNORECASE,
)
DOCS = re.compile(
    r"(^|/)(docs?|changelog\.d|changes)/|\.(rst|md|txt)$|(^|/)(CHANGE|HISTORY|NEWS|AUTHORS)", re.IGNORECASE
)
#: the projects mined (``owner__name`` under ``--repos-dir``): small pure-Python libraries of
#: different ages and layouts
PROJECTS = (
    "alecthomas__voluptuous",
    "andialbrecht__sqlparse",
    "arrow-py__arrow",
    "astanin__python-tabulate",
    "cpburnz__python-pathspec",
    "dateutil__dateutil",
    "gweis__isodate",
    "jazzband__prettytable",
    "keleshev__schema",
    "mahmoud__boltons",
    "marshmallow-code__marshmallow",
    "martinblech__xmltodict",
    "more-itertools__more-itertools",
    "pypa__packaging",
    "pyparsing__pyparsing",
    "python-humanize__humanize",
    "python-hyper__h11",
    "Python-Markdown__markdown",
    "python-semver__python-semver",
    "pytoolz__toolz",
    "sdispater__tomlkit",
    "SethMMorton__natsort",
    "tkem__cachetools",
    "un33k__python-slugify",
)
MAX_SOURCE_LINES = 40
MAX_TEST_PATCH = 5000
MAX_TESTS = 6


class Candidate(NamedTuple):
    sha: str
    parent: str
    date: str
    subject: str
    hunks: int


def says_fix(subject: str) -> bool:
    """Pure: whether a commit subject says it fixes a bug (and is no chore)."""
    if CHORE.search(subject) or AUTOSQUASH.match(subject):
        return False
    return bool(FIX.search(subject) or (ISSUE.search(subject) and not FEATURE.search(subject)))


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True, errors="replace"
    ).stdout


def is_source(path: str, language: str = "python") -> bool:
    """The project's own code: not tests, docs, or the packaging and task scripts."""
    if is_test_file(path) or DOCS.search(path):
        return False
    if language == "javascript":
        return bool(JS_SOURCE.search(path)) and not JS_NOT_SOURCE.search(path)
    return path.endswith(".py") and path.rsplit("/", 1)[-1] not in {
        "setup.py",
        "noxfile.py",
        "conftest.py",
        "fabfile.py",
    }


def in_language(path: str, language: str) -> bool:
    return bool(JS_SOURCE.search(path)) if language == "javascript" else path.endswith(".py")


def split(files: list[str], language: str = "python") -> tuple[list[str], list[str]] | None:
    """Pure: (source files, test files) of a commit's changed files, or None when it changes
    anything else than source, tests and documentation, or lacks either source or tests."""
    source = [f for f in files if is_source(f, language)]
    tests = [f for f in files if is_test_file(f)]
    other = [f for f in files if f not in source and f not in tests and not DOCS.search(f)]
    if other or not source or not any(in_language(t, language) for t in tests):
        return None
    return source, tests


def _code(source: str) -> str | None:
    """Pure: ``source``'s syntax tree without docstrings and module-level ``__dunder__``
    assignments (``__version__``, ``__credits__``), dumped; None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    tree.body = [
        node
        for node in tree.body
        if not (
            isinstance(node, (ast.Assign, ast.AnnAssign))
            and all(
                isinstance(t, ast.Name) and t.id.startswith("__") and t.id.endswith("__") and t.id != "__all__"
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
            )
        )
    ]
    for node in ast.walk(tree):
        body = getattr(node, "body", None)
        if (
            isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
            and body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def changes_code(before: str, after: str) -> bool:
    """Pure: whether a source file's change can change what it does: not when only whitespace,
    comments, docstrings or module metadata (``__version__``) differ. A side that does not parse
    (Python 2 code) counts as a change."""
    old, new = _code(before), _code(after)
    return old is None or new is None or old != new


def changes_js_code(patch: str) -> bool:
    """Pure: whether a JavaScript diff changes code: its removed and added lines differ once
    comment lines, trailing ``//`` comments and whitespace are left out."""
    sides: dict[str, list[str]] = {"-": [], "+": []}
    for line in patch.splitlines():
        if line[:1] in sides and not line.startswith(("+++", "---")) and not JS_COMMENT.match(line[1:]):
            sides[line[0]].append("".join(JS_TRAILING_COMMENT.sub("", line[1:]).split()))
    return sorted(sides["-"]) != sorted(sides["+"])


def hunks(patch: str) -> int:
    return sum(line.startswith("@@") for line in patch.splitlines())


def changed_lines(patch: str) -> int:
    return sum(1 for line in patch.splitlines() if line[:1] in "+-" and not line.startswith(("+++", "---")))


def new_lines(patch: str) -> set[int]:
    """Pure: the new-side line numbers a zero-context diff adds (a pure deletion counts the
    line it leaves behind)."""
    lines: set[int] = set()
    for match in re.finditer(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", patch, re.MULTILINE):
        start, count = int(match[1]), int(match[2] if match[2] is not None else 1)
        lines.update(range(start, start + count) if count else [max(start, 1)])
    return lines


def _is_test_class(node: ast.ClassDef, test_bases: set[str]) -> bool:
    bases = {ast.unparse(b).rsplit(".", 1)[-1] for b in node.bases}
    return node.name.startswith("Test") or bool(bases & test_bases) or any("TestCase" in b for b in bases)


def tests_touched(source: str, path: str, lines: set[int]) -> list[str]:
    """Pure: pytest node ids of the test functions in ``source`` (a test module at ``path``)
    that hold one of ``lines``, decorators included."""
    tree = ast.parse(source)
    test_bases: set[str] = set()
    found: list[str] = []

    def span(node: ast.FunctionDef | ast.AsyncFunctionDef) -> range:
        start = min([node.lineno, *(d.lineno for d in node.decorator_list)])
        return range(start, (node.end_lineno or node.lineno) + 1)

    def walk(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name.startswith("test"):
                if lines.intersection(span(node)):
                    found.append(f"{prefix}::{node.name}")
            elif isinstance(node, ast.ClassDef) and _is_test_class(node, test_bases):
                test_bases.add(node.name)
                walk(node.body, f"{prefix}::{node.name}")

    walk(tree.body, path)
    return found


def layout(repo: Path, commit: str, test_files: list[str]) -> dict[str, Any]:
    """The project's layout at ``commit``: metadata and task files at its root, and the test
    style of the tests the fix touches (nose, unittest or pytest)."""
    root = set(git(repo, "ls-tree", "--name-only", commit).split())
    metadata = [f for f in ("setup.py", "setup.cfg", "pyproject.toml", "Pipfile") if f in root]
    runner = [f for f in ("tox.ini", "noxfile.py") if f in root]
    config = "".join(git(repo, "show", f"{commit}:{f}") for f in ("tox.ini", "setup.cfg", ".travis.yml") if f in root)
    texts = "".join(_show(repo, commit, f) for f in test_files if f.endswith(".py"))
    if re.search(r"^\s*(from|import) nose\b", texts, re.MULTILINE) or "nosetests" in config:
        style = "nose"
    elif "TestCase" in texts and not re.search(r"^\s*import pytest\b", texts, re.MULTILINE):
        style = "unittest"
    else:
        style = "pytest"
    return {
        "metadata": metadata,
        "runner": runner,
        "tests": style,
        "requirements": sorted(f for f in root if f.startswith("requirements") or f == "requirements"),
    }


def _show(repo: Path, commit: str, path: str) -> str:
    """``path`` at ``commit`` ("" where the commit has no such file; a commit the clone lacks fails)."""
    try:
        return git(repo, "show", f"{commit}:{path}")
    except subprocess.CalledProcessError:
        git(repo, "rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}")
        return ""


def instance(
    repo: Path, name: str, candidate: Candidate, source: list[str], tests: list[str], language: str = "python"
) -> dict[str, Any] | None:
    """The instance of one candidate commit, or None when its tests cannot be named."""
    sha, parent = candidate.sha, candidate.parent
    patch = git(repo, "diff", parent, sha, "--", *source)
    test_patch = git(repo, "diff", parent, sha, "--", *tests)
    if "Binary files" in test_patch or len(test_patch) > MAX_TEST_PATCH:
        return None
    f2p = _js_test_files(repo, sha, tests) if language == "javascript" else _py_tests(repo, parent, sha, tests)
    if not f2p or len(f2p) > MAX_TESTS:
        return None
    message = git(repo, "log", "-1", "--format=%B", sha).strip()
    return {
        "instance_id": f"{name}-{sha[:7]}",
        "repo": name.replace("__", "/", 1),
        "base_commit": parent,
        "problem_statement": message,
        "created_at": candidate.date,
        "patch": patch,
        "test_patch": test_patch,
        "FAIL_TO_PASS": f2p,
        "PASS_TO_PASS": [],
        "fix_commit": sha,
        "single_hunk": hunks(patch) == 1,
        "layout": js_layout(repo, parent) if language == "javascript" else layout(repo, parent, tests),
    }


def _js_test_files(repo: Path, sha: str, tests: list[str]) -> list[str]:
    """The fix's JavaScript test files that hold tests (not helpers or fixtures): the runs name
    their tests."""
    return [
        path
        for path in tests
        if JS_SOURCE.search(path)
        and _show(repo, sha, path)
        and not re.search(r"(^|/)(fixtures?|helpers?|utils?|support)(/|\.)", path, re.IGNORECASE)
    ]


def js_layout(repo: Path, commit: str) -> dict[str, Any]:
    """A JavaScript project's layout at ``commit``: its metadata and lock files, and its test script."""
    root = set(git(repo, "ls-tree", "--name-only", commit).split())
    try:
        scripts = json.loads(_show(repo, commit, "package.json") or "{}").get("scripts") or {}
    except ValueError:
        scripts = {}
    return {
        "metadata": sorted(
            root
            & {
                "package.json",
                "package-lock.json",
                "yarn.lock",
                "pnpm-lock.yaml",
                ".nvmrc",
                ".node-version",
                ".travis.yml",
                "tsconfig.json",
            }
        ),
        "tests": str(scripts.get("test", "")) if isinstance(scripts, dict) else "",
    }


def _py_tests(repo: Path, parent: str, sha: str, tests: list[str]) -> list[str] | None:
    """pytest ids of the Python test functions the test diff touches (None: a file does not parse)."""
    f2p: list[str] = []
    for path in tests:
        after = _show(repo, sha, path)
        if not path.endswith(".py") or not after:
            continue
        try:
            f2p += tests_touched(after, path, new_lines(git(repo, "diff", "-U0", parent, sha, "--", path)))
        except SyntaxError:
            return None
    return f2p


def mine(repo: Path, name: str, since: str, until: str, language: str = "python") -> list[dict[str, Any]]:
    """Every instance of ``repo``'s history between the dates, oldest first."""
    log = git(
        repo,
        "log",
        "--no-merges",
        "--reverse",
        f"--since={since}",
        f"--until={until}",
        "--format=%H%x00%P%x00%cI%x00%s",
    )
    rows = []
    for line in log.splitlines():
        sha, parents, date, subject = line.split("\0", 3)
        if " " in parents or not parents or not says_fix(subject):
            continue
        try:
            row = _commit_row(repo, name, Candidate(sha, parents, date, subject, 0), language)
        except subprocess.CalledProcessError:
            continue  # a blob the clone lacks (a snapshot leaves out its largest files)
        if row:
            rows.append(row)
    return rows


def _commit_row(repo: Path, name: str, candidate: Candidate, language: str = "python") -> dict[str, Any] | None:
    """The instance of one commit whose subject says it fixes something, or None."""
    sha, parents = candidate.sha, candidate.parent
    files = git(repo, "diff", "--name-only", "--no-renames", parents, sha).split("\n")
    parts = split([f for f in files if f], language)
    if parts is None:
        return None
    patch = git(repo, "diff", parents, sha, "--", *parts[0])
    if not patch or changed_lines(patch) > MAX_SOURCE_LINES:
        return None
    if rejected(repo, candidate.subject, parents, sha, parts[0], language):
        return None
    return instance(repo, name, candidate._replace(hunks=hunks(patch)), *parts, language=language)


def rejected(
    repo: Path, subject: str, parent: str, sha: str, source: list[str], language: str = "python"
) -> str | None:
    """Why the miner's rules reject a commit whose files and size pass (``split``), or None."""
    if not says_fix(subject):
        return "its subject does not say it fixes a bug"
    if language == "javascript":
        if JS_ELSEWHERE.search(subject):
            return "its subject names a platform, browser or runtime the environments are not (Node on Linux)"
        if not changes_js_code(git(repo, "diff", "-w", "-U0", parent, sha, "--", *source)):
            return "its source change changes no code (only whitespace, comments)"
        return None
    if ELSEWHERE.search(subject):
        return "its subject names a platform or Python the environments are not (Windows, macOS, BSD, Python 2.6)"
    if not any(changes_code(_show(repo, parent, f), _show(repo, sha, f)) for f in source):
        return "its source change changes no code (only whitespace, comments, docstrings, metadata)"
    return None


def check(corpus: Path, repos_dir: Path) -> list[tuple[str, str]]:
    """(instance id, why) of each row of ``corpus`` the miner's rules of now reject."""
    dropped = []
    for row in map(json.loads, corpus.read_text(encoding="utf-8").splitlines()):
        repo = repos_dir / row["repo"].replace("/", "__", 1)
        subject = " ".join(row["problem_statement"].split("\n\n", 1)[0].split())  # git's %s
        why = rejected(repo, subject, row["base_commit"], row["fix_commit"], touched(row["patch"]))
        if why:
            dropped.append((row["instance_id"], why))
    return dropped


def touched(patch: str) -> list[str]:
    """Pure: the files a git diff changes (their new paths)."""
    return re.findall(r"^\+\+\+ b/(.+)$", patch, re.MULTILINE)


def pick(rows: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    """Pure: up to ``count`` rows spread over the history, single-hunk fixes first (all but one
    of them when there are enough), each list taken at even steps so that old and new commits
    are both in."""
    single = [r for r in rows if r["single_hunk"]]
    multi = [r for r in rows if not r["single_hunk"]]
    want_multi = min(len(multi), max(1, count - len(single)))
    chosen = _spread(single, count - want_multi) + _spread(multi, want_multi)
    return sorted(chosen, key=lambda r: r["created_at"])


def not_taken(rows: list[dict[str, Any]], taken: set[str]) -> list[dict[str, Any]]:
    """Pure: the rows whose instance is not in ``taken`` (a corpus mined before), so a second pick
    spreads over the project's other commits and a corpus grows without repeating a row."""
    return [r for r in rows if r["instance_id"] not in taken]


def interleave(picks: list[list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """Pure: the rows of each project's pick (in the projects' order) taken round by round, the
    k-th of every project before any project's (k+1)-th, single-hunk rows of a project first: a
    prefix of the result spreads over the projects and prefers single-hunk fixes."""
    ranked = [sorted(rows, key=lambda r: not r["single_hunk"]) for rows in picks]
    return [rows[k] for k in range(max(map(len, ranked), default=0)) for rows in ranked if k < len(rows)]


def _spread(rows: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    if count <= 0 or not rows:
        return []
    if count >= len(rows):
        return list(rows)
    step = len(rows) / count
    return [rows[int(i * step + step / 2)] for i in range(count)]


def fail_to_pass(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Pure: the tests that do not pass before (failed, error, or not in the run) and pass
    after, as SWE-bench builds FAIL_TO_PASS from its two runs (statuses by test id)."""
    return sorted(t for t, status in after.items() if status == "passed" and before.get(t) != "passed")


def pass_to_pass(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Pure: the tests that pass before and after, as SWE-bench builds PASS_TO_PASS from its two
    runs (a runner's whole-script exit code is no test)."""
    return sorted(
        t for t, status in after.items() if status == "passed" and before.get(t) == "passed" and t != SUITE_ID
    )


class Runs(NamedTuple):
    """The statuses (by test id) of the run at the buggy commit and of the run with the fix, and
    what a run that read no test said (its runner's exit code and first error line), if anything."""

    before: dict[str, str]
    after: dict[str, str]
    said: str = ""
    #: the other runtime lines the project's CI declares (``LinesCapable``), to try where no test flips
    lines: tuple[str, ...] = ()


def no_test_said(exit_code: int | None, log: str) -> str:
    """Pure: why a run that read no test read none, as its output says (``the runner exited 1:
    Error: Cannot find module '../'``), or nothing for a run that exited 0 or printed nothing."""
    from rfsn.buildpacks.base import first_error

    return f"the runner exited {exit_code}: {first_error(log)}" if exit_code and log.strip() else ""


def refined(row: dict[str, Any], runs: Runs | tuple[dict[str, str], dict[str, str]] | str) -> dict[str, Any]:
    """Pure: ``row`` with the FAIL_TO_PASS and PASS_TO_PASS its two runs give (the mined
    FAIL_TO_PASS kept beside them), or as mined with why not when ``runs`` is a reason or no
    test flips (when the runs read no test, what they said)."""
    if isinstance(runs, str):
        return {**row, "refined": runs}
    runs = Runs(*runs)
    flipped = fail_to_pass(runs.before, runs.after)
    if not flipped:
        empty = runs.said or "the runner's report is empty"
        read = "" if runs.before or runs.after else f" (the runs read no test: {empty})"
        return {**row, "refined": f"no test fails at the buggy commit and passes with the fix{read}"}
    if flipped == [SUITE_ID]:  # the exit code of a runner rfsn reads no report of: the grading trusts none
        return {**row, "refined": "the runner names no test: its test script ran as a whole (no report rfsn reads)"}
    kept = pass_to_pass(runs.before, runs.after)
    return {
        **row,
        "FAIL_TO_PASS": flipped,
        "PASS_TO_PASS": kept,
        "mined_FAIL_TO_PASS": row["FAIL_TO_PASS"],
        "refined": "ok",
    }


def run_both(row: dict[str, Any], repos_dir: Path, timeout: float) -> Runs | str:
    """Statuses of the files of the row's tests at the buggy commit with its test patch, then
    with its fix too, each in a fresh sandbox of rfsn's environment for the instance (and what
    the first that read no test said); or why the runs say nothing (the fix run's broken
    environment, a patch that does not apply)."""
    import shutil
    import tempfile

    from rfsn.batch.harness.grading import selection
    from rfsn.batch.harness.patching import apply_patch, apply_test_patch, pristine
    from rfsn.batch.harness.repos import Origin, checkout, env_history, published, resolve_source
    from rfsn.batch.harness.specenv import instance_buildpack
    from rfsn.buildpacks.base import HealthCapable, LinesCapable
    from rfsn.errors import RfsnError
    from rfsn.models.swebench import Instance
    from rfsn.runner import run_tests
    from rfsn.sandbox import choose_kind, open_sandbox
    from rfsn.settings import load_settings

    settings = load_settings()
    inst = Instance.model_validate(row)
    tmp = Path(tempfile.mkdtemp(prefix="rfsn-refine-"))
    try:
        ws = checkout(
            resolve_source(inst.repo, repos_dir),
            tmp / "repo",
            inst.base_commit,
            settings.home / "repos",
            repos_dir=repos_dir,
            upstream=published(inst.repo),
        )
        history = env_history(
            Origin(inst.repo, settings.home / "repos", settings.clone_timeout, repos_dir),
            inst.environment_setup_commit,
            inst.base_commit,
            ws.path,
            tmp / "env-history",
        )
        buildpack = instance_buildpack(inst, ws.path, settings, history=history)
        lines = buildpack.declared_lines(ws.path) if isinstance(buildpack, LinesCapable) and not buildpack.line else []
        runs: list[dict[str, str]] = []
        said = ""
        for patch in ("", inst.patch):
            pristine(ws)
            if patch and not apply_patch(ws, patch).applied:
                return "the fix does not apply"
            if not apply_test_patch(ws, inst.test_patch, ws.base_commit).applied:
                return "the test patch does not apply"
            with open_sandbox(ws.path, buildpack, settings, choose_kind(settings.sandbox), budget=timeout) as box:
                report = run_tests(box, buildpack, selection(buildpack, ws.path, inst.FAIL_TO_PASS), timeout)
            # a base whose test module cannot import what the fix adds is a failing base (as
            # SWE-bench counts it); a fix run that says nothing says nothing of either
            broken = buildpack.diagnose(report, ws.path) if patch and isinstance(buildpack, HealthCapable) else None
            if broken or report.timed_out:
                return f"{'fix' if patch else 'base'} run: {broken or 'timed out'}"
            runs.append({test: str(status) for test, status in report.tests.items()})
            said = said or ("" if report.tests else no_test_said(report.exit_code, report.log))
        return Runs(runs[0], runs[1], said, tuple(lines))
    except RfsnError as exc:
        return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def repeated(out: dict[str, Any], again: Runs | str) -> list[str]:
    """Pure: the FAIL_TO_PASS of ``out`` that a second pair of runs on the same runtime flips
    again: a flip seen once may be a flaky test's (a timing window missed under load)."""
    flipped = fail_to_pass(again.before, again.after) if isinstance(again, Runs) else []
    return [t for t in out["FAIL_TO_PASS"] if t in flipped]


def refine_row(row: dict[str, Any], repos_dir: Path, timeout: float) -> dict[str, Any]:
    """``row`` refined by its runs on the runtime rfsn chooses, its FAIL_TO_PASS the tests a
    second pair of runs flips again; where they read tests and none flips twice, on each other
    line the project's CI declares in turn until one flips one twice (those tests), that line
    kept as the row's ``runtime`` (its environment's from then on: validation's, repair's)."""
    runs = run_both(row, repos_dir, timeout)
    out = refined(row, runs)
    if not isinstance(runs, Runs) or not (runs.before or runs.after):
        return out
    here = ""
    if out["refined"] == "ok":
        kept = repeated(out, run_both(row, repos_dir, timeout))
        if kept:
            return {**out, "FAIL_TO_PASS": kept}
        here = f" ({out['FAIL_TO_PASS'][0]} flipped once, not again)"
        out = {**row, "refined": "no test fails at the buggy commit and passes with the fix twice"}
    once = []
    for name in runs.lines:
        on = {**row, "runtime": name}
        other = refined(on, run_both(on, repos_dir, timeout))
        kept = repeated(other, run_both(on, repos_dir, timeout)) if other["refined"] == "ok" else []
        if kept:
            return {**other, "FAIL_TO_PASS": kept}
        once += [f"{name}: {other['FAIL_TO_PASS'][0]} flipped once, not again"] if other["refined"] == "ok" else []
    said = "; ".join(once) or "none flips"
    tried = f" (on the CI's other lines {', '.join(runs.lines)}: {said})" if runs.lines else ""
    return {**out, "refined": out["refined"] + here + tried}


def refine(corpus: Path, out: Path, repos_dir: Path, ids: set[str], timeout: float) -> None:
    """Write ``corpus`` to ``out`` with the rows of ``ids`` (all when empty) refined; a row
    already refined in ``out`` is kept (a run again resumes)."""
    done = (
        {r["instance_id"]: r for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
        if out.is_file()
        else {}
    )
    rows = []
    for row in map(json.loads, corpus.read_text(encoding="utf-8").splitlines()):
        if row["instance_id"] in done and "refined" in done[row["instance_id"]]:
            row = done[row["instance_id"]]
        elif not ids or row["instance_id"] in ids:
            row = refine_row(row, repos_dir, timeout)
            print(f"{row['instance_id']}: {row['refined']}", file=sys.stderr)
        rows.append(row)
        out.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repos-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--per-project", type=int, default=4)
    parser.add_argument(
        "--projects",
        default="",
        help="owner__name of the projects to mine, space-separated (default: the history corpus's)",
    )
    parser.add_argument(
        "--interleave",
        action="store_true",
        help="order the rows round by round over the projects (default: project by project)",
    )
    parser.add_argument(
        "--language",
        choices=("python", "javascript"),
        default="python",
        help="the projects' language (javascript: JavaScript and TypeScript)",
    )
    parser.add_argument(
        "--exclude",
        type=Path,
        metavar="CORPUS",
        help="pick none of this corpus's rows again (grow it: append --out's rows to it)",
    )
    parser.add_argument("--since", default="2015-01-01")
    parser.add_argument("--until", default="2025-01-01")
    parser.add_argument("--refine", type=Path, metavar="CORPUS", help="refine this corpus's FAIL_TO_PASS")
    parser.add_argument(
        "--check",
        type=Path,
        metavar="CORPUS",
        help="list the rows of this corpus the rules reject now, and why (--out: that list)",
    )
    parser.add_argument("--instance-ids", default="", help="with --refine: only these rows (space-separated)")
    parser.add_argument("--timeout", type=float, default=900.0, help="with --refine: seconds a test run")
    args = parser.parse_args()
    if args.refine:
        if args.refine.resolve() == args.out.resolve():
            parser.error("--out must not be the corpus --refine reads (the mined corpus stays as written)")
        if not args.refine.is_file():
            parser.error(f"no such corpus: {args.refine}")
        unknown = set(args.instance_ids.split()) - {
            json.loads(line)["instance_id"] for line in args.refine.read_text(encoding="utf-8").splitlines()
        }
        if unknown:
            parser.error(f"not in the corpus: {' '.join(sorted(unknown))}")
        refine(args.refine, args.out, args.repos_dir, set(args.instance_ids.split()), args.timeout)
        return
    if args.check:
        if not args.check.is_file():
            parser.error(f"no such corpus: {args.check}")
        missing = {
            r["repo"].replace("/", "__", 1)
            for r in map(json.loads, args.check.read_text(encoding="utf-8").splitlines())
        } - {p.name for p in args.repos_dir.glob("*") if (p / ".git").exists() or (p / "HEAD").is_file()}
        if missing:
            parser.error(f"not cloned in {args.repos_dir}: {' '.join(sorted(missing))}")
        dropped = check(args.check, args.repos_dir)
        args.out.write_text("".join(f"{row}\t{why}\n" for row, why in dropped), encoding="utf-8")
        print(f"{len(dropped)} rows rejected -> {args.out}", file=sys.stderr)
        return
    taken = set()
    if args.exclude:
        taken = {json.loads(line)["instance_id"] for line in args.exclude.read_text(encoding="utf-8").splitlines()}
    picks = []
    for name in sorted(args.projects.split() or PROJECTS):
        repo = args.repos_dir / name
        if not repo.is_dir():
            print(f"{name}: not in {args.repos_dir}, skipped", file=sys.stderr)
            continue
        rows = not_taken(mine(repo, name, args.since, args.until, args.language), taken)
        picked = pick(rows, args.per_project)
        print(f"{name}: {len(rows)} candidates, {len(picked)} picked", file=sys.stderr)
        picks.append(picked)
    chosen = interleave(picks) if args.interleave else [row for picked in picks for row in picked]
    args.out.write_text("".join(json.dumps(row) + "\n" for row in chosen), encoding="utf-8")
    print(
        f"{len(chosen)} instances, {sum(r['single_hunk'] for r in chosen)} single-hunk -> {args.out}", file=sys.stderr
    )


if __name__ == "__main__":
    main()
