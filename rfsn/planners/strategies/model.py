"""The model strategy: ask a ChatModel for edits; each reply becomes one candidate.

A reply that cannot be parsed is fed back once with the reason. When the model's
budget cannot pay for another call, the strategy stops and records why; the planner
keeps whatever it found so far and the session ends budget_exhausted unless fixed.
A server still failing after the retries ends the sampling the same way; a refused
key or request (LLMAuthError, LLMRequestError) ends the session with that error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from rfsn.llm.base import ChatModel, LLMBudgetExhausted, LLMUnavailable, Message
from rfsn.observability.logging import get_logger
from rfsn.planners.base import RepairContext
from rfsn.planners.candidates import Candidate
from rfsn.planners.strategies.prompt import EDIT_TOOL, first_prompt
from rfsn.planners.strategies.replies import Unparseable, parse_reply

log = get_logger(__name__)


class ModelStrategy:
    name = "model"

    def __init__(self, model: ChatModel, *, samples: int = 3, max_tokens: int = 2048) -> None:
        self.model, self.samples, self.max_tokens = model, samples, max_tokens
        self.exhausted: str | None = None
        self.unparseable = 0

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        try:
            yield from self._sample(context)
        except LLMBudgetExhausted as exc:
            self.exhausted = str(exc)
            log.warning("llm.budget_exhausted", reason=str(exc))
        except LLMUnavailable as exc:  # retries ran out: keep what the earlier samples gave
            log.warning("llm.unavailable", reason=str(exc))

    def _sample(self, context: RepairContext) -> Iterator[Candidate]:
        prompt = first_prompt(context)
        seen: set[str] = set()
        for sample in range(self.samples):
            candidate = self._ask(prompt, context, sample)
            if candidate is not None and candidate.diff() not in seen:
                seen.add(candidate.diff())
                yield candidate

    def _ask(self, prompt: list[Message], context: RepairContext, sample: int) -> Candidate | None:
        messages = list(prompt)
        for attempt in range(2):  # the first reply, then once more with the reason
            reply = self.model.complete(messages, max_tokens=self.max_tokens, tools=[EDIT_TOOL])
            try:
                return parse_reply(reply.text, reply.tool_calls, context.files,
                                   source=f"{self.model.provider}:{sample + 1}")
            except Unparseable as exc:
                self.unparseable += 1
                log.info("llm.unparseable", sample=sample + 1, attempt=attempt + 1, reason=str(exc))
                messages += [Message(role="assistant", content=reply.text or "(tool calls)"),
                             Message(role="user", content=f"That reply could not be used: {exc}. "
                                                          "Answer again with an edit.")]
        return None


class HybridStrategy:
    """The templates first; the model when they run dry."""

    name = "hybrid"

    def __init__(self, model: ChatModel) -> None:
        from rfsn.planners.strategies.template import TemplateStrategy

        self.first, self.second = TemplateStrategy(), ModelStrategy(model)

    @property
    def exhausted(self) -> str | None:
        return self.second.exhausted

    def candidates(self, context: RepairContext) -> Iterable[Candidate]:
        yield from self.first.candidates(context)
        yield from self.second.candidates(context)
