"""The controller: one repair session. ``loop`` pulls a proposal from the planner, passes it
through the gate and hands what the gate approved to the executor (``executor``), until the
planner finishes or the budget (``budget``) is spent; ``session`` sets the parts up and writes
the outputs (``trajectory``, ``report``, ``result.json``).
"""
