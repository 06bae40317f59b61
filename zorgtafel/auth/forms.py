"""Forms of the auth room. Labels are Dutch source strings wrapped for Babel."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, ValidationError

from zorgtafel.auth.models import ROLE_LABELS


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(_l("Vul uw e-mailadres in.")), Length(max=254)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(_l("Vul uw wachtwoord in."))])


class SecondFactorForm(FlaskForm):
    code = StringField(_l("Code uit uw authenticator-app of een herstelcode"),
                       validators=[DataRequired(_l("Vul de code in.")), Length(max=20)])


class EnrolForm(FlaskForm):
    code = StringField(_l("Code uit uw authenticator-app"),
                       validators=[DataRequired(_l("Vul de zescijferige code in.")), Length(max=10)])


class ActivateForm(FlaskForm):
    password = PasswordField(_l("Nieuw wachtwoord"), validators=[DataRequired(_l("Kies een wachtwoord."))])
    confirm = PasswordField(_l("Herhaal het wachtwoord"),
                            validators=[EqualTo("password", _l("De wachtwoorden zijn niet gelijk."))])


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Huidig wachtwoord"), validators=[DataRequired(_l("Vul uw huidige wachtwoord in."))])
    password = PasswordField(_l("Nieuw wachtwoord"), validators=[DataRequired(_l("Kies een nieuw wachtwoord."))])
    confirm = PasswordField(_l("Herhaal het nieuwe wachtwoord"),
                            validators=[EqualTo("password", _l("De wachtwoorden zijn niet gelijk."))])


class PreferencesForm(FlaskForm):
    language = RadioField(_l("Taal"), choices=[("nl", "Nederlands"), ("en", "English")])
    notification_mode = RadioField(
        _l("E-mail over meldingen"),
        choices=[("direct", _l("Direct bij elke melding")), ("digest", _l("Eén overzicht per dag"))],
    )


class ConfirmForm(FlaskForm):
    """A form with only the CSRF token, for buttons that change something."""


class UserForm(FlaskForm):
    name = StringField(_l("Naam"), validators=[DataRequired(_l("Vul een naam in.")), Length(max=200)])
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(_l("Vul een e-mailadres in.")),
                                                      Length(max=254)])
    organisation = SelectField(_l("Organisatie"), validators=[DataRequired(_l("Kies een organisatie."))])
    roles = SelectMultipleField(_l("Rollen"), choices=list(ROLE_LABELS.items()),
                                validators=[DataRequired(_l("Kies minstens één rol."))])

    def validate_roles(self, field):
        # Separation of duties, also checked by the operation (auth.operations.check_roles).
        if "beheerder" in (field.data or []) and len(set(field.data)) > 1:
            raise ValidationError(_l("De rol beheerder gaat niet samen met een andere rol (scheiding van functies): "
                                     "een beheerder beheert accounts en ziet geen casussen. Maak voor het andere "
                                     "werk een apart account."))
