"""The convenant in readable Dutch, its versions and their differences, loading a new
version (beheerder) and the "what would X see" simulator."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Callable

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from zorgtafel.auth.models import ROLE_LABELS
from zorgtafel.convenant import policy
from zorgtafel.convenant.describe import ACTION_LABELS, rule_changes, sentence, text_diff
from zorgtafel.convenant.loader import ConvenantRefused, load_text
from zorgtafel.convenant.queries import all_versions, version, versions_of
from zorgtafel.core.guard import ProtectedView
from zorgtafel.core.web import register_nav
from zorgtafel.extensions import db

bp = Blueprint("convenant", __name__, template_folder="templates", url_prefix="/convenant")

#: set by the cases package: reference -> (case id, convenant key) or None; the convenant
#: floor cannot import cases, so the simulator asks through this hook.
CASE_RESOLVER: list[Callable[[str], tuple[int, str] | None]] = []

SITUATIONS = [
    ("own", _l("gegevens van de eigen organisatie")),
    ("involved", _l("casus waarbij de organisatie betrokken is")),
    ("other", _l("casus zonder betrokkenheid")),
]


class UploadForm(FlaskForm):
    text = TextAreaField(_l("Convenant (YAML)"), validators=[DataRequired(_l("Plak de tekst van het convenant."))])


class SimulatorForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form that changes nothing

    convenant = SelectField(_l("Convenant"))
    organisation = SelectField(_l("Organisatie"))
    role = SelectField(_l("Rol"), choices=list(ROLE_LABELS.items()))
    case = StringField(_l("Casusnummer (optioneel)"), validators=[Length(max=12)])


class IndexView(ProtectedView):
    action = {"GET": "read_convenant", "POST": "manage_convenant"}
    methods = ["GET", "POST"]

    def get(self, target, form=None, error=None):
        in_force = policy.in_force()
        versions = all_versions()
        return render_template("convenant/index.html", versions=versions, in_force=in_force,
                               form=form or UploadForm(), error=error)

    def post(self, target):
        from flask_login import current_user

        form = UploadForm()
        if form.validate_on_submit():
            try:
                loaded = load_text(form.text.data, "upload.yaml", actor=current_user)
            except ConvenantRefused as exc:
                return self.get(target, form=form, error=str(exc)), 422
            flash(_("Versie %(v)s van %(k)s is geladen.", v=loaded.version, k=loaded.key), "success")
            return redirect(url_for("convenant.version", key=loaded.key, number=loaded.version))
        return self.get(target, form=form), 422


class VersionView(ProtectedView):
    action = "read_convenant"

    def get(self, target, key: str, number: int):
        convenant = version(key, number)
        if convenant is None:
            abort(404)
        active = policy.in_force().get(key)
        return render_template("convenant/version.html", convenant=convenant, sentence=sentence,
                               versions=versions_of(key), is_active=active is not None and active.id == convenant.id)


class DiffView(ProtectedView):
    action = "read_convenant"

    def get(self, target, key: str):
        try:
            old_n, new_n = int(request.args.get("van", "")), int(request.args.get("naar", ""))
        except ValueError:
            abort(400)
        old, new = version(key, old_n), version(key, new_n)
        if old is None or new is None:
            abort(404)
        return render_template("convenant/diff.html", key=key, old=old, new=new,
                               changes=rule_changes(old, new), lines=text_diff(old, new))


class SimulatorView(ProtectedView):
    """Same ``decide()`` as everywhere: a simulated actor against synthetic targets."""

    action = "simulate"

    def get(self, target):
        in_force = policy.in_force()
        form = SimulatorForm(request.args)
        form.convenant.choices = [(k, f"{k} (v{c.version})") for k, c in sorted(in_force.items())]
        chosen = in_force.get(form.convenant.data) or (next(iter(in_force.values())) if in_force else None)
        orgs = _party_choices(chosen)
        form.organisation.choices = orgs
        result = error = None
        if chosen and request.args.get("role"):
            org_id = _int(form.organisation.data)
            if org_id not in {o for o, _ in orgs} or form.role.data not in ROLE_LABELS:
                error = _("Kies een organisatie en een rol uit de lijst.")
            else:
                reference = (form.case.data or "").strip().upper()
                if reference and not set(current_user.roles) & {"zorgcoordinator", "privacy"}:
                    # Whether an organisation is involved in a case is case information:
                    # not for the functional administrator.
                    error = _("Alleen zorgcoördinatoren en privacyfunctionarissen kunnen een casus kiezen.")
                else:
                    result, error = _simulate(chosen, org_id, form.role.data, reference)
                    if result and reference:
                        from zorgtafel.audit.operations import record

                        record(current_user, "simulate", outcome="success", case_reference=reference,
                               object_type="involvement", object_id=org_id)
        return render_template("convenant/simulator.html", form=form, result=result, error=error,
                               situations=SITUATIONS, action_labels=ACTION_LABELS, convenant=chosen)


def _party_choices(conv) -> list[tuple[int, str]]:
    if conv is None:
        return []
    from zorgtafel.auth.models import Organisation

    ids = {p[0] for p in conv.parties}
    names = dict(db.session.execute(
        db.select(Organisation.id, Organisation.name).where(Organisation.id.in_(ids))).all())
    return sorted(((i, names[i]) for i in ids), key=lambda x: x[1])


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _simulate(conv, org_id: int, role: str, reference: str):
    actor = SimpleNamespace(id=f"sim-{org_id}-{role}", organisation_id=org_id, roles=[role],
                            has_role=lambda r: r == role)
    case_involved = None
    if reference:
        resolved = CASE_RESOLVER[0](reference) if CASE_RESOLVER else None
        if resolved is None or resolved[1] != conv.key:
            return None, _("Casus %(ref)s bestaat niet onder dit convenant.", ref=reference)
        case_involved = policy.is_involved(resolved[0], org_id)
    categories = []
    for category in sorted({c for r in conv.rules for c in r.categories} | {"identiteit"}):
        row = {"category": category, "cells": []}
        for action in ("read", "register", "reveal"):
            cells = {}
            for situation, _label in SITUATIONS:
                involved = {"own": True, "involved": True, "other": False}[situation]
                if case_involved is not None and situation != "own":
                    involved = case_involved
                target = policy.Target(conv.key, category, case_id=-1,
                                       organisation_id=org_id if situation == "own" else -1, involved=involved)
                cells[situation] = policy.decide(actor, action, target)
            row["cells"].append((action, cells))
        categories.append(row)
    others = [(a, policy.decide(actor, a, policy.Target(conv.key)))
              for a in ("plan_meeting", "write_minutes", "assign_action", "read_audit", "read_statistics")]
    return {"categories": categories, "others": others, "case": reference or None,
            "case_involved": case_involved}, None


bp.add_url_rule("", view_func=IndexView.as_view("index"))
bp.add_url_rule("/<key>/versie/<int:number>", view_func=VersionView.as_view("version"))
bp.add_url_rule("/<key>/verschil", view_func=DiffView.as_view("diff"))
bp.add_url_rule("/simulator", view_func=SimulatorView.as_view("simulator"))

register_nav(lambda: _("Convenant"), "convenant.index",
             {"professional", "zorgcoordinator", "privacy", "beheerder"}, order=80)
