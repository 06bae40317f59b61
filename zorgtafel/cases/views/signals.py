"""Registering a signal in under a minute, its confirmation, and withdrawing one."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from zorgtafel.cases import catalogue
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.forms import SignalForm, WithdrawForm
from zorgtafel.cases.models import Case, Signal
from zorgtafel.cases.operations import convenant_for, register_signal, withdraw_signal
from zorgtafel.cases.views import bp
from zorgtafel.cases.views.common import fail, page_language
from zorgtafel.convenant import policy
from zorgtafel.core.guard import ProtectedView
from zorgtafel.core.web import register_nav
from zorgtafel.extensions import db

DATA_CATEGORY_LABELS = {
    "signaal": ("Gewoon signaal", "Ordinary signal"),
    "gezondheid": ("Gezondheidsgegevens", "Health data"),
    "strafrechtelijk": ("Strafrechtelijke of politiegegevens", "Criminal or police data"),
}


def category_choices(lang: str = "nl") -> dict:
    grouped: dict[str, list] = {}
    names = {g.key: (g.en if lang == "en" else g.nl) for g in catalogue.groups()}
    for c in catalogue.categories():
        grouped.setdefault(names[c.group], []).append((c.key, c.label(lang)))
    return grouped


def chosen_convenant(actor) -> str | None:
    """The convenant of this registration: the only one, or the one chosen in the form
    when the organisation is a party to several."""
    try:
        return convenant_for(actor, request.values.get("convenant") or None)
    except CaseError:
        return None


def registrable(actor) -> list[tuple[str, str]]:
    """Only the data categories the convenant lets this organisation register."""
    key = chosen_convenant(actor) or next((c.key for c in policy.convenants_of(actor)), None)
    if key is None:
        return []
    english = page_language() == "en"
    return [(c, DATA_CATEGORY_LABELS[c][english]) for c in ("signaal", "gezondheid", "strafrechtelijk")
            if policy.decide(actor, "register", policy.Target(key, c)).allowed]


def behalf_choices(actor) -> list[tuple[str, str]]:
    """A zorgcoördinator may record what a partner reported; others only for themselves."""
    if not actor.has_role("zorgcoordinator"):
        return []
    from zorgtafel.auth.models import Organisation
    from zorgtafel.core.timeutil import today_local
    from zorgtafel.extensions import db as database

    day = today_local()
    ids = {org for conv in policy.convenants_of(actor) for org, _k, joined, left in conv.parties
           if joined <= day and (left is None or day < left) and org != actor.organisation_id}
    rows = database.session.execute(select(Organisation.key, Organisation.name).where(Organisation.id.in_(ids))
                                    .order_by(Organisation.name)).all()
    return [("", _("Mijn eigen organisatie"))] + [(key, name) for key, name in rows]


class NewSignalView(ProtectedView):
    """The page needs the right to register an ordinary signal under one's convenant;
    each further data category is decided inside the operation."""

    action = "register"
    methods = ["GET", "POST"]

    def load(self):
        key = chosen_convenant(current_user)
        if key is None and len(policy.convenants_of(current_user)) > 1:
            key = policy.convenants_of(current_user)[0].key  # the form asks which one
        return policy.Target(key, "signaal") if key else policy.Target("-", "signaal")

    def form(self):
        form = SignalForm()
        form.category.choices = category_choices(page_language())
        form.data_category.choices = registrable(current_user)
        form.convenant.choices = [(c.key, c.key) for c in policy.convenants_of(current_user)]
        form.on_behalf_of.choices = behalf_choices(current_user)
        if not form.data_category.data:
            form.data_category.data = "signaal"
        return form

    def get(self, target, form=None, error=None):
        return render_template("cases/signal_new.html", form=form or self.form(), error=error)

    def post(self, target):
        form = self.form()
        if not form.validate_on_submit():
            return self.get(target, form), 422
        try:
            result = register_signal(
                current_user,
                subject={"bsn": form.bsn.data, "family_name": form.family_name.data,
                         "given_names": form.given_names.data, "birth_date": form.birth_date.data},
                subject_role=form.subject_role.data, category=form.category.data,
                data_category=form.data_category.data, observed_on=form.observed_on.data,
                urgency=form.urgency.data, description=form.description.data or "",
                convenant=form.convenant.data or None, on_behalf_of=form.on_behalf_of.data or None)
        except CaseError as exc:
            fail(form, exc)
            if exc.status == 403:
                db.session.commit()  # keep the denial's audit entry
            return self.get(target, form, error=str(exc) if not exc.fields else None), exc.status
        session["registered"] = {"signal": result.signal.id, "match": result.match is not None}
        return redirect(url_for("cases.signal_registered", signal_id=result.signal.id))


class RegisteredView(ProtectedView):
    """What happens next — without revealing anything of other organisations."""

    action = "read"

    def load(self, signal_id: int):
        signal = db.session.get(Signal, signal_id)
        if signal is None or signal.author_id != current_user.id:
            abort(404)
        case = db.session.get(Case, signal.case_id)
        return policy.Target(case.convenant_key, "signaal", case.id, signal.organisation_id,
                             case_reference=case.reference, object_type="signal", object_id=signal.id)

    def get(self, target, signal_id: int):
        note = session.get("registered") or {}
        match = note.get("signal") == signal_id and note.get("match")
        return render_template("cases/signal_registered.html", reference=target.case_reference, match=match)


class WithdrawView(ProtectedView):
    action = "register"
    methods = ["GET", "POST"]

    def load(self, signal_id: int):
        signal = db.session.get(Signal, signal_id)
        if signal is None or signal.organisation_id != current_user.organisation_id:
            abort(404)
        case = db.session.get(Case, signal.case_id)
        return policy.Target(case.convenant_key, signal.facts_category, case.id, signal.organisation_id,
                             case_reference=case.reference, object_type="signal", object_id=signal.id)

    def get(self, target, signal_id: int, form=None, error=None):
        signal = db.session.get(Signal, signal_id)
        return render_template("cases/withdraw.html", form=form or WithdrawForm(), signal=signal,
                               label=catalogue.label(signal.category, page_language()), reference=target.case_reference,
                               error=error)

    def post(self, target, signal_id: int):
        form = WithdrawForm()
        if not form.validate_on_submit():
            return self.get(target, signal_id, form), 422
        try:
            withdraw_signal(current_user, db.session.get(Signal, signal_id), form.reason.data)
        except CaseError as exc:
            fail(form, exc)
            return self.get(target, signal_id, form, error=str(exc)), exc.status
        from flask import flash

        flash(_("Het signaal is ingetrokken en verwijderd."), "success")
        return redirect(url_for("cases.case", reference=target.case_reference))


bp.add_url_rule("/signalen/nieuw", view_func=NewSignalView.as_view("signal_new"))
bp.add_url_rule("/signalen/<int:signal_id>/geregistreerd", view_func=RegisteredView.as_view("signal_registered"))
bp.add_url_rule("/signalen/<int:signal_id>/intrekken", view_func=WithdrawView.as_view("signal_withdraw"))

register_nav(lambda: _("Signaal registreren"), "cases.signal_new", {"professional", "zorgcoordinator"}, order=10)
