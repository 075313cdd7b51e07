"""A dependency's range that no release on the registry meets (a release it no longer lists) gets
the nearest release above it, said in the build's notes, instead of an install that stops.

postcss/postcss b16fa26 (2014) and 07b3914 (2015), jsbugs design rows: both npm installs stopped on
``No matching version found for esprima-fb@~7001.1.0-dev-harmony-fb`` (a dependency's: the registry
lists 8001.1.0-dev-harmony-fb and later only) and ``cssnext@1.1.0`` (a direct one: 0.6.6, then 1.2.3),
and the rows had no environment. paulmillr/chokidar dae7788 (2019, jsbugs design row): dtslint 0.4.1
depends on ``typescript@next``, a tag this registry does not list (it lists ``latest`` only).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.node import enginepins
from tests.buildpacks import test_node_installs as registry
from tests.buildpacks.test_node_installs import _pin, needs_node


@pytest.fixture
def gone(monkeypatch: pytest.MonkeyPatch) -> None:
    """Releases this registry no longer lists: each package's earliest one is above the range."""
    monkeypatch.setitem(registry._PACKUMENTS, "esprima", {"8001.1.0-dev-harmony": None, "9001.1.0-dev-harmony": None})
    nextcss = {"0.6.6": None, "1.2.3-rc.1": None, "1.2.3": None, "1.8.5": None}
    monkeypatch.setitem(registry._PACKUMENTS, "nextcss", nextcss)
    monkeypatch.setitem(registry._PACKUMENTS, "sixtofive", {"1.15.0": None})
    monkeypatch.setitem(registry._DEPENDENCIES, ("sixtofive", "1.15.0"), {"esprima": "~7001.1.0-dev-harmony"})
    monkeypatch.setitem(registry._PACKUMENTS, "lint", {"0.4.1": None})
    monkeypatch.setitem(registry._DEPENDENCIES, ("lint", "0.4.1"), {"script": "next"})
    monkeypatch.setitem(registry._PACKUMENTS, "script", {"3.4.0": None, "7.0.2": None})
    monkeypatch.setitem(registry._TAGS, "script", {"latest": "7.0.2"})
    monkeypatch.setitem(registry._TAGS, "nextcss", {"latest": "1.8.5", "beta": "1.2.3-rc.1"})


@needs_node
@pytest.mark.usefixtures("gone")
def test_a_range_no_release_meets_gets_the_nearest_above_said_so_postcss_2014_2015_jsbugs(tmp_path: Path) -> None:
    package = {"dependencies": {"sixtofive": "1.15.0"}, "devDependencies": {"nextcss": "1.1.0", "left": "^1.0.0"}}
    notes = tmp_path / "notes.txt"
    done = _pin(tmp_path / "project", package, "0.10.48", notes=notes)
    assert done.returncode == 0, done.stderr
    pinned = json.loads((tmp_path / "project" / "package.json").read_text())
    # a direct one is rewritten (npm refuses an override of a direct dependency); a release, not a
    # prerelease, where one is above
    assert pinned["devDependencies"] == {"nextcss": "1.2.3", "left": "^1.0.0"}
    # a dependency's by overrides; a prerelease where no release is above
    assert pinned["overrides"] == {"esprima": "8001.1.0-dev-harmony"}
    assert notes.read_text().splitlines() == [
        "rfsn: nextcss@1.1.0: no release on the registry meets it; 1.2.3, the nearest above",
        "rfsn: esprima@~7001.1.0-dev-harmony (a dependency's, overrides): no release on the registry meets it;"
        " 8001.1.0-dev-harmony, the nearest above",
    ]


@needs_node
@pytest.mark.usefixtures("gone")
def test_a_range_a_prerelease_meets_or_none_is_above_is_left_as_written(tmp_path: Path) -> None:
    package = {"devDependencies": {"esprima": "~9001.1.0-dev-harmony", "nextcss": "^2.0.0", "left": "^1.0.0"}}
    done = _pin(tmp_path, package, "0.10.48", notes=tmp_path / "notes.txt")
    assert done.returncode == 0, done.stderr
    assert "nearest" not in done.stderr and not (tmp_path / "notes.txt").exists()


def test_the_pins_step_writes_to_the_builds_notes() -> None:
    assert f'RFSN_NOTES="{BUILD_NOTES}" /usr/bin/node' in enginepins.engine_pins_step("0.10.48", "2014-12-27")


@needs_node
@pytest.mark.usefixtures("gone")
def test_a_tag_the_registry_does_not_list_gets_its_latest_release_said_so_chokidar_2019_jsbugs(tmp_path: Path) -> None:
    package = {"devDependencies": {"lint": "0.4.1", "nextcss": "beta", "left": "next"}}
    notes = tmp_path / "notes.txt"
    done = _pin(tmp_path / "project", package, "10.24.1", notes=notes)
    assert done.returncode == 0, done.stderr
    pinned = json.loads((tmp_path / "project" / "package.json").read_text())
    # a tag it lists stays; a package with no latest it lists is left as written
    assert pinned["devDependencies"] == {"lint": "0.4.1", "nextcss": "beta", "left": "next"}
    assert pinned["overrides"] == {"script": "7.0.2"}
    assert notes.read_text().splitlines() == [
        "rfsn: script@next (a dependency's, overrides): the registry has no such tag; 7.0.2, its latest"
    ]


@needs_node
def test_a_dependencys_git_hosted_branch_gets_the_registrys_release_of_the_day_said_so_chokidar_2019_jsbugs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """chokidar dae7788 (2019): dtslint 0.4.1 depends on a git host's branch of a package the
    registry publishes; the install stopped on ``An unknown git error occurred`` (no git host
    reachable). Before npm 5 the release is the one packed by the day, after it npm's --before
    dates any release (``>=0.0.0``: npm reads an override of ``*`` as none); a spec pinned to a
    commit, or a name the registry lacks, is left as written."""
    monkeypatch.setitem(registry._PACKUMENTS, "lint", {"0.4.1": None})
    hosted = {
        "header": "github:x/header#production",
        "exact": "git+http://127.0.0.1:9/x/exact.git#0123abcd",
        "own": "x/own",
    }
    monkeypatch.setitem(registry._DEPENDENCIES, ("lint", "0.4.1"), hosted)
    monkeypatch.setitem(registry._PACKUMENTS, "header", {"1.0.0": None, "4.0.0": None, "7.0.0": None})
    monkeypatch.setitem(registry._PACKUMENTS, "exact", {"1.0.0": None})
    notes = tmp_path / "notes.txt"
    done = _pin(tmp_path / "later", {"devDependencies": {"lint": "0.4.1"}}, "10.24.1", "2019-03-28", notes=notes)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "later" / "package.json").read_text())["overrides"] == {"header": ">=0.0.0"}
    assert notes.read_text().splitlines() == [
        "rfsn: header@github:x/header#production (a dependency's, overrides): a git host's branch, not the day's;"
        " the registry's release of the day (>=0.0.0)"
    ]
    # npm installs the override where the branch's host cannot be reached (a loopback port nothing serves)
    hosted = {"header": "git+http://127.0.0.1:9/x/header.git#production"}
    monkeypatch.setitem(registry._DEPENDENCIES, ("lint", "0.4.1"), hosted)
    done = _pin(tmp_path / "npm", {"name": "p", "version": "1.0.0", "devDependencies": {"lint": "0.4.1"}}, "20.0.0")
    assert done.returncode == 0, done.stderr
    installed = _npm_install(tmp_path / "npm")
    assert installed.returncode == 0, installed.stderr
    assert (tmp_path / "npm" / "node_modules" / "header").is_dir()
    done = _pin(tmp_path / "early", {"devDependencies": {"lint": "0.4.1"}}, "0.10.48", "2014-06-01")
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "early" / "package.json").read_text())["overrides"] == {"header": "4.0.0"}


@needs_node
def test_a_git_hosted_branch_of_a_name_met_before_under_a_range_is_read_too_signal_exit_2015_jsbugs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """signal-exit fc854f8 (2015): coveralls 2.11.2 wants js-yaml 3.0.1, tap 1.0.4 js-yaml from a
    git host's branch; the walk read a name once, by its first range, so the branch was never
    read and the install stopped on ``An unknown git error occurred``."""
    monkeypatch.setitem(registry._PACKUMENTS, "first", {"1.0.0": None})
    monkeypatch.setitem(registry._DEPENDENCIES, ("first", "1.0.0"), {"header": "1.0.0"})
    monkeypatch.setitem(registry._PACKUMENTS, "lint", {"0.4.1": None})
    monkeypatch.setitem(registry._DEPENDENCIES, ("lint", "0.4.1"), {"header": "git://127.0.0.1:9/x/header"})
    monkeypatch.setitem(registry._PACKUMENTS, "header", {"1.0.0": None, "4.0.0": None})
    package = {"name": "p", "version": "1.0.0", "devDependencies": {"first": "1.0.0", "lint": "0.4.1"}}
    assert _pinned_and_installed(tmp_path / "npm", package, "2019-03-28") == {"header": ">=0.0.0"}
    assert (tmp_path / "npm" / "node_modules" / "header").is_dir()


@needs_node
def test_a_dependencys_closed_range_gets_its_release_of_the_day_where_every_range_takes_it_signal_exit_2016_jsbugs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """signal-exit 395ccc8 (2016): tap's ``signal-exit: ^3.0.0`` got today's 3.0.7, which carries
    the fix under test (its emitter is a process global), so the new test passed at the buggy
    commit; only ranges open above were dated. A closed range gets the release packed by the day,
    for the name where every range met of it takes it, else for its range (``^2.0.0`` keeps 2.0.0)."""
    monkeypatch.setitem(registry._PACKUMENTS, "sigexit", {"1.0.0": None, "1.7.0": None, "2.0.0": None})
    monkeypatch.setitem(registry._PACKED, "1.7.0", 1450000000)
    for name, wants in (("harness", "^1.0.0"), ("tool", "~1.0.0 || ^1.5.0"), ("later", "^2.0.0")):
        monkeypatch.setitem(registry._PACKUMENTS, name, {"1.0.0": None})
        monkeypatch.setitem(registry._DEPENDENCIES, (name, "1.0.0"), {"sigexit": wants})
    package = {"name": "p", "version": "1.0.0", "devDependencies": {"harness": "1.0.0", "tool": "1.0.0"}}
    assert _pinned_and_installed(tmp_path / "npm", package, "2014-06-01") == {"sigexit": "1.0.0"}
    tree = json.loads((tmp_path / "npm" / "node_modules" / ".package-lock.json").read_text())["packages"]
    assert {path: entry["version"] for path, entry in tree.items() if path.endswith("/sigexit")} == {
        "node_modules/sigexit": "1.0.0"
    }
    both = {"name": "p", "version": "1.0.0", "devDependencies": {"harness": "1.0.0", "later": "1.0.0"}}
    assert _pinned_and_installed(tmp_path / "both", both, "2014-06-01") == {"sigexit@^1.0.0": "1.0.0"}
    tree = json.loads((tmp_path / "both" / "node_modules" / ".package-lock.json").read_text())["packages"]
    assert sorted(entry["version"] for path, entry in tree.items() if path.endswith("/sigexit")) == ["1.0.0", "2.0.0"]


@needs_node
def test_each_range_of_a_name_is_read_and_a_branchs_tarball_is_a_branch_postcss_2014_fs_extra_2015_jsbugs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """postcss b16fa26 (2014): recast met first under ``^0.8.0`` (dated), then ``~0.8.0``, which
    npm installs as 0.8.8 wanting ``esprima-fb@~7001...`` (gone): the walk read a name's first
    range only. fs-extra e05c685 (2015): a dependency wants a branch's tarball on a git host
    (``https://github.com/u/r/tarball/branch``), which the build cannot reach."""
    monkeypatch.setitem(registry._PACKUMENTS, "first", {"1.0.0": None})
    monkeypatch.setitem(registry._DEPENDENCIES, ("first", "1.0.0"), {"cast": "1.0.0"})
    monkeypatch.setitem(registry._PACKUMENTS, "second", {"1.0.0": None})
    monkeypatch.setitem(registry._DEPENDENCIES, ("second", "1.0.0"), {"cast": "~4.0.0"})
    monkeypatch.setitem(registry._PACKUMENTS, "cast", {"1.0.0": None, "4.0.0": None})
    branch = "http://127.0.0.1:9/x/fal/tarball/fix-parse-issue"
    monkeypatch.setitem(registry._DEPENDENCIES, ("cast", "4.0.0"), {"esprima": "~7001.1.0", "fal": branch})
    monkeypatch.setitem(registry._PACKUMENTS, "esprima", {"8001.1.0": None})
    monkeypatch.setitem(registry._PACKUMENTS, "fal", {"1.0.0": None})
    package = {"name": "p", "version": "1.0.0", "devDependencies": {"first": "1.0.0", "second": "1.0.0"}}
    assert _pinned_and_installed(tmp_path / "npm", package, "2019-03-28") == {"esprima": "8001.1.0", "fal": ">=0.0.0"}
    assert (tmp_path / "npm" / "node_modules" / "fal").is_dir()


@needs_node
def test_a_request_the_registry_drops_is_tried_again_postcss_2014_jsbugs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """postcss b16fa26 (2014): 181 of the walk's 904 requests failed on a connect timeout (the
    proxy, a hundred opened at once), each a package unread, so the walk missed a release the
    install then stopped on. Here every first request of a path fails (503)."""
    failed: set[str] = set()

    class Dropping(registry._Registry):
        def do_GET(self) -> None:
            if self.path not in failed:
                failed.add(self.path)
                self.send_error(503)
                return
            super().do_GET()

    monkeypatch.setattr(registry, "_Registry", Dropping)
    done = _pin(tmp_path, {"devDependencies": {"mocha": "*"}}, "0.10.48")
    assert done.returncode == 0, done.stderr
    pinned = json.loads((tmp_path / "package.json").read_text())
    assert pinned["devDependencies"] == {"mocha": "3.5.3"} and pinned["overrides"] == {"dbg": "1.0.0"}


def _pinned_and_installed(where: Path, package: dict[str, object], day: str) -> object:
    """The overrides the pins give ``package`` on Node 20 as of ``day``, after the PATH's npm
    installed it with them from the loopback registry."""
    done = _pin(where, package, "20.0.0", day)
    assert done.returncode == 0, done.stderr
    installed = _npm_install(where)
    assert installed.returncode == 0, installed.stderr
    return json.loads((where / "package.json").read_text()).get("overrides")


def _npm_install(where: Path) -> subprocess.CompletedProcess[str]:
    """The PATH's npm installing ``where``'s package.json from the loopback registry."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), registry._Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        return subprocess.run(
            [
                "npm",
                "install",
                "--no-package-lock",
                "--ignore-scripts",
                "--no-audit",
                "--no-fund",
                "--legacy-peer-deps",
            ],
            capture_output=True,
            text=True,
            cwd=where,
            env={
                **os.environ,
                "npm_config_registry": f"http://127.0.0.1:{server.server_port}/",
                "npm_config_cache": str(where / ".npm"),
            },
            check=False,
            timeout=120,
        )
    finally:
        server.shutdown()
        server.server_close()
