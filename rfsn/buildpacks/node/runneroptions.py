"""The options a test script gives its runner that decide how its tests run (mocha's
``--timeout 90000``, ``--exit``, ``--require``, ``--ui``; jest's and vitest's ``--config``,
``--testTimeout``; node-tap's ``--timeout=240``, ``--node-arg``; ava's ``--serial``, ``--timeout``;
tape's ``-r``): rfsn runs the runner itself, with its own report and the script's paths, and
without them a hook the project gives 90 s has mocha's 2 s, a run whose handles stay open never
ends, and jest reads no config (no transform: ``SyntaxError``). Left out: what reports, selects by
name, watches, stops early, measures coverage or (mocha, node-tap) runs in parallel (rfsn's
reporter reads one process's events). A short option's value may be joined to it (``-Rspec``).
The variables it sets for the runner reach it too, and the colours of its CI's terminal."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

#: each runner's options that take a value (of every major version), short and long
VALUED: dict[str, frozenset[str]] = {
    "mocha": frozenset(
        {
            *("-R", "--reporter", "-O", "--reporter-option", "--reporter-options", "-u", "--ui"),
            *("-g", "--grep", "-f", "--fgrep", "-t", "--timeout", "--timeouts", "-s", "--slow"),
            *("-r", "--require", "--compilers", "--globals", "--retries", "--file", "--extension"),
            *("--spec", "--ignore", "--exclude", "--config", "--package", "--opts", "-j", "--jobs"),
            *("--watch-files", "--watch-ignore", "-n", "--node-option"),
        }
    ),
    "jest": frozenset(
        {
            *("-c", "--config", "--rootDir", "--roots", "--testTimeout", "-w", "--maxWorkers"),
            *("--testMatch", "--testRegex", "--testPathIgnorePatterns", "--testPathPattern", "--env"),
            *("--testEnvironment", "--setupFiles", "--setupFilesAfterEnv", "--selectProjects"),
            *("--projects", "--shard", "--seed", "--reporters", "--outputFile", "--coverageDirectory"),
            *("-t", "--testNamePattern", "--changedSince", "--cacheDirectory", "--collectCoverageFrom"),
            *("--coverageProvider", "--coverageReporters", "--globalSetup", "--globalTeardown"),
            *("--testRunner", "--testSequencer", "--maxConcurrency", "--moduleNameMapper", "--transform"),
        }
    ),
    "vitest": frozenset(
        {
            *("-c", "--config", "-r", "--root", "--dir", "--environment", "--pool", "--testTimeout"),
            *("--hookTimeout", "--teardownTimeout", "--reporter", "--outputFile", "-t", "--testNamePattern"),
            *("--project", "--shard", "--mode", "--maxWorkers", "--minWorkers", "--exclude", "--retry"),
            *("--bail", "--sequence.seed", "--coverage.provider", "--coverage.reporter"),
        }
    ),
    "tap": frozenset(
        {
            *("-R", "--reporter", "-j", "--jobs", "-t", "--timeout", "-o", "--output-file", "--output-dir"),
            *("--node-arg", "--test-arg", "--nyc-arg", "--test-regex", "--test-ignore", "--files", "-g"),
            *("--grep", "--coverage-report", "--branches", "--lines", "--functions", "--statements"),
            *("--before", "--after", "--test-env", "--save", "-s"),
        }
    ),
    "ava": frozenset(
        {
            *("-m", "--match", "-T", "--timeout", "-c", "--concurrency", "-r", "--require"),
            *("--node-arguments", "--config", "-S", "--source", "--reporter"),
        }
    ),
    "tape": frozenset({"-r", "--require", "-i", "--ignore"}),
}
#: options rfsn gives the runner itself, or that change which tests run, how they report or where
_NOT_KEPT: dict[str, frozenset[str]] = {
    "mocha": frozenset(
        {
            *("-R", "--reporter", "-O", "--reporter-option", "--reporter-options", "-g", "--grep"),
            *("-f", "--fgrep", "-i", "--invert", "-w", "--watch", "--watch-files", "--watch-ignore"),
            *("-b", "--bail", "-p", "--parallel", "-j", "--jobs", "--forbid-only", "--forbid-pending"),
        }
    ),
    "jest": frozenset(
        {
            *("--json", "--outputFile", "--ci", "-t", "--testNamePattern", "--testPathPattern"),
            *("--watch", "--watchAll", "-b", "--bail", "--runTestsByPath", "--findRelatedTests"),
            *("-o", "--onlyChanged", "--changedSince", "--listTests", "--cacheDirectory", "--shard"),
            *("--reporters", "--coverage", "--collectCoverage", "--coverageDirectory"),
            *("--coverageReporters", "--collectCoverageFrom", "--coverageProvider", "--coverageThreshold"),
        }
    ),
    "vitest": frozenset(
        {
            *("--run", "--reporter", "--outputFile", "-t", "--testNamePattern", "-w", "--watch", "--ui"),
            *("--open", "-u", "--update", "--coverage", "--bail", "--changed", "--related", "--shard"),
        }
    ),
    "tap": frozenset(
        {
            *("-R", "--reporter", "-o", "--output-file", "--output-dir", "--coverage-report", "--cov"),
            *("--coverage", "--100", "--check-coverage", "--branches", "--lines", "--functions"),
            *("--statements", "--nyc-arg", "-g", "--grep", "-O", "--only", "--test-regex", "--files"),
            *("--test-ignore", "-n", "--changed", "-s", "--save", "-b", "--bail", "-w", "--watch"),
            *("-j", "--jobs", "-J", "--jobs-auto"),
        }
    ),
    "ava": frozenset(
        {
            *("-t", "--tap", "-v", "--verbose", "--reporter", "-m", "--match", "--fail-fast", "-w"),
            *("--watch", "-u", "--update-snapshots", "--color", "--no-color"),
        }
    ),
}


def _runs(word: str, runner: str) -> bool:
    bins = (runner, "_mocha") if runner == "mocha" else (runner,)
    return word in bins or any(word.endswith(f"/.bin/{b}") or word.endswith(f"/bin/{b}") for b in bins)


def _name(word: str, valued: frozenset[str]) -> tuple[str, bool]:
    """The option ``word`` names, and whether its value is in it (``--timeout=240``, ``-Rspec``)."""
    if "=" in word:
        return word.split("=", 1)[0], True
    joined = not word.startswith("--") and len(word) > 2 and word[:2] in valued
    return (word[:2], True) if joined else (word, False)


def _dropped(name: str, dropped: frozenset[str]) -> bool:
    """An option left out, or one of a left-out group's (vitest's ``--coverage.enabled``)."""
    return name in dropped or name.split(".", 1)[0] in dropped


def runner_options(script: str, runner: str) -> list[str]:
    """The options (with their values) the ``script`` gives ``runner`` (mocha, jest, vitest, tap,
    ava, tape) where it runs it, each once, in the script's order, but those rfsn sets or that
    change what runs."""
    kept: dict[str, list[str]] = {}
    valued, dropped = VALUED.get(runner, frozenset()), _NOT_KEPT.get(runner, frozenset())
    for segment in re.split(r"&&|\|\||;|\|", script if runner in VALUED else ""):
        try:
            words = shlex.split(segment)
        except ValueError:
            continue
        at = next((i for i, w in enumerate(words) if _runs(w, runner)), len(words))
        rest = words[at + 1 :]
        for i, word in enumerate(rest):
            name, inside = _name(word, valued)
            if not word.startswith("-") or word == "--" or name in kept or _dropped(name, dropped):
                continue
            takes = name in valued and not inside and i + 1 < len(rest)
            kept[name] = [word, rest[i + 1]] if takes else [word]
    return [word for option in kept.values() for word in option]


#: a variable's assignment a script gives its command (``BABEL_ENV=test``)
_ASSIGNMENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")


def runner_env(script: str, runner: str) -> list[str]:
    """The variables (``NAME=value``) the ``script`` sets where it runs ``runner``: the assignments
    before it, bare or through ``cross-env``/``env`` (``cross-env BABEL_ENV=test mocha``: without
    it babel reads no preset of the config's ``env.test``), each once, the first place's value."""
    found: dict[str, str] = {}
    for segment in re.split(r"&&|\|\||;|\|", script):
        try:
            words = shlex.split(segment)
        except ValueError:
            continue
        at = next((i for i, w in enumerate(words) if _runs(w, runner)), None)
        for word in words[:at] if at is not None else []:
            if _ASSIGNMENT.match(word):
                found.setdefault(word.split("=", 1)[0], word)
    return list(found.values())


def terminal_env(repo: Path) -> list[str]:
    """The colours of the terminal the project's CI ran its tests on: Travis CI runs a job's
    commands on a pseudo-terminal, where colour detection (``supports-color``, which chalk and
    most Node tools use) gives the basic colours, and a suite written there expects them (an
    expected ``\\u001B[31m``); rfsn's runs have no terminal. ``FORCE_COLOR=1`` where Travis CI is
    the only CI (GitHub Actions gives no terminal)."""
    workflows = repo / ".github" / "workflows"
    travis = (repo / ".travis.yml").is_file() and not any(workflows.glob("*.y*ml"))
    return ["FORCE_COLOR=1"] if travis else []
