"""The order the suite's workers take its files in (``pytest -n N --dist loadfile``): the files of
the most Docker or slow tests first, so that the many fast files fill the end and the workers finish
together. xdist's own order is by test count, which puts a file of one long Docker test last and
leaves the other worker idle while it runs."""

from __future__ import annotations

from typing import Any

import pytest
from xdist.scheduler import LoadFileScheduling

#: the markers of a test that takes seconds rather than milliseconds (so does one given a Docker client)
SLOW = ("docker", "slow")


def _file(item: pytest.Item) -> str:
    return item.nodeid.split("::", 1)[0]


def _weight(item: pytest.Item) -> int:
    """1 for a test that will run and takes seconds (a skipped one takes none)."""
    docker = "docker_client" in getattr(item, "fixturenames", ())
    return int((docker or any(item.get_closest_marker(m) for m in SLOW)) and not item.get_closest_marker("skip"))


def slowest_files_first(items: list[pytest.Item]) -> None:
    """Sorts ``items`` by how many slow tests their file has, most first; the order within a file,
    and of files alike, stays."""
    weights: dict[str, int] = {}
    for item in items:
        weights[_file(item)] = weights.get(_file(item), 0) + _weight(item)
    collected = {name: index for index, name in enumerate(weights)}
    items.sort(key=lambda item: (-weights[_file(item)], collected[_file(item)]))


class CollectedOrder(LoadFileScheduling):
    """xdist's file scheduling, each worker handed the file collected first of those left."""

    def __init__(self, config: Any, log: Any = None) -> None:
        super().__init__(config, log)
        self.rank: dict[str, int] = {}

    def _assign_work_unit(self, node: Any) -> None:
        if not self.rank:
            for index, nodeid in enumerate(self.collection):
                self.rank.setdefault(self._split_scope(nodeid), index)
        first = min(self.workqueue, key=self.rank.__getitem__)
        self.workqueue.move_to_end(first, last=False)
        super()._assign_work_unit(node)
