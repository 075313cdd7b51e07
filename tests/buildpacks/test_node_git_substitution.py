"""A git-hosted dependency that the install cannot fetch is replaced by the registry's release of
its name, package.json's own in place and a dependency's through npm's ``overrides``, each said in
the build's notes; one the registry has no release of is named in the build's one line.

feross/safe-buffer 2668519 and 0396d3b (2016), ljharb/qs 5ac31b4 (2016) and d828941 (2018),
jsbugs measure rows: zuul's ``stacktrace-js`` (a github.com tarball of a commit) and evalmd's
``markdown-it`` (``markdown-it/markdown-it#<commit>``) stopped the install (``getaddrinfo ENOTFOUND
github.com``, ``An unknown git error occurred``), and the label named neither.
"""

from __future__ import annotations

import json
import subprocess
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest

from rfsn.buildpacks.node import enginepins
from rfsn.buildpacks.node.githosted import UNFETCHED, _is_git
from rfsn.buildpacks.node.package import install_steps
from rfsn.buildpacks.steplog import step_error
from tests.buildpacks import test_node_installs as registry
from tests.buildpacks.test_node_installs import _pin, needs_node, run_step

#: spec -> what the script reads of it (None: not git-hosted)
SPECS: dict[str, dict[str, object] | None] = {
    "github:jonschlinkert/is-number#7.0.0": {"ref": "7.0.0", "range": None, "tag": "7.0.0", "pinned": False},
    "markdown-it/markdown-it#255d62d39122694872ddce840e2141379ac3deca": {
        "ref": "255d62d39122694872ddce840e2141379ac3deca",
        "range": None,
        "tag": None,
        "pinned": True,
    },
    "http://github.com/defunctzombie/stacktrace.js/tarball/07e7b9516f1449f5c209e4f67f11a43f738c1712": {
        "ref": "07e7b9516f1449f5c209e4f67f11a43f738c1712",
        "range": None,
        "tag": None,
        "pinned": True,
    },
    "https://codeload.github.com/o/r/tar.gz/v2.1.0": {"ref": "v2.1.0", "range": None, "tag": "2.1.0", "pinned": False},
    "git+https://gitlab.com/o/r.git#semver:^1.2": {"ref": "semver:^1.2", "range": "^1.2", "tag": None, "pinned": False},
    "git://github.com/o/r.git": {"ref": "", "range": None, "tag": None, "pinned": False},
    "reggi/node-fs-extra#enhanced": {"ref": "enhanced", "range": None, "tag": None, "pinned": False},
    "^1.0.0": None,
    "file:../local": None,
    "npm:other@1.0.0": None,
    "latest": None,
}


@needs_node
def test_git_hosted_specs_are_told_apart_and_their_refs_read_alike_in_python_and_the_script() -> None:
    """The build's script and the Python naming read one rule: which specs are a git host's, and
    whether a ref is a commit, a semver tag or a ``semver:`` range."""
    script = f"const m = require({json.dumps(str(Path(enginepins.__file__).with_name('enginepins.cjs')))});"
    code = f"{script} console.log(JSON.stringify(JSON.parse(process.argv[1]).map(m.gitRef)))"
    done = subprocess.run(["node", "-e", code, json.dumps(list(SPECS))], capture_output=True, text=True, check=True)
    assert dict(zip(SPECS, json.loads(done.stdout), strict=True)) == SPECS
    assert {spec: _is_git(spec) for spec in SPECS} == {spec: read is not None for spec, read in SPECS.items()}


@pytest.fixture
def hosted(monkeypatch: pytest.MonkeyPatch) -> None:
    """A registry with ``header`` (1.0.0, 4.0.0, 7.0.0) and ``tool``, whose one release depends on a
    git host's commit of ``header`` and on ``nowhere``, a name the registry lacks."""
    monkeypatch.setitem(registry._PACKUMENTS, "header", {"1.0.0": None, "4.0.0": None, "7.0.0": None})
    monkeypatch.setitem(registry._PACKUMENTS, "tool", {"3.0.0": None})
    deps = {"header": "http://127.0.0.1:9/x/header/tarball/07e7b9516f14", "nowhere": "github:x/nowhere#fix"}
    monkeypatch.setitem(registry._DEPENDENCIES, ("tool", "3.0.0"), deps)
    monkeypatch.setenv("RFSN_GIT_UNREACHABLE", "1")


@needs_node
@pytest.mark.usefixtures("hosted")
def test_once_a_git_host_failed_each_git_hosted_dependency_is_the_registrys_release_said_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tag the registry has is that release; a branch or commit the release of the day (``>=0.0.0``
    after npm 5, for npm's --before); a dependency's by ``overrides``; the rest named."""
    monkeypatch.setenv("RFSN_UNFETCHED", str(tmp_path / "unfetched"))
    package = {
        "dependencies": {"header": "github:x/header#v4.0.0", "left": "^1.0.0"},
        "devDependencies": {"tool": "^3.0.0", "gone": "github:x/gone"},
    }
    notes = tmp_path / "notes.txt"
    done = _pin(tmp_path / "project", package, "20.0.0", "2019-03-28", notes=notes)
    assert done.returncode == 0, done.stderr
    written = json.loads((tmp_path / "project" / "package.json").read_text())
    assert written["dependencies"] == {"header": "4.0.0", "left": "^1.0.0"}
    assert written["devDependencies"] == {"tool": "^3.0.0", "gone": "github:x/gone"}  # left as written
    assert "overrides" not in written  # a direct dependency's name is not overridden
    assert notes.read_text().splitlines() == [
        "rfsn: header@github:x/header#v4.0.0: a git host the build could not fetch from;"
        " the registry's release of its tag (4.0.0)",
    ]
    assert (tmp_path / "unfetched").read_text().splitlines() == [
        "gone (github:x/gone: the registry has no release of it)",
        "nowhere (github:x/nowhere#fix, a dependency of tool: the registry has no release of it)",
    ]


@needs_node
@pytest.mark.usefixtures("hosted")
def test_a_dependencys_git_hosted_commit_is_overridden_where_the_npm_reads_overrides_safe_buffer_2016_jsbugs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """zuul's ``stacktrace-js`` of safe-buffer 2016: a commit's tarball on a host the build cannot
    reach; before npm 5 the release packed by the day, an npm before 8.3 names it instead."""
    notes = tmp_path / "notes.txt"
    done = _pin(tmp_path / "early", {"devDependencies": {"tool": "3.0.0"}}, "0.10.48", "2016-01-13", notes=notes)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / "early" / "package.json").read_text())["overrides"] == {"header": "7.0.0"}
    assert notes.read_text().splitlines() == [
        "rfsn: header@http://127.0.0.1:9/x/header/tarball/07e7b9516f14 (a dependency's, overrides): a git host"
        " the build could not fetch from; the registry's release of the day (7.0.0)"
    ]
    monkeypatch.setenv("RFSN_OVERRIDES", "0")
    monkeypatch.setenv("RFSN_UNFETCHED", str(tmp_path / "unfetched"))
    done = _pin(tmp_path / "old", {"devDependencies": {"tool": "3.0.0"}}, "0.10.48", "2016-01-13")
    assert done.returncode == 1, done.stderr  # nothing changed
    assert "overrides" not in json.loads((tmp_path / "old" / "package.json").read_text())
    assert (tmp_path / "unfetched").read_text().splitlines()[0] == (
        "header (http://127.0.0.1:9/x/header/tarball/07e7b9516f14, a dependency of tool:"
        " the npm in use predates overrides)"
    )


#: an npm that fails as npm 10 did here on a git host's dependency, anywhere in package.json
_GIT_FAILING_NPM = """#!/bin/sh
if grep -q 'tarball\\|github:' package.json || ! grep -q overrides package.json; then
  echo 'npm error network request to http://github.com/x/header/tarball/07e7b95 failed, reason:'
  echo 'npm error getaddrinfo ENOTFOUND github.com'
  exit 1
fi
echo "installed: $*"
"""


@needs_node
@pytest.mark.skipif(not Path("/usr/bin/node").is_file(), reason="the image's own Node is /usr/bin/node")
@pytest.mark.usefixtures("hosted")
def test_an_install_that_cannot_fetch_from_a_git_host_runs_again_with_the_registrys_releases_qs_2016_jsbugs(
    tmp_path: Path,
) -> None:
    """The install step itself: the failure, the substitution, the install again; where the
    substitution cannot help, the one line names what could not be fetched (not npm's message)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), registry._Registry)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url, npm = f"http://127.0.0.1:{server.server_port}/", {"npm": _GIT_FAILING_NPM}
    try:
        outcome = {}
        for name, package in (
            ("helped", {"devDependencies": {"tool": "3.0.0", "left": "^1.0.0"}}),
            ("named", {"devDependencies": {"left": "^1.0.0", "nowhere": "github:x/nowhere#fix"}}),
        ):
            where = tmp_path / name
            where.mkdir()
            (where / "package.json").write_text(json.dumps(package))
            (where / enginepins.SCRIPT).write_text(enginepins.ENGINE_PINS_JS)
            substitute = enginepins.git_substitution("20.0.0", "2019-03-28")
            step = install_steps("npm", None, package, None, "2019-03-28", substitute=substitute)[-1]
            env = f"mkdir -p {where}/env; export RFSN_ENV={where}/env npm_config_registry={url}; "
            outcome[name] = run_step(env + step.replace(UNFETCHED, str(where / "unfetched")), where, npm)
    finally:
        server.shutdown()
        server.server_close()
    helped = outcome["helped"]
    assert helped.returncode == 0, helped.stdout + helped.stderr
    assert "installed: install --no-package-lock --before=2019-03-28" in helped.stdout
    notes = (tmp_path / "helped" / "env" / "notes.txt").read_text()
    assert "header@http://127.0.0.1:9/x/header/tarball/07e7b9516f14 (a dependency's, overrides)" in notes
    named = outcome["named"]
    assert named.returncode != 0
    assert step_error(named.stdout + named.stderr) == (
        "git-hosted dependencies could not be fetched:"
        " nowhere (github:x/nowhere#fix: the registry has no release of it)"
    )


@needs_node
@pytest.mark.usefixtures("hosted")
def test_a_name_the_pins_overrode_before_is_neither_overridden_nor_said_again_qs_2016_jsbugs(tmp_path: Path) -> None:
    """qs 5ac31b4: the pins gave evalmd's ``fs-extra`` branch the day's release; the git
    substitution after the failed install said it a second time."""
    package = {"devDependencies": {"tool": "3.0.0"}, "overrides": {"header": "4.0.0"}}
    notes = tmp_path / "notes.txt"
    done = _pin(tmp_path / "project", package, "20.0.0", "2019-03-28", notes=notes)
    assert done.returncode == 1, done.stderr  # nothing changed
    assert json.loads((tmp_path / "project" / "package.json").read_text())["overrides"] == {"header": "4.0.0"}
    assert not notes.exists()
