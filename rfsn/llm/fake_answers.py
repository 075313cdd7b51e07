"""What the fake model server answers: a scripted reply, or a responder that makes one from the
request (``KnowsTheAnswer``: a model that knows the fix; ``KnowsTheAnswers``: many instances'
fixes; ``Recording``: nothing usable). ``rfsn.llm.fake_server`` serves them."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Scripted:
    """One reply: its text or tool calls, its status and token counts, and how long it takes."""

    text: str = ""
    status: int = 200
    input_tokens: int = 100
    output_tokens: int = 50
    #: (tool name, arguments) of each tool call in the reply
    tool_calls: tuple[tuple[str, dict[str, Any]], ...] = ()
    #: seconds the server works before it answers (a client timeout abandons the request,
    #: which the server still counts)
    delay: float = 0.0


def prompt_text(body: dict[str, Any]) -> str:
    """The request's whole text (system and messages), as either API sends it."""
    system = body.get("system") or ""
    parts = [system if isinstance(system, str) else json.dumps(system)]
    for message in body.get("messages", []):
        content = message.get("content")
        parts.append(content if isinstance(content, str) else json.dumps(content))
    return "\n".join(parts)


def usage(body: dict[str, Any], text: str) -> tuple[int, int]:
    """Plausible token counts: about four characters a token, as the real tokenizers give."""
    return len(prompt_text(body)) // 4 + 1, len(text) // 4 + 1


def tools_offered(body: dict[str, Any]) -> set[str]:
    """The names of the tools a request offers, as either API sends them."""
    return {str(t.get("name") or (t.get("function") or {}).get("name")) for t in body.get("tools") or []}


@dataclass(frozen=True)
class KnowsTheAnswer:
    """A model that knows the fix (a unified diff) and a test file that reproduces the problem.
    Offered the view_file tool, it first reads the file the fix changes (once per
    conversation), as a model finding its way would. Asked for a new test file (a request
    without the edit tool), it gives the test, in the format the request asks for (asked again,
    ``again`` if it has one, at a new path); asked for anything else, it gives the fix as a
    ```diff block, led by an ``OBSOLETE:`` line for each of its ``obsolete`` tests the request
    says the fix broke."""

    fix: str
    test: tuple[str, str]
    again: str = ""  # the test it writes when asked again (default: the same)
    #: tests (``path::name``, parameters aside) its fix makes obsolete: told the fix broke one of
    #: them, it says so (``OBSOLETE: <id>``), with the fix again
    obsolete: tuple[str, ...] = ()

    def __call__(self, body: dict[str, Any]) -> Scripted:
        offered, prompt = tools_offered(body), prompt_text(body)
        target = next((line[6:] for line in self.fix.splitlines() if line.startswith("+++ b/")), "")
        if "view_file" in offered and target and "### view_file" not in prompt:
            call = ("view_file", {"path": target, "start": 1, "end": 400})
            tokens_in, tokens_out = usage(body, json.dumps(call))
            return Scripted(tool_calls=(call,), input_tokens=tokens_in, output_tokens=tokens_out)
        wants_test = "NEW test file" in prompt and "replace_in_file" not in offered
        path, content = self.test
        written = sum(
            1 for m in body.get("messages", []) if m.get("role") == "assistant" and path in json.dumps(m.get("content"))
        )
        if written:  # asked again, it writes the test again at a new path, as the request says
            path, content = path.removesuffix(".py") + f"_{written + 1}.py", self.again or content
        content += "" if content.endswith("\n") else "\n"  # the closing fence on a line of its own
        text = (
            f"{path}\n```python\n{content}```\n"
            if wants_test
            else "".join(f"OBSOLETE: {t}\n" for t in self._obsolete(body)) + f"```diff\n{self.fix}```\n"
        )
        tokens_in, tokens_out = usage(body, text)
        return Scripted(text=text, input_tokens=tokens_in, output_tokens=tokens_out)

    def _obsolete(self, body: dict[str, Any]) -> list[str]:
        """Its obsolete tests that the request says the fix broke, when it asks (in its latest
        message that asks: a file it read may come after)."""
        asking = [text for m in body.get("messages", []) if "OBSOLETE:" in (text := prompt_text({"messages": [m]}))]
        return [t for t in self.obsolete if asking and re.search(re.escape(t) + r"(?![\w.])", asking[-1])]


@dataclass(frozen=True)
class KnowsTheAnswers:
    """Many instances' answers: each request gets the answer whose problem statement its
    prompt quotes (the first 200 characters, whitespace aside); none quoted, the first."""

    answers: tuple[tuple[str, KnowsTheAnswer], ...]  # (problem statement, its answer)

    def __call__(self, body: dict[str, Any]) -> Scripted:
        prompt = plain(prompt_text(body))
        for problem, answer in self.answers:
            if quotes(prompt, problem):
                return answer(body)
        return self.answers[0][1](body)


def plain(text: str) -> str:
    """``text`` with its whitespace, and newlines escaped as JSON writes them, made single
    spaces: the same on both sides (a problem statement may hold a literal backslash-n)."""
    return " ".join(text.replace("\\n", " ").split())


def quotes(prompt: str, problem: str) -> bool:
    """Whether a prompt (made ``plain``) quotes a problem statement: its first 200 characters."""
    return plain(problem)[:200] in prompt


@dataclass(frozen=True)
class Recording:
    """A model that answers nothing usable: what rfsn showed it stays in ``server.requests``."""

    def __call__(self, body: dict[str, Any]) -> Scripted:
        text = "I cannot tell."
        tokens_in, tokens_out = usage(body, text)
        return Scripted(text=text, input_tokens=tokens_in, output_tokens=tokens_out)
