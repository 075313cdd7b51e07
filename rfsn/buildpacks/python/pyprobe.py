"""Probe runs of pytest: what one function evaluates to on each test (``ProbeCapable``).

The plan loads `probe_plugin.py` into the run, with the warm runner's ``hotswap.py`` beside it (the
one way a running process takes new code for a function), and reads back what it saw.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from pydantic import ValidationError

from rfsn.buildpacks.capabilities import CoveragePlan
from rfsn.buildpacks.wrapped import importable
from rfsn.inputs import json_value
from rfsn.models import Probe, Probed

#: the plugin's module name in the report directory (``-p``)
PROBE_MODULE = "rfsn_probe"
REPORT = "probe.json"
_HERE = Path(__file__).parent
PLUGIN = (_HERE / "probe_plugin.py").read_text(encoding="utf-8")
HOTSWAP = (_HERE / "warm" / "hotswap.py").read_text(encoding="utf-8")


def probe_plan(pytest_argv: Sequence[str], report_dir: str, probe: Probe) -> CoveragePlan:
    """The run of ``pytest_argv`` with the probe's plugin loaded, its report ``REPORT``."""
    return CoveragePlan(
        files={f"{PROBE_MODULE}.py": PLUGIN, "hotswap.py": HOTSWAP},
        commands=[
            [
                *importable(report_dir),
                f"RFSN_PROBE={probe.model_dump_json()}",
                f"RFSN_PROBE_OUT={report_dir}/{REPORT}",
                "python",
                "-m",
                "pytest",
                "-p",
                PROBE_MODULE,
                *pytest_argv,
            ]
        ],
    )


def read_probe(reports: dict[str, str]) -> Probed:
    """What the run's probe saw; an error saying so where it wrote nothing readable."""
    text = reports.get(REPORT)
    if text is None:
        return Probed(error="the probe wrote no report")
    try:
        return Probed.model_validate(json_value(text, REPORT))
    except (ValueError, ValidationError) as exc:  # InputError is a ValueError
        return Probed(error=f"the probe's report is unreadable: {str(exc)[:200]}")
