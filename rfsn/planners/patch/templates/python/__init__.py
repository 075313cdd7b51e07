"""AST-level repair templates for Python, grouped by family, and their driver."""

from rfsn.planners.patch.templates.python.base import FileContext
from rfsn.planners.patch.templates.python.catalogue import BY_NAME, CATALOGUE
from rfsn.planners.patch.templates.python.driver import generate_candidates, generate_with_tests

__all__ = ["BY_NAME", "CATALOGUE", "FileContext", "generate_candidates", "generate_with_tests"]
