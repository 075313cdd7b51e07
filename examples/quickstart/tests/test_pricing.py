from decimal import Decimal

import pytest

from shop.pricing import BULK_THRESHOLD, bulk_discount, line_total


def test_no_discount_for_small_orders():
    assert bulk_discount(1) == 0
    assert line_total(Decimal("2.50"), 3) == Decimal("7.50")


def test_discount_for_large_orders():
    assert line_total(Decimal("1.00"), 20) == Decimal("18.00")


def test_discount_starts_at_the_threshold():
    assert bulk_discount(BULK_THRESHOLD) == Decimal("0.10")
    assert line_total(Decimal("3.00"), BULK_THRESHOLD) == Decimal("27.00")


def test_negative_quantity_is_rejected():
    with pytest.raises(ValueError):
        bulk_discount(-1)
