"""Bad input everywhere: every parser of outside input gives a clear error or a malformed
decision for any text, never an unhandled exception (hypothesis).

Parsers: instances and predictions files, proposals (the gate's JSON-lines
front end), unified diffs, rfsn.toml (settings and the [gate] table), and
each built-in buildpack's test-runner output.
"""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from rfsn.batch.instances import load_instances
from rfsn.batch.predictions import load_predictions
from rfsn.buildpacks import load
from rfsn.errors import ConfigError, DiffError
from rfsn.gate import Gate, GatePolicy
from rfsn.gate.lines import decide_line
from rfsn.models import Instance
from rfsn.models import TestStatus as Status
from rfsn.patches import parse_patch
from rfsn.settings import load_settings

FUZZ = settings(
    max_examples=150,
    deadline=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5),
    max_leaves=12,
)
#: objects that look like the real thing: known keys with values of any type
INSTANCE_KEYS = [
    "instance_id",
    "repo",
    "base_commit",
    "patch",
    "test_patch",
    "FAIL_TO_PASS",
    "PASS_TO_PASS",
    "version",
    "problem_statement",
    "environment_setup_commit",
]
near_instances = st.dictionaries(st.sampled_from(INSTANCE_KEYS), json_values, max_size=10)
near_predictions = st.dictionaries(
    st.sampled_from(["instance_id", "model_name_or_path", "model_patch"]), json_values, max_size=3
)
jsonl_text = st.one_of(
    st.text(max_size=300),
    st.lists(near_instances | near_predictions | json_values, max_size=4).map(
        lambda items: "\n".join(json.dumps(i) for i in items)
    ),
)
INSTANCE = Instance(
    instance_id="o__r-1", repo="o/r", base_commit="a" * 40, patch="", test_patch="", FAIL_TO_PASS=[], PASS_TO_PASS=[]
)


@FUZZ
@given(text=jsonl_text)
def test_instances_file_of_any_content_loads_or_is_a_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "instances.jsonl"
    path.write_text(text, encoding="utf-8")
    with contextlib.suppress(ConfigError):
        load_instances(path)


@FUZZ
@given(text=jsonl_text)
def test_predictions_file_of_any_content_loads_or_is_a_config_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "predictions.jsonl"
    path.write_text(text, encoding="utf-8")
    with contextlib.suppress(ConfigError):
        load_predictions(str(path), [INSTANCE])


@FUZZ
@given(
    line=st.one_of(
        st.text(max_size=200),
        json_values.map(json.dumps),
        st.dictionaries(
            st.sampled_from(
                ["intent", "phase", "path", "patch", "argv", "tests", "pattern", "old", "new", "reason", "rationale"]
            ),
            json_values,
            max_size=6,
        ).map(json.dumps),
    )
)
def test_any_proposal_line_gets_a_decision(tmp_path: Path, line: str) -> None:
    decision = decide_line(Gate(GatePolicy()), line)
    assert decision.accepted or decision.rule


diff_lines = st.sampled_from(
    [
        "--- a/x.py",
        "+++ b/x.py",
        "--- /dev/null",
        "+++ /dev/null",
        "@@ -1 +1 @@",
        "@@ -1,2 +1,3 @@",
        "@@ -0,0 +1 @@",
        "diff --git a/x.py b/x.py",
        "new file mode 100644",
        "deleted file mode 100644",
        "rename from x.py",
        "rename to y.py",
        "Binary files a/x and b/x differ",
        "GIT binary patch",
        "\\ No newline at end of file",
        " context",
        "-old",
        "+new",
        "",
        "index 123..456 100644",
    ]
)


@FUZZ
@given(text=st.one_of(st.text(max_size=300), st.lists(diff_lines | st.text(max_size=20), max_size=25).map("\n".join)))
def test_any_text_parses_as_a_diff_or_is_a_diff_error(text: str) -> None:
    with contextlib.suppress(DiffError):
        parse_patch(text)


toml_text = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                "[gate]",
                "memory = 1",
                'memory = "1g"',
                "pids = -3",
                'sandbox = "nope"',
                "tier = 3",
                'tier = "huge"',
                "protected = 1",
                "[gate.tiers.small]",
                "max_files = 0",
                "bogus = true",
                "cpus = 'x'",
                "[gate",
                "=",
                '"\\x"',
                "test_timeout = 1e400",
                "allow_test_edits = 'yes'",
            ]
        ),
        max_size=8,
    ).map("\n".join),
)


@FUZZ
@given(text=toml_text)
def test_any_rfsn_toml_loads_or_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    path = tmp_path / "rfsn.toml"
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("RFSN_CONFIG", str(path))
    with contextlib.suppress(ConfigError):
        GatePolicy.from_mapping(load_settings().gate)
    with contextlib.suppress(ConfigError):
        GatePolicy.from_toml(path)


report_text = st.one_of(
    st.text(max_size=300),
    st.lists(json_values, max_size=5).map(lambda items: "\n".join(json.dumps(i) for i in items)),
    st.sampled_from(
        [
            "<testsuite><testcase name='a' classname='b'><failure/></testcase></testsuite>",
            "<testsuites><testsuite",
            "<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>",
            '{"Action":"fail","Package":"p","Test":"T"}',
            "test a::b ... ok",
            "test result: FAILED",
            '{"type":"test:fail","data":{"name":"t","nesting":0}}',
        ]
    ),
)


@pytest.mark.parametrize("name", ["python", "node", "rust", "go", "java"])
@FUZZ
@given(
    output=report_text,
    reports=st.dictionaries(
        st.sampled_from(
            ["junit.xml", "TEST-x.xml", "node-report.jsonl", "jest.json", "mocha.json", "coverage.json", "other.txt"]
        ),
        report_text,
        max_size=3,
    ),
)
def test_buildpack_parsers_never_raise(name: str, output: str, reports: dict[str, str]) -> None:
    statuses = load(name).parse(output, reports)
    assert all(isinstance(s, Status) for s in statuses.values())
