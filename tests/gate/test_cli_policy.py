"""The `rfsn gate check` command, the TOML policy, and the decision events and metrics."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import structlog
from click.testing import CliRunner
from structlog.testing import capture_logs

from rfsn.cli import main
from rfsn.cli.gate_cmd import gate as gate_group
from rfsn.errors import ConfigError
from rfsn.gate import Gate, GatePolicy
from rfsn.models import Edit, Phase, ReadFile, RunCommand
from rfsn.observability.metrics import GATE_DECISIONS
from tests.gate.attacks import MOD_PY_FIX
from tests.gate.conftest import ctx


@pytest.fixture(autouse=True)
def _restore_structlog():
    """The CLI points structlog at stderr; give other tests back the configuration they had."""
    saved = structlog.get_config()
    yield
    structlog.configure(**saved)


def _lines(repo: Path) -> str:
    rows = [
        {"workspace": str(repo), "phase": "patch", "proposal": {"intent": "edit", "patch": MOD_PY_FIX}},
        {"workspace": str(repo), "phase": "localize", "proposal": {"intent": "read_file", "path": "../x"}},
        "this is not json",
        {"workspace": str(repo), "phase": "patch", "proposal": {"intent": "teleport"}},
        {"workspace": str(repo), "phase": "nap", "proposal": {"intent": "run_tests"}},
        [1, 2],
        {"workspace": str(repo / "missing"), "phase": "patch", "proposal": {"intent": "run_tests"}},
        {"workspace": str(repo), "phase": "patch", "proposal": {"intent": "run_tests"}, "extra": 1},
        {
            "workspace": str(repo),
            "phase": "verify",
            "buildpack": "python",
            "proposal": {"intent": "run_command", "argv": ["python", "-m", "pytest"]},
        },
    ]
    return "\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n\n"


def test_cli_prints_one_decision_per_input_line_and_never_crashes(repo: Path) -> None:
    """Malformed lines become malformed_proposal decisions; the command exits 0."""
    result = CliRunner().invoke(gate_group, ["check"], input=_lines(repo))
    assert result.exit_code == 0, result.output
    decisions = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["rule"] for d in decisions] == [
        None,
        "path_escape",
        "malformed_proposal",
        "malformed_proposal",
        "malformed_proposal",
        "malformed_proposal",
        "malformed_proposal",
        "malformed_proposal",
        None,
    ]
    assert all(set(d) == {"accepted", "rule", "reason"} for d in decisions)


def test_cli_reads_a_file_argument(repo: Path, tmp_path: Path) -> None:
    """FILE may name a JSON-lines file instead of stdin."""
    path = tmp_path / "in.jsonl"
    path.write_text(_lines(repo))
    result = CliRunner().invoke(gate_group, ["check", str(path)])
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 9


def test_cli_missing_input_file_exits_2_with_one_line(tmp_path: Path) -> None:
    """A missing input file is a one-line error and exit code 2, with the prefix of every command's
    errors (it was ``rfsn gate check:``)."""
    result = CliRunner().invoke(main, ["gate", "check", str(tmp_path / "nope.jsonl")])
    assert result.exit_code == 2
    assert result.stdout == "" and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("rfsn: error: cannot read ")


def test_cli_runs_as_a_real_process(repo: Path) -> None:
    """The group works outside click's test runner, with logs kept off stdout."""
    proc = subprocess.run(
        [sys.executable, "-c", "from rfsn.cli.gate_cmd import gate; gate()", "check"],
        input=_lines(repo),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert [json.loads(line)["accepted"] for line in proc.stdout.splitlines()][:2] == [True, False]


def test_cli_policy_option_is_applied(repo: Path, tmp_path: Path) -> None:
    """--policy reads the [gate] table, e.g. a smaller size tier."""
    policy = tmp_path / "rfsn.toml"
    policy.write_text('[gate]\ntier = "tiny"\n[gate.tiers.tiny]\nmax_files = 1\nmax_changed_lines = 1\n')
    row = {"workspace": str(repo), "phase": "patch", "proposal": {"intent": "edit", "patch": MOD_PY_FIX}}
    result = CliRunner().invoke(gate_group, ["check", "--policy", str(policy)], input=json.dumps(row))
    assert json.loads(result.stdout)["rule"] == "patch_too_large"


def test_policy_from_toml_reads_the_gate_table(tmp_path: Path) -> None:
    """GatePolicy.from_toml reads [gate]; an absent table gives the defaults."""
    path = tmp_path / "rfsn.toml"
    path.write_text('sandbox = "local"\n[gate]\nallow_test_edits = true\n[gate.commands]\npython = ["pytest"]\n')
    policy = GatePolicy.from_toml(path)
    assert policy.allow_test_edits and policy.commands == {"python": ("pytest",)}
    path.write_text('sandbox = "local"\n')
    assert GatePolicy.from_toml(path) == GatePolicy()


def test_policy_with_unknown_keys_is_a_config_error(tmp_path: Path) -> None:
    """The policy is extra='forbid': a typo cannot silently loosen or ignore a rule."""
    path = tmp_path / "rfsn.toml"
    path.write_text("[gate]\nallow_tests_edit = true\n")
    with pytest.raises(ConfigError):
        GatePolicy.from_toml(path)


def test_raising_the_size_tier_only_through_policy(repo: Path) -> None:
    """A large edit is rejected by default and accepted once policy raises the tier."""
    patch = "".join(
        f"diff --git a/pkg/g{i}.py b/pkg/g{i}.py\nnew file mode 100644\n--- /dev/null\n+++ b/pkg/g{i}.py\n"
        "@@ -0,0 +1 @@\n+x = 1\n"
        for i in range(10)
    )
    assert Gate().check(Edit(patch=patch), ctx(repo)).rule == "patch_too_large"
    assert Gate(GatePolicy(tier="large")).check(Edit(patch=patch), ctx(repo)).accepted


def test_a_long_reproduction_is_not_held_to_the_size_tier(repo: Path) -> None:
    """The tier bounds the patch; a reproduction's new test file is never part of it (pytest-5103's
    reproduction, the test patch's own tests, is 678 lines). Code is still held to it."""
    body = "".join(f"+def test_{i}():\n+    assert {i} == {i}\n" for i in range(300))

    def new(path: str) -> Edit:
        return Edit(
            patch=f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{path}\n@@ -0,0 +1,600 @@\n{body}"
        )

    assert Gate().check(new("tests/test_repro.py"), ctx(repo, Phase.REPRODUCE)).accepted
    assert Gate().check(new("pkg/big.py"), ctx(repo, Phase.PATCH)).rule == "patch_too_large"


def test_allowing_test_edits_is_a_policy_decision(repo: Path) -> None:
    """Test files may be changed in the patch phase only when policy says so."""
    edit = Edit(path="tests/test_mod.py", old="== 3", new="== 3  # checked")
    assert Gate().check(edit, ctx(repo)).rule == "test_tampering"
    assert Gate(GatePolicy(allow_test_edits=True)).check(edit, ctx(repo)).accepted


def test_every_decision_is_logged_and_counted(repo: Path) -> None:
    """Each decision emits gate.decision and increments rfsn_gate_decisions_total."""
    counter = GATE_DECISIONS.labels(decision="rejected", rule="forbidden_command")
    before = counter._value.get()
    with capture_logs() as logs:
        Gate().check(RunCommand(argv=("curl", "x")), ctx(repo, Phase.LOCALIZE))
        Gate().check(ReadFile(path="pkg/mod.py"), ctx(repo, Phase.LOCALIZE))
    assert counter._value.get() == before + 1
    events = [e for e in logs if e["event"] == "gate.decision"]
    assert [(e["accepted"], e["rule"], e["intent"], e["phase"]) for e in events] == [
        (False, "forbidden_command", "run_command", "localize"),
        (True, None, "read_file", "localize"),
    ]
