"""Language models behind one small protocol: the official Anthropic and OpenAI SDKs (any
OpenAI-compatible server through a base URL), budgets that cannot overspend, retries,
and a record of every exchange that a later session can replay.

Only this package imports the SDKs, and only when a model is chosen.
"""

from rfsn.llm.base import ChatModel, Message, Reply

__all__ = ["ChatModel", "Message", "Reply"]
