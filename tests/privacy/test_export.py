"""The art. 15 export on a seeded subject: the data, purposes, bases, recipients from the
log, retention and sources — and nothing about other subjects."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.helpers.fixtures import AuthActions
from tests.helpers.people import actor, bsn, register
from zorgtafel.audit.models import AuditEntry
from zorgtafel.cases.errors import CaseError
from zorgtafel.extensions import db
from zorgtafel.privacy import export


def test_export_content(app, world, client):
    number = bsn()
    with app.app_context():
        subject = {"bsn": number}
        register(world.school, subject=subject, description="verzuimt al weken")
        register(world.police, subject=subject, category="veel_geld_op_zak", data_category="strafrechtelijk",
                 description="aangetroffen met contant geld")
        other_reference = register(world.ggz, subject={"bsn": bsn()}, description="ANDERE PERSOON").case.reference
        db.session.commit()
        reference = register(world.school, subject=subject, category="schoolverzuim").case.reference
        db.session.commit()
    # the school reads the case: it must show up as a recipient
    school = AuthActions(app, app.test_client())
    school.login(world.school)
    assert school.client.get(f"/casussen/{reference}").status_code == 200
    with app.app_context():
        document = export.build(actor(world.coordinator), {"bsn": number}, "verzoek betrokkene 12-11, AVG-031")
        db.session.commit()
    assert document["found"] and document["identity"]["bsn"] == number
    [case] = document["cases"]
    assert case["reference"] == reference
    assert case["convenant"]["purpose"].startswith("Vroegtijdig signaleren")
    assert [b["article"] for b in case["convenant"]["legal_bases"]] == ["3.1", "3.2", "3.3"]
    assert "Voorbeeld College (mbo)" in case["recipients"]
    assert case["retention"]["closed_case_days"] == 730
    sources = {d["source"] for d in case["data"] if d["kind"] == "signal"}
    assert sources == {"Voorbeeld College (mbo)", "Politie Eenheid Voorbeeld"}
    texts = " ".join(str(d) for d in case["data"])
    assert "verzuimt al weken" in texts and "aangetroffen met contant geld" in texts
    assert "ANDERE PERSOON" not in str(document) and other_reference not in str(document)
    with app.app_context():
        logged = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "export")).all()
        assert logged and logged[0].case_reference == reference and "AVG-031" in logged[0].reason


def test_export_refused_to_a_professional(ctx, world):
    number = bsn()
    register(world.school, subject={"bsn": number})
    with pytest.raises(CaseError) as info:
        export.build(actor(world.school), {"bsn": number}, "ik wil het eens zien")
    assert info.value.status == 403


def test_export_page_posts_identity_and_offers_json(app, world, auth, client):
    number = bsn()
    with app.app_context():
        register(world.school, subject={"bsn": number}, description="tekst voor de export")
        db.session.commit()
    auth.login(world.coordinator)
    page = auth.post("/privacy/inzageverzoek", {"bsn": number, "reason": "verzoek van betrokkene, AVG-77",
                                                "format": "html"})
    assert page.status_code == 200 and "tekst voor de export" in page.text and number in page.text
    download = auth.post("/privacy/inzageverzoek", {"bsn": number, "reason": "verzoek van betrokkene, AVG-77",
                                                    "format": "json"})
    assert download.mimetype == "application/json" and download.json["cases"][0]["data"]
    nothing = auth.post("/privacy/inzageverzoek", {"bsn": bsn(), "reason": "verzoek van betrokkene, AVG-78",
                                                   "format": "html"})
    assert 'data-testid="not-found"' in nothing.text
    auth2 = AuthActions(app, app.test_client())
    auth2.login(world.privacy)
    assert auth2.client.get("/privacy/inzageverzoek").status_code == 403


def test_export_never_mixes_two_people_with_the_same_name_key(app, ctx, world):
    """Twins Jan and Joost share family name, initial and birth date: the name key is the
    same, so a name-only request must not hand Joost's requester Jan's data."""
    jan, joost = bsn(), bsn()
    register(world.school, subject={"bsn": jan, "family_name": "Jansen", "given_names": "Jan", "birth_date": "2010-01-01"})
    register(world.police, subject={"bsn": joost}, description="alleen over Joost")
    coordinator = actor(world.coordinator)
    by_name = {"family_name": "Jansen", "given_names": "Joost", "birth_date": "2010-01-01"}
    with pytest.raises(CaseError) as info:
        export.build(coordinator, by_name, "verzoek van Joost, kenmerk AVG-1")
    assert info.value.status == 409
    document = export.build(coordinator, {"bsn": joost}, "verzoek van Joost, kenmerk AVG-2")
    assert document["identity"]["bsn"] == joost and jan not in str(document)
    assert "Jan" not in str(document["identity"])


def test_export_waits_for_an_unresolved_duplicate(app, ctx, world):
    person = {"family_name": "Dubbel", "given_names": "Dana", "birth_date": "2011-01-01"}
    first = bsn()
    register(world.school, subject={"bsn": first, **person})
    register(world.ggz, subject={"bsn": bsn(), **person})  # a possible duplicate for the coordinator
    with pytest.raises(CaseError) as info:
        export.build(actor(world.coordinator), {"bsn": first}, "verzoek van betrokkene AVG-9")
    assert info.value.status == 409 and "dubbel" in str(info.value)
