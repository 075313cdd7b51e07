"""The harness installs the project again after the patch, with the network: a dependency the
patch declares is there when its tests run, and one it does not declare is not (real git, real
Docker, a real PyPI install, graded by ``rfsn evaluate``)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from rfsn.buildpacks.python.swebench import upstream
from rfsn.buildpacks.python.swebench.patchtree import patched_source
from tests.batch.test_evaluate_clean_docker import _diff, _git, _write
from tests.batch.test_evaluate_docker import evaluate, validate
from tests.paths import COMMIT_DATES

pytestmark = [pytest.mark.docker, pytest.mark.slow, pytest.mark.usefixtures("docker_client", "no_leaked_sandboxes")]

SPEC = {"python": "3.11", "install": "python -m pip install -e .", "test_cmd": "pytest -rA"}
SETUP = "from setuptools import setup\n\nsetup(name='calc', version='1.0', packages=['calc']{})\n"
CODE = "import six\n\nVERSION = 1\n\n\ndef text_type():\n    return six.text_type\n"
TESTS = """\
import six


def test_text_type():
    from calc import text_type
    assert text_type() is six.text_type


def test_version():
    from calc import VERSION
    assert VERSION == 1
"""


def _instance(root: Path) -> dict[str, Any]:
    repo = root / "repos" / "calc"
    (repo / "calc").mkdir(parents=True)
    _git(root, "init", "-q", str(repo))
    (repo / "setup.py").write_text(SETUP.format(""))
    (repo / "calc/__init__.py").write_text("VERSION = 1\n")
    _git(repo, "add", ".")
    with mock.patch.dict(os.environ, COMMIT_DATES):
        _git(repo, "commit", "-qm", "base")
    base = _git(repo, "rev-parse", "HEAD")
    return {
        "instance_id": "local__calc-1",
        "repo": "local/calc",
        "base_commit": base,
        "version": "1.0",
        "environment_setup_commit": base,
        "patch": (
            _diff(repo, "setup.py", SETUP.format(", install_requires=['six']")) + _diff(repo, "calc/__init__.py", CODE)
        ),
        "test_patch": _diff(repo, "tests/test_calc.py", TESTS),
        "FAIL_TO_PASS": ["tests/test_calc.py::test_text_type"],
        "PASS_TO_PASS": ["tests/test_calc.py::test_version"],
    }


def test_pylint_4661_a_dependency_the_gold_patch_declares_is_installed_for_the_check_and_the_graded_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pylint-dev__pylint-4661: the gold patch adds ``appdirs`` to ``install_requires`` and the test
    patch imports it; rfsn's env lacked it and labelled the instance ``env``. The same code without
    the declaration is unresolved, as in the harness."""
    monkeypatch.setattr(upstream, "lookup", lambda repo, version: SPEC if repo == "local/calc" else None)
    instance = _instance(tmp_path)
    instances = _write(tmp_path, instance)
    summary = validate(instances, "deps", tmp_path / "out", tmp_path / "repos")
    log = (tmp_path / "out/logs/run_evaluation/deps/gold/local__calc-1/run_instance.log").read_text()
    assert "environment validation: ok" in log, log
    assert summary["resolved_ids"] == ["local__calc-1"], (summary, log)

    undeclared = _diff(tmp_path / "repos/calc", "calc/__init__.py", CODE)
    predictions = tmp_path / "undeclared.jsonl"
    predictions.write_text(
        json.dumps({"instance_id": "local__calc-1", "model_name_or_path": "undeclared", "model_patch": undeclared})
        + "\n"
    )
    summary = evaluate(instances, str(predictions), "undeclared", tmp_path / "out", tmp_path / "repos")
    assert summary["resolved_ids"] == [] and summary["unresolved_ids"] == ["local__calc-1"], summary


def test_a_patch_that_edits_no_metadata_keeps_the_env_and_one_that_does_gets_its_tree(tmp_path: Path) -> None:
    """The env installs the project from base + patch only when the patch edits root-level
    metadata; the tree is the patched one, content-addressed."""
    instance = _instance(tmp_path)
    repo = tmp_path / "repos/calc"
    code_only = _diff(repo, "calc/__init__.py", CODE)
    assert patched_source(repo, instance["base_commit"], code_only) is None
    assert patched_source(repo, instance["base_commit"], "not a patch") is None
    tree = patched_source(repo, instance["base_commit"], instance["patch"])
    assert tree is not None
    assert "install_requires=['six']" in _git(repo, "show", f"{tree}:setup.py")
    assert _git(repo, "show", f"{tree}:calc/__init__.py") == CODE.strip()
    assert _git(repo, "status", "--porcelain") == ""  # the checkout's own index and tree untouched


#: a spec whose ``pre_install`` pins a dependency with a sed that is not idempotent (run twice it
#: writes ``six<2<2``), as sphinx 3.x's pins ``sphinxcontrib-applehelp<=1.0.7``
PINNING = {**SPEC, "pre_install": ["sed -i 's/six/six<2/' setup.py"]}
LINES = (
    "from setuptools import setup\n\nsetup(\n    name='calc',\n    version='{}',\n    packages=['calc'],\n"
    "    install_requires=['{}'],\n)\n"
)


def _pinned(root: Path) -> dict[str, Any]:
    """An instance whose base declares ``six``; a prediction taken after the spec's setup repeats
    its pin in setup.py beside the fix."""
    instance = _instance(root)
    repo = root / "repos/calc"
    (repo / "setup.py").write_text(LINES.format("1.0", "six"))
    _git(repo, "commit", "-qam", "six")
    base = _git(repo, "rev-parse", "HEAD")
    repeated = _diff(repo, "setup.py", LINES.format("1.0", "six<2"))
    return {
        **instance,
        "base_commit": base,
        "environment_setup_commit": base,
        "patch": _diff(repo, "calc/__init__.py", CODE),
    }, repeated + _diff(repo, "calc/__init__.py", CODE)


def test_the_spec_metadata_edits_and_a_patch_repeating_them_make_the_edit_once(tmp_path: Path) -> None:
    """The tree the env installs from is the base after the spec's metadata edits, then the patch,
    merged: an edit the patch repeats is made once, one it does not make is made, and a change of
    the same line that differs is the patch's (real git, no Docker)."""
    instance, repeated = _pinned(tmp_path)
    repo, base = tmp_path / "repos/calc", instance["base_commit"]
    edits = PINNING["pre_install"]
    tree = patched_source(repo, base, repeated, edits)
    assert tree is not None and _git(repo, "show", f"{tree}:setup.py") == LINES.format("1.0", "six<2").strip()
    other_line = _diff(repo, "setup.py", LINES.format("1.1", "six"))
    tree = patched_source(repo, base, other_line, edits)
    assert tree is not None and _git(repo, "show", f"{tree}:setup.py") == LINES.format("1.1", "six<2").strip()
    differing = _diff(repo, "setup.py", LINES.format("1.0", "six>=1"))
    tree = patched_source(repo, base, differing, edits)
    assert tree is not None and _git(repo, "show", f"{tree}:setup.py") == LINES.format("1.0", "six>=1").strip()
    assert _git(repo, "status", "--porcelain") == ""


def test_sphinx_7440_a_prediction_repeating_the_spec_pins_is_graded_not_an_env_build_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sphinx-doc__sphinx-7440 (a published prediction): the model's diff, taken against the base,
    carries the spec's setup.py pins; the env built from base + patch ran the spec's seds over them
    again (``sphinxcontrib-applehelp<=1.0.7<=1.0.7``) and the instance was an ``image_build`` error
    where the harness grades it."""
    monkeypatch.setattr(upstream, "lookup", lambda repo, version: PINNING if repo == "local/calc" else None)
    instance, repeated = _pinned(tmp_path)
    instances = _write(tmp_path, instance)
    predictions = tmp_path / "repeated.jsonl"
    predictions.write_text(
        json.dumps({"instance_id": "local__calc-1", "model_name_or_path": "repeated", "model_patch": repeated}) + "\n"
    )
    summary = evaluate(instances, str(predictions), "pins", tmp_path / "out", tmp_path / "repos")
    log = (tmp_path / "out/logs/run_evaluation/pins/repeated/local__calc-1/run_instance.log").read_text()
    assert summary["resolved_ids"] == ["local__calc-1"], (summary, log)
