"""The sale in progress: cart lines, member, redemption and rewards, priced by the core on the worker.

Every change is a *proposal*: the controller asks the core to quote the proposed sale and commits it only
when the quote succeeds, so a refused product, redemption or reward leaves the sale exactly as it was and
the refusal goes to the message area. Committed states are saved (`pos_client.services.carts`) so the cart
survives a crash.

Manager override: a member identified without the signed card cannot spend. `allow_spending(pin)` checks
a manager PIN on the worker and, when it is right, puts it on the sale (`BasketRequest.manager_pin`): the
quote then allows spending and the checkout writes the override to the audit log. The PIN lives only in
memory, on this sale and this member: it is never saved with the cart, and it is dropped when the member
changes or the sale ends.

Signals:
    changed(): the committed state or its quote changed.
    member_changed(object): the member panel's data (a dict) or None.
    message(str): a refusal or failure for the cashier (already translated).
    notice(str, str): any other message and its severity: "success", "info" or "warning".
    completed(object): a `SaleResult` plus context, as a `CompletedSale`.
    voided(): a void (a line removed, the sale voided) was written to the audit log.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Signal

from pos_client.errors import KupaError
from pos_client.pricing.model import Quote
from pos_client.services import carts, offer_counter, till, voids
from pos_client.services.checkout import BasketRequest, SaleResult, checkout, quote_basket
from pos_client.tender import TenderGiven
from pos_client.terminal import Terminal
from sync.client import COUNTER_RETRY, COUNTER_TIMEOUT, WalkIn, is_unknown_member, take_walk_in
from ui.cart_model import CartLine, CartModel
from ui.i18n import error_text
from ui.worker import DbWorker

log = logging.getLogger(__name__)
MAX_QTY = 9999


@dataclass(frozen=True)
class SaleState:
    """What the cashier has rung up."""

    lines: tuple[CartLine, ...] = ()
    member_code: str | None = None
    redeem_points: int = 0
    punch_rewards: tuple[str, ...] = ()
    manager_pin: str | None = field(default=None, repr=False)  # never in `payload()`
    #: Coupons on the sale as presented: QR tokens, issued coupon ids or public promo codes (the core checks).
    coupons: tuple[str, ...] = ()
    #: Issued voucher ids the member hands in.
    vouchers: tuple[str, ...] = ()

    def request(self, cashier_id: str | None = None) -> BasketRequest:
        return BasketRequest(items=tuple((line.sku, line.qty) for line in self.lines),
                             member_code=self.member_code, redeem_points=self.redeem_points,
                             punch_rewards=self.punch_rewards, cashier_id=cashier_id,
                             manager_pin=self.manager_pin, coupons=self.coupons, vouchers=self.vouchers)

    def payload(self) -> dict[str, Any]:
        return {"items": [[ln.sku, ln.qty, ln.name, ln.name_he, ln.unit_price] for ln in self.lines],
                "member_code": self.member_code, "redeem_points": self.redeem_points,
                "punch_rewards": list(self.punch_rewards), "coupons": list(self.coupons),
                "vouchers": list(self.vouchers)}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> SaleState:
        lines = tuple(CartLine(str(sku), str(name), name_he, int(price), int(qty))
                      for sku, qty, name, name_he, price in data.get("items", []))
        return cls(lines, data.get("member_code"), int(data.get("redeem_points", 0)),
                   tuple(data.get("punch_rewards", ())), coupons=tuple(map(str, data.get("coupons", ()))),
                   vouchers=tuple(map(str, data.get("vouchers", ()))))


@dataclass(frozen=True)
class CompletedSale:
    """A recorded sale with what the receipt needs besides the quote."""

    result: SaleResult
    member: dict[str, Any] | None
    cashier: str
    lines: tuple[CartLine, ...] = field(default=())


def _tr(text: str) -> str:
    return QCoreApplication.translate("Sale", text)


class SaleController(QObject):
    """Holds the committed sale and drives the core through the worker."""

    changed = Signal()
    member_changed = Signal(object)
    message = Signal(str)
    notice = Signal(str, str)
    completed = Signal(object)
    voided = Signal()

    def __init__(self, terminal: Terminal, worker: DbWorker, model: CartModel,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.terminal, self.worker, self.model = terminal, worker, model
        self.state = SaleState()
        self.quote: Quote | None = None
        self.member: dict[str, Any] | None = None
        self.cashier: till.CashierInfo | None = None
        self._generation = 0
        self._proposed: SaleState | None = None  # the newest state being quoted; changes build on it

    @property
    def base(self) -> SaleState:
        """The state the next change builds on: the newest proposal, else the committed state."""
        return self._proposed or self.state

    # -- proposals -------------------------------------------------------------------------------------
    def add_product(self, product: till.ProductInfo, qty: int = 1) -> None:
        lines = list(self.base.lines)
        for i, line in enumerate(lines):
            if line.sku == product.sku:
                lines[i] = replace(line, qty=min(line.qty + qty, MAX_QTY))
                break
        else:
            lines.append(CartLine(product.sku, product.name, product.name_he, product.price, qty))
        self.propose(replace(self.base, lines=tuple(lines)))

    def change_qty(self, row: int, delta: int) -> None:
        if not 0 <= row < len(self.base.lines):
            return
        lines = list(self.base.lines)
        qty = lines[row].qty + delta
        removed = lines[row]
        if qty <= 0:
            del lines[row]
        else:
            lines[row] = replace(lines[row], qty=min(qty, MAX_QTY))
        self.propose(replace(self.base, lines=tuple(lines)),
                     (lambda: self._audit_void([removed], whole_sale=False)) if qty <= 0 else None)

    def remove_line(self, row: int) -> None:
        """F7: take a line off the sale; written to the audit log (`void_line`) once the sale without it is
        committed."""
        if 0 <= row < len(self.base.lines):
            lines = list(self.base.lines)
            removed = lines.pop(row)
            self.propose(replace(self.base, lines=tuple(lines)),
                         lambda: self._audit_void([removed], whole_sale=False))

    def void(self) -> None:
        """Drop the whole sale (lines, member and rewards) — after it was recorded or parked; not audited."""
        self._generation += 1
        self._commit(SaleState(), None)
        self._set_member(None)

    def void_sale(self, reason: str | None = None) -> None:
        """The cashier voids the sale in progress (Ctrl+Del, after confirming): audited (`void_sale`)."""
        lines = self.base.lines
        self.void()
        self._audit_void(lines, whole_sale=True, reason=reason)

    def _audit_void(self, lines: Sequence[CartLine], *, whole_sale: bool, reason: str | None = None) -> None:
        voided = [voids.VoidedLine(line.sku, line.qty, line.unit_price) for line in lines]
        cashier = self.cashier.user_id if self.cashier else None
        member = self.member.get("member_id") if self.member else None
        self.worker.submit(lambda: voids.record_void(self.terminal, cashier, voided, whole_sale=whole_sale,
                                                     reason=reason, member_id=member),
                           lambda _audit_id: self.voided.emit(), self._refused)

    def set_redeem(self, points: int) -> None:
        if points != self.base.redeem_points:
            self.propose(replace(self.base, redeem_points=points))

    def set_punch_reward(self, code: str, on: bool) -> None:
        rewards = [c for c in self.base.punch_rewards if c != code] + ([code] if on else [])
        self.propose(replace(self.base, punch_rewards=tuple(rewards)))

    # -- promotions (the core checks and prices them; a refusal leaves the sale as it was) ----------------
    def apply_coupon(self, text: str, toggle: bool = False) -> None:
        """A scanned coupon token, an issued coupon id or a typed public promo code onto the sale; the quote
        re-prices with it, or its refusal (min spend, window, another member's, used...) goes to the message
        area. One already on the sale is taken off with `toggle` (the panel's buttons and keys), else left on
        (a coupon scanned twice stays applied once)."""
        text = text.strip()
        if not text:
            return
        if self.member is None or not self.base.member_code:
            self.notice.emit(_tr("Identify the member first"), "warning")
            return
        if text in self.base.coupons:
            if toggle:
                self.propose(replace(self.base, coupons=tuple(c for c in self.base.coupons if c != text)))
            else:
                self.notice.emit(_tr("That coupon is already on this sale"), "info")
            return
        if not self.base.lines:
            self.notice.emit(_tr("The cart is empty: add a product first"), "warning")
            return
        self.propose(replace(self.base, coupons=self.base.coupons + (text,)),
                     lambda: self.notice.emit(_tr("Coupon applied"), "success"))

    def apply_voucher(self, voucher_id: str) -> None:
        """The member's voucher onto the sale (again: off it), re-priced by the core like a coupon."""
        if self.member is None or not self.base.member_code:
            self.notice.emit(_tr("Identify the member first"), "warning")
            return
        if voucher_id in self.base.vouchers:
            self.propose(replace(self.base, vouchers=tuple(v for v in self.base.vouchers if v != voucher_id)))
            return
        if not self.base.lines:
            self.notice.emit(_tr("The cart is empty: add a product first"), "warning")
            return
        self.propose(replace(self.base, vouchers=self.base.vouchers + (voucher_id,)),
                     lambda: self.notice.emit(_tr("Voucher applied"), "success"))

    def apply_offer(self, offer_code: str) -> None:
        """An offer with a coupon, in one step: the core checks the offer still applies and issues its coupon
        (`pos_client.services.offer_counter`), then the coupon goes onto the sale and the panel shows it held."""
        member_code = self.base.member_code
        if self.member is None or not member_code:
            self.notice.emit(_tr("Identify the member first"), "warning")
            return
        if not self.base.lines:
            self.notice.emit(_tr("The cart is empty: add a product first"), "warning")
            return
        cashier = self.cashier.user_id if self.cashier else None

        def issued(token: str) -> None:
            self.worker.submit(lambda: till.member_view(self.terminal, member_code), self._refresh_member)
            if token not in self.base.coupons:
                self.apply_coupon(token)

        self.worker.submit(lambda: offer_counter.offer_coupon(self.terminal, member_code, offer_code,
                                                              cashier_id=cashier), issued, self._refused)

    def _refresh_member(self, view: dict[str, Any]) -> None:
        """The same member's panel data read again (a coupon was issued), keeping a manager's override shown."""
        if self.member is not None and view.get("member_id") == self.member.get("member_id"):
            keep = {k: self.member[k] for k in ("can_spend", "override_by") if k in self.member}
            self._set_member({**view, **keep})

    def identify(self, code: str) -> None:
        """Look the member up, then price the sale for them. A member this terminal does not know yet (their
        signed card, or their member id) is a walk-in from another store when the terminal has an HQ: fetched
        from HQ, or taken in earn-only when HQ does not answer at once (`sync.client.take_walk_in`)."""
        code = code.strip()
        if not code:
            return

        def look_up() -> tuple[dict[str, Any], WalkIn | None]:
            try:
                return till.member_view(self.terminal, code), None
            except KupaError as exc:
                if not (self.terminal.settings.server_url and is_unknown_member(exc)):
                    raise
            taken = take_walk_in(self.terminal, code, retry=COUNTER_RETRY, read_timeout=COUNTER_TIMEOUT)
            return till.member_view(self.terminal, code), taken

        def found(result: tuple[dict[str, Any], WalkIn | None]) -> None:
            view, taken = result
            if taken is not None:
                self.notice.emit(_tr("Member of another store, fetched from HQ") if taken.how == "fetched" else
                                 _tr("Member of another store: earns points now; spending waits until HQ "
                                     "confirms them"), "info" if taken.how == "fetched" else "warning")
            self._member_found(code, view)

        self.worker.submit(look_up, found, self._refused)

    def clear_member(self) -> None:
        self._set_member(None)
        self.propose(replace(self.base, member_code=None, redeem_points=0, punch_rewards=(), manager_pin=None,
                             coupons=(), vouchers=()))

    def _member_found(self, code: str, view: dict[str, Any]) -> None:
        self._set_member(view)
        self.propose(replace(self.base, member_code=code, redeem_points=0, punch_rewards=(), manager_pin=None,
                             coupons=(), vouchers=()))

    def allow_spending(self, pin: str, on_refused: Callable[[str], None] | None = None,
                       on_allowed: Callable[[till.CashierInfo], None] | None = None) -> None:
        """Check a manager PIN; when right, let this sale's member spend without the card."""
        if self.member is None or not self.base.member_code:
            self.notice.emit(_tr("Identify the member first"), "warning")
            return

        def allowed(manager: till.CashierInfo) -> None:
            if self.member is not None:
                self._set_member({**self.member, "can_spend": True, "override_by": manager.name})
            self.propose(replace(self.base, manager_pin=pin))
            self.notice.emit(_tr("{0} allowed spending points on this sale").format(manager.name), "success")
            if on_allowed is not None:
                on_allowed(manager)

        def refused(exc: KupaError) -> None:
            text = error_text(exc)
            if on_refused is not None:
                on_refused(text)
            else:
                self.message.emit(text)

        self.worker.submit(lambda: till.manager_check(self.terminal, pin), allowed, refused)

    def _set_member(self, view: dict[str, Any] | None) -> None:
        self.member = view
        self.member_changed.emit(view)

    def propose(self, state: SaleState, on_commit: Callable[[], None] | None = None) -> None:
        """Quote `state` on the worker; commit it when the core accepts it (then call `on_commit`)."""
        self._generation += 1
        generation = self._generation
        self._proposed = state
        if not state.lines:
            self._commit(replace(state, redeem_points=0, punch_rewards=(), coupons=(), vouchers=()), None)
            if on_commit is not None:
                on_commit()
            return
        request = state.request()
        self.worker.submit(lambda: quote_basket(self.terminal, request),
                           lambda quote: self._quoted(generation, state, quote, on_commit),
                           lambda exc: self._refused(exc, generation))

    def _quoted(self, generation: int, state: SaleState, quote: Quote,
                on_commit: Callable[[], None] | None = None) -> None:
        if generation == self._generation:
            self._commit(state, quote)
            if on_commit is not None:
                on_commit()

    def _refused(self, exc: KupaError, generation: int | None = None) -> None:
        if generation is not None:
            self._proposed = None
        self.message.emit(error_text(exc))
        self.changed.emit()  # widgets fall back to the committed state (e.g. the redeem control)

    def _commit(self, state: SaleState, quote: Quote | None) -> None:
        self.state, self.quote, self._proposed = state, quote, None
        self.model.set_lines(list(state.lines), quote)
        self.changed.emit()
        payload = state.payload()
        self.worker.submit(lambda: carts.save_current(self.terminal, payload))

    # -- completing, parking, restoring -------------------------------------------------------------------
    def complete(self, tenders: tuple[TenderGiven, ...] | None = None) -> None:
        """Record the sale paid with `tenders` (None: exactly by card, the core's default for a request
        without a payment); on success emit `completed` and start a fresh sale."""
        if not self.state.lines or self.quote is None:
            self.notice.emit(_tr("The cart is empty: add a product first"), "warning")
            return
        state, member = self.state, self.member
        cashier = self.cashier
        request = replace(state.request(cashier.user_id if cashier else None), tenders=tenders)
        self.worker.submit(lambda: checkout(self.terminal, request),
                           lambda result: self._recorded(CompletedSale(result, member,
                                                                       cashier.name if cashier else "", state.lines)),
                           self._refused)

    def _recorded(self, done: CompletedSale) -> None:
        self.void()
        self.completed.emit(done)

    def park(self, label: str) -> None:
        if not self.state.lines:
            self.notice.emit(_tr("Nothing to park"), "warning")
            return
        payload = self.state.payload()
        payload["member_name"] = self.member["name"] if self.member else None

        def parked(_cart_id: object) -> None:
            self.void()
            self.notice.emit(_tr("Sale parked"), "success")

        self.worker.submit(lambda: carts.park(self.terminal, label, payload), parked, self._refused)

    def resume(self, cart_id: str) -> None:
        if self.state.lines:
            self.notice.emit(_tr("Park or void the current sale first"), "warning")
            return
        self.worker.submit(lambda: carts.resume(self.terminal, cart_id), self.restore, self._refused)

    def restore(self, payload: dict[str, Any] | None) -> None:
        """Bring back a saved or parked cart (its member is looked up again). Its coupons and vouchers go back
        on after the lines are committed: one spent or lapsed meanwhile is refused on its own (the message
        says why) and the lines stay."""
        if not payload:
            return
        state = SaleState.from_payload(payload)
        if state.member_code:
            code = state.member_code
            self.worker.submit(lambda: till.member_view(self.terminal, code), self._set_member, self._refused)
        if state.coupons or state.vouchers:
            self.propose(replace(state, coupons=(), vouchers=()), lambda: self.propose(state))
        else:
            self.propose(state)

    def restore_saved(self) -> None:
        """Load the cart that was in progress when the app last stopped."""
        self.worker.submit(lambda: carts.load_current(self.terminal), self.restore)
