"""Order versions for detection tests, shaped as the WooCommerce client parses them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal

T0 = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)


@dataclass
class FakeOrder:
    id: int
    status: str
    date_modified_gmt: datetime = T0
    number: str = ""
    currency: str = "RUB"
    total: Decimal = Decimal("1490.00")
    refunded_total: Decimal = Decimal(0)
    customer_name: str = "Анна Петрова"
    date_created_gmt: datetime | None = T0 - timedelta(minutes=3)
    date_paid_gmt: datetime | None = None
    date_completed_gmt: datetime | None = None
    line_items: tuple = ()

    def __post_init__(self) -> None:
        self.number = self.number or str(self.id)
        if self.date_paid_gmt is None and self.status in ("processing", "completed"):
            self.date_paid_gmt = T0 - timedelta(minutes=1)
