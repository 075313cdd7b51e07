"""The batch commands' configurations are typed at the boundary: a bad value is refused when
the configuration is made, before any instance runs, and names what is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rfsn.batch.evaluate import EvalConfig
from rfsn.batch.infer import BatchConfig
from rfsn.errors import ConfigError
from rfsn.settings import WORKER_SETTINGS, for_workers, load_settings


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"workers": 0}, "workers"),
        ({"executor": "slurm"}, "executor"),
        ({"timeout": 0}, "timeout"),
        ({"timeout": -5.0}, "timeout"),
        ({"oracle": True}, "oracle"),  # a misspelt option is not silently ignored
    ],
)
def test_a_bad_batch_value_names_its_field(tmp_path: Path, fields: dict, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        BatchConfig(instances=tmp_path / "i.jsonl", out_dir=tmp_path / "run", **fields)
    assert caught.value.errors()[0]["loc"] == (field,)


def test_a_config_that_cannot_run_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="--ray-address needs --executor ray"):
        EvalConfig(instances=tmp_path / "i.jsonl", predictions="gold", run_id="r", ray_address="auto")
    with pytest.raises(ConfigError, match="--run-id"):
        EvalConfig(instances=tmp_path / "i.jsonl", predictions="gold", run_id="../up")
    with pytest.raises(ConfigError, match="--model-name"):
        BatchConfig(instances=tmp_path / "i.jsonl", out_dir=tmp_path / "run", model_name="..")


def test_a_worker_takes_over_only_the_worker_settings(tmp_path: Path) -> None:
    settings = load_settings(home=tmp_path / "home", test_timeout=77)
    config = EvalConfig(
        instances=tmp_path / "i.jsonl", predictions="gold", run_id="r", settings=settings, instance_ids=["a", "b"]
    )
    taken = for_workers(config.settings) if config.settings else {}
    assert set(taken) == WORKER_SETTINGS and taken["test_timeout"] == 77
    assert load_settings(**taken).home == tmp_path / "home"
    assert config.instance_ids == ("a", "b")
