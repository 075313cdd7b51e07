"""Planners: what to propose next. The meta-planner (``meta``) walks the phases (reproduce,
localize, patch, verify) over the ``Planner`` protocol (``base``), localizes the fault
(``localize``), asks a ``PatchStrategy`` (``strategies``: the offline templates in
``templates``, or a model) for candidates, screens them on the tests (``screening``) and ranks
the plausible ones (``choice``). It proposes; the gate decides and the controller executes.
"""
