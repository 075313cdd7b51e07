"""The package index of another date an env recipe with an ``index_date`` builds against: its
upstream and the address of its views (``rfsn.sandbox.asofindex`` serves it; a pack's recipe
addresses it)."""

from __future__ import annotations

#: PyPI's simple index: today's, and the upstream of an index of another date
PYPI = "https://pypi.org/simple"
#: the dated index's view as of the day after the first releases of NAMES (comma-separated) after
#: DAY: ``/raised/DAY/NAMES/simple``, beside its own ``/simple`` (``raised_install``)
RAISED_VIEW = "/raised"
