"""The sweeps beat runs every minute (DESIGN rule 6): due-ness lives in PostgreSQL columns,
rows are locked with ``FOR UPDATE SKIP LOCKED`` and marked in the same transaction as the
notifications they cause, so a second sweep, a concurrent one or a redelivered task finds
nothing left to send. No ETA or countdown messages.

Per action, in order: a reminder to the assignee N working days before the due date, one
on the due date, and an escalation to the convenant's zorgcoördinatoren M working days
after it. A sweep that comes late (beat was down) sends only the latest stage that is
due; the earlier ones are marked as passed. Per meeting: one reminder to the organiser
when the minutes are not approved N working days after the meeting.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from zorgtafel.cases.operations import coordinators
from zorgtafel.core.models import utcnow
from zorgtafel.extensions import db
from zorgtafel.meetings import notifications as kinds
from zorgtafel.meetings.actions import link, refresh_next
from zorgtafel.meetings.events import action_overdue, minutes_overdue
from zorgtafel.meetings.models import OPEN_ACTION_STATUSES, ActionItem, Meeting
from zorgtafel.notify.operations import notify

SWEEP_LIMIT = 500


def sweep_action_reminders(now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    """Send what is due; returns the number of notifications' occasions handled."""
    now = now or utcnow()
    due = db.session.scalars(
        select(ActionItem).where(ActionItem.next_reminder_at <= now, ActionItem.status.in_(OPEN_ACTION_STATUSES))
        .order_by(ActionItem.next_reminder_at).limit(limit).with_for_update(of=ActionItem, skip_locked=True)
        .options(joinedload(ActionItem.case))  # the reference and convenant, without a query per row
        .execution_options(populate_existing=True)
    ).all()
    sent = 0
    for action in due:
        sent += _advance(action, now)
    # Closed actions whose column was left set (should not happen; cheap to tidy).
    db.session.flush()
    return sent


def _advance(action: ActionItem, now: datetime) -> int:
    stages = [("escalate", action.escalate_at, action.escalated_at),
              ("due", action.due_remind_at, action.due_remind_sent_at),
              ("remind", action.remind_at, action.remind_sent_at)]
    ready = [name for name, at, done in stages if at is not None and done is None and at <= now]
    if not ready:
        refresh_next(action)
        return 0
    latest = ready[0]  # stages are listed latest first
    for name in ready:  # the latest goes out; earlier ones the sweep came too late for are passed
        if name == "escalate":
            action.escalated_at = now
        elif name == "due":
            action.due_remind_sent_at = now
        else:
            action.remind_sent_at = now
    reference = action.case.reference
    if latest == "escalate":
        notify(None, sorted(coordinators(action.case.convenant_key)), kinds.ACTION_ESCALATION,
               case_reference=reference, link=link(action))
        action_overdue.send(current_app._get_current_object(), action=action)
    else:
        kind = kinds.ACTION_DUE_TODAY if latest == "due" else kinds.ACTION_REMINDER
        notify(None, [action.assignee_id], kind, case_reference=reference, link=link(action))
    refresh_next(action)
    return 1


def sweep_minutes_reminders(now: datetime | None = None, limit: int = SWEEP_LIMIT) -> int:
    now = now or utcnow()
    due = db.session.scalars(
        select(Meeting).where(Meeting.minutes_remind_at <= now).order_by(Meeting.minutes_remind_at).limit(limit)
        .with_for_update(of=Meeting, skip_locked=True).execution_options(populate_existing=True)
    ).all()
    sent = 0
    for meeting in due:
        meeting.minutes_remind_at = None  # once, whatever happens below
        if meeting.status == "geannuleerd" or meeting.minutes_status == "goedgekeurd":
            continue
        meeting.minutes_reminded_at = now
        organiser = meeting.organiser
        recipients = [organiser.id] if organiser is not None and organiser.active \
            else sorted(coordinators(meeting.convenant_key))
        notify(None, recipients, kinds.MINUTES_APPROVE_REMINDER, link=f"/overleg/{meeting.id}/verslag")
        minutes_overdue.send(current_app._get_current_object(), meeting=meeting)
        sent += 1
    db.session.flush()
    return sent
