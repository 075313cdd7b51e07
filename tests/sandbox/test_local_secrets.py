"""A model API key in rfsn's environment never reaches code run by the local sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.sandbox.local import LocalSandbox


def test_local_sandbox_commands_do_not_see_api_keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-leak-1")
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-leak-2")
    monkeypatch.setenv("ANTHROPIC_BASE_URL", "http://x")
    monkeypatch.setenv("RFSN_UNRELATED", "kept")
    result = LocalSandbox(tmp_path, None, {}, "2g").exec(["env"], timeout=30)
    assert "sk-leak" not in result.output and "ANTHROPIC_BASE_URL" not in result.output
    assert "RFSN_UNRELATED=kept" in result.output
