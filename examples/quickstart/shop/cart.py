"""A cart of order lines."""

from dataclasses import dataclass, field
from decimal import Decimal

from shop.pricing import line_total


@dataclass(frozen=True)
class LineItem:
    sku: str
    unit_price: Decimal
    quantity: int


@dataclass
class Cart:
    items: list[LineItem] = field(default_factory=list)

    def add(self, sku: str, unit_price: Decimal, quantity: int = 1) -> None:
        if quantity <= 0:
            raise ValueError("quantity must be positive")
        self.items.append(LineItem(sku, unit_price, quantity))

    def total(self) -> Decimal:
        return sum((line_total(i.unit_price, i.quantity) for i in self.items), Decimal(0))
