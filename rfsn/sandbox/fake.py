"""FakeSandbox: a Sandbox test double that runs nothing and answers from a script.

Replies are keyed by argv prefix (the longest matching prefix wins; of a command that
`rfsn.buildpacks.wrapped.importable` wraps, the prefix of the program it runs); a list
of replies is consumed in order and its last reply repeats. A reply may put
report files into the scratch directory (e.g. pytest's junit.xml) for the
buildpack to parse. Every call is recorded in ``calls``. The fake writes
nothing outside its own scratch directory, which ``close`` removes::

    box = FakeSandbox(repo, {("python", "-m", "pytest"): Reply(1, files={"junit.xml": xml})})
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rfsn.buildpacks.wrapped import unwrapped
from rfsn.models import ExecResult
from rfsn.sandbox.base import scratch_dir


@dataclass(frozen=True)
class Reply:
    """What one scripted command returns, and the files it leaves in the scratch directory."""

    exit_code: int = 0
    output: str = ""
    files: Mapping[str, str] = field(default_factory=dict)
    timed_out: bool = False


class FakeSandbox:
    kind = "fake"
    setup_failure: str | None = None
    setup_seconds: float = 0.0
    environment: tuple[str, ...] = ()

    def __init__(
        self, workspace: Path, script: Mapping[tuple[str, ...], Reply | Sequence[Reply]] | None = None
    ) -> None:
        self.workspace = workspace
        self.workdir = str(workspace)
        self.scratch = scratch_dir(self, "rfsn-fake-")
        self.scratch_path = str(self.scratch)
        self.run_tmp = str(self.scratch / "run-tmp")
        self._script = {prefix: [r] if isinstance(r, Reply) else list(r) for prefix, r in (script or {}).items()}
        self.calls: list[list[str]] = []

    def exec(
        self, argv: Sequence[str], *, timeout: float, env: Mapping[str, str] | None = None, own_tmp: bool = False
    ) -> ExecResult:
        self.calls.append(list(argv))
        wrapped = unwrapped(argv)  # a program run with a plugin's directory first: its own argv
        program = argv if wrapped is None else wrapped[2]
        matches = [p for p in self._script if tuple(program[: len(p)]) == p]
        if not matches:
            return ExecResult(
                argv=list(argv),
                exit_code=127,
                duration=0.0,
                output=f"fake sandbox: no reply scripted for {list(argv)[:3]}",
            )
        replies = self._script[max(matches, key=len)]
        reply = replies.pop(0) if len(replies) > 1 else replies[0]
        reports = self._report_dir(argv)
        for name, text in reply.files.items():
            target = (reports / name).resolve()
            if self.scratch.resolve() not in target.parents:
                raise ValueError(f"a scripted file must stay in the scratch directory: {name!r}")
            target.write_text(text, encoding="utf-8")
        return ExecResult(
            argv=list(argv), exit_code=reply.exit_code, output=reply.output, duration=0.0, timed_out=reply.timed_out
        )

    def _report_dir(self, argv: Sequence[str]) -> Path:
        """Where the command was told to write its reports (a directory under scratch)."""
        named = re.compile(re.escape(self.scratch_path) + r"/([0-9a-f]{24})\b")
        for arg in argv:
            if match := named.search(arg):
                return self.scratch / match.group(1)
        return self.scratch

    def share(self) -> None:
        """Commands run as the workspace's owner: nothing to share."""

    def close(self) -> None:
        shutil.rmtree(self.scratch, ignore_errors=True)
