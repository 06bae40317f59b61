"""The privacy officer's search form and the Dutch labels of logged actions."""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, SelectField, StringField
from wtforms.validators import Optional, Regexp, ValidationError

from zorgtafel.audit.queries import AuditFilter

#: action → label; other packages add theirs with ``register_action`` (they sit higher).
ACTION_LABELS: dict[str, object] = {
    "read": _l("Inzien"),
    "register": _l("Registreren"),
    "reveal": _l("Identiteit onthullen"),
    "plan_meeting": _l("Overleg plannen"),
    "write_minutes": _l("Verslag vastleggen"),
    "assign_action": _l("Actiepunt toewijzen"),
    "read_audit": _l("Logboek inzien"),
    "read_statistics": _l("Statistiek inzien"),
    "manage_users": _l("Gebruikers beheren"),
    "manage_convenant": _l("Convenant beheren"),
    "search": _l("Zoeken"),  # the log search, and every list page that filters (case_list, action_list, …)
    "export": _l("Exporteren"),
    "login": _l("Inloggen"),
    "logout": _l("Uitloggen"),
    "user_created": _l("Account aangemaakt"),
    "user_activated": _l("Account geactiveerd"),
    "user_deactivated": _l("Account gedeactiveerd"),
    "audit_purge": _l("Logboek opgeschoond (bewaartermijn)"),
    "create": _l("Aanmaken"),
    "change": _l("Wijzigen"),
    "delete": _l("Verwijderen"),
    "erase": _l("Wissen (bewaartermijn)"),
    "match": _l("Match vastgesteld"),
    "merge": _l("Personen samengevoegd"),
    "reveal_request": _l("Onthulling aangevraagd"),
    "reveal_approve": _l("Onthulling beoordeeld"),
    "simulate": _l("Simulator gebruikt"),
}
OUTCOME_LABELS = {
    "allowed": _l("toegestaan"),
    "denied": _l("geweigerd"),
    "success": _l("gelukt"),
    "failure": _l("mislukt"),
}


def register_action(key: str, label) -> None:
    ACTION_LABELS.setdefault(key, label)


def action_label(key: str) -> str:
    return str(ACTION_LABELS.get(key, key))


def _optional_int(value):
    try:
        return int(value)
    except (TypeError, ValueError):  # "" is "all"; anything else fails the choice check
        return None


class AuditSearchForm(FlaskForm):
    """A GET form (filters belong in the URL so a search can be shared and paged); a case
    reference is a pseudonym, never a name, so it may be in a URL."""

    class Meta:
        csrf = False

    gebruiker = SelectField(_l("Gebruiker"), coerce=_optional_int, validators=[Optional()])
    organisatie = SelectField(_l("Organisatie"), coerce=_optional_int, validators=[Optional()])
    casus = StringField(_l("Casusnummer"), validators=[
        Optional(), Regexp(r"^\s*ZT-[0-9A-Z]{4}-[0-9A-Z]{4}\s*$", re.IGNORECASE, message=_l("Een casusnummer ziet eruit als ZT-AB12-CD34."))])
    van = DateField(_l("Vanaf (datum)"), validators=[Optional()])
    tot = DateField(_l("Tot en met (datum)"), validators=[Optional()])
    actie = SelectField(_l("Handeling"), validators=[Optional()])
    geweigerd = BooleanField(_l("Alleen geweigerde toegang"))

    def __init__(self, users, organisations, **kwargs):
        super().__init__(**kwargs)
        self.gebruiker.choices = [("", _l("Alle gebruikers"))] + [(str(i), name) for i, name in users]
        self.organisatie.choices = [("", _l("Alle organisaties"))] + [(str(i), name) for i, name in organisations]
        self.actie.choices = [("", _l("Alle handelingen"))] + [(k, str(v)) for k, v in ACTION_LABELS.items()]

    def validate_tot(self, field):
        if field.data and self.van.data and field.data < self.van.data:
            raise ValidationError(_l("De einddatum ligt vóór de begindatum."))

    def to_filter(self) -> AuditFilter:
        return AuditFilter(
            user_id=self.gebruiker.data,
            organisation_id=self.organisatie.data,
            case_reference=(self.casus.data or "").strip().upper() or None,
            start=self.van.data,
            end=self.tot.data,
            action=self.actie.data or None,
            denied_only=bool(self.geweigerd.data),
        )
