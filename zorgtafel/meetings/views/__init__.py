"""Web pages of the meetings room: the overleg (plan, agenda, participants, reschedule,
cancel), conducting it and its minutes, and the actiepunten."""

from flask import Blueprint

bp = Blueprint("meetings", __name__, template_folder="../templates")


def register_routes() -> None:
    from zorgtafel.meetings.views import actions, agenda, conduct, meetings  # noqa: F401 - registers the routes
