"""Program versions: install one from a file, find the one in force at a moment.

A terminal keeps every version it has seen. The version in force at time t is the highest version loaded
at or before t, so a quote `--at` a past moment prices with the rules of that moment, and each sale records
the version it used. Installing a version lower than the one in force is refused (HQ only moves forward);
loading the same version again with the same content is a no-op, with different content an error.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import AuditEntry, ProgramVersion
from pos_client.errors import InvalidInputError, NotFoundError, StateError
from pos_client.ids import new_id
from pos_client.messages import message
from pos_client.program.schema import Program, read_program_file
from pos_client.terminal import Terminal
from pos_client.timeutil import from_iso, to_iso, utcnow


PROGRAM_CONFLICT = message("program.version_conflict",
                           en="program version {version} is already installed with different rules; HQ "
                              "must publish a new version number",
                           he="גרסה {version} של התוכנית כבר מותקנת עם כללים אחרים; על המטה לפרסם מספר "
                              "גרסה חדש")
PROGRAM_OLDER = message("program.version_older",
                        en="program version {version} is older than version {newest} in force",
                        he="גרסה {version} של התוכנית ישנה מגרסה {newest} שבתוקף")


def install_program(session: Session, program: Program, now: datetime, *, user_id: str | None = None) -> bool:
    """Store `program` as a new version; False if this exact version was already there."""
    existing = session.get(ProgramVersion, program.version)
    document = program.canonical_json()
    if existing is not None:
        if existing.document == document:
            return False
        raise InvalidInputError(PROGRAM_CONFLICT, version=program.version)
    newest = session.scalar(select(ProgramVersion.version).order_by(ProgramVersion.version.desc()).limit(1))
    if newest is not None and program.version < newest:
        raise InvalidInputError(PROGRAM_OLDER, version=program.version, newest=newest)
    session.add(ProgramVersion(version=program.version, document=document, loaded_at=to_iso(now)))
    session.add(AuditEntry(audit_id=new_id(), created_at=to_iso(now), user_id=user_id,
                           action="program_load", target=str(program.version), details="{}"))
    return True


def load_program_file(terminal: Terminal, path: Path) -> tuple[Program, bool]:
    program = read_program_file(path)
    with terminal.unit_of_work() as session:
        installed = install_program(session, program, utcnow())
    return program, installed


PROGRAM_VERSION_MISSING = message("program.version_missing",
                                  en="program version {version} is not installed on this terminal",
                                  he="גרסה {version} של התוכנית אינה מותקנת בקופה זו")


def program_version(session: Session, version: int) -> Program:
    """A specific stored version (a refund reverses a sale with the rules it was sold under)."""
    row = session.get(ProgramVersion, version)
    if row is None:
        raise NotFoundError(PROGRAM_VERSION_MISSING, version=version)
    program = _parse_cached(row.version, row.document)
    _by_version[_database(session), version] = program
    return program


PROGRAM_NONE = message("program.none_installed",
                       en="no loyalty program is installed: run 'kupa program load FILE'",
                       he="לא מותקנת תוכנית נאמנות: הריצו 'kupa program load FILE'")
PROGRAM_NOT_IN_FORCE = message("program.none_in_force", en="no program version was in force at that time",
                               he="אף גרסה של התוכנית לא הייתה בתוקף באותו זמן")


def program_at(session: Session, moment: datetime) -> Program:
    """The program version in force at `moment` (parsed once per version and kept)."""
    row = driver.one(session, _IN_FORCE_SQL, {"at": to_iso(moment)})
    version = row[0] if row else None
    if version is None:
        if session.scalar(select(ProgramVersion.version).limit(1)) is None:
            raise StateError(PROGRAM_NONE)
        raise NotFoundError(PROGRAM_NOT_IN_FORCE)
    cached = _by_version.get((_database(session), version))
    if cached is not None:
        return cached
    return program_version(session, version)


def in_force_since(session: Session, now: datetime, has: Callable[[Program], bool]) -> datetime | None:
    """Since when, without a break, the versions in force up to `now` have each had what `has` looks for (a
    voucher, a campaign): a spend voucher added to a program counts the spend from then, never a member's whole
    history. None when the version in force now does not have it."""
    since = None
    for version, loaded_at in driver.all_rows(session, _VERSIONS_UP_TO_SQL, {"at": to_iso(now)}):
        program = _by_version.get((_database(session), version)) or program_version(session, version)
        if not has(program):
            break
        since = from_iso(loaded_at)
    return since


_VERSIONS_UP_TO_SQL = driver.Statement(select(ProgramVersion.version, ProgramVersion.loaded_at)
                                       .where(ProgramVersion.loaded_at <= bindparam("at"))
                                       .order_by(ProgramVersion.version.desc()))


def _database(session: Session) -> str:
    bind = session.get_bind()
    return str(bind.engine.url)


_IN_FORCE_SQL = driver.Statement(select(func.max(ProgramVersion.version))
                                 .where(ProgramVersion.loaded_at <= bindparam("at")))


#: Versions are immutable once installed in a database (a changed document under the same number is
#: refused), so a parsed version can be kept for the life of the process, per database.
_by_version: dict[tuple[str, int], Program] = {}
_cache: dict[tuple[int, str], Program] = {}


def _parse_cached(version: int, document: str) -> Program:
    key = (version, document)
    if key not in _cache:
        _cache[key] = Program.model_validate(json.loads(document, parse_float=Decimal))
    return _cache[key]
