"""A lock's dependency fetched from a git host that the build cannot reach is named in the
build's one line, not only package.json's own (issue 70: "Git-hosted dependencies that cannot be
fetched are named in the label")."""

from __future__ import annotations

import json
from pathlib import Path

from rfsn.buildpacks.node.githosted import locked_git_specs
from rfsn.buildpacks.node.package import install_steps
from rfsn.buildpacks.steplog import step_error
from tests.buildpacks.test_node_installs import run_step

#: a package-lock of lockfileVersion 2 where a dev tool's bundled dependency asks for a git host
LOCK_V2 = {
    "name": "signal-exit",
    "lockfileVersion": 2,
    "packages": {
        "": {"devDependencies": {"tap": "^16.0.0"}},
        "node_modules/tap": {"version": "16.0.0", "dev": True},
        "node_modules/tap/node_modules/treport": {
            "version": "3.0.0",
            "inBundle": True,
            "dependencies": {"import-jsx": "github:isaacs/import-jsx", "ink": "^3.2.0"},
        },
        "node_modules/tap/node_modules/import-jsx": {"version": "4.0.0", "inBundle": True},
    },
    "dependencies": {"tap": {"version": "16.0.0", "requires": {"treport": "^3.0.0"}}},
}

#: npm 8's ``npm ci`` as it failed here: git cannot reach the host
_GIT_FAILING_NPM_CI = """#!/bin/sh
echo 'npm ERR! code 128'
echo 'npm ERR! An unknown git error occurred'
echo 'npm ERR! command git --no-replace-objects ls-remote ssh://git@github.com/isaacs/import-jsx.git'
echo 'npm ERR! ssh: connect to host github.com port 22: Network is unreachable'
exit 128
"""


def test_a_locks_nested_git_hosted_dependency_is_named_in_the_builds_one_line_cause_signal_exit_old(
    tmp_path: Path,
) -> None:
    """signal-exit of 2022: ``npm ci`` failed with "An unknown git error occurred" and the label
    said only that: the lock's ``import-jsx`` (``github:isaacs/import-jsx``, a dependency of tap's
    bundled treport) is nowhere in package.json."""
    package = {"devDependencies": {"tap": "^16.0.0"}}
    lock = json.dumps(LOCK_V2)
    (tmp_path / "package.json").write_text(json.dumps(package))
    step = install_steps("npm", "package-lock.json", package, "8.11.0", lock_text=lock)[-1]
    done = run_step(step, tmp_path, {"npm": _GIT_FAILING_NPM_CI})
    assert done.returncode == 128
    assert step_error(done.stdout + done.stderr) == (
        "git-hosted dependencies could not be fetched: import-jsx (github:isaacs/import-jsx)"
    )


def test_the_git_specs_of_every_lock_form_are_read() -> None:
    """npm's lockfileVersion 1 (``requires``, a git ``version``), 2-3 (``packages``' ``resolved``)
    and yarn.lock's entry headers; registry releases and local paths are not git-hosted."""
    v1 = {
        "lockfileVersion": 1,
        "dependencies": {
            "a": {"version": "1.0.0", "requires": {"fork": "github:o/fork#fix"}},
            "fork": {"version": "git+ssh://git@github.com/o/fork.git#0123abc", "from": "github:o/fork#fix"},
            "local": {"version": "file:../local"},
        },
    }
    assert locked_git_specs(json.dumps(v1)) == {"fork": "github:o/fork#fix"}
    v3 = {"packages": {"node_modules/x/node_modules/y": {"resolved": "git+https://gitlab.com/g/y.git#abc"}}}
    assert locked_git_specs(json.dumps(v3)) == {"y": "git+https://gitlab.com/g/y.git#abc"}
    yarn = (
        '# yarn lockfile v1\n\n"@scope/tool@github:o/tool#v2", "@scope/tool@^1.0.0":\n  version "2.0.0"\n\n'
        'left@^1.0.0:\n  version "1.0.0"\n  resolved "https://registry.yarnpkg.com/left/-/left-1.0.0.tgz"\n'
    )
    assert locked_git_specs(yarn) == {"@scope/tool": "github:o/tool#v2"}
    assert locked_git_specs("not a lock") == {}
