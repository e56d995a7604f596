"""Model-based test: a Hypothesis state machine drives a real terminal (SQLite file) through earn, redeem,
stamp, punch-card reward, whole and partial refund, adjustment, expiry (the clock moves forward), sync with a
real HQ on 127.0.0.1 (started on the first sync of an example) and restart (close and reopen).

After every step: every balance, stamp count and daily total equals the ledger (`check_store`), stamps are
never negative, a redemption never spent more than the member had nor more than the offline daily cap,
and ledger rows never change: the set of (row, hash of its values) only grows.

Sales are recorded with `record_sale(session, terminal, request, now, expire_at=now)` at the model's clock inside
`terminal.unit_of_work()`, so expiry and the offline cap see controlled time. The model clock starts a day
ahead of the real one, so the terminal (joined to HQ) is always "offline" and the cap applies. Refunds and
adjustments use the real clock (the services take no `now`): a manager's action is "now".
"""

from __future__ import annotations

import hashlib
from collections import Counter
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from pos_client.errors import KupaError, RuleViolation
from pos_client.services import points, refunds
from pos_client.services.checkout import BasketRequest, record_sale
from pos_client.member_state.store import load as member_state
from pos_client.services.members import expire_points
from pos_client.services.programs import program_at
from pos_client.db.models import Member, MemberBalance
from pos_client.terminal import DB_NAME, Terminal
from pos_client.timeutil import utcnow
from rel_harness import (FAST_RETRY, MANAGER_PIN, Template, check_hq, check_store, copy_template, size, start_hq,
                         stop_hq)

CAP = 2000  # offline_daily_cap_points of tests/data/program_full.json
SKUS = ["COFFEE-S", "COFFEE-L", "CROISSANT", "SHOE", "CIG", "GIFT"]
EXAMPLES = size(10, 25)  # 25 with KUPA_RELIABILITY_FULL=1
STEPS = 25
RUN: Counter[str] = Counter()


def _ledger_rows(store: Path) -> dict[str, str]:
    conn = sqlite3.connect(store / DB_NAME)
    try:
        return {row[0]: hashlib.sha256(repr(row).encode()).hexdigest()
                for row in conn.execute("SELECT * FROM ledger_entries")}
    finally:
        conn.close()


class TerminalMachine(RuleBasedStateMachine):
    template: Template
    workdir: Path

    @initialize()
    def open_store(self) -> None:
        RUN["examples"] += 1
        target = self.workdir / f"ex{RUN['examples']}"
        shutil.rmtree(target, ignore_errors=True)
        self.store, self.hq_file = copy_template(self.template, target)
        self.terminal = Terminal.open(self.store)
        self.now = utcnow() + timedelta(days=1)
        self.hq = None
        self.sales: list[str] = []
        self.seen = _ledger_rows(self.store)

    def teardown(self) -> None:
        if hasattr(self, "terminal"):
            self.terminal.close()
        if getattr(self, "hq", None) is not None:
            stop_hq(self.hq)

    # --- helpers ---------------------------------------------------------------------------------------
    def _state(self, member_id: str):  # type: ignore[no-untyped-def]
        with self.terminal.read() as session:
            program = program_at(session, self.now)
            member = session.get(Member, member_id)
            return member_state(session, member, program, self.now, can_spend=True,
                                terminal_id=self.terminal.settings.terminal_id, expire_at=self.now)

    def _sell(self, request: BasketRequest) -> None:
        try:
            with self.terminal.unit_of_work() as session:
                result = record_sale(session, self.terminal, request, self.now, expire_at=self.now)
        except KupaError:
            RUN["refused"] += 1
            return
        self.sales.append(result.sale_id)
        RUN["sales"] += 1

    # --- rules -----------------------------------------------------------------------------------------
    @rule(member=st.integers(0, 3), items=st.lists(st.tuples(st.sampled_from(SKUS), st.integers(1, 4)),
                                                    min_size=1, max_size=3))
    def earn(self, member: int, items: list[tuple[str, int]]) -> None:
        self._sell(BasketRequest(items=tuple(items), member_code=self.template.members[member]))

    @rule(member=st.integers(0, 3), hundreds=st.one_of(st.integers(1, 5), st.integers(1, 25)), qty=st.integers(1, 3))
    def redeem(self, member: int, hundreds: int, qty: int) -> None:
        mid = self.template.members[member]
        before = self._state(mid)
        sales = len(self.sales)
        self._sell(BasketRequest(items=(("SHOE", qty),), member_code=self.template.tokens[mid],
                                 redeem_points=hundreds * 100))
        if len(self.sales) > sales:  # accepted: never more than there was, nor over the offline cap
            assert hundreds * 100 <= before.points
            assert before.redeemed_today + hundreds * 100 <= CAP
            after = self._state(mid)
            assert after.redeemed_today == before.redeemed_today + hundreds * 100
            RUN["redemptions"] += 1

    @rule(member=st.integers(0, 3), qty=st.integers(1, 9))
    def stamp(self, member: int, qty: int) -> None:
        self._sell(BasketRequest(items=(("COFFEE-S", qty),), member_code=self.template.members[member]))

    @rule(member=st.integers(0, 3), qty=st.integers(1, 3))
    def punch_reward(self, member: int, qty: int) -> None:
        mid = self.template.members[member]
        before = self._state(mid).stamps.get("coffee", 0)
        sales = len(self.sales)
        self._sell(BasketRequest(items=(("COFFEE-L", qty),), member_code=self.template.tokens[mid],
                                 punch_rewards=("coffee",)))
        if len(self.sales) > sales:
            assert before >= 9  # a reward only when the stamps were there
            RUN["punch_rewards"] += 1

    @precondition(lambda self: self.sales)
    @rule(pick=st.integers(0, 10**6), partial=st.booleans())
    def refund(self, pick: int, partial: bool) -> None:
        sale_id = self.sales[pick % len(self.sales)]
        conn = sqlite3.connect(self.store / DB_NAME)
        skus = [sku for (sku,) in conn.execute("SELECT sku FROM sale_lines WHERE sale_id=?", (sale_id,))]
        conn.close()
        try:
            refunds.refund(self.terminal, sale_id, [(skus[pick % len(skus)], 1)] if partial else None, MANAGER_PIN)
            RUN["refunds"] += 1
        except KupaError:
            RUN["refused"] += 1

    @rule(member=st.integers(0, 3), amount=st.integers(-300, 300).filter(bool))
    def adjust(self, member: int, amount: int) -> None:
        mid = self.template.members[member]
        try:
            points.adjust(self.terminal, mid, amount, "model test", MANAGER_PIN)
        except RuleViolation:  # never below zero without the override (issue 11, item 4)
            RUN["refused"] += 1
            with self.terminal.read() as session:
                balance = session.get(MemberBalance, mid)
                assert balance is not None and balance.points + amount < 0
            return
        RUN["adjustments"] += 1

    @rule(days=st.integers(1, 400), member=st.integers(0, 3))
    def expire(self, days: int, member: int) -> None:
        self.now += timedelta(days=days)
        mid = self.template.members[member]
        with self.terminal.unit_of_work() as session:
            program = program_at(session, self.now)
            RUN["points_expired"] += expire_points(session, mid, program, self.now,
                                                   self.terminal.settings.terminal_id)
        assert self._state(mid).expiring_points == 0

    @rule()
    def sync(self) -> None:
        from sync.client import sync_once

        if self.hq is None:
            self.hq = start_hq(self.hq_file)
            # HQ lives in the machine's simulated time (it refuses entries dated past its clock).
            self.hq.hooks.clock = lambda: max(self.now, utcnow())
        summary = sync_once(self.terminal, self.hq.url, retry=FAST_RETRY)
        RUN["syncs"] += 1
        assert summary.rejected == 0 and summary.pending == 0
        check_hq(self.store, self.hq_file)

    @rule()
    def restart(self) -> None:
        self.terminal.close()
        self.terminal = Terminal.open(self.store)
        RUN["restarts"] += 1

    # --- invariants --------------------------------------------------------------------------------------
    @invariant()
    def ledger_is_consistent_and_append_only(self) -> None:
        if not hasattr(self, "store"):
            return
        RUN["steps"] += 1
        check_store(self.store, successes=self.sales)
        rows = _ledger_rows(self.store)
        changed = [k for k, v in self.seen.items() if rows.get(k) != v]
        assert not changed, f"ledger rows changed or vanished: {changed[:3]}"
        self.seen = rows


def test_the_terminal_keeps_its_promises_under_any_sequence(template: Template, tmp_path: Path) -> None:
    TerminalMachine.template = template
    TerminalMachine.workdir = tmp_path
    run = TerminalMachine.TestCase
    run.settings = settings(max_examples=EXAMPLES, stateful_step_count=STEPS, deadline=None, derandomize=True,
                            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
                            database=None)
    run().runTest()
    assert RUN["examples"] >= EXAMPLES
    assert RUN["redemptions"] and RUN["refunds"] and RUN["points_expired"]
    print("MODEL", dict(RUN))
