"""Program versions: install one from a file, find the one in force at a moment.

A terminal keeps every version it has seen. The version in force at time t is the highest version loaded
at or before t, so a quote `--at` a past moment prices with the rules of that moment, and each sale records
the version it used. Installing a version lower than the one in force is refused (HQ only moves forward);
loading the same version again with the same content is a no-op, with different content an error.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import AuditEntry, ProgramVersion
from pos_client.errors import InvalidInputError, NotFoundError, StateError
from pos_client.ids import new_id
from pos_client.program.schema import Program, read_program_file
from pos_client.terminal import Terminal
from pos_client.timeutil import to_iso, utcnow


def install_program(session: Session, program: Program, now: datetime, *, user_id: str | None = None) -> bool:
    """Store `program` as a new version; False if this exact version was already there."""
    existing = session.get(ProgramVersion, program.version)
    document = program.canonical_json()
    if existing is not None:
        if existing.document == document:
            return False
        raise InvalidInputError(f"program version {program.version} is already installed with different rules;"
                                " HQ must publish a new version number")
    newest = session.scalar(select(ProgramVersion.version).order_by(ProgramVersion.version.desc()).limit(1))
    if newest is not None and program.version < newest:
        raise InvalidInputError(f"program version {program.version} is older than version {newest} in force")
    session.add(ProgramVersion(version=program.version, document=document, loaded_at=to_iso(now)))
    session.add(AuditEntry(audit_id=new_id(), created_at=to_iso(now), user_id=user_id,
                           action="program_load", target=str(program.version), details="{}"))
    return True


def load_program_file(terminal: Terminal, path: Path) -> tuple[Program, bool]:
    program = read_program_file(path)
    with terminal.unit_of_work() as session:
        installed = install_program(session, program, utcnow())
    return program, installed


def program_version(session: Session, version: int) -> Program:
    """A specific stored version (a refund reverses a sale with the rules it was sold under)."""
    row = session.get(ProgramVersion, version)
    if row is None:
        raise NotFoundError(f"program version {version} is not installed on this terminal")
    program = _parse_cached(row.version, row.document)
    _by_version[_database(session), version] = program
    return program


def program_at(session: Session, moment: datetime) -> Program:
    """The program version in force at `moment` (parsed once per version and kept)."""
    row = driver.one(session, _IN_FORCE_SQL, (to_iso(moment),))
    version = row[0] if row else None
    if version is None:
        if session.scalar(select(ProgramVersion.version).limit(1)) is None:
            raise StateError("no loyalty program is installed: run 'kupa program load FILE'")
        raise NotFoundError("no program version was in force at that time")
    cached = _by_version.get((_database(session), version))
    if cached is not None:
        return cached
    return program_version(session, version)


def _database(session: Session) -> str:
    bind = session.get_bind()
    return str(bind.engine.url)


_IN_FORCE_SQL = "SELECT max(version) FROM program_versions WHERE loaded_at <= ?"


#: Versions are immutable once installed in a database (a changed document under the same number is
#: refused), so a parsed version can be kept for the life of the process, per database.
_by_version: dict[tuple[str, int], Program] = {}
_cache: dict[tuple[int, str], Program] = {}


def _parse_cached(version: int, document: str) -> Program:
    key = (version, document)
    if key not in _cache:
        _cache[key] = Program.model_validate(json.loads(document, parse_float=Decimal))
    return _cache[key]
