"""`program.json`, validated exactly as DESIGN.md describes it.

HQ publishes versions of this document and a terminal prices each sale with the version in force. Every
section but `version` and `currency` is optional and unknown keys are refused, so a typo in a rules file is
caught at load time rather than silently ignored at the till. Amounts are integers (minor units); rates and
multipliers are JSON numbers read as `Decimal` (the file is parsed with `parse_float=Decimal`, so `0.1` stays
exactly one tenth); a rate written as a numeric string is accepted too, as the stored canonical form uses
strings. A key given twice in one object is refused.

Every number, list and string is bounded, and so are the file's size and nesting (`pos_client.program.limits`
says which bounds and why): the same `Program` model checks a file at the terminal (`kupa program load`) and
at HQ (`kupa-hq program publish`, and what a push is measured against), so a program HQ accepts is one every
terminal can pull and price with, and nothing it says overflows an integer column.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, StrictBool, ValidationError, field_validator, model_validator

from pos_client.errors import InvalidInputError
from pos_client.jsondoc import DocumentInvalid, DocumentTooDeep, DocumentTooLarge, load_bounded, read_bounded
from pos_client.messages import message
from pos_client.program import limits as L
from pos_client.program.fields import (Category, Code, EarnPer, EarnPoints, ExpiryDays, LocalizedName, Multiplier,
                                       NonNegInt, Percent, PosInt, RedeemPoints, RedeemValue, Sku, Spend,
                                       StampsNeeded, Threshold, VersionNumber, WindowDays, StrictModel)
from pos_client.program.promotions import (Campaign, Coupon, GiftCards, MemberPrice, Offer, Segment, Voucher,
                                           check_references)
from pos_client.timeutil import store_zone

TOO_LARGE = message("program.too_large", en="program file is too large ({size} bytes; at most {limit})",
                    he="קובץ התוכנית גדול מדי ({size} בתים; לכל היותר {limit})")
TOO_DEEP = message("program.too_deep", en="program file is nested too deep (more than {limit} levels)",
                   he="קובץ התוכנית מקונן לעומק רב מדי (יותר מ-{limit} רמות)")
TOO_LONG = message("program.too_long",
                   en="program is too long once stored ({chars} characters; at most {limit}): shorten its lists",
                   he="התוכנית ארוכה מדי בצורתה השמורה ({chars} תווים; לכל היותר {limit}): יש לקצר את הרשימות")
UNREADABLE = message("program.unreadable", en="cannot read program file {path}: {reason}",
                     he="לא ניתן לקרוא את קובץ התוכנית {path}: {reason}")


class Earn(StrictModel):
    points: EarnPoints
    per: EarnPer
    exclude_categories: Annotated[list[Category], Field(max_length=L.MAX_CATEGORIES)] = []


class Redeem(StrictModel):
    points: RedeemPoints
    value: RedeemValue
    min_points: Threshold = 0
    step: RedeemPoints = 1
    max_share_pct: Percent = Decimal(100)
    offline_daily_cap_points: Threshold | None = None


class Tier(StrictModel):
    code: Code
    name: LocalizedName
    min_spend: Spend
    discount_pct: Percent = Decimal(0)
    earn_multiplier: Multiplier = Decimal(1)


class BonusDay(StrictModel):
    tiers: Annotated[list[Code], Field(max_length=L.MAX_TIERS)] = []
    weekday: Literal["member_choice"] | int
    multiplier: Multiplier

    @field_validator("weekday", mode="before")
    @classmethod
    def _weekday(cls, value: object) -> object:
        if value == "member_choice" or (type(value) is int and 0 <= value <= 6):
            return value
        raise ValueError('must be "member_choice" or a weekday number from 0 (Monday) to 6 (Sunday)')


class PunchCard(StrictModel):
    code: Code
    name: LocalizedName
    skus: Annotated[list[Sku], Field(max_length=L.MAX_CARD_SKUS)] = []
    categories: Annotated[list[Category], Field(max_length=L.MAX_CATEGORIES)] = []
    stamps_needed: StampsNeeded
    reward: Literal["free_item"] = "free_item"

    @model_validator(mode="after")
    def _qualifies_something(self) -> PunchCard:
        if not self.skus and not self.categories:
            raise ValueError("a punch card needs at least one sku or category")
        return self

    def qualifies(self, sku: str, category: str) -> bool:
        """Whether one unit of this product earns a stamp on this card."""
        return sku in self.skus or category in self.categories


class Membership(StrictModel):
    code: Code
    name: LocalizedName
    sku: Sku
    period_days: WindowDays
    discount_pct: Percent = Decimal(0)
    earn_multiplier: Multiplier = Decimal(1)
    monthly_credit_points: NonNegInt = 0


class PointsGrant(StrictModel):
    points: NonNegInt


class Referral(StrictModel):
    referrer_points: NonNegInt = 0
    referee_points: NonNegInt = 0


class Charity(StrictModel):
    code: Code
    name: LocalizedName


class Action(StrictModel):
    code: Code
    name: LocalizedName
    points: PosInt
    once: StrictBool = False


class Program(StrictModel):
    """One version of a store's loyalty program."""

    version: VersionNumber
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")]
    timezone: Annotated[str, Field(max_length=L.MAX_ZONE_CHARS)] = "UTC"
    earn: Earn | None = None
    redeem: Redeem | None = None
    tiers: Annotated[list[Tier], Field(max_length=L.MAX_TIERS)] = []
    tier_window_days: WindowDays = 365
    bonus_days: Annotated[list[BonusDay], Field(max_length=L.MAX_BONUS_DAYS)] = []
    punch_cards: Annotated[list[PunchCard], Field(max_length=L.MAX_PUNCH_CARDS)] = []
    memberships: Annotated[list[Membership], Field(max_length=L.MAX_MEMBERSHIPS)] = []
    discount_stacking: Literal["best", "add"] = "best"
    welcome: PointsGrant | None = None
    birthday: PointsGrant | None = None
    referral: Referral | None = None
    points_expiry_days: ExpiryDays | None = None
    charities: Annotated[list[Charity], Field(max_length=L.MAX_CHARITIES)] = []
    actions: Annotated[list[Action], Field(max_length=L.MAX_ACTIONS)] = []
    # promotions (pos_client.program.promotions, docs/pricing.md)
    member_prices: Annotated[list[MemberPrice], Field(max_length=L.MAX_PROMOTIONS)] = []
    coupons: Annotated[list[Coupon], Field(max_length=L.MAX_PROMOTIONS)] = []
    vouchers: Annotated[list[Voucher], Field(max_length=L.MAX_PROMOTIONS)] = []
    gift_cards: GiftCards | None = None
    campaigns: Annotated[list[Campaign], Field(max_length=L.MAX_PROMOTIONS)] = []
    segments: Annotated[list[Segment], Field(max_length=L.MAX_PROMOTIONS)] = []
    offers: Annotated[list[Offer], Field(max_length=L.MAX_PROMOTIONS)] = []

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            store_zone(value)
        except InvalidInputError as exc:
            raise ValueError(exc.message) from exc
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Program:
        _unique("tiers", [t.code for t in self.tiers])
        _unique("tiers (min_spend)", [t.min_spend for t in self.tiers])
        _unique("punch_cards", [p.code for p in self.punch_cards])
        _unique("memberships", [m.code for m in self.memberships])
        _unique("memberships (sku)", [m.sku for m in self.memberships])
        _unique("charities", [c.code for c in self.charities])
        _unique("actions", [a.code for a in self.actions])
        tier_codes = {t.code for t in self.tiers}
        for i, bonus in enumerate(self.bonus_days):
            unknown = set(bonus.tiers) - tier_codes
            if unknown:
                raise ValueError(f"bonus_days[{i}].tiers: unknown tier {sorted(unknown)[0]!r}")
        if self.redeem and self.redeem.min_points % self.redeem.step:
            raise ValueError("redeem.min_points must be a multiple of redeem.step")
        check_references(tiers=tier_codes, plans={m.code for m in self.memberships},
                         cards={p.code for p in self.punch_cards}, member_prices=self.member_prices,
                         coupons=self.coupons, vouchers=self.vouchers, campaigns=self.campaigns,
                         segments=self.segments, offers=self.offers)
        if self.gift_cards:
            sold = set(self.gift_cards.skus) & {m.sku for m in self.memberships}
            if sold:
                raise ValueError(f"gift_cards.skus: {sorted(sold)[0]!r} is a membership's sku")
        return self

    # -- lookups used by pricing -------------------------------------------------------------------
    def sorted_tiers(self) -> list[Tier]:
        """Tiers from the lowest `min_spend` to the highest."""
        return sorted(self.tiers, key=lambda t: t.min_spend)

    def tier_for_spend(self, spend: int) -> Tier | None:
        """The highest tier whose threshold `spend` reaches (None if below every tier)."""
        reached = [t for t in self.sorted_tiers() if t.min_spend <= spend]
        return reached[-1] if reached else None

    def next_tier(self, spend: int) -> Tier | None:
        """The first tier above what `spend` reaches, for "₪420 more to Gold"."""
        return next((t for t in self.sorted_tiers() if t.min_spend > spend), None)

    def tier(self, code: str) -> Tier | None:
        return next((t for t in self.tiers if t.code == code), None)

    def membership_by_sku(self, sku: str) -> Membership | None:
        return next((m for m in self.memberships if m.sku == sku), None)

    def membership(self, code: str) -> Membership | None:
        return next((m for m in self.memberships if m.code == code), None)

    def punch_card(self, code: str) -> PunchCard | None:
        return next((p for p in self.punch_cards if p.code == code), None)

    def charity(self, code: str) -> Charity | None:
        return next((c for c in self.charities if c.code == code), None)

    def action(self, code: str) -> Action | None:
        return next((a for a in self.actions if a.code == code), None)

    def coupon(self, code: str) -> Coupon | None:
        return next((c for c in self.coupons if c.code == code), None)

    def coupon_by_promo_code(self, promo_code: str) -> Coupon | None:
        """The public coupon a typed or scanned promo code names (case-insensitive)."""
        wanted = promo_code.strip().upper()
        return next((c for c in self.coupons if c.promo_code and c.promo_code.upper() == wanted), None)

    def voucher(self, code: str) -> Voucher | None:
        return next((v for v in self.vouchers if v.code == code), None)

    def campaign(self, code: str) -> Campaign | None:
        return next((c for c in self.campaigns if c.code == code), None)

    def segment(self, code: str) -> Segment | None:
        return next((s for s in self.segments if s.code == code), None)

    def offer(self, code: str) -> Offer | None:
        return next((o for o in self.offers if o.code == code), None)

    def is_gift_card_sku(self, sku: str) -> bool:
        return self.gift_cards is not None and sku in self.gift_cards.skus

    def canonical_json(self) -> str:
        """The document as stored: stable key order, rates as JSON numbers."""
        return json.dumps(self.model_dump(mode="json", exclude_none=True), sort_keys=True, ensure_ascii=False)


def _unique(section: str, values: list[object]) -> None:
    seen: set[object] = set()
    for value in values:
        if value in seen:
            raise ValueError(f"{section}: {value!r} appears twice")
        seen.add(value)


def _field_path(loc: tuple[int | str, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "(document)"


class _DuplicateKey(ValueError):
    pass


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """Refuse `{"redeem": ..., "redeem": ...}`: the second block would silently win."""
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKey(key)
        result[key] = value
    return result


PROGRAM_JSON = message("program.json_invalid", en="program file is not valid JSON (line {line}: {error})",
                       he="קובץ התוכנית אינו JSON תקין (שורה {line}: {error})")
PROGRAM_DUPLICATE_KEY = message("program.duplicate_key", en="program file: key '{key}' appears twice",
                                he="קובץ התוכנית: המפתח '{key}' מופיע פעמיים")
PROGRAM_NOT_OBJECT = message("program.not_object", en="program file must hold one JSON object",
                             he="קובץ התוכנית חייב להכיל אובייקט JSON אחד")
PROGRAM_FIELD = message("program.field_invalid", en="program file: {field}: {error}",
                        he="קובץ התוכנית: {field}: {error}")
PROGRAM_UNKNOWN_KEY = message("program.unknown_key", en="unknown key", he="מפתח לא מוכר")


def read_program_file(path: Path) -> Program:
    """Read and validate a program file; one too large is refused before it is read."""
    try:
        text = read_bounded(path, L.MAX_PROGRAM_BYTES)
    except DocumentTooLarge as exc:
        raise InvalidInputError(TOO_LARGE, size=exc.size, limit=exc.limit) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(UNREADABLE, path=path, reason=getattr(exc, "strerror", None) or exc) from exc
    return load_program_text(text)


def load_program_text(text: str) -> Program:
    """Parse and validate a program document; a bad one raises `InvalidInputError` naming the field."""
    try:
        raw = load_bounded(text, max_bytes=L.MAX_PROGRAM_BYTES, max_depth=L.MAX_PROGRAM_DEPTH,
                           parse_float=Decimal, object_pairs_hook=_no_duplicate_keys)
    except DocumentTooLarge as exc:
        raise InvalidInputError(TOO_LARGE, size=exc.size, limit=exc.limit) from exc
    except DocumentTooDeep as exc:
        raise InvalidInputError(TOO_DEEP, limit=exc.limit) from exc
    except DocumentInvalid as exc:
        raise InvalidInputError(PROGRAM_JSON, line=exc.line, error=exc.reason) from exc
    except _DuplicateKey as exc:
        raise InvalidInputError(PROGRAM_DUPLICATE_KEY, key=str(exc)) from exc
    if not isinstance(raw, dict):
        raise InvalidInputError(PROGRAM_NOT_OBJECT)
    try:
        program = Program.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = _field_path(tuple(first["loc"]))
        # pydantic's own words (English) for a value a validator refused; an unknown key in both languages
        detail: object = first["msg"].removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            detail = PROGRAM_UNKNOWN_KEY.bind()
        raise InvalidInputError(PROGRAM_FIELD, field=field, error=detail) from exc
    stored = len(program.canonical_json())
    if stored > L.MAX_DOCUMENT_CHARS:
        raise InvalidInputError(TOO_LONG, chars=stored, limit=L.MAX_DOCUMENT_CHARS)
    return program
