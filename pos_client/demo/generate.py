"""Build the demo store: program, catalog, users, ~200 members and a year of sales.

Deterministic (a fixed seed), and written through the same services as real sales (`record_sale`,
`enrol`), so the history obeys every rule of the program: tiers reached by real spend, punch-card rewards,
redemptions by card, memberships sold as a SKU, refunds as reversing entries. It runs in one transaction.
"""

from __future__ import annotations

import json
import logging
import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from pos_client.demo.names import FIRST_EN, FIRST_HE, LAST_EN, LAST_HE
from pos_client.errors import KupaError
from pos_client.services.catalog import parse_catalog, upsert_products
from pos_client.services.checkout import BasketRequest, price_request, record_sale
from pos_client.services.members import enrol
from pos_client.member_state.rules import store_date
from pos_client.program.schema import Program, read_program_file
from pos_client.services.programs import install_program, program_at
from pos_client.services import staff
from pos_client.terminal import Terminal, put_setting

log = logging.getLogger(__name__)

DEMO_DIR = Path(__file__).resolve().parents[2] / "resources" / "demo"
CASHIER_PIN = "1111"
MANAGER_PIN = "2468"
STORE_NAME = "Kupa Café & Sport"


@dataclass(frozen=True)
class DemoSummary:
    members: int
    sales: int
    cashier_pin: str
    manager_pin: str


def _basket(rng: random.Random, skus_by_cat: dict[str, list[str]], big: bool) -> list[tuple[str, int]]:
    items = [(rng.choice(skus_by_cat["coffee"]), rng.choice([1, 1, 1, 2]))]
    if rng.random() < 0.6:
        items.append((rng.choice(skus_by_cat["bakery"] + skus_by_cat["drinks"] + skus_by_cat["food"]), 1))
    if big or rng.random() < 0.12:
        items.append((rng.choice(skus_by_cat["apparel"] + skus_by_cat["gear"] + skus_by_cat["footwear"]
                                 + skus_by_cat["nutrition"]), 1))
    if rng.random() < 0.03:
        items.append(("GIFT-100", 1))
    return items


def build_demo(terminal: Terminal, *, members: int = 200, seed: int = 7, now: datetime | None = None) -> DemoSummary:
    """Fill a freshly initialised terminal with the demo store."""
    rng = random.Random(seed)
    now = now or datetime.now(timezone.utc)
    start = now - timedelta(days=400)
    program = read_program_file(DEMO_DIR / "program.json")
    rows = parse_catalog((DEMO_DIR / "products.csv").read_text(encoding="utf-8"), is_json=False)
    skus_by_cat: dict[str, list[str]] = {}
    for row in rows:
        skus_by_cat.setdefault(row.category, []).append(row.sku)
    sales = 0
    with terminal.unit_of_work() as session:
        put_setting(session, "store_name", STORE_NAME)
        install_program(session, program, start - timedelta(days=1))
        upsert_products(session, rows)
        # names only: the role is data (`staff.role`), worded by the app in the reader's language
        cashier = staff.create(session, "Dana", "cashier", CASHIER_PIN).user_id
        staff.create(session, "Avi", "manager", MANAGER_PIN)
        people: list[tuple[str, str, float, datetime]] = []
        for i in range(members):
            hebrew = i % 3 == 0
            name = (f"{rng.choice(FIRST_HE)} {rng.choice(LAST_HE)}" if hebrew
                    else f"{rng.choice(FIRST_EN)} {rng.choice(LAST_EN)}")
            enrolled = start + timedelta(days=rng.uniform(0, 360), hours=rng.uniform(7, 19))
            birthday = date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28)) if rng.random() < 0.8 else None
            referrer = people[rng.randrange(len(people))][0] if people and rng.random() < 0.1 else None
            member, _card, token = enrol(
                terminal, session, program, enrolled, name=name, phone=f"05{rng.randint(0, 8)}{rng.randint(1000000, 9999999)}",
                email=None, birthday=birthday, referred_by=referrer,
                bonus_weekday=rng.randint(0, 6) if rng.random() < 0.5 else None, cashier_id=cashier)
            # visits per week: a few heavy regulars (gold), many occasional ones
            appetite = rng.choice([0.1, 0.2, 0.3, 0.5, 0.7, 1.0, 1.5, 2.5])
            people.append((member.member_id, token, appetite, enrolled))
        events: list[tuple[datetime, str | None, str | None, float]] = []
        for member_id, token, appetite, enrolled in people:
            day = enrolled
            while True:
                day += timedelta(days=rng.expovariate(appetite / 14))
                if day >= now - timedelta(hours=1):
                    break
                events.append((day, member_id, token, appetite))
        for _ in range(members * 3):
            events.append((start + timedelta(days=rng.uniform(0, 399)), None, None, 0))
        events.sort(key=lambda e: e[0])
        for moment, buyer, member_token, appetite in events:
            items = _basket(rng, skus_by_cat, big=appetite >= 2.5 and rng.random() < 0.25)
            if buyer and rng.random() < 0.01:
                items.append(("MEMBER-PLUS-Y", 1))
            request = BasketRequest(items=tuple(items), member_code=member_token if buyer else None,
                                    cashier_id=cashier)
            if buyer:
                request = _with_rewards(session, terminal, request, moment, rng)
            try:
                record_sale(session, terminal, request, moment)
                sales += 1
            except KupaError as exc:  # pragma: no cover - the generator only builds valid baskets
                log.debug("demo sale skipped: %s", exc)
    return DemoSummary(members=members, sales=sales, cashier_pin=CASHIER_PIN, manager_pin=MANAGER_PIN)


def _with_rewards(session: Session, terminal: Terminal, request: BasketRequest, moment: datetime,
                  rng: random.Random) -> BasketRequest:
    """Let the member take the punch-card reward when due and redeem points now and then."""
    rewards = price_request(session, terminal, request, moment).quote.rewards_due
    with_rewards = replace(request, punch_rewards=tuple(rewards))
    limits = price_request(session, terminal, with_rewards, moment).quote.redeem_limits
    redeem = 0
    if limits.max_points and rng.random() < 0.25:
        redeem = max(limits.min_points, limits.max_points // 2 // limits.step * limits.step)
    return replace(with_rewards, redeem_points=redeem)


def demo_promotions(today: date) -> dict[str, Any]:
    """The promotion sections of the demo store (`resources/demo/promotions.json`): a member price for the plan,
    coupons (member and a public code, RUN10), a spend voucher, gift cards, a campaign running this week from
    `today` ("TODAY" and "TODAY+6" in the file), a segment and its offer."""
    document: dict[str, Any] = json.loads((DEMO_DIR / "promotions.json").read_text(encoding="utf-8"))
    for campaign in document["campaigns"]:
        for end in ("starts", "ends"):
            offset = campaign[end].removeprefix("TODAY")
            campaign[end] = (today + timedelta(days=int(offset or 0))).isoformat()
    return document


def install_promotions(terminal: Terminal, now: datetime | None = None) -> Program:
    """A new version of the program in force with the demo's promotions, in force from `now` (the demo's history
    was sold under the version before): `kupa init --demo` and the screenshots call it."""
    now = now or datetime.now(timezone.utc)
    with terminal.unit_of_work() as session:
        current = program_at(session, now)
        today = store_date(now, current.timezone)
        raw = json.loads(current.canonical_json()) | demo_promotions(today) | {"version": current.version + 1}
        program = Program.model_validate(raw)
        install_program(session, program, now)
    return program
