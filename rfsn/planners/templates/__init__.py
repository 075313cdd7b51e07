"""Repair templates: AST-level for Python, token-level for other languages."""
