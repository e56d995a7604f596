"""`store_day`: the store's calendar day of a stored UTC timestamp, what screens show for a plan's end."""

from pos_client.timeutil import store_day


def test_a_late_utc_evening_is_the_next_day_in_jerusalem() -> None:
    assert store_day("2026-12-31T22:30:00+00:00", "Asia/Jerusalem") == "2027-01-01"
    assert store_day("2026-12-31T21:59:59+00:00", "Asia/Jerusalem") == "2026-12-31"
    assert store_day("2026-12-31T22:30:00+00:00", "UTC") == "2026-12-31"
