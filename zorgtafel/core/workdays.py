"""Working days in the Netherlands: Monday to Friday, minus the Dutch public holidays
(the ``holidays`` library: Nieuwjaarsdag, Goede Vrijdag, Pasen, Koningsdag, Bevrijdingsdag
in lustrum years, Hemelvaart, Pinksteren, Kerst).

Deadlines in a convenant are counted in working days ("notulen binnen 3 werkdagen").
Days are local (Europe/Amsterdam) calendar days; ``at_local`` turns a day and a wall-clock
time into the UTC moment the database stores.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache

import holidays

from zorgtafel.core.timeutil import AMSTERDAM


@lru_cache(maxsize=64)
def _holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("NL", years=year).keys())


def _day(value: date | datetime) -> date:
    """A datetime counts as its local (Amsterdam) calendar day."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(AMSTERDAM).date()
    return value


def is_holiday(day: date | datetime) -> bool:
    day = _day(day)
    return day in _holidays(day.year)


def is_working_day(day: date | datetime) -> bool:
    day = _day(day)
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(day: date | datetime, n: int) -> date:
    """The n-th working day after ``day`` (before it for negative n). ``day`` itself is
    never counted; n = 0 returns ``day`` unchanged, whether or not it is a working day.
    Friday + 1 is Monday; the Monday after Easter is skipped."""
    current = _day(day)
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date | datetime, end: date | datetime) -> int:
    """Working days d with start < d <= end; negative when end lies before start.
    So ``working_days_between(d, add_working_days(d, n)) == n``."""
    a, b = _day(start), _day(end)
    if b < a:
        return -working_days_between(b, a)
    count = 0
    current = a
    while current < b:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def at_local(day: date, wall: time) -> datetime:
    """``day`` at wall-clock ``wall`` in Amsterdam, as an aware UTC datetime (the right
    offset on either side of a daylight-saving change)."""
    return datetime.combine(day, wall, tzinfo=AMSTERDAM).astimezone(timezone.utc)
