"""A report's links come from results.jsonl, which anyone may hand over: only an http(s) URL or a
path relative to the report becomes a link, everything else is text, and all of it is escaped
(a ``link`` of ``javascript:alert(1)`` became a live ``href``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from rfsn.cli import main

HOSTILE = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    " javascript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "//evil.example/x",
    "file:///etc/passwd",
    'a"onmouseover="alert(1)',
    "vbscript:msgbox(1)",
]


@pytest.mark.parametrize("link", HOSTILE)
def test_a_hostile_link_in_results_is_text_in_the_report(tmp_path: Path, link: str) -> None:
    row = {"instance_id": "i<u>|x", "status": "fixed", "link": link, "message": "<script>x</script>"}
    (tmp_path / "results.jsonl").write_text(json.dumps(row) + "\n")
    assert CliRunner().invoke(main, ["report", str(tmp_path)]).exit_code == 0
    page = (tmp_path / "report.html").read_text()
    assert "href=" not in page.split("<h2>Instances</h2>", 1)[1]
    assert "<script>" not in page and "<u>" not in page
    markdown = (tmp_path / "report.md").read_text()
    assert "](" not in markdown and "i<u>\\|x" in markdown.replace("\\<", "<").replace("\\>", ">")


@pytest.mark.parametrize("link", ["https://ci.example/run/1", "a/s1/trajectory.jsonl"])
def test_an_http_url_or_a_relative_path_stays_a_link(tmp_path: Path, link: str) -> None:
    (tmp_path / "results.jsonl").write_text(json.dumps({"instance_id": "a", "status": "fixed", "link": link}) + "\n")
    CliRunner().invoke(main, ["report", str(tmp_path)])
    assert f'href="{link}"' in (tmp_path / "report.html").read_text()
