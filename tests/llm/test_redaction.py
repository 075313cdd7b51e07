"""A registered API key never reaches an event, in any field, however it is nested."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.llm.setup import LLMOptions, open_model
from rfsn.observability import logging as rlog

KEY = "sk-redact-me-123456789"


def test_events_never_show_the_key(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    open_model(LLMOptions(provider="openai", base_url="http://127.0.0.1:9/v1"), {},
               {"OPENAI_API_KEY": KEY})  # registers the key, as the CLI does
    rlog.configure(level="info", json_file=tmp_path / "events.jsonl")
    log = rlog.get_logger("t")
    log.warning("leak", header=f"Bearer {KEY}", nested={"list": [KEY]},
                error=ValueError(f"bad key {KEY}"))
    rlog.configure(level="warning")
    written = (tmp_path / "events.jsonl").read_text()
    assert "[redacted]" in written and KEY not in written
    assert KEY not in capsys.readouterr().err
    assert rlog.redact(f"x{KEY}x") == "x[redacted]x"
