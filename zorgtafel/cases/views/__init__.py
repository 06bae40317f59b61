"""Web pages of the cases room: signal registration, the case list, the case page and the
identity reveal."""

from flask import Blueprint

bp = Blueprint("cases", __name__, template_folder="../templates")


def register_routes() -> None:
    from zorgtafel.cases.views import case_page, reveal, signals  # noqa: F401 - registers the routes
