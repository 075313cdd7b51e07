"""The Rust buildpack: cargo, with crates fetched into the env image and tests run offline.

Test ids are the names libtest prints: ``counter::tests::top_orders_by_count``
for unit and integration tests, ``src/lib.rs - foo (line 3)`` for doc tests.
The same name in two test binaries is one id (the worse status wins). A build
that fails prints no test lines: ``parse`` gives ``{}`` and the runner reports
the non-zero exit as a build error.

A test binary that dies (a stack overflow, an abort, a panic that aborts) reports none of its
tests: the test is read from its thread's name or, run one at a time, from the line it started
and never finished (``ResumeCapable.crashes``); the binary's tests not done run again, one at a
time, without it (``rest_command``).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from rfsn.buildpacks.base import BaseImage, Detection, EnvOptions, EnvRecipe
from rfsn.buildpacks.parts import Environment, Parts, Reading, Running
from rfsn.buildpacks.python.pydated import as_of
from rfsn.buildpacks.rust import cargolayer, debcrates, rustversions
from rfsn.fsutil import read_toml
from rfsn.models import Crash, TestStatus

#: ``test NAME ... STATUS`` with NAME possibly holding spaces (doc tests)
_TEST_LINE = re.compile(r"^test (?P<name>.+?)(?: - should panic)? \.\.\. (?P<status>ok|FAILED|ignored)\b")
_DOC_TEST = re.compile(r"^\S+ - .* \(line \d+\)$")
_STATUS = {"ok": TestStatus.PASSED, "FAILED": TestStatus.FAILED, "ignored": TestStatus.SKIPPED}
_SEVERITY = {TestStatus.PASSED: 0, TestStatus.SKIPPED: 1, TestStatus.ERROR: 2, TestStatus.FAILED: 3}
_BINARY = re.compile(r"^\s+(?:Running|Doc-tests) ", re.M)
_DIED = re.compile(r"process didn't exit successfully: `[^`]*` \((?P<how>[^)]*)\)")
_RERUN = re.compile(r"to rerun pass [`'](?P<unit>[^`']+)[`']")
_THREAD = re.compile(r"^thread '(?P<name>[^']+)' (?:has overflowed its stack|panicked at .*)$", re.M)
_FATAL = re.compile(r"^fatal runtime error: (?P<reason>.*)$", re.M)
_STARTED = re.compile(r"^test (?P<name>.+?) \.\.\. (?!ok$|FAILED$|ignored$)", re.M)
#: where builds go: outside the workspace, warm for the life of a container
TARGET_DIR = "/tmp/rfsn-target"


def parse_libtest(output: str) -> dict[str, TestStatus]:
    """Statuses from the plain output of ``cargo test`` (every test binary and doc tests)."""
    statuses: dict[str, TestStatus] = {}
    for line in output.splitlines():
        match = _TEST_LINE.match(line.rstrip("\r"))
        if not match:
            continue
        name, status = match["name"], _STATUS[match["status"]]
        previous = statuses.get(name)
        if previous is None or _SEVERITY[status] > _SEVERITY[previous]:
            statuses[name] = status
    return statuses


def libtest_crashes(output: str) -> list[Crash]:
    """The tests whose test binary died without its summary (a signal, an exit of its own),
    one per binary: the thread it names, else the test it started last and never finished ("":
    not known, as when tests ran in parallel); its reason and what the binary printed."""
    crashes = []
    for section in _BINARY.split(output)[1:]:
        died, rerun = _DIED.search(section), _RERUN.search(section)
        if not died or not rerun or re.search(r"^test result: ", section, re.M):
            continue
        thread, fatal = _THREAD.search(section), _FATAL.search(section)
        started = _STARTED.findall(section)
        test = (
            thread["name"]
            if thread and thread["name"] not in ("main", "<unnamed>")
            else (started[-1] if started else "")
        )
        reason = fatal["reason"] if fatal else died["how"]
        crashes.append(Crash(test=test, reason=reason, stack=section[: died.start()].strip(), unit=rerun["unit"]))
    return crashes


def _manifest(repo: Path) -> dict[str, object]:
    return read_toml(repo / "Cargo.toml")


def has_dependencies(manifest: dict[str, object]) -> bool:
    keys = ("dependencies", "dev-dependencies", "build-dependencies")
    tables = [manifest, *(manifest.get("target") or {}).values()]  # type: ignore[attr-defined]
    workspace = manifest.get("workspace") or {}
    return bool(
        any(t.get(k) for t in tables if isinstance(t, dict) for k in keys)
        or (isinstance(workspace, dict) and (workspace.get("members") or workspace.get("dependencies")))
    )


def vendored(repo: Path) -> bool:
    """The project vendors its crates: a vendor/ folder its cargo config points a source at."""
    configs = [repo / ".cargo" / name for name in ("config.toml", "config")]
    return (repo / "vendor").is_dir() and any(
        c.is_file() and "vendor" in c.read_text(errors="replace") for c in configs
    )


class RustBuildpack:
    name: ClassVar[str] = "rust"
    structured: ClassVar[bool] = True
    #: the base of a crate that declares nothing, as of today (``env_recipe`` chooses per project)
    default_base: ClassVar[BaseImage] = rustversions.rust_image(
        rustversions.RustChoice(max(rustversions.DEBIAN_RUST, key=rustversions.parse_key), "")
    )
    env_options: EnvOptions = EnvOptions()

    def parts(self) -> Parts:
        return Parts(reading=Reading(resume=self), running=Running(fail_fast=self), environment=Environment(dated=self))

    def detect(self, repo: Path) -> Detection:
        if not (repo / "Cargo.toml").is_file():
            return Detection(score=0.0)
        reasons = ["Cargo.toml present"]
        if (repo / "Cargo.lock").is_file():
            reasons.append("Cargo.lock present")
        return Detection(score=0.9, reasons=reasons)

    def env_recipe(self, repo: Path) -> EnvRecipe:
        """Debian's Rust nearest the declared one (``rustversions``) and the crates, fetched in the
        build from every manifest of the workspace (``cargolayer``), unless the project vendors
        them; from Debian's packaged crates where crates.io cannot be reached (``debcrates``). Test
        runs are offline."""
        choice = rustversions.choose(repo, as_of(repo, self.env_options.as_of)[0])
        steps: tuple[str, ...] = ()
        files: tuple[tuple[str, str], ...] = ()
        crates = "none required"
        if vendored(repo):
            crates = "the project's vendor/ (its .cargo/config)"
        elif has_dependencies(_manifest(repo)):
            names = debcrates.crate_names(repo, cargolayer.manifests(repo))
            files = (
                *cargolayer.layer(repo),
                (debcrates.SCRIPT_NAME, debcrates.SCRIPT),
                (debcrates.NAMES_FILE, "".join(f"{n}\n" for n in names)),
            )
            # --locked: a Cargo.lock is honoured as written; one that needs updating fails the build
            locked = " --locked" if (repo / "Cargo.lock").is_file() else ""
            steps = (f"cd $RFSN_ENV/files && sh {debcrates.SCRIPT_NAME}{locked}",)
            crates = "fetched from crates.io, else Debian's packaged crates"
        return EnvRecipe(
            buildpack=self.name,
            base=rustversions.rust_image(choice),
            steps=steps,
            files=files,
            env=(
                ("CARGO_HOME", "$RFSN_ENV/cargo-home"),
                ("CARGO_TARGET_DIR", TARGET_DIR),
                ("CARGO_TERM_COLOR", "never"),
            ),
            notes=(f"{choice.why}; crates: {crates}",),
        )

    def setup_commands(self, repo: Path) -> list[list[str]]:
        return []

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        argv = ["cargo", "test", "--offline", "--no-fail-fast", "--color", "never"]
        if not tests:
            return argv
        # rustdoc does not match its own printed names under --exact: without it,
        # doc tests run unfiltered (more than asked, never less)
        exact = [] if any(_DOC_TEST.match(t) for t in tests) else ["--exact"]
        return [*argv, "--", *exact, *tests]

    def fail_fast_command(self, tests: Sequence[str], report_dir: str, max_failures: int) -> list[str] | None:
        """Without ``--no-fail-fast`` cargo stops after the first test binary with a failure
        (libtest itself runs a binary's tests to the end): only for the first failure."""
        if max_failures != 1:
            return None
        return [a for a in self.test_command(tests, report_dir) if a != "--no-fail-fast"]

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]:
        return parse_libtest(output)

    def crashes(self, output: str, statuses: Mapping[str, TestStatus]) -> list[Crash]:
        return libtest_crashes(output)

    def rest_command(
        self, crash: Crash, done: Collection[str], tests: Sequence[str], report_dir: str
    ) -> list[str] | None:
        """The binary's tests not done (of those selected), one at a time: a test that kills it
        again is the line it started."""
        argv = [
            "cargo",
            "test",
            "--offline",
            "--no-fail-fast",
            "--color",
            "never",
            *crash.unit.split(),
            "--",
            "--test-threads=1",
            "--exact",
        ]
        if not tests:
            return [*argv, *(arg for name in sorted(done) for arg in ("--skip", name))]
        left = [t for t in tests if t not in done and t != crash.test]
        return [*argv, *left] if left else None
