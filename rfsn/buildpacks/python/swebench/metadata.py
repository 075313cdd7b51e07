"""What the project's tree at a commit says, read with git: its requirements files (``-r``
includes inlined), its build backend and build requirements (after the spec's metadata edits),
its release for setuptools_scm, and the commit an env build installs it from.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from packaging.version import InvalidVersion, Version

from rfsn import hostgit
from rfsn.buildpacks.python import pydeps
from rfsn.buildpacks.python.swebench.patchtree import root_metadata
from rfsn.buildpacks.python.swebench.upstream import Spec
from rfsn.errors import EnvUnavailable


def read_requirements(checkout: Path, commit: str, paths: list[str]) -> str:
    """The first requirements file of ``paths`` at ``commit``, ``-r`` includes inlined."""
    for path in paths:
        text = _git_show(checkout, commit, path)
        if text is not None:
            return _inline(checkout, commit, str(Path(path).parent), text)
    raise EnvUnavailable(f"no requirements file ({', '.join(paths)}) at {commit[:12]}")


def _inline(checkout: Path, commit: str, folder: str, text: str) -> str:
    lines: list[str] = []
    for line in text.splitlines():
        if line.strip().startswith(("-e .", "#", ".[test")):
            continue  # the harness's exclusions: the project itself, comments
        match = re.match(r"^\s*-r\s+(\S+)", line)
        if not match:
            lines.append(line)
            continue
        included = str(Path(folder, match.group(1)))
        body = _git_show(checkout, commit, included)
        if body is None:
            raise EnvUnavailable(f"{included} (included by a requirements file) is missing")
        lines.append(_inline(checkout, commit, str(Path(included).parent), body))
    return "\n".join(lines)


#: a ``pre_install`` step that only edits the project's metadata with sed (a dependency pinned, a
#: malformed requirement fixed); the harness then installs the project with its dependencies, so
#: these edits decide which versions it gets
_METADATA = r"(?:setup\.py|setup\.cfg|pyproject\.toml)"


_QUOTED = r"""(?:'[^'\n]*'|"[^"\n]*")"""


_METADATA_EDIT = re.compile(rf"^(?:grep -q {_QUOTED} {_METADATA} && )?sed -i {_QUOTED} {_METADATA}$")


def metadata_edits(spec: Spec) -> list[str]:
    """The spec's ``pre_install`` steps that are sed edits of setup.py, setup.cfg or pyproject.toml."""
    return [str(c).strip() for c in spec.get("pre_install", []) or [] if _METADATA_EDIT.match(str(c).strip())]


def build_requirements(checkout: Path, commit: str, edits: Sequence[str] = ()) -> list[str]:
    """The project's build backend at ``commit`` (``[build-system] requires``, read after
    ``edits``, ``metadata_edits``): sessions reinstall the project offline, with it."""
    return sorted(set(_read_metadata(checkout, commit, edits, pydeps.build_requirements)))


def build_backend(checkout: Path, commit: str, edits: Sequence[str] = ()) -> str:
    """The backend pip builds the project at ``commit`` with (``pydeps.build_backend``), read
    after ``edits``: the env build asks it what else the build needs."""
    return _read_metadata(checkout, commit, edits, lambda tree: [pydeps.build_backend(tree)])[0]


def _read_metadata(checkout: Path, commit: str, edits: Sequence[str], read: Callable[[Path], list[str]]) -> list[str]:
    """``read`` of the project's metadata files at ``commit``, after ``edits``."""
    with tempfile.TemporaryDirectory(prefix="rfsn-spec-") as tmp:
        for name in ("pyproject.toml", "setup.cfg", "setup.py"):
            text = _git_show(checkout, commit, name)
            if text is not None:
                Path(tmp, name).write_text(text, encoding="utf-8")
        for edit in edits:  # only sed on the metadata files (metadata_edits)
            subprocess.run(["bash", "-c", edit], cwd=tmp, capture_output=True, check=False, timeout=60)
        return read(Path(tmp))


def install_commit(checkout: Path, env_commit: str, base_commit: str) -> str:
    """The commit whose tree the env build installs the project from.

    The harness installs the project, with its dependencies, at the instance's own commit.
    rfsn does so at the env commit, shared by every instance of the version, unless the
    project's root-level metadata (setup.py, setup.cfg, pyproject.toml, requirements files)
    differ between the two: then at the base commit (the build's cached layers up to the
    install are shared all the same)."""
    if env_commit == base_commit:
        return env_commit
    done = hostgit.run(None, "-C", str(checkout), "diff", "--name-only", env_commit, base_commit)
    if done.returncode != 0:
        return base_commit
    return base_commit if root_metadata(done.stdout.splitlines()) else env_commit


def scm_version(checkout: Path, commit: str) -> str:
    """The release the nearest tag below ``commit`` names, as a PEP 440 version, or "".

    The env build installs the project from a copy of its tree without ``.git``; a project
    whose version comes from its tags (setuptools_scm) would fail to build there, so the build
    is given this version through setuptools_scm's documented override. Sessions reinstall
    the project from the full checkout, where the real version is computed."""
    done = hostgit.run(None, "-C", str(checkout), "describe", "--tags", "--abbrev=0", commit)
    tag = done.stdout.strip().removeprefix("v") if done.returncode == 0 else ""
    try:
        return str(Version(tag)) if tag else ""
    except InvalidVersion:
        return ""


def _git_show(checkout: Path, commit: str, path: str) -> str | None:
    done = hostgit.run(None, "-C", str(checkout), "show", f"{commit}:{path}")
    return done.stdout if done.returncode == 0 else None
