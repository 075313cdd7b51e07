"""The ceiling check on real SWE-bench instances: a model that knows the answer, through the
whole pipeline, issue-only and with the tests given, then ``rfsn evaluate`` on both.

    python benchmarks/ceiling_swebench.py DATASET.json --repos-dir DIR --out DIR \\
        --instance-ids "ID ..." [--workers 2] [--settings issue_only tests_given]

The knowing model (``python -m rfsn.llm.fake_server --answers``) answers each instance with its
gold patch, and, asked for a reproduction, with one new test file beside the first failing
test's file: from each test file ``test_patch`` touches, the tests that fail before the fix and
the old tests whose expectations it changes, with the imports and helpers they need; data files
the test patch adds are written by that module when it is imported. Told that its fix broke old
tests that ``test_patch`` removes or changes, it calls them obsolete. An instance
whose FAIL_TO_PASS ids are bare names (sympy's runner) has them looked up in the test modules
``test_patch`` leaves; one whose tests cannot be found so is listed and skipped.
A session that does not end resolved is rfsn losing a right answer. The model's server
records every request (``SETTING/requests.jsonl``): the table also says, per instance, whether
the first issue-only prompt names every gold file and how many gold hunks the first prompt
with the tests given shows (rfsn's own localization, before the model reads anything).
Figures only: nothing is asserted. The datasets and repositories stay outside this repository.

With ``--model recording`` the server answers nothing usable (``fake_server --record`` alone)
and nothing is evaluated: the table says, per instance, how many gold hunks show a changed
line in some prompt of the session (rfsn's own localization alone, the tests run and their
suspicious lines included), and what the session cost in calls and tokens.
"""

from __future__ import annotations

import argparse
import ast
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from prompt_reach import gold_files, gold_lines, named

from rfsn.llm.fake_answers import plain, prompt_text, quotes

KEY = "sk-local-0000000000000000000000"
SETTINGS = {"issue_only": [], "tests_given": ["--oracle-tests"]}


def _git(repo: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], input=stdin, capture_output=True, text=True, check=True
    ).stdout


def answer(instance: dict[str, Any], repo: Path) -> dict[str, str] | None:
    """The knowing model's answer for ``instance`` (None: its tests are not pytest files)."""
    f2p = instance["FAIL_TO_PASS"]
    f2p = json.loads(f2p) if isinstance(f2p, str) else f2p  # the dataset files keep lists as JSON text
    named = f2p[0].split("::", 1)[0] if f2p else ""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / "w"
        subprocess.run(["git", "clone", "-q", "--shared", "--no-checkout", str(repo), str(work)], check=True)
        _git(work, "checkout", "-q", instance["base_commit"])
        summary = _git(work, "apply", "--numstat", "--summary", "-", stdin=instance["test_patch"])
        touched = [line.split("\t")[-1] for line in summary.splitlines() if line.count("\t") == 2]
        files = [*([named] if named.endswith(".py") else []), *(p for p in touched if p != named)]
        before = {p: _text(work / p) for p in files}
        _git(work, "apply", "-", stdin=instance["test_patch"])
        after = {p: _text(work / p) for p in files}
    f2p = [qualified(t, after) for t in f2p]
    test_file = f2p[0].split("::", 1)[0] if f2p else ""
    if not test_file.endswith(".py"):
        return None
    files = [test_file, *(p for p in files if p != test_file)]
    folder, _, name = test_file.rpartition("/")
    # per test file the patch touches: the tests that fail before the fix, and the old tests whose
    # expectations the fix changes; restated in the reproduction, those may break
    # (rfsn.planners.reproduce.restated). One reproduction file holds them all, as one model answer would.
    # Every other file the patch adds or changes (a test root's conf.py and modules, data) is
    # data, written as the patch leaves it.
    # Asked again (the first did not reproduce), it also keeps the tests that come before those
    # in their module: a test may fail only after others have run (a shared build directory),
    # and those may be tests the environment fails (sphinx-8721's ``test_viewcode``).
    parts, fuller, data = [], [], {}
    for path in files:
        wanted = {t.split("::", 1)[1] for t in f2p if t.startswith(path + "::")} | (
            changed_tests(before[path] or "", after[path] or "") if path.endswith(".py") else set()
        )
        if wanted and after[path]:
            parts.append(only_tests(after[path], wanted))
            fuller.append(only_tests(after[path], wanted | preceding(after[path], wanted)))
        elif after[path] is not None and after[path] != before[path]:
            data[os.path.relpath(path, folder or ".")] = after[path]
    # the old tests the test patch removes or changes: the fix may break them, and a model that
    # knows it says so when told it did (rfsn.planners.verify.obsolete)
    obsolete = [
        f"{path}::{test}"
        for path in files
        if path.endswith(".py")
        for test in outdated(before[path] or "", after[path] or "")
    ]
    return {
        "problem": instance["problem_statement"],
        "fix": instance["patch"],
        "test_path": f"{folder + '/' if folder else ''}test_rfsn_repro_{name.removeprefix('test_')}",
        "test": one_module(parts) + with_data(data),
        "test_again": one_module(fuller) + with_data(data),
        "obsolete": obsolete,
    }


def qualified(test: str, modules: dict[str, str | None]) -> str:
    """``test`` as ``path::name``: a runner that reports bare names (sympy's ``test_issue_24211``)
    has it looked up among the test modules the test patch leaves."""
    if "::" in test or test.endswith(".py"):
        return test
    return next(
        (
            f"{path}::{test}"
            for path, text in modules.items()
            if path.endswith(".py") and text and test in _test_sources(text)
        ),
        test,
    )


def _text(path: Path) -> str | None:
    """The text of ``path``; None if there is no such file or it is not UTF-8 text."""
    try:
        return path.read_text() if path.is_file() else None
    except UnicodeDecodeError:
        return None


_FUTURE = re.compile(r"^from __future__ import [^\n]*\n", re.M)


def one_module(parts: list[str]) -> str:
    """Test modules joined into one: their ``__future__`` imports first, as Python requires."""
    if len(parts) == 1:
        return parts[0]
    futures = dict.fromkeys(line for part in parts for line in _FUTURE.findall(part))
    return "".join(futures) + "\n\n".join(_FUTURE.sub("", part) for part in parts)


def with_data(files: dict[str, str]) -> str:
    """Module code that writes the data files the test patch adds (relative to the test's
    folder) when the reproduction is imported: one new test file carries them, as a model
    writing its data inline would."""
    if not files:
        return ""
    return (
        "\n\nimport pathlib as _rfsn_pathlib\n\n"
        f"for _rel, _text in {files!r}.items():\n"
        "    _path = _rfsn_pathlib.Path(__file__).parent / _rel\n"
        "    _path.parent.mkdir(parents=True, exist_ok=True)\n"
        "    _path.write_text(_text)\n"
    )


_SKIPPING = re.compile(r"\b(?:skip\w*|xfail|expectedFailure)\b")
_SKIP_CALL = re.compile(r"\bpytest\.(?:skip|xfail|exit)\(|\bpytestmark\b")


def _test_sources(text: str) -> dict[str, str]:
    """``test_x`` / ``TestA::test_b`` -> its source, for the tests of a module."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return {}
    found: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            found[node.name] = ast.unparse(node)
        elif isinstance(node, ast.ClassDef):
            for method in node.body:
                if isinstance(method, ast.FunctionDef | ast.AsyncFunctionDef) and method.name.startswith("test"):
                    found[f"{node.name}::{method.name}"] = ast.unparse(method)
    return found


def preceding(text: str, wanted: set[str]) -> set[str]:
    """The tests of a module that come before the last of ``wanted`` (parameters aside)."""
    names = list(_test_sources(text))
    bare = {w.split("[", 1)[0] for w in wanted}
    last = max((i for i, name in enumerate(names) if name in bare), default=-1)
    return set(names[:last])


def changed_tests(before: str, after: str) -> set[str]:
    """The tests of a module that exist before the test patch and that it changes."""
    return set(outdated(before, after)) & set(_test_sources(after))


def outdated(before: str, after: str) -> list[str]:
    """The tests of a module before the test patch that it removes or changes."""
    old, new = _test_sources(before), _test_sources(after)
    return [name for name, source in old.items() if new.get(name) != source]


def only_tests(text: str, wanted: set[str]) -> str:
    """The test module ``text`` with only the ``wanted`` tests (``test_x``, ``TestA::test_b``,
    parameters aside) among its test functions and methods (a class with test methods is a
    test class, ``unittest`` style too): what a model writing a short reproduction would keep.
    Imports, fixtures and helpers stay; skip and expected-failure decorators, and module-level
    statements that skip, go (the reproduction prompt forbids them)."""
    names = {w.split("[", 1)[0] for w in wanted}
    tree = ast.parse(text)
    drop: list[tuple[int, int]] = []
    tests: list[ast.AST] = []  # the tests and test classes kept

    def span(node: ast.AST) -> tuple[int, int]:
        first = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])  # type: ignore[attr-defined]
        return first, node.end_lineno or node.lineno  # type: ignore[attr-defined]

    def keep_or_drop(node: ast.AST, keep: bool) -> None:
        if keep:
            tests.append(node)
        else:
            drop.append(span(node))

    bases = {
        b.id for node in tree.body if isinstance(node, ast.ClassDef) for b in node.bases if isinstance(b, ast.Name)
    }
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            keep_or_drop(node, node.name in names)
        elif isinstance(node, ast.ClassDef) and node.name not in bases:  # a base (a mixin) is a helper
            methods = [
                m
                for m in node.body
                if isinstance(m, ast.FunctionDef | ast.AsyncFunctionDef) and m.name.startswith("test")
            ]
            if not (node.name.startswith("Test") or methods):
                continue
            mine = {n.split("::", 1)[1] for n in names if n.startswith(node.name + "::")}
            keep_or_drop(node, bool(mine))
            for method in methods if mine else []:
                keep_or_drop(method, method.name in mine)
    drop += [
        (d.lineno, d.end_lineno or d.lineno)
        for node in tests
        for d in getattr(node, "decorator_list", [])
        if _SKIPPING.search(ast.unparse(d.func if isinstance(d, ast.Call) else d))
    ]  # not its arguments
    # module-level statements that skip the module (``if jython: pytest.skip(...)``) go
    drop += [
        (node.lineno, node.end_lineno or node.lineno)
        for node in tree.body
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        and _SKIP_CALL.search(ast.unparse(node))
    ]
    gone = {n for first, last in drop for n in range(first, last + 1)}
    # module-level names nothing kept uses (``need_dotenv = pytest.mark.skipif(...)``) go too,
    # and so do helpers that skip (``attempt_symlink_to``) when no kept code names them
    # (a fixture is named by a parameter)
    kept = [node for node in tree.body if node.lineno not in gone]
    used = {n.id for node in kept for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
    used |= {n.arg for node in kept for n in ast.walk(node) if isinstance(n, ast.arg)}
    for node in kept:
        unused_assign = isinstance(node, ast.Assign) and not any(  # ``A, B = symbols(...)`` too
            isinstance(n, ast.Name) and n.id in used for t in node.targets for n in ast.walk(t)
        )
        unused_skipping_helper = (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and node not in tests
            and node.name not in used
            and _SKIP_CALL.search(ast.unparse(node))
        )
        if unused_assign or unused_skipping_helper:
            gone.update(
                range(
                    min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]),
                    (node.end_lineno or node.lineno) + 1,
                )
            )
    lines = text.splitlines(keepends=True)
    return "".join(line for n, line in enumerate(lines, 1) if n not in gone)


def _rfsn(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "rfsn", *args], check=False, env={**os.environ, "OPENAI_API_KEY": KEY})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--repos-dir", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--instance-ids", required=True)
    parser.add_argument("--workers", default="2")
    parser.add_argument(
        "--settings", nargs="+", choices=SETTINGS, default=list(SETTINGS), help="which settings to run (default: both)"
    )
    parser.add_argument(
        "--model",
        choices=("knows", "recording"),
        default="knows",
        help="a model that knows the answer (default), or one that answers nothing usable",
    )
    args = parser.parse_args()
    wanted = args.instance_ids.split()
    instances = [x for x in json.loads(args.dataset.read_text()) if x["instance_id"] in wanted]
    args.out.mkdir(parents=True, exist_ok=True)
    answers, runnable = [], []
    for x in instances:
        found = answer(x, args.repos_dir / x["repo"].replace("/", "__")) if args.model == "knows" else {}
        if found is None:
            print(f"{x['instance_id']}: skipped, FAIL_TO_PASS names no test module")
            continue
        answers.append(found)
        runnable.append(x)
    (args.out / "answers.jsonl").write_text("".join(json.dumps(a) + "\n" for a in answers))
    (args.out / "instances.json").write_text(json.dumps(runnable))
    for setting in args.settings:
        extra = SETTINGS[setting]
        run = args.out / setting
        run.mkdir(parents=True, exist_ok=True)
        knowing = ["--answers", str(args.out / "answers.jsonl")] if args.model == "knows" else []
        server = subprocess.Popen(
            [sys.executable, "-m", "rfsn.llm.fake_server", *knowing, "--record", str(run / "requests.jsonl")],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert server.stdout is not None
            url = server.stdout.readline().split(": ", 1)[1].strip()
            _rfsn(
                "batch",
                str(args.out / "instances.json"),
                "--out",
                str(run),
                "--planner",
                "openai",
                "--model",
                args.model,
                "--base-url",
                url,
                "--repos-dir",
                str(args.repos_dir),
                "--workers",
                args.workers,
                "--model-name",
                f"{args.model}-{setting}",
                *extra,
            )
        finally:
            server.terminate()
            server.wait()
        if args.model == "knows":
            _rfsn(
                "evaluate",
                str(run / "predictions.jsonl"),
                "--instances",
                str(args.out / "instances.json"),
                "--run-id",
                setting,
                "--report-dir",
                str(args.out),
                "--repos-dir",
                str(args.repos_dir),
                "--workers",
                args.workers,
            )
    if args.model == "knows":
        table(args.out)
    else:
        recorded(args.out)


def prompts(run: Path, instances: list[dict[str, Any]]) -> dict[str, list[str]]:
    """Per instance, the texts of the requests rfsn sent for it, in order, told apart by the
    problem statement they quote, as the knowing model does."""
    record = run / "requests.jsonl"
    bodies = [json.loads(line) for line in record.read_text().splitlines()] if record.is_file() else []
    texts = [plain(prompt_text(b)) for b in bodies]
    sent: dict[str, list[str]] = {}
    for x in instances:
        sent[x["instance_id"]] = [
            prompt_text(b) for b, t in zip(bodies, texts, strict=True) if quotes(t, x["problem_statement"])
        ]
    return sent


def reach(setting: str, instance: dict[str, Any], prompt: str | None) -> str:
    """Issue-only: does the first prompt name every gold file? Tests given: how many of the gold
    patch's hunks show a line they change in it (rfsn's own localization, before any reading)?"""
    if prompt is None:
        return "no request"
    if setting == "issue_only":
        return "named" if all(named(f, prompt) for f in gold_files(instance["patch"])) else "not named"
    hunks = gold_lines(instance["patch"])
    return f"{sum(any(line in prompt for line in h) for h in hunks)}/{len(hunks)} hunks shown"


def table(out: Path) -> None:
    instances = {x["instance_id"]: x for x in json.loads((out / "instances.json").read_text())}
    print("| setting | instance | session | resolved | first prompt | input tokens | output tokens |")
    print("|---|---|---|---|---|---|---|")
    for setting in SETTINGS:
        summary = next(out.glob(f"knows-{setting}.{setting}.json"), None)
        resolved = set(json.loads(summary.read_text())["resolved_ids"]) if summary else set()
        results = out / setting / "results.jsonl"
        if not results.is_file():
            continue
        rows = [json.loads(line) for line in results.read_text().splitlines()]
        sent = prompts(out / setting, list(instances.values()))
        for row in rows:
            iid = row["instance_id"]
            first = sent[iid][0] if sent.get(iid) else None
            print(
                f"| {setting} | {iid} | {row['status']} | {'yes' if iid in resolved else 'no'} | "
                f"{reach(setting, instances[iid], first)} | {row.get('input_tokens', 0)} | "
                f"{row.get('output_tokens', 0)} |"
            )
        print(f"| {setting} | all | | {len(resolved)}/{len(rows)} | | | |")


def recorded(out: Path) -> None:
    """The recording model's table: per instance, the gold hunks some prompt of its session
    shows a changed line of, and what the session cost."""
    instances = {x["instance_id"]: x for x in json.loads((out / "instances.json").read_text())}
    print("| setting | instance | session | hunks shown in some prompt | calls | input tokens | output tokens |")
    print("|---|---|---|---|---|---|---|")
    for setting in SETTINGS:
        results = out / setting / "results.jsonl"
        if not results.is_file():
            continue
        rows = [json.loads(line) for line in results.read_text().splitlines()]
        sent = prompts(out / setting, list(instances.values()))
        some = every = 0
        for row in rows:
            iid = row["instance_id"]
            hunks = gold_lines(instances[iid]["patch"])
            shown = sum(any(line in text for text in sent[iid] for line in h) for h in hunks)
            some += shown > 0
            every += shown == len(hunks)
            print(
                f"| {setting} | {iid} | {row['status']} | {shown}/{len(hunks)} | {row.get('llm_calls', 0)} | "
                f"{row.get('input_tokens', 0)} | {row.get('output_tokens', 0)} |"
            )
        print(f"| {setting} | all | | some hunk {some}/{len(rows)}, every hunk {every}/{len(rows)} | | | |")


if __name__ == "__main__":
    main()
