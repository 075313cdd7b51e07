"""The phase meta-planner: reproduce -> localize -> patch -> verify.

The plan is a generator: each ``yield`` hands a proposal to the controller and receives its
Feedback, so the phases read top to bottom; each phase's part is the ``phase`` module of its
folder. The targets fall into groups by cause, each tried in turn (localized, then patched) with
its share of the budget (``turns``); once a plausible patch settles the session, the tries of the
groups it leaves failing go on, and verify confirms the fixes together (or the first alone).
What a plan is configured with is one options value (``PlanOptions``).
"""

from rfsn.planners.meta.planner import PhasePlanner, PlanOptions

__all__ = ["PhasePlanner", "PlanOptions"]
