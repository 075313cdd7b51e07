"""Structured events (structlog) and metrics (prometheus-client)."""
