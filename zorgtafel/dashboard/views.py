"""The dashboard: one page per role, filled by panels the domain packages register."""

from __future__ import annotations

from typing import Callable

from flask import Blueprint, render_template

from zorgtafel.core.guard import ProtectedView

bp = Blueprint("dashboard", __name__, template_folder="templates")

#: (roles, template, context function(actor) -> dict); registered by domain packages.
PANELS: list[tuple[frozenset[str], str, Callable]] = []


def register_panel(roles: set[str], template: str, context: Callable) -> None:
    PANELS.append((frozenset(roles), template, context))


class HomeView(ProtectedView):
    action = "personal"

    def get(self, target):
        from flask_login import current_user

        panels = [(template, context(current_user)) for roles, template, context in PANELS
                  if roles & set(current_user.roles)]
        return render_template("dashboard/home.html", panels=panels)


bp.add_url_rule("/", view_func=HomeView.as_view("home"))
