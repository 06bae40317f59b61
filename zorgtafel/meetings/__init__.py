"""Overleg (meetings), participants, the agenda, minutes and decisions, actiepunten with
their reminders and escalation, and the calendar invitations (.ics).

Other packages may listen to ``zorgtafel.meetings.events`` (e.g. ``action_overdue``,
``minutes_overdue``, ``action_closed``, ``minutes_approved``) to make follow-up work.
"""

from flask import Flask


def init_app(app: Flask) -> None:
    from zorgtafel.cases.queries import TIMELINE_SOURCES
    from zorgtafel.meetings import ics, models, notifications, tasks  # noqa: F401 - tables and Celery tasks
    from zorgtafel.meetings.timeline import entries
    from zorgtafel.meetings.views import bp, register_routes

    notifications.register()
    ics.register()
    register_routes()
    if not app.blueprints.get("meetings"):
        app.register_blueprint(bp)
    if entries not in TIMELINE_SOURCES:
        TIMELINE_SOURCES.append(entries)
    from zorgtafel.meetings.panels import register as register_panels

    register_panels()
