"""What the environment's pytest (and coverage) has, and the options of rfsn's commands it takes.

rfsn's pytest command carries options of today's pytest; an environment of another date runs
the pytest of its date (2015-2016: no ``--continue-on-collection-errors``, no ``-o``), and a
plugin of its date may not load at all beside a pytest the project pins older than the plugin
wants (``Plugin 'timeout' could not be loaded``). The environment is asked once (``probe``):
pytest's version, the plugins rfsn's options speak to, which plugins cannot load, and the
Python; each option goes in only where the version has it (``SINCE``), a plugin that cannot
load is blocked (``-p no:NAME``) rather than stopping every run.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from rfsn.buildpacks.base import SandboxView, session_cache
from rfsn.errors import InputError
from rfsn.inputs import json_value
from rfsn.observability.logging import get_logger

Version = tuple[int, ...]
#: rfsn's pytest options (an ``-o`` ini name for those given as ``-o NAME=...``) -> the first
#: pytest release that has them
SINCE: dict[str, Version] = {
    "--continue-on-collection-errors": (3, 0),
    "-o": (3, 0),
    "junit_family": (4, 2),
    "cache_dir": (3, 2),
    "--rootdir": (3, 5),
}
#: pytest-cov's ``--cov-fail-under``: a threshold of 0 turns the project's own off
COV_FAIL_UNDER_SINCE: Version = (2, 0)
#: pytest rewrites asserts with Python 3.5's syntax tree since 2.7.3; an older one on 3.5 or
#: later fails every test module it rewrites (``Call constructor takes either 0 or 3
#: positional arguments``): its asserts stay plain
REWRITES_35_SINCE: Version = (2, 7, 3)
#: pytest 3.0 to 3.0.6 read ``python_files`` for the assertion rewriter before ``-o`` is parsed
#: and keep that value: a run of the whole suite collects by ``-o python_files`` with plain asserts
OVERRIDES_PYTHON_FILES_SINCE: Version = (3, 0, 7)
#: pytest-cov's ``--no-cov``: its own measurement off, where the project's addopts start one
NO_COV_SINCE: Version = (2, 4)
#: seconds a probe may take (a pytest start with the project's plugins)
PROBE_TIMEOUT = 120.0
#: plugins blocked at most, one probe each
MAX_BLOCKED = 5
#: prints the versions of pytest and of the plugins rfsn's options speak to (any Python)
VERSIONS = """
import json
def version(name):
    try:
        from importlib.metadata import version as found
        return found(name)
    except Exception:
        pass
    try:
        import pkg_resources
        return pkg_resources.get_distribution(name).version
    except Exception:
        return None
import sys
found = dict((n, version(n)) for n in ("pytest", "pytest-cov", "pytest-timeout", "coverage"))
found["python"] = "%d.%d.%d" % sys.version_info[:3]
print(json.dumps(found))
"""
log = get_logger(__name__)
_UNLOADABLE = re.compile(r"Plugin '([\w.-]+)' could not be loaded")


def parse_version(text: str | None) -> Version | None:
    """Pure: ``"3.0.7"`` -> (3, 0, 7); None for nothing or no leading number."""
    found = re.match(r"\d+(?:\.\d+)*", text or "")
    return tuple(int(p) for p in found[0].split(".")) if found else None


class PytestFeatures(BaseModel):
    """The environment's pytest: its version (None: not known, today's options), pytest-cov's,
    pytest-timeout's and coverage's (None: not installed), the plugins it cannot load, and the
    Python."""

    model_config = ConfigDict(frozen=True)

    version: Version | None = None
    python: Version | None = None
    cov: Version | None = None
    timeout: Version | None = None
    coverage: Version | None = None
    blocked: tuple[str, ...] = ()

    def has(self, option: str) -> bool:
        """Whether this pytest takes ``option`` (a key of ``SINCE``)."""
        return self.version is None or self.version >= SINCE[option]

    def adapted(self, options: Sequence[str], whole: bool = False) -> list[str]:
        """Pure: rfsn's pytest ``options`` without those this pytest lacks (an ``-o NAME=VALUE``
        pair goes with its option and its ini name, a ``--NAME=VALUE`` word with its name), with
        ``-p no:NAME`` for each plugin that cannot load, and pytest-cov's threshold off where it
        is there: a run of some tests is no measure of the suite's coverage. ``whole``: the run
        collects the suite (no test named)."""
        kept: list[str] = [word for name in self.blocked for word in ("-p", f"no:{name}")]
        words = list(options)
        while words:
            word = words.pop(0)
            if word == "-o" and words:
                value = words.pop(0)
                name = value.split("=", 1)[0]
                if self.has("-o") and (name not in SINCE or self.has(name)):
                    kept += [word, value]
            elif (name := word.split("=", 1)[0]) not in SINCE or self.has(name):
                kept.append(word)
        if self.cov is not None and self.cov >= COV_FAIL_UNDER_SINCE and "pytest_cov" not in self.blocked:
            kept.append("--cov-fail-under=0")
        stale = (
            whole
            and (3, 0) <= (self.version or (0,)) < OVERRIDES_PYTHON_FILES_SINCE
            and any(word.startswith("python_files=") for word in kept)
        )
        if stale or (self.version and self.version < REWRITES_35_SINCE and self.python and self.python >= (3, 5)):
            kept.append("--assert=plain")
        return kept

    def cache(self, report_dir: str) -> list[str]:
        """Pytest's cache kept, in the session's scratch beside ``report_dir``, outside the
        workspace (a plugin may read ``config.cache`` at its start); off before ``cache_dir``
        (3.2), where the cache is always ``.cache`` in the project's rootdir."""
        if self.has("cache_dir"):
            return ["-o", f"cache_dir={session_cache(report_dir, 'pytest')}"]
        return ["-p", "no:cacheprovider"]

    def unmeasured(self) -> list[str]:
        """Options turning off the coverage the project's own options start (pytest-cov's):
        beside rfsn's ``coverage run`` it takes the tracer, and rfsn's measures nothing."""
        usable = self.cov is not None and self.cov >= NO_COV_SINCE and "pytest_cov" not in self.blocked
        return ["--no-cov"] if usable else []


def features(versions: str, blocked: Sequence[str] = ()) -> PytestFeatures:
    """Pure: the features from ``VERSIONS``'s output (its last JSON line; none: not known)."""
    for line in reversed(versions.splitlines()):
        try:
            found = json_value(line)
        except InputError:
            continue
        if isinstance(found, dict):
            return PytestFeatures(
                version=parse_version(found.get("pytest")),
                python=parse_version(found.get("python")),
                cov=parse_version(found.get("pytest-cov")),
                timeout=parse_version(found.get("pytest-timeout")),
                coverage=parse_version(found.get("coverage")),
                blocked=tuple(blocked),
            )
    return PytestFeatures(blocked=tuple(blocked))


def unloadable(output: str) -> list[str]:
    """Pure: the plugins a pytest start's ``output`` says could not be loaded."""
    return list(dict.fromkeys(_UNLOADABLE.findall(output)))


def probe(sandbox: SandboxView) -> PytestFeatures:
    """Ask the sandbox's environment: the versions, then pytest's start (``--version`` loads
    every plugin), once more with each plugin that could not load blocked."""
    versions = sandbox.exec(["python", "-c", VERSIONS], timeout=PROBE_TIMEOUT).output
    blocked: list[str] = []
    while len(blocked) < MAX_BLOCKED:
        blocks = [word for name in blocked for word in ("-p", f"no:{name}")]
        started = sandbox.exec(["python", "-m", "pytest", *blocks, "--version"], timeout=PROBE_TIMEOUT)
        new = [name for name in unloadable(started.output) if name not in blocked]
        if not new:
            break
        blocked += new
    found = features(versions, blocked)
    log.info("pytest.probed", **found.model_dump())
    return found
