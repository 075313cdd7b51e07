"""The knowing fake model tells instances apart by the problem statement its prompt quotes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from rfsn.llm.fake_answers import KnowsTheAnswer, KnowsTheAnswers, Recording
from tests.processes import stop


def test_each_request_gets_the_answer_of_the_problem_it_quotes() -> None:
    a = KnowsTheAnswer("--- a/x.py\n+++ b/x.py\n", ("tests/test_a.py", "def test_a(): pass\n"))
    b = KnowsTheAnswer("--- a/y.py\n+++ b/y.py\n", ("tests/test_b.py", "def test_b(): pass\n"))
    knowing = KnowsTheAnswers((("Dates parse wrong\nin  March.", a), ("Totals are off by one.", b)))
    asked_b = {
        "messages": [
            {"role": "system", "content": "Write ONE NEW test file."},
            {"role": "user", "content": "## Problem\nTotals are off  by\none."},
        ]
    }
    assert knowing(asked_b).text == "tests/test_b.py\n```python\ndef test_b(): pass\n```\n"
    patch_a = {
        "system": "repair",
        "messages": [{"role": "user", "content": "Dates parse wrong in March."}],
        "tools": [{"name": "replace_in_file"}],
    }
    assert knowing(patch_a).text == "```diff\n--- a/x.py\n+++ b/x.py\n```\n"
    assert knowing({"messages": [{"role": "user", "content": "anything"}]}).text.startswith("```diff\n--- a/x.py")
    # pytest-5413: the problem statement itself holds a literal backslash-n (``f"A\\n"``)
    literal = KnowsTheAnswers((("Totals are off.", b), ('raise LookupError(f"A\\n" f"B")', a)))
    assert literal({"messages": [{"role": "user", "content": 'raise LookupError(f"A\\n" f"B")'}]}).text.startswith(
        "```diff\n--- a/x.py"
    )
    no_newline = KnowsTheAnswer("--- a/x.py\n+++ b/x.py\n", ("tests/test_a.py", "def test_a(): pass"))
    assert no_newline(asked_b).text.endswith("def test_a(): pass\n```\n")  # a fence on a line of its own
    reply = Recording()(asked_b)
    assert reply.text == "I cannot tell." and reply.input_tokens > 10


def test_asked_again_for_a_test_it_writes_it_at_a_new_path() -> None:
    """rfsn asks for the test again "at a new path" when the first did not reproduce."""
    knowing = KnowsTheAnswer("--- a/x.py\n+++ b/x.py\n", ("tests/test_a.py", "def test_a(): pass\n"))
    first = {"messages": [{"role": "user", "content": "Write ONE NEW test file."}]}
    again = {
        "messages": [
            *first["messages"],
            {"role": "assistant", "content": knowing(first).text},
            {"role": "user", "content": "Write the NEW test file again, at a new path."},
        ]
    }
    assert knowing(first).text.startswith("tests/test_a.py\n")
    assert knowing(again).text.startswith("tests/test_a_2.py\n```python\ndef test_a(): pass\n")
    fuller = KnowsTheAnswer(knowing.fix, knowing.test, again="def test_0(): pass\ndef test_a(): pass\n")
    assert fuller(again).text == "tests/test_a_2.py\n```python\ndef test_0(): pass\ndef test_a(): pass\n```\n"


def test_the_served_knowing_model_can_record_every_request_it_answers(tmp_path: Path) -> None:
    """``--answers`` with ``--record``: the ceiling check keeps what rfsn showed the model."""
    fix = "--- a/x.py\n+++ b/x.py\n@@ -1 +1 @@\n-a\n+b\n"
    answers = tmp_path / "answers.jsonl"
    answers.write_text(
        json.dumps(
            {"problem": "x is wrong", "fix": fix, "test_path": "tests/test_x.py", "test": "def test_x(): pass\n"}
        )
        + "\n"
    )
    record = tmp_path / "requests.jsonl"
    proc = subprocess.Popen(
        [sys.executable, "-m", "rfsn.llm.fake_server", "--answers", str(answers), "--record", str(record)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().split(": ", 1)[1].strip()
        body = {"model": "m", "messages": [{"role": "user", "content": "x is wrong; fix it"}]}
        reply = httpx.post(f"{url}/chat/completions", json=body, timeout=30).json()
    finally:
        stop(proc)
    assert fix in reply["choices"][0]["message"]["content"]
    assert [json.loads(line) for line in record.read_text().splitlines()] == [body]


def test_a_missing_answers_file_is_one_line_and_exit_2(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "rfsn.llm.fake_server", "--answers", str(tmp_path / "none.jsonl")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines()[-1].endswith(f"no such file: {tmp_path / 'none.jsonl'}")


def test_told_its_fix_broke_a_test_it_knows_is_obsolete_it_says_so_with_the_fix() -> None:
    from rfsn.planners.verify.obsolete import declared, request

    knowing = KnowsTheAnswer(
        "--- a/x.py\n+++ b/x.py\n",
        ("tests/test_a.py", "def test_a(): pass\n"),
        obsolete=("t/test_e.py::test_str", "t/test_e.py::test_gone"),
    )
    told = request(["t/test_e.py::test_str", "t/test_e.py::test_str_kept[1]", "t/test_e.py::TestX::test_y"])
    reply = knowing(
        {
            "messages": [
                {"role": "user", "content": "Fix it."},
                {"role": "assistant", "content": "x"},
                {"role": "user", "content": told},
            ]
        }
    ).text
    assert reply == "OBSOLETE: t/test_e.py::test_str\n```diff\n--- a/x.py\n+++ b/x.py\n```\n"
    assert declared(reply) == ["t/test_e.py::test_str"]
    # offered its tools, it reads the file it fixes first; then the file is the last message
    conversation = [{"role": "user", "content": "Fix it."}, {"role": "user", "content": told}]
    reads = knowing({"messages": conversation, "tools": [{"name": "view_file"}]})
    assert reads.tool_calls == (("view_file", {"path": "x.py", "start": 1, "end": 400}),)
    conversation += [{"role": "assistant", "content": "reading"}, {"role": "tool", "content": "### view_file x.py"}]
    assert knowing({"messages": conversation, "tools": [{"name": "view_file"}]}).text == reply
    # not asked (the patch request itself names the test): the fix alone
    asked = knowing({"messages": [{"role": "user", "content": "Fix it; see t/test_e.py::test_str."}]}).text
    assert asked == "```diff\n--- a/x.py\n+++ b/x.py\n```\n"
