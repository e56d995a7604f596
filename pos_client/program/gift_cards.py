"""The `gift_cards` section of `program.json`: which SKUs sell a gift card, how much a card may be loaded
with, how long it lives, and how much one card may pay at one terminal in a store day while HQ cannot confirm
its balance (docs/giftcards.md).

A gift SKU's line is priced as kind `gift_card` (`pos_client.pricing.engine._kind`): no discount of any kind,
no points, no tier spend, never paid with points. The card is loaded with the line's unit price; a gift SKU
whose catalog price is 0 is an *open-amount* card: the cashier types the amount (`--gift-amount`, the payment
dialog's field), which must lie within `min_load`..`max_load` like any load.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated

from pydantic import Field, StrictInt, model_validator

from pos_client.program import limits as L
from pos_client.program.fields import ExpiryDays, Sku, StrictModel

Money = Annotated[StrictInt, Field(gt=0, le=L.MAX_SPEND)]


class GiftCards(StrictModel):
    """Gift cards and store credit: a money balance (not points), sold as these SKUs (which never earn points
    nor take a discount), loaded with `min_load`..`max_load`, spent as a tender. Offline, one card may pay at
    most `offline_daily_cap` a store day on one terminal until HQ confirms its balance (0: a card cannot pay
    offline at all); `expiry_days` after the store day of issue the card stops paying (None: never)."""

    skus: Annotated[list[Sku], Field(max_length=L.MAX_CARD_SKUS)] = []
    min_load: Money = 1
    max_load: Money = 100_000_00
    offline_daily_cap: Annotated[StrictInt, Field(ge=0, le=L.MAX_SPEND)] = 0
    expiry_days: ExpiryDays | None = None

    @model_validator(mode="after")
    def _ordered(self) -> GiftCards:
        if self.max_load < self.min_load:
            raise ValueError("max_load must be at least min_load")
        return self

    def load_ok(self, amount: int) -> bool:
        """Whether a card may be issued or loaded with `amount` minor units (both ends included)."""
        return self.min_load <= amount <= self.max_load

    def expires_on(self, issued: date) -> date | None:
        """The last store day a card issued on store day `issued` pays: `issued + expiry_days`, included."""
        return issued + timedelta(days=self.expiry_days) if self.expiry_days else None
