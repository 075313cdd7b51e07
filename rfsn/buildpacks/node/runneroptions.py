"""The options a test script gives mocha or jest that decide how its tests run (mocha's
``--timeout 90000``, ``--exit``, ``--require``, ``--ui``; jest's ``--config``, ``--testTimeout``):
rfsn runs the runner itself, with its own report and the script's paths, and without them a hook
the project gives 90 s has mocha's 2 s, a run whose handles stay open never ends, and jest reads
no config (no transform: ``SyntaxError``). Left out: what reports, selects, watches, stops early,
measures coverage or (mocha) runs in parallel (rfsn's reporter reads one process's events)."""

from __future__ import annotations

import re
import shlex

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
}


def _runs(word: str, runner: str) -> bool:
    bins = (runner, "_mocha") if runner == "mocha" else (runner,)
    return word in bins or any(word.endswith(f"/.bin/{b}") or word.endswith(f"/bin/{b}") for b in bins)


def runner_options(script: str, runner: str) -> list[str]:
    """The options (with their values) the ``script`` gives ``runner`` (mocha, jest) where it runs
    it, each once, in the script's order, but those rfsn sets or that change what runs."""
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
            name = word.split("=", 1)[0]
            if not word.startswith("-") or word == "--" or name in kept or name in dropped:
                continue
            takes = name in valued and "=" not in word and i + 1 < len(rest)
            kept[name] = [word, rest[i + 1]] if takes else [word]
    return [word for option in kept.values() for word in option]
