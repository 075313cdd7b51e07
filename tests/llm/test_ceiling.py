"""The ceiling check: a model that knows the answer (the package's fake server, ``KnowsTheAnswer``)
resolves a realistically laid out repository through the whole pipeline (reply parser, gate,
reproduction, screening, verification, patch), issue-only and with the tests given, through
both SDKs; a model that answers nothing is shown the file to fix in its first prompt."""

from __future__ import annotations

import difflib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rfsn.llm.fake_answers import KnowsTheAnswer, Recording
from rfsn.llm.fake_server import FakeServer

pytestmark = [pytest.mark.docker, pytest.mark.slow]

BUGGY = (
    '"""Prices of order lines."""\n\nfrom decimal import Decimal\n\nBULK = 10\n\n\n'
    "def discount(quantity: int) -> Decimal:\n"
    '    """The fraction off a line of ``quantity`` items."""\n'
    '    if quantity > BULK:\n        return Decimal("0.1")\n    return Decimal(0)\n'
)
FIXED = BUGGY.replace("if quantity > BULK:", "if quantity >= BULK:")
FIX = "".join(
    difflib.unified_diff(
        BUGGY.splitlines(True), FIXED.splitlines(True), "a/ledger/core/pricing.py", "b/ledger/core/pricing.py"
    )
)
REPRO = (
    "from decimal import Decimal\n\nfrom ledger.core.pricing import BULK, discount\n\n\n"
    "def test_the_discount_starts_at_the_threshold(order_of):\n"
    '    assert discount(order_of(BULK)) == Decimal("0.1")\n'
)
PROBLEM = "No bulk discount for an order of exactly BULK items: it should start at the threshold."
KEY = "sk-test-0123456789abcdefghijklmnop"


def _project(root: Path) -> Path:
    """Nested packages, a conftest with fixtures, 240 modules, one failure at baseline that is
    not the problem."""
    files = {
        "pyproject.toml": '[project]\nname = "ledger"\nversion = "1.0"\n',
        "ledger/__init__.py": "",
        "ledger/core/__init__.py": "",
        "ledger/core/pricing.py": BUGGY,
        "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\ndef order_of():\n    return lambda n: n\n",
        "tests/core/test_pricing.py": (
            "from decimal import Decimal\n\n"
            "from ledger.core.pricing import discount\n\n\n"
            "def test_small_orders_pay_full(order_of):\n"
            "    assert discount(order_of(2)) == Decimal(0)\n"
        ),
        "tests/test_legacy.py": "def test_the_old_export():\n    assert 'csv' == 'xlsx'\n",
    }
    for i in range(24):
        files[f"ledger/plugins/p{i}/__init__.py"] = ""
        for j in range(10):
            files[f"ledger/plugins/p{i}/m{j}.py"] = (
                f"class Plugin{i}x{j}:\n    def run(self, value: int) -> int:\n        return value + {j}\n"
            )
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    return root


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=repo, check=True)


def _repair(repo: Path, server: FakeServer, provider: str, out: Path, *extra: str) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_API_KEY")}
    env |= {"OPENAI_API_KEY": KEY, "ANTHROPIC_API_KEY": KEY, "RFSN_HOME": str(out.parent / "home")}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "rfsn",
            "repair",
            str(repo),
            "--planner",
            provider,
            "--model",
            "m",
            "--base-url",
            server.base_url(provider),
            "--out",
            str(out),
            "--sandbox",
            "docker",
            "--no-cache",
            *extra,
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    results = list(out.glob("*/result.json"))
    assert results, proc.stdout + proc.stderr[-3000:]
    steps = [json.loads(line) for line in (results[0].parent / "trajectory.jsonl").read_text().splitlines()]
    return {"proc": proc, "trajectory": steps, **json.loads(results[0].read_text())}


def _reads(result: dict[str, Any]) -> list[tuple[str, str, bool]]:
    """(phase, path, accepted) of each file the model read, as the trajectory recorded it."""
    return [
        (s["phase"], s["proposal"]["path"], s["decision"]["accepted"])
        for s in result["trajectory"]
        if s["proposal"]["intent"] == "read_file"
    ]


def test_issue_only_a_model_that_knows_the_answer_resolves_it(docker_client: Any, tmp_path: Path) -> None:
    repo = _project(tmp_path / "ledger")
    with FakeServer([], responder=KnowsTheAnswer(FIX, ("tests/test_issue_threshold.py", REPRO))) as server:
        result = _repair(repo, server, "anthropic", tmp_path / "out", "--problem", PROBLEM)
    assert result["status"] == "fixed", result["message"] + result["proc"].stdout[-2000:]
    changed = [ln for ln in result["patch"].splitlines() if ln[:1] in "+-" and ln[:3] not in ("+++", "---")]
    assert changed == ["-    if quantity > BULK:", "+    if quantity >= BULK:"]
    assert "tests/test_issue_threshold.py" not in result["patch"]  # the reproduction is scaffolding
    assert result["failing_before"] == ["tests/test_issue_threshold.py::test_the_discount_starts_at_the_threshold"]
    assert result["input_tokens"] > 0 and result["output_tokens"] > 0
    runs = [
        s["proposal"]["tests"]
        for s in result["trajectory"]
        if s["phase"] == "reproduce" and s["proposal"]["intent"] == "run_tests"
    ]
    assert runs == [[], ["tests/test_issue_threshold.py"]]  # the baseline, then the new file alone
    # it read the file before it wrote the test and before it fixed it: through the gate, on the record
    assert set(_reads(result)) == {
        ("reproduce", "ledger/core/pricing.py", True),
        ("patch", "ledger/core/pricing.py", True),
    }
    answered = [json.dumps(body) for body in server.requests if "### view_file" in json.dumps(body)]
    assert answered and all("    if quantity > BULK:" in body for body in answered)


OLD_TEST = (
    "from decimal import Decimal\n\nfrom ledger.core.pricing import BULK, discount\n\n\n"
    "def test_the_threshold(order_of):\n    assert discount(order_of(BULK)) == Decimal(0)\n"
)


def _with_an_old_test(tmp_path: Path) -> Path:
    """The project with a test that asserts the buggy behaviour."""
    repo = _project(tmp_path / "ledger")
    (repo / "tests" / "core" / "test_threshold.py").write_text(OLD_TEST)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "a test of the old behaviour")
    return repo


def test_issue_only_an_old_test_the_reproduction_restates_may_break(docker_client: Any, tmp_path: Path) -> None:
    """An existing test asserts the buggy behaviour; the reproduction restates it (same name, new
    expectation), as the project's own fix updates it. The fix breaks the old one: fixed, with a
    concern that names it, not "no plausible patch"."""
    repo = _with_an_old_test(tmp_path)
    restating = OLD_TEST.replace("== Decimal(0)", '== Decimal("0.1")')
    with FakeServer([], responder=KnowsTheAnswer(FIX, ("tests/core/test_issue_threshold.py", restating))) as server:
        result = _repair(repo, server, "openai", tmp_path / "out", "--problem", PROBLEM)
    assert result["status"] == "fixed", result["message"] + result["proc"].stdout[-2000:]
    assert "+    if quantity >= BULK:" in result["patch"]
    assert any(
        c.startswith("tests/core/test_threshold.py::test_the_threshold no longer passes") for c in result["concerns"]
    ), result["concerns"]


def test_issue_only_an_old_test_the_project_removed_is_called_obsolete_and_may_break(
    docker_client: Any, tmp_path: Path
) -> None:
    """An existing test asserts the buggy behaviour and the project's fix removed it (pytest-5413),
    so the reproduction does not restate it. The fix breaks it; told so, the knowing model calls
    it obsolete: fixed, with a concern that names it."""
    repo = _with_an_old_test(tmp_path)
    knowing = KnowsTheAnswer(
        FIX,
        ("tests/core/test_issue_threshold.py", REPRO),
        obsolete=("tests/core/test_threshold.py::test_the_threshold",),
    )
    with FakeServer([], responder=knowing) as server:
        result = _repair(repo, server, "openai", tmp_path / "out", "--problem", PROBLEM)
    assert result["status"] == "fixed", result["message"] + result["proc"].stdout[-2000:]
    assert "+    if quantity >= BULK:" in result["patch"]
    assert result["concerns"] == [
        "tests/core/test_threshold.py::test_the_threshold no longer passes: the model "
        "called it obsolete (it asserts the behaviour the problem asks to change)"
    ]


def test_with_the_tests_given_a_model_that_knows_the_answer_resolves_it(docker_client: Any, tmp_path: Path) -> None:
    repo = _project(tmp_path / "ledger")
    (repo / "tests" / "test_issue_threshold.py").write_text(REPRO)
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "the failing test")
    target = "tests/test_issue_threshold.py::test_the_discount_starts_at_the_threshold"
    with FakeServer([], responder=KnowsTheAnswer(FIX, ("tests/unused.py", REPRO))) as server:
        result = _repair(repo, server, "openai", tmp_path / "out", "--tests", target)
    assert result["status"] == "fixed", result["message"] + result["proc"].stdout[-2000:]
    assert "+    if quantity >= BULK:" in result["patch"]


def test_a_model_that_answers_nothing_is_shown_the_file_to_fix_first(docker_client: Any, tmp_path: Path) -> None:
    repo = _project(tmp_path / "ledger")
    with FakeServer([], responder=Recording()) as server:
        result = _repair(repo, server, "openai", tmp_path / "out", "--problem", PROBLEM, "--max-calls", "4")
        first = json.dumps(server.requests[0])
    assert result["status"] != "fixed"
    assert "ledger/core/pricing.py" in first and "def discount(quantity: int)" in first


def test_the_ceiling_server_runs_from_the_shell_for_ones_own_check(tmp_path: Path) -> None:
    """``python -m rfsn.llm.fake_server --fix F --test T`` serves the answer to the real SDK."""
    import openai

    (tmp_path / "fix.diff").write_text(FIX)
    (tmp_path / "test_repro.py").write_text(REPRO)
    with subprocess.Popen(
        [
            sys.executable,
            "-m",
            "rfsn.llm.fake_server",
            "--fix",
            str(tmp_path / "fix.diff"),
            "--test",
            str(tmp_path / "test_repro.py"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            url = proc.stdout.readline().split(": ", 1)[1].strip()
            client = openai.OpenAI(api_key=KEY, base_url=url, max_retries=0)
            test = client.chat.completions.create(
                model="m", messages=[{"role": "user", "content": "Write ONE NEW test file for this problem."}]
            )
            fix = client.chat.completions.create(model="m", messages=[{"role": "user", "content": "Fix it."}])
        finally:
            proc.terminate()
    assert test.choices[0].message.content == f"tests/test_repro.py\n```python\n{REPRO}```\n"
    assert fix.choices[0].message.content == f"```diff\n{FIX}```\n"
    assert test.usage is not None and test.usage.prompt_tokens > 0
