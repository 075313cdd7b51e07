"""The Go buildpack: modules downloaded into the env image, ``go test -json``.

Test ids are ``<import path>/<TestName>[/<sub>]`` with go's own escaping of subtest names
(spaces become underscores). A package that fails without a failing test (a build error, a
panic in init, TestMain exiting non-zero) is one ``error`` named by its import path.

A test that panics (or dies of a fatal error) ends its package's test binary: it fails with the
panic's message and stack (``ResumeCapable.crashes``), and the tests it kept from running run
again without it (``rest_command``). Another failed test's reason is the ``file_test.go:NN:
message`` line it printed (``ReasonCapable``). The session's per-test limit is a test binary's
``-timeout``: only a test that itself ran that long is ``timeout``, the tests it cut short run
again with the rest (:mod:`rfsn.buildpacks.go.gotimeout`). Per-test coverage: go's cover
profiles, one per top-level test (:mod:`rfsn.buildpacks.go.gocoverage`).
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from rfsn.buildpacks.base import BaseImage, CoveragePlan, Detection, EnvOptions, EnvRecipe, json_lines
from rfsn.buildpacks.go import debgo, gomodreqs, gopath, goversions
from rfsn.buildpacks.go.gocoverage import (
    DRIVER,
    driver_command,
    driver_script,
    parse_go_coverage,
    split_test_id,
    suite_command,
)
from rfsn.buildpacks.go.goreasons import go_reasons
from rfsn.buildpacks.go.gotimeout import timed_out_packages
from rfsn.buildpacks.parts import Environment, Measuring, Parts, Reading, Running
from rfsn.buildpacks.python.pydated import as_of
from rfsn.errors import InputError
from rfsn.inputs import json_value
from rfsn.models import Crash, TestStatus

_STATUS = {"pass": TestStatus.PASSED, "fail": TestStatus.FAILED, "skip": TestStatus.SKIPPED}
_BUILD_FAILED = re.compile(r"^FAIL\s+(?P<package>\S+)\s+\[(?:build|setup) failed\]")
_RE2_SPECIAL = re.compile(r"([\\.+*?()|\[\]{}^$])")
#: the first line a Go program prints dying: a panic (recovered by testing and raised again) or a
#: fatal error of the runtime (a stack overflow, a concurrent map write)
_DEATH = re.compile(r"^(?:panic: (?P<panic>.*?)(?: \[recovered\])?|fatal error: (?P<fatal>.*))$")
#: the package's top-level tests the rest of a crashed run runs: those ``-list`` names, less the done
_REST = r"""pkg=$1; limit=$2; shift 2; done=" $* "; left=""
for n in $(go test -list . "$pkg" | grep -E '^(Test|Example|Fuzz)'); do
  case "$done" in *" $n "*) ;; *) left="$left|$n" ;; esac
done
[ -z "$left" ] || exec go test -json "$limit" -run "^(${left#|})\$" "$pkg"
"""
#: a test binary's limit without a per-test limit: go test's own default
GO_DEFAULT_TIMEOUT = "10m"
#: build and test caches in the env, where its build compiled the standard library (GO_STD)
GOCACHE = "$RFSN_ENV/gocache"
GO_STD = "cd / && GOFLAGS= go build std"  # Go 1.20+ ships the standard library as source only


def parse_go_json(output: str) -> dict[str, TestStatus]:
    """Statuses from ``go test -json`` (non-JSON lines, e.g. build errors, are ignored)."""
    statuses: dict[str, TestStatus] = {}
    failed_packages: list[str] = []
    packages_with_failures: set[str] = set()
    for line in output.splitlines():
        if not line.startswith("{"):
            build = _BUILD_FAILED.match(line)
            if build:  # go before 1.24 prints build failures as text only
                failed_packages.append(build["package"])
            continue
        try:
            event = json_value(line)
        except InputError:
            continue
        action, package, test = event.get("Action"), event.get("Package"), event.get("Test")
        if action not in _STATUS or not package:
            continue
        if test:
            statuses[f"{package}/{test}"] = _STATUS[action]
            if action == "fail":
                packages_with_failures.add(package)
        elif action == "fail":
            failed_packages.append(package)
    timed = timed_out_packages(json_lines(output.splitlines()))
    for package in failed_packages:
        if package not in packages_with_failures and package not in timed:
            statuses[package] = TestStatus.ERROR
    for package in timed.values():
        for test in package.cut:
            statuses.pop(test, None)
        statuses |= dict.fromkeys(package.timed_out, TestStatus.TIMEOUT)
    return statuses


def go_crashes(output: str) -> list[Crash]:
    """The tests whose panic (or fatal error) ended their package's run, read from ``go test
    -json``'s events: the first such line is the reason, from it to the test's end the stack.
    A timed-out package's crash names no test: its tests that ran too long are ``timeout``."""
    timed = timed_out_packages(json_lines(output.splitlines()))
    printed: dict[tuple[str, str], list[str]] = {}
    for event in json_lines(output.splitlines()):
        if event.get("Action") == "output" and event.get("Test") and event.get("Package"):
            printed.setdefault((event["Package"], event["Test"]), []).append(event.get("Output") or "")
    crashes = {p: Crash(test="", reason=t.reason, unit=p) for p, t in timed.items()}
    for (package, test), chunks in printed.items():
        lines = "".join(chunks).splitlines()
        deaths = [i for i, text in enumerate(lines) if _DEATH.match(text)]
        if deaths and package not in crashes:
            death = _DEATH.match(lines[deaths[0]])
            assert death is not None
            crashes[package] = Crash(
                test=f"{package}/{test}",
                reason=death["panic"] or death["fatal"],
                stack="\n".join(lines[deaths[0] :]),
                unit=package,
            )
    return list(crashes.values())


def go_run_pattern(names: Sequence[str]) -> str:
    return "^(" + "|".join(sorted({_RE2_SPECIAL.sub(r"\\\1", n) for n in names})) + ")$"


def module_path(repo: Path) -> str | None:
    try:
        text = (repo / "go.mod").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r"^module\s+(\S+)", text, re.MULTILINE)
    return match.group(1).strip('"') if match else None


def _fetches(repo: Path) -> bool:
    """Whether ``repo``'s go.mod requires modules its own vendor/ does not hold."""
    try:
        text = (repo / "go.mod").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return bool(gomodreqs.directives(text)[0]) and not (repo / "vendor" / "modules.txt").is_file()


class GoBuildpack:
    name: ClassVar[str] = "go"
    structured: ClassVar[bool] = True
    #: the base of a module that declares no Go, as of today (``env_recipe`` chooses per project)
    default_base: ClassVar[BaseImage] = goversions.go_image(goversions.GoChoice(goversions.NEWEST, ""))
    env_options: EnvOptions = EnvOptions()

    #: seconds one test may run (``CaseLimitCapable``): its package's test binary's limit
    case_timeout: float | None = None

    def parts(self) -> Parts:
        return Parts(
            measuring=Measuring(coverage=self),
            reading=Reading(resume=self, reasons=self),
            running=Running(fail_fast=self, case_limit=self),
            environment=Environment(dated=self),
        )

    def detect(self, repo: Path) -> Detection:
        if (repo / "go.mod").is_file():
            return Detection(score=0.9, reasons=[f"go.mod present (module {module_path(repo)})"])
        if any(repo.glob("*_test.go")):
            return Detection(score=0.4, reasons=["Go test files without go.mod"])
        return Detection(score=0.0)

    def env_recipe(self, repo: Path) -> EnvRecipe:
        """The Go go.mod declares (``goversions``) and the modules it requires: from the project's
        vendor/, else downloaded from the module proxy in the build, else Debian's packaged Go
        sources vendored (``debgo``; a cause line for a module none has). Test runs reach no proxy
        (``GOPROXY=off``) and no other toolchain."""
        choice = goversions.choose(repo, as_of(repo, self.env_options.as_of)[0])
        names = [n for n in ("go.mod", "go.sum") if (repo / n).is_file()]
        vendored, fetch = (repo / "vendor" / "modules.txt").is_file(), _fetches(repo)
        files = tuple((n, (repo / n).read_text(encoding="utf-8")) for n in names) if fetch else ()
        steps: tuple[str, ...] = (GO_STD,)
        modules = "the project's vendor/" if vendored else "none required"
        flags: tuple[tuple[str, str], ...] = (("GOFLAGS", "-mod=vendor" if vendored else "-mod=mod"),)
        if fetch:  # the step chooses -mod in GOENV's file, which GO_STD outside any module ignores
            files = (*files, *debgo.step_files(dict(files)["go.mod"]))
            steps, flags = (debgo.STEP, GO_STD.replace("GOFLAGS=", "GOENV=off GOFLAGS=")), (("GOENV", debgo.GOENV),)
            modules = f"downloaded from {debgo.GO_PROXY}, else Debian's packaged Go sources"
        path_env = goversions.go_path(choice.version)
        extra: tuple[tuple[str, str], ...] = ()
        package = None if names else gopath.import_path(repo)
        if package:  # GOPATH-era: tests import the package by its path, which only a GOPATH gives
            files = (*files, (gopath.WRAPPER, gopath.wrapper(package)))
            steps = (*steps, f"chmod +x $RFSN_ENV/files/{gopath.WRAPPER}")
            flags, path_env = (("GOFLAGS", ""),), f"$RFSN_ENV/files/bin:{path_env}"
            extra = (("GO111MODULE", "off"), ("GOPATH", gopath.GOPATH))
            modules = f"no go.mod: GOPATH mode, the package at {package} (the path its tests import)"
        return EnvRecipe(
            buildpack=self.name,
            base=goversions.go_image(choice),
            steps=steps,
            files=files,
            env=(
                ("GOMODCACHE", "$RFSN_ENV/gomodcache"),
                ("GOCACHE", GOCACHE),
                *flags,
                ("GOTOOLCHAIN", "local"),
                ("GOPROXY", "off"),
                ("PATH", path_env),
                *extra,
            ),
            notes=(f"{choice.why}; GOTOOLCHAIN=local; modules: {modules}",),
        )

    def setup_commands(self, repo: Path) -> list[list[str]]:
        """The env's vendor tree of Debian's sources linked in, where the build made one."""
        return [["sh", "-c", debgo.LINK]] if _fetches(repo) else []

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        limit = [] if self.case_timeout is None else [self._timeout()]
        if not tests:
            return ["go", "test", "-json", *limit, "./..."]
        packages: dict[str, None] = {}
        funcs: set[str] = set()
        for tid in tests:
            package, func = split_test_id(tid)
            packages[package] = None
            if func:
                funcs.add(func)
        whole = any(split_test_id(t)[1] is None for t in tests)
        run = [] if whole or not funcs else ["-run", go_run_pattern(sorted(funcs))]
        return ["go", "test", "-json", *limit, *run, *packages]

    def _timeout(self) -> str:
        """``go test``'s ``-timeout`` for one test binary: the per-test limit, else go's default."""
        return "-timeout=" + (
            GO_DEFAULT_TIMEOUT if self.case_timeout is None else f"{max(1, math.ceil(self.case_timeout))}s"
        )

    def fail_fast_command(self, tests: Sequence[str], report_dir: str, max_failures: int) -> list[str] | None:
        """``go test -failfast``: only for the first failure (it has no count)."""
        if max_failures != 1:
            return None
        argv = self.test_command(tests, report_dir)
        return [*argv[:2], "-failfast", *argv[2:]]

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]:
        return parse_go_json(output)

    def crashes(self, output: str, statuses: Mapping[str, TestStatus]) -> list[Crash]:
        return go_crashes(output)

    def reasons(self, output: str, reports: dict[str, str]) -> dict[str, tuple[str, str]]:
        return go_reasons(output)

    def rest_command(
        self, crash: Crash, done: Collection[str], tests: Sequence[str], report_dir: str
    ) -> list[str] | None:
        """The package's top-level tests not done (of those selected, else of ``go test -list``).
        A crash in a subtest ends its whole top-level test: the subtests after it get no status."""
        ran = {func for package, func in map(split_test_id, done) if package == crash.unit and func}
        chosen = [split_test_id(t) for t in tests]
        if any(package == crash.unit and func is None for package, func in chosen) or not tests:
            return ["sh", "-c", _REST, "sh", crash.unit, self._timeout(), *sorted(ran)]
        left = sorted({func for package, func in chosen if package == crash.unit and func} - ran)
        return ["go", "test", "-json", self._timeout(), "-run", go_run_pattern(left), crash.unit] if left else None

    def coverage_plan(self, tests: Sequence[str], report_dir: str) -> CoveragePlan:
        return CoveragePlan(
            files={DRIVER: driver_script()},
            commands=[
                suite_command(self.test_command(tests, report_dir), report_dir),
                driver_command(report_dir, self._timeout()),
            ],
        )

    def parse_coverage(
        self, reports: dict[str, str], test_ids: Sequence[str], workdir: str
    ) -> dict[str, dict[str, list[int]]]:
        return {
            test: {path: sorted(lines) for path, lines in files.items()}
            for test, files in parse_go_coverage(reports, list(test_ids)).items()
        }
