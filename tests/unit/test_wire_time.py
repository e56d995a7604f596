"""Typed time on the wire (`sync.protocol.UtcTime`): only aware ISO 8601 in, one canonical UTC form out."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from pydantic import ValidationError

from sync.protocol import MAX_JSON_DEPTH, PushItem, WireAudit

AUDIT = {"audit_id": "0193a000-0000-7000-8000-000000000001", "action": "card_revoke"}


@pytest.mark.parametrize("text, canonical", [
    ("2026-12-03T10:15:00.123456+00:00", "2026-12-03T10:15:00.123456+00:00"),
    ("2026-12-03T10:15:00Z", "2026-12-03T10:15:00.000000+00:00"),
    ("2026-12-03T12:15:00.5+02:00", "2026-12-03T10:15:00.500000+00:00"),
    ("2026-12-03T00:30-05:00", "2026-12-03T05:30:00.000000+00:00"),
    ("2026-12-31T23:30:00-01:00", "2027-01-01T00:30:00.000000+00:00"),
])
def test_an_aware_time_is_read_and_written_back_in_the_canonical_utc_form(text: str, canonical: str) -> None:
    audit = WireAudit.model_validate(AUDIT | {"created_at": text})
    assert audit.created_at.tzinfo is not None and audit.created_at.utcoffset() == timezone.utc.utcoffset(None)
    assert audit.model_dump()["created_at"] == canonical
    assert f'"created_at":"{canonical}"' in audit.model_dump_json()


@pytest.mark.parametrize("text", [
    "not-a-time-at-all", "2026-12-03T10:15:00", "2026-12-03 10:15:00+00:00", "2026-13-45T10:00:00Z",
    "2026-02-30T10:00:00Z", "2026-12-03T25:00:00Z", "2026-12-03T10:15:00.1234567Z", "2026-12-03",
    "0001-01-01T00:00:00+01:00", "2026-12-03T10:15:00+00:00 ", 1764756900, None, "",
])
def test_anything_but_an_aware_iso_time_is_refused(text: object) -> None:
    with pytest.raises(ValidationError):
        WireAudit.model_validate(AUDIT | {"created_at": text})


def test_an_aware_datetime_is_taken_as_is_and_a_naive_one_refused() -> None:
    moment = datetime(2026, 12, 3, 10, 15, tzinfo=timezone.utc)
    assert WireAudit(**AUDIT, created_at=moment).created_at == moment  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        WireAudit(**AUDIT, created_at=datetime(2026, 12, 3, 10, 15))  # type: ignore[arg-type]


def test_free_form_json_is_bounded_in_depth() -> None:
    def nested(depth: int) -> dict[str, object]:
        node: dict[str, object] = {}
        for _ in range(depth - 1):
            node = {"a": node}
        return node

    PushItem(kind="sale", key="k", body=nested(MAX_JSON_DEPTH))
    with pytest.raises(ValidationError, match="nested deeper"):
        PushItem(kind="sale", key="k", body=nested(MAX_JSON_DEPTH + 1))
    with pytest.raises(ValidationError, match="nested deeper"):
        PushItem(kind="sale", key="k", body={"lines": [[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]})
