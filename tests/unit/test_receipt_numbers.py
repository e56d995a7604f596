"""Receipt numbers: the terminal's part, the format and the parse (pure; the store is tested in integration)."""

from __future__ import annotations

import pytest

from pos_client.sales import format_receipt, parse_receipt
from pos_client.terminal import receipt_prefix


@pytest.mark.parametrize(("terminal_id", "member_prefix", "expected"), [
    ("T1", "412", "T1"), ("t-02", "412", "T2"), ("7", "412", "T7"), ("T000123", "412", "T123"),
    ("T1234567", "412", "T412"),  # 7 digits is no till number a person reads: the member prefix
    ("T-3fa9c2d1", "482", "T482"), ("front-desk", "101", "T101"), ("DEMO-1", "555", "T555"),
])
def test_the_terminal_part_is_its_number_else_its_member_prefix(terminal_id: str, member_prefix: str,
                                                                 expected: str) -> None:
    assert receipt_prefix(terminal_id, member_prefix) == expected


def test_format_pads_to_six_digits_and_grows_past_them() -> None:
    assert format_receipt("T1", 1) == "T1-000001"
    assert format_receipt("T1", 999_999) == "T1-999999"
    assert format_receipt("T1", 1_000_000) == "T1-1000000"


@pytest.mark.parametrize(("text", "expected"), [
    ("T1-000123", ("T1", 123)), ("t1-123", ("T1", 123)), (" T01-5 ", ("T1", 5)), ("T482-0000000001", ("T482", 1)),
    ("01a23516", None), ("T1-", None), ("T1000000-1", None), ("T1-1234567890123", None), ("X1-000001", None),
])
def test_parse_accepts_any_case_and_padding_and_nothing_else(text: str, expected: tuple[str, int] | None) -> None:
    assert parse_receipt(text) == expected
