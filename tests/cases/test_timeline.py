"""What each actor sees of one seeded case, per the reference convenant: the school, the
police, the GGZ and the coordinator — with restricted entries for the rest."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from tests.helpers.people import actor, bsn, register
from zorgtafel.cases.queries import case_by_reference, case_page, timeline
from zorgtafel.extensions import db


@pytest.fixture
def seeded(ctx, world):
    subject = {"bsn": bsn()}
    register(world.school, subject=subject, category="verslechterde_schoolprestaties",
             description="cijfers kelderen sinds de zomer")
    register(world.police, subject=subject, category="veel_geld_op_zak", data_category="strafrechtelijk",
             description="aangetroffen in een auto met een verdachte")
    register(world.ggz, subject=subject, category="lichamelijke_klachten", data_category="gezondheid",
             description="klachten die passen bij misbruik")
    case = register(world.police, subject=subject, category="nieuwe_vriendenkring",
                    description="gezien met oudere jongens").case
    db.session.commit()
    return case


def _signals(entries):
    return [e for e in entries if e.kind == "signal"]


def by_org(entries, name_part):
    return [e for e in _signals(entries) if name_part in e.organisation]


def test_school_sees_own_text_police_facts_and_restricted_police_data(seeded, world):
    school = actor(world.school)
    entries = timeline(school, seeded)
    own = by_org(entries, "College")[0]
    assert own.detail["description"] == "cijfers kelderen sinds de zomer" and own.basis.article == "5.2"
    assert own.detail["description_basis"].article == "5.3"
    police = by_org(entries, "Politie")
    restricted = [e for e in police if e.restricted]
    assert len(restricted) == 1  # the strafrechtelijk signal: that, when, by whom — nothing else
    assert restricted[0].category is None and restricted[0].data_category is None and not restricted[0].detail.get("description")
    assert restricted[0].basis.article == "5.2"
    ordinary = [e for e in police if not e.restricted][0]
    assert ordinary.category == "nieuwe_vriendenkring" and ordinary.detail.get("description_restricted")
    ggz = by_org(entries, "GGZ")[0]
    assert ggz.restricted  # health data of the GGZ: not for the school


def test_police_sees_its_own_criminal_data_and_not_health(seeded, world):
    entries = timeline(actor(world.police), seeded)
    police = by_org(entries, "Politie")
    assert all(not e.restricted for e in police)
    criminal = [e for e in police if e.data_category == "strafrechtelijk"][0]
    assert criminal.detail["description"] == "aangetroffen in een auto met een verdachte"
    assert by_org(entries, "GGZ")[0].restricted


def test_ggz_sees_care_partners_text_but_not_police_data(seeded, world):
    entries = timeline(actor(world.ggz), seeded)
    assert by_org(entries, "College")[0].detail["description"] == "cijfers kelderen sinds de zomer"  # art. 5.4
    assert by_org(entries, "College")[0].detail["description_basis"].article == "5.4"
    assert [e.restricted for e in by_org(entries, "Politie") if e.restricted] == [True]


def test_coordinator_sees_everything_under_5_1(seeded, world):
    entries = timeline(actor(world.coordinator), seeded)
    assert all(not e.restricted for e in _signals(entries))
    assert all(e.basis.article == "5.1" for e in _signals(entries))
    assert len(_signals(entries)) == 4
    assert any(e.kind == "match" for e in entries)


def test_uninvolved_professional_cannot_open_the_case(seeded, world, factory):
    other = factory.user("professional", organisation_key="lvbzorg-voorbeeld")
    assert case_by_reference(actor(other), seeded.reference) is None
    assert timeline(actor(other), seeded) == [] or all(e.restricted for e in timeline(actor(other), seeded))


def test_case_list_costs_constant_statements(app, ctx, world):
    def count_statements(limit):
        coordinator = actor(world.coordinator)
        statements = []
        listener = lambda *args: statements.append(1)  # noqa: E731
        with app.test_request_context("/casussen"):  # as in a request: the rule set is read once
            event.listen(db.engine, "before_cursor_execute", listener)
            try:
                rows, _ = case_page(coordinator, limit=limit)
            finally:
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(rows), len(statements)

    for _ in range(3):
        register(world.school, subject={"bsn": bsn()})
    db.session.commit()
    small_rows, small = count_statements(3)
    for _ in range(27):
        register(world.police, subject={"bsn": bsn()})
    db.session.commit()
    big_rows, big = count_statements(30)
    assert (small_rows, big_rows) == (3, 30)
    # the rule set in force (3), the page (1), the signal summary (1) and the involvement
    # behind each row's basis (1), whatever the page size
    assert big == small == 6


def test_case_list_filters_and_pages(ctx, world):
    subjects = [{"bsn": bsn()} for _ in range(5)]
    for s in subjects:
        register(world.school, subject=s)
    register(world.police, subject=subjects[0])  # a match on the first
    school, coordinator = actor(world.school), actor(world.coordinator)
    first, after = case_page(coordinator, limit=2)
    second, after2 = case_page(coordinator, limit=2, after=after)
    third, after3 = case_page(coordinator, limit=2, after=after2)
    seen = [r.case.id for r in first + second + third]
    assert len(seen) == len(set(seen)) == 5 and after3 is None
    matched, _ = case_page(coordinator, has_match=True)
    assert len(matched) == 1 and matched[0].has_match and matched[0].signal_count == 2
    assert sorted(matched[0].organisations) == ["Politie Eenheid Voorbeeld", "Voorbeeld College (mbo)"]
    police_view, _ = case_page(actor(world.police))
    assert len(police_view) == 1  # involved only in the one it signalled
    assert len(case_page(school, status="in_weging")[0]) == 0
    by_urgency, _ = case_page(coordinator, sort="urgency")
    assert len(by_urgency) == 5


def test_sorting_by_urgency_does_not_betray_a_hidden_urgency(app, ctx, world):
    """A police signal of urgency 'hoog' under 'strafrechtelijk' is hidden from the school:
    the school's urgency order must not put that case first (completeness review I4.4)."""
    quiet, loud = {"bsn": bsn()}, {"bsn": bsn()}
    register(world.school, subject=quiet, urgency="midden")
    register(world.school, subject=loud, urgency="laag")
    loud_ref = register(world.police, subject=loud, urgency="hoog", data_category="strafrechtelijk",
                        category="veel_geld_op_zak").case.reference
    db.session.commit()
    with app.test_request_context("/"):
        school_order = [r.case.reference for r in case_page(actor(world.school), sort="urgency")[0]]
        coordinator_order = [r.case.reference for r in case_page(actor(world.coordinator), sort="urgency")[0]]
    assert school_order[-1] == loud_ref  # laag, as far as the school can know
    assert coordinator_order[0] == loud_ref  # hoog for the coordinator, who may read it (art. 5.1)
    with app.test_request_context("/"):
        first, after = case_page(actor(world.coordinator), sort="urgency", limit=1)
        second, _ = case_page(actor(world.coordinator), sort="urgency", limit=1, after=after)
    assert first[0].case.reference == loud_ref and second[0].case.reference != loud_ref


def test_case_list_rows_carry_their_basis(app, ctx, world):
    register(world.school)
    db.session.commit()
    with app.test_request_context("/"):
        [school_row], _ = case_page(actor(world.school))
        [coordinator_row], _ = case_page(actor(world.coordinator))
    assert school_row.basis.article == "5.2" and coordinator_row.basis.article == "5.1"


def test_list_pages_cost_the_same_for_3_and_30_cases(app, world, client):
    """The statement count of GET /casussen and GET /api/v1/cases does not grow with the
    number of cases on the page (no N+1)."""
    from tests.helpers.fixtures import AuthActions
    from tests.helpers.people import token_for

    auth = AuthActions(app, client)
    auth.login(world.coordinator)
    headers = token_for(app, world.coordinator)

    def statements(path, **kwargs):
        seen = []
        listener = lambda *args: seen.append(1)  # noqa: E731
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get(path, **kwargs).status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    def add(n, who):
        with app.app_context():
            for _ in range(n):
                register(who, subject={"bsn": bsn()})
            db.session.commit()

    add(3, world.school)
    client.get("/api/v1/cases", headers=headers)  # the token's first use records it (an UPDATE, once)
    small = (statements("/casussen"), statements("/api/v1/cases", headers=headers))
    add(27, world.police)
    big = (statements("/casussen"), statements("/api/v1/cases", headers=headers))
    assert big == small, (small, big)
