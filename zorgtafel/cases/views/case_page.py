"""The case list and the case page with its timeline, status, links and the forms that
act on a case."""

from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from zorgtafel.audit.operations import record
from zorgtafel.auth.models import Organisation
from zorgtafel.cases import checklists, relations, workflow
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.forms import (
    SUBJECT_ROLE_CHOICES, URGENCY_CHOICES, LinkForm, PartnerForm, ReferralForm, StatusForm,
)
from zorgtafel.cases.models import Case, StatusChange
from zorgtafel.cases.network import network_svg
from zorgtafel.cases.operations import change_status
from zorgtafel.cases.queries import SORTS, case_by_reference, case_page, timeline
from zorgtafel.cases.timeline_entries import links
from zorgtafel.cases.views import bp
from zorgtafel.cases.views.common import CaseView, category_label, fail, status_label
from zorgtafel.convenant import policy
from zorgtafel.core.api import decode_cursor, encode_cursor
from zorgtafel.core.errors import ApiError
from zorgtafel.core.guard import ProtectedView
from zorgtafel.core.web import register_nav
from zorgtafel.extensions import db


class CaseListView(ProtectedView):
    action = "personal"  # the list itself is filtered row by row in SQL by the policy

    def get(self, target):
        status = request.args.get("status") or None
        if status not in workflow.STATUSES:
            status = None
        match = {"ja": True, "nee": False}.get(request.args.get("match", ""))
        sort = request.args.get("sort") if request.args.get("sort") in SORTS else "last_signal"
        try:
            since = date.fromisoformat(request.args["sinds"]) if request.args.get("sinds") else None
        except ValueError:
            since = None
        after = None
        if request.args.get("na"):
            try:
                after = decode_cursor(request.args["na"], "cases.case_list")
            except ApiError:
                after = None  # a damaged link: show the first page
        rows, following = case_page(current_user, status=status, has_match=match, since=since, sort=sort,
                                    after=after, limit=25)
        record(current_user, "search", outcome="success", object_type="case_list")
        next_url = None
        if following:
            args = request.args.to_dict()
            args["na"] = encode_cursor(following, "cases.case_list")
            next_url = url_for("cases.case_list", **args)
        return render_template("cases/list.html", rows=rows, statuses=workflow.STATUSES, status=status, match=match,
                               sort=sort, since=since, next_url=next_url, status_label=status_label)


class CasePageView(CaseView):
    action = "read"

    def get(self, target, reference: str, forms=None, error=None):
        case = self.case(target)
        forms = forms or {}
        coordinator = policy.decide(current_user, "write_minutes", case.policy_target()).allowed
        can_register = policy.decide(current_user, "register", case.policy_target()).allowed
        status_form = forms.get("status") or StatusForm()
        status_form.status.choices = [(s, status_label(s)) for s in sorted(workflow.TRANSITIONS[case.status])]
        partner_form = forms.get("partner") or PartnerForm()
        partner_form.organisation.choices = _party_choices(case)
        case_links = links(case)
        visible_links = [(link, other, policy.decide(current_user, "read", other.policy_target()).allowed)
                         for link, other in case_links]
        return render_template(
            "cases/case.html", case=case, entries=timeline(current_user, case), basis=self.decision.basis,
            coordinator=coordinator, can_register=can_register, status_form=status_form,
            link_form=forms.get("link") or LinkForm(), partner_form=partner_form,
            referral_form=forms.get("referral") or ReferralForm(), instruments=checklists.instruments(),
            network=network_svg(case, visible_links), links=visible_links, status_label=status_label,
            category_label=category_label, urgency_label=dict(URGENCY_CHOICES),
            role_label=dict(SUBJECT_ROLE_CHOICES),
            link_kinds=relations.LINK_KINDS, error=error,
            history=db.session.scalars(select(StatusChange).where(StatusChange.case_id == case.id)
                                       .order_by(StatusChange.at)).all())


def _party_choices(case: Case) -> list[tuple[int, str]]:
    conv = policy.in_force().get(case.convenant_key)
    if conv is None:
        return []
    ids = [org_id for org_id, *_ in conv.parties]
    return [(o.id, o.name) for o in db.session.scalars(select(Organisation).where(Organisation.id.in_(ids))
                                                         .order_by(Organisation.name))]


class CaseActionView(CaseView):
    """POST handlers on a case: each calls one operation, re-renders the page on error."""

    methods = ["POST"]
    form_name: str = ""

    def post(self, target, reference: str):
        case = self.case(target)
        form = self.make_form(case)
        if form.validate_on_submit():
            try:
                message = self.act(case, form)
            except CaseError as exc:
                fail(form, exc)
                db.session.rollback()
                return self.render(target, reference, form, None if exc.fields else str(exc)), exc.status
            flash(message, "success")
            return redirect(url_for("cases.case", reference=case.reference) + f"#{self.form_name}")
        return self.render(target, reference, form, None), 422

    def render(self, target, reference, form, error):
        page = CasePageView()
        page.decision = policy.decide(current_user, "read", target)
        return page.get(target, reference, forms={self.form_name: form}, error=error)


class StatusView(CaseActionView):
    action = "write_minutes"
    form_name = "status"

    def make_form(self, case):
        form = StatusForm()
        form.status.choices = [(s, status_label(s)) for s in workflow.STATUSES]
        return form

    def act(self, case, form):
        change_status(current_user, case, form.status.data, form.note.data or "")
        return _("De status is gewijzigd in '%(s)s'.", s=status_label(form.status.data))


class LinkView(CaseActionView):
    action = "write_minutes"
    form_name = "link"

    def make_form(self, case):
        return LinkForm()

    def act(self, case, form):
        other = case_by_reference(current_user, form.other.data.strip())
        if other is None:
            raise CaseError(_("Deze casus bestaat niet of u heeft er geen inzage in."), field="other")
        relations.link_cases(current_user, case, other, form.kind.data)
        return _("Het verband is vastgelegd.")


class PartnerView(CaseActionView):
    action = "write_minutes"
    form_name = "partner"

    def make_form(self, case):
        form = PartnerForm()
        form.organisation.choices = _party_choices(case)
        form.organisation.coerce = int
        return form

    def act(self, case, form):
        organisation = db.session.get(Organisation, int(form.organisation.data))
        if organisation is None:
            raise CaseError(_("Kies een organisatie."), field="organisation")
        relations.add_partner(current_user, case, organisation)
        return _("%(org)s is bij de casus betrokken.", org=organisation.name)


class ReferralView(CaseActionView):
    action = "register"
    form_name = "referral"

    def make_form(self, case):
        return ReferralForm()

    def act(self, case, form):
        relations.refer(current_user, case, form.instance.data, form.referred_on.data, form.reason.data)
        return _("De verwijzing is vastgelegd.")


class ChecklistView(CaseView):
    action = "register"
    methods = ["GET", "POST"]

    def get(self, target, reference: str, instrument: str, errors=None, answers=None):
        chosen = checklists.instruments().get(instrument)
        if chosen is None:
            abort(404)
        from zorgtafel.auth.forms import ConfirmForm

        return render_template("cases/checklist.html", case=self.case(target), instrument=chosen,
                               errors=errors or {}, answers=answers or {}, form=ConfirmForm())

    def post(self, target, reference: str, instrument: str):
        from zorgtafel.auth.forms import ConfirmForm

        if not ConfirmForm().validate_on_submit():
            abort(400)
        answers = {k[2:]: v for k, v in request.form.items() if k.startswith("a-")}
        try:
            result = checklists.fill_in(current_user, self.case(target), instrument, answers)
        except CaseError as exc:
            db.session.rollback()
            return self.get(target, reference, instrument, errors={"_": str(exc), **exc.fields}, answers=answers), exc.status
        flash(_("Checklist opgeslagen: score %(s)s (%(b)s).", s=result.score, b=result.band), "success")
        return redirect(url_for("cases.case", reference=reference))


bp.add_url_rule("/casussen", view_func=CaseListView.as_view("case_list"))
bp.add_url_rule("/casussen/<reference>", view_func=CasePageView.as_view("case"))
bp.add_url_rule("/casussen/<reference>/status", view_func=StatusView.as_view("case_status"))
bp.add_url_rule("/casussen/<reference>/verbanden", view_func=LinkView.as_view("case_link"))
bp.add_url_rule("/casussen/<reference>/partners", view_func=PartnerView.as_view("case_partner"))
bp.add_url_rule("/casussen/<reference>/verwijzingen", view_func=ReferralView.as_view("case_referral"))
bp.add_url_rule("/casussen/<reference>/checklist/<instrument>", view_func=ChecklistView.as_view("case_checklist"))

register_nav(lambda: _("Casussen"), "cases.case_list", {"professional", "zorgcoordinator"}, order=20)
