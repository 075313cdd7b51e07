"""report.html: a repair session's result as one self-contained page, like a batch run's.

The same sections as report.md (the template: templates/session.html), every text escaped;
links only to the session's own files that exist next to the page (a relative name each).
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2

from rfsn.controller.report import where_it_went
from rfsn.fsutil import write_atomic
from rfsn.inputs import json_value, read_bounded
from rfsn.models import SessionResult

#: the session's files the page links to, when they are there
EVIDENCE = ("trajectory.jsonl", "patch.diff", "result.json", "report.md", "events.jsonl")


@functools.cache
def html_page(package: str, name: str) -> jinja2.Template:
    """The HTML template ``name`` in ``package``'s templates folder, every value it shows escaped."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader(package),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    return environment.get_template(name)


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
    return html_page("rfsn.controller", "session.html").render(
        result=result,
        target=target,
        title=f"rfsn repair: {result.status.value}",
        links=[name for name in EVIDENCE if folder is None or (folder / name).is_file()],
        budget=where_it_went(result),
    )
