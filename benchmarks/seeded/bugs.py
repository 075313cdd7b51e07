"""The seeded bugs: small stdlib-only modules, each written in its FIXED form,
with the one-location edit that seeds the bug, the suite that passes either way,
the tests that reveal the bug (given to the tool) and hidden tests (never given
to the tool) that tell a correct fix from a merely plausible one.

``build.py`` turns this file into ``projects/`` (buggy trees) and ``instances.jsonl``.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bug:
    name: str
    kind: str
    statement: str
    module: str  # fixed source of <name>.py
    fixed: str  # snippet of the fix, replaced once by `buggy`
    buggy: str
    tests: str  # passing suite (PASS_TO_PASS)
    issue: str  # bug-revealing tests (FAIL_TO_PASS, in test_patch)
    hidden: str  # held-out tests for correctness


BUGS = [
    Bug(
        "stopwatch",
        "swapped operands of a non-commutative operator",
        "Lap.elapsed() is negative: a lap from 10.0 to 12.5 reports -2.5 seconds.",
        """
class Lap:
    def __init__(self, start, end):
        self.start = start
        self.end = end

    def elapsed(self):
        return self.end - self.start

    def label(self):
        return f"lap {self.start:.1f}"
""",
        "self.end - self.start",
        "self.start - self.end",
        "from stopwatch import Lap\n\ndef test_label():\n    assert Lap(1, 2).label() == 'lap 1.0'\n",
        "from stopwatch import Lap\n\ndef test_elapsed():\n    assert Lap(10.0, 12.5).elapsed() == 2.5\n",
        "from stopwatch import Lap\n\ndef test_elapsed_zero():\n    assert Lap(3, 3).elapsed() == 0\n    assert Lap(0, 7).elapsed() == 7\n",
    ),
    Bug(
        "powerset",
        "wrong returned shape (one-element form of an empty structure)",
        "subsets([]) returns [] but the empty set has one subset, the empty one; subsets([1]) is [] too.",
        '''
def subsets(items):
    """All subsets of ``items`` as lists, smaller indices first."""
    if not items:
        return [[]]
    rest = subsets(items[1:])
    return rest + [[items[0]] + s for s in rest]


def count_subsets(n):
    return 2 ** n
''',
        "return [[]]",
        "return []",
        "from powerset import count_subsets\n\ndef test_count():\n    assert count_subsets(3) == 8\n",
        "from powerset import subsets\n\ndef test_subsets_of_one():\n    assert subsets([1]) == [[], [1]]\n",
        "from powerset import subsets\n\ndef test_subsets_of_two():\n    assert sorted(subsets([1, 2])) == [[], [1], [1, 2], [2]]\n\ndef test_empty():\n    assert subsets([]) == [[]]\n",
    ),
    Bug(
        "orderedset",
        "call wrapped around its argument (the reverse of a missing call)",
        "unique() sorts its result, but it should keep first-seen order: unique([3, 1, 3, 2]) gives [1, 2, 3].",
        '''
def unique(values):
    """Distinct values in the order they are first seen."""
    seen = []
    for value in values:
        if value not in seen:
            seen.append(value)
    return seen


def is_unique(values):
    return len(unique(values)) == len(values)
''',
        "    return seen\n",
        "    return sorted(seen)\n",
        "from orderedset import is_unique\n\ndef test_is_unique():\n    assert is_unique([1, 2])\n    assert not is_unique([1, 1])\n",
        "from orderedset import unique\n\ndef test_keeps_order():\n    assert unique([3, 1, 3, 2]) == [3, 1, 2]\n",
        "from orderedset import unique\n\ndef test_strings_keep_order():\n    assert unique(['b', 'a', 'b']) == ['b', 'a']\n",
    ),
    Bug(
        "wordwrap",
        "call replaced by its argument",
        "wrap() crashes with TypeError when adding a word to a line.",
        '''
def wrap(text, width):
    """Greedy word wrap: lines no longer than ``width`` (words longer stay whole)."""
    lines, current = [], ""
    for word in text.split():
        size = len(word)
        if current and len(current) + 1 + size > width:
            lines.append(current)
            current = word
        else:
            current = f"{current} {word}" if current else word
    if current:
        lines.append(current)
    return lines
''',
        "size = len(word)",
        "size = word",
        "from wordwrap import wrap\n\ndef test_empty():\n    assert wrap('', 10) == []\n",
        "from wordwrap import wrap\n\ndef test_wraps():\n    assert wrap('aa bb cc', 5) == ['aa bb', 'cc']\n",
        "from wordwrap import wrap\n\ndef test_long_word():\n    assert wrap('abcdefgh ij', 4) == ['abcdefgh', 'ij']\n",
    ),
    Bug(
        "progressbar",
        "missing clamp",
        "percent() reports 150 when more work is reported done than planned; it should never exceed 100.",
        """
def percent(done, total):
    if total <= 0:
        return 100
    return min(done * 100 // total, 100)


def bar(done, total, width=10):
    filled = percent(done, total) * width // 100
    return "#" * filled + "." * (width - filled)
""",
        "return min(done * 100 // total, 100)",
        "return done * 100 // total",
        "from progressbar import bar, percent\n\ndef test_half():\n    assert percent(5, 10) == 50\n    assert bar(5, 10) == '#####.....'\n",
        "from progressbar import percent\n\ndef test_overshoot():\n    assert percent(15, 10) == 100\n",
        "from progressbar import bar, percent\n\ndef test_overshoot_bar():\n    assert bar(30, 10) == '##########'\n    assert percent(10, 10) == 100\n    assert percent(99, 100) == 99\n",
    ),
    Bug(
        "gridmove",
        "missing absolute value",
        "manhattan() gives 0 for (0, 3) and (3, 0); moving right then down should cost 6.",
        """
def manhattan(a, b):
    return abs(a[0] - b[0]) + abs(a[1] - b[1])


def neighbours(p):
    x, y = p
    return [(x + 1, y), (x - 1, y), (x, y + 1), (x, y - 1)]
""",
        "abs(a[0] - b[0]) + abs",
        "a[0] - b[0] + abs",
        "from gridmove import neighbours\n\ndef test_neighbours():\n    assert len(neighbours((0, 0))) == 4\n",
        "from gridmove import manhattan\n\ndef test_manhattan():\n    assert manhattan((0, 3), (3, 0)) == 6\n",
        "from gridmove import manhattan\n\ndef test_manhattan_more():\n    assert manhattan((0, 0), (2, 5)) == 7\n    assert manhattan((5, 5), (1, 1)) == 8\n",
    ),
    Bug(
        "identifiers",
        "missing clause in a condition",
        "is_identifier('max_size') is False; underscores are allowed in identifiers.",
        """
def is_identifier(text):
    if not text or text[0].isdigit():
        return False
    for ch in text:
        if not (ch.isalnum() or ch == "_"):
            return False
    return True
""",
        'if not (ch.isalnum() or ch == "_"):',
        "if not ch.isalnum():",
        "from identifiers import is_identifier\n\ndef test_basic():\n    assert is_identifier('abc1')\n    assert not is_identifier('1abc')\n    assert not is_identifier('a-b')\n",
        "from identifiers import is_identifier\n\ndef test_underscore():\n    assert is_identifier('max_size')\n",
        "from identifiers import is_identifier\n\ndef test_leading_underscore():\n    assert is_identifier('_x')\n    assert not is_identifier('a b')\n",
    ),
    Bug(
        "matrix",
        "swapped indices",
        "transpose() of a 2x3 matrix returns the wrong values (or raises IndexError).",
        """
def transpose(m):
    rows, cols = len(m), len(m[0])
    return [[m[i][j] for i in range(rows)] for j in range(cols)]


def identity(n):
    return [[1 if i == j else 0 for j in range(n)] for i in range(n)]
""",
        "m[i][j] for i",
        "m[j][i] for i",
        "from matrix import identity\n\ndef test_identity():\n    assert identity(2) == [[1, 0], [0, 1]]\n",
        "from matrix import transpose\n\ndef test_transpose():\n    assert transpose([[1, 2, 3], [4, 5, 6]]) == [[1, 4], [2, 5], [3, 6]]\n",
        "from matrix import transpose\n\ndef test_transpose_square():\n    assert transpose([[1, 2], [3, 4]]) == [[1, 3], [2, 4]]\n",
    ),
    Bug(
        "leaderboard",
        "missing slice",
        "top(scores, 2) returns every player instead of the best two.",
        '''
def top(scores, limit):
    """Names of the ``limit`` best players, best first."""
    ranked = sorted(scores, key=lambda name: -scores[name])
    return ranked[:limit]


def best(scores):
    return top(scores, 1)[0]
''',
        "return ranked[:limit]",
        "return ranked",
        "from leaderboard import best\n\ndef test_best():\n    assert best({'a': 1, 'b': 3}) == 'b'\n",
        "from leaderboard import top\n\ndef test_top_two():\n    assert top({'a': 1, 'b': 3, 'c': 2}, 2) == ['b', 'c']\n",
        "from leaderboard import top\n\ndef test_top_zero_and_more():\n    assert top({'a': 1}, 0) == []\n    assert top({'a': 1, 'b': 2}, 5) == ['b', 'a']\n",
    ),
    Bug(
        "paging",
        "`+` with a name in scope missing",
        "page_bounds(2, 10) returns (10, 10): every page after the first is empty.",
        '''
def page_bounds(page, size):
    """Half-open item range of a 0-based page."""
    start = page * size
    end = start + size
    return start, end


def page_count(total, size):
    return -(-total // size)
''',
        "end = start + size",
        "end = start",
        "from paging import page_count\n\ndef test_count():\n    assert page_count(21, 10) == 3\n",
        "from paging import page_bounds\n\ndef test_second_page():\n    assert page_bounds(1, 10) == (10, 20)\n",
        "from paging import page_bounds\n\ndef test_first_page():\n    assert page_bounds(0, 5) == (0, 5)\n    assert page_bounds(3, 4) == (12, 16)\n",
    ),
    Bug(
        "primes",
        "comparison operator and constant changed together",
        "is_prime(1) is True.",
        """
def is_prime(n):
    if n < 2:
        return False
    d = 2
    while d * d <= n:
        if n % d == 0:
            return False
        d += 1
    return True
""",
        "if n < 2:",
        "if n <= 0:",
        "from primes import is_prime\n\ndef test_small():\n    assert is_prime(2)\n    assert is_prime(13)\n    assert not is_prime(9)\n",
        "from primes import is_prime\n\ndef test_one():\n    assert not is_prime(1)\n",
        "from primes import is_prime\n\ndef test_zero_negative():\n    assert not is_prime(0)\n    assert not is_prime(-7)\n",
    ),
    Bug(
        "inventory",
        "missing append",
        "low_stock() always returns an empty list although some items are below their threshold.",
        '''
def low_stock(stock, threshold):
    """Names whose quantity is below ``threshold``, in insertion order."""
    low = []
    for name, qty in stock.items():
        if qty >= threshold:
            continue
        low.append(name)
    return low


def total(stock):
    return sum(stock.values())
''',
        "        low.append(name)\n",
        "",
        "from inventory import total\n\ndef test_total():\n    assert total({'a': 2, 'b': 3}) == 5\n",
        "from inventory import low_stock\n\ndef test_low():\n    assert low_stock({'a': 1, 'b': 9, 'c': 0}, 2) == ['a', 'c']\n",
        "from inventory import low_stock\n\ndef test_boundary():\n    assert low_stock({'a': 2}, 2) == []\n",
    ),
    Bug(
        "dedupe",
        "missing assignment",
        "collapse() removes only repeats of the first element: collapse([1, 1, 2, 2]) is [1, 2, 2].",
        '''
def collapse(items):
    """Drop consecutive duplicates."""
    out = []
    last = object()
    for item in items:
        if item != last:
            out.append(item)
        last = item
    return out
''',
        "        last = item\n",
        "",
        "from dedupe import collapse\n\ndef test_empty():\n    assert collapse([]) == []\n",
        "from dedupe import collapse\n\ndef test_runs():\n    assert collapse([1, 1, 2, 2]) == [1, 2]\n",
        "from dedupe import collapse\n\ndef test_non_consecutive():\n    assert collapse([1, 2, 1, 1]) == [1, 2, 1]\n",
    ),
    Bug(
        "ratewindow",
        "comparison operator",
        "allow() lets through one request more than the limit.",
        """
class Window:
    def __init__(self, limit):
        self.limit = limit
        self.count = 0

    def allow(self):
        if self.count >= self.limit:
            return False
        self.count += 1
        return True
""",
        "if self.count >= self.limit:",
        "if self.count > self.limit:",
        "from ratewindow import Window\n\ndef test_first():\n    assert Window(1).allow()\n",
        "from ratewindow import Window\n\ndef test_limit():\n    w = Window(2)\n    assert [w.allow() for _ in range(3)] == [True, True, False]\n",
        "from ratewindow import Window\n\ndef test_zero():\n    assert not Window(0).allow()\n",
    ),
    Bug(
        "triangular",
        "off-by-one in range",
        "triangle(3) is 3 but 1 + 2 + 3 is 6.",
        """
def triangle(n):
    total = 0
    for k in range(1, n + 1):
        total += k
    return total
""",
        "range(1, n + 1)",
        "range(1, n)",
        "from triangular import triangle\n\ndef test_zero():\n    assert triangle(0) == 0\n",
        "from triangular import triangle\n\ndef test_three():\n    assert triangle(3) == 6\n",
        "from triangular import triangle\n\ndef test_one_ten():\n    assert triangle(1) == 1\n    assert triangle(10) == 55\n",
    ),
    Bug(
        "shapes",
        "wrong variable",
        "Rect(2, 5).perimeter() is 8 instead of 14.",
        """
class Rect:
    def __init__(self, width, height):
        self.width = width
        self.height = height

    def area(self):
        return self.width * self.height

    def perimeter(self):
        return 2 * (self.width + self.height)
""",
        "2 * (self.width + self.height)",
        "2 * (self.width + self.width)",
        "from shapes import Rect\n\ndef test_area():\n    assert Rect(2, 5).area() == 10\n",
        "from shapes import Rect\n\ndef test_perimeter():\n    assert Rect(2, 5).perimeter() == 14\n",
        "from shapes import Rect\n\ndef test_perimeter_square():\n    assert Rect(3, 1).perimeter() == 8\n",
    ),
    Bug(
        "access",
        "and/or",
        "can_edit() lets any logged-in user edit other people's documents.",
        """
def can_edit(user, doc):
    return user["active"] and (user["admin"] or doc["owner"] == user["name"])
""",
        'user["active"] and (user["admin"] or doc["owner"] == user["name"])',
        'user["active"] or (user["admin"] or doc["owner"] == user["name"])',
        "from access import can_edit\n\ndef test_owner():\n    assert can_edit({'active': True, 'admin': False, 'name': 'a'}, {'owner': 'a'})\n",
        "from access import can_edit\n\ndef test_inactive_owner():\n    assert not can_edit({'active': False, 'admin': False, 'name': 'a'}, {'owner': 'a'})\n",
        "from access import can_edit\n\ndef test_inactive_admin():\n    assert not can_edit({'active': False, 'admin': True, 'name': 'b'}, {'owner': 'a'})\n",
    ),
    Bug(
        "clock",
        "wrong constant",
        "to_seconds('1:00:00') is 60 instead of 3600.",
        """
def to_seconds(text):
    h, m, s = (int(p) for p in text.split(":"))
    return h * 3600 + m * 60 + s
""",
        "h * 3600",
        "h * 60",
        "from clock import to_seconds\n\ndef test_minutes():\n    assert to_seconds('0:02:05') == 125\n",
        "from clock import to_seconds\n\ndef test_hour():\n    assert to_seconds('1:00:00') == 3600\n",
        "from clock import to_seconds\n\ndef test_mixed():\n    assert to_seconds('2:01:01') == 7261\n",
    ),
    Bug(
        "changemaker",
        "swapped call arguments",
        "split_cents(250) returns (50, 2) instead of (2, 50).",
        '''
def split_cents(cents):
    """(whole units, remaining cents)."""
    return divmod(cents, 100)


def fmt(cents):
    units, rest = split_cents(cents)
    return f"{units}.{rest:02d}"
''',
        "divmod(cents, 100)",
        "divmod(100, cents)",
        "from changemaker import split_cents\n\ndef test_round_hundred():\n    assert split_cents(100) == (1, 0)\n",
        "from changemaker import split_cents\n\ndef test_split():\n    assert split_cents(250) == (2, 50)\n",
        "from changemaker import fmt\n\ndef test_fmt():\n    assert fmt(1005) == '10.05'\n    assert fmt(7) == '0.07'\n",
    ),
    Bug(
        "stats",
        "missing power",
        "variance([1, 3]) is 0; it should be 1.",
        """
def mean(xs):
    return sum(xs) / len(xs)


def variance(xs):
    m = mean(xs)
    return sum((x - m) ** 2 for x in xs) / len(xs)
""",
        "sum((x - m) ** 2 for x",
        "sum((x - m) for x",
        "from stats import mean\n\ndef test_mean():\n    assert mean([1, 2, 3]) == 2\n",
        "from stats import variance\n\ndef test_variance():\n    assert variance([1, 3]) == 1\n",
        "from stats import variance\n\ndef test_variance_more():\n    assert variance([2, 2, 2]) == 0\n    assert variance([0, 0, 6]) == 8\n",
    ),
    Bug(
        "tags",
        "wrong returned shape (collection instead of a comparison)",
        "has_tag() returns a list instead of True/False; has_tag(post, 'x') == True fails.",
        """
def find(post, tag):
    return [t for t in post["tags"] if t == tag]


def has_tag(post, tag):
    matches = find(post, tag)
    return len(matches) > 0
""",
        "return len(matches) > 0",
        "return matches",
        "from tags import find\n\ndef test_find():\n    assert find({'tags': ['a', 'b']}, 'a') == ['a']\n",
        "from tags import has_tag\n\ndef test_has_tag_is_bool():\n    assert has_tag({'tags': ['x']}, 'x') is True\n",
        "from tags import has_tag\n\ndef test_missing_is_false():\n    assert has_tag({'tags': ['x']}, 'y') is False\n",
    ),
    Bug(
        "validator",
        "wrong boolean returned",
        "in_range(5, 1, 10) is False.",
        """
def in_range(value, low, high):
    if value < low or value > high:
        return False
    return True
""",
        "    return True\n",
        "    return False\n",
        "from validator import in_range\n\ndef test_out():\n    assert not in_range(0, 1, 10)\n",
        "from validator import in_range\n\ndef test_in():\n    assert in_range(5, 1, 10)\n",
        "from validator import in_range\n\ndef test_edges():\n    assert in_range(1, 1, 10) and in_range(10, 1, 10)\n    assert not in_range(11, 1, 10)\n",
    ),
]
