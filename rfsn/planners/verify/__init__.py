"""The verify phase: candidates judged on the tests in tiers (``screening``), the tests a patch
may call obsolete (``obsolete``), and the choice among the plausible ones (``choice``)."""
