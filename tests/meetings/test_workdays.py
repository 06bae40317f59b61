"""Working days in the Netherlands: weekends and Dutch public holidays skipped."""

from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from zorgtafel.core.workdays import add_working_days, at_local, is_working_day, working_days_between


@pytest.mark.parametrize("day,expected", [
    (date(2026, 12, 24), True),    # Thursday
    (date(2026, 12, 25), False),   # Eerste Kerstdag
    (date(2026, 12, 26), False),   # Saturday and Tweede Kerstdag
    (date(2026, 12, 27), False),   # Sunday
    (date(2027, 4, 27), False),    # Koningsdag, a Tuesday
    (date(2027, 3, 29), False),    # Tweede Paasdag
    (date(2027, 5, 6), False),     # Hemelvaartsdag
    (date(2027, 5, 17), False),    # Tweede Pinksterdag
    (date(2027, 4, 28), True),
])
def test_is_working_day(day, expected):
    assert is_working_day(day) is expected


def test_add_working_days_across_weekend_and_christmas():
    assert add_working_days(date(2026, 12, 28), -1) == date(2026, 12, 24)  # Mon → back over Xmas and weekend
    assert add_working_days(date(2026, 12, 28), -2) == date(2026, 12, 23)
    assert add_working_days(date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert add_working_days(date(2026, 12, 22), 3) == date(2026, 12, 28)
    assert add_working_days(date(2027, 4, 26), 1) == date(2027, 4, 28)  # over Koningsdag
    assert add_working_days(date(2026, 12, 26), 0) == date(2026, 12, 26)


def test_working_days_between_is_the_inverse():
    start = date(2026, 12, 18)
    for n in range(-12, 13):
        assert working_days_between(start, add_working_days(start, n)) == n
    assert working_days_between(date(2026, 12, 24), date(2026, 12, 28)) == 1


def test_a_datetime_counts_as_its_amsterdam_day():
    late_utc = datetime(2026, 12, 24, 23, 30, tzinfo=timezone.utc)  # already the 25th in Amsterdam
    assert not is_working_day(late_utc)


def test_at_local_uses_the_offset_of_the_day():
    assert at_local(date(2027, 3, 23), time(10)).hour == 9   # CET, UTC+1
    assert at_local(date(2027, 3, 30), time(10)).hour == 8   # CEST, UTC+2
    assert at_local(date(2027, 11, 2), time(10)).hour == 9
