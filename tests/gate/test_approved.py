"""Approved objects: only the gate makes them, and they cannot be re-pointed."""

from __future__ import annotations

import copy
import pickle
from pathlib import Path

import pytest

from rfsn.gate import Approved, ForgedApproval, Gate
from rfsn.gate.approved import _TOKEN
from rfsn.models import Edit, ReadFile, RunTests
from tests.gate.conftest import ctx


def test_constructing_approved_outside_the_gate_fails() -> None:
    """An Approved cannot be constructed without the gate's private token."""
    with pytest.raises(ForgedApproval):
        Approved(object(), RunTests())
    with pytest.raises(ForgedApproval):
        Approved(None, RunTests())


def test_approved_made_without_init_is_unusable() -> None:
    """Bypassing __init__ with __new__ yields an object whose contents cannot be read."""
    forged = object.__new__(Approved)
    with pytest.raises(ForgedApproval):
        _ = forged.proposal


def test_rejected_proposal_gets_no_approved(gate: Gate, repo: Path) -> None:
    """A rejection never comes with an Approved."""
    decision, approved = gate.approve(ReadFile(path="../outside/secret.txt"), ctx(repo))
    assert not decision.accepted and approved is None


def test_approved_cannot_be_repointed_by_assignment(gate: Gate, repo: Path) -> None:
    """Assigning or deleting attributes of an Approved fails."""
    _, approved = gate.approve(ReadFile(path="pkg/mod.py"), ctx(repo))
    assert approved is not None
    with pytest.raises(AttributeError):
        approved.proposal = ReadFile(path=".env")  # type: ignore[misc]
    with pytest.raises(AttributeError):
        approved._proposal = ReadFile(path=".env")  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del approved._proposal


def test_approved_repointed_through_object_setattr_is_detected(gate: Gate, repo: Path) -> None:
    """Re-pointing an Approved through a back door breaks its seal, and reading it then fails."""
    _, approved = gate.approve(Edit(path="pkg/mod.py", old="a - b", new="a + b"), ctx(repo))
    assert approved is not None
    object.__setattr__(approved, "_proposal", Edit(patch="evil"))
    with pytest.raises(ForgedApproval):
        _ = approved.proposal
    _, other = gate.approve(ReadFile(path="pkg/mod.py"), ctx(repo))
    assert other is not None
    object.__setattr__(other, "_patch", "diff --git a/.git/hooks/x b/.git/hooks/x\n")
    with pytest.raises(ForgedApproval):
        _ = other.patch


def test_approved_cannot_be_copied_or_pickled(gate: Gate, repo: Path) -> None:
    """Copies and pickles could be re-created with other contents, so they are refused."""
    _, approved = gate.approve(ReadFile(path="pkg/mod.py"), ctx(repo))
    for clone in (copy.copy, copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError):
            clone(approved)


def test_token_holder_builds_a_consistent_approved() -> None:
    """The gate module's token does build an Approved, whose seal then verifies."""
    approved = Approved(_TOKEN, RunTests())
    assert approved.proposal == RunTests() and approved.patch is None
