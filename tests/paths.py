"""Where the tests find the data that ships in the repository."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEVSET = ROOT / "benchmarks" / "devset"

#: a commit's dates for a repository a test builds and an image is made from: the same files make
#: the same commit on every run, so the content-addressed image is built once (the devset's dates)
COMMIT_DATES = {"GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00", "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00"}
