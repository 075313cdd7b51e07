"""report.md: a session's result for a human reader."""

from __future__ import annotations

from rfsn.models import SessionResult


def _list(items: list[str]) -> str:
    return "\n".join(f"- `{item}`" for item in items) if items else "- (none)"


def _model_line(result: SessionResult) -> str:
    if not result.llm_calls:
        return ""
    return (f"- model: {result.llm_calls} calls, {result.input_tokens} input + "
            f"{result.output_tokens} output = {result.tokens} tokens, cost ${result.cost:.4f}\n")


def render_report(result: SessionResult, target: str) -> str:
    phases = "\n".join(f"| {phase} | {seconds:.2f} |" for phase, seconds in result.phase_durations.items())
    patch = f"```diff\n{result.patch}```\n" if result.patch else "No patch.\n"
    return f"""# rfsn repair: {result.status.value}

- target: `{target}`
- session: `{result.session_id}`
- {result.message}
- steps: {result.steps}, candidates tried: {result.candidates_tried}, time: {result.duration:.1f}s
{_model_line(result)}
## Failing tests before

{_list(result.failing_before)}

## Failing tests after

{_list(result.failing_after)}

## Patch

{patch}
## Time per phase

| phase | seconds |
|---|---|
{phases}
"""
