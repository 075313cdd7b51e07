"""Repair templates for the C-like languages (JavaScript and TypeScript, Go, Rust, Java, C),
on token streams rather than syntax trees: the lexer (``lexer``), each file's view
(``context``), the template families (``ops``, ``names``, ``calls``, ``members``,
``siblings``) and the catalogue with its reader for the shared driver (``driver``).
A peer of ``templates.python``: both build on the language-neutral core (``templates.edit``,
``templates.driver``, ``templates.similar``) and neither imports the other.
"""
