"""The terminal's tables (SQLAlchemy 2.0 typed mappings).

The ledger (`ledger_entries`) is the source of truth and append-only (triggers refuse UPDATE and DELETE,
see the first migration; `sales` and `sale_lines` since migration 0009, `audit_log` since the first). `member_balances` and `member_stamps` are projections of it, maintained in the
same transaction as each entry so that a lookup at the counter never sums a member's whole history.
Timestamps are UTC ISO 8601 strings, money and points integers.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class Setting(Base):
    """Terminal-wide settings (store name, terminal id, member-id prefix, server): key → JSON text."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class Staff(Base):
    """A cashier or a manager (migration 0013, which made the old `users` rows staff members in order: the
    first manager is #1). The PIN is stored only as a scrypt hash (`services.auth`); a disabled member stays,
    so the sales, entries and audit rows naming them keep a name. `legacy_id` is the `users.user_id` a member
    carried before migration 0013: rows written before it name them by that id, rows since by `staff_id`."""

    __tablename__ = "staff"
    __table_args__ = (CheckConstraint("role IN ('cashier', 'manager')", name="ck_staff_role"),)
    staff_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(80))
    role: Mapped[str] = mapped_column(String(16))  # cashier | manager
    pin_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[str] = mapped_column(String(40))
    legacy_id: Mapped[str | None] = mapped_column(String(40), default=None, unique=True)

    @property
    def user_id(self) -> str:
        """The id written into `cashier_id` / `user_id` columns and sent to HQ: the staff number as text."""
        return str(self.staff_id)


class PinAttempt(Base):
    """A wrong PIN (`fail`) or a right one after wrong ones (`reset`); append-only (migration 0010)."""

    __tablename__ = "pin_attempts"
    __table_args__ = (CheckConstraint("outcome IN ('fail', 'reset')", name="ck_pin_attempts_outcome"),
                      Index("ix_pin_attempts_outcome", "outcome", "attempt_id"))
    attempt_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[str] = mapped_column(String(40))
    outcome: Mapped[str] = mapped_column(String(8))


class TrustedKey(Base):
    """A public key that signs member cards: this terminal's own, or one HQ distributed."""

    __tablename__ = "trusted_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))  # raw Ed25519, URL-safe base64
    owner: Mapped[str] = mapped_column(String(64))  # terminal id
    revoked_at: Mapped[str | None] = mapped_column(String(40), default=None)


class ProgramVersion(Base):
    """Every program version the terminal has seen; the one in force is the newest loaded by then."""

    __tablename__ = "program_versions"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)
    loaded_at: Mapped[str] = mapped_column(String(40), index=True)


class Product(Base):
    __tablename__ = "products"
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    name_he: Mapped[str | None] = mapped_column(String(120), default=None)
    price: Mapped[int] = mapped_column(Integer)
    category: Mapped[str] = mapped_column(String(40), default="")
    barcode: Mapped[str | None] = mapped_column(String(32), default=None, index=True)
    quick_pick: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    #: What one unit costs the store, minor units (migration 0016; NULL: unknown): the KPIs' gross margin.
    cost: Mapped[int | None] = mapped_column(Integer, default=None)


class Member(Base):
    __tablename__ = "members"
    member_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(24), default=None, index=True)
    email: Mapped[str | None] = mapped_column(String(120), default=None)
    birthday: Mapped[str | None] = mapped_column(String(10), default=None)
    bonus_weekday: Mapped[int | None] = mapped_column(Integer, default=None)
    referred_by: Mapped[str | None] = mapped_column(ForeignKey("members.member_id"), default=None)
    enrolled_at: Mapped[str] = mapped_column(String(40))
    enrolled_by_terminal: Mapped[str] = mapped_column(String(64))
    merged_into: Mapped[str | None] = mapped_column(String(24), default=None)
    # The few merged-away records, for the reports' recount (migration 0006); members by enrolment time, for
    # the reports' members total, new members and first enrolment without reading every member (migration 0019).
    __table_args__ = (Index("ix_members_merged_into", "merged_into", sqlite_where=text("merged_into IS NOT NULL")),
                      Index("ix_members_enrolled", "enrolled_at", "merged_into", "member_id"))


class Card(Base):
    """A member card: its number (Code 128/EAN-13 on plastic and punch cards) and its serial (in the QR)."""

    __tablename__ = "cards"
    card_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), index=True)
    serial: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str | None] = mapped_column(String(16), default=None)
    issued_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40), default=None)
    revoked_reason: Mapped[str | None] = mapped_column(String(200), default=None)
    __table_args__ = (UniqueConstraint("member_id", "serial"),)


class Sale(Base):
    """A completed sale or refund (`kind`), with the quote it was priced with (JSON, for receipts)."""

    __tablename__ = "sales"
    sale_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # sale | refund
    refund_of: Mapped[str | None] = mapped_column(ForeignKey("sales.sale_id"), default=None)
    terminal_id: Mapped[str] = mapped_column(String(64))
    cashier_id: Mapped[str | None] = mapped_column(String(40), default=None)
    member_id: Mapped[str | None] = mapped_column(ForeignKey("members.member_id"), default=None)
    program_version: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[str] = mapped_column(String(40), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(Integer)
    discount_total: Mapped[int] = mapped_column(Integer)
    redeemed_points: Mapped[int] = mapped_column(Integer)
    redeemed_value: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    points_earned: Mapped[int] = mapped_column(Integer)
    qualifying_spend: Mapped[int] = mapped_column(Integer)
    quote: Mapped[str] = mapped_column(Text)
    #: The receipt number printed (`T1-000123`, `pos_client.receipts`) and its sequence number on this
    #: terminal (migration 0013): a sale and a refund slip each take the next one.
    receipt_no: Mapped[str | None] = mapped_column(String(24), default=None)
    receipt_seq: Mapped[int | None] = mapped_column(Integer, default=None)
    # Only the indexes something reads (migration 0007): each one costs every checkout a page write. The
    # receipt index serves both the next number (its max) and the lookup of a typed receipt number.
    __table_args__ = (Index("ix_sales_refund_of", "refund_of", sqlite_where=text("refund_of IS NOT NULL")),
                      Index("uq_sales_receipt_seq", "receipt_seq", unique=True,
                            sqlite_where=text("receipt_seq IS NOT NULL")))


class SaleLine(Base):
    __tablename__ = "sale_lines"
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.sale_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True)
    sku: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12))
    qty: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[int] = mapped_column(Integer)
    amount: Mapped[int] = mapped_column(Integer)
    free_units: Mapped[int] = mapped_column(Integer)
    free_by_card: Mapped[str] = mapped_column(Text, default="{}")
    percent_discount: Mapped[int] = mapped_column(Integer)
    redeemed_value: Mapped[int] = mapped_column(Integer)
    paid: Mapped[int] = mapped_column(Integer)
    stamps: Mapped[str] = mapped_column(Text, default="{}")
    refund_line_of: Mapped[int | None] = mapped_column(Integer, default=None)


class LedgerEntry(Base):
    """One change to a member's points, stamps, qualifying spend or membership. Never updated or deleted."""

    __tablename__ = "ledger_entries"
    entry_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"))
    terminal_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    points_delta: Mapped[int] = mapped_column(Integer, default=0)
    stamps_delta: Mapped[int] = mapped_column(Integer, default=0)
    punch_card: Mapped[str | None] = mapped_column(String(40), default=None)
    spend_delta: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[int] = mapped_column(Integer, default=0)
    membership_code: Mapped[str | None] = mapped_column(String(40), default=None)
    membership_days: Mapped[int] = mapped_column(Integer, default=0)
    sale_id: Mapped[str | None] = mapped_column(ForeignKey("sales.sale_id"), default=None, index=True)
    reverses: Mapped[str | None] = mapped_column(String(36), default=None)
    cashier_id: Mapped[str | None] = mapped_column(String(40), default=None)
    reason: Mapped[str | None] = mapped_column(String(200), default=None)
    ref_code: Mapped[str | None] = mapped_column(String(40), default=None)  # charity, action, coupon or voucher code
    #: The issued coupon's or voucher's id, or a public coupon's promo code as typed (migration 0017).
    promo_ref: Mapped[str | None] = mapped_column(String(40), default=None)
    #: The last store-local day an issued coupon or voucher may be used (`YYYY-MM-DD`; NULL: no end).
    valid_until: Mapped[str | None] = mapped_column(String(10), default=None)
    program_version: Mapped[int | None] = mapped_column(Integer, default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    __table_args__ = (
        UniqueConstraint("terminal_id", "seq"),
        Index("ix_ledger_member_time", "member_id", "created_at"),
    )


class MemberBalance(Base):
    """Projection of the ledger per member: running totals that make a lookup O(1) in history length."""

    __tablename__ = "member_balances"
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    points: Mapped[int] = mapped_column(Integer, default=0)
    credits_total: Mapped[int] = mapped_column(Integer, default=0)
    debits_total: Mapped[int] = mapped_column(Integer, default=0)
    membership_code: Mapped[str | None] = mapped_column(String(40), default=None)
    membership_expires: Mapped[str | None] = mapped_column(String(40), default=None)
    last_birthday_year: Mapped[int | None] = mapped_column(Integer, default=None)
    sales_count: Mapped[int] = mapped_column(Integer, default=0)
    last_sale_at: Mapped[str | None] = mapped_column(String(40), default=None)
    #: A paid plan's last monthly credit as HQ confirmed it (migration 0015): credited at another counter, it
    #: is in no entry of this ledger (`sync.apply.rebase`), and the same month's credit is not given twice.
    last_credit_at: Mapped[str | None] = mapped_column(String(40), default=None)


class MemberPromo(Base):
    """Projection of the coupon and voucher entries (migration 0017; `pos_client.promotions.holdings`): one row
    per coupon or voucher issued to a member, with the use that spent it (NULL: still held). Updated in each
    entry's transaction like `member_balances`; the entries stay the history."""

    __tablename__ = "member_promos"
    promo_ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"))
    kind: Mapped[str] = mapped_column(String(8))  # coupon | voucher
    code: Mapped[str] = mapped_column(String(40))
    value: Mapped[int] = mapped_column(Integer, default=0)
    source: Mapped[str | None] = mapped_column(String(16), default=None)  # enrolment | birthday | manual | offer
    issued_at: Mapped[str] = mapped_column(String(40))
    valid_until: Mapped[str | None] = mapped_column(String(10), default=None)
    used_entry: Mapped[str | None] = mapped_column(String(36), default=None)
    used_sale: Mapped[str | None] = mapped_column(String(36), default=None)
    __table_args__ = (CheckConstraint("kind IN ('coupon', 'voucher')", name="ck_member_promos_kind"),
                      Index("ix_member_promos_member", "member_id", "kind", "code"))


class MemberStamps(Base):
    __tablename__ = "member_stamps"
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    punch_card: Mapped[str] = mapped_column(String(40), primary_key=True)
    stamps: Mapped[int] = mapped_column(Integer, default=0)


class MemberDay(Base):
    """Per member and UTC day: qualifying spend and points credited (a projection of the ledger).

    The tier window and the expiry cut-off sum at most one row per day of the window, so a lookup costs the
    same for a member with ten entries and one with ten thousand.
    """

    __tablename__ = "member_days"
    member_id: Mapped[str] = mapped_column(ForeignKey("members.member_id"), primary_key=True)
    day: Mapped[str] = mapped_column(String(10), primary_key=True)
    spend: Mapped[int] = mapped_column(Integer, default=0)
    credits: Mapped[int] = mapped_column(Integer, default=0)


class AuditEntry(Base):
    """Who did what and why: manager actions, refunds, program loads. Append-only like the ledger."""

    __tablename__ = "audit_log"
    audit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[str] = mapped_column(String(40), index=True)
    user_id: Mapped[str | None] = mapped_column(String(40), default=None)
    action: Mapped[str] = mapped_column(String(40))
    target: Mapped[str | None] = mapped_column(String(80), default=None)
    reason: Mapped[str | None] = mapped_column(String(200), default=None)
    details: Mapped[str] = mapped_column(Text, default="{}")


class OutboxRow(Base):
    """Something HQ must receive, written in the same transaction as the thing itself."""

    __tablename__ = "outbox"
    outbox_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))  # ledger_entry | sale | member | card | audit
    ref_id: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[str] = mapped_column(String(40))
    sent_at: Mapped[str | None] = mapped_column(String(40), default=None)
    status: Mapped[str] = mapped_column(String(12), default="pending", index=True)  # pending|accepted|rejected
    error: Mapped[str | None] = mapped_column(String(300), default=None)
    __table_args__ = (Index("ix_outbox_kind_ref", "kind", "ref_id"),)


class ParkedCart(Base):
    """A cart in progress or parked by the cashier, so it survives a crash or a restart."""

    __tablename__ = "parked_carts"
    cart_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    state: Mapped[str] = mapped_column(String(12))  # current | parked
    payload: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[str] = mapped_column(String(40))


class SyncConfirmed(Base):
    """The figures HQ last confirmed for a member (migration 0003), beside the terminal's own balance, which
    also counts entries HQ has not confirmed yet (`sync.apply.disagreements` compares them)."""

    __tablename__ = "sync_confirmed"
    member_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    points: Mapped[int] = mapped_column(Integer)
    stamps: Mapped[str] = mapped_column(Text)  # JSON object by punch-card code
    entries: Mapped[int] = mapped_column(Integer)
    confirmed_at: Mapped[str] = mapped_column(String(40))


class MemberSnapshot(Base):
    """HQ's confirmed state of a member (`sync.protocol.WireSnapshot`, JSON; migration 0015): the base of the
    member's projections, this terminal's unconfirmed entries folded on top (`sync.apply.rebase`). `body`
    NULL marks a member of another store who walked in while HQ could not be reached: known here by the id
    on their card only, and earn-only until HQ confirms them (`pos_client.services.members.walk_in`)."""

    __tablename__ = "member_snapshots"
    member_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    body: Mapped[str | None] = mapped_column(Text, default=None)
    confirmed_at: Mapped[str | None] = mapped_column(String(40), default=None)


class SyncSkipped(Base):
    """A pulled item the terminal could not apply (migration 0008), with why and the page's cursor: the pull
    goes on past it, and `kupa sync --skipped` and the manager see it (docs/sync.md)."""

    __tablename__ = "sync_skipped"
    skipped_id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    ref: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(300))
    cursor: Mapped[int] = mapped_column(Integer)
    skipped_at: Mapped[str] = mapped_column(String(40))


# The report projections (migration 0006; `pos_client.reports.projection` keeps them and explains them).

class SalesBucket(Base):
    """Sales as recorded per UTC quarter-hour (`q` = epoch seconds // 900) and member / non-member."""

    __tablename__ = "sales_buckets"
    q: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    is_member: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sales: Mapped[int] = mapped_column(Integer)
    paid: Mapped[int] = mapped_column(Integer)
    earned: Mapped[int] = mapped_column(Integer)
    redeemed: Mapped[int] = mapped_column(Integer)
    cost: Mapped[int] = mapped_column(Integer)
    __table_args__ = {"sqlite_with_rowid": False}


class RefundCorrection(Base):
    """Per refunded sale, what its refunds subtract from its bucket (recomputed after each refund)."""

    __tablename__ = "refund_corrections"
    sale_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[str | None] = mapped_column(String(24))
    fully: Mapped[int] = mapped_column(Integer)
    sales: Mapped[int] = mapped_column(Integer)
    paid: Mapped[int] = mapped_column(Integer)
    earned: Mapped[int] = mapped_column(Integer)
    redeemed: Mapped[int] = mapped_column(Integer)
    cost: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_refund_corrections_time", "created_at"),)


class MemberSale(Base):
    """A counted member sale at whole UTC epoch seconds `at`, with the times of the member's two previous ones."""

    __tablename__ = "member_sales"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(24))
    sale_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[int] = mapped_column(Integer)
    prev_at: Mapped[int | None] = mapped_column(Integer)
    prev2_at: Mapped[int | None] = mapped_column(Integer)
    __table_args__ = (
        Index("ix_member_sales_member", "member_id", "at"),
        Index("ix_member_sales_time", "at", "prev_at", "prev2_at"),
        Index("ix_member_sales_first", "at", sqlite_where=text("prev_at IS NULL")),
    )


# Members by tier (migration 0019; `pos_client.reports.tiers` keeps them and explains them).

class MemberTier(Base):
    """A member with spend: its tier (`pos_client.member_state.rules.tier_until`) under program `version`, valid
    through the UTC day `until` (NULL: for ever). Recomputed before counting when past its day, of another
    version, or marked in `member_tiers_stale` (`pos_client.reports.tiers`)."""

    __tablename__ = "member_tiers"
    member_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    tier: Mapped[str | None] = mapped_column(String(40), default=None)
    until: Mapped[str | None] = mapped_column(String(10), default=None, index=True)
    version: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_member_tiers_version_tier", "version", "tier"),)


class MemberTierStale(Base):
    """Members whose tier row must be recomputed: triggers on `member_days` and `members` add one in the
    statement that changes the member's spend or merges the member away (one page a checkout at most)."""

    __tablename__ = "member_tiers_stale"
    member_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    __table_args__ = {"sqlite_with_rowid": False}


class TierCount(Base):
    """Members per (program version, tier) among `member_tiers` ('' for no tier)."""

    __tablename__ = "tier_counts"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tier: Mapped[str] = mapped_column(String(40), primary_key=True)
    members: Mapped[int] = mapped_column(Integer)


# Payments and shifts (migration 0012; `pos_client.tender` and `pos_client.services.shifts` explain them).
# Every table here is append-only (triggers): a shift is closed by a new `shift_closes` row, never an edit.

class Tender(Base):
    """One way a sale was paid, or a refund paid back (`pos_client.tender.TenderKind`): `amount` is what it
    paid of the total; for cash, `given` was handed over and `change_given` went back."""

    __tablename__ = "tenders"
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.sale_id"), primary_key=True)
    line_no: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    kind: Mapped[str] = mapped_column(String(16))  # cash | card | gift_card | store_credit
    amount: Mapped[int] = mapped_column(Integer)
    given: Mapped[int] = mapped_column(Integer)
    change_given: Mapped[int] = mapped_column(Integer, default=0)
    reference: Mapped[str | None] = mapped_column(String(64), default=None)


class Shift(Base):
    """A till session: opened with a cash float by someone; closed by its `shift_closes` row."""

    __tablename__ = "shifts"
    shift_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    opened_at: Mapped[str] = mapped_column(String(40))
    opened_by: Mapped[str | None] = mapped_column(String(40), default=None)
    float_amount: Mapped[int] = mapped_column(Integer)


class ShiftEvent(Base):
    """Cash put into (`cash_in`) or taken out of (`cash_out`) the drawer during a shift, with the reason."""

    __tablename__ = "shift_events"
    event_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.shift_id"), index=True)
    kind: Mapped[str] = mapped_column(String(12))  # cash_in | cash_out
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(200))
    user_id: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[str] = mapped_column(String(40))


class ShiftClose(Base):
    """A shift's close: the cash counted, what was expected, and the Z report as it was printed (JSON)."""

    __tablename__ = "shift_closes"
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.shift_id"), primary_key=True)
    closed_at: Mapped[str] = mapped_column(String(40))
    closed_by: Mapped[str | None] = mapped_column(String(40), default=None)
    counted: Mapped[int] = mapped_column(Integer)
    expected_cash: Mapped[int] = mapped_column(Integer)
    over_short: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text)


class SaleShift(Base):
    """The shift a sale or refund was recorded in (none when no shift was open: card-only, see README)."""

    __tablename__ = "sale_shifts"
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.sale_id"), primary_key=True)
    shift_id: Mapped[str] = mapped_column(ForeignKey("shifts.shift_id"), index=True)


class PrintJob(Base):
    """One attempt to print (or save as PDF) a sale's receipt, and how it ended; append-only (migration 0014).

    A receipt is printed after its sale committed, so a printer that is off never loses a sale: its failed job
    stays here (`status` failed, the message code and parameters) and the cashier reprints later. A sale with a
    `printed` job already gets a receipt marked "copy".
    """

    __tablename__ = "print_jobs"
    job_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sale_id: Mapped[str] = mapped_column(ForeignKey("sales.sale_id"))
    created_at: Mapped[str] = mapped_column(String(40))
    printer: Mapped[str] = mapped_column(String(300))
    copy: Mapped[bool] = mapped_column(default=False)
    drawer: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(8))  # printed | failed
    error_code: Mapped[str | None] = mapped_column(String(60), default=None)
    error_params: Mapped[str] = mapped_column(Text, default="{}")
    __table_args__ = (
        CheckConstraint("status IN ('printed', 'failed')", name="ck_print_jobs_status"),
        Index("ix_print_jobs_sale", "sale_id", "created_at"),
    )


# Gift cards and store credit (migration 0018; `pos_client.giftcards` and docs/giftcards.md explain them).

class GiftMovement(Base):
    """One money movement on an account: a gift card (`account` its number `G…`, `account_kind` gift_card) or a
    member's store credit (`account` the member id, `account_kind` store_credit). Append-only (triggers); the
    balance is HQ's confirmed snapshot plus this terminal's movements HQ has not confirmed yet. An `issue` row
    is the card's birth: it carries the card's last paying day (`expires_on`, a store date, or NULL) and the
    sale line that sold it (`line_no`)."""

    __tablename__ = "gift_movements"
    movement_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account: Mapped[str] = mapped_column(String(24))
    account_kind: Mapped[str] = mapped_column(String(12))  # gift_card | store_credit
    kind: Mapped[str] = mapped_column(String(8))  # ledger_kinds.GiftMovementKind
    amount: Mapped[int] = mapped_column(Integer)
    sale_id: Mapped[str | None] = mapped_column(ForeignKey("sales.sale_id"), default=None, index=True)
    line_no: Mapped[int | None] = mapped_column(Integer, default=None)
    terminal_id: Mapped[str] = mapped_column(String(64))
    store_day: Mapped[str] = mapped_column(String(10))
    expires_on: Mapped[str | None] = mapped_column(String(10), default=None)
    key_id: Mapped[str | None] = mapped_column(String(16), default=None)
    #: An `issue` row's QR payload, for the receipt's reprint; it stays on the terminal (not sent to HQ).
    token: Mapped[str | None] = mapped_column(String(160), default=None)
    cashier_id: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    __table_args__ = (
        CheckConstraint("account_kind IN ('gift_card', 'store_credit')", name="ck_gift_movements_account_kind"),
        Index("ix_gift_movements_account", "account", "created_at"),
    )


class GiftSnapshot(Base):
    """HQ's confirmed state of a gift card or store-credit account (`sync.protocol.WireGiftBalance`, JSON): its
    balance and the ids of the movements that balance sums, so the terminal adds exactly its own others."""

    __tablename__ = "gift_snapshots"
    account: Mapped[str] = mapped_column(String(24), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    confirmed_at: Mapped[str] = mapped_column(String(40))
