"""What the model is shown: the problem, the failing tests and their output, the suspicious code."""

from __future__ import annotations

import ast

from rfsn.llm.base import Message, ToolSpec
from rfsn.planners.base import RepairContext

SYSTEM = """You repair bugs in a software repository. You are shown the problem, the failing \
tests with their output, a map of the repository and the code most suspected by fault \
localization. Reply with the smallest edit that fixes the bug, without editing tests, either \
by calling the edit_file tool, or as SEARCH/REPLACE blocks:

path/to/file.py
<<<<<<< SEARCH
exact lines to replace
=======
new lines
>>>>>>> REPLACE

or as a unified diff in a ```diff block. Quote the text to replace exactly."""

EDIT_TOOL = ToolSpec(
    name="edit_file", description="Replace one exact, unique passage of a file with new text.",
    parameters={"type": "object", "required": ["path", "old", "new"], "properties": {
        "path": {"type": "string", "description": "repo-relative path"},
        "old": {"type": "string", "description": "the exact text to replace"},
        "new": {"type": "string", "description": "the replacement"}}})

LOG_CHARS = 6000
WINDOW = 12


def repo_map(files: dict[str, str], limit: int = 120) -> str:
    """Files with their classes and functions (Python from the AST), one line each."""
    lines = []
    for path in sorted(files)[:limit]:
        names: list[str] = []
        if path.endswith(".py"):
            try:
                tree = ast.parse(files[path])
            except SyntaxError:
                tree = None
            for node in ast.walk(tree) if tree else []:
                if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                    names.append(f"{node.name}:{node.lineno}")
        lines.append(f"{path}: {', '.join(names[:30])}" if names else path)
    return "\n".join(lines)


def suspicious_code(context: RepairContext, max_locations: int = 8) -> str:
    """Numbered windows of the files around the top locations."""
    windows: dict[str, set[int]] = {}
    for loc in context.locations[:max_locations]:
        if loc.file in context.files:
            windows.setdefault(loc.file, set()).update(
                range(max(1, loc.line - WINDOW), loc.line + WINDOW + 1))
    parts = []
    for path, wanted in windows.items():
        text = context.files[path].splitlines()
        shown = [f"{n:5d} {text[n - 1]}" for n in sorted(wanted) if n <= len(text)]
        parts.append(f"--- {path}\n" + "\n".join(shown))
    return "\n\n".join(parts) or "(no location)"


def first_prompt(context: RepairContext) -> list[Message]:
    failing = "\n".join(context.failing) or "(none given)"
    user = (f"# Problem\n{context.problem or '(no problem statement)'}\n\n"
            f"# Failing tests\n{failing}\n\n# Test output (end)\n{context.log[-LOG_CHARS:]}\n\n"
            f"# Repository map\n{repo_map(context.files)}\n\n"
            f"# Suspicious code (line numbers on the left)\n{suspicious_code(context)}\n")
    return [Message(role="system", content=SYSTEM), Message(role="user", content=user)]
