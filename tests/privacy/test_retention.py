"""Retention by the convenant, with frozen time: closed cases erased after
closed_case_days (anonymous counts and a content-free record kept), inactive cases put to
the coordinator, the access log never erased by case retention."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import func, select

from tests.helpers.people import actor, bsn, register
from zorgtafel.audit.models import AuditEntry
from zorgtafel.cases.models import Case, IdentityVault, Signal, Subject, SubjectPseudonym
from zorgtafel.cases.operations import change_status
from zorgtafel.extensions import db
from zorgtafel.privacy import retention
from zorgtafel.privacy.models import ErasureRecord, StatisticsArchive


def _closed_case(world):
    subject = {"bsn": bsn(), "family_name": "Wisman", "given_names": "Tess", "birth_date": "2010-02-02"}
    register(world.school, subject=subject, category="wegloopgedrag")
    case = register(world.police, subject=subject, category="veel_geld_op_zak").case
    coordinator = actor(world.coordinator)
    for status in ("in_weging", "afgesloten"):
        change_status(coordinator, case, status, "")
    db.session.commit()
    return case


def test_dry_run_shows_and_changes_nothing(app, ctx, world):
    case = _closed_case(world)
    with time_machine.travel(timedelta(days=729)):
        assert retention.plan().erase == []
    with time_machine.travel(timedelta(days=731)):
        result = app.test_cli_runner().invoke(args=["retention", "run", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert f"zou wissen: {case.reference}" in result.output and "closed_case_days=730" in result.output
    assert db.session.get(Case, case.id) is not None


def test_run_erases_case_and_identity_keeps_counts_and_log(app, ctx, world):
    case = _closed_case(world)
    reference, subject_id = case.reference, case.subject_id
    entries_before = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.case_reference == reference))
    with time_machine.travel(timedelta(days=731)):
        result = app.test_cli_runner().invoke(args=["retention", "run"])
    assert result.exit_code == 0, result.output
    assert "1 casussen gewist" in result.output
    db.session.expire_all()
    assert db.session.scalar(select(Case).where(Case.reference == reference)) is None
    assert db.session.scalar(select(func.count()).select_from(Signal)) == 0
    assert db.session.get(Subject, subject_id) is None
    assert db.session.get(IdentityVault, subject_id) is None
    assert db.session.scalar(select(func.count()).select_from(SubjectPseudonym)) == 0
    record = db.session.scalar(select(ErasureRecord).where(ErasureRecord.case_reference == reference))
    assert record.rule.startswith("retention.closed_case_days=730")
    archived = {(a.metric, a.dimension, a.key): a.count for a in db.session.scalars(select(StatisticsArchive))}
    assert archived[("signals", "category", "wegloopgedrag")] == 1
    assert archived[("signals", "organisation_kind", "politie")] == 1
    assert sum(v for (m, *_), v in archived.items() if m == "matches") == 1
    # the log keeps its entries, plus one for the erasure
    entries_after = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.case_reference == reference))
    assert entries_after == entries_before + 1


def test_open_cases_are_never_erased_and_inactive_ones_are_proposed(app, ctx, world):
    case = register(world.school).case
    db.session.commit()
    proposed = []

    def listen(sender, case, days, **_):
        proposed.append((case.reference, days))

    retention.inactive_case.connect(listen)
    try:
        with time_machine.travel(timedelta(days=400)):
            result = retention.run()
    finally:
        retention.inactive_case.disconnect(listen)  # only our own: the follow-up queue listens too
    assert result.erase == []
    assert (case.reference, 365) in proposed
    assert db.session.get(Case, case.id) is not None


def test_cases_of_a_convenant_no_longer_in_force_are_still_erased(app, ctx, world):
    """Security review M6: a convenant that ended must not keep its closed cases forever."""
    from datetime import datetime, timezone

    from tests.helpers.convenant import reference_text
    from zorgtafel.convenant.loader import load_text

    ended = reference_text().replace("key: zorgtafel-su-voorbeeldregio", "key: beeindigd-convenant").replace(
        "effective_from: 2026-01-01\neffective_until: null", "effective_from: 2020-01-01\neffective_until: 2021-01-01")
    load_text(ended, "oud.yaml")
    subject = Subject()
    db.session.add(subject)
    db.session.flush()
    old = Case(reference="ZT-OUD0-0001", subject_id=subject.id, convenant_key="beeindigd-convenant",
               subject_role="jongere", status="afgesloten",
               status_changed_at=datetime(2020, 6, 1, tzinfo=timezone.utc))
    db.session.add(old)
    db.session.commit()
    plan = retention.plan()
    assert ("ZT-OUD0-0001", "retention.closed_case_days=730 (convenant beeindigd-convenant v1)") in plan.erase
    retention.run()
    assert db.session.scalar(select(Case).where(Case.reference == "ZT-OUD0-0001")) is None
