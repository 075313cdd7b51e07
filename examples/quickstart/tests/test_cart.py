from decimal import Decimal

import pytest

from shop import Cart


def test_empty_cart_costs_nothing():
    assert Cart().total() == 0


def test_total_adds_lines():
    cart = Cart()
    cart.add("pen", Decimal("1.20"), 2)
    cart.add("pad", Decimal("3.05"))
    assert cart.total() == Decimal("5.45")


def test_quantity_must_be_positive():
    with pytest.raises(ValueError):
        Cart().add("pen", Decimal("1.20"), 0)
