"""Seeded one-step bugs in small JavaScript and Rust modules written for these tests
(not taken from the devset): a call missing an argument, and an operand that should
be another member of the same receiver, with neighbouring variants.

Each bug is ``(name, {path: FIXED source}, path, fixed snippet, buggy snippet)``; the
buggy file is the fixed one with the snippet replaced once, and the location given
to the templates is the line of the buggy snippet (the oracle location).
"""

from __future__ import annotations

from typing import NamedTuple


class SeededBug(NamedTuple):
    name: str
    files: dict[str, str]
    path: str
    fixed: str
    buggy: str

    def buggy_files(self) -> dict[str, str]:
        source = self.files[self.path]
        assert source.count(self.fixed) == 1, self.name
        return {**self.files, self.path: source.replace(self.fixed, self.buggy)}

    def line(self) -> int:
        source = self.buggy_files()[self.path]
        return source[: source.index(self.buggy)].count("\n") + 1


ORDER_JS = """\
'use strict';

function subtotal(lines) {
  return lines.reduce((sum, line) => sum + line.price * line.qty, 0);
}

function heaviest(lines) {
  return lines.reduce((best, line) => (line.weight > best.weight ? line : best), lines[0]);
}

module.exports = { subtotal, heaviest };
"""

TABLE_JS = """\
'use strict';

function pad(text, width, fill) {
  let out = String(text);
  while (out.length < width) out = fill + out;
  return out;
}

function row(label, value) {
  return pad(label, 12, ' ') + pad(value.toFixed(2), 10, ' ');
}

function header(title) {
  return pad(title, 22, '=');
}

module.exports = { pad, row, header };
"""

PAGER_JS = """\
'use strict';

class Paginator {
  constructor(total, perPage) {
    this.total = total;
    this.perPage = perPage;
  }

  pages() {
    return Math.ceil(this.total / this.perPage);
  }

  offset(page) {
    return (page - 1) * this.perPage;
  }
}

module.exports = { Paginator };
"""

SCORES_JS = """\
'use strict';

function median(scores) {
  const sorted = [...scores].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

module.exports = { median };
"""

GRID_RS = """\
pub struct Grid {
    cells: Vec<u8>,
    width: usize,
    height: usize,
}

impl Grid {
    pub fn new(width: usize, height: usize) -> Self {
        Grid { cells: vec![0; width * height], width, height }
    }

    pub fn index(&self, x: usize, y: usize) -> usize {
        y * self.width + x
    }

    pub fn get(&self, x: usize, y: usize) -> u8 {
        self.cells[self.index(x, y)]
    }

    pub fn rows(&self) -> usize {
        self.height
    }
}
"""

DECK_RS = """\
pub struct Deck {
    cards: Vec<u8>,
    dealt: usize,
}

impl Deck {
    pub fn size(&self) -> usize {
        self.cards.len()
    }

    pub fn remaining(&self) -> usize {
        self.size() - self.dealt
    }

    pub fn progress(&self) -> f64 {
        self.dealt as f64 / self.size() as f64
    }
}
"""

BUFFER_RS = """\
pub struct Buffer {
    data: Vec<i32>,
    cap: usize,
}

impl Buffer {
    pub fn capacity(&self) -> usize {
        self.cap
    }

    pub fn len(&self) -> usize {
        self.data.len()
    }

    pub fn available(&self) -> usize {
        self.capacity() - self.len()
    }

    pub fn is_full(&self) -> bool {
        self.len() >= self.capacity()
    }
}
"""

SEEDED = [
    SeededBug("js-reduce-initial-value", {"src/order.js": ORDER_JS}, "src/order.js",
              "line.qty, 0);", "line.qty);"),
    SeededBug("js-argument-by-consensus", {"src/table.js": TABLE_JS}, "src/table.js",
              "pad(value.toFixed(2), 10, ' ')", "pad(value.toFixed(2), 10)"),
    SeededBug("js-sort-comparator", {"src/scores.js": SCORES_JS}, "src/scores.js",
              ".sort((a, b) => a - b)", ".sort()"),
    SeededBug("js-member-of-this", {"src/pager.js": PAGER_JS}, "src/pager.js",
              "this.total / this.perPage", "this.total / this.total"),
    SeededBug("rs-field-of-self", {"src/grid.rs": GRID_RS}, "src/grid.rs",
              "y * self.width + x", "y * self.height + x"),
    SeededBug("rs-field-to-getter", {"src/deck.rs": DECK_RS}, "src/deck.rs",
              "self.dealt as f64 / self.size() as f64", "self.dealt as f64 / self.dealt as f64"),
    SeededBug("rs-getter-to-getter", {"src/buffer.rs": BUFFER_RS}, "src/buffer.rs",
              "self.capacity() - self.len()", "self.capacity() - self.capacity()"),
]
