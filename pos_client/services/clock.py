"""The terminal's clock check: a clock that jumped stops sales until a manager confirms it.

A terminal dates every sale, entry and expiry with its own wall clock (`timeutil.utcnow`, the one clock of
the core). A cashier can move that clock, and a flat CMOS battery resets it; points then expire years early,
or the offline cap's day starts again. So the terminal keeps its **last known good time** — the latest of
its own business times recorded while the clock was trusted, and of HQ's time (the `Date` of HQ's answer)
at each sync — and judges every business action's `now` against it (docs/core.md, "Clock"):

- **behind**: `now` is more than `TOLERANCE` before the last known good time (the clock went back). Sales
  stop until a manager confirms the clock (`kupa clock confirm --pin`, or the banner on the checkout screen).
- **hq_disagrees**: at the last sync the clock differed from HQ's by more than `TOLERANCE` (either way).
  Sales stop until the clock is set right and the next sync agrees, or a manager confirms (the confirmed
  difference is then accepted until it changes again by more than `TOLERANCE`).
- **unverified**: `now` is more than `FAR_AHEAD` past the last known good time and no sync has confirmed
  it. That is what a store reopening after weeks closed looks like, so sales go on; but the time is not
  trusted: points expire only as of the last known good time, and the last known good time does not move,
  until a sync with HQ agrees or a manager confirms.
- **ok** otherwise.

Nothing here stops `kupa sync`: a sync only moves data already recorded, and it is what brings HQ's time.
The state is one JSON value in `settings` (key `clock`), written in the caller's unit of work.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from pos_client.db import driver
from pos_client.db.models import Setting
from pos_client.services import audit
from pos_client.errors import KupaError, StateError
from pos_client.messages import Message, message
from pos_client.terminal import Terminal, put_setting
from pos_client.timeutil import from_iso, store_time, to_iso, utcnow

#: How far the clock may go back, or differ from HQ's, before it is doubted (NTP steps and HQ's one-second
#: `Date` are far below it; a terminal minutes off would also have its entries refused as future-dated at HQ).
TOLERANCE = timedelta(minutes=5)
#: A clock further than this past the last known good time is not trusted until HQ or a manager confirms it.
FAR_AHEAD = timedelta(days=2)
#: The last known good time is written at most this often (not on every sale: one page less per checkout).
ADVANCE_STEP = timedelta(seconds=60)
SETTING = "clock"

CLOCK_BEHIND = message(
    "clock.behind",
    en="The terminal's clock ({now}) is earlier than the last time it knew to be right ({last_good}): sales are "
       "stopped until a manager checks the clock and confirms it",
    he="שעון הקופה ({now}) מוקדם מהזמן האחרון שידוע כנכון ({last_good}): המכירות מופסקות עד שמנהל יבדוק את "
       "השעון ויאשר אותו")
CLOCK_HQ = message(
    "clock.hq_disagrees",
    en="The terminal's clock differs from HQ's by {difference} (at the last sync): sales are stopped until the "
       "clock is set right and synced, or a manager confirms it",
    he="שעון הקופה שונה משעון המטה ב-{difference} (בסנכרון האחרון): המכירות מופסקות עד שהשעון יכוון ויסונכרן, "
       "או עד שמנהל יאשר אותו")
CLOCK_UNVERIFIED = message(
    "clock.unverified",
    en="The terminal's clock ({now}) is more than {days} days past the last time it knew to be right "
       "({last_good}): sales go on, but points do not expire until a sync or a manager confirms the clock",
    he="שעון הקופה ({now}) מאוחר ביותר מ-{days} ימים מהזמן האחרון שידוע כנכון ({last_good}): המכירות נמשכות, "
       "אבל נקודות לא יפוגו עד שסנכרון או מנהל יאשרו את השעון")
CLOCK_OK = message("clock.ok", en="The terminal's clock is trusted", he="שעון הקופה מאומת")

_MESSAGES = {"behind": CLOCK_BEHIND, "hq_disagrees": CLOCK_HQ, "unverified": CLOCK_UNVERIFIED, "ok": CLOCK_OK}


class ClockHoldError(StateError):
    """Sales are stopped: the clock jumped and no manager has confirmed it yet."""

    code = "clock_hold"


@dataclass(frozen=True)
class ClockState:
    """What the terminal knows about time (the `clock` setting)."""

    last_good: datetime | None = None
    hq_time: datetime | None = None
    hq_seen_at: datetime | None = None  # this terminal's clock when HQ's time was read
    accepted_skew: timedelta = timedelta(0)  # a difference from HQ a manager confirmed

    @property
    def hq_skew(self) -> timedelta | None:
        """This clock minus HQ's at the last sync."""
        return self.hq_seen_at - self.hq_time if self.hq_time and self.hq_seen_at else None

    def to_json(self) -> dict[str, Any]:
        return {"last_good": _iso(self.last_good), "hq_time": _iso(self.hq_time),
                "hq_seen_at": _iso(self.hq_seen_at), "accepted_skew": self.accepted_skew.total_seconds()}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ClockState:
        def moment(key: str) -> datetime | None:
            return from_iso(data[key]) if data.get(key) else None

        return cls(moment("last_good"), moment("hq_time"), moment("hq_seen_at"),
                   timedelta(seconds=float(data.get("accepted_skew") or 0)))


@dataclass(frozen=True)
class ClockVerdict:
    """How far `now` can be trusted: `status` is ok, unverified, behind or hq_disagrees."""

    status: str
    now: datetime
    state: ClockState
    #: The store's time zone, for the times the message shows (people read store time; UTC stays inside).
    zone: str = "UTC"

    @property
    def hold(self) -> bool:
        """Sales must stop until a manager confirms the clock."""
        return self.status in ("behind", "hq_disagrees")

    @property
    def expiry_time(self) -> datetime:
        """The time expiry may act on: `now` when trusted, else never past the last known good time."""
        last_good = self.state.last_good
        return self.now if self.status == "ok" or last_good is None else min(self.now, last_good)

    @property
    def message(self) -> Message:
        return _MESSAGES[self.status]

    def params(self) -> dict[str, object]:
        skew = self.state.hq_skew
        return {"now": _shown(self.now, self.zone), "last_good": _shown(self.state.last_good, self.zone),
                "difference": _duration(skew) if skew is not None else "", "days": FAR_AHEAD.days}

    def error(self) -> ClockHoldError:
        return ClockHoldError(self.message, **self.params())

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        skew = self.state.hq_skew
        return {"status": self.status, "hold": self.hold, "now": to_iso(self.now),
                "last_good": _iso(self.state.last_good), "hq_time": _iso(self.state.hq_time),
                "hq_seen_at": _iso(self.state.hq_seen_at),
                "hq_skew_seconds": round(skew.total_seconds(), 3) if skew is not None else None,
                "accepted_skew_seconds": self.state.accepted_skew.total_seconds(),
                "expiry_time": to_iso(self.expiry_time), "message_code": self.message.code,
                "message": self.message.render(lang, **self.params())}


def _iso(moment: datetime | None) -> str | None:
    return to_iso(moment) if moment is not None else None


def _shown(moment: datetime | None, zone: str = "UTC") -> str:
    """A time as the store reads it: its zone's wall clock, with the zone's abbreviation (`IST`, `UTC`)."""
    if moment is None:
        return "-"
    return store_time(moment, zone).strftime("%Y-%m-%d %H:%M %Z")


def _store_zone_name(session: Session, now: datetime) -> str:
    """The program's time zone (UTC before any program is loaded); read only when a message needs it."""
    from pos_client.services.programs import program_at

    try:
        return program_at(session, now).timezone
    except KupaError:
        return "UTC"


def _duration(delta: timedelta) -> str:
    sign = "+" if delta >= timedelta(0) else "-"
    seconds = int(abs(delta.total_seconds()))
    days, rest = divmod(seconds, 86400)
    return f"{sign}{days}d {rest // 3600:02d}:{rest % 3600 // 60:02d}:{rest % 60:02d}"


_STATE = driver.Statement(select(Setting.value).where(Setting.key == SETTING))


def load_state(session: Session) -> ClockState:
    row = driver.one(session, _STATE)
    return ClockState.from_json(json.loads(row[0])) if row is not None else ClockState()


def _save(session: Session, state: ClockState) -> None:
    put_setting(session, SETTING, state.to_json())


def assess(state: ClockState, now: datetime) -> ClockVerdict:
    """Judge `now` against what the terminal knows (the rules of the module docstring)."""
    if state.last_good is not None and now < state.last_good - TOLERANCE:
        return ClockVerdict("behind", now, state)
    skew = state.hq_skew
    if skew is not None and abs(skew - state.accepted_skew) > TOLERANCE:
        return ClockVerdict("hq_disagrees", now, state)
    if state.last_good is not None and now > state.last_good + FAR_AHEAD:
        return ClockVerdict("unverified", now, state)
    return ClockVerdict("ok", now, state)


def verdict(session: Session, now: datetime) -> ClockVerdict:
    """`assess` on the stored state; reads only (a quote, a status screen)."""
    return assess(load_state(session), now)


def guard(session: Session, now: datetime) -> ClockVerdict:
    """Call at the start of every business action's unit of work: refuses (`ClockHoldError`) while the clock is
    held, and moves the last known good time forward when `now` is trusted."""
    state = load_state(session)
    judged = assess(state, now)
    if judged.hold:
        raise replace(judged, zone=_store_zone_name(session, now)).error()
    if judged.status == "ok" and (state.last_good is None or now > state.last_good + ADVANCE_STEP):
        _save(session, ClockState(now, state.hq_time, state.hq_seen_at, state.accepted_skew))
    return judged


def record_hq_time(session: Session, hq_time: datetime, seen_at: datetime) -> ClockVerdict:
    """A sync read HQ's time `hq_time` when this clock said `seen_at`: remember it, and when the two agree
    (within `TOLERANCE` of any difference a manager accepted), move the last known good time to HQ's time."""
    state = load_state(session)
    last_good, accepted = state.last_good, state.accepted_skew
    skew = seen_at - hq_time
    if abs(skew) <= TOLERANCE:  # right again: a difference a manager once accepted no longer applies
        accepted = timedelta(0)
    if abs(skew - accepted) <= TOLERANCE:
        in_local_terms = hq_time + accepted
        last_good = max(last_good, in_local_terms) if last_good is not None else in_local_terms
    new = ClockState(last_good, hq_time, seen_at, accepted)
    _save(session, new)
    return assess(new, seen_at)


def confirm(terminal: Terminal, manager_pin: str) -> ClockVerdict:
    """A manager vouches for the clock as it is now: it becomes the last known good time (also when it went
    back), and the difference from HQ seen at the last sync is accepted. Audited."""
    from pos_client.services.auth import authenticate

    now = utcnow()
    with terminal.unit_of_work() as session:
        manager = authenticate(session, manager_pin, role="manager")
        state = load_state(session)
        before = assess(state, now)
        skew = state.hq_skew
        new = ClockState(now, state.hq_time, state.hq_seen_at, skew if skew is not None else state.accepted_skew)
        _save(session, new)
        audit.record(session, now, manager.user_id, "clock_confirm", terminal.settings.terminal_id,
                     audit.CLOCK_CONFIRMED.render("en", status=before.status),
                     {"was": before.to_json(), "now": to_iso(now)})
        return assess(new, now)


def status(terminal: Terminal, lang: str = "en") -> dict[str, Any]:
    """The clock's state for `kupa clock show` and the checkout screen's banner."""
    now = utcnow()
    with terminal.read() as session:
        return replace(verdict(session, now), zone=_store_zone_name(session, now)).to_json(lang)
