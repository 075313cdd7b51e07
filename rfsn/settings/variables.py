"""Which ``RFSN_*`` environment variables rfsn knows, and which of those set it does not.

A misspelt variable (a letter left out of RFSN_SANDBOX) would otherwise change nothing without
a word; the CLI warns once per unknown name, naming the nearest known one.
"""

from __future__ import annotations

import difflib
import os

from pydantic import BaseModel

#: read outside the settings model: the config file's name, a run's name for container labels,
#: and what rfsn hands to its own processes in a sandbox
OTHER_VARIABLES = frozenset(
    {
        "RFSN_CONFIG",
        "RFSN_RUN",
        "RFSN_ENV",
        "RFSN_RESOLVE_INSTALLED",
        "RFSN_COVERAGE_ROOT",
        "RFSN_COVERAGE_RC",
        "RFSN_COVERAGE_JSON",
        "RFSN_SECONDS_LEFT",
        "RFSN_MAX_FAILURES",
        "RFSN_NODE_DISARMED",
        "RFSN_CCACHE_URL",
        "RFSN_FILES_LIST",
        "RFSN_JEST_TESTS",
        "RFSN_V8_TESTS",
        "RFSN_MOCHA_REPORT",
        "RFSN_PROBE",
        "RFSN_PROBE_OUT",
        "RFSN_NOTES",
        "RFSN_TEST_RECORD",
        "RFSN_GIT_UNREACHABLE",
        "RFSN_OVERRIDES",
        "RFSN_READS_OVERRIDES",
        "RFSN_UNFETCHED",
    }
)
#: read by rfsn's own test suite and benchmarks (its opt-in markers, CI's switches), which set
#: them for the rfsn processes they start
SUITE_VARIABLES = frozenset(
    {
        "RFSN_REQUIRE_DOCKER",
        "RFSN_REAL_MODEL",
        "RFSN_SWEBENCH_REAL",
        "RFSN_RAY_CLUSTER",
        "RFSN_STOCK_DEBIAN",
        "RFSN_SWEEP",
        "RFSN_FRESH_IMAGES",
        "RFSN_LLAMA_PYTHON",
        "RFSN_SWEBENCH_DATASET",
        "RFSN_SWEBENCH_IDS",
        "RFSN_SWEBENCH_CEILING_IDS",
        "RFSN_SWEBENCH_REPOS",
    }
)


def known_variables(model: type[BaseModel], prefix: str = "RFSN_", nested: str = "__") -> frozenset[str]:
    """Every variable that sets a field of ``model`` (a table as a whole, or one of its fields)."""
    names = set(OTHER_VARIABLES | SUITE_VARIABLES)
    for name, field in model.model_fields.items():
        names.add(f"{prefix}{name.upper()}")
        if isinstance(field.annotation, type) and issubclass(field.annotation, BaseModel):
            names |= known_variables(field.annotation, f"{prefix}{name.upper()}{nested}", nested)
    return frozenset(names)


def unknown_variables(model: type[BaseModel]) -> list[tuple[str, str | None]]:
    """``(name, nearest known name or None)`` of each ``RFSN_*`` variable set that rfsn does not read."""
    known = known_variables(model)
    unknown = sorted(name for name in os.environ if name.upper().startswith("RFSN_") and name.upper() not in known)
    return [(name, _nearest(name.upper(), known)) for name in unknown]


def _nearest(name: str, known: frozenset[str]) -> str | None:
    """The known name whose part after ``RFSN_`` is closest to ``name``'s, if any is close."""
    found = difflib.get_close_matches(name[5:], [k[5:] for k in known], n=1, cutoff=0.6)
    return f"RFSN_{found[0]}" if found else None
