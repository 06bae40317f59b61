"""Registering signals: one case per person, linking BSN and name, duplicates, matching,
withdrawal, the workflow, and nothing identifying outside the vault."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import func, inspect, select, text

from tests.helpers.people import actor, bsn, register
from zorgtafel.cases import vault
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.models import Case, Match, PossibleDuplicate, Signal, StatusChange, Withdrawal
from zorgtafel.cases.operations import change_status, withdraw_signal
from zorgtafel.convenant.models import Involvement
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.notify.models import Notification


def test_first_signal_creates_a_case(ctx, world):
    result = register(world.school, subject={"bsn": bsn()})
    case = result.case
    assert case.status == "aangemeld" and case.reference.startswith("ZT-")
    assert result.match is None
    history = db.session.scalars(select(StatusChange).where(StatusChange.case_id == case.id)).all()
    assert [(h.from_status, h.to_status) for h in history] == [(None, "aangemeld")]
    assert db.session.scalar(select(func.count()).select_from(Involvement).where(
        Involvement.case_id == case.id, Involvement.organisation_id == world.orgs["college-voorbeeld"])) == 1


def test_same_person_by_bsn_and_by_name_ends_in_one_case(ctx, world):
    number = bsn()
    person = {"family_name": "van der Linden", "given_names": "Sara", "birth_date": "2010-04-01"}
    by_name = register(world.school, subject=person)
    by_bsn = register(world.police, subject={"bsn": number})
    assert by_name.case.id != by_bsn.case.id  # nothing links them yet
    both = register(world.ggz, subject={"bsn": number, **person})
    assert both.possible_duplicate is None  # each half was unlinked: one person (tests/cases/test_merge.py)
    assert both.case.id == by_bsn.case.id
    assert register(world.school, subject=person).case.id == by_bsn.case.id
    # a registration that gives both for a new person links them for good
    other = bsn()
    first = register(world.ggz, subject={"bsn": other, "family_name": "Bakker", "given_names": "Lina",
                                         "birth_date": "2011-02-03"})
    later_by_name = register(world.school, subject={"family_name": "bakker", "given_names": "lina",
                                                    "birth_date": "2011-02-03"})
    later_by_bsn = register(world.police, subject={"bsn": other})
    assert first.case.id == later_by_name.case.id == later_by_bsn.case.id


def test_name_first_then_both_links_bsn_to_the_same_case(ctx, world):
    person = {"family_name": "El Idrissi", "given_names": "Yasmina", "birth_date": "2009-09-09"}
    first = register(world.school, subject=person)
    number = bsn()
    second = register(world.ggz, subject={"bsn": number, **person})
    third = register(world.police, subject={"bsn": number})
    assert first.case.id == second.case.id == third.case.id
    assert second.possible_duplicate is None


def test_conflicting_link_becomes_a_possible_duplicate(ctx, world):
    person = {"family_name": "Jansen", "given_names": "Eva", "birth_date": "2010-01-01"}
    one, two = bsn(), bsn()
    original = register(world.school, subject={"bsn": one, **person})
    conflict = register(world.ggz, subject={"bsn": two, **person})
    assert conflict.case.id != original.case.id  # never a silent merge
    duplicate = conflict.possible_duplicate
    assert duplicate is not None and duplicate.resolved_at is None
    assert {duplicate.subject_id, duplicate.other_subject_id} == {original.case.subject_id, conflict.case.subject_id}
    assert db.session.scalar(select(func.count()).select_from(PossibleDuplicate)) == 1


def test_duplicate_submission_stored_once(ctx, world):
    subject = {"bsn": bsn()}
    first = register(world.school, subject=subject, category="wegloopgedrag")
    again = register(world.school, subject=subject, category="wegloopgedrag")
    assert again.duplicate_submission and again.signal.id == first.signal.id
    assert db.session.scalar(select(func.count()).select_from(Signal)) == 1
    with time_machine.travel(timedelta(minutes=2)):
        later = register(world.school, subject=subject, category="wegloopgedrag")
    assert not later.duplicate_submission


def test_match_fires_once_for_two_organisations(ctx, world):
    subject = {"bsn": bsn()}
    assert register(world.school, subject=subject).match is None
    assert register(world.school, subject=subject, category="schoolverzuim").match is None  # one organisation
    second = register(world.police, subject=subject, category="veel_geld_op_zak", urgency="hoog")
    assert second.match is not None and second.match.urgency == "hoog"
    assert register(world.ggz, subject=subject, category="middelengebruik").match is None  # not again
    assert db.session.scalar(select(func.count()).select_from(Match)) == 1
    recipients = set(db.session.scalars(select(Notification.recipient_id).where(Notification.kind == "match")))
    assert {world.coordinator.id, world.coordinator2.id, world.school.id, world.police.id} <= recipients
    assert world.ggz.id not in recipients  # registered after the match


def test_no_match_outside_the_window(ctx, world):
    subject = {"bsn": bsn()}
    register(world.school, subject=subject, observed_on=today_local() - timedelta(days=400))
    assert register(world.police, subject=subject).match is None


def test_match_again_after_the_window_lapsed(ctx, world):
    subject = {"bsn": bsn()}
    register(world.school, subject=subject)
    assert register(world.police, subject=subject).match is not None
    with time_machine.travel(timedelta(days=366)):
        register(world.school, subject=subject, category="schoolverzuim")
        assert register(world.police, subject=subject, category="veel_geld_op_zak").match is not None


def test_notifications_carry_no_content(ctx, world):
    subject = {"family_name": "Verborgen", "given_names": "Naam", "birth_date": "2010-01-01"}
    register(world.school, subject=subject, description="zag haar met een oudere man")
    register(world.police, subject=subject, description="geheime politie-informatie")
    for n in db.session.scalars(select(Notification)):
        blob = f"{n.kind} {n.case_reference} {n.link}"
        assert "Verborgen" not in blob and "oudere man" not in blob and "politie-informatie" not in blob


def test_withdrawal_deletes_and_records_without_content(ctx, world):
    result = register(world.school, description="achteraf een misverstand")
    case = result.case
    with pytest.raises(CaseError) as info:
        withdraw_signal(actor(world.police), result.signal, "niet van ons maar toch")
    assert info.value.status == 403
    withdraw_signal(actor(world.school), result.signal, "bleek een misverstand")
    assert db.session.get(Signal, result.signal.id) is None
    withdrawal = db.session.scalar(select(Withdrawal).where(Withdrawal.case_id == case.id))
    assert withdrawal.withdrawn_by_id == world.school.id
    assert withdrawal.reason == "bleek een misverstand"  # why it was withdrawn; nothing of the signal itself
    assert db.session.scalar(select(func.count()).select_from(Involvement).where(
        Involvement.case_id == case.id, Involvement.source == "signal")) == 0
    assert case.last_signal_on is None


def test_workflow_transitions_and_refusals(ctx, world):
    case = register(world.school).case
    coordinator = actor(world.coordinator)
    with pytest.raises(CaseError) as info:
        change_status(coordinator, case, "monitoring")
    assert info.value.status == 409 and "in_weging" in str(info.value)
    with pytest.raises(CaseError) as info:
        change_status(actor(world.school), case, "in_weging")
    assert info.value.status == 403
    for new in ("in_weging", "geagendeerd", "plan_van_aanpak", "monitoring", "afgesloten"):
        change_status(coordinator, case, new, f"naar {new}")
    assert case.status == "afgesloten"
    history = db.session.scalars(select(StatusChange.to_status).where(StatusChange.case_id == case.id)
                                 .order_by(StatusChange.id)).all()
    assert history == ["aangemeld", "in_weging", "geagendeerd", "plan_van_aanpak", "monitoring", "afgesloten"]
    # a new signal reopens a closed case for the coordinator's attention
    register(world.police, subject={"bsn": _bsn_of(case)})
    assert case.status == "heropend"


def _bsn_of(case: Case) -> str:
    return vault.read(case.subject_id)["bsn"]


def test_every_transition_in_the_table(ctx, world):
    from zorgtafel.cases import workflow

    for current, targets in workflow.TRANSITIONS.items():
        for new in workflow.STATUSES:
            assert workflow.allowed(current, new) == (new in targets)


def test_vault_round_trip_and_rotation(app, ctx, world):
    number = bsn()
    case = register(world.school, subject={"bsn": number, "family_name": "de Wit", "given_names": "Mila",
                                           "birth_date": "2011-11-11"}).case
    assert vault.read(case.subject_id) == {"bsn": number, "family_name": "de Wit", "given_names": "Mila",
                                           "birth_date": "2011-11-11"}
    db.session.commit()
    from zorgtafel.core.crypto import new_vault_key_spec

    old = app.config["VAULT_KEY"]
    app.config["VAULT_KEY"] = new_vault_key_spec("k2") + "," + old
    try:
        result = app.test_cli_runner().invoke(args=["vault", "rotate"])
        assert result.exit_code == 0, result.output
        assert "1 identiteiten" in result.output
        row_kid = db.session.execute(text("SELECT kek_id FROM identity_vault WHERE subject_id = :s"),
                                     {"s": case.subject_id}).scalar()
        assert row_kid == "k2"
        app.config["VAULT_KEY"] = app.config["VAULT_KEY"].split(",")[0]  # the old key is gone
        assert vault.read(case.subject_id)["bsn"] == number
    finally:
        app.config["VAULT_KEY"] = old


def test_nothing_identifying_outside_the_vault(ctx, world):
    people = [({"bsn": bsn(), "family_name": "Zwaneveld", "given_names": "Isabella", "birth_date": "2010-06-15"}),
              ({"family_name": "van Oostenrijk", "given_names": "Mohammed", "birth_date": "2008-12-24"}),
              ({"bsn": bsn()})]
    for person in people:
        register(world.school, subject=person, description="gezien bij het station")
        register(world.police, subject=person, category="veel_geld_op_zak")
    db.session.commit()
    needles = {p["bsn"] for p in people if "bsn" in p} | {"Zwaneveld", "zwaneveld", "Isabella", "Oostenrijk",
                                                            "oostenrijk", "Mohammed", "2010-06-15", "2008-12-24"}
    inspector = inspect(db.engine)
    hits = []
    for table in inspector.get_table_names():
        if table == "identity_vault":
            continue
        for column in inspector.get_columns(table):
            kind = str(column["type"]).upper()
            if not any(t in kind for t in ("CHAR", "TEXT", "JSON", "ARRAY", "BYTEA", "DATE")):
                continue
            for needle in needles:
                found = db.session.execute(text(
                    f'SELECT count(*) FROM "{table}" WHERE "{column["name"]}"::text ILIKE :n'), {"n": f"%{needle}%"}).scalar()
                if found:
                    hits.append((table, column["name"], needle))
    assert hits == []
    sealed = db.session.execute(text("SELECT ciphertext FROM identity_vault")).scalars().all()
    assert sealed and all(b"Zwaneveld" not in bytes(c) for c in sealed)


def test_coordinator_records_a_partners_report_on_its_behalf(ctx, world):
    """Issue 6's 'on whose behalf': the coordinator takes a phone report from the school."""
    from zorgtafel.audit.models import AuditEntry
    from zorgtafel.cases.operations import register_signal

    result = register_signal(actor(world.coordinator), subject={"bsn": bsn()}, subject_role="jongere",
                             category="schoolverzuim", data_category="signaal", urgency="midden",
                             observed_on=today_local() - timedelta(days=1), description="telefonisch gemeld",
                             on_behalf_of="college-voorbeeld")
    assert result.signal.organisation_id == world.orgs["college-voorbeeld"]
    assert result.signal.author_id == world.coordinator.id
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "signal",
                                                       AuditEntry.action == "create"))
    assert entry.user_id == world.coordinator.id and entry.on_behalf_of == world.orgs["college-voorbeeld"]
    with pytest.raises(CaseError) as info:
        register_signal(actor(world.school), subject={"bsn": bsn()}, subject_role="jongere", category="schoolverzuim",
                        data_category="signaal", urgency="laag", observed_on=today_local() - timedelta(days=1),
                        on_behalf_of="politie-voorbeeld")
    assert info.value.status == 403
    with pytest.raises(CaseError) as info:
        register_signal(actor(world.coordinator), subject={"bsn": bsn()}, subject_role="jongere",
                        category="schoolverzuim", data_category="signaal", urgency="laag",
                        observed_on=today_local() - timedelta(days=1), on_behalf_of="ggd-voorbeeld")  # left
    assert info.value.field == "on_behalf_of"
