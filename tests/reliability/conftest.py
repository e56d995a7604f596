"""Fixtures of the reliability suite: one synced terminal + HQ template per session, copied per test."""

from __future__ import annotations

import pytest

from rel_harness import Template, build_template


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Template:
    return build_template(tmp_path_factory.mktemp("reliability"))
