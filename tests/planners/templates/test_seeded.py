"""Generality check: bugs seeded by hand in small functions (not from the devset).

For each, the driver is given the faulty line as the only location (an oracle
location) and the exact fix must be among its candidates.
"""

import pytest

from tests.planners.templates.helpers import fixed_by_driver

SEEDED = {
    "binary_search_bound": (
        """
        def search(xs, target):
            lo, hi = 0, len(xs) - 1
            while lo < hi:
                mid = (lo + hi) // 2
                if xs[mid] == target:
                    return mid
                if xs[mid] < target:
                    lo = mid + 1
                else:
                    hi = mid - 1
            return -1
        """,
        ("while lo < hi:", "while lo <= hi:"),
    ),
    "word_count_default": (
        """
        def word_count(text):
            counts = {}
            for word in text.split():
                counts[word] = counts.get(word, 1) + 1
            return counts
        """,
        ("counts.get(word, 1)", "counts.get(word, 0)"),
    ),
    "median_index": (
        """
        def median(values):
            ordered = sorted(values)
            n = len(ordered)
            if n % 2:
                return ordered[n // 2 + 1]
            return (ordered[n // 2 - 1] + ordered[n // 2]) / 2
        """,
        ("return ordered[n // 2 + 1]", "return ordered[n // 2]"),
    ),
    "clamp_min_max": (
        """
        def clamp(x, lo, hi):
            return max(lo, max(x, hi))
        """,
        ("max(lo, max(x, hi))", "max(lo, min(x, hi))"),
    ),
    "stack_pop_wrong_end": (
        """
        class Stack:
            def __init__(self):
                self._items = []

            def push(self, item):
                self._items.append(item)

            def pop(self):
                return self._items.pop(0)
        """,
        ("self._items.pop(0)", "self._items.pop(-1)"),
    ),
    "stack_peek_empty": (
        """
        class Stack:
            def __init__(self):
                self._items = []

            def peek(self):
                if self._items:
                    return None
                return self._items[-1]
        """,
        ("if self._items:", "if not self._items:"),
    ),
    "average_division": (
        """
        def average(xs):
            return sum(xs) // len(xs)
        """,
        ("sum(xs) // len(xs)", "sum(xs) / len(xs)"),
    ),
    "is_even_operator": (
        """
        def is_even(n):
            return n % 2 == 1
        """,
        ("n % 2 == 1", "n % 2 == 0"),
    ),
    "strip_side": (
        """
        def clean(line):
            return line.lstrip()
        """,
        ("line.lstrip()", "line.rstrip()"),
    ),
    "suffix_check": (
        """
        def is_python(path):
            return path.startswith(".py")
        """,
        ("path.startswith", "path.endswith"),
    ),
    "accumulator_wrong_variable": (
        """
        def total_price(items, tax):
            total = 0
            for item in items:
                total += tax
            return total
        """,
        ("total += tax", "total += item"),
    ),
    "range_exclusive": (
        """
        def squares(n):
            return [i * i for i in range(1, n)]
        """,
        ("range(1, n)", "range(1, n + 1)"),
    ),
    "all_vs_any": (
        """
        def has_negative(xs):
            return all(x < 0 for x in xs)
        """,
        ("all(", "any("),
    ),
    "missing_none_guard": (
        """
        def first_word(text):
            return text.split()[0]
        """,
        (
            "return text.split()[0]",
            "if text is None:\n        return None\n    return text.split()[0]",
        ),
    ),
    "mutable_default_list": (
        """
        def collect(x, into=[]):
            into.append(x)
            return into
        """,
        ("into=[]):\n", "into=None):\n    if into is None:\n        into = []\n"),
    ),
    "unused_result": (
        """
        def normalize(xs):
            total = sum(xs)
            scaled = [x / total for x in xs]
        """,
        (
            "scaled = [x / total for x in xs]\n",
            "scaled = [x / total for x in xs]\n    return scaled\n",
        ),
    ),
}

# one-step edits of the wider catalogue (shapes, insertions built from names in scope)
WIDER = {
    "distance_abs": (
        """
        def gap(a, b):
            return b - a
        """,
        ("return b - a", "return abs(b - a)"),
    ),
    "ratio_clamp": (
        """
        def fill(used, size):
            if size == 0:
                return 1.0
            return used / size
        """,
        ("return used / size", "return min(used / size, 1.0)"),
    ),
    "squared_error": (
        """
        def sse(pairs):
            return sum((y - p) for y, p in pairs)
        """,
        ("sum((y - p) for", "sum((y - p) ** 2 for"),
    ),
    "head_slice": (
        """
        def preview(text, width):
            words = text.split()
            return words
        """,
        ("    return words", "    return words[:width]"),
    ),
    "window_offset": (
        """
        def window(first, length):
            last = first
            return range(first, last)
        """,
        ("last = first", "last = first + length"),
    ),
    "grid_indices": (
        """
        def column(grid, c):
            return [grid[c][r] for r in range(len(grid))]
        """,
        ("grid[c][r]", "grid[r][c]"),
    ),
    "count_not_items": (
        """
        def widest(rows):
            best = 0
            for row in rows:
                n = row
                if n > best:
                    best = n
            return best
        """,
        ("n = row", "n = len(row)"),
    ),
    "needless_sort": (
        """
        def unique(xs):
            seen = []
            for x in xs:
                if x not in seen:
                    seen.append(x)
            return sorted(seen)
        """,
        ("return sorted(seen)", "return seen"),
    ),
    "single_into_list": (
        """
        def tokens(text):
            if " " not in text:
                return text
            return text.split()
        """,
        ("        return text\n", "        return [text]\n"),
    ),
    "collect_matches": (
        """
        def evens(xs):
            out = []
            for x in xs:
                if x % 2:
                    continue
            return out
        """,
        (
            "        if x % 2:\n            continue\n",
            "        if x % 2:\n            continue\n        out.append(x)\n",
        ),
    ),
    "running_previous": (
        """
        def rises(xs):
            count = 0
            prev = None
            for x in xs:
                if prev is not None and x > prev:
                    count += 1
            return count
        """,
        (
            "        if prev is not None and x > prev:\n            count += 1\n",
            "        if prev is not None and x > prev:\n            count += 1\n        prev = x\n",
        ),
    ),
    "flag_flipped": (
        """
        def empty(xs):
            for _ in xs:
                return True
            return True
        """,
        ("        return True\n", "        return False\n"),
    ),
    "bound_and_operator": (
        """
        def grade(score):
            if score > 90:
                return "A"
            return "B"
        """,
        ("score > 90", "score >= 88"),
    ),
    "clause_added": (
        """
        def is_blank(line):
            return not line.strip() or line.startswith("#")


        def content(lines):
            out = []
            for line in lines:
                if not line.strip():
                    continue
                out.append(line)
            return out
        """,
        ("if not line.strip():", 'if not line.strip() or line.startswith("#"):'),
    ),
}


@pytest.mark.parametrize("name", sorted(SEEDED))
def test_seeded_bug_is_repaired(name):
    buggy, (old, new) = SEEDED[name]
    from tests.planners.templates.helpers import dedent

    buggy = dedent(buggy)
    assert old in buggy
    fixed = buggy.replace(old, new, 1)
    needle = old.splitlines()[0]
    assert fixed_by_driver(buggy, fixed, needle) is not None


@pytest.mark.parametrize("name", sorted(WIDER))
def test_wider_catalogue_fix_ranks_within_budget(name):
    """The fix is among the first candidates at its line: the wide templates must not bury it."""
    buggy, (old, new) = WIDER[name]
    from tests.planners.templates.helpers import dedent

    buggy = dedent(buggy)
    assert old in buggy
    fixed = buggy.replace(old, new, 1)
    rank = fixed_by_driver(buggy, fixed, old.splitlines()[0].strip())
    assert rank is not None and rank <= 60, rank
