"""The writers of what a suspicious line reads inherit its suspicion (data dependence)."""

from rfsn.planners.localize import Location, rank
from rfsn.planners.localize.data import SHARE, with_data_dependence

# the seeded fault: `self.size -= n` made `+=` on line 18; it shows where the size is read
CACHE = (
    "class Cache:\n"  # 1
    "    def __init__(self, limit):\n"  # 2
    "        self.limit = limit\n"  # 3
    "        self.size = 0\n"  # 4
    "        self.items = {}\n"  # 5
    "\n"  # 6
    "    def put(self, key, n):\n"  # 7
    "        limit = self.limit\n"  # 8
    "        while self.size + n > limit:\n"  # 9
    "            self.evict()\n"  # 10
    "        self.items[key] = n\n"  # 11
    "        self.size += n\n"  # 12
    "\n"  # 13
    "    def evict(self):\n"  # 14
    "        key = next(iter(self.items))\n"  # 15
    "        n = self.items.pop(key)\n"  # 16
    "        pass\n"  # 17
    "        self.size += n\n"  # 18
    "\n"  # 19
    "class Other:\n"  # 20
    "    def reset(self):\n"  # 21
    "        self.size = 0\n"  # 22
)


def _ranked() -> list[Location]:
    """Spectrum: only the failing test fills the cache (10), half the others put (7-12), every
    test evicts (14-18): the update is as suspicious as the constructor."""
    evicting = {2, 3, 4, 5, 14, 15, 16, 18, 21, 22}
    passing = {f"t::ok{i}": {"m.py": evicting | ({7, 8, 9, 11, 12} if i < 2 else set())} for i in range(4)}
    failing = {"t::full": {"m.py": {2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14, 15, 16, 18}}}
    return rank({**passing, **failing}, ["t::full"], list(passing))


def test_the_update_of_a_field_a_top_condition_reads_follows_it_cachetools_seed_3() -> None:
    """cachetools seed 3 (``self.__currsize -= size`` made ``+=`` in ``__delitem__``): the
    eviction loop's condition ranked high, the update in another method, run by every test,
    45th; the session ran out of steps before it."""
    files = {"m.py": CACHE}
    before = _ranked()
    assert [loc.line for loc in before].index(18) > 3
    after = with_data_dependence(before, files)
    lines, score = [loc.line for loc in after], {loc.line: loc.score for loc in after}
    assert lines.index(18) < lines.index(15)  # above the lines that write nothing the top reads
    assert score[18] == score[9] * SHARE
    assert {8, 4, 12} <= set(lines[: lines.index(18) + 4])  # the local limit, the other writers of size
    assert 22 not in lines  # another class's size, never run by a failing test
    assert len(after) == len(before)  # nothing is added: only what the failing tests ran


def test_only_python_and_only_the_top_lines_pass_it_on() -> None:
    files = {"m.py": CACHE, "m.js": "let size = 0;\n"}
    locations = [Location("m.js", 1, 1.0), Location("m.py", 9, 0.5), Location("m.py", 18, 0.1)]
    assert with_data_dependence(locations, files, top=1) == locations  # the top line is JavaScript
    raised = with_data_dependence(locations, files, top=2)
    assert raised[1:] == [Location("m.py", 9, 0.5), Location("m.py", 18, 0.5 * SHARE)]
    assert with_data_dependence([Location("m.py", 9, 0.5)], {"m.py": "def ("}) == [Location("m.py", 9, 0.5)]
