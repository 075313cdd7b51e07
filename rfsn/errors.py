"""rfsn's exceptions. The CLI turns each into one line and an exit code (2: ``exit_code``).

    RfsnError
    ├── ConfigError (InputError, also a ValueError), WorkspaceError, BuildpackError, ApplyError, OutputError
    ├── SandboxError
    │   └── DockerUnavailable, ImageError, CommandTimeout, ServerGone (buildpacks.warm)
    ├── DiffError (also a ValueError)
    │   └── BinaryDiffError
    ├── ForgedApproval (also a TypeError), BudgetExhausted
    ├── LLMError
    │   └── ToolsUnsupported
    ├── InfraFailure, EnvUnavailable
    └── ReplyError (planners.patch.replies; also a ValueError)

Outside on purpose: ``Terminated`` (batch.executors, unwinds a worker on SIGTERM), ``NotSwappable``.
"""

from __future__ import annotations


class RfsnError(Exception):
    """Base of every error rfsn reports to its user."""

    exit_code = 2


class ConfigError(RfsnError):
    """Bad settings, flags, input files or plugins."""


class InputError(ConfigError, ValueError):
    """JSON or TOML that cannot be read, or passes rfsn's bounds: ``FILE:LINE: reason``."""


class WorkspaceError(RfsnError):
    """A repository that cannot be had (path, URL, ref)."""


class BuildpackError(RfsnError):
    """No buildpack fits, or one fails to describe the repository."""


class SandboxError(RfsnError):
    """The sandbox cannot be created or used."""


class DockerUnavailable(SandboxError):
    """No Docker daemon answers."""


class ImageError(SandboxError):
    """An image cannot be found or built."""

    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output  #: the build's own output, for a log file (the message is one line)
        #: what the environment was to be built from and why (the recipe's notes), for the report
        self.environment: tuple[str, ...] = ()


class CommandTimeout(SandboxError):
    """A command ran past its timeout and was killed."""

    def __init__(self, argv: list[str], timeout: float) -> None:
        super().__init__(f"command timed out after {timeout:g}s and was killed: {' '.join(argv)[:200]}")
        self.argv = argv
        self.timeout = timeout


class ApplyError(RfsnError):
    """A patch does not apply to the workspace."""


class DiffError(RfsnError, ValueError):
    """The text is not a unified diff that can be read unambiguously."""


class BinaryDiffError(DiffError):
    """A binary patch."""


class ForgedApproval(RfsnError, TypeError):
    """An Approved that the gate did not issue, or one that was altered afterwards."""


class BudgetExhausted(RfsnError):
    """Raised by the controller when a budget is spent; the session ends budget_exhausted."""


class InfraFailure(RfsnError):
    """A batch instance that could not be run; ``kind`` labels why (an ErrorKind value)."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


class LLMError(RfsnError):
    """A model server refused a request in a way no retry can fix."""


class ToolsUnsupported(LLMError):
    """A request with tools, refused by a server that takes none (it is asked again without)."""


class OutputError(RfsnError):
    """An output file cannot be written (disk full, permissions)."""


class EnvUnavailable(RfsnError):
    """The environment needs something this machine cannot provide (a SWE-bench spec it cannot
    honour, a Python no reachable source ships; the message says what)."""
