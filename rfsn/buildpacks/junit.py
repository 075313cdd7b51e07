"""A pure parser from JUnit XML to per-test statuses (pytest xunit1, surefire, ...)."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from rfsn.models import TestStatus

#: when one id appears more than once (e.g. a failure and a teardown error), the worst wins
_SEVERITY = {TestStatus.PASSED: 0, TestStatus.SKIPPED: 1, TestStatus.ERROR: 2, TestStatus.FAILED: 3}


def case_status(case: ET.Element) -> TestStatus:
    tags = {child.tag for child in case}
    if "failure" in tags:
        return TestStatus.FAILED
    if "error" in tags:
        return TestStatus.ERROR
    if "skipped" in tags:
        return TestStatus.SKIPPED
    return TestStatus.PASSED


def parse_junit(xml_text: str, test_id: Callable[[ET.Element], str]) -> dict[str, TestStatus]:
    """Statuses of every ``<testcase>``, named by ``test_id(case)``. Bad XML gives {}."""
    try:
        root = ET.fromstring(xml_text)
    except ET.ParseError:
        return {}
    statuses: dict[str, TestStatus] = {}
    for case in root.iter("testcase"):
        tid = test_id(case)
        status = case_status(case)
        previous = statuses.get(tid)
        if previous is None or _SEVERITY[status] > _SEVERITY[previous]:
            statuses[tid] = status
    return statuses


def pytest_node_id(case: ET.Element) -> str:
    """The pytest node id of a ``<testcase>`` written with ``junit_family=xunit1``.

    ``classname`` is the dotted module path plus any classes; ``file`` is the
    module's path. A collection error has an empty classname and stands for
    the whole file.
    """
    name = case.get("name", "")
    classname = case.get("classname", "")
    file = case.get("file", "")
    if not classname:
        return file or name.replace(".", "/") + ".py"
    parts = classname.split(".")
    if not file:
        return "/".join(parts) + ".py::" + name
    module_parts = file.removesuffix(".py").split("/")
    stem = module_parts[-1]
    if parts[: len(module_parts)] == module_parts:
        classes = parts[len(module_parts):]
    elif stem in parts:
        classes = parts[len(parts) - parts[::-1].index(stem):]
    else:
        classes = []
    return "::".join([file, *classes, name])
