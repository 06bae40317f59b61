"""The privacy officer's room: art. 15 export, retention, statistics."""

from flask import Flask


def init_app(app: Flask) -> None:
    from zorgtafel.privacy import models, tasks  # noqa: F401 - tables and tasks
    from zorgtafel.privacy.cli import retention_cli
    from zorgtafel.privacy.panels import register as register_panels
    from zorgtafel.privacy.views import bp

    app.register_blueprint(bp)
    app.cli.add_command(retention_cli)
    register_panels()
