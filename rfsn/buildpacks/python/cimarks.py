"""The pytest marker expression CI's test runs select (``-m "not integration"``), read without running them.

A project marks the tests that need what CI's runner lacks (a Docker daemon, a service, the
network) and its CI deselects them; a whole-suite run here selects what CI runs. CI's test
commands are followed into the Makefile targets they run (``make test-unit``).
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from rfsn.buildpacks.python.ciinstalls import ci_commands, runs_tests

#: words before a command that only set how it runs: ``VAR=value``, ``uv run``, ``env``
_PREFIX = re.compile(r"^(?:[A-Za-z_]\w*=\S*|env|(?:uv|poetry|pdm|pipenv|hatch|rye)\s+run)\s+")
#: a pytest run's program words: ``pytest``, ``python -m pytest``, ``$(PYTHON) -m pytest``, ``coverage run -m pytest``
_PYTEST = re.compile(
    r"^(?:(?:python[\d.]*|\$\(\w+\)|\$\{\w+\})\s+-m\s+|coverage\s+run\s+(?:-m\s+)?)?(?:pytest|py\.test)\b"
)


def ci_marks(repo: Path) -> str | None:
    """The marker expression of the tests CI runs: each test command's ``-m`` (joined with ``or``
    where they differ), or None where one is no pytest run or selects no marker (it runs them all)."""
    expressions: list[str] = []
    for command in ci_commands(repo):
        for run in _resolved(bare(command), repo, 0):
            if not runs_tests(run) and not _PYTEST.match(run):
                continue
            expression = _mark_option(run) if _PYTEST.match(run) else None
            if expression is None:
                return None
            expressions.append(expression)
    distinct = list(dict.fromkeys(expressions))
    return None if not distinct else distinct[0] if len(distinct) == 1 else " or ".join(f"({e})" for e in distinct)


def bare(command: str) -> str:
    """A shell command without the words that only set how it runs (``VAR=1 uv run pytest``: ``pytest``)."""
    command = command.strip().lstrip("@-").strip()
    while (match := _PREFIX.match(command)) is not None:
        command = command[match.end() :]
    return command


def _resolved(command: str, repo: Path, depth: int) -> list[str]:
    """``command``, or the recipe lines of the Makefile targets it runs (``make test``), bare."""
    words = command.split()
    if words[:1] != ["make"] or depth > 3:
        return [command]
    targets = [w for w in words[1:] if not w.startswith("-") and "=" not in w] or ["all"]
    return [
        run for target in targets for line in _recipe(repo, target) for run in _resolved(bare(line), repo, depth + 1)
    ]


def _recipe(repo: Path, target: str) -> list[str]:
    """The recipe lines of ``target`` in the project's Makefile, its prerequisites' first."""
    top = repo.resolve()
    path = next(
        (
            repo / name
            for name in ("GNUmakefile", "makefile", "Makefile")
            if (repo / name).is_file() and (repo / name).resolve().is_relative_to(top)  # never a host file
        ),
        None,
    )
    if path is None:
        return [f"make {target}"]
    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    for i, line in enumerate(lines):
        head = re.match(rf"^{re.escape(target)}\s*:(?!=)([^#]*)", line)
        if head is None:
            continue
        body = [f"make {p}" for p in head.group(1).split()]
        for recipe in lines[i + 1 :]:
            if not recipe.startswith("\t"):
                break
            body.append(recipe.strip())
        return body
    return []


def _mark_option(command: str) -> str | None:
    """The ``-m`` expression of a pytest command; None where it has none or one of make's variables."""
    try:
        words = shlex.split(re.split(r"&&|\|\||[;|]", command)[0])
    except ValueError:
        return None
    start = next((i for i, w in enumerate(words) if w in ("pytest", "py.test")), None)
    if start is None:  # ``pytest-3``, ``pytest.exe``: a program of another name
        return None
    marks = [words[i + 1] for i in range(start + 1, len(words) - 1) if words[i] == "-m"]
    return marks[-1] if marks and "$" not in marks[-1] else None
