"""The example plugin on its fixture project: detection, a real `make test` run, parsing."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from rfsn_make_buildpack import MakeBuildpack, parse_tap

from rfsn.buildpacks.base import Buildpack
from rfsn.models import TestStatus as Status

GREETER = Path(__file__).parent / "fixtures" / "greeter"


def test_implements_the_protocol() -> None:
    assert isinstance(MakeBuildpack(), Buildpack)


def test_detects_a_makefile_with_a_test_target(tmp_path: Path) -> None:
    assert MakeBuildpack().detect(GREETER).score == 0.6
    assert MakeBuildpack().detect(tmp_path).score == 0.0


def test_parse_tap() -> None:
    output = "ok 1 - a\nnot ok 2 - b\nok 3 - c # SKIP later\nnoise\n1..3\n"
    assert parse_tap(output) == {
        "a": Status.PASSED, "b": Status.FAILED, "c": Status.SKIPPED,
    }


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
@pytest.mark.parametrize(("tests", "expected"), [
    ((), {"greets the world": "passed", "greets by name": "failed", "greets in french": "skipped"}),
    (("greets by name",), {"greets by name": "failed", "greets in french": "skipped"}),
])
def test_a_real_run(tests: tuple[str, ...], expected: dict[str, str]) -> None:
    buildpack = MakeBuildpack()
    argv = buildpack.test_command(tests, "/unused")
    proc = subprocess.run(argv, cwd=GREETER, capture_output=True, text=True, check=False)
    assert {k: v.value for k, v in buildpack.parse(proc.stdout, {}).items()} == expected
