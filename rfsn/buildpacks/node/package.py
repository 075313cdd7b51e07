"""What a Node project's package.json says: its package manager and lockfile, its test runner,
the paths its ``node --test`` script names, and the steps that install its dependencies."""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path
from typing import Any, Literal

from rfsn.buildpacks.node.githosted import naming_git_failures
from rfsn.buildpacks.node.nodereleases import BUNDLED_NPM, DEBIAN_NODE, line, lock_pnpm
from rfsn.buildpacks.node.notests import runs_no_test
from rfsn.buildpacks.node.npmfetch import BEFORE_NPM, DATED_NPM_CLI, FETCH_DATED_NPM, FETCH_JS, OVERRIDES_NPM
from rfsn.buildpacks.node.runneroptions import VALUED
from rfsn.buildpacks.node.semver import parse
from rfsn.buildpacks.node.unpublished import locked_install
from rfsn.buildpacks.testfiles import is_test_module
from rfsn.errors import InputError
from rfsn.inputs import json_value, read_bounded

#: ``script``: the test script as a whole, by its exit code; ``plain``: each file it runs with ``node``
Runner = Literal["node", "jest", "mocha", "vitest", "ava", "tap", "tape", "plain", "script"]
Manager = Literal["npm", "yarn", "pnpm"]

LOCKFILES: dict[str, Manager] = {
    "pnpm-lock.yaml": "pnpm",
    "yarn.lock": "yarn",
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
}
DEP_KEYS = ("dependencies", "devDependencies", "optionalDependencies")


def read_package_json(repo: Path) -> dict[str, Any]:
    try:
        data = json_value(read_bounded(repo / "package.json"), "package.json")
    except InputError:
        return {}
    return data if isinstance(data, dict) else {}


def package_manager(repo: Path, package: dict[str, Any]) -> tuple[Manager, str | None]:
    """The manager and its lockfile: the ``packageManager`` field, else the lockfile present."""
    declared = str(package.get("packageManager", "")).partition("@")[0]
    for lockfile, manager in LOCKFILES.items():
        if (repo / lockfile).is_file() and declared in ("", manager):
            return manager, lockfile
    return (declared if declared in ("yarn", "pnpm") else "npm"), None  # type: ignore[return-value]


def has_dependencies(package: dict[str, Any]) -> bool:
    return any(package.get(key) for key in DEP_KEYS)


def says_node_test(package: dict[str, Any]) -> bool:
    """Whether the test script runs ``node --test``."""
    return bool(re.search(r"\bnode\b[^&|;]*--test\b", str((package.get("scripts") or {}).get("test", ""))))


#: ``npm run NAME``, ``pnpm [run] NAME``, ``yarn [run] NAME``, ``run-s``/``npm-run-all`` names: other scripts
_RUNS_SCRIPTS = re.compile(
    r"\b(?:npm run(?:-script)?|pnpm(?: run)?|yarn(?: run)?|run-s|run-p|npm-run-all)"
    r"((?:\s+(?:--?[\w-]+|[\w:.-]+|/[^/\s]+/))+)"
)


def _named(word: str, scripts: dict[str, Any]) -> list[str]:
    """The scripts a word names: itself, or each one a ``/regex/`` matches (``pnpm run /^test:/``)."""
    if len(word) > 2 and word.startswith("/") and word.endswith("/"):
        try:
            return [name for name in scripts if re.search(word[1:-1], name)]
        except re.error:
            return []
    return [word] if word in scripts else []


def full_test_script(package: dict[str, Any], name: str = "test", depth: int = 3) -> str:
    """The test script with the scripts it runs by name put in place (empty: it runs no test, ``notests``)."""
    scripts = package.get("scripts") or {}
    text = "" if runs_no_test(str(scripts.get(name, ""))) else str(scripts.get(name, ""))
    if depth <= 0:
        return text

    def expand(match: re.Match[str]) -> str:
        named = [n for w in match.group(1).split() if not w.startswith("-") for n in _named(w, scripts) if n != name]
        return " && ".join(full_test_script(package, w, depth - 1) for w in named) if named else match.group(0)

    return _RUNS_SCRIPTS.sub(expand, text)


#: runners whose report rfsn does not read: the test script runs as a whole (its exit code)
_UNREAD_RUNNER = re.compile(r"(?<![\w/-])(?:uvu|jasmine|lab|karma|qunit|zora|nodeunit|vows|mochify)(?![\w-])")


def plain_node_files(package: dict[str, Any], repo: Path) -> list[str]:
    """The files the test script runs with plain ``node`` (``node test/test``), as paths,
    when that is all it runs (a coverage wrapper aside): else another tool runs tests too (a
    ``bnt`` before ``node ./test/check-versions.js``), and ``node --test`` finds them itself."""
    for segment in re.split(r"&&|\|\||;", full_test_script(package)):
        words = [w for w in segment.split() if "=" not in w and w not in ("c8", "nyc")]
        if words and words[0] != "node":
            return []
    found = []
    for word in runner_paths(package, "node", repo):
        hits = [word + ext for ext in ("", ".js", ".cjs", ".mjs") if (repo / (word + ext)).is_file()]
        found += hits[:1]
    return found


def named_test_files(repo: Path) -> list[str]:
    """The files named as tests (``*.test.js``, ``*.spec.mjs``), for a test script whose tool rfsn
    does not know (a wrapper of ``node --test``): node's own discovery would also run every file
    under ``test/`` (benchmarks, demos, the helpers), which that tool did not."""
    found = []
    for folder, dirs, names in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if d != "node_modules" and not d.startswith("."))
        relative = Path(folder).relative_to(repo)
        found += [(relative / n).as_posix() for n in sorted(names) if re.search(r"\.(?:test|spec)\.[cm]?js$", n)]
    return found


def detect_runner(package: dict[str, Any]) -> Runner:
    """``node --test`` when the test script says so or names no runner; ``script`` when it names
    one whose report rfsn does not read."""
    script = full_test_script(package)
    if says_node_test(package):
        return "node"
    deps = {name for key in DEP_KEYS for name in (package.get(key) or {})}
    runners: tuple[Runner, ...] = ("vitest", "jest", "mocha", "ava", "tap", "tape")
    for runner in runners:
        if re.search(rf"(?<![\w/-]){runner}(?![\w-])", script) or runner in deps:
            return runner
    return "script" if _UNREAD_RUNNER.search(script) else "node"


def runner_paths(package: dict[str, Any], runner: str, repo: Path | None = None) -> list[str]:
    """The files and globs the test script gives ``runner`` (``tape 'test/**/*.js'``), in every
    place it runs it: its words that name a path (a ``/``, a ``.``, a ``*``, or one in ``repo``),
    flags, their values and numbers left out."""
    paths: dict[str, None] = {}
    for segment in re.split(r"&&|\|\||;|\|", full_test_script(package)):
        try:
            words = shlex.split(segment)
        except ValueError:
            continue
        bins = [i for i, w in enumerate(words) if w == runner or w.endswith(f"/.bin/{runner}")]
        for before, word in zip(words[bins[0] :], words[bins[0] + 1 :], strict=False) if bins else []:
            named = re.search(r"[/.*]", word) or (repo is not None and (repo / word).exists())
            valued = before in VALUED.get(runner, ())  # ``--require ./test/setup.js``, ``--config x.js``
            if named and not valued and not word.startswith("-") and not word.replace(".", "").isdigit():
                paths[word] = None
    return list(paths)


#: mocha's own places: the files that name its specs, and the folder it reads when given none
_MOCHA_CONFIGS = (
    ".mocharc.js",
    ".mocharc.cjs",
    ".mocharc.yaml",
    ".mocharc.yml",
    ".mocharc.json",
    ".mocharc.jsonc",
    "test/mocha.opts",
)
_MOCHA_DEFAULT, _MOCHA_EXTENSIONS = "test", (".js", ".cjs", ".mjs")


def convention_test_files(package: dict[str, Any], runner: str, repo: Path) -> list[str]:
    """For mocha given no path and no config whose default folder holds no test file (a test
    script that drives it from code), the project's test files by rfsn's conventions; files a
    script runs itself (``node test.js``) are drivers, not tests. Other runners: none."""
    if runner != "mocha" or "mocha" in package or any((repo / name).is_file() for name in _MOCHA_CONFIGS):
        return []
    default = repo / _MOCHA_DEFAULT
    if default.is_dir() and any(p.suffix in _MOCHA_EXTENSIONS for p in default.iterdir() if p.is_file()):
        return []
    scripts = " ".join(str(text) for text in (package.get("scripts") or {}).values())
    driven = {word.removeprefix("./") for word in re.findall(r"[\w./-]+", scripts)}
    found = []
    for folder, dirs, names in os.walk(repo):
        dirs[:] = sorted(d for d in dirs if d != "node_modules" and not d.startswith("."))
        relative = Path(folder).relative_to(repo)
        for name in sorted(names):
            path = (relative / name).as_posix()
            if Path(name).suffix in _MOCHA_EXTENSIONS and is_test_module(path) and path not in driven:
                found.append(path)
    return found


def node_test_args(package: dict[str, Any]) -> list[str]:
    """The paths a ``node --test ...`` test script names (its flags are left out)."""
    script = str((package.get("scripts") or {}).get("test", ""))
    match = re.search(r"\bnode\b([^&|;]*?)--test\b([^&|;]*)", script)
    if not match:
        return []
    try:
        words = shlex.split(match.group(2))
    except ValueError:
        return []
    return [w for w in words if not w.startswith("-")]


#: a no-op on the official image; on a bootstrapped Debian one, the npm Debian's Node line bundled,
#: one tarball from the registry (Debian's npm package brings ~400 others: minutes of a build)
IMAGE_NPM, _NPM_HOME = BUNDLED_NPM[line(DEBIAN_NODE)], "/usr/local/lib/node_modules/npm"
ENSURE_NPM = (
    f"command -v npm >/dev/null || (mkdir -p {_NPM_HOME} /tmp/rfsn-image-npm && cd /tmp/rfsn-image-npm"
    f" && /usr/bin/node -e {shlex.quote(FETCH_JS)} npm@{IMAGE_NPM}"
    f" && tar -xzf npm-{IMAGE_NPM}.tgz -C {_NPM_HOME} --strip-components=1"
    f" && ln -sf {_NPM_HOME}/bin/npm-cli.js /usr/local/bin/npm && ln -sf {_NPM_HOME}/bin/npx-cli.js /usr/local/bin/npx"
    " && cd / && rm -rf /tmp/rfsn-image-npm)"
)


def _without_scripts_if_needed(command: str) -> str:
    """``command``, and when it fails, again with the packages' install scripts off: a
    dependency whose script needs what the image lacks (a native fuzzer's cmake build, a
    binary download from a host the build cannot reach) should not cost the whole env.
    What needed a script then fails in the tests, where the baseline's groups show it."""
    return (
        f"{command} || (echo 'rfsn: the install failed; again without install scripts' >&2"
        f" && rm -rf node_modules && {command} --ignore-scripts)"
    )


#: off for a lock's install: a release-age policy (today's pnpm has ``minimumReleaseAge`` on by
#: default; yarn's ``npmMinimalAgeGate``) is for resolving new releases today, and refuses a lock of
#: the commit's day whose releases the registry's dates make look new
NO_AGE_GATE: dict[str, str] = {
    "pnpm": "env npm_config_minimum_release_age=0 pnpm_config_minimum_release_age=0 ",
    "yarn": "env YARN_NPM_MINIMAL_AGE_GATE=0 ",
}
#: an install that may update the lock (pnpm keeps it frozen in CI unless told)
_UNFROZEN = {"pnpm": " --no-frozen-lockfile", "yarn": ""}


def install_steps(
    manager: Manager,
    lockfile: str | None,
    package: dict[str, Any],
    npm: str | None = None,
    before: str = "",
    lock_text: str = "",
    substitute: str = "",
) -> list[str]:
    """Shell steps installing the dependencies into ``$RFSN_ENV/files/node_modules`` (``npm``: the
    version of the npm at hand, when known; ``npm ci`` came with 5.7). Without a lockfile, npm
    resolves the releases published ``before`` that day (YYYY-MM-DD; empty: today's), and an
    install that fails to fetch from a git host runs ``substitute`` (``enginepins.git_substitution``)
    and again (told whether the npm at hand reads ``overrides``)."""
    cd = "cd $RFSN_ENV/files"
    steps = [ENSURE_NPM]
    pinned = str(package.get("packageManager", ""))
    if manager == "npm":
        version = (0, 0, 0) if npm is None else parse(npm) or (0, 0, 0)
        ci = lockfile and (npm is None or version >= (5, 7, 0))
        command = "npm ci" if ci else ("npm install" if lockfile else "npm install --no-package-lock")
        dated = bool(before and not lockfile and npm is not None and version < BEFORE_NPM)
        if dated:
            steps.append(FETCH_DATED_NPM)
            command = command.replace("npm", DATED_NPM_CLI, 1)
        reads_overrides = npm is None or dated or version >= OVERRIDES_NPM
        reads = "1" if reads_overrides else "${RFSN_READS_OVERRIDES:-0}"  # set where the dated npm stands in
        substitute = "" if lockfile or not substitute else f"RFSN_OVERRIDES={reads} {substitute}"
        install = _without_scripts_if_needed(f"{command} --no-audit --no-fund")
        if before and not lockfile:
            install = (
                f"{command} --before={before} --no-audit --no-fund || (echo 'rfsn: no install as of {before}"
                f" (a range with no release the registry dates before it); again as the registry is today' >&2"
                f" && rm -rf node_modules && {install})"
            )
        install = naming_git_failures(install, package, not lockfile, lock_text, substitute)
        again = _without_scripts_if_needed("npm install --no-audit --no-fund")
        return [*steps, f"{cd} && {locked_install(install, again) if lockfile else install}"]
    era = lock_pnpm(lock_text) if manager == "pnpm" else manager  # today's pnpm refuses a lock before 9.0
    tool = pinned.partition("+")[0] if pinned.startswith(f"{manager}@") else era
    frozen = " --frozen-lockfile" if lockfile else ""
    install = naming_git_failures(
        _without_scripts_if_needed(f"{NO_AGE_GATE[manager]}{manager} install{frozen}"), package, lock_text=lock_text
    )
    again = _without_scripts_if_needed(f"{NO_AGE_GATE[manager]}{manager} install{_UNFROZEN[manager]}")
    return [
        *steps,
        f"npm install -g --no-audit --no-fund {shlex.quote(tool)}",
        f"{cd} && {locked_install(install, again) if lockfile else install}",
    ]
