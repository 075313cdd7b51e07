"""A tiny shop: prices, discounts and carts."""

from shop.cart import Cart, LineItem
from shop.pricing import BULK_THRESHOLD, line_total

__all__ = ["BULK_THRESHOLD", "Cart", "LineItem", "line_total"]
