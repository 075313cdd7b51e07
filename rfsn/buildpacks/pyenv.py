"""The Python environment every Python recipe builds: a venv under ``$RFSN_ENV`` and how pip
installs into it (the plain, the locked and the SWE-bench spec recipes share these)."""

from __future__ import annotations

import shlex
from collections.abc import Sequence

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
#: pip reading today's index in a build whose index is of another date (rfsn's own tools)
TODAY_PIP_INSTALL = f"env -u PIP_INDEX_URL -u PIP_TRUSTED_HOST {PIP_INSTALL}"
#: every package already in the venv, as constraints for what rfsn adds to it
_PINS = "$RFSN_ENV/venv/bin/python -m pip list --format=freeze > $RFSN_ENV/pins.txt"
#: pip's words for a requirement the installed packages (or this Python) cannot have; any other
#: failure (no index, a broken download) fails the build, which is tried again next time
_CONFLICT = "ResolutionImpossible|conflicting dependencies|from versions: [0-9]"


def keeping(packages: Sequence[str], pip: str = PIP_INSTALL, whose: str = "the spec's") -> str:
    """A step installing ``packages`` (a build backend for the sessions' offline reinstall;
    rfsn's own tools) that never moves what the environment installed: a requirement that
    would (``oldest-supported-numpy`` pins an old numpy, which the install then upgraded) is
    left out, and the reinstall builds against what is there (``whose`` packages, it says)."""
    each = " ".join(shlex.quote(p) for p in packages)
    return (f"{_PINS} && ( {pip} -c $RFSN_ENV/pins.txt {each} || "
            f"for p in {each}; do {pip} -c $RFSN_ENV/pins.txt \"$p\" > $RFSN_ENV/pip.log 2>&1 "
            f"&& cat $RFSN_ENV/pip.log || {{ cat $RFSN_ENV/pip.log; grep -qE '{_CONFLICT}' $RFSN_ENV/pip.log "
            f"|| exit 1; echo \"rfsn: $p would move {whose} packages; left out\"; }}; done )")
