"""The dashboard: one page per role, filled by the panels the domain packages register."""

from __future__ import annotations

from flask import Blueprint, render_template

from zorgtafel.core.guard import ProtectedView
from zorgtafel.core.panels import panels_for

bp = Blueprint("dashboard", __name__, template_folder="templates")


class HomeView(ProtectedView):
    action = "personal"  # each panel filters its own rows in SQL by the policy

    def get(self, target):
        from flask_login import current_user

        return render_template("dashboard/home.html", panels=panels_for(current_user))


bp.add_url_rule("/", view_func=HomeView.as_view("home"))
