"""The knowing fake model tells instances apart by the problem statement its prompt quotes."""

from __future__ import annotations

from rfsn.llm.fake_server import KnowsTheAnswer, KnowsTheAnswers, Recording


def test_each_request_gets_the_answer_of_the_problem_it_quotes() -> None:
    a = KnowsTheAnswer("--- a/x.py\n+++ b/x.py\n", ("tests/test_a.py", "def test_a(): pass\n"))
    b = KnowsTheAnswer("--- a/y.py\n+++ b/y.py\n", ("tests/test_b.py", "def test_b(): pass\n"))
    knowing = KnowsTheAnswers((("Dates parse wrong\nin  March.", a), ("Totals are off by one.", b)))
    asked_b = {"messages": [{"role": "system", "content": "Write ONE NEW test file."},
                            {"role": "user", "content": "## Problem\nTotals are off  by\none."}]}
    assert knowing(asked_b).text == "tests/test_b.py\n```python\ndef test_b(): pass\n```\n"
    patch_a = {"system": "repair", "messages": [{"role": "user", "content": "Dates parse wrong in March."}],
               "tools": [{"name": "replace_in_file"}]}
    assert knowing(patch_a).text == "```diff\n--- a/x.py\n+++ b/x.py\n```\n"
    assert knowing({"messages": [{"role": "user", "content": "anything"}]}).text.startswith("```diff\n--- a/x.py")
    reply = Recording()(asked_b)
    assert reply.text == "I cannot tell." and reply.input_tokens > 10
