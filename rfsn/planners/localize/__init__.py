"""Fault localization: per-test coverage, spectrum-based ranking, stack traces."""

from rfsn.planners.code.location import Location
from rfsn.planners.localize.sbfl import FORMULAS, dstar, ochiai, rank, tarantula
from rfsn.planners.localize.tracebacks import traceback_boosts, traceback_frames
from rfsn.planners.localize.values import written_values

__all__ = [
    "FORMULAS",
    "Location",
    "dstar",
    "ochiai",
    "rank",
    "tarantula",
    "traceback_boosts",
    "traceback_frames",
    "written_values",
]
