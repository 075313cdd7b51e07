"""Where `rfsn test`, which has no outputs directory, keeps a failed build's whole output."""

from __future__ import annotations

from pathlib import Path

from rfsn.errors import ImageError
from rfsn.sandbox.buildlog import named_build_log


def test_without_a_log_file_the_output_goes_to_the_homes_env_builds_and_the_line_names_it(tmp_path: Path) -> None:
    failed = ImageError("env image: npm ci: npm ERR! An unknown git error occurred", output="Step 1/3 : FROM x\n...")
    failed.environment = ("Node 17.9.1",)
    named = named_build_log(failed, None, tmp_path / "home")
    [kept] = (tmp_path / "home" / "env-builds").iterdir()
    assert kept.name.endswith(".env-build.log") and kept.read_text() == failed.output
    assert str(named) == f"{failed}; the whole build output: {kept}"
    assert (named.output, named.environment) == (failed.output, failed.environment)


def test_a_failure_without_build_output_is_left_as_it_is(tmp_path: Path) -> None:
    failed = ImageError("no registry answers")
    assert named_build_log(failed, tmp_path / "log.jsonl", tmp_path) is failed
    assert list(tmp_path.iterdir()) == []
