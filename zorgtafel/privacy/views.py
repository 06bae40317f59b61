"""Pages of the privacy room: the art. 15 export and the statistics."""

from __future__ import annotations

import json

from flask import Blueprint, Response, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from zorgtafel.audit.operations import record
from zorgtafel.cases.errors import CaseError
from zorgtafel.convenant import policy
from zorgtafel.core.guard import ProtectedView
from zorgtafel.core.web import register_nav
from zorgtafel.extensions import db
from zorgtafel.privacy import export, statistics
from zorgtafel.privacy.charts import as_csv, bar_chart
from zorgtafel.privacy.forms import ExportForm

bp = Blueprint("privacy", __name__, template_folder="templates", url_prefix="/privacy")


class ExportView(ProtectedView):
    """The identity is posted, never put in a URL; each export is an audit entry."""

    action = "read"
    methods = ["GET", "POST"]

    def load(self):
        """Answering a request needs the right to read every category of every case under
        a convenant (scope 'all': the zorgcoördinator, art. 5.1) — otherwise the page
        would tell a lesser role whether someone is known at all."""
        mine = policy.convenants_of(current_user)
        for conv in mine:
            target = policy.Target(conv.key, "strafrechtelijk")
            if policy.decide(current_user, "read", target).allowed:
                return target
        return policy.Target(mine[0].key if mine else "-", "strafrechtelijk")

    def get(self, target, form=None, error=None):
        return render_template("privacy/export_form.html", form=form or ExportForm(), error=error)

    def post(self, target):
        form = ExportForm()
        if not form.validate_on_submit():
            return self.get(target, form), 422
        subject = {"bsn": form.bsn.data, "family_name": form.family_name.data,
                   "given_names": form.given_names.data, "birth_date": form.birth_date.data}
        try:
            document = export.build(current_user, subject, form.reason.data)
        except CaseError as exc:
            if exc.status == 403:
                db.session.commit()
            field = getattr(form, exc.field or "", None)
            if field is not None:
                field.errors = list(field.errors) + [str(exc)]
            return self.get(target, form, None if field is not None else str(exc)), exc.status
        if request.form.get("format") == "json":
            body = json.dumps(document, ensure_ascii=False, indent=2, default=str)
            return Response(body, mimetype="application/json",
                            headers={"Content-Disposition": "attachment; filename=inzageverzoek.json"})
        return render_template("privacy/export.html", document=document)


class StatisticsView(ProtectedView):
    action = "read_statistics"

    def get(self, target):
        tables = statistics.tables(current_user)
        record(current_user, "read", outcome="success", object_type="statistics")
        if request.args.get("formaat") == "csv":
            return Response(as_csv(tables), mimetype="text/csv",
                            headers={"Content-Disposition": "attachment; filename=statistiek.csv"})
        return render_template("privacy/statistics.html", tables=tables, chart=bar_chart,
                               threshold=statistics.THRESHOLD)


bp.add_url_rule("/inzageverzoek", view_func=ExportView.as_view("export"))
bp.add_url_rule("/statistiek", view_func=StatisticsView.as_view("statistics"))

register_nav(lambda: _("Statistiek"), "privacy.statistics", {"zorgcoordinator", "privacy"}, order=70)
register_nav(lambda: _("Inzageverzoek"), "privacy.export", {"zorgcoordinator"}, order=75)
