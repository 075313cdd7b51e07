"""Why an environment step failed, from its output: a pure reading of a build or setup log.

A failed step is named by the first line that says what went wrong (the import that failed,
the requirement pip could not satisfy, the compiler's error), never by the frame around it:
pip's closing hints ("note: This error originates from a subprocess", "ERROR: Failed building
wheel"), its error codes (``error: subprocess-exited-with-error``), the headers it marks with a
cross, warnings, or the source lines of a traceback (its exception line is the cause). A line
the step's own script printed after ``STEP_CAUSE`` says it best. A line a tool's report points
at (``╰─▶ Tarball server returned HTTP 404 for ...``, pnpm's box under a bare error code) is a
cause, with the lines it wraps onto.
"""

from __future__ import annotations

import re
import shlex

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_BOX = re.compile(r"^[\s│╰├─>▶]+")
#: the arrow of a box that points at the cause (pnpm's ``╰─▶``)
_POINTER = "▶"
#: what frames a failure, never its cause
_FRAME = re.compile(
    r"^(?:error: [a-z-]+$|Error: ERR_[A-Z0-9_]+$|\u00d7 |note: |hint: |WARNING: |DEPRECATION: |\[notice\]|exit code: |"
    r"\[\d+ lines of output\]|\[end of output\]|See above for|"
    r"ERROR: (?:Failed (?:building|to build)|Could not build wheels|Command errored out|"
    r"Ignored the following|Could not find a version that satisfies|ResolutionImpossible)|"
    r"Failed to build |Complete output|-{10,}|[\w./-]*\.log$|Removing intermediate container|"
    # Docker's own lines around a step's output: the step's command (it may hold words of pip's
    # errors, as a pattern it greps for) and the container it runs in; pip's echo of a command
    r"Step \d+/\d+ : |RUN |-+> |command: |cwd: |"
    # npm's own frame (``npm ERR!``, from npm 9 ``npm error``): the system, its command line,
    # versions, codes, where to report and its log
    r"npm (?:ERR!|error)\s*(?:Linux |Darwin |Windows_NT |argv |node v|npm  v|cwd |path |command |code |errno |syscall |"
    r"If you need help|Please include|A complete log|\s*<?https?://|\s*/\S+\.log$|$)|"
    # a line of npm's install tree (``└─┬ error-ex@1.3.4``): a package it installed
    r"[\u2500-\u257f\s]*(?:@[\w.-]+/)?[\w.-]+@[\w.+-]+(?: deduped)?$)",
    re.I,
)
#: a line that says what went wrong
_CAUSE = re.compile(
    r"(?:^|[\s:])(?:fatal )?error\b(?![-@])|^ERR!|^npm ERR!|"
    r"^(?:[\w.]+\.)?[A-Z]\w*(?:Error|Exception|NotFound|Conflict)\b|"
    r"\bnot found$|No such file or directory",
    re.I,
)
_TRACEBACK = "Traceback (most recent call last)"
#: pip's line under a failed command's header where the command printed nothing
_SILENT = "No available output."
MAX_CHARS = 300
#: how a step's own script starts the line that says why it failed: that line is the cause
STEP_CAUSE = "rfsn: cause: "
#: a step's own line that says it tries again: what failed before it is not why the step failed
_TRIES_AGAIN = re.compile(r"^rfsn: .*\bagain\b")


def _lines(output: str) -> tuple[list[tuple[int, str]], set[str]]:
    """(indent, text) of each non-empty line, colours and box drawing stripped, and the lines a
    box points at (each joined with the deeper indented lines it wraps onto)."""
    found: list[tuple[int, str]] = []
    pointed: set[str] = set()
    at: int | None = None  # the indent of the pointer whose wrapped lines follow
    for raw in _ANSI.sub("", output).splitlines():
        text, indent = _BOX.sub("", raw).strip(), len(raw) - len(raw.lstrip())
        if at is not None and text and indent > at and text == raw.strip():
            pointed.discard(found[-1][1])
            joined = found[-1][1] + ("" if found[-1][1].endswith(("/", "-")) else " ") + text
            found[-1] = (found[-1][0], joined)
            pointed.add(joined)
            continue
        at = indent if _POINTER in raw[: len(raw) - len(raw.lstrip("\t │╰├─>▶"))] and text else None
        if text:
            found.append((indent, text))
            pointed |= {text} if at is not None else set()
    return found, pointed


def step_error(output: str) -> str:
    """The first line of ``output`` that says why the step failed (a traceback stands for its
    exception line), after the step's last line that says it tries again (the last try failed the
    step); else its last line that is not pip's frame; "(no output)" if none."""
    lines, pointed = _lines(output)
    tries = [at for at, (_, text) in enumerate(lines) if _TRIES_AGAIN.match(text)]
    lines = lines[tries[-1] + 1 :] if tries and tries[-1] + 1 < len(lines) else lines
    kept: list[str] = []
    inside: int | None = None  # the indent of the traceback being skipped
    header = ""  # the command of pip's last "COMMAND did not run successfully." header
    for indent, text in lines:
        header = text.removeprefix("\u00d7 ") if text.startswith("\u00d7 ") else header
        if text == _SILENT:  # the command said nothing: pip's header names it
            kept += [header] if header else []
            continue
        if inside is not None:
            if indent > inside or text.startswith(("File ", "^", "~")):
                continue
            inside = None
            kept.append(text)  # the exception the traceback ended in
            continue
        if text.startswith(_TRACEBACK):
            inside = indent
            continue
        if not _FRAME.search(text):
            kept.append(text)
    said = [line.removeprefix(STEP_CAUSE) for line in kept if line.startswith(STEP_CAUSE)]
    causes = said or [line for line in kept if line in pointed or _CAUSE.search(line)]
    return (causes or kept[-1:] or ["(no output)"])[0][:MAX_CHARS]


_NOISE_WORDS = {"--no-input", "-q", "--quiet", "--upgrade", "-U", "--no-cache-dir", "--no-deps", "--no-build-isolation"}
_NOISE_PAIRS = {"--progress-bar"}
_PREPARE = (
    "cd",
    "export",
    "set",
    "rm",
    "mkdir",
    "echo",
    "true",
    "[",
    "test",
    "printf",
    "cat",
    "grep",
    "exit",
    "sed",
    "for",
    "done",
    "fi",
    "esac",
    "case",
    "while",
    "break",
    "continue",
)
#: what a step's pip only reads, and the keywords that open a shell command of a loop or a branch
_READS = (["pip", "list"], ["pip", "freeze"], ["pip", "check"], ["pip", "--version"], ["pip", "--help"])
_OPENS = ("do", "then", "else", "if", "!")
#: a redirection (``>``, ``2>``) whose target is the next word, and one with its target (``2>&1``, ``>log``)
_REDIRECT = re.compile(r"^\d*(?:>>?|<)$")
_REDIRECT_TO = re.compile(r"^\d*(?:>>?|<)\S+$")
#: an assignment of a command's output (``V=$(cmd)``): preparation
_ASSIGNED = re.compile(r"^[A-Za-z_]\w*=\$\(.*\)$", re.S)


def step_name(script: str, limit: int = 80) -> str:
    """A short name of a shell step for a message: its commands but those that only prepare
    (``cd``, ``export``, ``set -e``, an assignment), with programs by their base name and without
    the variables set before them and redirections, ``python -m pip`` as ``pip`` and pip's quiet options left out,
    the commands of a ``{ }`` group and of an ``sh -c`` script (under ``timeout``) named as its
    own, cut at ``limit`` characters."""
    name = " && ".join(_names(script)) or script.strip()
    return name if len(name) <= limit else name[: limit - 1] + "…"


def _names(script: str) -> list[str]:
    names: list[str] = []
    for command in _commands(script):
        if command[:1] in "{(" and command[-1:] in "})":
            names += _names(command[1:-1])
            continue
        try:
            words = [] if _ASSIGNED.match(command) else shlex.split(command)
        except ValueError:
            words = command.split()
        while words and (words[0] in ("env", *_OPENS) or "=" in words[0] or words[0] == "-u"):  # env -u X V=1 ...
            words = words[2:] if words[0] == "-u" else words[1:]
        words = [w.rsplit("/", 1)[-1] if i == 0 else w for i, w in enumerate(words)]
        if "-c" in words[:-1] and words[words.index("-c") - 1].rsplit("/", 1)[-1] in ("sh", "bash"):
            names += _names(words[words.index("-c") + 1])  # timeout ... sh -c SCRIPT
            continue
        if not words or words[0] in _PREPARE:
            continue
        if words[:3] in (["python", "-m", "pip"], ["python3", "-m", "pip"]):
            words = ["pip", *words[3:]]
        if words[:2] in _READS:
            continue
        words = [*words[:2], "…"] if words[1:2] == ["-c"] else words  # python -c CODE
        short: list[str] = []
        skip = False
        for word in words:
            if skip or word in _NOISE_WORDS or _REDIRECT_TO.match(word):
                skip = False
                continue
            skip = word in _NOISE_PAIRS or bool(_REDIRECT.match(word))
            if not skip:
                short.append(word)
        names.append(" ".join(short))
    return names


def _commands(script: str) -> list[str]:
    """The commands of ``script`` at its top level, split at ``&&``, ``||`` and ``;`` outside
    quotes, ``$( )``, ``( )`` and ``{ }``, each stripped."""
    parts, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(script):
        char = script[i]
        if quote:
            quote = "" if char == quote else quote
            i += 2 if char == "\\" and quote == '"' else 1
            continue
        if char in "'\"":
            quote = char
        elif char in "({":
            depth += 1
        elif char in ")}":
            depth = max(0, depth - 1)
        elif depth == 0 and (script.startswith(("&&", "||"), i) or char == ";"):
            parts.append(script[start:i])
            i += 1 if char == ";" else 2
            start = i
            continue
        i += 2 if char == "\\" else 1
    parts.append(script[start:])
    return [part.strip() for part in parts if part.strip()]
