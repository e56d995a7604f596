"""HQ operators' actions behind `kupa-hq`: publish a program, load the catalog, import members, look up a
member, report.

Each runs in one serialised write transaction (see `sync.hq.db`) and adds change-log rows so the terminals
pull what changed. Files are validated whole with the same parsers the terminals use (`pos_client`), so a
catalog or a program HQ accepts is one every counter accepts.
"""

from __future__ import annotations

import json
import logging
import re
import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, insert, select

from pos_client.errors import InvalidInputError
from pos_client.member_state import rules
from pos_client.member_state.rules import store_date
from pos_client.member_state.figures import standing, state_from_folded
from pos_client.messages import current_language, message
from pos_client.promotions import holdings
from pos_client.program.schema import read_program_file
from pos_client.services.catalog import parse_catalog
from pos_client.timeutil import to_iso, utcnow
from sync.hq import kpi_projection, scope
from sync.hq.auth import DEFAULT_STORE, HQ_TERMINAL
from sync.hq.db import Database
from sync.hq.models import (Change, HqBalance, HqCard, HqEntry, HqMember, HqProduct, HqProgram, HqRejection,
                            HqSale, HqTerminal)
from sync.hq.programs import program_at
from sync.hq.push import apply_push
from sync.hq.snapshot import valid_entries
from pos_client.program.limits import MAX_ENTRY_POINTS
from sync.hq.validate import member_fields
from sync.protocol import PushItem, WireMember, WireProduct, parse_utc
from sync.refusals import TOO_LARGE, refuse

log = logging.getLogger(__name__)

_HQ_MEMBER_RE = re.compile(r"^M[0-9]{4,12}$")


CANNOT_READ = message("hq.cannot_read", en="cannot read {path}: {error}",
                      he="אי אפשר לקרוא את {path}: {error}")


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(CANNOT_READ, path=str(path), error=getattr(exc, "strerror", None) or str(exc)) from exc


PROGRAM_OTHER_RULES = message("hq.program_other_rules",
                              en="program version {version} was published with other rules; publish a "
                                 "new version number",
                              he="גרסה {version} של התוכנית פורסמה עם כללים אחרים; פרסמו מספר גרסה חדש")
PROGRAM_OLDER = message("hq.program_older", en="program version {version} is older than version {newest}",
                        he="גרסה {version} של התוכנית ישנה מגרסה {newest}")


def publish_program(db: Database, path: Path) -> tuple[int, bool]:
    """Publish a program version; the same version again is a no-op if identical and refused otherwise."""
    program = read_program_file(path)
    document = program.canonical_json()
    with db.write() as session:
        existing = session.get(HqProgram, program.version)
        if existing is not None:
            if existing.document != document:
                raise InvalidInputError(PROGRAM_OTHER_RULES, version=program.version)
            return program.version, False
        newest = session.scalar(select(func.max(HqProgram.version)))
        if newest is not None and program.version < newest:
            raise InvalidInputError(PROGRAM_OLDER, version=program.version, newest=newest)
        session.add(HqProgram(version=program.version, document=document, published_at=to_iso(utcnow())))
        session.add(Change(kind="program", ref=str(program.version)))
    return program.version, True


def load_catalog(db: Database, path: Path) -> int:
    rows = parse_catalog(_read(path), is_json=path.suffix.lower() == ".json")
    with db.write() as session:
        for row in rows:
            body = WireProduct(sku=row.sku, name=row.name, name_he=row.name_he, price=row.price,
                               category=row.category, barcode=row.barcode, quick_pick=row.quick_pick, cost=row.cost)
            session.merge(HqProduct(sku=row.sku, body=body.model_dump_json()))
        session.flush()
        session.execute(insert(Change), [{"kind": "product", "ref": row.sku} for row in rows])
    return len(rows)


MEMBERS_JSON = message("hq.members_json", en="member file is not valid JSON (line {line}: {error})",
                       he="קובץ החברים אינו JSON תקין (שורה {line}: {error})")
MEMBERS_NOT_LIST = message("hq.members_not_list",
                           en='a member file is a JSON list of members (or {{"members": [...]}})',
                           he='קובץ חברים הוא רשימת JSON של חברים (או {{"members": [...]}})')
MEMBER_NOT_OBJECT = message("hq.member_not_object", en="member {number}: not an object",
                            he="חבר {number}: אינו אובייקט")
MEMBER_INVALID = message("hq.member_invalid", en="member {number}: {error}", he="חבר {number}: {error}")
MEMBER_BAD_ID = message("hq.member_bad_id", en="member {number}: bad member id or points",
                        he="חבר {number}: מספר חבר או נקודות שגויים")


def import_members(db: Database, path: Path, batch: int = 5000, store: str = DEFAULT_STORE) -> int:
    """Import members from JSON (a list, or {"members": [...]}) with an optional opening `points` balance.

    Imported members have `store` as their home (`sync.hq.scope`): its terminals pull them. Opening balances
    become `adjust` entries of terminal `HQ`, part of the members' snapshots. Members are written in batches
    of multi-row INSERTs; a file with a bad row imports nothing.
    """
    try:
        data = json.loads(_read(path))
    except json.JSONDecodeError as exc:
        raise InvalidInputError(MEMBERS_JSON, line=exc.lineno, error=exc.msg) from exc
    raw = data.get("members") if isinstance(data, dict) else data
    if not isinstance(raw, list):
        raise InvalidInputError(MEMBERS_NOT_LIST)
    now = to_iso(utcnow())
    members, openings = [], []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise InvalidInputError(MEMBER_NOT_OBJECT, number=number)
        points = item.pop("points", 0)
        item.setdefault("enrolled_at", now)
        item.setdefault("enrolled_by_terminal", HQ_TERMINAL)
        try:
            member = WireMember.model_validate(item)
        except ValidationError as exc:
            raise InvalidInputError(MEMBER_INVALID, number=number, error=exc.errors()[0]["msg"]) from exc
        if not _HQ_MEMBER_RE.match(member.member_id) or not isinstance(points, int):
            raise InvalidInputError(MEMBER_BAD_ID, number=number)
        refused = member_fields(member, utcnow()) or (None if abs(points) <= MAX_ENTRY_POINTS else refuse(
            TOO_LARGE, field="points", value=points, limit=MAX_ENTRY_POINTS))
        if refused is not None:
            raise InvalidInputError(MEMBER_INVALID, number=number, error=refused.text(current_language()))
        members.append(member.model_dump())
        if points:
            openings.append((member.member_id, points))
    with db.write() as session:
        for start in range(0, len(members), batch):
            chunk = members[start:start + batch]
            session.execute(insert(HqMember), chunk)
            kpi_projection.add_enrolments(session, [parse_utc(m["enrolled_at"]) for m in chunk])
            session.execute(insert(HqBalance), [{"member_id": m["member_id"], "points": 0, "spend_total": 0,
                                                 "entries": 0, "stamps": "{}", "review": False} for m in chunk])
        if openings:
            seq = int(session.scalar(select(func.count()).select_from(HqEntry)
                                     .where(HqEntry.terminal_id == HQ_TERMINAL)) or 0)
            items = [PushItem(kind="ledger_entry", key=eid, body={
                "entry_id": eid, "member_id": mid, "terminal_id": HQ_TERMINAL, "seq": seq + i, "kind": "adjust",
                "points_delta": pts, "reason": "opening balance", "created_at": now})
                for i, (mid, pts) in enumerate(openings, start=1) for eid in [str(uuid.uuid4())]]
            apply_push(session, HQ_TERMINAL, items, now)
        # Linked after the opening balances: one change per member carries their row and snapshot.
        for start in range(0, len(members), batch):
            scope.link(session, [m["member_id"] for m in members[start:start + batch]], store, "home", now, {})
    return len(members)


HQ_NO_MEMBER = message("hq.member_not_found", en="no member found for '{code}'",
                       he="לא נמצא חבר עבור '{code}'")


def member_show(db: Database, code: str, now: datetime | None = None) -> dict[str, Any]:
    """A member's HQ-confirmed standing, computed by the terminal's own rules (`pos_client.member_state`) over
    every entry HQ holds for them, so HQ and a synced terminal answer the same tier, points and stamps."""
    now = now or utcnow()
    with db.read() as session:
        member = session.get(HqMember, code.strip().upper())
        if member is None:
            member = session.scalar(select(HqMember).where(HqMember.phone == re.sub(r"\D", "", code)).limit(1))
        if member is None:
            card = session.get(HqCard, code.strip().upper())
            member = session.get(HqMember, card.member_id) if card else None
        if member is None:
            raise InvalidInputError(HQ_NO_MEMBER, code=code[:40])
        balance = session.get(HqBalance, member.member_id)
        entries = valid_entries(session.scalars(select(HqEntry.body).where(
            HqEntry.member_id == member.member_id, HqEntry.seq.is_not(None))))
        program = program_at(session, now)
        figures: dict[str, Any] = {"tier": None, "tier_name": None, "points": balance.points if balance else 0,
                                   "stamps": json.loads(balance.stamps) if balance else {},
                                   "qualifying_spend": 0, "next_tier": None, "membership": None}
        if program is not None:
            state = state_from_folded(member.member_id, rules.fold(entries), program, now,
                                      birthday=day_or_none(member.birthday),
                                      bonus_weekday=member.bonus_weekday, referred_by=member.referred_by)
            figures = standing(state, program, now)
        promos = holdings.fold(entries)
        today = store_date(now, program.timezone if program else "UTC")
        figures["coupons"] = holdings.usable_json(member.member_id, promos, "coupon", today)
        figures["vouchers"] = holdings.usable_json(member.member_id, promos, "voucher", today)
        return {"member_id": member.member_id, "name": member.name, "phone": member.phone, **figures,
                "entries": balance.entries if balance else 0, "review": bool(balance and balance.review),
                "pending_sync": 0, "enrolled_by_terminal": member.enrolled_by_terminal,
                "program_version": program.version if program else None}


def day_or_none(text: str | None) -> date | None:
    """A stored birthday, or None where an older HQ stored one that is no date."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def report(db: Database) -> dict[str, Any]:
    """Chain-wide totals, members whose balance went negative, items HQ rejected."""
    with db.read() as session:
        by_kind = {kind: {"entries": int(n), "points": int(p or 0), "value": int(v or 0)} for kind, n, p, v in
                   session.execute(select(HqEntry.kind, func.count(), func.sum(HqEntry.points_delta),
                                          func.sum(HqEntry.value)).group_by(HqEntry.kind))}
        review = [{"member_id": b.member_id, "points": b.points} for b in session.scalars(
            select(HqBalance).where(HqBalance.review.is_(True)).order_by(HqBalance.points).limit(500))]
        rejected = [{"terminal_id": r.terminal_id, "kind": r.kind, "key": r.key, "code": r.code,
                     "params": json.loads(r.params) if r.params else {}, "reason": r.reason,
                     "received_at": r.received_at} for r in session.scalars(
            select(HqRejection).order_by(HqRejection.rejection_id.desc()).limit(500))]
        sales = session.execute(select(func.count(), func.coalesce(func.sum(HqSale.total), 0))
                                .where(HqSale.kind == "sale")).one()
        return {
            "members": int(session.scalar(select(func.count()).select_from(HqMember)) or 0),
            "terminals": int(session.scalar(select(func.count()).select_from(HqTerminal)) or 0),
            "sales": int(sales[0]), "sales_total": int(sales[1]),
            "points_outstanding": int(session.scalar(select(func.coalesce(func.sum(HqBalance.points), 0))) or 0),
            "entries_by_kind": by_kind, "donations": by_kind.get("donate", {}).get("points", 0),
            "negative_balances": review, "rejected": rejected,
        }
