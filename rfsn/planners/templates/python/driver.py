"""The Python reader of the template driver: files parsed with ``ast``."""

from __future__ import annotations

import ast
from functools import partial

import structlog

from rfsn.planners.templates.driver import generate
from rfsn.planners.templates.python.base import FileContext
from rfsn.planners.templates.python.catalogue import CATALOGUE

log = structlog.get_logger(__name__)


class PythonReader:
    def context(self, path: str, files: dict[str, str]) -> FileContext | None:
        source = files.get(path)
        if source is None or not path.endswith(".py"):
            return None
        try:
            return FileContext(path, source, ast.parse(source), files)
        except SyntaxError:
            log.warning("unparsable_source", path=path)
            return None

    def valid(self, patched: str, context: FileContext) -> bool:
        try:
            ast.parse(patched)
        except (SyntaxError, ValueError):
            return False
        return True


#: ``generate_candidates(files, locations, limit=200, max_locations=25, templates=CATALOGUE)``:
#: ranked, de-duplicated, parsable candidates for the most suspicious Python lines. ``files``
#: maps repo-relative paths to their text (other Python files help cross-file templates).
generate_candidates = partial(generate, PythonReader(), templates=CATALOGUE)
