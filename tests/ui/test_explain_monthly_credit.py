"""The quote's monthly plan credit line, as the till words it (its explain code `monthly_credit`)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pos_client.pricing import CartItem, MemberState, price
from pos_client.program.schema import load_program_text
from pos_client.services.till import ProgramLabels
from ui.explain import explain_quote

DATA = Path(__file__).resolve().parents[1] / "data"


def test_monthly_credit_is_explained_with_the_plans_name() -> None:
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))
    document["memberships"][0]["monthly_credit_points"] = 100
    program = load_program_text(json.dumps(document))
    now = datetime(2026, 6, 10, 12, 0, tzinfo=timezone.utc)
    member = MemberState("M1", membership_code="plus", membership_expires=now + timedelta(days=30))
    quote = price([CartItem("CROISSANT", "Croissant", 1, 1200, "bakery")], member, program, now)
    labels = ProgramLabels("ILS", {}, {}, {"plus": {"en": "Plus", "he": "פלוס"}})
    lines = explain_quote(quote, labels, {}, "en")
    assert "Plus: monthly credit +100 points" in lines
    assert quote.points_balance_after == quote.points_earned + 100
