"""The example program with coupon and voucher sections, for the lifecycle's tests (version 8 of program_full)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).resolve().parents[1] / "data"

SECTIONS: dict[str, Any] = {
    "version": 8,
    "coupons": [
        {"code": "welcome", "name": {"en": "Welcome 30%", "he": "ברוכים הבאים 30%"}, "kind": "member",
         "discount": "percent", "pct": 30, "issue_on": ["enrolment", "manual"], "valid_days": 30},
        {"code": "bday", "name": {"en": "Birthday ₪10", "he": "יום הולדת ₪10"}, "kind": "member",
         "discount": "amount", "amount": 1000, "issue_on": ["birthday", "manual"], "valid_days": 31},
        {"code": "save5", "name": {"en": "Save ₪5", "he": "חסכו ₪5"}, "kind": "public", "promo_code": "SAVE5",
         "discount": "amount", "amount": 500, "per_member_limit": 1, "chain_limit": 2, "offline_limit": 1},
    ],
    # every ₪1,000: no single test sale reaches it once pricing issues vouchers (P's branch), so the tests here
    # issue the vouchers they need themselves
    "vouchers": [{"code": "per100", "name": {"en": "₪5 per ₪1,000", "he": "₪5 על כל ₪1,000"}, "trigger": "spend",
                  "every": 100000, "value": 500, "expires_days": 90},
                 {"code": "pts", "name": {"en": "₪10 for 5,000 points", "he": "₪10 תמורת 5,000 נקודות"},
                  "trigger": "points", "every": 5000, "value": 1000},
                 {"code": "bakery", "name": {"en": "Bakery month", "he": "חודש המאפייה"}, "trigger": "category_month",
                  "spend_categories": ["bakery"], "min_spend": 100000, "value": 300}],
}


def write(folder: Path) -> Path:
    """program_full.json with the sections above, as a file in `folder`."""
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8")) | SECTIONS
    path = folder / "program_coupons.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return path
