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

Time on the wire is :data:`UtcTime`: only an aware ISO 8601 date and time is accepted (``T`` between them, a
``Z`` or ``±HH:MM`` offset, at most microseconds), it is an aware UTC ``datetime`` in Python, and it is written
back in one canonical form, `pos_client.timeutil.to_iso`'s ``2026-12-03T10:15:00.123456+00:00`` — the form
every terminal already stores, so a retried outbox row keeps the canonical body HQ compares for duplicates.
Free-form JSON (a sale's lines, an audit's details, a push item's body) is nested at most
:data:`MAX_JSON_DEPTH` levels: deeper is refused with a 422, never a 500.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from typing import Annotated, Any, Literal

from pydantic import (AfterValidator, BaseModel, ConfigDict, Field, PlainSerializer, PlainValidator,
                      SerializerFunctionWrapHandler, StringConstraints, WithJsonSchema, model_serializer)

from pos_client.timeutil import to_iso

from pos_client.program.limits import MAX_DOCUMENT_CHARS, MAX_VERSION

from pos_client.ledger_kinds import GiftMovementKind, LedgerKind

PROTOCOL_VERSION = 1
MAX_PUSH_ITEMS = 5000
MAX_PAGE_SIZE = 10_000

Id = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-.:]+$")]
Uuid = Annotated[str, StringConstraints(min_length=1, max_length=36, pattern=r"^[0-9a-fA-F\-]+$")]
MAX_JSON_DEPTH = 16
_ISO_TIME = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?(Z|[+-][0-9]{2}:[0-9]{2})$")


def parse_utc(value: object) -> datetime:
    """An aware ISO 8601 time (or an aware `datetime`) as an aware UTC `datetime`; anything else is a
    `ValueError` (pydantic reports it as a validation error: a 422 at HQ, a refused item in a push)."""
    if isinstance(value, datetime):
        if value.utcoffset() is None:
            raise ValueError("a time needs its UTC offset")
        return value.astimezone(timezone.utc)
    if not isinstance(value, str) or not _ISO_TIME.match(value):
        raise ValueError("not an ISO 8601 time with its UTC offset (e.g. 2026-12-03T10:15:00.123456+00:00)")
    try:
        return datetime.fromisoformat(value).astimezone(timezone.utc)
    except (ValueError, OverflowError) as exc:
        raise ValueError("not a real date and time") from exc


def _dump_utc(value: datetime | str) -> str:
    # A str here comes from HQ's own tables through `model_construct` (stored canonical, never re-parsed).
    return value if isinstance(value, str) else to_iso(value)


#: A moment on the wire (see the module docstring): parsed strictly, an aware UTC `datetime` in Python,
#: serialised (in Python and JSON dumps alike) as the one canonical string.
UtcTime = Annotated[datetime, PlainValidator(parse_utc), PlainSerializer(_dump_utc, return_type=str),
                    WithJsonSchema({"type": "string", "format": "date-time", "maxLength": 40,
                                    "examples": ["2026-12-03T10:15:00.123456+00:00"]})]


def _shallow(value: Any) -> Any:
    """Refuse JSON nested deeper than MAX_JSON_DEPTH (walked without recursion)."""
    for child in value.values() if isinstance(value, dict) else value:
        if isinstance(child, (dict, list)):
            break
    else:
        return value  # flat, the common case (a ledger entry): nothing to walk
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > MAX_JSON_DEPTH:
            raise ValueError(f"nested deeper than {MAX_JSON_DEPTH} levels")
        stack.extend((child, depth + 1) for child in children)
    return value


#: A free-form JSON object, bounded in depth.
JsonObject = Annotated[dict[str, Any], AfterValidator(_shallow)]
Text = Annotated[str, StringConstraints(max_length=200)]
Small = Annotated[int, Field(ge=-10**12, le=10**12)]
ItemKind = Literal["ledger_entry", "sale", "member", "card", "audit", "gift_movement"]


def _real_date(value: str) -> str:
    date.fromisoformat(value)  # a ValueError for 2026-02-30: refused like any bad field
    return value


#: A store-local calendar date `YYYY-MM-DD`, kept as its text (an entry's fields are all JSON scalars).
StoreDate = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"), AfterValidator(_real_date)]


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
    #: A coupon or voucher entry's issued id, or a public coupon's promo code as typed (docs/promotions.md).
    promo_ref: Id | None = None
    #: An issued coupon's or voucher's last valid store day.
    valid_until: StoreDate | None = None
    program_version: Annotated[int, Field(ge=0, le=10**9)] | None = None
    created_at: UtcTime


class WireTender(Message):
    """How a sale was paid, or a refund paid back (`pos_client.tender.Tender`): `amount` of the total, and for
    cash what was `given` and the `change`. Kinds are the terminal's `TenderKind` values; the promotions work
    adds gift cards and store credit here."""

    kind: Literal["cash", "card", "gift_card", "store_credit"]
    amount: Annotated[int, Field(ge=0, le=10**12)]
    given: Annotated[int, Field(ge=0, le=10**12)]
    change: Annotated[int, Field(ge=0, le=10**12)] = 0
    reference: Annotated[str, StringConstraints(max_length=64)] | None = None


class WireSale(Message):
    """A sale or refund as the terminal recorded it (the lines stay free-form JSON for receipts/reports).

    `tenders` is None from terminals older than tenders; a list (empty only for a total of zero) must add up
    to the total (HQ's `sync.hq.validate`)."""

    sale_id: Uuid
    kind: Literal["sale", "refund"]
    refund_of: Uuid | None = None
    terminal_id: Id
    cashier_id: Id | None = None
    member_id: Id | None = None
    program_version: int | None = None
    created_at: UtcTime
    currency: Annotated[str, StringConstraints(min_length=3, max_length=3)] | None = None
    subtotal: Small = 0
    discount_total: Small = 0
    redeemed_points: Small = 0
    redeemed_value: Small = 0
    total: Small = 0
    points_earned: Small = 0
    qualifying_spend: Small = 0
    lines: Annotated[list[JsonObject], Field(max_length=500)] = []
    reason: Text | None = None
    money_back: Small | None = None
    tenders: Annotated[list[WireTender], Field(max_length=20)] | None = None
    #: The receipt number printed (`T1-000123`) and its sequence number on the terminal (None on sales
    #: recorded before receipt numbers; HQ's hello answers the highest it holds, `acked_receipt_seq`).
    receipt_no: Annotated[str, StringConstraints(pattern=r"^T[0-9]{1,6}-[0-9]{6,12}$")] | None = None
    receipt_seq: Annotated[int, Field(ge=1, le=10**12)] | None = None


#: A store-local calendar day.
StoreDay = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")]
#: A gift card number (`pos_client.cards.gift_tokens`) or, for store credit, a member id.
Account = Annotated[str, StringConstraints(min_length=1, max_length=24, pattern=r"^[A-Z0-9_\-]+$")]


class WireGiftMovement(Message):
    """One money movement on a gift card or a member's store credit, exactly as the terminal wrote it
    (`pos_client.db.models.GiftMovement`; built once by `pos_client.giftcards.ledger.movement_payload`)."""

    movement_id: Uuid
    account: Account
    account_kind: Literal["gift_card", "store_credit"]
    kind: GiftMovementKind
    amount: Annotated[int, Field(ge=-10**12, le=10**12)]
    sale_id: Uuid | None = None
    line_no: Annotated[int, Field(ge=1, le=10**6)] | None = None
    terminal_id: Id
    store_day: StoreDay
    expires_on: StoreDay | None = None
    key_id: Id | None = None
    cashier_id: Id | None = None
    created_at: UtcTime


class WireGiftBalance(Message):
    """HQ's confirmed state of a gift card or store-credit account: the sum of the movements it accepted, and
    their ids (so a terminal adds exactly the movements of its own HQ has not confirmed yet)."""

    account: Account
    account_kind: Literal["gift_card", "store_credit"]
    balance: Annotated[int, Field(ge=-10**12, le=10**12)]
    expires_on: StoreDay | None = None
    movements: Annotated[list[Uuid], Field(max_length=10_000)] = []


class WireMember(Message):
    member_id: Id
    name: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    phone: Annotated[str, StringConstraints(max_length=24)] | None = None
    email: Annotated[str, StringConstraints(max_length=120)] | None = None
    birthday: Annotated[str, StringConstraints(max_length=10)] | None = None
    bonus_weekday: Annotated[int, Field(ge=0, le=6)] | None = None
    referred_by: Id | None = None
    enrolled_at: UtcTime
    enrolled_by_terminal: Id


class WireCard(Message):
    """A card issued (``issued_at``) or revoked (``revoked_at``) at a counter or at HQ.

    ``audit_id`` carries a manager's audited decision: the id of the ``audit`` item (action ``card_revoke`` or
    ``card_reissue``, a manager's user id) the same terminal pushes with it. HQ lets a terminal revoke or
    replace a card another terminal issued only with it (see docs/sync.md).
    """

    card_number: Id
    member_id: Id
    serial: Annotated[int, Field(ge=1, le=10**6)]
    key_id: Id | None = None
    issued_at: UtcTime | None = None
    revoked_at: UtcTime | None = None
    reason: Text | None = None
    audit_id: Uuid | None = None


class WireAudit(Message):
    audit_id: Uuid
    created_at: UtcTime
    user_id: Id | None = None
    action: Id
    target: Annotated[str, StringConstraints(max_length=80)] | None = None
    reason: Text | None = None
    details: JsonObject = {}


BODY_MODELS: dict[str, type[Message]] = {"ledger_entry": WireEntry, "sale": WireSale, "member": WireMember,
                                         "card": WireCard, "audit": WireAudit, "gift_movement": WireGiftMovement}


class TerminalKey(Message):
    """The terminal's card-signing public key, so other counters can verify the cards it issues."""

    key_id: Id
    public_key: Annotated[str, StringConstraints(min_length=16, max_length=64)]


class HelloRequest(Message):
    protocol: Literal[1] = 1
    terminal_key: TerminalKey | None = None


class HelloResponse(Message):
    """Who the terminal is at HQ, and what HQ already holds from it (docs/sync.md, "Restored terminals"):
    `acked_seq` is the highest ledger sequence number and `acked_member_seq` the highest member-id number
    (the digits after ``M`` + prefix) HQ has accepted from this terminal; a terminal behind them was restored.
    `acked_receipt_seq` is the highest receipt sequence number of its sales HQ holds: the terminal numbers its
    next receipt past it, so a receipt number is never printed twice, also after a restore."""

    protocol: int = PROTOCOL_VERSION
    terminal_id: Id
    member_prefix: Annotated[str, StringConstraints(pattern=r"^[0-9]{3,5}$")]  # `pos_client.ids`
    server_time: UtcTime
    acked_seq: Annotated[int, Field(ge=0, le=10**12)] = 0
    acked_member_seq: Annotated[int, Field(ge=0, le=10**12)] = 0
    acked_receipt_seq: Annotated[int, Field(ge=0, le=10**12)] = 0


class OwnEntriesRequest(Message):
    """Ask HQ for the entries it holds from the calling terminal with a sequence number above `after_seq`."""

    protocol: Literal[1] = 1
    after_seq: Annotated[int, Field(ge=0, le=10**12)] = 0
    limit: Annotated[int, Field(ge=1, le=MAX_PAGE_SIZE)] = 2000


class OwnEntriesPage(Message):
    """The calling terminal's own entries, by sequence number (bodies as HQ stored them; the terminal
    validates each one and skips what it cannot apply)."""

    protocol: int = PROTOCOL_VERSION
    entries: Annotated[list[dict[str, Any]], Field(max_length=MAX_PAGE_SIZE)] = []
    has_more: bool = False


class PushItem(Message):
    kind: ItemKind
    key: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    body: JsonObject


class PushRequest(Message):
    protocol: Literal[1] = 1
    items: Annotated[list[PushItem], Field(min_length=1, max_length=MAX_PUSH_ITEMS)]


class ItemResult(Message):
    """One item's fate. A rejected one has a stable ``code`` (`sync.refusals`), its ``params`` and ``reason``,
    the same message in English."""

    key: str
    status: Literal["accepted", "duplicate", "rejected"]
    reason: str | None = None
    code: str | None = None
    params: dict[str, str | int] = Field(default_factory=dict)  # a factory: no copy of a default per result


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
    revoked_at: UtcTime | None = None


class WireProduct(Message):
    sku: Id
    name: Annotated[str, StringConstraints(max_length=120)]
    name_he: Annotated[str, StringConstraints(max_length=120)] | None = None
    price: Annotated[int, Field(ge=0, le=10**10)]
    category: Annotated[str, StringConstraints(max_length=40)] = ""
    barcode: Annotated[str, StringConstraints(max_length=32)] | None = None
    quick_pick: bool = False
    active: bool = True
    #: What one unit costs the store (minor units), None when unknown: the KPIs' gross margin. Left out of the
    #: wire when unknown, so a terminal of a version before costs (which refuses unknown keys) still pulls a
    #: catalog without them: a chain upgrades its terminals before it publishes costs (docs/sync.md).
    cost: Annotated[int, Field(ge=0, le=10**10)] | None = None

    @model_serializer(mode="wrap", when_used="json")
    def _without_unknown_cost(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if data.get("cost") is None:
            data.pop("cost", None)
        return data


class WireProgram(Message):
    version: Annotated[int, Field(ge=1, le=MAX_VERSION)]
    document: Annotated[str, StringConstraints(max_length=MAX_DOCUMENT_CHARS)]
    published_at: UtcTime


class WireBalance(Message):
    """What HQ has confirmed for a member: the sum of every entry it accepted."""

    member_id: Id
    points: int
    stamps: dict[str, int] = {}
    entries: int = 0


#: A day of a member's figures: (UTC day `YYYY-MM-DD`, qualifying spend, points credited).
WireDay = tuple[Annotated[str, StringConstraints(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")], Small, Small]


class WirePromo(Message):
    """A coupon or voucher issued to a member, as HQ's fold of the member's entries leaves it
    (`pos_client.promotions.holdings.fold`): a terminal holds it in `member_promos`, so an item issued or spent
    at another counter is known at this one."""

    promo_ref: Id
    kind: Literal["coupon", "voucher"]
    code: Id
    value: Small = 0
    source: Annotated[str, StringConstraints(max_length=16)] | None = None
    issued_at: UtcTime
    valid_until: StoreDate | None = None
    used_entry: Uuid | None = None
    used_sale: Uuid | None = None


class WireSnapshot(Message):
    """A member's HQ-confirmed state: `pos_client.member_state.rules.fold` over every entry HQ accepted for
    them (`sync.hq.snapshot`), in the form a terminal's projections hold it (`member_balances`, `member_days`,
    `member_stamps`). The terminal takes it as the member's base and folds its own unconfirmed entries on top
    (`sync.apply.rebase`), so its figures are HQ's fold plus what HQ has not seen yet."""

    member_id: Id
    entries: Annotated[int, Field(ge=0)] = 0
    points: Small = 0
    credits_total: Small = 0
    debits_total: Small = 0
    stamps: dict[Id, Small] = {}
    days: Annotated[list[WireDay], Field(max_length=100_000)] = []
    membership_code: Id | None = None
    membership_expires: UtcTime | None = None
    last_birthday_year: Annotated[int, Field(ge=1900, le=9999)] | None = None
    last_credit_at: UtcTime | None = None
    last_sale_at: UtcTime | None = None
    sales_count: Annotated[int, Field(ge=0)] = 0
    #: The member's coupons and vouchers (held and spent), docs/promotions.md.
    promos: Annotated[list[WirePromo], Field(max_length=10_000)] = []


class PullPage(Message):
    """One page of a terminal's pull: the profiles, cards and HQ-confirmed snapshots of the members of its store
    that changed after the cursor, and what every terminal needs (programs, catalog, keys). `entries` and
    `balances` are what HQ sent before pulls were scoped to a store (docs/sync.md); HQ now leaves them empty
    and a terminal still applies them if an older HQ sends them."""

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
    snapshots: list[WireSnapshot] = []
    #: Gift cards and store-credit accounts that changed: chain-wide (a card pays at any store).
    gift_balances: list[WireGiftBalance] = []


class MemberFetchRequest(Message):
    """Ask HQ for one member by id or card number: a member of another store who walks in (docs/sync.md)."""

    protocol: Literal[1] = 1
    code: Id


class MemberFetch(Message):
    """The member, their cards and their HQ-confirmed snapshot; HQ links them to the caller's store, so the
    store's pulls carry their changes from then on."""

    protocol: int = PROTOCOL_VERSION
    member: WireMember
    cards: list[WireCard] = []
    snapshot: WireSnapshot


class ErrorResponse(Message):
    """Every 4xx from HQ: a machine code and a sentence an operator understands."""

    error: str
    detail: str
