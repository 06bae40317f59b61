"""Shared by the meeting pages: loading a meeting so that unknown and invisible look the
same (404), and what to do with the transaction after an operation refused."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from zorgtafel.core.guard import ProtectedView
from zorgtafel.extensions import db
from zorgtafel.meetings.models import Meeting
from zorgtafel.meetings.queries import meeting_for


class MeetingView(ProtectedView):
    """A page about one meeting: only its participants and those who may plan meetings
    under its convenant find it (in SQL); the class's action is then decided on it."""

    def load(self, meeting_id: int, **_):
        meeting = meeting_for(current_user, meeting_id)
        if meeting is None:
            abort(404)
        return meeting.policy_target()

    def meeting(self, target) -> Meeting:
        return db.session.get(Meeting, target.object_id)


def settle(exc) -> None:
    """A refusal (403) keeps its audit entry; any other error undoes the half-done work."""
    if getattr(exc, "status", 422) == 403:
        db.session.commit()
    else:
        db.session.rollback()


def fail(form, exc) -> None:
    """Put an operation's field messages next to the form's fields ('participants[2]'
    belongs to 'participants'); returns nothing, the summary lists them."""
    for name, message in (exc.fields or {}).items():
        field = getattr(form, name.split(".")[-1].split("[")[0], None)
        if field is not None and hasattr(field, "errors"):
            field.errors = list(field.errors) + [message]
