"""Environment validation: can this environment run the instance's tests at all?

At the base commit with ``test_patch`` applied, the runner must collect every
FAIL_TO_PASS and PASS_TO_PASS test, FAIL_TO_PASS failing and PASS_TO_PASS
passing. Otherwise the environment (not a patch) is at fault: the instance is
an infrastructure failure labelled ``env`` with the first error line. The
pass is cached per instance, test patch and env recipe; a failure is checked
again next time (it may be transient, or fixed since in rfsn or on the host).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from rfsn.batch.grading import harness_names
from rfsn.buildpacks.base import Buildpack
from rfsn.fsutil import write_atomic
from rfsn.models import TestReport, TestStatus
from rfsn.models.swebench import Instance


def verdict(instance: Instance, report: TestReport, diagnosis: str | None) -> str | None:
    """Pure: why ``report`` (base + test_patch) shows a broken environment, or None."""
    if diagnosis:
        return diagnosis
    tests = harness_names(report.tests)
    missing = [t for t in [*instance.FAIL_TO_PASS, *instance.PASS_TO_PASS] if t not in tests]
    if missing:
        first = next((ln.strip() for ln in report.log.splitlines() if "Error" in ln), "")
        return f"{len(missing)} test(s) not collected at base (first: {missing[0]}){': ' + first if first else ''}"
    broken = [t for t in instance.PASS_TO_PASS if tests[t] != TestStatus.PASSED]
    if broken:
        return f"{len(broken)} PASS_TO_PASS test(s) do not pass at base (first: {broken[0]})"
    early = [t for t in instance.FAIL_TO_PASS if tests[t] == TestStatus.PASSED]
    if early:
        return f"{len(early)} FAIL_TO_PASS test(s) already pass at base (first: {early[0]})"
    return None


def cache_path(home: Path, instance: Instance, buildpack: Buildpack, repo: Path) -> Path:
    """Where the verdict of ``instance`` in this environment is kept."""
    key = hashlib.sha256("\0".join([instance.base_commit, instance.test_patch,
                                    buildpack.env_recipe(repo).key()]).encode()).hexdigest()[:16]
    safe = "".join(c if c.isalnum() or c in "._-" else "_" for c in instance.instance_id)
    return home / "validation" / f"{safe}-{key}.json"


def cached(path: Path) -> bool:
    """Whether this instance's environment already passed validation."""
    try:
        return json.loads(path.read_text(encoding="utf-8")).get("valid") is True
    except (OSError, json.JSONDecodeError, AttributeError):
        return False


def store(path: Path) -> None:
    """Remember that this instance's environment passed validation."""
    write_atomic(path, json.dumps({"valid": True}))
