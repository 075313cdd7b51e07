"""Where the tests find the data that ships in the repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "benchmarks" / "devset"
