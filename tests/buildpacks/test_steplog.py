"""A failed environment step is told by the first line that says why, never by pip's closing hint.

The logs under ``fixtures/steplogs`` are pip 26's real output, captured by running it in a venv
against the package proxy: an impossible pin, a ``setup.py`` whose import fails, a build
backend that does not exist, a C extension whose header is missing, two pins that conflict.
"""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfsn.buildpacks.python.pipresolve import resolve_step
from rfsn.buildpacks.steplog import MAX_CHARS, step_error, step_name

LOGS = Path(__file__).parent / "fixtures" / "steplogs"


@pytest.mark.parametrize(
    ("log", "cause"),
    [
        ("pip-pin.log", "ERROR: No matching distribution found for requests==999.0"),
        ("pip-setup.log", "ModuleNotFoundError: No module named 'nosuchmodule_rfsn_capture'"),
        ("pip-backend.log", "ModuleNotFoundError: No module named 'setuptools.build_meta_rfsn_missing'"),
        ("pip-ext.log", "c.c:1:10: fatal error: nosuchheader_rfsn.h: No such file or directory"),
        (
            "pip-conflict.log",
            "ERROR: Cannot install requests==2.31.0 and urllib3==1.20 because these "
            "package versions have conflicting dependencies.",
        ),
    ],
)
def test_a_real_pip_failure_is_told_by_its_cause_not_its_closing_hint(log: str, cause: str) -> None:
    """Not "note: This error originates from a subprocess", "ERROR: Failed building wheel",
    "error: subprocess-exited-with-error", nor pip's yanked-versions line before the cause."""
    assert step_error((LOGS / log).read_text(encoding="utf-8")) == cause


def test_pip_21s_legacy_failure_is_told_by_the_exception_of_its_traceback() -> None:
    log = (
        "    ERROR: Command errored out with exit status 1:\n     command: /usr/bin/python3 -c 'import x'\n"
        "    Complete output (4 lines):\n    Traceback (most recent call last):\n"
        "      File \"setup.py\", line 3, in <module>\n        raise RuntimeError('an error in a comment')\n"
        "    ImportError: cannot import name 'parse' from 'pkg_resources'\n"
        "    ----------------------------------------\n"
        "ERROR: Command errored out with exit status 1: python setup.py egg_info Check the logs.\n"
    )
    assert step_error(log) == "ImportError: cannot import name 'parse' from 'pkg_resources'"


def test_a_docker_step_is_told_by_its_cause_not_its_command_pytest_runner_2019() -> None:
    """A 2019 build's one line was its own command (`RUN timeout ... sh -c '... pip install
    ...'`: the command greps for pip's words, "failed with error code"), not easy_install's
    `Could not find suitable distribution`."""
    log = (
        "Step 6/9 : RUN timeout -k 10 1800 sh -c 'set -e; $RFSN_ENV/venv/bin/python -m pip install colorama "
        '|| grep -qE "error in .* setup command|failed with error code" $RFSN_ENV/pip.log\'\n'
        " ---> Running in 5d0a9b1c2e3f\nCollecting colorama\n"
        "    ERROR: Command errored out with exit status 1:\n"
        "     command: /rfsn/env/venv/bin/python -c 'import sys, setuptools; exec(compile(...))' egg_info\n"
        "         cwd: /tmp/pip-install-x/colorama/\n    Complete output (3 lines):\n"
        '    Traceback (most recent call last):\n      File "<string>", line 1, in <module>\n'
        "    distutils.errors.DistutilsError: Could not find suitable distribution for "
        "Requirement.parse('pytest-runner')\n"
    )
    assert step_error(log) == (
        "distutils.errors.DistutilsError: Could not find suitable distribution for Requirement.parse('pytest-runner')"
    )


def test_a_step_of_groups_substitutions_and_an_sh_script_is_named_by_its_commands() -> None:
    """A failed pipresolve step, under the compile cache's and the time limit's wrappers, was
    named `-m pip --version | cut -d  -f2) && { $RFSN_ENV/venv/bin/python -c 'import sys &…`:
    the name was cut inside `$( )`, a `{ }` group and quotes."""
    from rfsn.buildpacks.python.pyenv import keeping
    from rfsn.sandbox.ccache import build_step

    wrapped = build_step("timeout -k 10 600 sh -c " + shlex.quote("set -e; " + resolve_step(("test",), dated=True)))
    assert step_name(wrapped, limit=200).startswith(
        "python -c … && pip install pip>=23.1 && python $RFSN_ENV/files/pipresolve.py test $RFSN_ENV/resolved.txt"
    )
    assert step_name(keeping(["pytest-timeout"])).startswith("pip install -c $RFSN_ENV/pins.txt pytest-timeout")


def test_a_step_with_no_error_line_is_told_by_its_last_line() -> None:
    assert step_error("Reading lists\nsh: 1: cmake-js: not found\n") == "sh: 1: cmake-js: not found"
    assert step_error("\n\n") == "(no output)"


def test_a_command_that_printed_nothing_is_told_by_pips_header_mcp_python_sdk_2026() -> None:
    """modelcontextprotocol/python-sdk's locked install stopped on a git dependency and the one
    line was "No available output.": pip's line under the header of a command that said nothing."""
    header = (
        "git clone --filter=blob:none --quiet https://github.com/pydantic/strict-no-cover "
        "/tmp/pip-install-x/strict-no-cover_1 did not run successfully."
    )
    output = (
        "Collecting strict-no-cover@ git+https://github.com/pydantic/strict-no-cover@7fc59da\n"
        "  Cloning https://github.com/pydantic/strict-no-cover (to revision 7fc59da)\n"
        "  error: subprocess-exited-with-error\n\n"
        f"  \u00d7 {header}\n  \u2502 exit code: 128\n  \u2570\u2500> No available output.\n\n"
        "  note: This error originates from a subprocess, and is likely not a problem with pip.\n"
    )
    assert step_error(output) == header


def test_pnpms_cause_under_its_bare_error_code_is_the_line_postcss_head() -> None:
    """postcss/postcss and ai/nanoid at HEAD: the one line stopped at pnpm's error code; the cause
    is two lines on, behind a box arrow, wrapped (the output of the row's env build, as pnpm 11
    printed it, twice: the install, then again without install scripts)."""
    failure = (
        "Downloading @oxlint/binding-linux-x64-gnu@1.76.0: 0.00 B/6.71 MB\n"
        "Error: ERR_PNPM_TARBALL_HTTP_STATUS\n\n"
        "  \u00d7 installing dependencies\n"
        "  \u2570\u2500\u25b6 Tarball server returned HTTP 404 for https://registry.npmjs.org/\n"
        "      multiocular/-/multiocular-0.8.4.tgz\n\n"
    )
    output = (
        '[WARN] Unsupported engine for nanoid@6.0.0: wanted: {"node":">=26"} (current: {"node":"20.19.2"})\n'
        f"{failure}rfsn: the install failed; again without install scripts\n{failure}"
        "Removing intermediate container 682357b7ebd6\n"
    )
    assert step_error(output) == (
        "Tarball server returned HTTP 404 for https://registry.npmjs.org/multiocular/-/multiocular-0.8.4.tgz"
    )


def test_npm_9s_error_code_is_its_frame_and_the_line_under_it_the_cause_postcss_2014_jsbugs() -> None:
    """npm 9 on prefixes its lines ``npm error`` (before: ``npm ERR!``): its code line is a frame
    as it was, the next line says why (what npm 11.19.1 printed for a range no release meets;
    postcss's 2014 row's label stopped at ``npm error code ETARGET``)."""
    output = (
        "npm error code ETARGET\n"
        "npm error notarget No matching version found for is-number@^99.0.0.\n"
        "npm error notarget In most cases you or one of your dependencies are requesting a package version that "
        "doesn't exist.\n"
        "npm error A complete log of this run can be found in: /root/.npm/_logs/2026-11-30T09_47_04_887Z-debug-0.log\n"
    )
    assert step_error(output) == "npm error notarget No matching version found for is-number@^99.0.0."
    assert step_error(output.replace("npm error", "npm ERR!")) == (
        "npm ERR! notarget No matching version found for is-number@^99.0.0."
    )


@given(st.text())
def test_any_output_gives_one_bounded_line(output: str) -> None:
    line = step_error(output)
    assert "\n" not in line and 0 < len(line) <= MAX_CHARS


def test_a_step_is_named_by_its_commands_without_their_preparation() -> None:
    assert (
        step_name(
            "env PIP_NO_BUILD_ISOLATION=0 python -m pip install --no-deps --no-build-isolation --no-input -q -e ."
        )
        == "pip install -e ."
    )
    assert (
        step_name("$RFSN_ENV/venv/bin/python -m pip install --no-input --progress-bar off -r requirements.txt")
        == "pip install -r requirements.txt"
    )
    assert step_name(resolve_step(["test"]), limit=40).startswith("pip install pip>=23.1 && python ")
    assert len(step_name("pip install " + "pkg==1.0 " * 80)) == 80


def test_a_step_that_tried_again_failed_for_its_last_trys_cause_postcss_2014_jsbugs() -> None:
    """postcss/postcss b16fa26 (2014, jsbugs design row): the install as of the commit's day found no
    6to5@1.15.0 the registry dates before it, tried again as the registry is today, then without
    install scripts; both later tries stopped on esprima-fb@~7001.1.0-dev-harmony-fb (no such release
    on the registry today), but the label named the first try's 6to5 (the build's output, as kept)."""
    first = (
        "npm error code ETARGET\n"
        "npm error notarget No matching version found for 6to5@1.15.0 with a date before 12/28/2014, 12:00:00 AM.\n"
        "npm error notarget In most cases you or one of your dependencies are requesting\n"
        "npm error notarget a package version that doesn't exist.\n"
        "npm error A complete log of this run can be found in: /root/.npm/_logs/2026-11-30T16_20_55_244Z-debug-0.log\n"
    )
    later = (
        "npm error code ETARGET\n"
        "npm error notarget No matching version found for esprima-fb@~7001.1.0-dev-harmony-fb.\n"
        "npm error notarget In most cases you or one of your dependencies are requesting\n"
        "npm error notarget a package version that doesn't exist.\n"
        "npm error A complete log of this run can be found in: /root/.npm/_logs/2026-11-30T16_21_14_994Z-debug-0.log\n"
    )
    output = (
        f"{first}rfsn: no install as of 2014-12-28 (a range with no release the registry dates before it); "
        f"again as the registry is today\n{later}rfsn: the install failed; again without install scripts\n{later}"
    )
    cause = "npm error notarget No matching version found for esprima-fb@~7001.1.0-dev-harmony-fb."
    assert step_error(output) == cause
    assert step_error(f"{first}rfsn: the install failed; again without install scripts\n") == (
        "npm error notarget No matching version found for 6to5@1.15.0 with a date before 12/28/2014, 12:00:00 AM."
    )  # a last try that printed nothing: the cause before it


def test_npm_3s_install_tree_is_no_cause_its_err_line_is_json5_2018_jsbugs() -> None:
    """json5/json5 d570705 (2018, jsbugs): npm 3.10.10 printed the tree it installed before it failed;
    the label named the tree's ``└─┬ error-ex@1.3.4`` (a package's name holding the word error), not
    npm's ``ENOTDIR`` line (the end of the row's build output, as kept)."""
    output = (
        "rfsn: the install failed; again without install scripts\n"
        "/opt/rfsn/files\n"
        "├─┬ babel-core@6.26.3 \n"
        "│ └─┬ error-ex@1.3.4 \n"
        "│   └── is-arrayish@0.2.1 \n"
        "└── unicode-9.0.0@0.7.5 \n\n"
        "npm WARN deprecated error-ex@1.0.0: use something else\n"
        "npm ERR! Linux 6.18.44-fc-v1045\n"
        'npm ERR! argv "/opt/rfsn/node/bin/node" "/opt/rfsn/node/bin/npm" "install" "--ignore-scripts"\n'
        "npm ERR! node v6.13.0\n"
        "npm ERR! npm  v3.10.10\n"
        "npm ERR! path /opt/rfsn/files/node_modules/.staging/@types/triple-beam-1fe27bbf/package.json\n"
        "npm ERR! code ENOTDIR\n"
        "npm ERR! errno -20\n"
        "npm ERR! syscall open\n\n"
        "npm ERR! ENOTDIR: not a directory, open '/opt/rfsn/files/node_modules/.staging/@types/x/package.json'\n"
        "npm ERR! \n"
        "npm ERR! If you need help, you may report this error at:\n"
        "npm ERR!     <https://github.com/npm/npm/issues>\n"
    )
    assert step_error(output) == (
        "npm ERR! ENOTDIR: not a directory, open '/opt/rfsn/files/node_modules/.staging/@types/x/package.json'"
    )
