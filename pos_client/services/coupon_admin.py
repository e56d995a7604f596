"""What the manager and the member panel do with coupons and vouchers outside a sale: issue a coupon by hand
(audited), list what a member holds, show one coupon (with its signed QR payload, to print like a card).
The rules live in `pos_client.services.coupons`; this module only runs them in a unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from pos_client.cards import coupon_tokens
from pos_client.cards.tokens import TokenError
from pos_client.errors import InvalidInputError, NotFoundError
from pos_client.ledger import append_many
from pos_client.member_state import rules as member_rules
from pos_client.messages import message
from pos_client.program.schema import Program
from pos_client.promotions import holdings
from pos_client.promotions.holdings import Holding
from pos_client.services import audit, clock
from pos_client.services.auth import authenticate
from pos_client.services.coupons import COUPON_BAD_TOKEN, coupon_issue_draft, offer_drafts, token_for
from pos_client.services.manager_actions import check_reason
from pos_client.services.members import identify
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import utcnow

NO_SUCH_ISSUED = message("coupon.no_such_issued", en="no issued coupon or voucher {ref}",
                         he="אין קופון או שובר שהונפק בשם {ref}")


@dataclass(frozen=True)
class ShownCoupon:
    holding: Holding
    token: str | None  # a member coupon's QR payload; None for a voucher
    name: str


def _view(terminal: Terminal, program: Program, holding: Holding, lang: str = "en") -> dict[str, Any]:
    item = program.coupon(holding.code) if holding.kind == "coupon" else program.voucher(holding.code)
    view = holding.to_json() | {"name": getattr(item.name, lang, None) if item else None}
    if holding.kind == "coupon":
        view["token"] = token_for(terminal, holding)
    else:
        view["free_item"] = bool(item and getattr(item, "free_item", False))
    return view


def held(terminal: Terminal, session: Session, program: Program, member_id: str, now: datetime, *,
         include_spent: bool = False) -> dict[str, list[dict[str, Any]]]:
    """`coupons` (each with its QR `token`) and `vouchers` (with `value` and `valid_until`) the member may use
    today at the store; with `include_spent`, the spent ones too (`used_sale` set)."""
    today = member_rules.store_date(now, program.timezone)
    return {kind + "s": [_view(terminal, program, h) for h in holdings.held(session, member_id, kind, today,
                                                                            include_spent=include_spent)]
            for kind in ("coupon", "voucher")}


def member_holdings(terminal: Terminal, member_code: str, *, include_spent: bool = False) -> dict[str, Any]:
    now = utcnow()
    with terminal.read() as session:
        member = identify(session, member_code).member
        program = program_at(session, now)
        return {"member_id": member.member_id, **held(terminal, session, program, member.member_id, now,
                                                       include_spent=include_spent)}


def issue_by_manager(terminal: Terminal, member_code: str, coupon_code: str, manager_pin: str,
                     reason: str = "manager's gift") -> dict[str, Any]:
    """`kupa coupon issue MEMBER CODE`: hand a member coupon to a member, under a manager PIN, audited; the
    `coupon_issue` entry, its outbox row and the audit row commit together."""
    now = utcnow()
    reason = check_reason(reason)
    with terminal.unit_of_work() as session:
        clock.guard(session, now)
        manager = authenticate(session, manager_pin, role="manager")
        member = identify(session, member_code).member
        program = program_at(session, now)
        draft = coupon_issue_draft(program, coupon_code, member.member_id, now, "manual")
        append_many(session, [draft], terminal_id=terminal.settings.terminal_id, now=now,
                    cashier_id=manager.user_id, program_version=program.version)
        audit.record(session, now, manager.user_id, "coupon_issue", member.member_id, reason,
                     {"coupon": draft.ref_code, "coupon_id": draft.promo_ref, "valid_until": draft.valid_until})
        issued = holdings.by_ref(session, draft.promo_ref or "")
        assert issued is not None  # just projected by append_many
        return _view(terminal, program, issued) | {"member_id": member.member_id}


def issue_for_offer(terminal: Terminal, member_code: str, coupon_code: str, *,
                    cashier_id: str | None = None) -> dict[str, Any]:
    """The cashier applies an offer's coupon (`offers[].coupon`): the coupon is issued to the member (source
    `offer`) in its own unit of work and returned with its token, to be used on the sale with `--coupon`.
    Whether the offer applies to the member now is the offers' rule (`pos_client.promotions.offers`), checked by
    the caller."""
    now = utcnow()
    with terminal.unit_of_work() as session:
        clock.guard(session, now)
        member = identify(session, member_code).member
        program = program_at(session, now)
        drafts = offer_drafts(program, coupon_code, member.member_id, now)
        append_many(session, drafts, terminal_id=terminal.settings.terminal_id, now=now, cashier_id=cashier_id,
                    program_version=program.version)
        issued = holdings.by_ref(session, drafts[0].promo_ref or "")
        assert issued is not None
        return _view(terminal, program, issued) | {"member_id": member.member_id}


def show(terminal: Terminal, ref_or_token: str) -> ShownCoupon:
    """One issued coupon or voucher by its id or a coupon's QR token (the token's signature is not checked
    here: `show` prints, it does not spend; a sale checks it)."""
    text = (ref_or_token or "").strip()
    if coupon_tokens.looks_like_coupon_token(text):
        try:
            text = coupon_tokens.parse(text).coupon_id
        except TokenError as exc:
            raise InvalidInputError(COUPON_BAD_TOKEN, reason=exc.reason) from exc
    now = utcnow()
    with terminal.read() as session:
        found = holdings.by_ref(session, text.upper()[:40])
        if found is None:
            raise NotFoundError(NO_SUCH_ISSUED, ref=text[:40])
        program = program_at(session, now)
        item = program.coupon(found.code) if found.kind == "coupon" else program.voucher(found.code)
        return ShownCoupon(found, token_for(terminal, found) if found.kind == "coupon" else None,
                           item.name.en if item else found.code)
