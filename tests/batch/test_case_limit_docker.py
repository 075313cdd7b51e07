"""A bug whose symptom is a hang is validated as any other bug: outside SWE-bench's harness
(whose scripts run as it writes them), an evaluation's runs of named tests have the per-test
limit, so the test that hangs at base fails there (timeout) and the others are judged, rather
than the whole run timing out (real Docker, real git, real pytest with pytest-timeout)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.batch.test_evaluate_clean_docker import _instance, _write
from tests.batch.test_evaluate_docker import validate

pytestmark = [pytest.mark.docker, pytest.mark.usefixtures("docker_client", "no_leaked_sandboxes")]

#: value() at base: test_f loops forever there; test_p passes on both sides
HANGS = "def value():\n    while True:\n        pass\n"
TESTS = """\
from calc import value


def test_f():
    assert value() == 2


def test_p():
    assert 1 + 1 == 2
"""


def test_a_test_that_hangs_at_base_fails_there_and_the_bug_is_valid_python_multipart_9205a0e(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RFSN_TEST_CASE_TIMEOUT", "10")
    # the whole run's limit: without a per-test limit the base run reaches it and says nothing
    validate(
        _write(tmp_path, _instance(tmp_path, base=HANGS, tests=TESTS)),
        "hang",
        tmp_path / "out",
        tmp_path / "repos",
        "--timeout",
        "120",
    )
    [row] = json.loads((tmp_path / "out" / "validation.hang.json").read_text())
    log = (tmp_path / "out/logs/run_evaluation/hang/gold/local__calc-1/run_instance.log").read_text()
    assert row["valid"] and row["empty_resolves"] is False, (row, log)
