"""The zorgcoördinator's follow-up queue: tasks made by events and sweeps, with deadlines
in working days, closed when the reason is gone. Sits above meetings and privacy because it
listens to their events."""

from flask import Flask


def init_app(app: Flask) -> None:
    from zorgtafel.followup import handlers, models, tasks  # noqa: F401 - tables and tasks
    from zorgtafel.followup.views import bp
    from zorgtafel.core.web import N_
    from zorgtafel.notify.kinds import register_kind

    register_kind("taken_overzicht", N_("Uw taken voor vandaag"),
                  N_("Er staan taken voor u klaar die vandaag af moeten of te laat zijn. Bekijk ze in Zorgtafel."))
    handlers.connect()
    app.register_blueprint(bp)
