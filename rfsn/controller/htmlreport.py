"""report.html: a repair session's result as one self-contained page, like a batch run's.

The same sections as report.md, every text escaped; links only to the session's
own files that exist next to the page (a relative name each).
"""

from __future__ import annotations

import html
from pathlib import Path

from rfsn.controller.report import where_it_went
from rfsn.fsutil import write_atomic
from rfsn.inputs import json_value, read_bounded
from rfsn.models import SessionResult

#: the session's files the page links to, when they are there
EVIDENCE = ("trajectory.jsonl", "patch.diff", "result.json", "report.md", "events.jsonl")
_STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}"
    "td,th{border-bottom:1px solid #ddd;padding:3px 8px;text-align:left}pre{background:#f6f6f6;padding:1em}"
)


def _items(items: list[str], empty: str) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items or [empty]) + "</ul>"


def _patch(text: str) -> str:
    return f"<pre>{html.escape(text)}</pre>" if text else "<p>No patch.</p>"


def _choice(result: SessionResult) -> str:
    if not result.concerns and not result.alternatives:
        return ""
    parts = ["<h2>Concerns about the patch</h2>", _items(result.concerns, "(none)")]
    for n, alt in enumerate(result.alternatives, start=1):
        worry = "; ".join(alt.concerns) or "no concerns"
        parts.append(f"<h2>Alternative {n}: {html.escape(alt.description)} ({html.escape(worry)})</h2>")
        parts.append(_patch(alt.patch))
    return "".join(parts)


def write_session_report(folder: Path) -> Path:
    """Write ``folder/report.html`` again from the session's result.json; its path."""
    source = folder / "result.json"
    result = SessionResult.model_validate(json_value(read_bounded(source), str(source)))
    page = folder / "report.html"
    write_atomic(page, render_html(result, _target(folder), folder))
    return page


def _target(folder: Path) -> str:
    """The target as the session's report.md names it (the result does not keep it)."""
    try:
        text = (folder / "report.md").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(not recorded)"
    found = next((line for line in text.splitlines() if line.startswith("- target: `")), "")
    return found.removeprefix("- target: `").removesuffix("`") or "(not recorded)"


def render_html(result: SessionResult, target: str, folder: Path | None = None) -> str:
    """The page of ``result`` (``folder``: where it is written, for the links to the evidence)."""
    links = [f'<a href="{name}">{name}</a>' for name in EVIDENCE if folder is None or (folder / name).is_file()]
    phases = "".join(f"<tr><td>{html.escape(p)}</td><td>{s:.2f}</td></tr>" for p, s in result.phase_durations.items())
    model = (
        f"<li>model: {result.llm_calls} calls, {result.input_tokens} input + {result.output_tokens} "
        f"output = {result.tokens} tokens, cost ${result.cost:.4f}</li>"
        if result.llm_calls
        else ""
    )
    title = f"rfsn repair: {result.status.value}"
    return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(title)}</title><style>{_STYLE}</style></head><body>
<h1>{html.escape(title)}</h1>
<ul><li>target: <code>{html.escape(target)}</code></li><li>session: <code>{html.escape(result.session_id)}</code></li>
<li>{html.escape(result.message)}</li>
<li>steps: {result.steps}, candidates tried: {result.candidates_tried}, time: {result.duration:.1f}s, of which the
environment (built or reused, outside the time budget): {result.environment_seconds:.1f}s</li>{model}</ul>
<p>{" ".join(links)}</p>
<h2>Failing tests before</h2>{_items(result.failing_before, "(none)")}
<h2>Failing tests after</h2>{_items(result.failing_after, "(none)")}
<h2>Patch</h2>{_patch(result.patch)}
{_choice(result)}<h2>Where the budget went</h2>{_items(where_it_went(result), "(no group was tried)")}
<h2>Environment</h2>{_items(result.environment, "(as the buildpack builds it)")}
<h2>Time per phase</h2>
<table><tr><th>phase</th><th>seconds</th></tr>
<tr><td>environment (outside the budget)</td><td>{result.environment_seconds:.2f}</td></tr>{phases}</table>
</body></html>
"""
