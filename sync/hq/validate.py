"""HQ checks every pushed item against its own truth before it stores anything (DESIGN.md, "HQ owns the
truth"; STYLE.md habit 19). One place: `sync.hq.push` calls a `Validator` for each item that is new (not a
duplicate), and stores it only when the answer is None; otherwise the `Refusal` (a code of `sync.refusals`
and its parameters) goes back to the terminal and into `hq_rejections`. docs/sync.md lists the rules.

The protocol models (`sync.protocol`) already refuse wrong types, unknown keys, oversized strings and numbers,
and times that are not aware ISO 8601. Here come the rules that need HQ's clock, its programs and its rows:

- **Time**: no timestamp later than HQ's clock plus `MAX_FUTURE_SKEW`, none before `EARLIEST`.
- **Kinds and signs** (`SIGNS`): a `redeem`, `donate` or `expire` only takes points, an `earn` only adds, a
  `stamp_reward` only spends stamps... and no member's stamps on a card ever go below zero at HQ. Points may
  (two offline counters redeeming the same points is allowed and flagged for review, DESIGN.md).
- **Amounts**: every entry within `MAX_ENTRY_POINTS`, `MAX_ENTRY_MONEY` and `MAX_ENTRY_STAMPS`; the amounts a
  program defines (welcome, birthday, referral, action points; plans; punch cards) exactly as the program
  version the entry names, which HQ must have published; an earn at most what its sale could earn: the sale
  (this terminal's, this member's) must be at HQ or in the same push, the earn's qualifying spend at most the
  sale's total, and its points at most `earn_points(spend, earn, largest multiplier) + EARN_SLACK_POINTS`.
- **Ownership**: a terminal enrols member ids only from its own range (`M` + its HQ prefix, or the prefix it
  derived from its id before its first sync if no other terminal holds it); it revokes or replaces only cards
  it issued (the signing key's owner), unless the card carries `audit_id`, the manager's decision
  (`card_revoke`/`card_reissue` audit item of the same terminal, with a user id) pushed with it.
- **Member fields**: name, phone, e-mail and birthday by the counter's own rules (`pos_client.member_fields`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.errors import InvalidInputError
from pos_client.member_fields import MEMBER_ID_RE, check_email, check_name, normalize_phone, parse_birthday
from pos_client.pricing.engine import earn_points, largest_multiplier
from pos_client.program.limits import MAX_ENTRY_POINTS
from pos_client.program.schema import Program, load_program_text
from pos_client.ids import parse_member_id
from pos_client.services.setup import member_prefix_for
from pos_client.timeutil import to_iso
from pos_client.ledger_kinds import PROMO_KINDS
from sync.hq.promos import PromoBook
from sync.hq.models import HqAudit, HqBalance, HqCard, HqKey, HqMember, HqProgram, HqSale, HqTerminal
from sync.protocol import WireAudit, WireCard, WireEntry, WireMember, WireSale
from sync import refusals as R
from sync.refusals import Refusal, refuse

#: How far into the future (by HQ's clock) a pushed timestamp may be: counters' clocks drift by seconds to a
#: minute or two; anything later is a wrong clock (a till set 10 years ahead wrote permanent `expire` entries).
MAX_FUTURE_SKEW = timedelta(minutes=5)
#: No Kupa data is older than this.
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.utc)
#: One entry's money (qualifying spend, value) either way, in minor units (a product costs at most 10^10).
MAX_ENTRY_MONEY = 10_000_000_000
#: One entry's stamps either way.
MAX_ENTRY_STAMPS = 10_000
#: Points an earn may exceed `earn_points()` of its spend by: 0 would do (the counter floors the same exact
#: fraction); 1 absorbs a rounding change between versions without opening a real gap.
EARN_SLACK_POINTS = 1
#: A sale's money fields, each at most this.
MAX_SALE_MONEY = 10_000_000_000

# Sign rules by kind: points, stamps, spend; "+" ≥ 0 and not all zero where it matters, ">" > 0, "<" < 0,
# "-" ≤ 0, "0" must be 0, "*" any.
SIGNS: dict[str, tuple[str, str, str]] = {
    "earn": ("+", "0", "+"), "redeem": ("<", "0", "0"), "stamp": ("0", ">", "0"), "stamp_reward": ("0", "<", "0"),
    "tier_discount": ("0", "0", "0"), "welcome": (">", "0", "0"), "birthday": (">", "0", "0"),
    "membership": ("+", "0", "0"), "donate": ("<", "0", "0"), "adjust": ("*", "*", "*"),
    "reverse": ("*", "*", "-"), "expire": ("<", "0", "0"), "referral": (">", "0", "0"), "action": (">", "0", "0"),
    "campaign": (">", "0", "0"),
    **{kind: ("0", "0", "0") for kind in PROMO_KINDS},
    "voucher_issue": ("-", "0", "0"),  # a `points` voucher debits the points it converts (sync.hq.promos)
}
_RULE_WORDS = {"+": "≥ 0", ">": "> 0", "<": "< 0", "-": "≤ 0", "0": "= 0"}  # the same in every language
_PROGRAM_KINDS = frozenset({"earn", "welcome", "birthday", "referral", "action", "campaign", "membership", "stamp",
                            "stamp_reward"})
_CARD_DECISIONS = frozenset({"card_revoke", "card_reissue"})
Rows = Callable[..., list[Any]]


def _fits(value: int, rule: str) -> bool:
    return {"+": value >= 0, ">": value > 0, "<": value < 0, "-": value <= 0, "0": value == 0}.get(rule, True)


class Validator:
    """The rules for one push of `terminal_id` at HQ time `now`; keeps what the batch changes as it goes
    (stamps, sales) so later items of the same push are checked against it."""

    def __init__(self, session: Session, terminal_id: str, now: datetime, rows: Rows,
                 entries: Sequence[WireEntry], sales: Sequence[WireSale], audits: Sequence[WireAudit]) -> None:
        self.session, self.terminal_id, self.now, self.rows = session, terminal_id, now, rows
        self.latest = now + MAX_FUTURE_SKEW
        # Two look-ups by key (the unique prefix index), not every terminal's row: a push costs the same in a
        # chain of 2,000 terminals as in a store of two.
        self.prefix = session.scalar(select(HqTerminal.member_prefix)
                                     .where(HqTerminal.terminal_id == terminal_id)) or ""
        derived = member_prefix_for(terminal_id)
        taken = session.scalar(select(HqTerminal.terminal_id).where(HqTerminal.member_prefix == derived,
                                                                    HqTerminal.terminal_id != terminal_id).limit(1))
        self.prefixes = {self.prefix} | ({derived} if taken is None else set())
        self.programs: dict[int, Program | None] = {}
        self.batch_sales = {s.sale_id: s for s in sales if self.sale(s) is None}
        wanted = list({e.sale_id for e in entries if e.kind == "earn" and e.sale_id} - set(self.batch_sales))
        s = HqSale.__table__.c
        self.hq_sales = {row[0]: (row[1], row[2], row[3], row[4]) for row in rows(
            [s.sale_id, s.terminal_id, s.member_id, s.total, s.kind], s.sale_id, wanted)}
        b = HqBalance.__table__.c
        spenders = list({e.member_id for e in entries if e.stamps_delta < 0})
        self.stamps: dict[str, dict[str, int]] = {
            row[0]: json.loads(row[1] or "{}") for row in rows([b.member_id, b.stamps], b.member_id, spenders)}
        self.audits = {a.audit_id: a for a in audits}
        #: The coupons and vouchers the push's entries name, and what the accepted ones did (`sync.hq.promos`).
        self.promos = PromoBook(rows, entries)

    # -- shared -------------------------------------------------------------------------------------
    def time(self, name: str, moment: datetime | None) -> Refusal | None:
        if moment is None:
            return None
        if moment > self.latest:
            return refuse(R.TIME_FUTURE, field=name, value=to_iso(moment), limit=to_iso(self.latest))
        if moment < EARLIEST:
            return refuse(R.TIME_TOO_OLD, field=name, value=to_iso(moment), limit=to_iso(EARLIEST))
        return None

    def program(self, version: int | None) -> Program | None:
        """The published program `version` (None if HQ never published it or it no longer loads)."""
        if version is None:
            return None
        if version not in self.programs:
            row = self.session.get(HqProgram, version)
            try:
                self.programs[version] = load_program_text(row.document) if row is not None else None
            except InvalidInputError:
                self.programs[version] = None
        return self.programs[version]

    # -- ledger entries -----------------------------------------------------------------------------
    def entry(self, e: WireEntry) -> Refusal | None:
        """None if `e` may be stored (and then the batch's running stamps include it)."""
        refused = self.time("created_at", e.created_at) or self._entry_bounds(e) or self._entry_rules(e)
        if refused is None and e.kind in PROMO_KINDS:  # last: the book counts an entry it lets through
            refused = self.promos.check(e, self.program(e.program_version))
        if refused is None and e.stamps_delta and e.punch_card:
            held = self.stamps.setdefault(e.member_id, {})
            held[e.punch_card] = held.get(e.punch_card, 0) + e.stamps_delta
        return refused

    def _entry_bounds(self, e: WireEntry) -> Refusal | None:
        for name, value, limit in (("points_delta", e.points_delta, MAX_ENTRY_POINTS),
                                   ("spend_delta", e.spend_delta, MAX_ENTRY_MONEY),
                                   ("value", e.value, MAX_ENTRY_MONEY),
                                   ("stamps_delta", e.stamps_delta, MAX_ENTRY_STAMPS),
                                   ("membership_days", e.membership_days, 36600)):
            if abs(value) > limit:
                return refuse(R.TOO_LARGE, field=name, value=value, limit=limit)
        for name, value, rule in zip(("points_delta", "stamps_delta", "spend_delta"),
                                     (e.points_delta, e.stamps_delta, e.spend_delta), SIGNS[e.kind]):
            if not _fits(value, rule):
                return refuse(R.SIGN, kind=e.kind, field=name, rule=_RULE_WORDS[rule], value=value)
        if e.stamps_delta and not e.punch_card:
            return refuse(R.INVALID, where="punch_card", problem="stamps need the punch card they are on")
        if e.stamps_delta < 0 and e.punch_card:
            held = self.stamps.get(e.member_id, {}).get(e.punch_card, 0)
            if held + e.stamps_delta < 0:
                return refuse(R.STAMPS_NEGATIVE, member_id=e.member_id, balance=held, card=e.punch_card,
                              delta=e.stamps_delta)
        return None

    def _entry_rules(self, e: WireEntry) -> Refusal | None:
        """What the program in force allows (kinds whose amounts it defines)."""
        if e.kind not in _PROGRAM_KINDS:
            return None
        program = self.program(e.program_version)
        if program is None:
            return refuse(R.PROGRAM_UNKNOWN, kind=e.kind, version=str(e.program_version))
        version = program.version
        granted: tuple[int, ...] = ()
        if e.kind == "welcome":
            granted = (program.welcome.points,) if program.welcome else ()
        elif e.kind == "birthday":
            granted = (program.birthday.points,) if program.birthday else ()
        elif e.kind == "referral":
            granted = ((program.referral.referrer_points, program.referral.referee_points)
                       if program.referral else ())
        elif e.kind == "action":
            action = program.action(e.ref_code or "")
            if action is None:
                return refuse(R.NOT_IN_PROGRAM, what="action", code=e.ref_code or "", version=version)
            granted = (action.points,)
        elif e.kind == "campaign":  # a campaign's bonus points, once per sale (docs/pricing.md)
            campaign = program.campaign(e.ref_code or "")
            if campaign is None:
                return refuse(R.NOT_IN_PROGRAM, what="campaign", code=e.ref_code or "", version=version)
            granted = (campaign.bonus_points,)
        elif e.kind == "membership":
            plan = program.membership(e.membership_code or "")
            if plan is not None and e.membership_days == 0 and e.points_delta > 0:  # the plan's monthly credit
                granted = (plan.monthly_credit_points,)
            elif plan is None or e.points_delta or e.membership_days <= 0 or e.membership_days % plan.period_days:
                return refuse(R.NOT_IN_PROGRAM, what="membership", code=f"{e.membership_code}/"
                              f"{e.membership_days}d", version=version)
            else:
                return None
        elif e.kind in ("stamp", "stamp_reward"):
            card = program.punch_card(e.punch_card or "")
            if card is None or (e.kind == "stamp_reward" and e.stamps_delta % card.stamps_needed):
                return refuse(R.NOT_IN_PROGRAM, what="punch card", code=f"{e.punch_card} {e.stamps_delta}",
                              version=version)
            return None
        else:
            return self._earn(e, program)
        if e.points_delta not in granted:
            return refuse(R.PROGRAM_AMOUNT, kind=e.kind, points=e.points_delta, version=version,
                          expected=" or ".join(str(g) for g in granted if g) or "none")
        return None

    def _earn(self, e: WireEntry, program: Program) -> Refusal | None:
        if not e.points_delta and not e.spend_delta:
            return None
        if not e.sale_id:
            return refuse(R.SALE_UNKNOWN, key=e.entry_id, sale_id="(none)")
        sale = self.batch_sales.get(e.sale_id)
        if sale is not None:
            owner, member_id, total, kind = sale.terminal_id, sale.member_id, sale.total, sale.kind
        elif e.sale_id in self.hq_sales:
            owner, member_id, total, kind = self.hq_sales[e.sale_id]
        else:
            return refuse(R.SALE_UNKNOWN, key=e.entry_id, sale_id=e.sale_id)
        if owner != self.terminal_id or kind != "sale" or member_id != e.member_id:
            return refuse(R.SALE_MISMATCH, key=e.entry_id, sale_id=e.sale_id, problem="terminal, kind or member")
        if e.spend_delta > total:
            return refuse(R.SALE_MISMATCH, key=e.entry_id, sale_id=e.sale_id,
                          problem=f"spend {e.spend_delta} > total {total}")
        limit = (earn_points(e.spend_delta, program.earn, largest_multiplier(program)) if program.earn else 0) \
            + EARN_SLACK_POINTS
        if e.points_delta > limit:
            return refuse(R.EARN_TOO_LARGE, points=e.points_delta, spend=e.spend_delta, version=program.version,
                          limit=limit)
        return None

    # -- sales --------------------------------------------------------------------------------------
    def sale(self, s: WireSale) -> Refusal | None:
        refused = self.time("created_at", s.created_at)
        if refused is not None:
            return refused
        money = {"subtotal": s.subtotal, "discount_total": s.discount_total, "redeemed_points": s.redeemed_points,
                 "redeemed_value": s.redeemed_value, "total": s.total, "money_back": s.money_back or 0}
        for name, value in money.items():
            if not 0 <= value <= MAX_SALE_MONEY:
                return refuse(R.TOO_LARGE if value > 0 else R.SIGN, field=name, value=value, limit=MAX_SALE_MONEY,
                              kind=s.kind, rule=_RULE_WORDS["+"])
        if s.kind == "sale" and s.total != s.subtotal - s.discount_total - s.redeemed_value:
            return refuse(R.SALE_TOTALS, key=s.sale_id, total=s.total, subtotal=s.subtotal,
                          discount=s.discount_total, redeemed=s.redeemed_value)
        if s.kind == "refund" and not s.refund_of:
            return refuse(R.INVALID, where="refund_of", problem="a refund names the sale it refunds")
        return _tenders(s)

    # -- members ------------------------------------------------------------------------------------
    def member(self, m: WireMember) -> Refusal | None:
        refused = self.time("enrolled_at", m.enrolled_at)
        if refused is not None:
            return refused
        parts = parse_member_id(m.member_id) if m.member_id.startswith("M") else None
        if not MEMBER_ID_RE.match(m.member_id) or parts is None or not parts.check_ok \
                or parts.prefix not in self.prefixes:
            return refuse(R.MEMBER_RANGE, member_id=m.member_id, prefix=self.prefix)
        return member_fields(m, self.now)

    # -- cards --------------------------------------------------------------------------------------
    def card(self, c: WireCard, row: HqCard | None) -> Refusal | None:
        """A new card (an issue, perhaps replacing older ones) or a revocation, by ownership."""
        refused = self.time("issued_at", c.issued_at) or self.time("revoked_at", c.revoked_at)
        if refused is not None:
            return refused
        if c.key_id:
            key = self.session.get(HqKey, c.key_id)
            if key is not None and key.owner != self.terminal_id:
                return refuse(R.CARD_KEY, card=c.card_number, key_id=c.key_id, owner=key.owner)
        if row is not None:
            if c.revoked_at is None:
                return None
            owner = self._issuer(row.key_id)
            return self._decision(c, owner, "revoke") if owner not in (None, self.terminal_id) else None
        member = self.session.get(HqMember, c.member_id)
        if member is None or member.enrolled_by_terminal == self.terminal_id:
            return None
        others = {self._issuer(key_id) for (key_id,) in self.session.execute(
            select(HqCard.key_id).where(HqCard.member_id == c.member_id, HqCard.serial < c.serial))}
        others -= {None, self.terminal_id}
        if c.revoked_at is not None and not others:
            others = {member.enrolled_by_terminal}  # revoking a card HQ never saw, of another's member
        return self._decision(c, sorted(o for o in others if o)[0], "replace") if others else None

    def _issuer(self, key_id: str | None) -> str | None:
        key = self.session.get(HqKey, key_id) if key_id else None
        return key.owner if key is not None else None

    def _decision(self, c: WireCard, owner: str | None, action: str) -> Refusal | None:
        """None if `c` carries a manager's card decision of this terminal; else the ownership refusal."""
        if c.audit_id is None:
            return refuse(R.CARD_OWNER, card=c.card_number, member_id=c.member_id, owner=owner or "?",
                          action=action)
        audit = self.audits.get(c.audit_id)
        if audit is None:
            stored = self.session.get(HqAudit, c.audit_id)
            if stored is not None and stored.terminal_id == self.terminal_id:
                audit = WireAudit.model_validate_json(stored.body)
        if audit is None or audit.action not in _CARD_DECISIONS or not audit.user_id \
                or audit.target not in (c.card_number, c.member_id):
            return refuse(R.AUDIT_UNKNOWN, card=c.card_number, audit_id=c.audit_id)
        return None


def _tenders(s: WireSale) -> Refusal | None:
    """A sale's tenders by the till's own rules (`pos_client.tender`): they pay exactly the total, change
    comes only from cash and equals what was given beyond the amount, and every tender pays something."""
    if s.tenders is None:  # a terminal older than tenders
        return None
    problem = None
    paid = sum(t.amount for t in s.tenders)
    if paid != s.total:
        problem = f"they pay {paid}, the total is {s.total}"
    for t in s.tenders:
        if problem:
            break
        if t.amount <= 0:
            problem = f"a {t.kind} tender pays {t.amount}"
        elif t.change and (t.kind != "cash" or s.kind != "sale"):
            problem = f"change {t.change} from {t.kind}"
        elif t.given != t.amount + t.change:
            problem = f"{t.kind}: given {t.given} is not amount {t.amount} plus change {t.change}"
    return refuse(R.TENDERS, key=s.sale_id, problem=problem) if problem else None


def member_fields(m: WireMember, now: datetime) -> Refusal | None:
    """A pushed or imported member's name, phone, e-mail and birthday, by the counter's own rules."""
    today = (now + timedelta(days=1)).date()  # a store east of UTC is already in tomorrow
    checks: list[tuple[str, str | None, Callable[[str], object]]] = [
        ("name", m.name, check_name), ("phone", m.phone, normalize_phone), ("email", m.email, check_email),
        ("birthday", m.birthday, lambda text: parse_birthday(text, today))]
    for name, value, check in checks:
        if value is None:
            continue
        try:
            check(value)
        except InvalidInputError as exc:
            return refuse(R.MEMBER_FIELD, member_id=m.member_id, field=name, value=value, problem=exc.message)
    return None
