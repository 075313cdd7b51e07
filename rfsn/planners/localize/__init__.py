"""Fault localization: per-test coverage, spectrum-based ranking, stack traces."""

from rfsn.planners.localize.coverage_map import (
    COVERAGE_RC,
    ContextMatcher,
    coverage_command,
    coverage_env,
    coverage_json_command,
    per_test_coverage,
)
from rfsn.planners.localize.location import Location
from rfsn.planners.localize.sbfl import FORMULAS, dstar, ochiai, rank, tarantula
from rfsn.planners.localize.tracebacks import traceback_boosts, traceback_frames

__all__ = [
    "COVERAGE_RC",
    "FORMULAS",
    "ContextMatcher",
    "Location",
    "coverage_command",
    "coverage_env",
    "coverage_json_command",
    "dstar",
    "ochiai",
    "per_test_coverage",
    "rank",
    "tarantula",
    "traceback_boosts",
    "traceback_frames",
]
