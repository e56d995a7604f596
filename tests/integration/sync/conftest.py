"""Fixtures of the sync suite (defined in `sync_harness`): `hq_db_url`, `hq`, `make_till`."""

from sync_harness import hq, hq_db_url, make_till  # noqa: F401
