"""Identification by member id, card number and phone: what the cashier types or a 1D scanner reads."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from pos_client.errors import InvalidInputError, NotFoundError
from pos_client.services.cards import revoke_card
from pos_client.services.members import Identified, InvalidCardError, enrol, identify, walk_in
from pos_client.terminal import Terminal
from pos_client.timeutil import utcnow
from tests.integration.conftest import MANAGER_PIN


def _who(terminal: Terminal, code: str) -> Identified:
    with terminal.read() as session:
        return identify(session, code)


def test_card_number_and_id_identify_for_earning_and_follow_a_merge(store: Path) -> None:
    terminal = Terminal.open(store)
    with terminal.unit_of_work() as session:
        kept, _card, _token = enrol(terminal, session, None, utcnow(), name="Kept", phone="054-1111111")
        dup, card, token = enrol(terminal, session, None, utcnow(), name="Duplicate", phone="054-2222222")
    assert _who(terminal, card.card_number.lower()) == Identified(_who(terminal, dup.member_id).member, "card", False)
    with terminal.unit_of_work() as session:
        session.execute(text("update members set merged_into = :k where member_id = :d"),
                        {"k": kept.member_id, "d": dup.member_id})
    for code, via in ((dup.member_id, "member_id"), (card.card_number, "card"), (token, "token")):
        found = _who(terminal, code)
        assert (found.member.member_id, found.member.name, found.via) == (kept.member_id, "Kept", via)
    with pytest.raises(NotFoundError):
        _who(terminal, "054-2222222")  # a merged-away record's phone is not a member of its own any more
    assert _who(terminal, "+972 54 111 1111").member.member_id == kept.member_id
    terminal.close()


def test_a_revoked_card_number_and_a_shared_phone_are_refused(store: Path) -> None:
    terminal = Terminal.open(store)
    with terminal.unit_of_work() as session:
        member, card, _token = enrol(terminal, session, None, utcnow(), name="Dana", phone="054-3333333")
        other, _card, _token = enrol(terminal, session, None, utcnow(), name="Dan")
        # a second record with the same phone can arrive from HQ (enrolled at another counter)
        session.execute(text("update members set phone = '0543333333' where member_id = :m"), {"m": other.member_id})
    revoke_card(terminal, card.card_number, MANAGER_PIN, "reported lost")
    with pytest.raises(InvalidInputError, match=f"card {card.card_number} was revoked"):
        _who(terminal, card.card_number)
    with pytest.raises(InvalidInputError, match="several members share that phone number"):
        _who(terminal, "054-3333333")
    assert _who(terminal, member.member_id.lower()).member.member_id == member.member_id
    with pytest.raises(NotFoundError, match="no member with id M9999999"):
        _who(terminal, "m9999999")
    terminal.close()


def test_identify_and_walk_in_check_a_cards_signature_by_one_rule(store: Path) -> None:
    """Issue #12: a card token's key and signature are checked by `members._card_signed` alone, for
    `identify` and `walk_in` alike: an edited signature and a revoked key are refused from there (a copy of the
    check in either would raise elsewhere), with the same codes."""
    terminal = Terminal.open(store)
    try:
        with terminal.unit_of_work() as session:
            _member, _card, token = enrol(terminal, session, None, utcnow(), name="Dana", phone="054-4444444")
        body, signature = token.rsplit(".", 1)
        forged = f"{body}.{signature[:10]}{'A' if signature[10] != 'A' else 'B'}{signature[11:]}"

        def refusals(code: str) -> list[tuple[str, str]]:
            """(why, where raised) for `identify` and `walk_in`."""
            found = []
            for check in (lambda s: identify(s, code), lambda s: walk_in(s, code, utcnow())):
                with pytest.raises(InvalidCardError) as caught, terminal.read() as session:
                    check(session)
                found.append((caught.value.params["reason"].code, caught.traceback[-1].name))
            return found

        assert refusals(forged) == [("card.signature_mismatch", "_card_signed")] * 2
        with terminal.unit_of_work() as session:
            session.execute(text("update trusted_keys set revoked_at = '2026-01-01T00:00:00+00:00'"))
        assert refusals(token) == [("card.key_revoked", "_card_signed")] * 2
    finally:
        terminal.close()
