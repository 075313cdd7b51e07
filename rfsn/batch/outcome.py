"""One row per instance of a batch or an evaluation: what happened, how long it took.

Rows are appended to ``results.jsonl`` next to the run's other outputs and
read back by the progress display and by ``rfsn report``.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, Field

from rfsn.errors import (
    DockerUnavailable,
    EnvUnavailable,
    ImageError,
    InfraFailure,
    SandboxError,
    WorkspaceError,
)


class Status(StrEnum):
    # evaluation
    RESOLVED = "resolved"
    UNRESOLVED = "unresolved"
    EMPTY_PATCH = "empty_patch"
    # inference (the session's own verdicts)
    FIXED = "fixed"
    NOT_FIXED = "not_fixed"
    # both
    ERROR = "error"


#: statuses counted as a success in progress bars and reports
SUCCESS = frozenset({Status.RESOLVED, Status.FIXED})


class ErrorKind(StrEnum):
    """Why an instance could not be run: infrastructure, not the patch."""

    REPO = "repo"  # the repository or base commit cannot be had
    TEST_PATCH = "test_patch"  # the instance's test_patch does not apply
    IMAGE = "image_build"  # an environment image cannot be built
    DAEMON = "daemon"  # Docker does not answer
    SANDBOX = "sandbox"  # a container cannot be started or used
    TIMEOUT = "timeout"  # the tests (or the session) ran out of time
    WORKER = "worker"  # the worker process died or raised
    REPAIR = "repair"  # the repair session failed
    ENV = "env"  # the environment cannot run the tests (a broken baseline)
    FLAKY = "flaky"  # the instance's tests at base change from run to run


class Outcome(BaseModel):
    instance_id: str
    status: Status
    error_kind: ErrorKind | None = None
    message: str = ""
    duration: float = Field(default=0.0, description="wall seconds for the instance")
    phases: dict[str, float] = Field(default_factory=dict, description="phase -> seconds")
    patch_lines: int = Field(default=0, description="changed lines (+/-) in the patch")
    link: str = Field(default="", description="path of the trajectory or logs, relative to the run")
    llm_calls: int = Field(default=0, description="model calls of the session")
    input_tokens: int = 0
    output_tokens: int = 0
    cost: float = Field(default=0.0, description="USD for model calls")
    graded_by: str = Field(default="", description="what read the test statuses of an evaluation")
    caveat: str = Field(
        default="",
        description="what rfsn would blame on the environment while the harness grades it (its verdict is kept)",
    )


def patch_size(patch: str | None) -> int:
    """Added plus removed lines of a unified diff."""
    if not patch:
        return 0
    return sum(1 for line in patch.splitlines() if line[:1] in "+-" and not line.startswith(("+++ ", "--- ")))


def classify(exc: BaseException) -> ErrorKind:
    """The kind of infrastructure failure ``exc`` is (a worker's own bug when none fits)."""
    if isinstance(exc, InfraFailure):
        return ErrorKind(exc.kind)
    if isinstance(exc, EnvUnavailable):
        return ErrorKind.ENV
    if isinstance(exc, DockerUnavailable):
        return ErrorKind.DAEMON
    if isinstance(exc, ImageError):
        return ErrorKind.IMAGE
    if isinstance(exc, SandboxError):
        return ErrorKind.SANDBOX
    if isinstance(exc, WorkspaceError):
        return ErrorKind.REPO
    return ErrorKind.WORKER
