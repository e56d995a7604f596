"""A campaign's bonus points reach HQ as their own entry, which HQ checks against the program it published: the
terminal and HQ agree on the member's points; an amount the campaign does not grant is refused."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from pos_client.member_state.rules import store_date
from pos_client.timeutil import utcnow
from sqlalchemy import select

from sync import refusals as R
from sync.hq import admin
from sync.hq.models import HqRejection
from sync_harness import DATA, Hq


def _program(tmp_path: Path, bonus: int) -> Path:
    document = json.loads((DATA / "program_full.json").read_text(encoding="utf-8"))
    today = store_date(utcnow(), document.get("timezone", "UTC"))
    document["version"] = 9
    document["campaigns"] = [{"code": "croissant_days", "name": {"en": "Croissant days"}, "categories": ["bakery"],
                              "starts": str(today - timedelta(days=1)), "ends": str(today + timedelta(days=1)),
                              "bonus_points": bonus}]
    path = tmp_path / f"program_{bonus}.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_campaign_bonus_points_are_pushed_checked_and_agree(hq: Hq, make_till: Any, tmp_path: Path) -> None:
    program = _program(tmp_path, 40)
    admin.publish_program(hq.db, program)
    till = make_till("T1")
    member = till.kupa("member", "add", "--name", "Noa")["member_id"]
    sale = till.kupa("checkout", "--member", member, "--item", "CROISSANT")
    assert sale["campaign_points"] == 40
    assert till.sync().rejected == 0
    assert admin.member_show(hq.db, member)["points"] == till.kupa("member", "show", member)["points"]


def test_a_campaign_bonus_the_program_does_not_grant_is_refused(hq: Hq, make_till: Any, tmp_path: Path) -> None:
    admin.publish_program(hq.db, _program(tmp_path, 40))
    till = make_till("T1", sync=False)
    till.kupa("program", "load", str(_program(tmp_path, 400)))  # HQ's version number with a bigger bonus
    member = till.kupa("member", "add", "--name", "Noa")["member_id"]
    assert till.kupa("checkout", "--member", member, "--item", "CROISSANT")["campaign_points"] == 400
    assert till.sync().rejected == 1
    with hq.db.read() as session:
        [(code, body)] = session.execute(select(HqRejection.code, HqRejection.body)).all()
    assert json.loads(body)["kind"] == "campaign" and code == R.PROGRAM_AMOUNT.code
