"""One person known at one partner only by BSN and at another only by name + birth date:
the first registration that gives both proves they are one, and the two cases become one —
on the record, with every row of the vanished case moved (across floors), and nothing
merged where the halves conflict."""

from __future__ import annotations

from sqlalchemy import func, select

from tests.helpers.people import actor, bsn, register
from tests.meetings.conftest import plan
from zorgtafel.audit.models import AuditEntry
from zorgtafel.cases import vault
from zorgtafel.cases.models import Case, PossibleDuplicate, Signal, StatusChange, Subject, SubjectPseudonym
from zorgtafel.convenant.models import Involvement
from zorgtafel.extensions import db
from zorgtafel.meetings.models import AgendaItem
from zorgtafel.notify.models import Notification

PERSON = {"family_name": "van der Linden", "given_names": "Sara", "birth_date": "2010-04-01"}


def _count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_both_halves_in_one_registration_end_in_one_case(ctx, world):
    number = bsn()
    by_name = register(world.school, subject=PERSON)
    by_bsn = register(world.police, subject={"bsn": number})
    kept, gone = by_bsn.case.reference, by_name.case.reference
    assert kept != gone  # nothing links them yet

    both = register(world.ggz, subject={"bsn": number, **PERSON})
    assert both.possible_duplicate is None
    assert both.case.reference == kept  # the BSN's case stays, with its reference
    assert db.session.scalar(select(Case).where(Case.reference == gone)) is None
    case = db.session.scalar(select(Case).where(Case.reference == kept))
    assert _count(Signal, Signal.case_id == case.id) == 3  # school's signal moved in
    assert _count(Subject) == 1 and _count(SubjectPseudonym) == 2
    assert both.match is not None  # three organisations now signal about one person
    assert set(vault.read(case.subject_id)) >= {"bsn", "family_name", "given_names", "birth_date"}
    organisations = set(db.session.scalars(select(Involvement.organisation_id).where(Involvement.case_id == case.id)))
    assert {world.school.organisation_id, world.police.organisation_id, world.ggz.organisation_id} <= organisations
    note = db.session.scalar(select(StatusChange.note).where(StatusChange.case_id == case.id,
                                                             StatusChange.note.like("Samengevoegd%")))
    assert gone in note and "Sara" not in note and "Linden" not in note
    logged = {(e.case_reference, e.action) for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "merge"))}
    assert {(kept, "merge"), (gone, "merge")} <= logged

    told = db.session.scalars(select(Notification.recipient_id).where(
        Notification.kind == "casussen_samengevoegd", Notification.case_reference == kept)).all()
    assert set(told) == {world.coordinator.id, world.coordinator2.id}

    # Later registrations by either half find the same case.
    assert register(world.school, subject={**PERSON, "family_name": "Van der  Linden"},
                    category="schoolverzuim").case.reference == kept
    assert register(world.police, subject={"bsn": number}, category="veel_geld_op_zak").case.reference == kept


def test_rows_that_collide_are_folded_not_doubled(ctx, world):
    """Both cases involve the school and sit on the same overleg's agenda: one involvement
    and one agenda item remain."""
    number = bsn()
    by_name = register(world.school, subject=PERSON)
    by_bsn = register(world.school, subject={"bsn": number}, category="schoolverzuim")
    meeting = plan(world, participants=[world.school], cases=[by_name.case, by_bsn.case])
    db.session.flush()
    assert _count(AgendaItem, AgendaItem.meeting_id == meeting.id) == 2

    merged = register(world.police, subject={"bsn": number, **PERSON}).case
    assert _count(AgendaItem, AgendaItem.meeting_id == meeting.id) == 1
    assert db.session.scalar(select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting.id)) == merged.id
    assert _count(Involvement, Involvement.case_id == merged.id,
                  Involvement.organisation_id == world.school.organisation_id, Involvement.source == "signal") == 1
    assert _count(Signal, Signal.case_id == merged.id) == 3


def test_a_conflict_is_never_merged(ctx, world):
    """The name is already linked to another BSN: two people, or one error — the
    coordinator judges; nothing moves."""
    first, second = bsn(), bsn()
    linked = register(world.school, subject={"bsn": first, **PERSON})
    other = register(world.police, subject={"bsn": second})
    conflict = register(world.ggz, subject={"bsn": second, **PERSON})
    assert conflict.possible_duplicate is not None
    assert conflict.case.id == other.case.id != linked.case.id
    assert _count(Case) == 2 and _count(Subject) == 2
    assert _count(AuditEntry, AuditEntry.action == "merge") == 0


def test_a_merge_refuses_two_bsns(ctx, world):
    import pytest

    from zorgtafel.cases.errors import CaseError
    from zorgtafel.cases.merge import merge_subjects

    one = register(world.school, subject={"bsn": bsn()}).case.subject_id
    two = register(world.police, subject={"bsn": bsn()}).case.subject_id
    with pytest.raises(CaseError) as refused:
        merge_subjects(actor(world.coordinator), one, two, "test")
    assert refused.value.status == 409 and _count(Subject) == 2
    assert _count(PossibleDuplicate) == 0


def test_the_old_reference_leads_to_the_merged_case_for_whom_may_see_it(app, world, factory, auth, client):
    from zorgtafel.auth.models import Organisation
    from zorgtafel.privacy.export import build

    number = bsn()
    with app.app_context():
        gone = register(world.school, subject=PERSON).case.reference
        register(world.police, subject={"bsn": number})
        db.session.commit()
    auth.login(world.school)
    assert client.get(f"/casussen/{gone}").status_code == 200  # the school read it under the old reference
    with app.app_context():
        kept = register(world.ggz, subject={"bsn": number, **PERSON}).case.reference
        db.session.commit()
        export = build(actor(world.coordinator), {"bsn": number}, "Verzoek van de jongere zelf, per brief")
        [part] = export["cases"]
        assert part["reference"] == kept
        school = db.session.get(Organisation, world.school.organisation_id).name
        assert school in part["recipients"]  # seen under the old reference: still a recipient

    page = client.get(f"/casussen/{gone.lower()}")  # an old link in an e-mail still works
    assert page.status_code == 200 and kept in page.text
    outsider = factory.user("professional", organisation_key="lvbzorg-voorbeeld")
    auth.login(outsider)
    assert client.get(f"/casussen/{gone}").status_code == 404  # and tells an outsider nothing
    assert client.get(f"/casussen/{kept}").status_code == 404


def test_a_merge_settles_the_coordinators_duplicate_task(ctx, world):
    """A possible duplicate between the two halves (recorded before both were given in one
    registration) is answered by the merge: its task leaves the queue with a note."""
    from zorgtafel.cases.subjects import _possible_duplicate
    from zorgtafel.followup.models import CoordinatorTask

    number = bsn()
    by_name = register(world.school, subject=PERSON)
    by_bsn = register(world.police, subject={"bsn": number})
    duplicate = _possible_duplicate(by_bsn.case.subject_id, by_name.case.subject_id, world.key,
                                    actor(world.coordinator))
    task = db.session.scalar(select(CoordinatorTask).where(CoordinatorTask.subject == f"duplicate:{duplicate.id}"))
    assert task.status == "open"
    register(world.ggz, subject={"bsn": number, **PERSON})
    db.session.refresh(task)
    assert task.status == "afgerond" and "Samengevoegd" in task.closed_note
    assert _count(PossibleDuplicate) == 0
