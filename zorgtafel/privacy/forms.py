from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional


class ExportForm(FlaskForm):
    bsn = StringField(_l("BSN"), validators=[Optional(), Length(max=20)])
    family_name = StringField(_l("Achternaam"), validators=[Optional(), Length(max=120)])
    given_names = StringField(_l("Voornamen"), validators=[Optional(), Length(max=120)])
    birth_date = DateField(_l("Geboortedatum"), validators=[Optional()])
    reason = TextAreaField(_l("Reden en kenmerk van het verzoek"),
                           validators=[DataRequired(_l("Geef de reden van het verzoek.")), Length(max=1000)])
