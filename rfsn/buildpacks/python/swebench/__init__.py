"""Environments from the SWE-bench harness's per-repository, per-version specs."""
