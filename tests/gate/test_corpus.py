"""The adversarial corpus and generated inputs: zero accepted."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rfsn.gate import RULES, Gate
from rfsn.models import Phase, ReadFile, RunCommand, parse_proposal
from tests.gate.attacks import ATTACKS, Attack
from tests.gate.conftest import ctx


def test_corpus_has_at_least_150_distinct_attacks() -> None:
    """The corpus is large and every attack has a unique name and a rule from the closed set."""
    names = [a.name for a in ATTACKS]
    assert len(names) >= 150
    assert len(set(names)) == len(names)
    assert all(set(a.rules) <= set(RULES) for a in ATTACKS)


@pytest.mark.parametrize("attack", ATTACKS, ids=lambda a: a.name)
def test_attack_is_rejected(gate: Gate, repo: Path, attack: Attack) -> None:
    """No adversarial proposal is accepted, and each is rejected by the rule meant to stop it."""
    proposal = parse_proposal(attack.proposal)
    decision = gate.check(proposal, ctx(repo, attack.phase, buildpack=attack.buildpack, **attack.context))
    assert not decision.accepted
    assert decision.rule in attack.rules, decision
    assert decision.reason


_ESCAPING_PIECES = st.sampled_from(
    [
        "..",
        "../",
        "/",
        "\\",
        "%2e",
        "%2f",
        "\x00",
        "\n",
        "\u2025",
        "\uff0e",
        "\u200b",
        "~",
        ".git",
        "escape_dir",
        "escape_file",
        "etc_link",
        "pkg/up",
        "C:",
        "//",
    ]
)
_SAFE_PIECES = st.text(alphabet=string.ascii_letters + string.digits + "_-", min_size=1, max_size=8)


@st.composite
def escaping_paths(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.one_of(_SAFE_PIECES, _ESCAPING_PIECES), min_size=1, max_size=6))
    index = draw(st.integers(0, len(parts)))
    parts.insert(index, draw(_ESCAPING_PIECES))
    return draw(st.sampled_from(["/", "", "\\"])).join(parts)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(path=escaping_paths())
def test_generated_escaping_paths_never_read_outside(gate: Gate, repo: Path, path: str) -> None:
    """A path built around an escaping piece never reads outside the workspace or into .git."""
    decision = gate.check(ReadFile(path=path), ctx(repo, Phase.LOCALIZE))
    if decision.accepted:
        target = (repo / path).resolve()
        assert target.is_relative_to(repo.resolve()) and ".git" not in target.relative_to(repo.resolve()).parts


_BAD_ARGS = st.sampled_from(
    [
        "$(id)",
        "`id`",
        ";",
        "&&",
        "||",
        "|",
        ">",
        "<",
        "\n",
        "\x00",
        "${IFS}",
        "&",
        "-c",
        "/etc/passwd",
        "../x",
        "LD_PRELOAD=x",
        "--output=x",
    ]
)
_ALL_PROGRAMS = st.sampled_from(
    [
        "python",
        "pytest",
        "git",
        "node",
        "npm",
        "cargo",
        "pip",
        "curl",
        "sh",
        "bash",
        "env",
        "ls",
        "./python",
        "/usr/bin/python",
        "LD_PRELOAD=x",
        "sudo",
        "docker",
        "perl",
        "base64",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    program=_ALL_PROGRAMS,
    args=st.lists(st.one_of(_SAFE_PIECES, _BAD_ARGS), max_size=5),
    bad=_BAD_ARGS,
    position=st.integers(0, 5),
)
def test_generated_argv_with_an_injection_piece_is_rejected(
    gate: Gate, repo: Path, program: str, args: list[str], bad: str, position: int
) -> None:
    """Any argv carrying a metacharacter, inline-code flag, absolute or parent path is rejected."""
    args.insert(min(position, len(args)), bad)
    argv = (program, *args)
    decision = gate.check(RunCommand(argv=argv), ctx(repo, Phase.LOCALIZE, buildpack="python"))
    assert not decision.accepted, argv


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(argv=st.lists(st.text(min_size=1, max_size=12), min_size=1, max_size=6))
def test_generated_argv_never_runs_a_denied_or_unlisted_program(gate: Gate, repo: Path, argv: list[str]) -> None:
    """Whatever the words, an accepted command starts with an allowed, bare program name."""
    decision = gate.check(RunCommand(argv=tuple(argv)), ctx(repo, Phase.LOCALIZE, buildpack="python"))
    if decision.accepted:
        assert argv[0] in gate.policy.allowed_commands("python")
        assert argv[0] not in gate.policy.denied_commands
        assert not any(m in a for a in argv for m in ("$(", "`", ";", "|", "&", ">", "<", "\n", "\x00"))
