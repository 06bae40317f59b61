"""Turn the other rooms' events into follow-up tasks, and close them when the reason is
gone. Receivers run inside the sending transaction (flush only)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select

from zorgtafel.cases import events as case_events
from zorgtafel.cases.models import Case, StatusChange
from zorgtafel.convenant.models import Involvement
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.followup.models import OPEN, CoordinatorTask
from zorgtafel.followup.operations import close_open, open_task
from zorgtafel.meetings import events as meeting_events
from zorgtafel.notify import delivery_failed
from zorgtafel.privacy import retention

WEIGHED = {"geagendeerd", "plan_van_aanpak", "monitoring", "afgeschaald", "afgesloten"}


def _entered(case: Case) -> int:
    """The id of the status change by which the case entered its current status: names
    the occurrence, so re-entering a status later makes a new task."""
    return db.session.scalar(select(StatusChange.id).where(StatusChange.case_id == case.id)
                             .order_by(StatusChange.id.desc()).limit(1))


def on_case_created(sender, case, actor, **_):
    if case.status != "aangemeld":
        return  # a late (redelivered) event: the case has been triaged since
    open_task("triage", f"case:{case.id}:{_entered(case)}", convenant_key=case.convenant_key, case=case,
              reason="Nieuwe casus aangemeld: triëren en bepalen of weging nodig is.")


def on_match(sender, case, match, actor, **_):
    open_task("match", f"match:{match.id}", convenant_key=case.convenant_key, case=case, urgency=match.urgency,
              reason=f"Signalen van {match.organisation_count} organisaties binnen {match.window_days} dagen; "
                     f"hoogste urgentie {match.urgency}.")


def on_status(sender, case, old, new, actor, **_):
    if old in ("aangemeld", "heropend") and new not in ("aangemeld", "heropend"):
        close_open("triage", f"Casus gaat van {old} naar {new}.", case_id=case.id)
    if new == "heropend" and case.status == "heropend":  # not a late event about a case that moved on
        open_task("triage", f"case:{case.id}:{_entered(case)}", convenant_key=case.convenant_key, case=case,
                  reason="Casus heropend door een nieuw signaal: opnieuw triëren.")
    if new in WEIGHED:
        close_open("match", f"Casus gewogen: {new}.", case_id=case.id)
    if old == "in_weging":
        close_open("in_weging_te_lang", f"Casus niet meer in weging ({new}).", case_id=case.id)
    if new == "afgesloten":
        close_open("inactief", "Casus afgesloten.", case_id=case.id)
        _parties_left_reviewed(case)


def _parties_left_reviewed(case: Case) -> None:
    """A party that left the convenant: its review task is resolved once no case of the
    convenant it was involved in is still open (nothing is left to review). Until then the
    coordinator closes it by hand, with a note, after reviewing the cases."""
    subjects = db.session.scalars(select(CoordinatorTask.subject).where(
        CoordinatorTask.convenant_key == case.convenant_key, CoordinatorTask.kind == "partij_uitgetreden",
        CoordinatorTask.status.in_(OPEN))).all()
    for subject in subjects:
        organisation_id = int(subject.rsplit(":", 2)[1])  # party:{convenant}:{organisation}:{left_on}
        involved_here = exists().where(Involvement.case_id == case.id, Involvement.organisation_id == organisation_id)
        still_open = exists().where(Involvement.organisation_id == organisation_id, Involvement.case_id == Case.id,
                                    Case.convenant_key == case.convenant_key, Case.status != "afgesloten")
        if db.session.scalar(select(involved_here)) and not db.session.scalar(select(still_open)):
            close_open("partij_uitgetreden", "Alle casussen waarbij de partij betrokken was, zijn afgesloten.",
                       subject=subject)


def on_signal(sender, case, signal, actor, **_):
    close_open("inactief", "Er is een nieuw signaal binnengekomen.", case_id=case.id)


def on_duplicates_settled(sender, duplicate_ids, actor, **_):
    for duplicate_id in duplicate_ids:
        close_open("mogelijk_dubbel", "Samengevoegd: een registratie gaf BSN en naam samen, het is dezelfde persoon.",
                   subject=f"duplicate:{duplicate_id}")


def on_duplicate(sender, duplicate, actor, **_):
    open_task("mogelijk_dubbel", f"duplicate:{duplicate.id}", convenant_key=duplicate.convenant_key,
              reason="Een registratie lijkt over een persoon te gaan die al onder een ander nummer bekend is. "
                     "Beoordeel of het dezelfde persoon is; er is niets samengevoegd.")


def on_reveal_requested(sender, request, actor, **_):
    case = db.session.get(Case, request.case_id)
    open_task("onthulling", f"reveal:{request.id}", convenant_key=case.convenant_key, case=case,
              reason="Een zorgcoördinator vraagt de identiteit in te zien; een tweede zorgcoördinator beslist.")


def on_reveal_decided(sender, request, actor, **_):
    close_open("onthulling", f"Besloten: {request.status}.", subject=f"reveal:{request.id}")


def on_action_overdue(sender, action, **_):
    case = db.session.get(Case, action.case_id)
    open_task("actie_te_laat", f"action:{action.id}:{action.due_on.isoformat()}", convenant_key=case.convenant_key,
              case=case, reason=f"Actiepunt te laat (uiterlijk {action.due_on:%d-%m-%Y}): bespreek het met de eigenaar.")


def on_action_closed(sender, action, actor=None, **_):
    # case_id first: the partial index on open tasks per case finds them; the subject
    # prefix then picks this action's (a LIKE prefix cannot use the (kind, subject) index).
    close_open("actie_te_laat", f"Actiepunt {action.status}.", case_id=action.case_id,
               subject_prefix=f"action:{action.id}:")


def on_minutes_overdue(sender, meeting, **_):
    open_task("verslag_niet_vastgesteld", f"meeting:{meeting.id}", convenant_key=meeting.convenant_key,
              reason="Het verslag van het overleg is niet binnen de termijn vastgesteld.")


def on_minutes_approved(sender, meeting, actor=None, **_):
    close_open("verslag_niet_vastgesteld", "Verslag vastgesteld.", subject=f"meeting:{meeting.id}")


def on_inactive(sender, case, days, **_):
    since = case.last_signal_on or case.created_at.date()
    if case.status == "afgesloten" or since >= today_local() - timedelta(days=days):
        return  # a late (redelivered) event: a new signal came in, or the case was closed, since
    open_task("inactief", f"case:{case.id}:{since.isoformat()}", convenant_key=case.convenant_key, case=case,
              reason=f"Al {days} dagen geen nieuwe signalen: voorstel om de casus af te sluiten.")


def on_delivery_failed(sender, delivery, notification, **_):
    from zorgtafel.convenant import policy

    case = None
    if notification.case_reference:
        case = db.session.scalar(select(Case).where(Case.reference == notification.case_reference))
    keys = [case.convenant_key] if case else list(policy.in_force())
    for key in keys:
        open_task("bezorging_mislukt", f"delivery:{delivery.id}:{key}", convenant_key=key, case=case,
                  reason="Een e-mailbericht kon na herhaalde pogingen niet worden bezorgd; neem zo nodig zelf contact op.")


def failure_recipients(notification) -> list[int]:
    """Only the coordinators of the convenant the failed message was about (of the case,
    else of the recipient's organisation): a failure notice names a person and a case."""
    from zorgtafel.auth.models import User
    from zorgtafel.cases.operations import coordinators
    from zorgtafel.convenant import policy

    from zorgtafel.notify.operations import coordinator_ids

    key = None
    if notification.case_reference:
        key = db.session.scalar(select(Case.convenant_key).where(Case.reference == notification.case_reference))
    if key:
        keys = [key]
    else:
        recipient = db.session.get(User, notification.recipient_id)
        keys = [c.key for c in policy.convenants_of(recipient)] if recipient is not None else []
    found = sorted(set().union(*(coordinators(k) for k in keys))) if keys else []
    return found or coordinator_ids()  # no convenant to go by: better everyone than no one


CONNECTIONS = [
    (case_events.case_created, on_case_created),
    (case_events.match_found, on_match),
    (case_events.status_changed, on_status),
    (case_events.signal_registered, on_signal),
    (case_events.possible_duplicate_found, on_duplicate),
    (case_events.possible_duplicates_settled, on_duplicates_settled),
    (case_events.reveal_requested, on_reveal_requested),
    (case_events.reveal_decided, on_reveal_decided),
    (meeting_events.action_overdue, on_action_overdue),
    (meeting_events.action_closed, on_action_closed),
    (meeting_events.minutes_overdue, on_minutes_overdue),
    (meeting_events.minutes_approved, on_minutes_approved),
    (retention.inactive_case, on_inactive),
    (delivery_failed, on_delivery_failed),
]


def connect() -> None:
    from zorgtafel.notify.operations import FAILURE_RECIPIENTS

    for signal, receiver in CONNECTIONS:
        signal.connect(receiver, weak=False)
    if failure_recipients not in FAILURE_RECIPIENTS:
        FAILURE_RECIPIENTS.append(failure_recipients)
