"""Environment validation verdicts: a broken environment is named, never blamed on a patch."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.batch.harness.envcheck import cached, caveat, store, verdict
from rfsn.models import TestReport
from rfsn.models import TestStatus as S
from rfsn.models.swebench import Instance

INST = Instance(instance_id="o__r-1", repo="o/r", base_commit="abc", patch="", test_patch="",
                FAIL_TO_PASS=["t.py::f"], PASS_TO_PASS=["t.py::p"])


def _report(log: str = "", **tests: S) -> TestReport:
    return TestReport(tests={f"t.py::{k}": v for k, v in tests.items()}, exit_code=1, log=log)


def test_a_healthy_base_fails_f2p_and_passes_p2p() -> None:
    assert verdict(INST, _report(f=S.FAILED, p=S.PASSED), None) is None


def test_tests_not_collected_name_the_first_error_line() -> None:
    log = "collecting\nE   ModuleNotFoundError: No module named 'simplejson'\n"
    reason = verdict(INST, _report(log, p=S.PASSED), None)
    assert reason is not None and "not collected" in reason and "simplejson" in reason


def test_p2p_failing_at_base_is_the_environment() -> None:
    reason = verdict(INST, _report(f=S.FAILED, p=S.ERROR), None)
    assert reason is not None and "PASS_TO_PASS" in reason


def test_f2p_passing_at_base_is_named() -> None:
    reason = verdict(INST, _report(f=S.PASSED, p=S.PASSED), None)
    assert reason is not None and "already pass" in reason


def test_the_buildpack_diagnosis_wins() -> None:
    assert verdict(INST, _report(), "nothing collected") == "nothing collected"


def test_only_a_passing_validation_is_cached(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A failure is checked again next time: it may be transient, or fixed since."""
    assert cached(tmp_path / "v.json") is None
    store(tmp_path / "v.json")
    assert cached(tmp_path / "v.json") == ""
    store(tmp_path / "c.json", "1 PASS_TO_PASS test(s) never collected")
    assert cached(tmp_path / "c.json") == "1 PASS_TO_PASS test(s) never collected"
    (tmp_path / "w.json").write_text('{"env_error": "broken"}')  # an older cache's failure
    assert cached(tmp_path / "w.json") is None


def test_a_pass_to_pass_test_that_can_never_exist_is_graded_with_a_caveat() -> None:
    """pylint-7080 names a parameter holding a path of the dataset builder's machine: the
    harness grades it (a missing test failed), so the environment is not blamed; the caveat
    says why rfsn would have."""
    inst = INST.model_copy(update={"PASS_TO_PASS": ["t.py::p", "t.py::q[/n/fs/tmp/x]"]})
    report = _report(f=S.FAILED, p=S.PASSED)
    assert verdict(inst, report, None) is None
    assert "never collected" in caveat(inst, report) and "t.py::q[/n/fs/tmp/x]" in caveat(inst, report)
    assert caveat(INST, report) == ""


def test_p2p_failing_for_want_of_the_network_says_so() -> None:
    # the lines a real run printed (psf__requests-2317 in the network-less sandbox)
    log = ("    def create_connection(address, timeout=_GLOBAL_DEFAULT_TIMEOUT,\n"
           ">       for res in getaddrinfo(host, port, 0, SOCK_STREAM):\n"
           "E       socket.gaierror: [Errno -3] Temporary failure in name resolution\n"
           "FAILED test_requests.py::RequestsTestCase::test_BASICAUTH_TUPLE_HTTP_200_OK_GET\n")
    reason = verdict(INST, _report(log, f=S.FAILED, p=S.FAILED), None)
    assert reason is not None and reason.endswith(
        "they need the network, which the sandbox does not have: "
        "E       socket.gaierror: [Errno -3] Temporary failure in name resolution")
    plain = verdict(INST, _report("E   assert 1 == 2\n", f=S.FAILED, p=S.FAILED), None)
    assert plain is not None and "network" not in plain


def test_gold_unresolved_for_a_test_that_cannot_exist_says_why() -> None:
    from rfsn.batch.outcome import Outcome, Status
    from rfsn.batch.validate import judge

    caveat = "1 PASS_TO_PASS test(s) never collected at base, graded as failed (first: t[/n/fs/x])"
    row = judge("i", Outcome(instance_id="i", status=Status.UNRESOLVED, caveat=caveat))
    assert (row.valid, row.gold_resolves, row.label) == (False, False, "gold_unresolved")
    assert row.message.endswith(f"(as the harness grades it; caveat: {caveat})")
    plain = judge("i", Outcome(instance_id="i", status=Status.UNRESOLVED))
    assert plain.message == "the gold patch does not resolve the instance"


def test_a_fail_to_pass_test_the_crashing_runner_never_reported_failed_when_the_project_is_the_runner() -> None:
    # pytest-dev__pytest-7168: at base, the F2P test makes pytest itself (the code under test)
    # raise an INTERNALERROR before it is reported; the harness grades the missing test failed
    report = _report("INTERNALERROR> RuntimeError\n", p=S.PASSED)
    assert verdict(INST, report, None) is not None  # any other run: the environment
    assert verdict(INST, report, None, runner_crashed=True) is None
    early = _report("INTERNALERROR> RuntimeError\n", f=S.PASSED, p=S.PASSED)  # reported before the crash
    assert verdict(INST, early, None) is not None and verdict(INST, early, None, runner_crashed=True) is None


def test_a_fail_to_pass_test_its_modules_collection_error_hides_fails_at_base() -> None:
    """The fix may add what the module imports: only a dependency the environment lacks is `env`."""
    hidden = TestReport(tests={"t.py": S.ERROR, "u.py::p": S.PASSED}, exit_code=1, log="")
    inst = INST.model_copy(update={"PASS_TO_PASS": ["u.py::p"]})
    assert verdict(inst, hidden, None) is None
    reason = verdict(inst, hidden, None, dependency="t.py cannot import a dependency: E   No module named 'x'")
    assert reason == ("1 test(s) not collected at base (first: t.py::f): "
                      "t.py cannot import a dependency: E   No module named 'x'")
    elsewhere = TestReport(tests={"other.py": S.ERROR, "u.py::p": S.PASSED}, exit_code=1, log="")
    assert verdict(inst, elsewhere, None) is not None  # nothing says why t.py::f is missing


def test_xarray_2905_pass_to_pass_tests_their_modules_collection_error_hides_are_the_environment() -> None:
    """A PASS_TO_PASS test passes at base in the harness, so its module imports there: one hidden by
    its module's collection error (cfgrib raising on import) is `env`, never a caveat."""
    log = "E   RuntimeError: Cannot find the ecCodes library\n"
    inst = INST.model_copy(update={"PASS_TO_PASS": ["t.py::p", "t.py::q"]})
    hidden = TestReport(tests={"t.py": S.ERROR}, exit_code=1, log=log)
    assert verdict(inst, hidden, None) == ("2 PASS_TO_PASS test(s) not collected at base, their module does not "
                                           "import (first: t.py::p): E   RuntimeError: Cannot find the ecCodes library")
    assert verdict(inst, TestReport(tests={"t.py::f": S.FAILED, "t.py::p": S.PASSED}, exit_code=1, log=""),
                   None) is None  # t.py::q missing from a module that imports: a caveat


def test_pylint_8898_a_pass_to_pass_name_of_a_test_the_test_patch_adds_failing_at_base_is_a_caveat() -> None:
    """A test the test patch adds is the fix's to pass, whatever list names it; the harness never
    runs it at base. pylint-dev__pylint-8898 lists ``test_csv_regex_comma_in_quantifier[foo,`` as
    PASS_TO_PASS, the name the harness's parser gives two new tests, one failing at base: `env`."""
    patch = ("+++ b/t.py\n@@ -1 +1,4 @@\n+@pytest.mark.parametrize('x', [1, 2])\n"
             "+def test_new(x) -> None:\n+    assert x\n")
    inst = INST.model_copy(update={"test_patch": patch, "PASS_TO_PASS": ["t.py::p", "t.py::test_new[1"]})
    report = TestReport(tests={"t.py::f": S.FAILED, "t.py::p": S.PASSED, "t.py::test_new[1": S.FAILED},
                        exit_code=1, log="")
    assert verdict(inst, report, None) is None
    assert "the test patch adds fail at base" in caveat(inst, report) and "t.py::test_new[1" in caveat(inst, report)
    old = inst.model_copy(update={"test_patch": patch.replace("def test_new", "def test_newer")})
    reason = verdict(old, report, None)  # a test the patch does not add: the environment
    assert reason is not None and "1 PASS_TO_PASS test(s) do not pass at base" in reason


def test_the_validation_cache_is_keyed_by_rfsns_own_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A verdict cached by one version of rfsn's code is not read back by another with the same
    release number (pytest-7521 kept a caveat its check had cached before the change)."""
    from rfsn.batch.harness import envcheck
    from rfsn.buildpacks import load

    instance = Instance(instance_id="o__r-1", repo="o/r", base_commit="abc", patch="", test_patch="")
    buildpack = load("python")
    before = envcheck.cache_path(tmp_path, instance, buildpack, tmp_path)
    assert envcheck.cache_path(tmp_path, instance, buildpack, tmp_path) == before
    monkeypatch.setattr(envcheck, "code_digest", lambda: "another-code")
    assert envcheck.cache_path(tmp_path, instance, buildpack, tmp_path) != before
