"""Prices of order lines, with a bulk discount."""

from decimal import ROUND_HALF_UP, Decimal

BULK_THRESHOLD = 10
BULK_DISCOUNT = Decimal("0.10")
CENT = Decimal("0.01")


def bulk_discount(quantity: int) -> Decimal:
    """The fraction taken off a line of ``quantity`` items."""
    if quantity < 0:
        raise ValueError("quantity must not be negative")
    if quantity > BULK_THRESHOLD:
        return BULK_DISCOUNT
    return Decimal(0)


def line_total(unit_price: Decimal, quantity: int) -> Decimal:
    """Price of a line after its discount, rounded to the cent."""
    gross = unit_price * quantity
    return (gross * (1 - bulk_discount(quantity))).quantize(CENT, rounding=ROUND_HALF_UP)
