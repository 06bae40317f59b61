"""The privacy officer's view of the log (search, CSV export) and everyone's own
"Wat heb ik ingezien" page. Reading or exporting the log is logged itself: the guard logs
the ``read_audit`` decision, and a search with filters or an export adds its own entry."""

from __future__ import annotations

import csv
import io
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user

from zorgtafel.audit import operations as ops
from zorgtafel.audit import queries
from zorgtafel.audit.forms import OUTCOME_LABELS, AuditSearchForm, action_label
from zorgtafel.core.guard import ProtectedView

bp = Blueprint("audit", __name__, template_folder="templates")
LOCAL = ZoneInfo("Europe/Amsterdam")
CSV_COLUMNS = ("volgnummer", "tijd", "gebruiker", "gebruiker_id", "organisatie", "rollen", "namens_organisatie_id",
               "handeling", "uitkomst", "casus", "objecttype", "object_id", "grondslag", "reden", "verzoek_id", "ip")


def _before() -> int | None:
    return request.args.get("voor", type=int)


def _search_form() -> AuditSearchForm:
    return AuditSearchForm(queries.filter_users(current_user), queries.filter_organisations(),
                           formdata=request.args)


def _record_use(action: str, flt: queries.AuditFilter) -> None:
    ops.record(current_user, action, outcome="success", object_type="audit_log", case_reference=flt.case_reference)


class AuditSearchView(ProtectedView):
    action = "read_audit"

    def get(self, target):
        form = _search_form()
        valid = form.validate()
        flt = form.to_filter() if valid else queries.AuditFilter()
        if valid and flt.active:
            _record_use("search", flt)
        # Invalid filters show no entries at all rather than the unfiltered log.
        page = queries.search_page(current_user, flt, before=_before()) if valid else queries.Page()
        args = {k: v for k, v in request.args.items() if k != "voor" and v}
        basis = self.decision.basis.label() if self.decision.basis else None
        return render_template("audit/search.html", form=form, page=page, args=args, basis=basis,
                               action_label=action_label, outcome_labels=OUTCOME_LABELS), 200 if valid else 422


class AuditExportView(ProtectedView):
    action = "read_audit"

    def get(self, target):
        form = _search_form()
        flt = form.to_filter() if form.validate() else queries.AuditFilter()
        _record_use("export", flt)
        # The guard commits the export's entry before the first byte is streamed.
        rows = queries.iter_search(queries.search_statement(current_user, flt))
        return Response(stream_with_context(_csv(rows)), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": 'attachment; filename="logboek.csv"'})


def _cell(value) -> str:
    text = "" if value is None else str(value)
    # A spreadsheet would run a cell starting with these as a formula (CSV injection).
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _csv(rows):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for entry, user_name, organisation_name in rows:
        writer.writerow([_cell(v) for v in (
            entry.seq, entry.time.astimezone(LOCAL).isoformat(timespec="seconds"), user_name, entry.user_id,
            organisation_name, " ".join(entry.roles or []), entry.on_behalf_of, entry.action, entry.outcome,
            entry.case_reference, entry.object_type, entry.object_id, entry.basis_label(), entry.reason,
            entry.request_id, entry.client_ip)])
        if buffer.tell() > 64 * 1024:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class OwnAccessView(ProtectedView):
    action = "personal"

    def get(self, target):
        page = queries.own_page(current_user, before=_before())
        return render_template("audit/own.html", page=page, action_label=action_label,
                               outcome_labels=OUTCOME_LABELS)


bp.add_url_rule("/logboek", view_func=AuditSearchView.as_view("search"))
bp.add_url_rule("/logboek/export.csv", view_func=AuditExportView.as_view("export"))
bp.add_url_rule("/wat-heb-ik-ingezien", view_func=OwnAccessView.as_view("own"))
