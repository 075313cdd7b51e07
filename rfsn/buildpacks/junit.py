"""A pure parser from JUnit XML to per-test statuses (pytest xunit1, surefire, ...)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable

from rfsn.models import TestStatus

#: when one id appears more than once (e.g. a failure and a teardown error), the worst wins
_SEVERITY = {
    TestStatus.PASSED: 0,
    TestStatus.SKIPPED: 1,
    TestStatus.ERROR: 2,
    TestStatus.FAILED: 3,
    TestStatus.TIMEOUT: 4,
}
#: how pytest-timeout words the failure of a test it stopped
#: (2.x: "Timeout (>60.0s) from pytest-timeout."; 1.x: "Timeout >60.0s")
_TIMEOUT_MESSAGE = re.compile(r"^Failed: Timeout (?:\(>[0-9.]+s\) from pytest-timeout|>[0-9.]+s$)")


def case_status(case: ET.Element) -> TestStatus:
    tags = {child.tag for child in case}
    if any(child.tag in ("failure", "error") and _TIMEOUT_MESSAGE.match(child.get("message", "")) for child in case):
        return TestStatus.TIMEOUT
    if "failure" in tags:
        return TestStatus.FAILED
    if "error" in tags:
        return TestStatus.ERROR
    if "skipped" in tags:
        # an expected failure (pytest's xfail: ``<skipped type="pytest.xfail">``) behaves as its
        # test declares, and passes for the SWE-bench harness too (``test_passed``); a candidate
        # that turns an unexpected pass into it breaks nothing
        xfail = any(child.tag == "skipped" and child.get("type") == "pytest.xfail" for child in case)
        return TestStatus.PASSED if xfail else TestStatus.SKIPPED
    return TestStatus.PASSED


#: characters XML 1.0 cannot hold, which pytest writes raw into a report's attributes (a control
#: character in a test file's name): read through stand-ins from a private plane, then given back
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_STAND_IN = 0xF0000
_STOOD_IN = re.compile(f"[{chr(_STAND_IN)}-{chr(_STAND_IN + 0x1F)}]")


def _parsed(xml_text: str) -> ET.Element:
    """The root of ``xml_text``, also where it holds characters XML forbids (ParseError otherwise)."""
    if not _ILLEGAL.search(xml_text):
        return ET.fromstring(xml_text)
    root = ET.fromstring(_ILLEGAL.sub(lambda m: chr(_STAND_IN + ord(m.group())), xml_text))
    for element in root.iter():
        element.attrib.update({key: _given_back(value) for key, value in element.attrib.items()})
        element.text = _given_back(element.text) if element.text else element.text
        element.tail = _given_back(element.tail) if element.tail else element.tail
    return root


def _given_back(text: str) -> str:
    return _STOOD_IN.sub(lambda m: chr(ord(m.group()) - _STAND_IN), text)


def _testcases(xml_text: str) -> list[ET.Element]:
    """Every ``<testcase>`` of a JUnit XML report that names a test, in order; none when it is
    not XML. pytest leaves a testcase with no name, class or file for the test it was reporting
    when it crashed (an INTERNALERROR): that is no test."""
    try:
        cases = _parsed(xml_text).iter("testcase")
        return [case for case in cases if any(case.get(key) for key in ("name", "classname", "file"))]
    except ET.ParseError:
        return []


def parse_junit(xml_text: str, test_id: Callable[[ET.Element], str]) -> dict[str, TestStatus]:
    """Statuses of every ``<testcase>``, named by ``test_id(case)``. Bad XML gives {}."""
    statuses: dict[str, TestStatus] = {}
    for case in _testcases(xml_text):
        tid = test_id(case)
        status = case_status(case)
        previous = statuses.get(tid)
        if previous is None or _SEVERITY[status] > _SEVERITY[previous]:
            statuses[tid] = status
    return statuses


def parse_junit_durations(xml_text: str, test_id: Callable[[ET.Element], str]) -> dict[str, float]:
    """Seconds each ``<testcase>`` took (setup, call and teardown summed). Bad XML gives {}."""
    durations: dict[str, float] = {}
    for case in _testcases(xml_text):
        try:
            seconds = float(case.get("time", ""))
        except ValueError:
            continue
        tid = test_id(case)
        durations[tid] = durations.get(tid, 0.0) + max(0.0, seconds)
    return durations


#: pytest's line naming the file a frame raised in (``pkg/mod.py:12: ValueError``), innermost last
RAISED_IN = re.compile(r"^(\S+?):\d+: \w+$", re.M)
#: how pytest's junit words an error outside the test's call: ``failed on setup with "..."``
_FAILED_ON = re.compile(r'^failed on \w+ with "(.*)"$', re.S)


def parse_junit_reasons(xml_text: str, test_id: Callable[[ET.Element], str]) -> dict[str, tuple[str, str]]:
    """Failed test id -> (the first line of what it failed with, the file it was raised in), as
    pytest's failure section would show them (a plain ``assert``'s line without its
    ``AssertionError: ``). Bad XML gives {}."""
    found: dict[str, tuple[str, str]] = {}
    for case in _testcases(xml_text):
        for child in case:
            if child.tag not in ("failure", "error"):
                continue
            message = child.get("message", "")
            message = (m.group(1) if (m := _FAILED_ON.match(message)) else message).strip()
            first = (message.splitlines() or [""])[0]
            if first.startswith("AssertionError: assert "):
                first = first.removeprefix("AssertionError: ")
            frames = RAISED_IN.findall(child.text or "")
            found.setdefault(test_id(case), (first, frames[-1] if frames else ""))
    return found


def pytest_node_id(case: ET.Element) -> str:
    """The pytest node id of a ``<testcase>`` written with ``junit_family=xunit1``.

    pytest writes ``classname`` as the node id's path with ``/`` turned into
    ``.`` and ``.py`` dropped, followed by any classes; ``name`` keeps its
    parameters verbatim. ``file`` is where the test function is *defined*: the
    module itself, except for tests inherited from a base class elsewhere. A
    collection error has an empty classname and stands for the whole file.
    """
    name = case.get("name", "")
    classname = case.get("classname", "")
    file = case.get("file", "")
    if not classname:
        return file or name.replace(".", "/") + ".py"
    mangled = _mangle(file) if file else None
    if mangled and (classname == mangled or classname.startswith(mangled + ".")):
        classes = classname[len(mangled) + 1 :]
        return "::".join([file, *(classes.split(".") if classes else []), name])
    parts = classname.split(".")
    # ``file`` names another module (an inherited test) or is missing: what is left
    # after the module path are classes, which by pytest's convention are capitalized.
    directory = file.rpartition("/")[0]
    head = _mangle(directory).split(".") if directory else []
    prefix, start = (directory + "/", len(head)) if head and parts[: len(head)] == head else ("", 0)
    split = next((i for i in range(start + 1, len(parts)) if parts[i][:1].isupper()), len(parts))
    return "::".join([prefix + "/".join(parts[start:split]) + ".py", *parts[split:], name])


def _mangle(path: str) -> str:
    """A file path as pytest's junit writer puts it into ``classname``."""
    return re.sub(r"\.py$", "", path.replace("/", "."))
