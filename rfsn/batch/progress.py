"""A rich progress bar with success / failure / error counts and an ETA; off a terminal, a
progress line every 20 seconds instead (``rfsn.observability.heartbeat``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from rfsn.batch.outcome import SUCCESS, Outcome, Status
from rfsn.observability.console import console as plain_console
from rfsn.observability.heartbeat import INTERVAL, Heartbeat, clock


class RunProgress:
    """Counts outcomes as they arrive; ``success`` / ``failure`` name the two verdicts."""

    def __init__(
        self,
        total: int,
        title: str,
        success: str,
        failure: str,
        done: Iterable[Outcome] = (),
        console: Console | None = None,
        interval: float = INTERVAL,
    ) -> None:
        self.counts: Counter[str] = Counter()
        self.total, self.title = total, title
        self.success, self.failure = success, failure
        self._progress = Progress(
            TextColumn(f"[bold]{title}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.fields[counts]}"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            console=console or plain_console(stderr=True),
            transient=False,
        )
        previous = list(done)
        for outcome in previous:
            self._count(outcome)
        self.completed = len(previous)
        self._task = self._progress.add_task(title, total=total, completed=len(previous), counts=self._text())
        self._heartbeat = Heartbeat("rfsn", self.line, self._progress.console, interval)

    def _count(self, outcome: Outcome) -> None:
        if outcome.status in SUCCESS:
            self.counts[self.success] += 1
        elif outcome.status == Status.ERROR:
            self.counts["error"] += 1
        elif outcome.status == Status.EMPTY_PATCH:
            self.counts["empty"] += 1
        else:
            self.counts[self.failure] += 1

    def _text(self) -> str:
        parts = [
            f"[green]{self.success} {self.counts[self.success]}[/]",
            f"[yellow]{self.failure} {self.counts[self.failure]}[/]",
            f"[red]error {self.counts['error']}[/]",
        ]
        if self.counts["empty"]:
            parts.append(f"empty {self.counts['empty']}")
        return " ".join(parts)

    def line(self, elapsed: float) -> str:
        """One progress line: phase (the run), step (instances done), elapsed, what is left."""
        left = self.total - self.completed
        counts = ", ".join(f"{name} {n}" for name, n in self.counts.items() if n) or "none yet"
        return (
            f"{self.title}: {self.completed}/{self.total} instances done ({counts}), "
            f"elapsed {clock(elapsed)}, {left} left"
        )

    def advance(self, outcome: Outcome) -> None:
        self.completed += 1
        self._count(outcome)
        self._progress.update(self._task, advance=1, counts=self._text())

    def __enter__(self) -> RunProgress:
        self._progress.start()
        self._heartbeat.__enter__()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._heartbeat.__exit__(exc_type, exc, tb)
        self._progress.stop()
