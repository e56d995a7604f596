"""The tender rules (`pos_client.tender`) as properties: whatever is handed over, a settled payment pays the
total exactly, change comes only from cash, and a refund never gives a tender back more than it paid."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pos_client.errors import KupaError
from pos_client.tender import Paid, TenderGiven, TenderKind, exact_card, refund_allocation, settle

kinds = st.sampled_from([TenderKind.CASH, TenderKind.CARD])
tenders = st.lists(st.builds(TenderGiven, kinds, st.integers(1, 50_000)), max_size=4)


@settings(deadline=None)
@given(st.integers(0, 100_000), tenders)
def test_a_settled_payment_pays_the_total_exactly(total: int, handed: list[TenderGiven]) -> None:
    try:
        settled = settle(total, handed, "ILS")
    except KupaError as exc:
        assert exc.message_code in ("tender.short", "tender.card_overpays", "tender.not_needed")
        return
    assert sum(t.amount for t in settled) == total
    assert all(t.amount > 0 and t.given == t.amount + t.change for t in settled)
    assert all(t.change == 0 for t in settled if t.kind is not TenderKind.CASH)
    assert sum(t.given for t in settled) == sum(h.amount for h in handed)


@settings(deadline=None)
@given(st.integers(1, 100_000), st.lists(st.tuples(kinds, st.integers(1, 50_000)), min_size=1, max_size=4))
def test_refunds_never_give_a_card_more_than_it_paid(back: int, paid: list[tuple[TenderKind, int]]) -> None:
    sale = [Paid(kind, amount, reference=str(i)) for i, (kind, amount) in enumerate(paid)]
    out = refund_allocation(back, sale)
    assert sum(t.amount for t in out) == back
    for t in out:
        if t.kind is TenderKind.CARD:
            assert t.amount <= next(p.amount for p in sale if p.reference == t.reference)
    assert [t.kind for t in out][-1:] != [TenderKind.CARD] or sum(
        p.amount for p in sale if p.kind is TenderKind.CARD) >= back


@pytest.mark.parametrize(("total", "expected"), [(0, ()), (1, 1)])
def test_no_payment_given_is_one_exact_card(total: int, expected: object) -> None:
    result = exact_card(total)
    assert result == () if expected == () else [(t.kind, t.amount) for t in result] == [(TenderKind.CARD, 1)]
