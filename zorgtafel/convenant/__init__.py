"""The convenant as versioned data and the policy that decides every access."""

from flask import Flask


def init_app(app: Flask) -> None:
    from zorgtafel.convenant import models  # noqa: F401 - registers the tables
    from zorgtafel.convenant import policy

    from zorgtafel.convenant.cli import convenant_cli
    from zorgtafel.convenant.views import bp

    app.extensions["zorgtafel.policy"] = policy
    app.cli.add_command(convenant_cli)
    app.register_blueprint(bp)
