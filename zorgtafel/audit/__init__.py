"""The hash-chained access log (NEN 7513): writing, verification, anchoring, and the pages
to read it."""

from flask import Flask


def init_app(app: Flask) -> None:
    from flask_babel import lazy_gettext as _l

    from zorgtafel.audit import tasks  # noqa: F401 - registers the Celery task
    from zorgtafel.audit.cli import audit_cli
    from zorgtafel.audit.operations import on_access, on_auth_event, on_decision
    from zorgtafel.audit.views import bp
    from zorgtafel.auth.models import ROLES
    from zorgtafel.core.signals import access_logged, auth_event, decision_made
    from zorgtafel.core.web import register_nav

    # Module-level receivers, held strongly; connecting again (a second app) is a no-op.
    decision_made.connect(on_decision, weak=False)
    auth_event.connect(on_auth_event, weak=False)
    access_logged.connect(on_access, weak=False)
    app.register_blueprint(bp)
    app.cli.add_command(audit_cli)
    register_nav(lambda: str(_l("Logboek")), "audit.search", {"privacy"}, order=80)
    register_nav(lambda: str(_l("Wat heb ik ingezien")), "audit.own", set(ROLES), order=95)
