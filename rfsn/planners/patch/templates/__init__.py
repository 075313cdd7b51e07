"""Repair templates: small, likely edits at suspicious lines, ranked by how likely they fix.

The core here is language-neutral: ``edit`` (an ``Edit`` and a ``Template``), ``driver`` (one
loop for every language: read a file, apply a catalogue at each line, rank, de-duplicate),
``budget`` (how candidates are spread across lines and templates), ``similar`` (names often
written for one another) and ``hints``. Two peer subpackages hold the languages: ``python``
(templates on the syntax tree) and ``tokens`` (templates on token streams for the C-like
languages); each depends on the core, never on the other.
"""
