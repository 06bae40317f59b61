"""Forms of the meetings room. Field names follow the operations' (and the API's) field
names, so an operation's error lands next to the right field."""

from __future__ import annotations

from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, SelectMultipleField, StringField, TextAreaField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from zorgtafel.core.timeutil import AMSTERDAM
from zorgtafel.meetings.models import ACTION_STATUS_LABELS, DECISIONS

DECISION_CHOICES = [("", _l("Nog geen besluit"))] + [(k, v[0]) for k, v in DECISIONS.items()]
ATTENDANCE_CHOICES = [("onbekend", _l("Onbekend")), ("aanwezig", _l("Aanwezig")), ("afgemeld", _l("Afgemeld"))]
#: ACTION_STATUS_LABELS as shown on a page, in the reader's language
ACTION_STATUS_CHOICES = [("open", _l("open")), ("in_behandeling", _l("in behandeling")),
                         ("afgerond", _l("afgerond")), ("vervallen", _l("vervallen"))]
assert [key for key, _label in ACTION_STATUS_CHOICES] == list(ACTION_STATUS_LABELS)


def local_moment(day, wall) -> datetime | None:
    """A date and a wall-clock time from a form (Amsterdam) as an aware UTC datetime."""
    if day is None or wall is None:
        return None
    return datetime.combine(day, wall, tzinfo=AMSTERDAM).astimezone(timezone.utc)


class _When(FlaskForm):
    day = DateField(_l("Datum"), validators=[DataRequired(_l("Vul de datum in."))])
    start = TimeField(_l("Begintijd"), validators=[DataRequired(_l("Vul de begintijd in."))])
    end = TimeField(_l("Eindtijd"), validators=[DataRequired(_l("Vul de eindtijd in."))])
    location = StringField(_l("Plaats"), validators=[Optional(), Length(max=300)])
    video_link = StringField(_l("Videoverbinding (https-adres)"), validators=[Optional(), Length(max=500)])


class MeetingForm(_When):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Vul een titel in.")), Length(max=200)])
    participants = SelectMultipleField(_l("Deelnemers"), coerce=int)
    cases = TextAreaField(_l("Casussen op de agenda (casusnummers, optioneel)"),
                          validators=[Optional(), Length(max=2000)])


class SeriesForm(FlaskForm):
    title = StringField(_l("Titel"), validators=[DataRequired(_l("Vul een titel in.")), Length(max=200)])
    first_day = DateField(_l("Datum van het eerste overleg"), validators=[DataRequired(_l("Vul de datum in."))])
    start = TimeField(_l("Begintijd"), validators=[DataRequired(_l("Vul de begintijd in."))])
    duration_minutes = IntegerField(_l("Duur in minuten"), default=90,
                                    validators=[DataRequired(_l("Vul de duur in.")), NumberRange(15, 600)])
    interval_weeks = IntegerField(_l("Om de hoeveel weken"), default=1,
                                  validators=[DataRequired(_l("Vul een getal in.")), NumberRange(1, 8)])
    count = IntegerField(_l("Aantal overleggen"), default=10,
                         validators=[DataRequired(_l("Vul het aantal in.")), NumberRange(2, 52)])
    location = StringField(_l("Plaats"), validators=[Optional(), Length(max=300)])
    video_link = StringField(_l("Videoverbinding (https-adres)"), validators=[Optional(), Length(max=500)])
    participants = SelectMultipleField(_l("Deelnemers"), coerce=int)


class RescheduleForm(_When):
    pass


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reden (alleen voor het logboek, niet in de e-mail)"),
                           validators=[Optional(), Length(max=1000)])


class AddCaseForm(FlaskForm):
    case = StringField(_l("Casusnummer"), validators=[DataRequired(_l("Vul een casusnummer in.")), Length(max=12)])
    reason = StringField(_l("Waarom op de agenda"), validators=[Optional(), Length(max=500)])
    duration_minutes = IntegerField(_l("Tijd (minuten)"), default=15, validators=[Optional(), NumberRange(1, 480)])


class ProposalForm(FlaskForm):
    # The operation checks against the proposal itself (a stale page cannot add anything else).
    cases = SelectMultipleField(_l("Voorgestelde casussen"), coerce=int, validate_choice=False)


class ParticipantForm(FlaskForm):
    # The operation checks the person (active, of a party to the convenant).
    user = SelectField(_l("Deelnemer toevoegen"), coerce=int, validate_choice=False)


class DurationForm(FlaskForm):
    duration_minutes = IntegerField(_l("Tijd (minuten)"), validators=[Optional(), NumberRange(1, 480)])


class ApproveForm(FlaskForm):
    note = TextAreaField(_l("Toelichting (optioneel, alleen voor het logboek)"),
                         validators=[Optional(), Length(max=1000)])


class ActionForm(FlaskForm):
    title = StringField(_l("Wat moet er gebeuren?"), validators=[DataRequired(_l("Beschrijf het actiepunt.")),
                                                                Length(max=300)])
    assignee = SelectField(_l("Wie voert het uit?"), coerce=int)
    due_on = DateField(_l("Uiterlijk op"), validators=[DataRequired(_l("Vul een datum in."))])
    note = TextAreaField(_l("Toelichting (optioneel)"), validators=[Optional(), Length(max=2000)])


class ActionUpdateForm(FlaskForm):
    status = SelectField(_l("Status"), choices=ACTION_STATUS_CHOICES)
    note = TextAreaField(_l("Toelichting (verplicht)"), validators=[DataRequired(_l("Licht de wijziging toe.")),
                                                                    Length(min=3, max=2000)])
    due_on = DateField(_l("Nieuwe datum (alleen zorgcoördinator)"), validators=[Optional()])
