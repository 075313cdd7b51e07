"""The Python environment every Python recipe builds: a venv under ``$RFSN_ENV`` and how pip
installs into it (the plain, the locked and the SWE-bench spec recipes share these)."""

from __future__ import annotations

CREATE_VENV = "python3 -m venv $RFSN_ENV/venv"
PIP_INSTALL = "$RFSN_ENV/venv/bin/python -m pip install --no-input --progress-bar off"
VENV_ENV: tuple[tuple[str, str], ...] = (
    ("VIRTUAL_ENV", "$RFSN_ENV/venv"),
    ("PATH", "$RFSN_ENV/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"),
    ("PYTHONDONTWRITEBYTECODE", "1"),
    ("PYTHONUNBUFFERED", "1"),
    ("PIP_NO_INPUT", "1"),
    ("PIP_DISABLE_PIP_VERSION_CHECK", "1"),
)
