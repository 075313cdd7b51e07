"""rfsn's exceptions. The CLI turns each into one line and an exit code.

    RfsnError                      anything rfsn raises on purpose (exit 2 at the CLI)
    ├── ConfigError                bad settings, flags, input files or plugins
    ├── WorkspaceError             a repository that cannot be had (path, URL, ref)
    ├── BuildpackError             no buildpack fits, or one fails to describe the repo
    ├── SandboxError               the sandbox cannot be created or used
    │   ├── DockerUnavailable      no daemon answers
    │   ├── ImageError             an image cannot be found or built
    │   ├── CommandTimeout         a command ran past its timeout and was killed
    │   └── ServerGone             a warm test server stopped answering (buildpacks.warm)
    ├── ApplyError                 a patch does not apply to the workspace
    ├── DiffError                  text that is not a unified diff rfsn can read unambiguously
    │   └── BinaryDiffError        a binary patch
    ├── ForgedApproval             an approval the gate did not issue (also a TypeError)
    ├── BudgetExhausted            a session budget is spent (ends the session, not rfsn)
    ├── LLMError                   a model server refused a request (bad key, invalid request)
    │   └── ToolsUnsupported       ... because it has tools the server cannot take
    ├── InfraFailure               a batch instance failed for a reason outside its patch
    ├── EnvUnavailable             an environment rfsn cannot provide (a SWE-bench spec it
    │                              cannot honour, a Python no reachable source ships)
    ├── ReplyError                 a model reply with no usable edit (planners.replies;
    │                              also a ValueError)
    └── OutputError                an output file cannot be written (disk full, permissions)

Outside on purpose: ``Terminated`` (rfsn.batch.executors), a BaseException that unwinds a
worker on SIGTERM past every ``except Exception``; ``NotSwappable`` (buildpacks.python.warm.hotswap),
stdlib-only code inside the sandbox, caught there.
"""
from __future__ import annotations


class RfsnError(Exception):
    """Base of every error rfsn reports to its user."""

    exit_code = 2


class ConfigError(RfsnError):
    pass


class WorkspaceError(RfsnError):
    pass


class BuildpackError(RfsnError):
    pass


class SandboxError(RfsnError):
    pass


class DockerUnavailable(SandboxError):
    pass


class ImageError(SandboxError):
    def __init__(self, message: str, output: str = "") -> None:
        super().__init__(message)
        self.output = output  #: the end of the build's own output, for a log (the message is one line)


class CommandTimeout(SandboxError):
    def __init__(self, argv: list[str], timeout: float) -> None:
        super().__init__(f"command timed out after {timeout:g}s and was killed: {' '.join(argv)[:200]}")
        self.argv = argv
        self.timeout = timeout


class ApplyError(RfsnError):
    pass


class DiffError(RfsnError, ValueError):
    """The text is not a unified diff that can be read unambiguously."""


class BinaryDiffError(DiffError):
    pass


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
    pass


class EnvUnavailable(RfsnError):
    """The environment needs something this machine cannot provide (the message says what)."""
