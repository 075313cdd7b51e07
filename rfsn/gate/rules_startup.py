"""Start-up hooks: files that change what every later run does without touching a test.

A fix changes the code under test. A start-up hook changes the run itself: code
the interpreter or the test runner loads before any test, the configuration the
package manager obeys, the shell's start-up files. A planner that writes one can
make every test pass, or skip, without editing a test, so no phase may touch
one. Hooks come in classes; each class is a set of gitignore-like globs
(case-insensitive, a glob without ``/`` matches at any depth) plus, for files
that mix project metadata and runner configuration, the keys that are runner
configuration (the rest of the file stays editable).

Pure functions over paths and texts; the gate calls them on every edit.
"""

from __future__ import annotations

from typing import NamedTuple

from rfsn.gate.rules import Rule, Violation
from rfsn.gate.rules_paths import matches_any
from rfsn.inputs import json_value


class HookClass(NamedTuple):
    name: str
    why: str
    globs: tuple[str, ...]


#: the classes, in the order the gate checks them (docs/gate.md lists them the same way)
HOOK_CLASSES: tuple[HookClass, ...] = (
    HookClass(
        "interpreter start-up hook",
        "the interpreter loads it before any test runs",
        (
            # Python: site imports sitecustomize/usercustomize (module, package or
            # compiled) from anywhere on sys.path, and executes import lines of .pth files
            "sitecustomize.py",
            "sitecustomize.pyc",
            "sitecustomize.*.so",
            "sitecustomize/**",
            "usercustomize.py",
            "usercustomize.pyc",
            "usercustomize.*.so",
            "usercustomize/**",
            "*.pth",
            # Rust: build scripts run before the crate (and its tests) compile
            "build.rs",
            # Go: a workspace file redirects which modules the tests build against
            "go.work",
            "go.work.sum",
            ".config/go/**",
            # Java: JVM and Maven/Gradle start-up options and extensions
            ".mvn/**",
            ".gradle/**",
            "init.gradle",
            "init.gradle.kts",
            "*.init.gradle",
            "*.init.gradle.kts",
            "gradle.properties",
        ),
    ),
    HookClass(
        "test-runner configuration",
        "it decides which tests run and how their results are reported",
        (
            # jest, vitest, mocha, ava, karma, jasmine, nyc/c8 (which can --require hooks)
            "jest.config.*",
            "jest.setup.*",
            "jest.preset.*",
            "vitest.config.*",
            "vitest.workspace.*",
            "vitest.setup.*",
            ".mocharc",
            ".mocharc.*",
            "ava.config.*",
            "karma.conf.*",
            "jasmine.json",
            ".nycrc",
            ".nycrc.*",
            ".c8rc",
            ".c8rc.*",
            # cargo-nextest
            ".config/nextest.toml",
        ),
    ),
    HookClass(
        "package-manager configuration",
        "the package manager obeys it on every install and run (indexes, scripts, node options)",
        (
            "pip.conf",
            "pip.ini",
            ".pypirc",
            "uv.toml",
            "poetry.toml",
            "pdm.toml",
            ".pdm.toml",
            ".pdm-python",
            ".condarc",
            "condarc",
            ".npmrc",
            ".yarnrc",
            ".yarnrc.yml",
            ".pnpmfile.cjs",
            ".pnpmfile.js",
            "bunfig.toml",
            ".bowerrc",
            ".cargo/config",
            ".cargo/config.toml",
            "rust-toolchain",
            "rust-toolchain.toml",
            ".m2/**",
            "nuget.config",
            ".gemrc",
        ),
    ),
    HookClass(
        "shell start-up file",
        "a shell runs it when it starts",
        (
            ".bashrc",
            ".bash_profile",
            ".bash_login",
            ".bash_logout",
            ".profile",
            ".zshrc",
            ".zshenv",
            ".zprofile",
            ".zlogin",
            ".zlogout",
            ".cshrc",
            ".tcshrc",
            ".login",
            ".logout",
            ".kshrc",
            ".envrc",
            ".inputrc",
            ".config/fish/**",
        ),
    ),
)

#: package.json keys that configure test runners or run before/after the tests;
#: dependencies, version, exports and the other scripts stay editable
PACKAGE_JSON_RUNNER_KEYS = ("jest", "mocha", "ava", "c8", "nyc", "vitest", "node-options")
PACKAGE_JSON_RUNNER_SCRIPTS = ("test", "pretest", "posttest", "prepare", "preinstall", "install", "postinstall")


def _hook(path: str, what: HookClass) -> Violation:
    return Violation(Rule.PROTECTED_PATH, f"{path!r} is a {what.name} ({what.why}); fix the code under test instead")


def hook_class(path: str) -> HookClass | None:
    """The class of start-up hook ``path`` belongs to, if any."""
    for what in HOOK_CLASSES:
        if matches_any(path, what.globs):
            return what
    return None


def hook_path_violation(paths: list[str]) -> Violation | None:
    """Reject an edit that creates, changes, deletes or renames a start-up hook."""
    for path in paths:
        what = hook_class(path)
        if what is not None:
            return _hook(path, what)
    return None


def _runner_part(text: str | None) -> object:
    if not text:
        return None
    try:
        data = json_value(text, "package.json")
    except ValueError:
        return text  # unparsable: any change counts as a change of the runner part
    if not isinstance(data, dict):
        return data
    scripts = data.get("scripts")
    picked_scripts = {k: scripts.get(k) for k in PACKAGE_JSON_RUNNER_SCRIPTS} if isinstance(scripts, dict) else scripts
    return {"keys": {k: data.get(k) for k in PACKAGE_JSON_RUNNER_KEYS}, "scripts": picked_scripts}


def runner_config_violation(path: str, before: str | None, after: str | None) -> Violation | None:
    """Reject a change to the runner keys of a mixed file (package.json's jest/mocha/test scripts)."""
    if path.rsplit("/", 1)[-1].casefold() != "package.json":
        return None
    if _runner_part(before) == _runner_part(after):
        return None
    return Violation(
        Rule.PROTECTED_PATH,
        f"{path!r}: the test-runner keys of package.json "
        f"({', '.join(PACKAGE_JSON_RUNNER_KEYS)}, scripts "
        f"{'/'.join(PACKAGE_JSON_RUNNER_SCRIPTS)}) are runner configuration; "
        "fix the code under test instead",
    )
