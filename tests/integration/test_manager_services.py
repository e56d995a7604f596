"""The manager's headless services on a hand-built member: tier explained, expiry, history, edit, merge, cards."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from pos_client.db.models import AuditEntry, Card, LedgerEntry, Member, OutboxRow
from pos_client.errors import AuthError, InvalidInputError, NotFoundError, StateError
from pos_client.ledger import EntryDraft, append
from pos_client.services import manager, manager_actions, manager_reports
from pos_client.services.members import enrol
from pos_client.terminal import Terminal
from pos_client.timeutil import utcnow
from tests.integration.conftest import MANAGER_PIN


def _member(terminal: Terminal, name: str, history: list[tuple[int, int, int]]) -> str:
    """A member enrolled 400 days ago with entries (days ago, spend, points)."""
    now = utcnow()
    with terminal.unit_of_work() as session:
        member, _card, _token = enrol(terminal, session, None, now - timedelta(days=400), name=name)
        for days_ago, spend, points in history:
            kind = "earn" if points >= 0 else "redeem"
            append(session, EntryDraft(member.member_id, kind, points_delta=points, spend_delta=spend),
                   terminal_id="T1", now=now - timedelta(days=days_ago))
        return member.member_id


def test_tier_explained_and_next_expiry(store: Path) -> None:
    terminal = Terminal.open(store)
    mid = _member(terminal, "Dana Tier", [(300, 150000, 1500), (150, 100000, 1000), (29, 30000, 300), (10, 0, -1800)])
    today = utcnow().date()
    d1, d2 = today - timedelta(days=300), today - timedelta(days=150)
    ov = manager.member_overview(terminal, mid)
    t = ov.tier
    assert (t.tier, t.qualifying_spend, t.reached_on) == ("silver", 280000, d2)
    assert (t.next_drop_on, t.next_drop_amount) == (d1 + timedelta(days=365), 150000)
    assert (t.holds_until, t.spend_to_keep) == (d1 + timedelta(days=364), 70000)  # 130,000 left < 200,000
    assert (t.next_tier, t.missing, t.progress_pct) == ("gold", 220000, 56)
    # FIFO: the 1,800 redeemed used d1's 1,500 and 300 of d2's 1,000 → 700 of d2 expire next
    assert (ov.expiry.expiring_now, ov.expiry.next_on, ov.expiry.next_points) == (0, d2 + timedelta(days=366), 700)
    assert ov.status["points"] == 1000 and ov.status["tier"] == "silver"
    assert [row.kind for row in ov.history] == ["redeem", "earn", "earn", "earn"]
    assert {row.sync for row in ov.history} == {"waiting"}
    with terminal.unit_of_work() as session:  # HQ rejected one entry: the reason shows
        row = session.scalars(select(OutboxRow).where(OutboxRow.ref_id == ov.history[0].entry_id)).one()
        row.status, row.error = "rejected", "member unknown at HQ"
    first = manager.member_overview(terminal, mid).history[0]
    assert (first.sync, first.sync_error) == ("rejected", "member unknown at HQ")
    terminal.close()


def test_edit_merge_and_reissue_are_audited(store: Path) -> None:
    terminal = Terminal.open(store)
    keep = _member(terminal, "Avi Keep", [(20, 10000, 100)])
    dup = _member(terminal, "Avi Dup", [(5, 5000, 50)])
    with pytest.raises(InvalidInputError):
        manager_actions.edit_member(terminal, keep, manager_actions.MemberDetails("Avi Keep"), "no change", MANAGER_PIN)
    with pytest.raises(AuthError):
        manager_actions.edit_member(terminal, keep, manager_actions.MemberDetails("Avi K"), "typo", "0000")
    changed = manager_actions.edit_member(terminal, keep, manager_actions.MemberDetails(
        "Avi Cohen", phone="054-7654321", email="avi@example.com", bonus_weekday=3), "customer asked", MANAGER_PIN)
    assert changed == {"name": "Avi Cohen", "phone": "0547654321", "email": "avi@example.com", "bonus_weekday": 3}
    for bad in ((keep, keep), (keep, "M9999999")):
        with pytest.raises((InvalidInputError, NotFoundError)):
            manager_actions.merge_members(terminal, *bad, "duplicate", MANAGER_PIN)
    result = manager_actions.merge_members(terminal, keep, dup, "same person", MANAGER_PIN)
    assert result.points_moved == 50
    with pytest.raises(StateError):
        manager_actions.merge_members(terminal, dup, keep, "back again", MANAGER_PIN)
    card = manager_actions.reissue_card(terminal, dup, "lost wallet", MANAGER_PIN)  # follows the merge
    assert card.member_id == keep and len(card.revoked) == 1
    with terminal.read() as session:
        assert session.get(Member, dup).merged_into == keep
        assert session.get(Member, keep).name == "Avi Cohen"
        dup_entries = session.scalars(select(LedgerEntry).where(LedgerEntry.member_id == dup)).all()
        assert [e.points_delta for e in dup_entries if e.kind == "adjust"] == [-50]
        audit = {a.action: a for a in session.scalars(select(AuditEntry))}
        assert {"member_edit", "member_merge", "card_reissue"} <= set(audit)
        assert all(audit[k].user_id for k in ("member_edit", "member_merge", "card_reissue"))
        assert json.loads(audit["member_merge"].details)["merged"] == dup
        kinds = {r.kind for r in session.scalars(select(OutboxRow).where(OutboxRow.status == "pending"))}
        assert {"member", "audit", "card", "ledger_entry"} <= kinds
        assert session.get(Card, card.revoked[0]).revoked_at is not None
    assert manager.member_overview(terminal, keep).status["points"] == 150
    rows = manager_reports.audit_log(terminal, action="member_merge")
    assert [(r.target, r.reason) for r in rows] == [(keep, "same person")]
    terminal.close()
