"""Pages of the identity reveal: ask with a reason, decide as the second coordinator,
and see the identity once approved — for a short time, never cached."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from zorgtafel.audit.operations import record
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.forms import DecideRevealForm, RevealForm
from zorgtafel.cases.models import Case, RevealRequest
from zorgtafel.cases.reveal import decide_request, pending_for, request_reveal, view_identity
from zorgtafel.cases.views import bp
from zorgtafel.cases.views.common import CaseView, fail
from zorgtafel.core.guard import ProtectedView
from zorgtafel.core.web import register_nav
from zorgtafel.extensions import db


class RevealView(CaseView):
    action = "reveal"
    category = "identiteit"
    methods = ["GET", "POST"]

    def get(self, target, reference: str, form=None, error=None):
        return render_template("cases/reveal.html", case=self.case(target), form=form or RevealForm(),
                               requires=self.decision.requires, error=error, basis=self.decision.basis)

    def post(self, target, reference: str):
        form = RevealForm()
        if not form.validate_on_submit():
            return self.get(target, reference, form), 422
        try:
            request, identity = request_reveal(current_user, self.case(target), form.reason.data)
        except CaseError as exc:
            fail(form, exc)
            return self.get(target, reference, form, None if exc.fields else str(exc)), exc.status
        if identity is not None:
            return render_template("cases/identity.html", case=self.case(target), identity=identity)
        flash(_("Uw verzoek is vastgelegd. Een tweede zorgcoördinator moet akkoord geven."), "success")
        return redirect(url_for("cases.reveal_request", request_id=request.id))


class PendingView(ProtectedView):
    """Requests of other coordinators to decide on (never one's own)."""

    action = "personal"

    def get(self, target):
        requests = pending_for(current_user)
        record(current_user, "search", outcome="success", object_type="reveal_request_list")
        cases = {c.id: c for c in db.session.scalars(db.select(Case).where(Case.id.in_([r.case_id for r in requests])))}
        return render_template("cases/reveal_pending.html", requests=requests, cases=cases)


class RequestView(ProtectedView):
    action = "reveal"
    methods = ["GET", "POST"]

    def load(self, request_id: int):
        request = db.session.get(RevealRequest, request_id)
        if request is None:
            abort(404)
        return db.session.get(Case, request.case_id).policy_target("identiteit")

    def denied(self, decision):
        abort(404)

    def get(self, target, request_id: int, form=None, error=None):
        request = db.session.get(RevealRequest, request_id)
        mine = request.requester_id == current_user.id
        identity = view_identity(current_user, request) if mine else None
        return render_template("cases/reveal_request.html", request=request, case=db.session.get(Case, request.case_id),
                               mine=mine, identity=identity, form=form or DecideRevealForm(), error=error)

    def post(self, target, request_id: int):
        request = db.session.get(RevealRequest, request_id)
        form = DecideRevealForm()
        if not form.validate_on_submit():
            return self.get(target, request_id, form), 422
        from flask import request as http

        approve = http.form.get("decision") == "approve"
        try:
            decide_request(current_user, request, approve, form.note.data or "")
        except CaseError as exc:
            if exc.status == 403:
                db.session.commit()  # keep the refusal in the audit log
            else:
                db.session.rollback()
            return self.get(target, request_id, form, str(exc)), exc.status
        flash(_("Akkoord gegeven.") if approve else _("Verzoek geweigerd."), "success")
        return redirect(url_for("cases.reveal_pending"))


bp.add_url_rule("/casussen/<reference>/identiteit", view_func=RevealView.as_view("case_reveal"))
bp.add_url_rule("/onthullingen", view_func=PendingView.as_view("reveal_pending"))
bp.add_url_rule("/onthullingen/<int:request_id>", view_func=RequestView.as_view("reveal_request"))

register_nav(lambda: _("Identiteitsverzoeken"), "cases.reveal_pending", {"zorgcoordinator"}, order=60)
