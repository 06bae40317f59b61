"""Helpers of the meetings tests: cases seeded with distinctive names and descriptions (a
scan of every e-mail and .ics must never find them), meetings planned by the reference
convenant's zorgcoördinator, and notification counting."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import func, select

from tests.helpers.people import actor, bsn, register
from zorgtafel.core.timeutil import AMSTERDAM, today_local
from zorgtafel.extensions import db

#: names and free text seeded into cases; none of it may leave Zorgtafel
SEEDED_NAMES = [("Oudenhoven", "Priscilla"), ("Zwartkruis", "Melvin"), ("Brouwershaven", "Yara")]
SEEDED_TEXT = ["gezien bij het station met een oudere man", "nieuwe telefoon en dure sneakers",
               "verzuimt al drie weken van school"]


def local(day, hour: int = 10, minute: int = 0) -> datetime:
    """A local (Amsterdam) wall-clock moment as an aware UTC datetime."""
    return datetime.combine(day, time(hour, minute), tzinfo=AMSTERDAM).astimezone(timezone.utc)


def future(days: int = 7, hour: int = 10) -> datetime:
    return local(today_local() + timedelta(days=days), hour)


def seeded_case(*accounts, index: int = 0, category: str = "wegloopgedrag"):
    """A case with a signal of each account, about a subject with a seeded name."""
    family, given = SEEDED_NAMES[index % len(SEEDED_NAMES)]
    subject = {"family_name": family, "given_names": given, "birth_date": "2010-03-0" + str(1 + index % 9)}
    result = None
    for account in accounts:
        result = register(account, subject=subject, category=category,
                          description=SEEDED_TEXT[index % len(SEEDED_TEXT)])
    return result.case


def plain_case(*accounts):
    subject = {"bsn": bsn()}
    result = None
    for account in accounts:
        result = register(account, subject=subject)
    return result.case


def plan(world, *, participants=(), cases=(), days: int = 7, hours: float = 1.5, **kwargs):
    from zorgtafel.meetings.operations import plan_meeting

    starts = future(days)
    return plan_meeting(actor(world.coordinator), title=kwargs.pop("title", "Zorgtafel Voorbeeldregio"),
                        starts_at=starts, ends_at=starts + timedelta(hours=hours),
                        location=kwargs.pop("location", "Stadhuis, zaal 3"),
                        participants=[actor(p) for p in participants], cases=list(cases), **kwargs)


def notifications(kind: str | None = None, recipient=None) -> list:
    from zorgtafel.notify.models import Notification

    query = select(Notification)
    if kind:
        query = query.where(Notification.kind == kind)
    if recipient is not None:
        query = query.where(Notification.recipient_id == recipient.id)
    return list(db.session.scalars(query.order_by(Notification.id)))


def count(kind: str, recipient=None) -> int:
    from zorgtafel.notify.models import Notification

    query = select(func.count(Notification.id)).where(Notification.kind == kind)
    if recipient is not None:
        query = query.where(Notification.recipient_id == recipient.id)
    return db.session.scalar(query)


def involved(case, account) -> set[str]:
    from zorgtafel.convenant.models import Involvement

    return set(db.session.scalars(select(Involvement.source).where(
        Involvement.case_id == case.id, Involvement.organisation_id == account.organisation_id)))


@contextmanager
def listening(signal):
    """Collect what a blinker signal sends, without touching other receivers (the follow-up
    package listens to the same signals)."""
    received: list[dict] = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    signal.connect(receiver)
    try:
        yield received
    finally:
        signal.disconnect(receiver)
