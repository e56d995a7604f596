"""The coupon and voucher lifecycle on a real terminal through the CLI (docs/promotions.md): issued on
enrolment, by a manager and in the birthday month; shown by `member show`; used once at checkout; returned by
a whole refund only; public codes within their limits; forged tokens and ids refused by code.

Pricing's arithmetic (what a coupon takes off) is not asserted here: it is the pricing's (docs/pricing.md).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests.integration.coupon_program import write as write_program
from pos_client.cards import coupon_tokens
from pos_client.db.models import AuditEntry, LedgerEntry, MemberPromo, OutboxRow
from pos_client.errors import AuthError, RuleViolation
from pos_client.ledger import EntryDraft, append_many
from pos_client.member_state.rules import store_date
from pos_client.messages import CATALOGUE, Message
from pos_client.services import coupons, refunds
from pos_client.services.checkout import BasketRequest, record_sale
from pos_client.services.members import identify
from pos_client.services.programs import program_at
from pos_client.terminal import Terminal
from pos_client.timeutil import utcnow

from tests.integration.conftest import MANAGER_PIN, Kupa

ZONE = "Asia/Jerusalem"


@pytest.fixture
def kupa_c(kupa: Kupa, store: Path) -> Kupa:
    """The `kupa` CLI on a terminal whose program has coupons and vouchers."""
    assert kupa("program", "load", str(write_program(store))).code == 0
    return kupa


def _enrol(kupa: Kupa, *extra: str) -> dict:  # type: ignore[type-arg]
    result = kupa("member", "add", "--name", "Dana", *extra, "--json")
    assert result.code == 0, result.err
    return result.json


def _refusal(result: object) -> str:
    out = getattr(result, "out")
    assert getattr(result, "code") == 1
    return json.loads(out)["message_code"]  # type: ignore[no-any-return]


def test_enrolment_issues_the_welcome_coupon_shown_with_a_verifiable_token(kupa_c: Kupa, store: Path) -> None:
    member = _enrol(kupa_c)
    shown = kupa_c("member", "show", member["member_id"], "--json").json
    assert [c["code"] for c in shown["coupons"]] == ["welcome"]
    coupon = shown["coupons"][0]
    today = store_date(utcnow(), ZONE)
    assert coupon["valid_until"] == (today + timedelta(days=29)).isoformat()  # 30 days counting today
    assert coupon["source"] == "enrolment" and shown["vouchers"] == []
    token = coupon_tokens.parse(coupon["token"])
    assert (token.member_id, token.coupon_id, token.valid_until) == (member["member_id"], coupon["id"],
                                                                    today + timedelta(days=29))
    terminal = Terminal.open(store)
    try:
        with terminal.read() as session:
            entry = session.query(LedgerEntry).filter_by(kind="coupon_issue").one()
            assert (entry.promo_ref, entry.ref_code, entry.points_delta) == (coupon["id"], "welcome", 0)
            assert session.query(OutboxRow).filter_by(kind="ledger_entry", ref_id=entry.entry_id).count() == 1
    finally:
        terminal.close()


def test_a_member_coupon_is_used_once_and_a_whole_refund_returns_it(kupa_c: Kupa) -> None:
    member = _enrol(kupa_c)
    token = kupa_c("member", "show", member["member_id"], "--json").json["coupons"][0]["token"]
    sale = kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--coupon", token, "--json")
    assert sale.code == 0, sale.err
    assert kupa_c("member", "show", member["member_id"], "--json").json["coupons"] == []
    again = kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--coupon", token, "--json")
    assert _refusal(again) == "coupon.used"
    assert _refusal(kupa_c("quote", "--member", member["member_id"], "--item", "SHOE", "--coupon", token,
                           "--json")) == "coupon.used"
    refund = kupa_c("refund", sale.json["sale_id"], "--pin", MANAGER_PIN, "--json")
    assert refund.code == 0 and refund.json["fully_refunded"]
    back = kupa_c("member", "show", member["member_id"], "--json").json["coupons"]
    assert [c["token"] for c in back] == [token]
    assert kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--coupon", token).code == 0


def test_a_partial_refund_keeps_the_coupon_spent(kupa_c: Kupa) -> None:
    member = _enrol(kupa_c)
    token = kupa_c("member", "show", member["member_id"], "--json").json["coupons"][0]["token"]
    sale = kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--item", "CROISSANT",
                  "--coupon", token, "--json").json
    assert kupa_c("refund", sale["sale_id"], "--item", "CROISSANT", "--pin", MANAGER_PIN).code == 0
    assert kupa_c("member", "show", member["member_id"], "--json").json["coupons"] == []
    # the refund that takes the rest makes the sale whole-refunded: then the coupon comes back
    assert kupa_c("refund", sale["sale_id"], "--pin", MANAGER_PIN).code == 0
    assert len(kupa_c("member", "show", member["member_id"], "--json").json["coupons"]) == 1


def test_whether_a_refund_completes_the_sale_is_pricings_answer(kupa_c: Kupa, store: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue #12: "is this refund the whole sale" is `pos_client.pricing.refund`'s rule alone (its
    `completes_sale`, and the `promotions_returned` that go with it); the refund service asks it and counts no
    units of its own. With pricing's rule
    replaced by one under which no refund ever completes a sale, a refund of everything neither reports the
    sale fully refunded nor gives the coupon back; a second copy of the rule in the service would do both."""
    member = _enrol(kupa_c)
    token = kupa_c("member", "show", member["member_id"], "--json").json["coupons"][0]["token"]
    first = kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--coupon", token, "--json").json
    second = kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--json").json
    real = refunds.refund_effect
    monkeypatch.setattr(refunds, "refund_effect",
                        lambda sold, before, now: replace(real(sold, before, now), promotions_returned=(),
                                                                  completes_sale=False))
    terminal = Terminal.open(store)
    try:
        never = refunds.refund(terminal, first["sale_id"], None, MANAGER_PIN)
        assert never.effect.money_back == first["total"] and not never.fully_refunded
        assert kupa_c("member", "show", member["member_id"], "--json").json["coupons"] == []
        monkeypatch.setattr(refunds, "refund_effect", real)  # pricing's own rule: a sale without promotions too
        assert refunds.refund(terminal, second["sale_id"], None, MANAGER_PIN).fully_refunded
    finally:
        terminal.close()


def test_a_forged_or_edited_coupon_token_is_refused_by_code(kupa_c: Kupa) -> None:
    member = _enrol(kupa_c)
    other = _enrol(kupa_c, "--phone", "054-7654321")
    token = kupa_c("member", "show", member["member_id"], "--json").json["coupons"][0]["token"]
    parts = token.split(".")
    edited = ".".join([*parts[:4], "20991231", parts[5]])  # a later end, same signature
    result = kupa_c("quote", "--member", member["member_id"], "--item", "SHOE", "--coupon", edited, "--json")
    assert _refusal(result) == "coupon.bad_token"
    assert json.loads(result.out)["params"]["reason"]["message_code"] == "card.signature_mismatch"
    moved = ".".join([parts[0], parts[1], other["member_id"], *parts[3:]])  # someone else's member id
    assert _refusal(kupa_c("quote", "--member", other["member_id"], "--item", "SHOE", "--coupon", moved,
                           "--json")) == "coupon.bad_token"
    # a genuine token shown by another member
    assert _refusal(kupa_c("quote", "--member", other["member_id"], "--item", "SHOE", "--coupon", token,
                           "--json")) == "coupon.not_yours"
    # the coupon's id typed with a phone number alone unlocks nothing; with the card token it does
    coupon_id = parts[3]
    assert _refusal(kupa_c("quote", "--member", member["member_id"], "--item", "SHOE", "--coupon", coupon_id,
                           "--json")) == "coupon.needs_card"
    assert kupa_c("quote", "--member", member["card_token"], "--item", "SHOE", "--coupon", coupon_id).code == 0


def test_the_coupon_lapses_the_day_after_its_valid_until(kupa_c: Kupa) -> None:
    member = _enrol(kupa_c)
    coupon = kupa_c("member", "show", member["member_id"], "--json").json["coupons"][0]
    last = date.fromisoformat(coupon["valid_until"])

    def quote_at(moment: str) -> object:
        return kupa_c("quote", "--member", member["member_id"], "--item", "SHOE", "--coupon", coupon["token"],
                      "--at", moment, "--json")

    assert getattr(quote_at(f"{last.isoformat()}T23:59:00+02:00"), "code") == 0
    assert _refusal(quote_at(f"{(last + timedelta(days=1)).isoformat()}T00:00:00+02:00")) == "coupon.expired"


def test_a_public_code_respects_its_per_member_limit_and_a_whole_refund_gives_the_use_back(kupa_c: Kupa) -> None:
    member = _enrol(kupa_c)
    first = kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--coupon", "save5", "--json")
    assert first.code == 0, first.err
    again = kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--coupon", "SAVE5", "--json")
    assert _refusal(again) == "coupon.limit_per_member"
    assert json.loads(again.out)["params"]["limit"] == 1
    assert kupa_c("refund", first.json["sale_id"], "--pin", MANAGER_PIN).code == 0
    assert kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--coupon", "SAVE5").code == 0
    assert _refusal(kupa_c("quote", "--item", "SHOE", "--coupon", "SAVE5", "--json")) == "coupon.member_required"
    assert _refusal(kupa_c("quote", "--member", member["member_id"], "--item", "SHOE", "--coupon", "NOPE1",
                           "--json")) == "coupon.not_found"


def test_a_manager_issues_a_coupon_audited_and_prints_it(kupa_c: Kupa, store: Path, tmp_path: Path) -> None:
    member = _enrol(kupa_c)
    assert _refusal(kupa_c("coupon", "issue", member["member_id"], "bday", "--pin", "0000",
                           "--json")) == "auth.wrong_manager_pin"
    issued = kupa_c("coupon", "issue", member["member_id"], "bday", "--pin", MANAGER_PIN, "--reason", "sorry",
                    "--json")
    assert issued.code == 0, issued.err
    assert issued.json["source"] == "manual" and issued.json["code"] == "bday"
    assert _refusal(kupa_c("coupon", "issue", member["member_id"], "save5", "--pin", MANAGER_PIN,
                           "--json")) == "coupon.not_issuable"
    listed = kupa_c("coupon", "list", member["member_id"], "--json").json["coupons"]
    assert sorted(c["code"] for c in listed) == ["bday", "welcome"]
    out = tmp_path / "coupon.png"
    shown = kupa_c("coupon", "show", issued.json["token"], "--out", str(out), "--json").json
    assert shown["id"] == issued.json["id"] and out.read_bytes().startswith(b"\x89PNG")
    terminal = Terminal.open(store)
    try:
        with terminal.read() as session:
            row = session.query(AuditEntry).filter_by(action="coupon_issue").one()
            assert (row.target, row.reason) == (member["member_id"], "sorry")
    finally:
        terminal.close()


def _sale_at(store: Path, member_id: str, moment: datetime) -> list[str]:
    """A sale recorded at `moment` (the service's own clock argument); the birthday coupons it issued."""
    terminal = Terminal.open(store)
    try:
        with terminal.unit_of_work() as session:
            record_sale(session, terminal, BasketRequest(items=(("CROISSANT", 1),), member_code=member_id), moment)
        with terminal.read() as session:
            return [p.promo_ref for p in session.query(MemberPromo).filter_by(member_id=member_id, source="birthday")]
    finally:
        terminal.close()


def test_the_birthday_coupon_comes_at_00_30_store_time_on_the_first_once_a_year(kupa_c: Kupa, store: Path) -> None:
    member = _enrol(kupa_c, "--birthday", "1990-03-17")["member_id"]
    # 23:30 on 28 February in Jerusalem (UTC+2): not yet the birthday month
    assert _sale_at(store, member, datetime(2027, 2, 28, 21, 30, tzinfo=timezone.utc)) == []
    # 00:30 on 1 March in Jerusalem is still 28 February in UTC: the store's month counts
    issued = _sale_at(store, member, datetime(2027, 2, 28, 22, 30, tzinfo=timezone.utc))
    assert len(issued) == 1
    assert _sale_at(store, member, datetime(2027, 3, 20, 10, 0, tzinfo=timezone.utc)) == issued  # once a year
    assert len(_sale_at(store, member, datetime(2028, 3, 1, 10, 0, tzinfo=timezone.utc))) == 2


def _issue_voucher(store: Path, member_id: str, value: int = 500) -> str:
    """A voucher as a sale's `vouchers_issued` would have it written (pricing decides when; docs/pricing.md)."""
    terminal = Terminal.open(store)
    try:
        with terminal.unit_of_work() as session:
            now = utcnow()
            program = program_at(session, now)
            quote = SimpleNamespace(vouchers_issued=(SimpleNamespace(voucher="per100", count=1),))
            drafts = coupons.voucher_issue_drafts(program, member_id, quote, now)
            append_many(session, drafts, terminal_id=terminal.settings.terminal_id, now=now,
                        program_version=program.version)
            return drafts[0].promo_ref or ""
    finally:
        terminal.close()


def test_a_voucher_is_listed_spent_with_the_card_once_and_returned_by_a_whole_refund(kupa_c: Kupa,
                                                                                    store: Path) -> None:
    member = _enrol(kupa_c)
    voucher_id = _issue_voucher(store, member["member_id"])
    listed = kupa_c("member", "show", member["member_id"], "--json").json["vouchers"]
    assert [(v["id"], v["value"], v["code"]) for v in listed] == [(voucher_id, 500, "per100")]
    assert listed[0]["valid_until"] == (store_date(utcnow(), ZONE) + timedelta(days=89)).isoformat()
    assert _refusal(kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--voucher", voucher_id,
                           "--json")) == "voucher.needs_card"
    assert _refusal(kupa_c("checkout", "--member", member["card_token"], "--item", "SHOE", "--voucher",
                           "V0000000000", "--json")) == "voucher.not_found"
    sale = kupa_c("checkout", "--member", member["card_token"], "--item", "SHOE", "--voucher", voucher_id, "--json")
    assert sale.code == 0, sale.err
    assert kupa_c("voucher", "list", member["member_id"], "--json").json["vouchers"] == []
    assert _refusal(kupa_c("checkout", "--member", member["card_token"], "--item", "SHOE", "--voucher", voucher_id,
                           "--json")) == "voucher.used"
    assert kupa_c("refund", sale.json["sale_id"], "--pin", MANAGER_PIN).code == 0
    assert [v["id"] for v in kupa_c("voucher", "list", member["member_id"], "--json").json["vouchers"]] == [voucher_id]


def test_a_voucher_without_card_or_pin_is_refused_once_by_pricing_rule(kupa_c: Kupa, store: Path) -> None:
    """Issue #12: the card-or-PIN rule for a voucher is pricing's alone (`voucher.needs_card`). The refusal the
    service gives is raised in `pos_client.pricing.promotions`: a second check in the service, before pricing,
    would raise it elsewhere (or under another code) and fail here; so would the rule moving out of pricing."""
    member = _enrol(kupa_c)
    voucher_id = _issue_voucher(store, member["member_id"])
    request = BasketRequest(items=(("SHOE", 1),), member_code=member["member_id"], vouchers=(voucher_id,))
    assert _refused_by_pricing(store, request, AuthError) == "voucher.needs_card"
    assert "voucher.card_required" not in CATALOGUE  # the service's former second message is gone
    assert not [m.code for m in vars(coupons).values() if isinstance(m, Message) and "card" in m.code
                and m.code.startswith("voucher.")]
    # the CLI shows the same code; with a manager PIN instead of the card the voucher is spent
    assert _refusal(kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--voucher", voucher_id,
                           "--json")) == "voucher.needs_card"
    sale = kupa_c("checkout", "--member", member["member_id"], "--item", "SHOE", "--voucher", voucher_id,
                  "--pin", MANAGER_PIN, "--json")
    assert sale.code == 0, sale.err
    assert [a["voucher_id"] for a in sale.json["vouchers_applied"]] == [voucher_id]


def _refused_by_pricing(store: Path, request: BasketRequest, kind: type[Exception] = RuleViolation) -> str:
    """The code a sale of `request` is refused with, asserting the refusal is raised in pricing's promotions
    (`pos_client.pricing.promotions`): a copy of the rule in the service, checked first, raises elsewhere."""
    terminal = Terminal.open(store)
    try:
        with pytest.raises(kind) as caught, terminal.unit_of_work() as session:
            record_sale(session, terminal, request, utcnow())
    finally:
        terminal.close()
    assert Path(caught.traceback[-1].path).parts[-3:] == ("pos_client", "pricing", "promotions.py")
    return str(getattr(caught.value, "message_code"))


def test_a_coupon_or_voucher_given_twice_is_refused_once_by_pricing(kupa_c: Kupa, store: Path) -> None:
    """Issue #12: "once on a sale" is pricing's rule (`coupon.twice`, `voucher.twice`); the service's former
    `coupon.repeated` / `voucher.repeated` (and `voucher.not_in_program`, pricing's `voucher.unknown`) are gone."""
    member = _enrol(kupa_c)
    token = kupa_c("member", "show", member["member_id"], "--json").json["coupons"][0]["token"]
    voucher_id = _issue_voucher(store, member["member_id"])
    twice_c = BasketRequest(items=(("SHOE", 1),), member_code=member["card_token"], coupons=(token, token))
    assert _refused_by_pricing(store, twice_c) == "coupon.twice"
    twice_v = replace(twice_c, coupons=(), vouchers=(voucher_id, voucher_id.lower()))
    assert _refused_by_pricing(store, twice_v) == "voucher.twice"
    assert not {"coupon.repeated", "voucher.repeated", "voucher.not_in_program"} & set(CATALOGUE)
    assert _refusal(kupa_c("checkout", "--member", member["card_token"], "--item", "SHOE", "--voucher", voucher_id,
                           "--voucher", voucher_id, "--json")) == "voucher.twice"
    assert kupa_c("checkout", "--member", member["card_token"], "--item", "SHOE", "--voucher", voucher_id,
                  "--coupon", token).code == 0


def test_voucher_facts_carry_the_spend_not_yet_turned_into_vouchers(kupa_c: Kupa, store: Path) -> None:
    member = _enrol(kupa_c)["member_id"]
    assert kupa_c("checkout", "--member", member, "--item", "SHOE").code == 0  # 45000 qualifying
    assert kupa_c("checkout", "--member", member, "--item", "SHOE").code == 0  # 90000 of the 100000
    terminal = Terminal.open(store)
    try:
        with terminal.read() as session:
            program = program_at(session, utcnow())
            facts = coupons.voucher_facts(session, program, member, utcnow())
        assert facts.progress == {"per100": 90000, "bakery": 0} and facts.issued_on == {}
    finally:
        terminal.close()
    _issue_voucher(store, member)
    terminal = Terminal.open(store)
    try:
        with terminal.read() as session:
            facts = coupons.voucher_facts(session, program_at(session, utcnow()), member, utcnow())
            assert identify(session, member).member.member_id == member
        assert facts.progress == {"per100": -10000, "bakery": 0}  # a voucher ahead of the spend: bought back first
        assert facts.issued_on == {"per100": store_date(utcnow(), ZONE)}
    finally:
        terminal.close()


def test_an_entry_draft_of_a_lifecycle_kind_moves_no_points(kupa_c: Kupa, store: Path) -> None:
    member = _enrol(kupa_c)["member_id"]
    before = kupa_c("member", "show", member, "--json").json["points"]
    terminal = Terminal.open(store)
    try:
        with terminal.unit_of_work() as session:
            append_many(session, [EntryDraft(member, "voucher_issue", ref_code="per100", promo_ref="V1234567890",
                                             value=500)], terminal_id=terminal.settings.terminal_id, now=utcnow())
    finally:
        terminal.close()
    assert kupa_c("member", "show", member, "--json").json["points"] == before


def test_a_points_voucher_is_issued_with_its_points_debit(kupa_c: Kupa, store: Path) -> None:
    terminal = Terminal.open(store)
    try:
        with terminal.read() as session:
            program = program_at(session, utcnow())
        quote = SimpleNamespace(vouchers_issued=(SimpleNamespace(voucher="pts", count=2),
                                                 SimpleNamespace(voucher="per100", count=1)))
        drafts = coupons.voucher_issue_drafts(program, "M0001000012", quote, utcnow())
        assert [(d.ref_code, d.points_delta, d.value) for d in drafts] == [("pts", -5000, 1000), ("pts", -5000, 1000),
                                                                           ("per100", 0, 500)]
        assert len({d.promo_ref for d in drafts}) == 3
    finally:
        terminal.close()


def test_an_offer_issues_its_coupon_and_unspent_vouchers_are_the_liability(kupa_c: Kupa, store: Path) -> None:
    from pos_client.promotions import holdings
    from pos_client.services import coupon_admin

    member = _enrol(kupa_c)["member_id"]
    terminal = Terminal.open(store)
    try:
        issued = coupon_admin.issue_for_offer(terminal, member, "bday")
        assert issued["source"] == "offer" and coupon_tokens.parse(issued["token"]).coupon_id == issued["id"]
    finally:
        terminal.close()
    first, second = _issue_voucher(store, member), _issue_voucher(store, member)
    assert first != second
    terminal = Terminal.open(store)
    try:
        with terminal.read() as session:
            today = store_date(utcnow(), ZONE)
            assert holdings.outstanding_voucher_value(session, today) == 1000
            assert holdings.outstanding_voucher_value(session, today + timedelta(days=89)) == 1000  # last day
            assert holdings.outstanding_voucher_value(session, today + timedelta(days=90)) == 0
    finally:
        terminal.close()


def test_category_month_progress_counts_this_months_paid_lines_and_their_refunds(kupa_c: Kupa, store: Path) -> None:
    member = _enrol(kupa_c)["member_id"]
    sales = [kupa_c("checkout", "--member", member, "--item", "CROISSANT:2", "--item", "SHOE", "--json").json
             for _ in range(2)]
    assert kupa_c("refund", sales[0]["sale_id"], "--item", "CROISSANT:1", "--pin", MANAGER_PIN).code == 0

    def progress() -> int:
        terminal = Terminal.open(store)
        try:
            with terminal.read() as session:
                return coupons.voucher_facts(session, program_at(session, utcnow()), member, utcnow()).progress["bakery"]
        finally:
            terminal.close()

    assert progress() == 3 * 1200  # four croissants bought, one brought back; the shoes are not bakery
    assert kupa_c("refund", sales[1]["sale_id"], "--pin", MANAGER_PIN).code == 0
    assert progress() == 1200
