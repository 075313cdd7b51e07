"""Model clients behind one small protocol; nothing else in rfsn imports the SDKs.

    base      ChatModel protocol, Message, ToolSpec, ToolCall, Usage, ChatReply, errors
    config    which provider, model, base URL and key (one-line errors before any work)
    prices    USD per million tokens: built-ins and ``[llm.prices."model"]``
    budget    caps on cost, tokens and calls that hold before each call is made
    metered   retries with backoff, every attempt authorized and counted by the budget
    clients   the Anthropic (Messages) and OpenAI (Chat Completions) implementations
    fake_server  a loopback server speaking both APIs with scripted replies (tests, docs)
"""
