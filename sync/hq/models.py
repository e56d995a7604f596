"""HQ's tables (SQLAlchemy 2.0), on SQLite for one store or PostgreSQL for a chain.

`entries` is keyed by the entry's UUID with a permanent primary key: a batch sent twice lands once, and the
same UUID with another body is caught by comparing the stored canonical body. `changes` is the change log
the terminals pull from: one row per member, card, key, product, program version or entry that changed,
numbered in commit order (appends hold the change-log lock to their commit, see `sync.hq.db.order_changes`),
so a cursor never skips a row committed late. `balances` is kept incrementally as entries are accepted.

On PostgreSQL `hq_entries` and `hq_sales` are partitioned by month of `created_at` (HQ migration 0004,
`sync.hq.partitions`), so in the database their primary keys include `created_at`: PostgreSQL can only enforce
a unique key on a partitioned table if it contains the partition key. The models keep the id alone as the ORM's
identity (it is unique, and `session.get(HqEntry, id)` works; the schema check compares no primary keys).
Uniqueness of an entry id, of a sale id and of a terminal's (terminal, seq) is enforced by the small
unpartitioned `hq_entry_keys` and `hq_sale_keys`, which every push writes in the same transaction (on SQLite
too, so both databases run the same code). On SQLite the two big tables stay plain.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Double, Index, Integer, String, Text, text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

#: SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL needs room for a long-lived chain.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    pass


class HqTerminal(Base):
    """A registered terminal: its token's SHA-256 (tokens are 32 random bytes), its member-id prefix (3 to 5
    digits, `pos_client.ids`), and its store (HQ migration 0006), which scopes what it pulls."""

    __tablename__ = "hq_terminals"
    terminal_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    member_prefix: Mapped[str] = mapped_column(String(5), unique=True)
    registered_at: Mapped[str] = mapped_column(String(40))
    revoked_at: Mapped[str | None] = mapped_column(String(40), default=None)
    last_seen_at: Mapped[str | None] = mapped_column(String(40), default=None)
    store_id: Mapped[str] = mapped_column(String(40), default="main", server_default="main")


class Change(Base):
    """The pull log: `kind` (member|card|key|product|program, and `entry` in logs written before migration
    0004) and the changed row's key. `store_id` says whose pull it is in: NULL for what every terminal needs
    (programs, catalog, keys, card revocations), a store for a member's state and cards — one row per store
    the member is linked to (`sync.hq.scope`), so a pull reads its own store's rows and never the chain's."""

    __tablename__ = "hq_changes"
    change_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(12))
    ref: Mapped[str] = mapped_column(String(64))
    store_id: Mapped[str | None] = mapped_column(String(40), default=None)
    __table_args__ = (Index("ix_hq_changes_store", "store_id", "change_id"),)


class HqMemberStore(Base):
    """A member linked to a store (HQ migration 0006): their home store (where they enrolled) and every store
    whose terminal pushed an entry for them or fetched them. A store's terminals pull the state of exactly
    these members."""

    __tablename__ = "hq_member_stores"
    member_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    store_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    how: Mapped[str] = mapped_column(String(8))  # home | entry | fetch
    linked_at: Mapped[str] = mapped_column(String(40))


#: How PostgreSQL partitions the two big tables (migration 0004): by month of the canonical UTC text
#: `created_at`, compared byte by byte (`PartitionTime`).
PARTITION_BY = "RANGE (created_at)"
#: The partition key's type: collation "C" on PostgreSQL, so the ranges are byte ranges whatever the database's
#: collation (a unique key on a partitioned table cannot name an expression such as `created_at COLLATE "C"`);
#: SQLite compares text byte by byte anyway.
PartitionTime = String(40, collation="C").with_variant(String(40), "sqlite")


class HqEntry(Base):
    """An accepted ledger entry; `body` is its canonical JSON (sorted keys) for the duplicate check. Its id is
    unique through `hq_entry_keys` (the primary key here includes the partition key)."""

    __tablename__ = "hq_entries"
    entry_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    #: The terminal's sequence number, unique per terminal (migration 0003); NULL only on a pair accepted
    #: twice before that revision, for all but the first received.
    seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    member_id: Mapped[str] = mapped_column(String(24), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    points_delta: Mapped[int] = mapped_column(BigInteger)
    spend_delta: Mapped[int] = mapped_column(BigInteger)
    value: Mapped[int] = mapped_column(BigInteger)
    ref_code: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[str] = mapped_column(PartitionTime)
    received_at: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    __table_args__ = (Index("ix_hq_entries_kind", "kind"),
                      Index("ix_hq_entries_terminal_seq", "terminal_id", "seq"),
                      {"postgresql_partition_by": PARTITION_BY})


class HqEntryKey(Base):
    """One row per accepted entry, unpartitioned: the entry id is unique chain-wide and a terminal's sequence
    numbers are unique per terminal (NULL only for the later entry of a pair accepted before migration 0003).
    `created_at` finds the entry's partition."""

    __tablename__ = "hq_entry_keys"
    entry_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    created_at: Mapped[str] = mapped_column(String(40))
    __table_args__ = (Index("uq_hq_entry_keys_terminal_seq", "terminal_id", "seq", unique=True),)


class HqSale(Base):
    """An accepted sale; its id is unique through `hq_sale_keys` (partitioned like `hq_entries`)."""

    __tablename__ = "hq_sales"
    sale_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(8))
    member_id: Mapped[str | None] = mapped_column(String(24), default=None)
    total: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[str] = mapped_column(PartitionTime)
    body: Mapped[str] = mapped_column(Text)
    #: The terminal's receipt sequence number (HQ migration 0005): every hello reads the highest.
    receipt_seq: Mapped[int | None] = mapped_column(BigInteger, default=None)
    __table_args__ = (Index("ix_hq_sales_terminal_receipt", "terminal_id", "receipt_seq"),
                      {"postgresql_partition_by": PARTITION_BY})


class HqSaleKey(Base):
    """One row per accepted sale, unpartitioned: the sale id is unique chain-wide."""

    __tablename__ = "hq_sale_keys"
    sale_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    created_at: Mapped[str] = mapped_column(String(40))


class HqAuthFailure(Base):
    """Wrong terminal tokens from one client address (`sync.hq.throttle`), shared by every HQ process.
    Times are seconds since the epoch: every process and machine reads the same clock."""

    __tablename__ = "hq_auth_failures"
    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    blocked_until: Mapped[float] = mapped_column(Double)
    last_at: Mapped[float] = mapped_column(Double, index=True)


class HqMember(Base):
    __tablename__ = "hq_members"
    member_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(24), default=None, index=True)
    email: Mapped[str | None] = mapped_column(String(120), default=None)
    birthday: Mapped[str | None] = mapped_column(String(10), default=None)
    bonus_weekday: Mapped[int | None] = mapped_column(Integer, default=None)
    referred_by: Mapped[str | None] = mapped_column(String(24), default=None)
    enrolled_at: Mapped[str] = mapped_column(String(40))
    enrolled_by_terminal: Mapped[str] = mapped_column(String(64))
    #: A terminal's highest member id, read at every hello (`sync.hq.restore.acknowledged`; migration 0003).
    __table_args__ = (Index("ix_hq_members_terminal_member", "enrolled_by_terminal", "member_id"),)


class HqBalance(Base):
    """HQ's confirmed figures per member, updated in the same transaction as the entries."""

    __tablename__ = "hq_balances"
    member_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    points: Mapped[int] = mapped_column(BigInteger, default=0)
    spend_total: Mapped[int] = mapped_column(BigInteger, default=0)
    entries: Mapped[int] = mapped_column(Integer, default=0)
    stamps: Mapped[str] = mapped_column(Text, default="{}")
    review: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # went negative: a manager looks


class HqCard(Base):
    __tablename__ = "hq_cards"
    card_number: Mapped[str] = mapped_column(String(32), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(24), index=True)
    serial: Mapped[int] = mapped_column(Integer)
    key_id: Mapped[str | None] = mapped_column(String(16), default=None)
    issued_at: Mapped[str | None] = mapped_column(String(40), default=None)
    revoked_at: Mapped[str | None] = mapped_column(String(40), default=None)
    reason: Mapped[str | None] = mapped_column(String(200), default=None)


class HqKey(Base):
    __tablename__ = "hq_keys"
    key_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_key: Mapped[str] = mapped_column(String(64))
    owner: Mapped[str] = mapped_column(String(64))
    revoked_at: Mapped[str | None] = mapped_column(String(40), default=None)


class HqProduct(Base):
    __tablename__ = "hq_products"
    sku: Mapped[str] = mapped_column(String(64), primary_key=True)
    body: Mapped[str] = mapped_column(Text)


class HqProgram(Base):
    __tablename__ = "hq_programs"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    document: Mapped[str] = mapped_column(Text)
    published_at: Mapped[str] = mapped_column(String(40))


class HqRejection(Base):
    """An item HQ refused (wrong terminal, UUID reused with another body, a rule of `sync.hq.validate`): kept
    for `report`, with its reason code (`sync.refusals`) and parameters (JSON) beside the English reason."""

    __tablename__ = "hq_rejections"
    rejection_id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    terminal_id: Mapped[str] = mapped_column(String(64), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    received_at: Mapped[str] = mapped_column(String(40))
    code: Mapped[str | None] = mapped_column(String(40), default=None)
    params: Mapped[str | None] = mapped_column(Text, default=None)


class HqAudit(Base):
    __tablename__ = "hq_audit"
    audit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    body: Mapped[str] = mapped_column(Text)


class HqPromo(Base):
    """A member coupon or reward voucher HQ saw issued (HQ migration 0007; `sync.hq.promos`): whose it is, and
    the accepted use that spent it (NULL: held). A use or a return naming an id not here, another member's, or
    one already spent is refused: HQ is where a forged voucher id stops."""

    __tablename__ = "hq_promos"
    promo_ref: Mapped[str] = mapped_column(String(40), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))  # coupon | voucher
    code: Mapped[str] = mapped_column(String(40))
    member_id: Mapped[str] = mapped_column(String(24), index=True)
    issued_entry: Mapped[str] = mapped_column(String(36))
    valid_until: Mapped[str | None] = mapped_column(String(10), default=None)
    used_entry: Mapped[str | None] = mapped_column(String(36), default=None)


class HqCouponUses(Base):
    """Uses of a public coupon per member, returns taken off (HQ migration 0007): the chain-wide limit is their
    sum over the code, the per-member limit one row."""

    __tablename__ = "hq_coupon_uses"
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    member_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    uses: Mapped[int] = mapped_column(Integer)


# -- KPI projections (HQ migration 0008, `sync.hq.kpi_projection`): kept in each push's transaction, so a
# month's or a year's KPIs read a few thousand small rows, never the ledger or every member.

class HqKpiBucket(Base):
    """Sales as recorded per UTC quarter-hour `q` (epoch seconds // 900) and member / non-member, as the
    terminal's `sales_buckets`."""

    __tablename__ = "hq_kpi_buckets"
    q: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    is_member: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sales: Mapped[int] = mapped_column(BigInteger)
    paid: Mapped[int] = mapped_column(BigInteger)
    earned: Mapped[int] = mapped_column(BigInteger)
    redeemed: Mapped[int] = mapped_column(BigInteger)
    cost: Mapped[int] = mapped_column(BigInteger)


class HqKpiRefund(Base):
    """One row per refunded sale: its refunds' running totals (`pos_client.reports.refunds.RefundTotals`) and
    what they subtract from the sale's bucket (`sales` … `cost`, by `refunds.correction`). `q` is the sale's
    quarter-hour, NULL while HQ has the refund but not the sale yet (then it subtracts nothing)."""

    __tablename__ = "hq_kpi_refunds"
    sale_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    q: Mapped[int | None] = mapped_column(BigInteger, default=None, index=True)
    member_id: Mapped[str | None] = mapped_column(String(24), default=None)
    sold_qty: Mapped[int | None] = mapped_column(BigInteger, default=None)
    refunded_qty: Mapped[int] = mapped_column(BigInteger, default=0)
    money_back: Mapped[int] = mapped_column(BigInteger, default=0)
    points_reversed: Mapped[int] = mapped_column(BigInteger, default=0)
    points_returned: Mapped[int] = mapped_column(BigInteger, default=0)
    reversed_value: Mapped[int] = mapped_column(BigInteger, default=0)
    fully: Mapped[int] = mapped_column(Integer, default=0)
    is_member: Mapped[int] = mapped_column(Integer, default=0)
    sales: Mapped[int] = mapped_column(BigInteger, default=0)
    paid: Mapped[int] = mapped_column(BigInteger, default=0)
    earned: Mapped[int] = mapped_column(BigInteger, default=0)
    redeemed: Mapped[int] = mapped_column(BigInteger, default=0)
    cost: Mapped[int] = mapped_column(BigInteger, default=0)


class HqKpiMemberSale(Base):
    """Every counted member sale with the times (whole epoch seconds) of the member's two previous ones, as the
    terminal's `member_sales`: active, repeat and churned members are filtered counts over one index."""

    __tablename__ = "hq_kpi_member_sales"
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    member_id: Mapped[str] = mapped_column(String(24))
    sale_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[int] = mapped_column(BigInteger)
    prev_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    prev2_at: Mapped[int | None] = mapped_column(BigInteger, default=None)
    __table_args__ = (Index("ix_hq_kpi_member_sales_member", "member_id", "at"),
                      Index("ix_hq_kpi_member_sales_time", "at", "prev_at", "prev2_at"),
                      Index("ix_hq_kpi_member_sales_first", "at", sqlite_where=text("prev_at IS NULL"),
                            postgresql_where=text("prev_at IS NULL")))


class HqKpiEnrolment(Base):
    """Members enrolled per UTC quarter-hour: new members per week and the members total, without a scan."""

    __tablename__ = "hq_kpi_enrolments"
    q: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    members: Mapped[int] = mapped_column(BigInteger)


class HqMemberTier(Base):
    """A member's tier (`pos_client.member_state.rules.tier_until`) under program `version`, valid through the
    UTC day `until` (NULL: until an entry changes it). Kept for every member with a spend entry; a member
    without one is at the tier of no spend. A row past its `until`, or of another program version, is
    recomputed before members are counted (`sync.hq.kpis.catch_up`)."""

    __tablename__ = "hq_member_tiers"
    member_id: Mapped[str] = mapped_column(String(24), primary_key=True)
    tier: Mapped[str | None] = mapped_column(String(40), default=None)
    until: Mapped[str | None] = mapped_column(String(10), default=None, index=True)
    version: Mapped[int] = mapped_column(Integer)
    __table_args__ = (Index("ix_hq_member_tiers_version_tier", "version", "tier"),)


class HqTierCount(Base):
    """Members per (program version, tier) among `hq_member_tiers` ('' for no tier), changed with every row the
    projection recomputes, so members by tier reads a handful of rows (members without a row are at the tier of
    no spend: the members total minus these)."""

    __tablename__ = "hq_tier_counts"
    version: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    tier: Mapped[str] = mapped_column(String(40), primary_key=True)
    members: Mapped[int] = mapped_column(BigInteger)

class HqGiftAccount(Base):
    """A gift card or a member's store credit as HQ holds it (HQ migration 0009): the balance is the sum of the
    accepted `hq_gift_movements` of the account, kept in the same transaction as each is accepted; HQ refuses a
    movement that would take it below zero (docs/giftcards.md)."""

    __tablename__ = "hq_gift_accounts"
    account: Mapped[str] = mapped_column(String(24), primary_key=True)
    account_kind: Mapped[str] = mapped_column(String(12))
    balance: Mapped[int] = mapped_column(BigInteger)
    expires_on: Mapped[str | None] = mapped_column(String(10), default=None)
    issued_by: Mapped[str | None] = mapped_column(String(64), default=None)


class HqGiftMovement(Base):
    """One accepted money movement (`sync.protocol.WireGiftMovement`, canonical JSON), stored once by its id."""

    __tablename__ = "hq_gift_movements"
    movement_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    account: Mapped[str] = mapped_column(String(24), index=True)
    terminal_id: Mapped[str] = mapped_column(String(64))
    amount: Mapped[int] = mapped_column(BigInteger)
    body: Mapped[str] = mapped_column(Text)
