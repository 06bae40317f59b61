"""Time is UTC in the database and Europe/Amsterdam on screen, in e-mails and in .ics."""

from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def today_local() -> date:
    """The calendar day in the Netherlands: rules such as ``left_on`` are in local days."""
    return now_utc().astimezone(AMSTERDAM).date()


def to_local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(AMSTERDAM)
