"""Environment validation verdicts: a broken environment is named, never blamed on a patch."""

from __future__ import annotations

from pathlib import Path

import pytest

from rfsn.batch.harness.envcheck import cached, caveat, store, verdict
from rfsn.models import TestReport
from rfsn.models import TestStatus as S
from rfsn.models.swebench import Instance

INST = Instance(
    instance_id="o__r-1",
    repo="o/r",
    base_commit="abc",
    patch="",
    test_patch="",
    FAIL_TO_PASS=["t.py::f"],
    PASS_TO_PASS=["t.py::p"],
)


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
    log = (
        "    def create_connection(address, timeout=_GLOBAL_DEFAULT_TIMEOUT,\n"
        ">       for res in getaddrinfo(host, port, 0, SOCK_STREAM):\n"
        "E       socket.gaierror: [Errno -3] Temporary failure in name resolution\n"
        "FAILED test_requests.py::RequestsTestCase::test_BASICAUTH_TUPLE_HTTP_200_OK_GET\n"
    )
    reason = verdict(INST, _report(log, f=S.FAILED, p=S.FAILED), None)
    assert reason is not None and reason.endswith(
        "they need the network, which the sandbox does not have: "
        "E       socket.gaierror: [Errno -3] Temporary failure in name resolution"
    )
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
    assert reason == (
        "1 test(s) not collected at base (first: t.py::f): t.py cannot import a dependency: E   No module named 'x'"
    )
    elsewhere = TestReport(tests={"other.py": S.ERROR, "u.py::p": S.PASSED}, exit_code=1, log="")
    assert verdict(inst, elsewhere, None) is not None  # nothing says why t.py::f is missing


def test_xarray_2905_pass_to_pass_tests_their_modules_collection_error_hides_are_the_environment() -> None:
    """A PASS_TO_PASS test passes at base in the harness, so its module imports there: one hidden by
    its module's collection error (cfgrib raising on import) is `env`, never a caveat."""
    log = "E   RuntimeError: Cannot find the ecCodes library\n"
    inst = INST.model_copy(update={"PASS_TO_PASS": ["t.py::p", "t.py::q"]})
    hidden = TestReport(tests={"t.py": S.ERROR}, exit_code=1, log=log)
    assert verdict(inst, hidden, None) == (
        "2 PASS_TO_PASS test(s) not collected at base, their module does not "
        "import (first: t.py::p): E   RuntimeError: Cannot find the ecCodes library"
    )
    assert (
        verdict(inst, TestReport(tests={"t.py::f": S.FAILED, "t.py::p": S.PASSED}, exit_code=1, log=""), None) is None
    )  # t.py::q missing from a module that imports: a caveat


def test_pylint_8898_a_pass_to_pass_name_of_a_test_the_test_patch_adds_failing_at_base_is_a_caveat() -> None:
    """A test the test patch adds is the fix's to pass, whatever list names it; the harness never
    runs it at base. pylint-dev__pylint-8898 lists ``test_csv_regex_comma_in_quantifier[foo,`` as
    PASS_TO_PASS, the name the harness's parser gives two new tests, one failing at base: `env`."""
    patch = (
        "+++ b/t.py\n@@ -1 +1,4 @@\n+@pytest.mark.parametrize('x', [1, 2])\n+def test_new(x) -> None:\n+    assert x\n"
    )
    inst = INST.model_copy(update={"test_patch": patch, "PASS_TO_PASS": ["t.py::p", "t.py::test_new[1"]})
    report = TestReport(
        tests={"t.py::f": S.FAILED, "t.py::p": S.PASSED, "t.py::test_new[1": S.FAILED}, exit_code=1, log=""
    )
    assert verdict(inst, report, None) is None
    said = caveat(inst, report)
    assert "the test patch adds or edits fail at base" in said and "t.py::test_new[1" in said
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


_UNITS = """import pytest


class TestDataArray:
    def test_stacking_reordering(self):
        assert True

    @pytest.mark.parametrize(
        "func",
        (
            method("diff", dim="x"),
            method("differentiate", coord="x"),
            method("integrate", dim="x"),
            method("quantile", q=[0.25, 0.75]),
            method("reduce", func=np.sum, dim="x"),
            pytest.param(lambda x: x.dot(x), id="method_dot"),
        ),
        ids=repr,
    )
    def test_computation(self, func):
        assert func

    def test_computation_objects(self):
        assert True


class TestDataset:
    def test_computation(self):
        x = 1
        assert x


def test_integrate(dask):
    with pytest.raises(ValueError):
        da.integrate("x2d")


def test_after():
    assert True
"""


def _git(repo: Path, *args: str) -> str:
    import subprocess

    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True).stdout


def _edited_repo(tmp_path: Path) -> tuple[Path, str]:
    """A real git repository whose test patch edits a parametrize list (past the 3 lines of
    context a hunk shows), appends to a test's body and deletes a test's last line; the patch
    is applied."""
    repo = tmp_path / "repo"
    (repo / "tests").mkdir(parents=True)
    (repo / "tests" / "test_units.py").write_text(_UNITS)
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "base")
    edited = _UNITS.replace('method("integrate", dim="x")', 'method("integrate", coord="x")').replace(
        '        da.integrate("x2d")\n',
        '        da.integrate("x2d")\n\n    with pytest.warns(FutureWarning):\n        da.integrate(dim="x")\n',
    )
    (repo / "tests" / "test_units.py").write_text(edited)
    return repo, _git(repo, "diff")


def test_xarray_3993_pass_to_pass_cases_whose_parameters_the_test_patch_rewrites_failing_at_base_are_a_caveat(
    tmp_path: Path,
) -> None:
    """A PASS_TO_PASS test whose definition (decorators, signature, body) the test patch edits is
    the fix's to pass: the harness never runs it at base. pydata__xarray-3993's test patch rewrites
    a ``parametrize`` argument of ``TestDataArray::test_computation`` to an API the gold patch
    adds; its 4 cases fail at base and rfsn called the environment broken."""
    from rfsn.batch.harness.envcheck import edited_tests

    repo, patch = _edited_repo(tmp_path)
    assert "def test_computation" not in patch  # the def is past the hunk's context
    edited = edited_tests(patch, repo)
    assert edited == {"tests/test_units.py::TestDataArray::test_computation", "tests/test_units.py::test_integrate"}
    case = "tests/test_units.py::TestDataArray::test_computation[float64-method_integrate]"
    inst = INST.model_copy(
        update={
            "test_patch": patch,
            "PASS_TO_PASS": [case, "tests/test_units.py::test_after"],
            "FAIL_TO_PASS": ["tests/test_units.py::test_integrate"],
        }
    )
    report = TestReport(
        tests={
            case: S.FAILED,
            "tests/test_units.py::test_after": S.PASSED,
            "tests/test_units.py::test_integrate": S.FAILED,
        },
        exit_code=1,
        log="",
    )
    assert verdict(inst, report, None, edited=edited) is None
    assert "adds or edits fail at base" in caveat(inst, report, edited) and case in caveat(inst, report, edited)


def test_an_untouched_pass_to_pass_test_failing_at_base_is_still_the_environment(tmp_path: Path) -> None:
    """Only the tests the test patch edits are excused: another test of the same name in another
    class, or the tests just above the edited decorator and after the edited test in its class,
    failing at base say `env`."""
    from rfsn.batch.harness.envcheck import edited_tests

    repo, patch = _edited_repo(tmp_path)
    edited = edited_tests(patch, repo)
    for untouched in (
        "tests/test_units.py::TestDataset::test_computation",
        "tests/test_units.py::TestDataArray::test_stacking_reordering",
        "tests/test_units.py::TestDataArray::test_computation_objects",
        "tests/test_units.py::test_after",
    ):
        inst = INST.model_copy(update={"test_patch": patch, "PASS_TO_PASS": [untouched]})
        report = TestReport(tests={"t.py::f": S.FAILED, untouched: S.FAILED}, exit_code=1, log="")
        reason = verdict(inst, report, None, edited=edited)
        assert reason is not None and "1 PASS_TO_PASS test(s) do not pass at base" in reason, untouched


def test_a_test_whose_last_line_the_test_patch_deletes_is_edited(tmp_path: Path) -> None:
    """A deletion touches the test it is cut from, its decorators and its last line included."""
    from rfsn.batch.harness.envcheck import edited_tests

    repo, _ = _edited_repo(tmp_path)
    (repo / "tests" / "test_units.py").write_text(
        _UNITS.replace("        ids=repr,\n", "").replace("        assert x\n", "")
    )
    patch = _git(repo, "diff")
    assert edited_tests(patch, repo) == {
        "tests/test_units.py::TestDataArray::test_computation",
        "tests/test_units.py::TestDataset::test_computation",
    }


def test_a_class_decorator_the_test_patch_edits_edits_each_of_its_methods(tmp_path: Path) -> None:
    from rfsn.batch.harness.envcheck import edited_tests

    repo, _ = _edited_repo(tmp_path)
    (repo / "tests" / "test_units.py").write_text(_UNITS.replace("class TestDataset:", "@skip\nclass TestDataset:"))
    assert edited_tests(_git(repo, "diff"), repo) == {"tests/test_units.py::TestDataset::test_computation"}


def test_platformdirs_e605ef9_a_fail_to_pass_function_named_without_its_parameters_is_its_cases() -> None:
    """A FAIL_TO_PASS list made from a diff names a parametrized function; the run reports its cases."""
    base = _report(**{"f[a-1]": S.PASSED, "f[b-2]": S.FAILED, "p": S.PASSED})
    assert verdict(INST, base, None) is None  # one case fails at base: the bug shows
    early = _report(**{"f[a-1]": S.PASSED, "f[b-2]": S.PASSED, "p": S.PASSED})
    reason = verdict(INST, early, None)
    assert reason is not None and "already pass" in reason
