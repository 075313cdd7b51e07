"""The date a plain repository's environment is resolved as of: its commit's, by default.

The commit is the newest of HEAD's history that rfsn did not make (a snapshot of a dirty tree,
an applied test patch); its committer date, in UTC, is the day its packages come from: the
build's index serves what PyPI had before the end of that day (``rfsn.sandbox.asof``). A day
still to come filters nothing, so a commit of today resolves as PyPI is now.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rfsn import hostgit
from rfsn.hostgit import EMAIL as RFSN_COMMITTER


def commit_date(repo: Path) -> tuple[str, date] | None:
    """(commit, its committer date in UTC) of the newest commit of HEAD not rfsn's, or None."""
    done = hostgit.run(None, "-C", str(repo), "log", "-20", "--format=%ce %H %cI", "HEAD")
    for line in done.stdout.splitlines() if done.returncode == 0 else []:
        email, commit, when = line.rsplit(" ", 2)
        if email != RFSN_COMMITTER:
            return commit, datetime.fromisoformat(when).astimezone(UTC).date()
    return None


def as_of(repo: Path, setting: str) -> tuple[date | None, str]:
    """(the day, None for today; why) for ``setting``: 'commit', 'today' or YYYY-MM-DD."""
    if setting == "today":
        return None, "as PyPI is today (--as-of today)"
    if setting != "commit":
        return date.fromisoformat(setting), f"as of {setting} (--as-of)"
    found = commit_date(repo)
    if found is None:
        return None, "as PyPI is today (no commit to date it by)"
    commit, day = found
    return day, f"as of {day}, the date of the commit {commit[:12]}"


def index_date(day: date | None) -> str:
    """The recipe's ``index_date``: the end of ``day``; empty when that is still to come."""
    if day is None:
        return ""
    end = day + timedelta(days=1)
    return end.isoformat() if end <= datetime.now(UTC).date() else ""
