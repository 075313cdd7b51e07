"""The install step of a Python environment, run by a real shell and a real pip in a venv: a
test requirement that cannot be installed at all is left out and said; an install requirement,
or an index that cannot be reached, fails the step."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from rfsn.buildpacks.python.pyenv import (
    PIP_INSTALL,
    Tools,
    keeping,
    keeping_all,
    keeping_listed,
    nearest_pins,
    optional,
)


@pytest.fixture(scope="module")
def env_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``$RFSN_ENV`` with a venv, and a tiny wheel pip can install offline (``tiny``)."""
    root = tmp_path_factory.mktemp("env")
    subprocess.run([sys.executable, "-m", "venv", str(root / "venv")], check=True)
    _wheel(root, "tiny")
    _wheel(root, "plug", "Requires-Dist: tiny>=2\n")
    return root


def _wheel(root: Path, name: str, requires: str = "", version: str = "1.0") -> None:
    with zipfile.ZipFile(root / f"{name}-{version}-py3-none-any.whl", "w") as wheel:
        wheel.writestr(f"{name}.py", "")
        wheel.writestr(
            f"{name}-{version}.dist-info/METADATA",
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n{requires}",
        )
        wheel.writestr(
            f"{name}-{version}.dist-info/WHEEL", "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        wheel.writestr(f"{name}-{version}.dist-info/RECORD", "")


def _step(root: Path, step: str, **env: str) -> subprocess.CompletedProcess[str]:
    environ = {
        **os.environ,
        "RFSN_ENV": str(root),
        "PIP_RETRIES": "1",
        "PIP_FIND_LINKS": "",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        **env,
    }
    (root / "notes.txt").unlink(missing_ok=True)
    return subprocess.run(
        ["sh", "-c", f"set -e; {step}"], env=environ, capture_output=True, text=True, timeout=300, check=False
    )


def test_a_test_requirement_nowhere_on_the_index_is_left_out_and_said(env_root: Path) -> None:
    """tomlkit 2021 pinned codecov==2.1.8, deleted from PyPI since: the environment is built
    without it, the report says so, the tests that import it fail with their own error."""
    done = _step(
        env_root,
        optional([str(env_root / "tiny-1.0-py3-none-any.whl")], ["no-such-package-rfsn==1.0"]),
        PIP_NO_INDEX="1",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    notes = (env_root / "notes.txt").read_text()
    assert notes.startswith("rfsn: test requirement no-such-package-rfsn==1.0 cannot be installed ("), notes
    reason = notes.split("(", 1)[1]
    assert reason.startswith(("ERROR: ", "Could not")) and "no-such-package-rfsn" in reason, notes
    assert notes.endswith("); left out\n"), notes


def test_an_install_requirement_that_cannot_be_installed_fails_the_step(env_root: Path) -> None:
    done = _step(
        env_root,
        optional(["no-such-package-rfsn==1.0"], [str(env_root / "tiny-1.0-py3-none-any.whl")]),
        PIP_NO_INDEX="1",
    )
    assert done.returncode != 0
    assert not (env_root / "notes.txt").exists()


def test_an_index_that_cannot_be_reached_fails_the_step_rather_than_leave_requirements_out(env_root: Path) -> None:
    done = _step(
        env_root,
        optional([str(env_root / "tiny-1.0-py3-none-any.whl")], ["no-such-package-rfsn==1.0"]),
        PIP_INDEX_URL="http://127.0.0.1:9/simple",
    )
    assert done.returncode != 0, done.stdout + done.stderr
    assert not (env_root / "notes.txt").exists()


def test_without_test_requirements_the_step_is_one_pip_call() -> None:
    assert optional(["six"], [], PIP_INSTALL) == f"{PIP_INSTALL} six"


def _installed(root: Path) -> str:
    return subprocess.run(
        [str(root / "venv" / "bin" / "python"), "-m", "pip", "list", "--format=freeze"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_a_tool_the_installed_packages_break_is_uninstalled_not_kept_broken(env_root: Path) -> None:
    """marshmallow 2018: pip 18 installed pytest-timeout 1.3 beside the project's pytest==3.0.2
    (it wants >= 3.6) and only warned; pytest then refused to start. A tool whose requirements
    what is installed contradicts is uninstalled and said; what was there before stays."""
    venv_pip = f"{PIP_INSTALL} --no-index --find-links {env_root}"
    assert _step(env_root, f"{venv_pip} tiny").returncode == 0
    # --no-deps: a pip that installs the tool whatever its requirements say (pip before 20.3)
    done = _step(env_root, keeping(["plug"], f"{venv_pip} --no-deps", "the project's"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "plug==" not in _installed(env_root) and "tiny==1.0" in _installed(env_root)
    assert (env_root / "notes.txt").read_text().startswith("rfsn: ")
    # the project's own broken package is not rfsn's to remove
    assert _step(env_root, f"{venv_pip} --no-deps plug").returncode == 0
    done = _step(env_root, keeping(["plug"], f"{venv_pip} --no-deps", "the project's"))
    assert done.returncode == 0 and "plug==1.0" in _installed(env_root), done.stdout + done.stderr


def test_the_constraints_come_from_pip_freeze_where_pip_has_no_list_format(tmp_path: Path) -> None:
    """boltons 2016 on Python 3.6 got pip 8, which has no ``pip list --format``: the step that
    keeps what is installed took it for a failure and lost the environment."""
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    # the edge not ours: a pip 8 (its answers to these commands, verbatim)
    (venv_bin / "python").write_text(
        '#!/bin/sh\nshift 2\ncase "$*" in\n'
        '  "list --format=freeze") echo "no such option: --format" >&2; exit 2;;\n'
        '  freeze) echo "six==1.10.0";;\n  check) echo "No broken requirements found.";;\n'
        '  "install -c "*) echo "Successfully installed x";;\n  *) exit 3;;\nesac\n'
    )
    (venv_bin / "python").chmod(0o755)
    done = _step(tmp_path, keeping(["x"], PIP_INSTALL, "the project's"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "pins.txt").read_text() == "six==1.10.0\n"


def test_rfsns_tools_from_two_indexes_list_and_check_once_and_check_again_after_an_uninstall(tmp_path: Path) -> None:
    """An as-of build installed pytest-timeout (the era's index) and coverage (today's) in two
    steps, each listing the installed packages and running pip check: one step, one listing,
    one check, asked again only after an uninstall changed what is installed."""
    venv_bin = tmp_path / "venv" / "bin"
    venv_bin.mkdir(parents=True)
    calls = tmp_path / "calls.txt"
    # a pip that logs what it is asked; its check finds plug broken until plug is uninstalled
    (venv_bin / "python").write_text(
        f'#!/bin/sh\nshift 2\necho "${{PIP_INDEX_URL:-era}} $*" >> {calls}\ncase "$*" in\n'
        '  "list --format=freeze") echo "six==1.10.0";;\n'
        f'  check) grep -q "uninstall -y plug" {calls} || '
        'echo "plug 1.0 has requirement six>=2, but you have six 1.10.0.";;\n'
        "  *) true;;\nesac\n"
    )
    (venv_bin / "python").chmod(0o755)
    today = Tools(("cov",), f"env PIP_INDEX_URL=today {PIP_INSTALL}", constrained=True)
    done = _step(tmp_path, keeping_all([Tools(("plug",)), today], "the project's"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert calls.read_text().splitlines() == [
        "era list --format=freeze",
        f"era install -c {tmp_path}/pins.txt plug",
        f"today install -c {tmp_path}/pins.txt cov",
        "era check",
        "era uninstall -y plug",
        "era check",
    ]
    assert (tmp_path / "notes.txt").read_text() == "rfsn: plug would move the project's packages; left out\n"


def test_a_requirement_string_that_is_shell_never_runs_in_the_step(env_root: Path, tmp_path: Path) -> None:
    """A project's ``[build-system] requires`` reaches ``keeping`` as written: one pip refuses
    (its error repeats the string, which reads as a conflict) is never put in the shell unquoted."""
    mark = tmp_path / "ran"
    hostile = "x'$(touch${IFS}$MARK)'"
    refusing = "sh -c 'echo \"$*: ResolutionImpossible\"; exit 1' pip"
    done = _step(env_root, keeping([hostile], refusing, "the project's"), MARK=str(mark))
    assert done.returncode == 0, done.stdout + done.stderr
    assert not mark.exists()


def test_an_exact_pin_the_index_no_longer_has_takes_the_nearest_of_its_series_tomlkit_2021(
    env_root: Path, tmp_path: Path
) -> None:
    """tomlkit 2021's lock pins atomicwrites==1.4.0, deleted from PyPI (only 1.4.1 is left): the
    build failed. The nearest release of the pin's series is installed, and the report says so;
    a pin with nothing of its series left still fails the step."""
    links = tmp_path / "links"
    links.mkdir()
    _wheel(links, "gone", version="1.4.1")
    _wheel(links, "tiny")
    requirements = tmp_path / "locked.txt"
    requirements.write_text("gone==1.4.0 ; python_version >= '3'\ntiny==1.0\n")
    offline = {"PIP_NO_INDEX": "1", "PIP_FIND_LINKS": str(links)}
    done = _step(env_root, nearest_pins(PIP_INSTALL, str(requirements)), **offline)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "gone==1.4.1" in _installed(env_root) and "tiny==1.0" in _installed(env_root)
    assert (env_root / "notes.txt").read_text() == (
        "rfsn: gone: the pinned release is no longer on the index; the nearest of its series instead (gone==1.4.*)\n"
    )
    requirements.write_text("gone==2.0.0\n")
    done = _step(env_root, nearest_pins(PIP_INSTALL, str(requirements)), **offline)
    assert done.returncode != 0


def test_a_locked_requirement_from_a_repository_that_cannot_be_cloned_is_left_out_and_said_mcp_python_sdk_2026(
    env_root: Path, tmp_path: Path
) -> None:
    """modelcontextprotocol/python-sdk's uv.lock has ``strict-no-cover @ git+https://github.com/...``;
    no git host is reachable from the build, and the whole locked install failed ("No available
    output"). The rest is installed, the report says what was left out and why."""
    links = tmp_path / "links"
    links.mkdir()
    _wheel(links, "tiny")
    requirements = tmp_path / "locked.txt"
    gone = f"file://localhost{tmp_path}/no-such-repo"
    requirements.write_text(f"tiny==1.0\nstrict-no-cover @ git+{gone}@7fc59da2\n")
    done = _step(env_root, nearest_pins(PIP_INSTALL, str(requirements)), PIP_NO_INDEX="1", PIP_FIND_LINKS=str(links))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "tiny==1.0" in _installed(env_root) and "strict" not in requirements.read_text()
    assert (env_root / "notes.txt").read_text() == (
        f"rfsn: {gone}: cannot be cloned (pip: did not run successfully); left out\n"
    )


def test_rfsns_tool_the_projects_pins_exclude_is_left_out_even_in_an_era_pips_words_arrow_2021(env_root: Path) -> None:
    """arrow 2021 pins coverage 5.5; the pip of 2021, asked for rfsn's coverage>=7.4 under the
    installed packages as constraints, says only `Could not find a version that satisfies the
    requirement coverage>=7.4`, which was no conflict, and the build failed. On the plain path
    (``constrained``) it is one: left out, the project's stands; an index that cannot be reached
    still fails the step, and the spec recipes' text is unchanged."""
    venv_pip = f"{PIP_INSTALL} --no-index"
    done = _step(env_root, keeping(["absent-rfsn>=7.4"], venv_pip, "the project's", constrained=True))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Could not find a version" in done.stdout and "absent-rfsn>=7.4 would move the project's" in done.stdout
    assert _step(env_root, keeping(["absent-rfsn>=7.4"], venv_pip, "the project's")).returncode != 0
    unreached = _step(
        env_root,
        keeping(["absent-rfsn>=7.4"], PIP_INSTALL, "the project's", constrained=True),
        PIP_INDEX_URL="http://127.0.0.1:9/simple",
    )
    assert unreached.returncode != 0, unreached.stdout
    assert keeping(["x"]) == keeping(["x"], PIP_INSTALL, "the spec's", constrained=False)
    assert "Could not find a version" not in keeping(["x"])


def test_requirements_an_earlier_step_listed_are_installed_keeping_what_is_there(
    env_root: Path, tmp_path: Path
) -> None:
    """What the build backend answered (``build_requires.py``), one a line and as written
    (``solo >= 1.0``), is installed; a line that is shell never runs; no list is nothing to do."""
    _wheel(tmp_path, "solo")
    venv_pip = f"{PIP_INSTALL} --no-index --find-links {tmp_path}"
    listed, mark = tmp_path / "listed.txt", tmp_path / "ran"
    assert _step(env_root, keeping_listed(str(listed), venv_pip)).returncode == 0
    listed.write_text("solo >= 1.0\n\nx'$(touch${IFS}$MARK)'\n")
    refusing = "sh -c 'echo \"$*: ResolutionImpossible\"; exit 1' pip"
    done = _step(env_root, keeping_listed(str(listed), refusing), MARK=str(mark))
    assert done.returncode == 0 and not mark.exists(), done.stdout + done.stderr
    assert "solo==" not in _installed(env_root)
    listed.write_text("solo >= 1.0\n")
    done = _step(env_root, keeping_listed(str(listed), venv_pip))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "solo==1.0" in _installed(env_root)
