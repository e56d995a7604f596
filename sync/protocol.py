"""The sync protocol, version 1: the JSON messages the terminal and HQ exchange, defined once.

Both sides validate with these models, so a field added on one side and forgotten on the other fails loudly
instead of being silently dropped (``extra="forbid"``). Every string and list has a length limit: a message
is untrusted input on both ends.

A push carries outbox items in the order the terminal wrote them. Each item has an idempotency ``key``
(an entry's or a sale's UUID, a member id, ``card_number:issue|revoke``...) and a ``body`` that HQ validates
per ``kind`` with :data:`BODY_MODELS`. HQ answers item by item (``results`` in request order), so one bad
item is rejected with a reason while the rest of the batch is applied — a poison row never blocks an outbox.

A pull asks for the changes after an opaque ``cursor`` (HQ's change-log position); HQ answers one page and
``has_more``; the terminal applies a page and the new cursor in one transaction.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from pos_client.ledger_kinds import LedgerKind

PROTOCOL_VERSION = 1
MAX_PUSH_ITEMS = 5000
MAX_PAGE_SIZE = 10_000

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-.:]+$")]
Uuid = Annotated[str, StringConstraints(min_length=1, max_length=36, pattern=r"^[0-9a-fA-F\-]+$")]
Stamp = Annotated[str, StringConstraints(min_length=10, max_length=40)]
Text = Annotated[str, StringConstraints(max_length=200)]
Small = Annotated[int, Field(ge=-10**12, le=10**12)]
ItemKind = Literal["ledger_entry", "sale", "member", "card", "audit"]


class Message(BaseModel):
    """Base of every message: unknown keys are refused, strings and lists are bounded."""

    model_config = ConfigDict(extra="forbid", str_max_length=4000)


class WireEntry(Message):
    """One ledger entry, exactly as `pos_client.ledger.append_many` writes it to the outbox."""

    entry_id: Uuid
    member_id: Id
    terminal_id: Id
    seq: Annotated[int, Field(ge=1, le=10**12)]
    kind: LedgerKind
    points_delta: Small = 0
    stamps_delta: Small = 0
    punch_card: Id | None = None
    spend_delta: Small = 0
    value: Small = 0
    membership_code: Id | None = None
    membership_days: Small = 0
    sale_id: Uuid | None = None
    reverses: Uuid | None = None
    cashier_id: Id | None = None
    reason: Text | None = None
    ref_code: Id | None = None
    program_version: Annotated[int, Field(ge=0, le=10**9)] | None = None
    created_at: Stamp


class WireSale(Message):
    """A sale or refund as the terminal recorded it (the lines stay free-form JSON for receipts/reports)."""

    sale_id: Uuid
    kind: Literal["sale", "refund"]
    refund_of: Uuid | None = None
    terminal_id: Id
    cashier_id: Id | None = None
    member_id: Id | None = None
    program_version: int | None = None
    created_at: Stamp
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = None
    subtotal: Small = 0
    discount_total: Small = 0
    redeemed_points: Small = 0
    redeemed_value: Small = 0
    total: Small = 0
    points_earned: Small = 0
    qualifying_spend: Small = 0
    lines: Annotated[list[dict[str, Any]], Field(max_length=500)] = []
    reason: Text | None = None
    money_back: Small | None = None


class WireMember(Message):
    member_id: Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    phone: Annotated[str, StringConstraints(max_length=24)] | None = None
    email: Annotated[str, StringConstraints(max_length=120)] | None = None
    birthday: Annotated[str, StringConstraints(max_length=10)] | None = None
    bonus_weekday: Annotated[int, Field(ge=0, le=6)] | None = None
    referred_by: Id | None = None
    enrolled_at: Stamp
    enrolled_by_terminal: Id


class WireCard(Message):
    """A card issued (``issued_at``) or revoked (``revoked_at``) at a counter or at HQ."""

    card_number: Id
    member_id: Id
    serial: Annotated[int, Field(ge=1, le=10**6)]
    key_id: Id | None = None
    issued_at: Stamp | None = None
    revoked_at: Stamp | None = None
    reason: Text | None = None


class WireAudit(Message):
    audit_id: Uuid
    created_at: Stamp
    user_id: Id | None = None
    action: Id
    target: Annotated[str, StringConstraints(max_length=80)] | None = None
    reason: Text | None = None
    details: dict[str, Any] = {}


BODY_MODELS: dict[str, type[Message]] = {"ledger_entry": WireEntry, "sale": WireSale, "member": WireMember,
                                         "card": WireCard, "audit": WireAudit}


class TerminalKey(Message):
    """The terminal's card-signing public key, so other counters can verify the cards it issues."""

    key_id: Id
    public_key: Annotated[str, StringConstraints(min_length=16, max_length=64)]


class HelloRequest(Message):
    protocol: Literal[1] = 1
    terminal_key: TerminalKey | None = None


class HelloResponse(Message):
    protocol: int = PROTOCOL_VERSION
    terminal_id: Id
    member_prefix: Annotated[str, StringConstraints(pattern=r"^[0-9]{3}$")]
    server_time: Stamp


class PushItem(Message):
    kind: ItemKind
    key: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    body: dict[str, Any]


class PushRequest(Message):
    protocol: Literal[1] = 1
    items: Annotated[list[PushItem], Field(min_length=1, max_length=MAX_PUSH_ITEMS)]


class ItemResult(Message):
    key: str
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = None


class PushResponse(Message):
    protocol: int = PROTOCOL_VERSION
    results: list[ItemResult]
    accepted: int
    duplicate: int
    rejected: int


class PullRequest(Message):
    protocol: Literal[1] = 1
    cursor: Annotated[int, Field(ge=0, le=2**63 - 1)] = 0  # a database integer: larger ones were a 500
    page_size: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 2000


class WireKey(Message):
    key_id: Id
    public_key: str
    owner: Id
    revoked_at: Stamp | None = None


class WireProduct(Message):
    sku: Id
    name: Annotated[str, StringConstraints(max_length=120)]
    name_he: Annotated[str, StringConstraints(max_length=120)] | None = None
    price: Annotated[int, Field(ge=0, le=10**10)]
    category: Annotated[str, StringConstraints(max_length=40)] = ""
    barcode: Annotated[str, StringConstraints(max_length=32)] | None = None
    quick_pick: bool = False
    active: bool = True


class WireProgram(Message):
    version: Annotated[int, Field(ge=1)]
    document: Annotated[str, StringConstraints(max_length=200_000)]
    published_at: Stamp


class WireBalance(Message):
    """What HQ has confirmed for a member: the sum of every entry it accepted."""

    member_id: Id
    points: int
    stamps: dict[str, int] = {}
    entries: int = 0


class PullPage(Message):
    protocol: int = PROTOCOL_VERSION
    cursor: int
    has_more: bool
    members: list[WireMember] = []
    cards: list[WireCard] = []
    keys: list[WireKey] = []
    products: list[WireProduct] = []
    programs: list[WireProgram] = []
    entries: list[WireEntry] = []
    balances: list[WireBalance] = []


class ErrorResponse(Message):
    """Every 4xx from HQ: a machine code and a sentence an operator understands."""

    error: str
    detail: str
