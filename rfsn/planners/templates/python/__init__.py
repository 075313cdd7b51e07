"""AST-level repair templates for Python, grouped by family, and the candidate driver."""

from rfsn.planners.templates.python.base import Edit, FileContext, Template
from rfsn.planners.templates.python.catalogue import BY_NAME, CATALOGUE
from rfsn.planners.templates.python.driver import generate_candidates

__all__ = ["BY_NAME", "CATALOGUE", "Edit", "FileContext", "Template", "generate_candidates"]
