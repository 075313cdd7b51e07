"""report.md: a session's result for a human reader."""

from __future__ import annotations

from rfsn.models import SessionResult, SessionStatus, Verdict

#: the locations a group's line names, most candidates first
TOP_LOCATIONS = 3


def _list(items: list[str]) -> str:
    return "\n".join(f"- `{item}`" for item in items) if items else "- (none)"


def _plain(items: list[str]) -> str:
    return "\n".join(f"- {item}" for item in items) if items else "- (as the buildpack builds it)"


def _model_line(result: SessionResult) -> str:
    if not result.llm_calls:
        return ""
    return (
        f"- model: {result.llm_calls} calls, {result.input_tokens} input + "
        f"{result.output_tokens} output = {result.tokens} tokens, cost ${result.cost:.4f}\n"
    )


def _choice(result: SessionResult) -> str:
    """The chosen patch's concerns and the other plausible patches, when there are any."""
    if not result.concerns and not result.alternatives:
        return ""
    text = (
        "## Concerns about the patch\n\n"
        + ("\n".join(f"- {c}" for c in result.concerns) if result.concerns else "- (none)")
        + "\n\n"
    )
    for n, alt in enumerate(result.alternatives, start=1):
        worry = "; ".join(alt.concerns) or "no concerns"
        text += f"## Alternative {n}: {alt.description} ({worry})\n\n```diff\n{alt.patch}```\n\n"
    return text


def _checks(result: SessionResult) -> str:
    """The template that produced the patch and the checks it passed, when there is a patch."""
    if not result.patch or not (result.template or result.checks):
        return ""
    return f"- template: `{result.template or '(not named)'}`\n" + "".join(f"- {c}\n" for c in result.checks) + "\n"


def where_it_went(result: Verdict) -> list[str]:
    """One line per failure group: what became of it and why, and what it spent (candidates and
    seconds, in all and at its busiest locations)."""
    lines = []
    for n, g in enumerate(result.groups, start=1):
        tests = f"{len(g.tests)} test{'s' if len(g.tests) != 1 else ''}"
        line = f"group {n}/{len(result.groups)} {g.outcome.replace('_', ' ')}: {tests} ({g.cause[:60]})"
        if g.outcome in ("fixed", "left"):
            line += f", {g.candidates} candidates, {g.seconds:.1f} s"
            line += f" ({g.skipped} more not screened again: they left its tests failing or hung)" if g.skipped else ""
            shown = [f"{s.location} {s.candidates} in {s.seconds:.1f} s" for s in g.locations[:TOP_LOCATIONS]]
            more = len(g.locations) - TOP_LOCATIONS
            line += f" [{', '.join(shown)}{f', {more} more locations' if more > 0 else ''}]" if shown else ""
        why = "; ".join(w for w in (g.why, *g.evidence) if w)
        lines.append(f"{line}{f': {why}' if why else ''}")
    return lines


def _targets(result: SessionResult) -> str:
    """Which groups' tests ``failing_before`` holds, when the baseline failed for several causes."""
    if sum(g.kind == "target" for g in result.groups) < 2:
        return ""
    fixed = result.status in (SessionStatus.FIXED, SessionStatus.PLAUSIBLE)  # its patch makes them pass
    which = "the fixed groups'" if fixed else "every target group's"
    return f'{which.capitalize()} tests; "Where the budget went" says what became of each group.\n\n'


def _build_log(result: SessionResult) -> str:
    """The line linking the failed environment build's whole output, if the session kept one."""
    log = result.environment_log
    return f"\n- the environment build's whole output: [{log}]({log})" if log else ""


def render_report(result: SessionResult, target: str) -> str:
    phases = "\n".join(f"| {phase} | {seconds:.2f} |" for phase, seconds in result.phase_durations.items())
    patch = f"```diff\n{result.patch}```\n" if result.patch else "No patch.\n"
    return f"""# rfsn repair: {result.status.value}

- target: `{target}`
- session: `{result.session_id}`
- {result.message}
- steps: {result.steps}, candidates tried: {result.candidates_tried}, time: {result.duration:.1f}s, of which \
the environment (built or reused, outside the time budget): {result.environment_seconds:.1f}s
{_model_line(result)}
## Failing tests before

{_targets(result)}{_list(result.failing_before)}

## Failing tests after

{_list(result.failing_after)}

## Patch

{patch}
{_checks(result)}{_choice(result)}## Where the budget went

{_plain(where_it_went(result)) if result.groups else "- (no group was tried)"}

## Environment

{_plain(result.environment)}{_build_log(result)}

## Time per phase

| phase | seconds |
|---|---|
| environment (outside the budget) | {result.environment_seconds:.2f} |
{phases}
"""
