"""Fixtures of the reliability suite: one synced terminal + HQ template per session, copied per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pos_client.services import auth
from rel_harness import Template, build_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return build_template(tmp_path_factory.mktemp("reliability"))


@pytest.fixture(autouse=True)
def _reset_pin_throttle() -> Iterator[None]:
    """Wrong PINs in one test must not slow down the next (the throttle is per process)."""
    auth._failures = 0
    yield
    auth._failures = 0
