"""Receipt numbers are never printed twice, also after the data folder is restored from a backup.

Real `python -m pos_client` processes on a real data folder and a real HQ on 127.0.0.1: sell, sync, copy the
folder aside, sell more and sync, put the backup back; the first sync after the copy-back learns from HQ's
hello the highest receipt number HQ holds from this terminal (`acked_receipt_seq`), and the next receipt is
numbered past it.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from sync.hq.models import HqSale

from sync_harness import Hq
from test_restore import kupa


def test_a_restored_terminal_numbers_its_next_receipt_past_every_receipt_hq_holds(hq: Hq, make_till: Any,
                                                                                  tmp_path: Path) -> None:
    till = make_till("T1")
    folder = till.path
    first = [kupa(folder, "checkout", "--item", "COFFEE-S")["receipt_no"] for _ in range(2)]
    kupa(folder, "sync", "--once")
    backup = tmp_path / "backup"
    shutil.copytree(folder, backup)
    later = [kupa(folder, "checkout", "--item", "COFFEE-L")["receipt_no"] for _ in range(2)]
    refund = kupa(folder, "refund", later[1], "--pin", "9999")
    kupa(folder, "sync", "--once")
    assert first + later + [refund["receipt_no"]] == [f"T1-00000{n}" for n in range(1, 6)]
    with hq.db.read() as session:
        assert session.scalar(select(func.max(HqSale.receipt_seq)).where(HqSale.terminal_id == "T1")) == 5

    shutil.rmtree(folder)  # the disk died; the backup goes back in place
    shutil.copytree(backup, folder)
    kupa(folder, "sync", "--once")
    after = [kupa(folder, "checkout", "--item", "COFFEE-S")["receipt_no"] for _ in range(2)]
    assert after == ["T1-000006", "T1-000007"]  # never T1-000003 again
    assert kupa(folder, "sale", "show", "T1-000006")["receipt_no"] == "T1-000006"
    kupa(folder, "sync", "--once")  # the restored terminal keeps syncing: HQ now holds 6 and 7 too
    with hq.db.read() as session:
        numbers = sorted(session.scalars(select(HqSale.receipt_seq).where(HqSale.terminal_id == "T1")))
    assert numbers == [1, 2, 3, 4, 5, 6, 7]
