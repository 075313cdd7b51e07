"""Instances and predictions files: the three SWE-bench layouts, errors with line numbers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rfsn.batch.instances import load_instances
from rfsn.batch.predictions import load_predictions
from rfsn.errors import ConfigError
from rfsn.models.swebench import Instance

INSTANCE = {
    "instance_id": "o__r-1",
    "repo": "o/r",
    "base_commit": "abc",
    "FAIL_TO_PASS": '["t::a"]',
    "PASS_TO_PASS": ["t::b"],
    "version": "1.0",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_jsonl_with_json_encoded_test_lists(tmp_path: Path) -> None:
    other = {**INSTANCE, "instance_id": "o__r-2", "FAIL_TO_PASS": []}
    path = write(tmp_path, "i.jsonl", json.dumps(INSTANCE) + "\n\n" + json.dumps(other) + "\n")
    instances = load_instances(path)
    assert [i.instance_id for i in instances] == ["o__r-1", "o__r-2"]
    assert instances[0].FAIL_TO_PASS == ["t::a"]
    assert instances[0].PASS_TO_PASS == ["t::b"]


def test_json_array_and_filter_by_id(tmp_path: Path) -> None:
    other = {**INSTANCE, "instance_id": "o__r-2"}
    path = write(tmp_path, "i.json", json.dumps([INSTANCE, other], indent=2))
    assert [i.instance_id for i in load_instances(path, ["o__r-2"])] == ["o__r-2"]
    with pytest.raises(ConfigError, match="unknown instance id"):
        load_instances(path, ["nope"])


def test_malformed_jsonl_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = write(tmp_path, "i.jsonl", json.dumps(INSTANCE) + "\n{not json\n")
    with pytest.raises(ConfigError, match=r"i\.jsonl:2: invalid JSON"):
        load_instances(path)


def test_invalid_record_is_reported_with_its_line(tmp_path: Path) -> None:
    bad = {"instance_id": "x"}  # no repo
    path = write(tmp_path, "i.jsonl", json.dumps(INSTANCE) + "\n" + json.dumps(bad) + "\n")
    with pytest.raises(ConfigError, match=r"i\.jsonl:2: invalid instance: repo"):
        load_instances(path)


def test_bad_json_encoded_list_is_reported(tmp_path: Path) -> None:
    path = write(tmp_path, "i.jsonl", json.dumps({**INSTANCE, "FAIL_TO_PASS": "[oops"}) + "\n")
    with pytest.raises(ConfigError, match=r"i\.jsonl:1: invalid instance"):
        load_instances(path)


def test_malformed_record_in_json_array_names_its_line(tmp_path: Path) -> None:
    text = "[\n" + json.dumps(INSTANCE) + ",\n" + json.dumps(INSTANCE)[:-3] + "\n]\n"
    with pytest.raises(ConfigError, match=r"i\.json:3: invalid JSON"):
        load_instances(write(tmp_path, "i.json", text))


def test_duplicate_ids_are_rejected(tmp_path: Path) -> None:
    path = write(tmp_path, "i.jsonl", (json.dumps(INSTANCE) + "\n") * 2)
    with pytest.raises(ConfigError, match=r":2: duplicate instance_id 'o__r-1' \(first on line 1\)"):
        load_instances(path)


def test_predictions_jsonl_dict_and_gold(tmp_path: Path) -> None:
    instance = Instance.model_validate({**INSTANCE, "patch": "diff"})
    pred = {"instance_id": "o__r-1", "model_name_or_path": "m/x", "model_patch": "p"}
    assert load_predictions(str(write(tmp_path, "p.jsonl", json.dumps(pred))), [instance])["o__r-1"].model_patch == "p"
    keyed = {"o__r-1": {"model_name_or_path": "m", "model_patch": None}}
    assert load_predictions(str(write(tmp_path, "p.json", json.dumps(keyed))), [instance])["o__r-1"].model_patch is None
    gold = load_predictions("gold", [instance])["o__r-1"]
    assert (gold.model_name_or_path, gold.model_patch) == ("gold", "diff")


def test_prediction_without_model_patch_names_its_line(tmp_path: Path) -> None:
    lines = [json.dumps({"instance_id": "a", "model_patch": ""}), json.dumps({"instance_id": "b"})]
    with pytest.raises(ConfigError, match=r"p\.jsonl:2: invalid prediction: model_patch is missing"):
        load_predictions(str(write(tmp_path, "p.jsonl", "\n".join(lines))), [])
