"""Which target group to try first: the evidence that its failures are a code fault in the project.

A group is raised by each sign of a code fault, one rule each: its frames end in project code;
it asserts on the project's values (a failed assertion's ``where`` lines, or its first line,
call a name the project defines); its tests agree (two or more share a project frame or a
project name asserted on).

A group is put last, whatever its signs, when its failures have the environment's shape: the
network (refused, unresolved, unreachable); annotations or typing (which depend on the Python
version more often than on the project); a decode error of what a subprocess printed; the shape
at least half of its tests have.

Size only breaks ties (fewer tests first). The signs and the shape are the group's ``evidence``
in the report. Pure: failure sections, the project's sources and the groups in; groups out.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence

from rfsn.buildpacks.junit import RAISED_IN
from rfsn.models.sessions import FailureGroup
from rfsn.planners.localize.tracebacks import (
    failure_sections,
    headline,
    relative_path,
    traceback_frames,
)

_WHERE = re.compile(r"^E\s+(?:\+\s+)*where .*?=\s*(?:[\w.]+\.)?(\w+)\(", re.M)
#: a function or class definition: Python's ``def``/``class``, Go's ``func (r T) Name``, JavaScript's ``function``
_DEFINED = re.compile(
    r"^[ \t]*(?:async[ \t]+)?(?:def|class)[ \t]+(\w+)|^func[ \t]+(?:\([^)]*\)[ \t]*)?(\w+)|"
    r"^[ \t]*(?:export[ \t]+)?(?:async[ \t]+)?function\b[ \t]*\*?[ \t]*(\w+)",
    re.M,
)
_CALLED = re.compile(r"\b(\w+)\(")
_MESSAGE = re.compile(r"^E\s+(.*)$", re.M)
_SHAPES = (
    (
        "the network",
        "message",
        re.compile(
            r"[Cc]onnection refused|ConnectionRefusedError|Name or service not known|Temporary failure in name "
            r"resolution|nodename nor servname|Network is unreachable|No route to host|\bECONNREFUSED\b|\bENOTFOUND\b|"
            r"no such host|net\.OpError"
        ),
    ),  # Go's: "connect: connection refused", a dial's *net.OpError
    (
        "a version-dependent test of annotations or typing",
        "name",
        re.compile(r"annotation|type_?hint|typing|__annotations__|ForwardRef", re.I),
    ),
    (
        "a decode error of a subprocess's output",
        "decode",
        re.compile(r"JSONDecodeError|UnicodeDecodeError|Expecting value|Extra data: line|Invalid control character"),
    ),
)
_SUBPROCESS = re.compile(r"\bsubprocess\b|check_output|Popen|\.communicate\(")


def defined_names(sources: Mapping[str, str]) -> set[str]:
    """The functions and classes the project's (non-test) sources define."""
    return {name for text in sources.values() for found in _DEFINED.findall(text) for name in found if name}


def _anchors(section: str, sources: Mapping[str, str], names: set[str], root: str | None) -> set[str]:
    """The project frames and project names a failure passes through: where its tests may agree."""
    frames = {f"{file}:{line}" for file, line in traceback_frames(section, root=root) if file in sources}
    return frames | {name for name in _WHERE.findall(section) if name in names}


def signs(
    tests: Sequence[str],
    sections: Mapping[str, str],
    sources: Mapping[str, str],
    names: set[str],
    root: str | None,
    cause: str = "",
) -> list[str]:
    """The signs that ``tests``' failures are a code fault in the project, one line each (a
    call in ``cause`` of a name the project defines asserts on its values: a Go test's
    ``QuoteLiteral(x) = y, want z``)."""
    texts = [sections.get(headline(t), "") for t in tests]
    found = []
    raised = [relative_path(m[-1], root) for m in (RAISED_IN.findall(text) for text in texts) if m]
    own = sorted({path for path in raised if path is not None and path in sources})
    if own:
        found.append(f"its frames end in project code ({', '.join(own[:3])})")
    asserted = sorted(
        {name for text in texts for name in _WHERE.findall(text) if name in names}
        | {name for name in _CALLED.findall(cause) if name in names}
    )
    if asserted:
        found.append(f"it asserts on the project's values ({', '.join(asserted[:3])})")
    anchors = [_anchors(text, sources, names, root) for text in texts]
    shared = set.intersection(*anchors) if len(anchors) > 1 else set()
    if shared:
        found.append(f"its {len(tests)} tests agree on {', '.join(sorted(shared)[:3])}")
    return found


def _test_shape(test: str, cause: str, sections: Mapping[str, str]) -> str:
    """The environment's shape of one test's failure ("" when it has none)."""
    text = sections.get(headline(test), "")
    message = "\n".join([cause, *_MESSAGE.findall(text)])
    for what, where, pattern in _SHAPES:
        if where == "message" and pattern.search(message):
            return what
        if where == "name" and (pattern.search(test) or pattern.search(message)):
            return what
        if where == "decode" and pattern.search(message) and _SUBPROCESS.search(text):
            return what
    return ""


def shape(tests: Sequence[str], cause: str, sections: Mapping[str, str]) -> str:
    """The environment's shape of ``tests``' failures: the one at least half of them have ("" when
    none has): one test named for typing does not make its group's 300 others environment-shaped."""
    found = Counter(_test_shape(test, cause, sections) for test in tests)
    return next((what for what, count in found.most_common() if what and 2 * count >= len(tests)), "")


def ordered(
    groups: Sequence[FailureGroup], log: str, sources: Mapping[str, str], root: str | None
) -> list[FailureGroup]:
    """The target groups with their evidence, the likeliest code fault first, environment-shaped
    ones last; then the environment's groups as they were."""
    sections, names = failure_sections(log), defined_names(sources)
    weighed = []
    for group in groups:
        if group.kind != "target":
            continue
        env = shape(group.tests, group.cause, sections)
        found = signs(group.tests, sections, sources, names, root, group.cause)
        evidence = [f"environment-shaped ({env}): tried last"] if env else found
        weighed.append(
            (
                bool(env),
                -len(found),
                len(group.tests),
                group.tests[0],
                group.model_copy(update={"evidence": evidence, "shape": env}),
            )
        )
    weighed.sort(key=lambda item: item[:4])
    return [item[-1] for item in weighed] + [g for g in groups if g.kind != "target"]
