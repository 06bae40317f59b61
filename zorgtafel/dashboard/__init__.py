"""The start page per role. It sits above every domain floor because it gathers from all
of them; each domain contributes panels through ``register_panel``."""

from flask import Flask


def init_app(app: Flask) -> None:
    from zorgtafel.dashboard.views import bp

    app.register_blueprint(bp)
