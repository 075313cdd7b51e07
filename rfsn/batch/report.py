"""``report.html`` and ``report.md`` for a run directory, from its ``results.jsonl``.

The HTML page (templates/run.html) is self-contained: the success rate, a per-instance
table (status, time, patch size, a link to the trajectory or logs) and an inline SVG
chart of the time per instance, stacked by phase. No plotting library. When
the sessions called a model, both add up its calls, tokens and cost.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from typing import Any

from rfsn.batch.outcome import SUCCESS, Outcome, Status
from rfsn.batch.predictions import RESULTS, RunStore
from rfsn.controller.htmlreport import html_page, write_session_report
from rfsn.errors import ConfigError
from rfsn.fsutil import write_atomic

_COLOURS = ("#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1", "#9c755f")
_STATUS_COLOUR = {Status.RESOLVED: "#2e7d32", Status.FIXED: "#2e7d32", Status.ERROR: "#c62828"}


def load_outcomes(root: Path) -> list[Outcome]:
    store = RunStore(root, predictions=(root / "predictions.jsonl").is_file())
    if not store.results.path.is_file():
        raise ConfigError(
            f"{root} holds no results.jsonl nor result.json (not a batch or evaluation run, "
            "nor a repair session's folder)"
        )
    return sorted(store.outcomes(latest=True, committed_only=False).values(), key=lambda o: o.instance_id)


#: how a session's own verdict reads until ``rfsn evaluate`` has graded the run
SELF_CHECKED = "fixed (self-checked)"
#: files of an instance's folder the report links to, with their labels
_EVIDENCE = (
    ("patch.diff", "patch"),
    ("report.json", "report"),
    ("result.json", "report"),
    ("report.md", "report"),
    ("env-build.log", "build log"),
)


def _word(outcomes: list[Outcome]) -> str:
    """'resolved' for a graded run; a batch run's own verdicts are only self-checked."""
    graded = any(o.status in (Status.RESOLVED, Status.UNRESOLVED, Status.EMPTY_PATCH) for o in outcomes)
    return "resolved" if graded or not outcomes else SELF_CHECKED


def _status(outcome: Outcome) -> str:
    word = SELF_CHECKED if outcome.status is Status.FIXED else outcome.status.value
    return word + (f" ({outcome.error_kind.value})" if outcome.error_kind else "")


def evidence(root: Path, outcome: Outcome) -> list[tuple[str, str]]:
    """(label, relative href) of the patch and report next to an instance's trajectory or log."""
    if not outcome.link:
        return []
    folder = Path(outcome.link).parent
    found: dict[str, str] = {}
    for name, label in _EVIDENCE:
        if label not in found and (root / folder / name).is_file():
            found[label] = (folder / name).as_posix()
    return list(found.items())


def segments(outcome: Outcome) -> tuple[dict[str, float], float]:
    """The phase segments of an instance's bar and the total they add up to: time outside
    the recorded phases (setup, clean-up) is its own 'other' segment."""
    parts = dict(outcome.phases) or {"total": outcome.duration}
    total = max(outcome.duration, sum(parts.values()))
    rest = total - sum(parts.values())
    if rest >= 0.005:
        parts["other"] = rest
    return parts, total


def rate(outcomes: list[Outcome]) -> tuple[int, int, float]:
    good = sum(1 for o in outcomes if o.status in SUCCESS)
    return good, len(outcomes), (100.0 * good / len(outcomes) if outcomes else 0.0)


def model_totals(outcomes: list[Outcome]) -> str:
    """The run's model calls, tokens and cost added up; empty when no session called a model."""
    calls = sum(o.llm_calls for o in outcomes)
    if not calls:
        return ""
    given, received = sum(o.input_tokens for o in outcomes), sum(o.output_tokens for o in outcomes)
    cost = sum(o.cost for o in outcomes)
    return f"model: {calls} calls, {given} input + {received} output = {given + received} tokens, cost ${cost:.4f}"


def chart(outcomes: list[Outcome], width: int = 760, bar: int = 16) -> dict[str, Any]:
    """The layout of the chart of seconds per instance: horizontal bars, one segment per phase."""
    bars = [segments(o) for o in outcomes]
    phases = list(dict.fromkeys(p for parts, _ in bars for p in parts)) or ["total"]
    colour = {p: _COLOURS[i % len(_COLOURS)] for i, p in enumerate(phases)}
    longest = max((total for _, total in bars), default=0.0) or 1.0
    label_width, top = 230, 28
    scale = (width - label_width - 60) / longest
    legend, x = [], label_width
    for phase in phases:
        legend.append({"x": x, "colour": colour[phase], "phase": phase})
        x += 18 + 7 * len(phase)
    rows = []
    for row, (outcome, (parts, total)) in enumerate(zip(outcomes, bars, strict=True)):
        x0, drawn = float(label_width), []
        for phase, seconds in parts.items():
            w = max(0.0, seconds * scale)
            drawn.append({"x": x0, "width": w, "colour": colour[phase], "phase": phase, "seconds": seconds})
            x0 += w
        y = top + row * bar
        rows.append(
            {
                "y": y,
                "text_y": y + bar - 5,
                "label": outcome.instance_id[:36],
                "parts": drawn,
                "total": total,
                "end": label_width + total * scale + 4,
            }
        )
    height = top + bar * len(outcomes) + 10
    return {"width": width, "height": height, "bar": bar, "label_width": label_width, "legend": legend, "bars": rows}


#: a link that stays a link: an http(s) URL, or a path relative to the report with no scheme
_SAFE_HREF = re.compile(
    r"https?://[^\s\x00-\x1f\x7f\"'<>\\]+|[A-Za-z0-9_.+@%-][^\s\x00-\x1f\x7f:\"'<>\\]*", re.IGNORECASE
)


def safe_href(href: str) -> bool:
    """Whether ``href`` (read from results.jsonl, which anyone may hand over) may become a link:
    an http(s) URL or a relative path; ``javascript:``, ``data:``, ``file:`` or ``//host`` stay text."""
    return _SAFE_HREF.fullmatch(href) is not None and not href.startswith("//")


def _md_cell(text: str) -> str:
    """``text`` as one Markdown table cell: one line, its pipes, brackets and markup escaped."""
    return re.sub(r"([\\|\[\]()<>*_`])", r"\\\1", " ".join(text.split()))


def _md_link(label: str, href: str) -> str:
    if safe_href(href) and "(" not in href and ")" not in href:
        return f"[{label}]({href})"
    return _md_cell(f"{label}: {href}")


def _links(o: Outcome, root: Path | None) -> list[tuple[str, str]]:
    own = [("trajectory" if o.link.endswith("trajectory.jsonl") else "log", o.link)] if o.link else []
    return own + (evidence(root, o) if root is not None else [])


def render_html(title: str, outcomes: list[Outcome], root: Path | None = None) -> str:
    good, total, pct = rate(outcomes)
    counts = Counter(_status(o) if o.status is Status.FIXED else o.status.value for o in outcomes)
    rows = [
        {
            "outcome": o,
            "status": _status(o),
            "colour": _STATUS_COLOUR.get(o.status, "#8d6e00"),
            "links": [(label, href, safe_href(href)) for label, href in _links(o, root)],
        }
        for o in outcomes
    ]
    return html_page("rfsn.batch", "run.html").render(
        title=title,
        good=good,
        total=total,
        pct=pct,
        word=_word(outcomes),
        graded=_word(outcomes) != SELF_CHECKED,
        summary=", ".join(f"{n} {s}" for s, n in sorted(counts.items())),
        totals=model_totals(outcomes),
        chart=chart(outcomes),
        rows=rows,
    )


def render_markdown(title: str, outcomes: list[Outcome], root: Path | None = None) -> str:
    good, total, pct = rate(outcomes)
    phases = list(dict.fromkeys(p for o in outcomes for p in o.phases))
    lines = [
        f"# {title}",
        "",
        f"**{good}/{total} {_word(outcomes)} ({pct:.1f}%)**",
        "",
        *([model_totals(outcomes), ""] if model_totals(outcomes) else []),
        "| instance | status | time (s) | patch lines | "
        + " | ".join(phases)
        + (" | " if phases else "")
        + "trajectory / logs |",
        "|---|---|---:|---:|" + "---:|" * len(phases) + "---|",
    ]
    for o in outcomes:
        status = _status(o)
        cells = [f"{o.phases.get(p, 0.0):.1f}" for p in phases]
        link = " ".join(_md_link(label, href) for label, href in _links(o, root))
        lines.append(
            f"| {_md_cell(o.instance_id)} | {status} | {o.duration:.1f} | {o.patch_lines} | "
            + "".join(c + " | " for c in cells)
            + f"{link} |"
        )
    return "\n".join(lines) + "\n"


def write_reports(root: Path, title: str | None = None) -> tuple[Path, Path]:
    """Write ``report.html`` and ``report.md`` into ``root`` (a run; a repair session's folder:
    its report.html again, from its result.json); their paths."""
    if not (root / RESULTS).is_file() and (root / "result.json").is_file():
        return write_session_report(root), root / "report.md"
    outcomes = load_outcomes(root)
    title = title or f"rfsn run {root.name}"
    html_path, md_path = root / "report.html", root / "report.md"
    write_atomic(html_path, render_html(title, outcomes, root))
    write_atomic(md_path, render_markdown(title, outcomes, root))
    return html_path, md_path
