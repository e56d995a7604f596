"""The words of what a sync cycle found beyond counts, one place for `kupa sync` and the app's status bar.

The sync itself runs in `sync/` (the core never speaks HTTP); its summary (`sync.client.SyncSummary.to_json`)
names a restore from a backup (`restored`), unsent items held because HQ gave their member's id to someone
else (`held`), and pulled items the terminal skipped (`skipped`). `notices()` words them in a language.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pos_client.messages import message

RESTORED = message(
    "sync.restored",
    en="This terminal was restored from a backup: it now continues after HQ's entry {seq} and member number"
       " {member}; {recovered} entries were taken back from HQ and {renumbered} renumbered",
    he="המסוף שוחזר מגיבוי: הוא ממשיך כעת אחרי רשומה {seq} ומספר חבר {member} שבמטה;"
       " {recovered} רשומות הוחזרו מהמטה ו-{renumbered} מוספרו מחדש")
HELD = message(
    "sync.member_id_reused",
    en="{count} items of members enrolled after the restore are held for a manager: HQ had already given"
       " their member id to someone else",
    he="{count} פריטים של חברים שנרשמו אחרי השחזור מוחזקים לטיפול מנהל: המטה כבר נתן את מספר החבר שלהם לאחר")
SKIPPED = message("sync.skipped", en="{count} items from HQ could not be applied here and were skipped",
                  he="{count} פריטים מהמטה לא ניתן היה להחיל כאן והם דולגו")


def notices(summary: Mapping[str, Any], lang: str) -> list[str]:
    """The restore, held items and skipped items of a cycle's summary, one sentence each, in `lang`."""
    out: list[str] = []
    restored = summary.get("restored")
    if restored:
        out.append(RESTORED.render(lang, seq=restored["acked_seq"], member=restored["acked_member_seq"],
                                   recovered=restored["recovered"], renumbered=restored["renumbered"]))
    if summary.get("held"):
        out.append(HELD.render(lang, count=summary["held"]))
    if summary.get("skipped"):
        out.append(SKIPPED.render(lang, count=len(summary["skipped"])))
    return out
