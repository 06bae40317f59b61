"""Celery tasks of the meetings room: thin and idempotent (DESIGN rule 6). Each calls one
operation and commits. What is due lives in PostgreSQL; the sweeps lock due rows with
FOR UPDATE SKIP LOCKED and mark them in the same transaction as the notifications, so a
second run, a concurrent run or a redelivered message sends nothing twice."""

from __future__ import annotations

from celery import shared_task

from zorgtafel.extensions import db
from zorgtafel.meetings import reminders


@shared_task(name="zorgtafel.meetings.sweep_action_reminders")
def sweep_action_reminders() -> int:
    """Beat, every minute: reminders before and on the due date, escalation when overdue."""
    handled = reminders.sweep_action_reminders()
    db.session.commit()  # the outbox nudge publishes the e-mails after this commit
    return handled


@shared_task(name="zorgtafel.meetings.sweep_minutes_reminders")
def sweep_minutes_reminders() -> int:
    """Beat, every five minutes: minutes not approved N working days after the meeting."""
    handled = reminders.sweep_minutes_reminders()
    db.session.commit()
    return handled
