"""Seeing the identity: reason, a second coordinator's approval, a limited time, audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from tests.helpers.people import actor, bsn, register
from zorgtafel.audit.models import AuditEntry
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.models import Case
from zorgtafel.cases.reveal import decide_request, pending_for, request_reveal, view_identity
from zorgtafel.extensions import db


@pytest.fixture
def case(ctx, world):
    number = bsn()
    result = register(world.school, subject={"bsn": number, "family_name": "Achterberg", "given_names": "Roos",
                                             "birth_date": "2010-07-07"})
    result.case.bsn = number
    return result.case


def test_reveal_needs_reason_and_a_second_coordinator(case, world):
    first, second = actor(world.coordinator), actor(world.coordinator2)
    with pytest.raises(CaseError) as info:
        request_reveal(first, case, "te kort")
    assert info.value.field == "reason"
    request, identity = request_reveal(first, case, "nodig voor afstemming met de jeugdbescherming")
    assert identity is None and request.status == "pending"
    assert pending_for(first) == [] and pending_for(second) == [request]
    with pytest.raises(CaseError) as info:
        decide_request(first, request, approve=True)
    assert info.value.status == 403
    assert view_identity(first, request) is None  # not approved yet
    decide_request(second, request, approve=True, note="akkoord")
    identity = view_identity(first, request)
    assert identity == {"bsn": case.bsn, "family_name": "Achterberg", "given_names": "Roos", "birth_date": "2010-07-07"}
    assert request.shown_at is not None
    assert view_identity(first, request) is None  # shown once, within the window too
    with pytest.raises(CaseError):
        view_identity(second, request)  # only the requester
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.case_reference == case.reference)).all()
    assert {"reveal_request", "reveal_approve", "reveal"} <= set(actions)
    assert "reveal_approve" in db.session.scalars(select(AuditEntry.action).where(
        AuditEntry.outcome == "denied", AuditEntry.case_reference == case.reference)).all()


def test_the_window_closes_unseen(case, world):
    request, _ = request_reveal(actor(world.coordinator), case, "nodig voor afstemming met de jeugdbescherming")
    decide_request(actor(world.coordinator2), request, approve=True)
    with time_machine.travel(timedelta(minutes=16)):
        assert view_identity(actor(world.coordinator), request) is None
    assert request.shown_at is None


def test_refusal(case, world):
    request, _ = request_reveal(actor(world.coordinator), case, "wil het toch even weten graag")
    decide_request(actor(world.coordinator2), request, approve=False, note="geen noodzaak")
    assert request.status == "refused"
    assert view_identity(actor(world.coordinator), request) is None
    with pytest.raises(CaseError) as info:
        decide_request(actor(world.coordinator2), request, approve=True)
    assert info.value.status == 409


def test_professionals_may_not_reveal(case, world):
    with pytest.raises(CaseError) as info:
        request_reveal(actor(world.school), case, "ik wil weten wie het is")
    assert info.value.status == 403
    denied = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "reveal_request",
                                                        AuditEntry.outcome == "denied"))
    assert denied is not None and denied.user_id == world.school.id


def test_without_second_approval_the_identity_comes_at_once(app, ctx, factory):
    from tests.helpers.convenant import load_reference, reference_text

    text = reference_text().replace("requires: [reason, second_approval]", "requires: [reason]")
    load_reference(app, text)
    school = factory.user("professional", organisation_key="college-voorbeeld")
    coordinator = factory.user("zorgcoordinator", organisation_key="zorgcoordinatie-voorbeeld")
    number = bsn()
    case = register(school, subject={"bsn": number}).case
    request, identity = request_reveal(actor(coordinator), case, "acute veiligheidssituatie vandaag")
    assert request is None and identity == {"bsn": number}


def test_the_page_shows_the_identity_once_and_not_from_the_cache(app, world, auth, client):
    number = bsn()
    with app.app_context():
        reference = register(world.school, subject={"bsn": number, "family_name": "Achterberg",
                                                    "given_names": "Roos", "birth_date": "2010-07-07"}).case.reference
        db.session.commit()
    with app.app_context():
        request, _ = request_reveal(actor(world.coordinator), db.session.scalar(
            select(Case).where(Case.reference == reference)), "nodig voor afstemming met de jeugdbescherming")
        decide_request(actor(world.coordinator2), request, approve=True)
        db.session.commit()
        request_id = request.id
    auth.login(world.coordinator)
    first = client.get(f"/onthullingen/{request_id}")
    assert first.status_code == 200 and "Achterberg" in first.text and number in first.text
    assert "no-store" in first.headers["Cache-Control"]
    second = client.get(f"/onthullingen/{request_id}")
    assert "Achterberg" not in second.text and number not in second.text
    assert 'data-testid="already-shown"' in second.text
