"""rfsn's exceptions. The CLI turns each into one line and an exit code.

    RfsnError                      anything rfsn reports to the user (exit 2)
    ├── ConfigError                bad settings, flags or input files
    ├── WorkspaceError             a repository that cannot be had (path, URL, ref)
    ├── BuildpackError             no buildpack fits, or one fails to describe the repo
    ├── SandboxError               the sandbox cannot be created or used
    │   ├── DockerUnavailable      no daemon answers
    │   ├── ImageError             an image cannot be found or built
    │   └── CommandTimeout         a command ran past its timeout and was killed
    ├── ApplyError                 a patch does not apply to the workspace
    └── OutputError                an output file cannot be written (disk full, permissions)
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
    pass


class CommandTimeout(SandboxError):
    def __init__(self, argv: list[str], timeout: float) -> None:
        super().__init__(f"command timed out after {timeout:g}s and was killed: {' '.join(argv)[:200]}")
        self.argv = argv
        self.timeout = timeout


class ApplyError(RfsnError):
    pass


class OutputError(RfsnError):
    pass
