"""The coupon and voucher lifecycle on a terminal: issuing, what a member holds, checking what a sale presents,
recording uses, returning them on a whole refund (docs/promotions.md).

Everything is a ledger entry of the lifecycle's kinds (`pos_client.ledger_kinds.PROMO_KINDS`) written in the
caller's unit of work — the sale's, the enrolment's, the manager's — so it reaches HQ exactly once through the
outbox with the rest of that action, and `member_promos` (`pos_client.promotions.holdings`) tells what is held.

Who may spend what: a member coupon shown as its signed QR (`KUPC1.…`) needs nothing more; a coupon id typed
needs the member's card token or a manager PIN, as spending points does (DESIGN.md, "Member cards"); so does a
voucher, which pricing checks (`voucher.needs_card`), not this module. A public promo code needs an identified member (coupons are never for a non-member sale), and counts
against its per-member limit here and, while the terminal is offline, its per-terminal `offline_limit`; HQ
applies the chain-wide limit when the sale is pushed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import and_, bindparam, func, select
from sqlalchemy.orm import Session

from pos_client.cards import coupon_tokens
from pos_client.cards.keys import load_key
from pos_client.cards.tokens import TokenError, b64decode
from pos_client.db import driver
from pos_client.db.models import LedgerEntry, MemberDay, MemberPromo, OutboxRow, Sale, SaleLine, TrustedKey
from pos_client.errors import InvalidInputError, NotFoundError, RuleViolation
from pos_client.ledger import EntryDraft
from pos_client.member_state import rules as member_rules
from pos_client.messages import message
from pos_client.program.promotions import Coupon
from pos_client.program.schema import Program
from pos_client.promotions import holdings, rules
from pos_client.promotions.holdings import Holding
from pos_client.services import programs
from pos_client.terminal import Terminal
from pos_client.timeutil import from_iso, to_iso

COUPON_UNKNOWN = message("coupon.not_found", en="'{code}' is no coupon or promo code of this program",
                         he="'{code}' אינו קופון או קוד מבצע של התוכנית")
COUPON_NOT_YOURS = message("coupon.not_yours", en="coupon {ref} was issued to another member",
                           he="הקופון {ref} הונפק לחבר אחר")
COUPON_USED = message("coupon.used", en="coupon {ref} was already used (sale {sale})",
                      he="הקופון {ref} כבר מומש (מכירה {sale})")
COUPON_EXPIRED = message("coupon.expired", en="coupon {ref} was valid until {until}",
                         he="הקופון {ref} היה בתוקף עד {until}")
COUPON_NEEDS_MEMBER = message("coupon.member_required", en="a coupon needs an identified member",
                              he="קופון דורש חבר מזוהה")
COUPON_NEEDS_CARD = message("coupon.needs_card",
                            en="coupon {ref} typed by its id needs the member's card or a manager PIN "
                               "(or scan the coupon's QR)",
                            he="קופון {ref} שהוקלד לפי מספרו דורש את כרטיס החבר או קוד מנהל (או סריקת ה־QR של הקופון)")
COUPON_BAD_TOKEN = message("coupon.bad_token", en="the coupon's code is not valid: {reason}",
                           he="קוד הקופון אינו תקף: {reason}")
COUPON_KEY_UNKNOWN = message("coupon.key_unknown", en="the coupon was signed by a key this terminal does not trust",
                             he="הקופון נחתם במפתח שהקופה אינה סומכת עליו")
COUPON_MEMBER_LIMIT = message("coupon.limit_per_member",
                              en="promo code {code} may be used {limit} times per member: used up",
                              he="קוד המבצע {code} מותר לשימוש {limit} פעמים לחבר: נוצל")
COUPON_OFFLINE_LIMIT = message("coupon.limit_offline",
                               en="promo code {code} was used {limit} times on this terminal since HQ last "
                                  "confirmed: sync first",
                               he="קוד המבצע {code} נוצל {limit} פעמים בקופה זו מאז האישור האחרון של המטה: "
                                  "סנכרנו קודם")
COUPON_NOT_ISSUABLE = message("coupon.not_issuable", en="coupon {code} is a public promo code: it is not issued",
                              he="הקופון {code} הוא קוד מבצע ציבורי: הוא אינו מונפק")
VOUCHER_UNKNOWN = message("voucher.not_found", en="no voucher {ref}", he="אין שובר {ref}")
VOUCHER_NOT_YOURS = message("voucher.not_yours", en="voucher {ref} belongs to another member",
                            he="השובר {ref} שייך לחבר אחר")
VOUCHER_USED = message("voucher.used", en="voucher {ref} was already used (sale {sale})",
                       he="השובר {ref} כבר מומש (מכירה {sale})")
VOUCHER_EXPIRED = message("voucher.expired", en="voucher {ref} expired on {until}",
                          he="תוקף השובר {ref} פג ב־{until}")


@dataclass(frozen=True)
class PresentedCoupon:
    """A coupon the service checked for this sale: the program's `code`, the `ref` pricing and the ledger
    record (an issued coupon's id, or the promo code as typed), and whether it is a member coupon."""

    code: str
    ref: str
    member_bound: bool


@dataclass(frozen=True)
class PresentedVoucher:
    voucher_id: str
    code: str
    value: int | None


# -- issuing ---------------------------------------------------------------------------------------------------
def coupon_issue_draft(program: Program, coupon_code: str, member_id: str, now: datetime,
                       source: str) -> EntryDraft:
    """The `coupon_issue` entry handing member coupon `coupon_code` to `member_id` now (`source`: enrolment,
    birthday, manual or offer); valid from today's store date for the coupon's `valid_days`."""
    coupon = program.coupon(coupon_code)
    if coupon is None:
        raise NotFoundError(COUPON_UNKNOWN, code=coupon_code)
    if coupon.kind != "member":
        raise InvalidInputError(COUPON_NOT_ISSUABLE, code=coupon_code)
    until = rules.coupon_valid_until(coupon, member_rules.store_date(now, program.timezone))
    return EntryDraft(member_id, "coupon_issue", ref_code=coupon.code, promo_ref=rules.new_ref("coupon"),
                      valid_until=until.isoformat() if until else None, reason=source)


def enrolment_drafts(program: Program | None, member_id: str, now: datetime) -> list[EntryDraft]:
    """The member coupons a new member receives (`issue_on: enrolment`), in the enrolment's transaction."""
    if program is None:
        return []
    return [coupon_issue_draft(program, c.code, member_id, now, "enrolment")
            for c in program.coupons if c.kind == "member" and "enrolment" in c.issue_on]


def offer_drafts(program: Program, coupon_code: str, member_id: str, now: datetime) -> list[EntryDraft]:
    """The coupon an offer hands a member (K's offers call this inside their own unit of work and append the
    drafts with `pos_client.ledger.append_many`)."""
    return [coupon_issue_draft(program, coupon_code, member_id, now, "offer")]


_BIRTHDAY_ISSUES = driver.Statement(select(MemberPromo.code, func.max(MemberPromo.issued_at)).where(
    MemberPromo.member_id == bindparam("m"), MemberPromo.kind == "coupon", MemberPromo.source == "birthday")
    .group_by(MemberPromo.code))


def birthday_drafts(session: Session, program: Program, member_id: str, birthday: date | None,
                    now: datetime) -> list[EntryDraft]:
    """The birthday coupons due at a sale `now`: in the member's birthday month at the store (its zone), once
    per calendar year and coupon — at the first sale of that month, in that sale's transaction."""
    wanted = [c for c in program.coupons if c.kind == "member" and "birthday" in c.issue_on]
    if not wanted or birthday is None:
        return []
    today = member_rules.store_date(now, program.timezone)
    last = {code: member_rules.store_date(from_iso(at), program.timezone).year
            for code, at in driver.all_rows(session, _BIRTHDAY_ISSUES, {"m": member_id})}
    return [coupon_issue_draft(program, c.code, member_id, now, "birthday") for c in wanted
            if rules.birthday_coupon_due(birthday, today, last.get(c.code))]


def token_for(terminal: Terminal, holding: Holding) -> str:
    """The signed QR payload of a member coupon (deterministic: Ed25519 signs the same text the same way)."""
    return coupon_tokens.sign(load_key(terminal.keys_dir), holding.member_id, holding.promo_ref, holding.valid_until)


# -- what a sale presents --------------------------------------------------------------------------------------
_e, _o = driver.table(LedgerEntry).c, driver.table(OutboxRow).c
_MEMBER_USES = driver.Statement(select(func.count()).where(
    _e.member_id == bindparam("m"), _e.ref_code == bindparam("code"), _e.kind == bindparam("kind")))
_UNCONFIRMED_HERE = driver.Statement(select(func.count()).select_from(driver.table(LedgerEntry).join(
    driver.table(OutboxRow), and_(_o.kind == "ledger_entry", _o.ref_id == _e.entry_id))).where(
    _e.kind == "coupon_use", _e.ref_code == bindparam("code"), _e.terminal_id == bindparam("t"),
    _o.status != "accepted"))
_KEY_SQL = driver.Statement(select(TrustedKey.public_key, TrustedKey.revoked_at).where(
    TrustedKey.key_id == bindparam("kid")))


def _count(session: Session, statement: driver.Statement, params: dict[str, Any]) -> int:
    row = driver.one(session, statement, params)
    return int(row[0]) if row else 0


def present_coupons(session: Session, program: Program, member_id: str | None, can_spend: bool, texts: Sequence[str],
                    now: datetime, *, terminal_id: str, offline: bool) -> list[PresentedCoupon]:
    """Check each `--coupon` (a coupon QR token, an issued coupon id or a public promo code): the member owns it,
    it is unspent and valid today, and a public code is within its limits. Pricing then checks what the coupon
    itself asks (in the program, once on the sale, min spend, targets, window, audience): those rules are
    `pos_client.pricing.promotions.checked_coupons`' alone, not checked again here (issue #12)."""
    if not texts:
        return []
    if member_id is None:
        raise RuleViolation(COUPON_NEEDS_MEMBER)
    today = member_rules.store_date(now, program.timezone)
    out: list[PresentedCoupon] = []
    for raw in texts:
        text = (raw or "").strip()
        if coupon_tokens.looks_like_coupon_token(text):
            ref = _verified_coupon_ref(session, text)
            out.append(_member_coupon(session, program, member_id, ref, today))
        elif text.upper().startswith("C") and len(text) == 1 + rules.REF_LENGTH and program.coupon_by_promo_code(
                text) is None:
            if not can_spend:
                raise RuleViolation(COUPON_NEEDS_CARD, ref=text.upper())
            out.append(_member_coupon(session, program, member_id, text.upper(), today))
        else:
            coupon = program.coupon_by_promo_code(text) if text else None
            if coupon is None:
                raise NotFoundError(COUPON_UNKNOWN, code=text[:40])
            out.append(_public(session, coupon, member_id, text.upper(), terminal_id, offline,
                               sum(1 for p in out if p.code == coupon.code)))
    return out


def _verified_coupon_ref(session: Session, text: str) -> str:
    try:
        token = coupon_tokens.parse(text)
        row = driver.one(session, _KEY_SQL, {"kid": token.key_id})
        if row is None or row[1]:
            raise RuleViolation(COUPON_KEY_UNKNOWN)
        coupon_tokens.verify(token, b64decode(row[0]))
    except TokenError as exc:
        raise RuleViolation(COUPON_BAD_TOKEN, reason=exc.reason) from exc
    held = holdings.by_ref(session, token.coupon_id)
    if held is not None and held.member_id != token.member_id:  # signed, yet not what was issued: refuse
        raise RuleViolation(COUPON_NOT_YOURS, ref=token.coupon_id)
    return token.coupon_id


def _member_coupon(session: Session, program: Program, member_id: str, ref: str, today: date) -> PresentedCoupon:
    held = holdings.by_ref(session, ref)
    if held is None or held.kind != "coupon":
        raise NotFoundError(COUPON_UNKNOWN, code=ref)
    if held.member_id != member_id:
        raise RuleViolation(COUPON_NOT_YOURS, ref=ref)
    if held.used_sale is not None:
        raise RuleViolation(COUPON_USED, ref=ref, sale=held.used_sale)
    if not held.usable_on(today):
        raise RuleViolation(COUPON_EXPIRED, ref=ref, until=held.valid_until.isoformat() if held.valid_until else "")
    return PresentedCoupon(held.code, ref, True)


def _public(session: Session, coupon: Coupon, member_id: str, typed: str, terminal_id: str, offline: bool,
            in_basket: int) -> PresentedCoupon:
    params = {"m": member_id, "code": coupon.code}
    uses = (_count(session, _MEMBER_USES, params | {"kind": "coupon_use"})
            - _count(session, _MEMBER_USES, params | {"kind": "coupon_return"}) + in_basket)
    here = _count(session, _UNCONFIRMED_HERE, {"code": coupon.code, "t": terminal_id}) + in_basket
    broken = rules.public_limit_left(coupon, uses, here, offline)
    if broken == "per_member":
        raise RuleViolation(COUPON_MEMBER_LIMIT, code=typed, limit=coupon.per_member_limit)
    if broken == "offline":
        raise RuleViolation(COUPON_OFFLINE_LIMIT, code=typed, limit=coupon.offline_limit)
    return PresentedCoupon(coupon.code, typed, False)


def present_vouchers(session: Session, program: Program, member_id: str | None, ids: Sequence[str],
                     now: datetime) -> list[PresentedVoucher]:
    """Check each `--voucher ID`: the member's, unspent, not expired.

    What pricing checks is not checked again here (issue #12: one rule, one place): that spending one needs the
    card token or a manager PIN, as points do (`voucher.needs_card`), that the voucher is in the program in force
    (`voucher.unknown`) and that it is on the sale once (`voucher.twice`) are
    `pos_client.pricing.promotions.checked_vouchers`' rules, checked when the sale is priced."""
    today = member_rules.store_date(now, program.timezone)
    out: list[PresentedVoucher] = []
    for raw in ids:
        ref = (raw or "").strip().upper()[:40]
        held = holdings.by_ref(session, ref)
        if held is None or held.kind != "voucher":
            raise NotFoundError(VOUCHER_UNKNOWN, ref=ref)
        if member_id is None or held.member_id != member_id:
            raise RuleViolation(VOUCHER_NOT_YOURS, ref=ref)
        if held.used_sale is not None:
            raise RuleViolation(VOUCHER_USED, ref=ref, sale=held.used_sale)
        if not held.usable_on(today):
            raise RuleViolation(VOUCHER_EXPIRED, ref=ref, until=held.valid_until.isoformat() if held.valid_until else "")
        voucher = program.voucher(held.code)  # none in the program: pricing refuses it (`voucher.unknown`)
        out.append(PresentedVoucher(ref, held.code, None if voucher and voucher.value is None else held.value))
    return out


# -- a sale's entries ------------------------------------------------------------------------------------------
def use_drafts(member_id: str, coupons: Sequence[PresentedCoupon], vouchers: Sequence[PresentedVoucher],
               quote: Any) -> list[EntryDraft]:
    """The `coupon_use` / `voucher_use` entries of a sale, each with the money pricing says it took
    (`Quote.coupons_applied` / `vouchers_applied`: `Applied(code, ref, value)`; 0 until pricing reports it)."""
    taken = {(a.code, a.ref): a.value for a in quote.coupons_applied}
    spent = {a.ref: a.value for a in quote.vouchers_applied}
    return ([EntryDraft(member_id, "coupon_use", ref_code=c.code, promo_ref=c.ref,
                        value=int(taken.get((c.code, c.ref), 0))) for c in coupons]
            + [EntryDraft(member_id, "voucher_use", ref_code=v.code, promo_ref=v.voucher_id,
                          value=int(spent.get(v.voucher_id, 0))) for v in vouchers])


def voucher_issue_drafts(program: Program, member_id: str, quote: Any, now: datetime) -> list[EntryDraft]:
    """The vouchers the quote says this sale issued (`Quote.vouchers_issued`: VoucherIssue(voucher, count)),
    each its own id, value and expiry, in the sale's transaction."""
    today = member_rules.store_date(now, program.timezone)
    drafts: list[EntryDraft] = []
    for issue in quote.vouchers_issued:
        voucher = program.voucher(issue.voucher)
        if voucher is None:
            continue
        until = rules.voucher_valid_until(voucher, today)
        # A `points` voucher carries its conversion: `every` points debited by its own issue entry (the quote's
        # `points_converted`, already out of its balance after the sale).
        debit = rules.issue_points(voucher)
        drafts += [EntryDraft(member_id, "voucher_issue", ref_code=voucher.code, promo_ref=rules.new_ref("voucher"),
                              value=voucher.value or 0, valid_until=until.isoformat() if until else None,
                              points_delta=debit, reason=voucher.trigger) for _ in range(issue.count)]
    return drafts


def return_drafts(session: Session, sale_id: str, member_id: str) -> list[EntryDraft]:
    """On the refund that makes a sale whole-refunded: give back each coupon and voucher it used (a member
    coupon or voucher becomes usable again if still valid; a public code's use stops counting)."""
    entries = holdings.sale_uses(session, sale_id, member_id)
    returned = {ref for _e, kind, _c, ref, _v in entries if kind.endswith("_return")}
    return [EntryDraft(member_id, kind.replace("_use", "_return"), ref_code=code, promo_ref=ref, value=-value,
                       reverses=entry_id, reason="refund: whole sale")
            for entry_id, kind, code, ref, value in entries if kind.endswith("_use") and ref not in returned]


# -- the facts pricing reads ------------------------------------------------------------------------------------
#: A member's qualifying spend from `:since` on: the days after its UTC day from `member_days`, that day itself
#: from the member's ledger entries (`ix_ledger_member_time`): never the member's whole history.
_SPEND_SINCE = driver.Statement(select(
    select(func.coalesce(func.sum(MemberDay.spend), 0)).where(
        MemberDay.member_id == bindparam("m"), MemberDay.day > bindparam("day")).scalar_subquery()
    + select(func.coalesce(func.sum(LedgerEntry.spend_delta), 0)).where(
        LedgerEntry.member_id == bindparam("m"), LedgerEntry.created_at >= bindparam("since"),
        LedgerEntry.created_at < bindparam("next")).scalar_subquery()))
_VOUCHERS_ISSUED = driver.Statement(select(MemberPromo.code, func.count(), func.max(MemberPromo.issued_at)).where(
    MemberPromo.member_id == bindparam("m"), MemberPromo.kind == "voucher").group_by(MemberPromo.code))
_l, _s = driver.table(SaleLine).c, driver.table(Sale).c
#: The member's paid amount per category since `:since` (a UTC ISO time; "" for ever), read through the member's
#: own ledger entries (`ix_ledger_member_time`) and the sales' keys, never a scan of the store's sales: the lines
#: of the sales whose `earn` entry is that recent, less the lines of refunds since then (found by the `reverse`
#: entries they wrote and `ix_sales_refund_of`), whichever month the refunded sale was in.
_BOUGHT = select(_l.category.label("category"), _l.paid.label("paid")).select_from(
    driver.table(LedgerEntry).join(driver.table(SaleLine), _l.sale_id == _e.sale_id)).where(
    _e.member_id == bindparam("m"), _e.kind == "earn", _e.created_at >= bindparam("since"))
_REFUNDED = select(_l.category.label("category"), (-_l.paid).label("paid")).select_from(
    driver.table(Sale).join(driver.table(SaleLine), _l.sale_id == _s.sale_id)).where(
    _s.refund_of.in_(select(_e.sale_id).where(_e.member_id == bindparam("m"), _e.kind == "reverse",
                                              _e.created_at >= bindparam("since"))),
    _s.created_at >= bindparam("since"))
_both = _BOUGHT.union_all(_REFUNDED).subquery()
_CATEGORY_PAID = driver.Statement(select(_both.c.category, func.sum(_both.c.paid)).group_by(_both.c.category))


def _has_voucher(code: str) -> Callable[[Program], bool]:
    return lambda program: program.voucher(code) is not None


@dataclass(frozen=True)
class VoucherFacts:
    """`MemberState.voucher_progress` and `vouchers_issued_on` (the contract's names), from storage."""

    progress: dict[str, int]
    issued_on: dict[str, date]


def voucher_facts(session: Session, program: Program, member_id: str, now: datetime) -> VoucherFacts:
    """Per voucher code: the qualifying spend carried towards the next `every` (`spend`; with
    `spend_categories`, the amount paid on those categories' lines; below 0 after a refund), this store month's
    spend in the voucher's categories (`category_month`; a refund's lines count back), and
    the store date of the last issue. `points` vouchers carry nothing here: the balance is their progress."""
    if not program.vouchers:
        return VoucherFacts({}, {})
    issued = {code: (count, at) for code, count, at in driver.all_rows(session, _VOUCHERS_ISSUED, {"m": member_id})}
    progress: dict[str, int] = {}
    month: dict[str, int] | None = None
    for voucher in program.vouchers:
        if voucher.trigger == "spend":  # the spend since the voucher came into force, never the whole history
            start = programs.in_force_since(session, now, _has_voucher(voucher.code)) or now
            if voucher.spend_categories:  # the paid amount on those categories' lines (refunds back)
                paid = {cat: int(amount) for cat, amount in driver.all_rows(session, _CATEGORY_PAID,
                                                                             {"m": member_id, "since": to_iso(start)})}
                spend = sum(paid.get(cat, 0) for cat in voucher.spend_categories)
            else:  # whole UTC days after it from member_days, the day it came in from its ledger entries
                day = start.astimezone(timezone.utc).date()
                row = driver.one(session, _SPEND_SINCE, {"m": member_id, "day": day.isoformat(), "since": to_iso(start),
                                                         "next": to_iso(datetime.combine(day + timedelta(days=1), time(),
                                                                                         timezone.utc))})
                spend = int(row[0]) if row else 0
            progress[voucher.code] = rules.spend_progress(voucher, spend, issued.get(voucher.code, (0, ""))[0])
        elif voucher.trigger == "category_month":
            if month is None:
                since = to_iso(member_rules.store_month_start(now, program.timezone))
                month = {cat: int(paid) for cat, paid in driver.all_rows(session, _CATEGORY_PAID,
                                                                          {"m": member_id, "since": since})}
            progress[voucher.code] = max(sum(month.get(cat, 0) for cat in voucher.spend_categories), 0)
    issued_on = {code: member_rules.store_date(from_iso(at), program.timezone) for code, (_n, at) in issued.items()}
    return VoucherFacts(progress, issued_on)
