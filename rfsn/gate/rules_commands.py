"""Command rules: an argv list of a bare, allowed executable with inert arguments.

Every function here is pure: it looks at the argv and the policy only.
Shell metacharacters are rejected even though argv is never given to a shell,
so that no later component that joins or logs the command can be tricked.
"""

from __future__ import annotations

import re
import unicodedata

from rfsn.gate.policy import GatePolicy
from rfsn.gate.rules import Rule, Violation

_EXECUTABLE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]*$")
_METACHARACTERS = ("$(", "${", "`", ";", "&", "|", ">", "<", "\n", "\r", "\x00")
_ENV_ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")
_PYTHONS = re.compile(r"^(?:python|pypy)(?:\d+(?:\.\d+)?)?$")
_INLINE_CODE = {
    "node": (
        "-e",
        "--eval",
        "-p",
        "--print",
        "-r",
        "--require",
        "--import",
        "--inspect",
        "--inspect-brk",
        "--loader",
        "--experimental-loader",
    ),
}
_DANGEROUS_OPTIONS = (
    "--exec",
    "-exec",
    "-toolexec",
    "--config",
    "--upload-pack",
    "--receive-pack",
    "--ext-diff",
    "--textconv",
    "--output",
    "--open-files-in-pager",
    "--script-shell",
    "--rootdir",
    "--basetemp",
    "--confcutdir",
    "--override-ini",
    "--pyargs",
    "--registry",
    "-c",
    "--config-file",
    "--inifile",
    "--command",
)
_PYTHON_OPTIONS_WITH_VALUE = set("WX")


def _forbid(argv0: str, why: str) -> Violation:
    return Violation(Rule.FORBIDDEN_COMMAND, f"{argv0!r}: {why}")


def injection_violation(argv: tuple[str, ...], policy: GatePolicy) -> Violation | None:
    """Metacharacters, control and invisible characters, sizes."""
    if len(argv) > policy.max_args:
        return Violation(Rule.SHELL_INJECTION, f"more than {policy.max_args} arguments")
    for arg in argv:
        if len(arg) > policy.max_arg_length:
            return Violation(Rule.SHELL_INJECTION, f"an argument is longer than {policy.max_arg_length} characters")
        found = next((m for m in _METACHARACTERS if m in arg), None)
        if found is not None:
            return Violation(
                Rule.SHELL_INJECTION,
                f"argument {arg[:40]!r} contains shell metacharacter {found!r}; pass plain argv words",
            )
        if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in arg):
            return Violation(Rule.SHELL_INJECTION, f"argument {arg[:40]!r} has control or invisible characters")
    for arg in argv:
        if _ENV_ASSIGNMENT.match(arg):
            return Violation(Rule.SHELL_INJECTION, f"{arg[:40]!r}: environment assignments are not allowed")
    if "=" in argv[0]:
        return Violation(Rule.SHELL_INJECTION, f"{argv[0]!r}: environment assignments are not commands")
    return None


def _python_violation(argv: tuple[str, ...], policy: GatePolicy) -> Violation | None:
    i = 1
    while i < len(argv):
        arg = argv[i]
        short = arg.startswith("-") and not arg.startswith("--")
        if arg in ("-", "--command") or (short and "c" in re.split(r"[mWX]", arg[1:], maxsplit=1)[0]):
            return _forbid(argv[0], "inline code (-c, stdin) is not allowed; write a test instead")
        if arg.startswith("--") or not arg.startswith("-"):
            if arg.startswith("--"):
                i += 1
                continue
            return None  # a script: the repository's own code, like its tests
        flags = re.split(r"[WX]", arg[1:], maxsplit=1)[0]
        if "m" in flags:
            module = flags.split("m", 1)[1] or (argv[i + 1] if i + 1 < len(argv) else "")
            if module.split(".")[0] not in policy.python_modules:
                return _forbid(argv[0], f"'-m {module}' is not an allowed module {policy.python_modules}")
            if module == "pip":
                rest = argv[i + 2 :] if not flags.split("m", 1)[1] else argv[i + 1 :]
                return _subcommand_violation("pip", rest, policy)
            return None
        if arg[-1] in _PYTHON_OPTIONS_WITH_VALUE:
            i += 1
        i += 1
    return None


def _subcommand_violation(tool: str, rest: tuple[str, ...], policy: GatePolicy) -> Violation | None:
    allowed = policy.subcommands.get(tool)
    if allowed is None:
        return None
    if not rest or rest[0] not in allowed:
        sub = rest[0] if rest else "(none)"
        return _forbid(tool, f"subcommand {sub!r} is not allowed; allowed: {', '.join(allowed)}")
    return None


def _argument_violation(argv: tuple[str, ...]) -> Violation | None:
    for arg in argv[1:]:
        option = arg.split("=", 1)[0]
        if (
            option in _DANGEROUS_OPTIONS
            or option.startswith("--output")
            or (argv[0] in ("git", "pytest", "py.test") and option.startswith(("-O", "-c")))
        ):
            return _forbid(argv[0], f"option {option!r} can run programs or write files")
        for value in (arg, arg.split("=", 1)[-1]):
            if value.startswith(("/", "~")):
                return Violation(Rule.PATH_ESCAPE, f"argument {arg[:60]!r} is an absolute path; use a relative one")
            if ".." in re.split(r"[/\\:]", value):
                return Violation(Rule.PATH_ESCAPE, f"argument {arg[:60]!r} leaves the workspace ('..')")
    return None


def command_violation(argv: tuple[str, ...], buildpack: str, policy: GatePolicy) -> Violation | None:
    """Is this argv safe to run for this buildpack? The first failing rule wins."""
    found = injection_violation(argv, policy)
    if found:
        return found
    argv0 = argv[0]
    if "/" in argv0 or "\\" in argv0:
        return _forbid(argv0, "path-qualified executables are not allowed; name an allowed program")
    if not _EXECUTABLE.match(argv0):
        return _forbid(argv0, "not a plain program name")
    if argv0 in policy.denied_commands or argv0.casefold() in policy.denied_commands:
        return _forbid(argv0, "this program is on the deny list (network, privilege, shells, installers)")
    if argv0 not in policy.allowed_commands(buildpack):
        allowed = ", ".join(sorted(policy.allowed_commands(buildpack)))
        return _forbid(argv0, f"not allowed for buildpack {buildpack!r}; allowed: {allowed}")
    for tool, options in _INLINE_CODE.items():
        if argv0 == tool and any(a.split("=", 1)[0] in options for a in argv[1:]):
            return _forbid(argv0, "inline code and preloaded modules are not allowed")
    found = _python_violation(argv, policy) if _PYTHONS.match(argv0) else _subcommand_violation(argv0, argv[1:], policy)
    return found or _argument_violation(argv)
