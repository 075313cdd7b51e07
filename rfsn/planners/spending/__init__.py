"""Where a session's budget goes: the tries of the target groups in turn (``tries``), each one's
share of what is left (``share``), and what each spent (``ledger``)."""

from rfsn.planners.spending.ledger import Ledger
from rfsn.planners.spending.share import Share
from rfsn.planners.spending.tries import Try, fixed_together, going_on, regrouped, reserved, settled, tries, weight

__all__ = [
    "Ledger",
    "Share",
    "Try",
    "fixed_together",
    "going_on",
    "regrouped",
    "reserved",
    "settled",
    "tries",
    "weight",
]
