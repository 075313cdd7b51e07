"""The Node buildpack: npm, yarn or pnpm dependencies; node --test, jest, mocha, vitest, ava, tap or tape.

Test ids are ``<file> > <describe> > ... > <test>`` (:mod:`rfsn.buildpacks.node.jsreports`).
Dependencies are installed once into the env image (``$RFSN_ENV/files/node_modules``, keyed on
package.json and the lockfile) and linked into each workspace as ``node_modules``: a symlink,
so ``.git/info/exclude`` carries ``/node_modules`` (no trailing slash). The runner is read from
package.json by :meth:`NodeBuildpack.configure`; ``test_command`` uses the last one configured
(``node --test`` when none was).

Under ``node --test``, screening runs go through a warm runner (:mod:`.warm.node_client`), and
a test that calls ``process.exit`` is found and its file run again without it (``ResumeCapable``,
:mod:`.nodecrash`). Per-test coverage: V8's for ``node --test`` and mocha, jest's own
``--coverage`` for jest, read around each test (:mod:`.jscoverage`); vitest's needs a package projects rarely
install: its tests run alone, localized by stack frames.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from rfsn.buildpacks.base import BaseImage, CoveragePlan, Detection, EnvOptions, EnvRecipe, SandboxView, TestExec
from rfsn.buildpacks.node import nodeversions
from rfsn.buildpacks.node.checkout import Rebuild, checkout_steps, rebuild_steps
from rfsn.buildpacks.node.installplan import dependency_install, installed_package
from rfsn.buildpacks.node.jscoverage import RUNS_REPORT, driver_command, driver_files, parse_v8_runs
from rfsn.buildpacks.node.jsreports import (
    SEP,
    node_durations,
    parse_jest_json,
    parse_mocha_json,
    parse_node_events,
)
from rfsn.buildpacks.node.nodecrash import CRASH_IMPORT, DISARM_VAR, disarming, node_crashes
from rfsn.buildpacks.node.nodereleases import line
from rfsn.buildpacks.node.notests import discovered_test_files
from rfsn.buildpacks.node.package import (
    IMAGE_NPM,
    Runner,
    convention_test_files,
    detect_runner,
    full_test_script,
    has_dependencies,
    named_test_files,
    node_test_args,
    package_manager,
    plain_node_files,
    read_package_json,
    runner_paths,
    says_node_test,
)
from rfsn.buildpacks.node.runcommands import (
    CWD_FILE,
    JEST_REPORT,
    MOCHA_EVENTS,
    MOCHA_REPORT,
    NODE_REPORT,
    REPORTER_URL,
    VITEST_REPORT,
    jest_cache,
    node_command,
    reported_reasons,
    reporting_command,
    script_command,
    split_tests,
)
from rfsn.buildpacks.node.runneroptions import runner_env, runner_options, terminal_env
from rfsn.buildpacks.node.scriptreports import parse_script_output
from rfsn.buildpacks.node.semver import parse
from rfsn.buildpacks.node.tapreports import parse_tap
from rfsn.buildpacks.node.tapruns import TAP_REPORT, TAP_RUNNERS, tap_command
from rfsn.buildpacks.parts import Environment, Measuring, Parts, Reading, Running, Warming
from rfsn.buildpacks.python.pydated import as_of, index_date
from rfsn.models import Crash, TestStatus


class NodeBuildpack:
    name: ClassVar[str] = "node"
    default_base: ClassVar[BaseImage] = BaseImage(
        # the Debian release whose nodejs is the version named (trixie's is 20; bookworm's is 18)
        runtime="node",
        version="20",
        registry_image="node:20-slim",
        debian_release="trixie",
        # npm is not here: debootstrap cannot resolve its dependencies; the env
        # recipe installs it with apt when a project has dependencies to install.
        debian_packages=("nodejs", "git", "ca-certificates", "procps"),
    )

    def __init__(self, runner: Runner | None = None, node_args: Sequence[str] = ()) -> None:
        self.runner: Runner = runner or "node"
        self.node_args = list(node_args)
        #: the options the test script gives its runner that rfsn keeps, and the variables it sets for it
        self.runner_options, self.runner_env = list[str](), list[str]()
        self.env_options = EnvOptions()
        #: what runs the test script as a whole (``script``): ``npm test``, or without its posttest
        self.script = ["npm", "test"]
        #: the checkout's steps that build from the sources, run again before each test run
        self.rebuilds = Rebuild([])
        #: the Node line the instance's environment keeps (``LinesCapable``); None: the one chosen
        self.line: str | None = None

    @property
    def structured(self) -> bool:
        return self.runner != "script"

    def configure(self, repo: Path) -> None:
        """The runner, and the paths the test script gives it (``node``: those it runs ``node
        --test`` or plain ``node`` on): where no other is named and the project's Node has no ``node
        --test`` (before 18), ``plain`` (each file the script runs with plain ``node``, or without a
        test script the files ``node --test`` would find, each by its exit code), else ``script``
        (``npm test`` as a whole), as where tape is given no files; the script as a whole without its
        ``posttest`` and its checks where its npm can (``script_command``)."""
        package = read_package_json(repo)
        self.runner = detect_runner(package)
        scripted = not says_node_test(package) and full_test_script(package)
        plain = plain_node_files(package, repo)
        if self.runner == "node" and not says_node_test(package) and self._node(repo).version < (18, 0, 0):
            plain = plain if scripted else discovered_test_files(repo)
            self.runner = "plain" if plain else "script"
        self.node_args = (
            node_test_args(package) or plain or (named_test_files(repo) if scripted else [])
            if self.runner == "node"
            else plain
            if self.runner == "plain"
            else runner_paths(package, self.runner, repo) or convention_test_files(package, self.runner, repo)
        )
        self.runner_options = runner_options(full_test_script(package), self.runner)
        self.runner_env = [*terminal_env(repo), *runner_env(full_test_script(package), self.runner)]
        if self.runner == "tape" and not self.node_args:
            self.runner = "script"
        self.rebuilds = Rebuild(rebuild_steps(package, repo, self.runner) if has_dependencies(package) else [])
        self.script = ["npm", "test"]
        if self.runner == "script":
            node = self._node(repo)
            npm = parse(IMAGE_NPM if node.debian else node.npm) or (0, 0, 0)
            self.script = script_command(package.get("scripts") or {}, npm, full_test_script(package))

    def parts(self) -> Parts:
        return Parts(
            measuring=Measuring(coverage=self),
            warming=Warming(runner=self),
            reading=Reading(resume=self, reasons=self, durations=self),
            running=Running(fail_fast=self),
            environment=Environment(rebuild=self, dated=self, lines=self),
        )

    def detect(self, repo: Path) -> Detection:
        if not (repo / "package.json").is_file():
            return Detection(score=0.0)
        package = read_package_json(repo)
        manager, lockfile = package_manager(repo, package)
        reasons = [
            "package.json present",
            f"runner {detect_runner(package)}",
            f"{manager} ({lockfile or 'no lockfile'})",
        ]
        score = 0.9 if (package.get("scripts") or {}).get("test") else 0.7
        return Detection(score=score, reasons=reasons)

    def _node(self, repo: Path) -> nodeversions.NodeChoice:
        return nodeversions.choose(repo, as_of(repo, self.env_options.as_of)[0], kept=self.line)

    def declared_lines(self, repo: Path) -> list[str]:
        """The lines of the project's CI matrix as of its commit other than the one chosen, newest
        first: where the chosen Node sees nothing of a fix, the CI's other Nodes may."""
        chosen = line(self._node(repo).version)
        return [
            name for name in nodeversions.declared_lines(repo, as_of(repo, self.env_options.as_of)[0]) if name != chosen
        ]

    def env_recipe(self, repo: Path) -> EnvRecipe:
        """The Node the project declares as of its commit (``nodeversions``; from the npm registry
        where Debian's does not fit, first on the PATH), and its dependencies installed by it."""
        self.configure(repo)
        node, (day, dated) = self._node(repo), as_of(repo, self.env_options.as_of)
        files, install, added = dependency_install(repo, self.runner, node, index_date(day))
        steps = [*nodeversions.install_node(node), *install]
        npm = "" if node.debian else f"; npm {node.npm}, the one it bundled"
        return EnvRecipe(
            buildpack=self.name,
            base=self.default_base,
            steps=tuple(dict.fromkeys(steps)),
            files=tuple(files),
            env=(
                ("CI", "true"),
                ("NO_UPDATE_NOTIFIER", "1"),
                ("npm_config_update_notifier", "false"),
                ("npm_config_fund", "false"),
                ("npm_config_audit", "false"),
                # pnpm 11 installs before a script when node_modules differs from the tree's lock (a
                # devDependency left out): the sandbox has no network, and the env has installed
                ("pnpm_config_verify_deps_before_run", "false"),
                *nodeversions.path_env(node, bool(files)),
            ),
            notes=(f"{node.why}{npm} ({dated.replace('PyPI', 'the registry')})", *([added] if added else [])),
        )

    def setup_commands(self, repo: Path) -> list[list[str]]:
        self.configure(repo)
        package = read_package_json(repo)
        if not has_dependencies(installed_package(repo, self.runner)[0]):
            return []
        return [
            ["sh", "-c", '[ -e node_modules ] || ln -s "$RFSN_ENV/files/node_modules" node_modules'],
            *checkout_steps(package, repo, self.rebuilds.names),
        ]

    def rebuild(self, sandbox: SandboxView, timeout: float) -> tuple[float, str]:
        """The setup's steps that build from the sources, again (``checkout.Rebuild``)."""
        return self.rebuilds.run(sandbox, timeout)

    def test_command(self, tests: Sequence[str], report_dir: str) -> list[str]:
        files, titles = split_tests(tests)
        env = ["env", *self.runner_env] if self.runner_env else []
        if self.runner == "script":
            return [*env, *self.script]
        if self.runner == "node":
            return node_command(files, titles, self.node_args, report_dir)
        run = tap_command if self.runner in TAP_RUNNERS else reporting_command
        return [*env, *run(self.runner, files, titles, self.node_args, report_dir, self.runner_options)]

    def fail_fast_command(self, tests: Sequence[str], report_dir: str, max_failures: int) -> list[str] | None:
        """jest and vitest stop after a count of failures, mocha after the first; node 20's
        own runner cannot stop early: its command carries the count for the warm runner,
        which stops after the file in which that many tests failed (cold, it runs them all)."""
        argv = self.test_command(tests, report_dir)
        if self.runner == "node":
            from rfsn.buildpacks.node.warm.node_client import fail_fast_argv

            return fail_fast_argv(argv, max_failures)
        if self.runner in ("jest", "vitest"):
            return [*argv, f"--bail={max_failures}"]
        if self.runner == "mocha" and max_failures == 1:
            return [*argv, "--bail"]
        return None

    def warm_runner(self, sandbox: SandboxView) -> TestExec | None:
        """The warm ``node --test`` server in the sandbox (None: another runner, or it cannot
        start)."""
        if self.runner != "node":
            return None
        from rfsn.buildpacks.node.warm.node_client import WarmNode

        warm = WarmNode(sandbox, NODE_REPORT)
        return warm if warm.start() else None

    def parse(self, output: str, reports: dict[str, str]) -> dict[str, TestStatus]:
        root = reports.get(CWD_FILE, "").strip() or None
        statuses: dict[str, TestStatus] = parse_script_output(output) if self.runner == "script" else {}
        if NODE_REPORT in reports:
            statuses.update(parse_node_events(reports[NODE_REPORT]))
        if TAP_REPORT in reports:
            statuses.update(parse_tap(reports[TAP_REPORT]))
        for name in (JEST_REPORT, VITEST_REPORT):
            if name in reports:
                statuses.update(parse_jest_json(reports[name], root))
        for name in (MOCHA_REPORT, MOCHA_EVENTS):
            if name in reports:
                statuses.update(parse_mocha_json(reports[name], root))
        return statuses

    def reasons(self, output: str, reports: dict[str, str]) -> dict[str, tuple[str, str]]:
        return reported_reasons(reports)

    def crashes(self, output: str, statuses: Mapping[str, TestStatus]) -> list[Crash]:
        """``node --test``: the tests whose ``process.exit`` ended their file (``nodecrash``)."""
        return node_crashes(output, statuses) if self.runner == "node" else []

    def rest_command(
        self, crash: Crash, done: Collection[str], tests: Sequence[str], report_dir: str
    ) -> list[str] | None:
        """The crashed file's tests (those selected) again, preloaded to tell which test exits,
        the exits of those done disarmed."""
        if crash.test == crash.unit:  # it exited outside any test: nothing of it runs without that
            return None
        chosen = [t for t in tests if t.split(SEP)[0] == crash.unit]
        chosen = [crash.unit] if not chosen or crash.unit in chosen else chosen
        node, test, *rest = self.test_command(chosen, report_dir)
        return ["env", f"{DISARM_VAR}={disarming(sorted(done), crash.unit)}", node, test, CRASH_IMPORT, *rest]

    def durations(self, output: str, reports: dict[str, str]) -> dict[str, float]:
        """Per-test seconds, for ``node --test`` (its reporter says); other runners: none."""
        return node_durations(reports[NODE_REPORT]) if NODE_REPORT in reports else {}

    def coverage_plan(self, tests: Sequence[str], report_dir: str) -> CoveragePlan:
        run = self.test_command(tests, report_dir)
        if self.runner in ("vitest", "script", *TAP_RUNNERS):
            return CoveragePlan(commands=[run])
        options = (*((jest_cache(report_dir),) if self.runner == "jest" else ()), *self.runner_options)
        other = (self.runner, f"node_modules/.bin/{self.runner}", *options) if self.runner != "node" else None
        return CoveragePlan(files=driver_files(), commands=[run, driver_command(report_dir, REPORTER_URL, other)])

    def parse_coverage(
        self, reports: dict[str, str], test_ids: Sequence[str], workdir: str
    ) -> dict[str, dict[str, list[int]]]:
        known = set(test_ids)
        by_test = parse_v8_runs(reports.get(RUNS_REPORT, ""), workdir)
        return {t: {f: sorted(lines) for f, lines in files.items()} for t, files in by_test.items() if t in known}
