"""The Python environment every Python recipe builds: a venv under ``$RFSN_ENV`` and how pip
installs into it (the plain, the locked and the SWE-bench spec recipes share these)."""

from __future__ import annotations

import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement

from rfsn.buildpacks.base import BUILD_NOTES
from rfsn.buildpacks.datedindex import PYPI, RAISED_VIEW

CREATE_VENV = "python3 -m venv $RFSN_ENV/venv"
#: pip's options go in as environment variables, which a pip that lacks one ignores (pip 9 has
#: no ``--progress-bar``): the same steps speak to today's pip and to an era's
PIP_INSTALL = "$RFSN_ENV/venv/bin/python -m pip install"
VENV_ENV: tuple[tuple[str, str], ...] = (
    ("VIRTUAL_ENV", "$RFSN_ENV/venv"),
    ("PATH", "$RFSN_ENV/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
    ("PYTHONDONTWRITEBYTECODE", "1"),
    ("PYTHONUNBUFFERED", "1"),
    ("PIP_NO_INPUT", "1"),
    ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
    ("PIP_PROGRESS_BAR", "off"),
)
#: the script an env build runs to ask the project's build backend what building it needs
BUILD_REQUIRES_SCRIPT = ("build_requires.py", Path(__file__).with_name("build_requires.py").read_text(encoding="utf-8"))
#: what the project's build backend asks for to build it, listed by an env build (``ask_backend``)
BUILD_REQUIRES = "$RFSN_ENV/build-requires.txt"


def ask_backend(backend: str, otherwise: str, python: str = "python") -> str:
    """Shell, in the project's tree: ``backend`` (``module:object``) asked what building the
    project needs, as pip asks it (``build_requires.py``), listed in ``BUILD_REQUIRES``; no
    answer prints the asking's last lines and notes that, then ``otherwise``."""
    return (
        f"{{ {python} $RFSN_ENV/files/{BUILD_REQUIRES_SCRIPT[0]} {shlex.quote(backend)} {BUILD_REQUIRES} "
        f'> $RFSN_ENV/ask.log 2>&1 || {{ tail -n 20 $RFSN_ENV/ask.log; echo "rfsn: the build backend could '
        f'not say what building the project needs; {otherwise}" | tee -a {BUILD_NOTES}; }}; }}'
    )


#: the script an env build runs to find the project's own installed copy and remove it
PROJECT_COPY_SCRIPT = ("project_copy.py", Path(__file__).with_name("project_copy.py").read_text(encoding="utf-8"))
#: pip reading today's index in a build whose index is of another date (rfsn's own tools), named:
#: an era's pip defaults to an address PyPI no longer answers at (pip 9: pypi.python.org)
TODAY_PIP_INSTALL = f"env -u PIP_TRUSTED_HOST PIP_INDEX_URL={PYPI} {PIP_INSTALL}"
#: setuptools' own fetches (``setup_requires`` as setup.py runs: easy_install before setuptools
#: 42, which reads no PIP_INDEX_URL, only its config files) from the build's index too: a
#: ``~/.pydistutils.cfg`` naming it while the build runs, gone at its end (``DATED_INDEX_DONE``).
#: easy_install trusts only the system's CA bundle: the build's CA (``PIP_CERT``) joins it. Both
#: only in an image's build (``$RFSN_ENV`` is ``/opt/rfsn`` there): a local sandbox's steps run
#: on the host, whose files are the user's
EASY_INSTALL_INDEX = (
    '{ [ "${RFSN_ENV:-}" != /opt/rfsn ] || [ -z "${PIP_INDEX_URL:-}" ] || '
    "printf '[easy_install]\\nindex_url = %s\\n' "
    '"${PIP_INDEX_URL%/}/" > "${HOME:-/root}/.pydistutils.cfg"; '
    '[ "${RFSN_ENV:-}" != /opt/rfsn ] || [ ! -f "${PIP_CERT:-}" ] || '
    "[ ! -f /etc/ssl/certs/ca-certificates.crt ] || "
    '[ "$PIP_CERT" -ef /etc/ssl/certs/ca-certificates.crt ] || '
    'cat "$PIP_CERT" >> /etc/ssl/certs/ca-certificates.crt; }'
)
DATED_INDEX_DONE = '[ "${RFSN_ENV:-}" != /opt/rfsn ] || rm -f "${HOME:-/root}/.pydistutils.cfg"'


def raised_install(tools: Sequence[str], day: str) -> str:
    """The step that installs ``tools`` and what they require as the dated index had them the day
    after their first releases after ``day`` (the environment's Python): a set of that date, whose
    dependencies exist, where the commit's date has only older ones (a tool's release for a newer Python requires
    newer dependencies). Only what they need newer moves (an old pip that upgrades eagerly would
    take the view's release of a requirement already met)."""
    view = f"${{PIP_INDEX_URL%/simple}}{RAISED_VIEW}/{day}/{','.join(tools)}/simple"
    return f'PIP_UPGRADE_STRATEGY=only-if-needed PIP_INDEX_URL="{view}" {PIP_INSTALL} --upgrade {" ".join(tools)}'


#: every package already in the venv, as constraints for what rfsn adds to it (a pip before 9
#: has no ``list --format``: its ``freeze``)
_PINS = (
    "{ $RFSN_ENV/venv/bin/python -m pip list --format=freeze > $RFSN_ENV/pins.txt || "
    "$RFSN_ENV/venv/bin/python -m pip freeze > $RFSN_ENV/pins.txt; }"
)
#: pip's words for a requirement the installed packages (or this Python) cannot have; any other
#: failure (no index, a broken download) fails the build, which is tried again next time
_CONFLICT = "ResolutionImpossible|conflicting dependencies|from versions: [0-9]"
#: ...and an era pip's only words for it
_NOT_FOUND = "Could not find a version that satisfies the requirement"
#: ...for one that cannot be had at all (nowhere on the index, or its build fails)...
_UNINSTALLABLE = (
    "No matching distribution|Could not find a version|error in .* setup command|"
    "Failed to build|subprocess-exited-with-error|failed with error code|"
    "ResolutionImpossible|conflicting dependencies"
)
#: ...unless the index could not be reached
_UNREACHED = "Retrying|NewConnectionError|ConnectTimeout|ProxyError|Connection refused|Max retries"


@dataclass(frozen=True)
class Tools:
    """Packages one pip installs from one index (``pip``) in a ``keeping`` step; ``constrained``:
    pip's bare "Could not find a version" means they would move what is installed too (the pip
    of 2021 says no more when the installed packages exclude every version), unless the index
    could not be reached."""

    packages: tuple[str, ...]
    pip: str = PIP_INSTALL
    constrained: bool = False


def keeping(
    packages: Sequence[str],
    pip: str = PIP_INSTALL,
    whose: str = "the spec's",
    constrained: bool = False,
    ask: bool = False,
) -> str:
    """``keeping_all`` of one set of packages."""
    return keeping_all([Tools(tuple(packages), pip, constrained)], whose, ask)


def keeping_all(tools: Sequence[Tools], whose: str = "the spec's", ask: bool = False) -> str:
    """A step installing each of ``tools`` (a build backend for the sessions' offline reinstall;
    rfsn's own tools, from one index or two) that never moves what the environment installed
    before it: a requirement that would (``oldest-supported-numpy`` pins an old numpy, which
    the install then upgraded) is left out, and the reinstall builds against what is there
    (``whose`` packages, it says). ``ask``: the pip may be older than constraints (7.1: pip
    1.5.6 has no ``-c``), asked, one without gets the installed packages as requirements; and
    than requires-python (9.0), so a package that does not build on this Python is left out too.
    One listing of the installed packages and one ``pip check`` serve every set."""
    flag, asked = (
        ("$c", f"c=$({tools[0].pip} --help | grep -q -- --constraint && echo -c || echo -r) && ") if ask else ("-c", "")
    )
    installs = []
    for each in tools:
        words = _words(each.packages)
        reasons, unreached = (
            (f"{_CONFLICT}|{_NOT_FOUND}", f"! grep -qE '{_UNREACHED}' $RFSN_ENV/pip.log || exit 1; ")
            if each.constrained
            else (_CONFLICT, "")
        )
        reasons = f"{reasons}|{_UNINSTALLABLE}" if ask else reasons
        installs.append(
            f"( {each.pip} {flag} $RFSN_ENV/pins.txt {words} || "
            + _one_by_one(
                words,
                f"{each.pip} {flag} $RFSN_ENV/pins.txt",
                reasons,
                f'{unreached}echo "rfsn: $p would move {whose} packages; left out"',
            )
            + " )"
        )
    return (
        f"{_PINS} && rm -f {_CHECKED} && {asked}"
        + " && ".join(installs)
        + "".join(f" && {_unbroken(p, whose)}" for each in tools for p in each.packages)
    )


def keeping_listed(path: str, pip: str = PIP_INSTALL, whose: str = "the spec's") -> str:
    """``keeping`` for the requirements an earlier step of the build wrote to ``path``, one a line
    (no file, or none listed: nothing)."""
    load = (
        f'set --; if [ -f {path} ]; then while IFS= read -r p; do case "$p" in "") ;; '
        f'*) set -- "$@" "$p" ;; esac; done < {path}; fi'
    )
    pins = f"{pip} -c $RFSN_ENV/pins.txt"
    name = (
        r"""n=$(printf '%s\n' "$p" | sed -E 's/[^A-Za-z0-9._-].*//') && """
        r"""pat=$(printf '%s\n' "$n" | sed -E 's/[-_.]+/[-_.]/g') && """
    )
    unbroken = (
        f'rm -f {_CHECKED} && for p in "$@"; do {name}{{ grep -qi "^$pat==" $RFSN_ENV/pins.txt || '
        f'{{ {_CHECK} && ! grep -qi "^$pat " {_CHECKED}; }} || '
        f'{{ $RFSN_ENV/venv/bin/python -m pip uninstall -y "$n" && rm -f {_CHECKED} && '
        f'echo "rfsn: $n would move {whose} packages; left out" | tee -a {BUILD_NOTES}; }}; }}; done'
    )
    return (
        f'{load}; [ $# -eq 0 ] || {{ {_PINS} && ( {pins} "$@" || '
        + _one_by_one('"$@"', pins, _CONFLICT, f'echo "rfsn: $p would move {whose} packages; left out"')
        + f" ) && {unbroken}; }}"
    )


#: what ``pip check`` says of the installed packages, asked once until one is uninstalled
_CHECKED = "$RFSN_ENV/check.txt"
_CHECK = f"{{ [ -f {_CHECKED} ] || $RFSN_ENV/venv/bin/python -m pip check > {_CHECKED} 2>&1 || true; }}"


def _unbroken(package: str, whose: str) -> str:
    """Shell: ``package``, unless it was there before (``pins.txt``), uninstalled if ``pip
    check`` says what is installed breaks it (a pip before 20.3 installs a requirement the
    constraints contradict, and only warns); the check is asked again only after an uninstall."""
    try:
        name = Requirement(package).name  # letters, digits, - _ . only: safe in the shell
    except InvalidRequirement:
        return "true"  # pip refused it, so nothing of it was installed
    pattern = re.sub(r"[-_.]+", "[-_.]", name)
    return (
        f"{{ grep -qi '^{pattern}==' $RFSN_ENV/pins.txt || {{ {_CHECK} && ! grep -qi '^{pattern} ' {_CHECKED}; }} || "
        f"{{ $RFSN_ENV/venv/bin/python -m pip uninstall -y {shlex.quote(name)} && rm -f {_CHECKED} && "
        f'echo "rfsn: {name} would move {whose} packages; left out" | tee -a {BUILD_NOTES}; }}; }}'
    )


#: pip's words for an exact pin the index no longer has: ``NAME==X.Y`` of ``NAME==X.Y.Z``
_GONE = (
    r"s/.*Could not find a version that satisfies the requirement ([A-Za-z0-9._-]+)==([0-9.]*[0-9])\.[^ ]+ "
    r"\(from versions: [0-9].*/\1==\2/p"
)


#: pip's words for a source it could not clone (``git clone ... URL DEST did not run successfully``): URL
_UNFETCHED = r"s/.*(git|hg) clone .* ([a-z+]+:\/\/[^ ]+) [^ ]+ did not run successfully.*/\2/p"


def nearest_pins(pip: str, requirements: str, extra: str = "", attempts: int = 5) -> str:
    """A step installing the requirements file ``requirements`` (and ``extra``) where an exact
    pin to a release the index no longer has takes the nearest of its series instead
    (``atomicwrites==1.4.0``, deleted, as ``==1.4.*``: 1.4.1), and a requirement from a
    repository that cannot be cloned (no git host reachable) is left out, each said in
    ``BUILD_NOTES``; any other failure, or a series with nothing left, fails the step."""
    install = f"{pip} -r {requirements} {extra}".rstrip()
    return (
        f"for i in $(seq {attempts}); do "
        f"{install} > $RFSN_ENV/pip.log 2>&1 && {{ cat $RFSN_ENV/pip.log; break; }}; "
        f"cat $RFSN_ENV/pip.log; pin=$(sed -nE '{_GONE}' $RFSN_ENV/pip.log | head -1); "
        f"src=$(sed -nE '{_UNFETCHED}' $RFSN_ENV/pip.log | head -1); "
        f'[ -n "$pin$src" ] && [ "$i" -lt {attempts} ] || exit 1; '
        f'if [ -n "$pin" ]; then sed -i -E "s/^${{pin%%==*}}==[^ ;]*/$pin.*/" {requirements}; '
        f'echo "rfsn: ${{pin%%==*}}: the pinned release is no longer on the index; the nearest of '
        f'its series instead ($pin.*)" | tee -a {BUILD_NOTES}; '
        f'else sed -i "\\|+$src|d" {requirements}; '
        f'echo "rfsn: $src: cannot be cloned (pip: did not run successfully); left out" '
        f"| tee -a {BUILD_NOTES}; fi; done"
    )


def optional(required: Sequence[str], optional: Sequence[str], pip: str = PIP_INSTALL) -> str:
    """A step installing ``required`` and ``optional`` together, else ``required`` alone (its
    failure fails the build) and each of ``optional`` on its own: one that cannot be installed
    at all (deleted from PyPI, its build broken) is left out with a line in ``BUILD_NOTES``;
    the tests that need it then fail and say why."""
    both = " ".join(shlex.quote(p) for p in [*required, *optional])
    if not optional:
        return f"{pip} {both}"
    note = (
        f'echo "rfsn: test requirement $p cannot be installed '
        f'($(grep -m1 -E \'{_UNINSTALLABLE}\' $RFSN_ENV/pip.log | sed "s/^ *//")); left out" '
        f"| tee -a {BUILD_NOTES}"
    )
    alone = " ".join(shlex.quote(p) for p in required)
    return (
        f"{pip} {both} || {{ {pip} {alone} && "
        + _one_by_one(
            _words(optional), pip, _UNINSTALLABLE, f"! grep -qE '{_UNREACHED}' $RFSN_ENV/pip.log || exit 1; {note}"
        )
        + "; }"
    )


def _words(packages: Sequence[str]) -> str:
    return " ".join(shlex.quote(p) for p in packages)


def _one_by_one(each: str, pip: str, reasons: str, left_out: str) -> str:
    """Shell: each package of the words ``each`` installed on its own; one whose pip log matches
    ``reasons`` runs ``left_out``, any other failure exits 1."""
    return (
        f'for p in {each}; do {pip} "$p" > $RFSN_ENV/pip.log 2>&1 '
        f"&& cat $RFSN_ENV/pip.log || {{ cat $RFSN_ENV/pip.log; grep -qE '{reasons}' $RFSN_ENV/pip.log "
        f"|| exit 1; {left_out}; }}; done"
    )
