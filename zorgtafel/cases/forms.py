"""Forms of the cases room. Field names follow the API so the two report the same errors."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from zorgtafel.cases.catalogue import REFERRAL_INSTANCES
from zorgtafel.cases.relations import LINK_KINDS

SUBJECT_ROLE_CHOICES = [("jongere", _l("Jongere (mogelijk slachtoffer)")),
                        ("vermoedelijke_uitbuiter", _l("Vermoedelijke uitbuiter")),
                        ("ronselaar", _l("Ronselaar"))]
URGENCY_CHOICES = [("laag", _l("Laag")), ("midden", _l("Midden")), ("hoog", _l("Hoog"))]


class SignalForm(FlaskForm):
    convenant = SelectField(_l("Onder welk convenant?"), validators=[Optional()])
    on_behalf_of = SelectField(_l("Namens welke partner? (optioneel)"), validators=[Optional()])
    bsn = StringField(_l("BSN"), validators=[Optional(), Length(max=20)])
    family_name = StringField(_l("Achternaam"), validators=[Optional(), Length(max=120)])
    given_names = StringField(_l("Voornamen"), validators=[Optional(), Length(max=120)])
    birth_date = DateField(_l("Geboortedatum"), validators=[Optional()])
    subject_role = RadioField(_l("Over wie gaat het?"), choices=SUBJECT_ROLE_CHOICES, default="jongere")
    category = SelectField(_l("Wat heeft u gezien?"), validators=[DataRequired(_l("Kies wat u heeft gezien."))],
                           render_kw={"data-searchable": "true", "data-search-label": _l("Zoek een signaal")})
    data_category = RadioField(_l("Soort gegevens"))
    observed_on = DateField(_l("Wanneer?"), validators=[DataRequired(_l("Vul de datum in waarop u het zag."))])
    urgency = RadioField(_l("Urgentie"), choices=URGENCY_CHOICES, default="midden")
    description = TextAreaField(_l("Toelichting"), validators=[Optional(), Length(max=4000)])


class StatusForm(FlaskForm):
    status = SelectField(_l("Nieuwe status"))
    note = TextAreaField(_l("Toelichting bij het besluit"), validators=[Optional(), Length(max=2000)])


class WithdrawForm(FlaskForm):
    reason = TextAreaField(_l("Waarom was het signaal onterecht?"),
                           validators=[DataRequired(_l("Geef kort de reden.")), Length(max=1000)])


class RevealForm(FlaskForm):
    reason = TextAreaField(_l("Reden om de identiteit in te zien"),
                           validators=[DataRequired(_l("Geef een reden; die wordt vastgelegd.")), Length(max=1000)])


class DecideRevealForm(FlaskForm):
    note = TextAreaField(_l("Toelichting (optioneel)"), validators=[Optional(), Length(max=1000)])


class LinkForm(FlaskForm):
    other = StringField(_l("Casusnummer van de andere persoon"),
                        validators=[DataRequired(_l("Vul een casusnummer in.")), Length(max=12)])
    kind = SelectField(_l("Soort verband"), choices=[(k, v[0]) for k, v in LINK_KINDS.items()])


class ReferralForm(FlaskForm):
    instance = SelectField(_l("Verwezen of gemeld bij"), choices=[(k, v[0]) for k, v in REFERRAL_INSTANCES.items()])
    referred_on = DateField(_l("Datum"), validators=[DataRequired(_l("Vul de datum in."))])
    reason = TextAreaField(_l("Waarom"), validators=[DataRequired(_l("Geef kort de reden.")), Length(max=1000)])


class PartnerForm(FlaskForm):
    organisation = SelectField(_l("Partner betrekken bij deze casus"))
