"""Statistics: small cells suppressed, totals never allow recomputing a hidden cell."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from itertools import count

from tests.helpers.people import bsn, register
from zorgtafel.extensions import db
from zorgtafel.privacy.statistics import SECONDARY, SUPPRESSED, Table, match_to_first_meeting, open_actions


def test_table_suppression_rules():
    table = Table("t", "T", "x", [("a", 7), ("b", 3), ("c", 12)])
    # the population (22) is known elsewhere: one hidden cell alone would be 22 - 7 - 12
    assert table.cells == [("a", SECONDARY), ("b", SUPPRESSED), ("c", 12)]
    assert table.total is None
    # two small cells of 3 and 2 are known to sum to 5: hide more until a small one stays open
    two_small = Table("t", "T", "x", [("a", 7), ("b", 3), ("c", 2)])
    assert two_small.cells == [("a", SECONDARY), ("b", SUPPRESSED), ("c", SUPPRESSED)]
    full = Table("t", "T", "x", [("a", 7), ("c", 12)])
    assert full.total == 19
    assert Table("t", "T", "x", [("a", 0)]).cells == [("a", SUPPRESSED)]


def test_statistics_page_and_csv(app, world, auth, client):
    with app.app_context():
        for _ in range(6):
            register(world.school, subject={"bsn": bsn()}, category="wegloopgedrag")
        for _ in range(2):
            register(world.police, subject={"bsn": bsn()}, category="veel_geld_op_zak")
        db.session.commit()
    auth.login(world.privacy)
    page = client.get("/privacy/statistiek")
    assert page.status_code == 200
    html = page.text
    category = html.split('data-testid="table-signals_by_category"')[1].split("</table>")[0]
    # 8 signals in all (the month table says so): 6 shown beside "<5" would give the 2 away
    assert "<td>Wegloopgedrag</td><td>•</td>" in category
    assert "<td>Veel geld op zak</td><td>&lt;5</td>" in category
    assert "niet getoond" in category
    assert "<svg" in html
    csv = client.get("/privacy/statistiek?formaat=csv")
    assert csv.mimetype == "text/csv" and "Veel geld op zak;<5" in csv.text
    assert "Wegloopgedrag;6" not in csv.text and "Wegloopgedrag;2" not in csv.text
    auth_school = client  # a professional may not read statistics
    from tests.helpers.fixtures import AuthActions

    other = AuthActions(app, app.test_client())
    other.login(world.school)
    assert other.client.get("/privacy/statistiek").status_code == 403


# -- time from match to first overleg; open and overdue actiepunten ----------------------

_numbers = count(1)
T0 = datetime(2026, 9, 1, 8, 0, tzinfo=timezone.utc)  # 10:00 in Amsterdam: the matches of these tests


def matched_case(world, matched_at=T0):
    """A case with a match at ``matched_at`` (rows only: what the statistics read)."""
    from zorgtafel.cases.models import Case, Match, Subject

    subject = Subject()
    db.session.add(subject)
    db.session.flush()
    n = next(_numbers)
    case = Case(reference=f"ZT-{n:04d}-STAT", subject_id=subject.id, convenant_key=world.key,
                subject_role="jongere", status="geagendeerd")
    db.session.add(case)
    db.session.flush()
    db.session.add(Match(case_id=case.id, created_at=matched_at, organisation_count=2, window_days=365,
                         urgency="midden"))
    db.session.flush()
    return case


def overleg(world, case, starts_at, status="gehouden"):
    from zorgtafel.meetings.models import AgendaItem, Meeting

    meeting = Meeting(convenant_key=world.key, title="Zorgtafel", starts_at=starts_at,
                      ends_at=starts_at + timedelta(hours=2), location="", organiser_id=world.coordinator.id,
                      status=status, uid=f"stat-{next(_numbers)}@zorgtafel.test", sequence=0, created_at=T0)
    db.session.add(meeting)
    db.session.flush()
    db.session.add(AgendaItem(meeting_id=meeting.id, case_id=case.id, position=1, reason="",
                              added_by_id=world.coordinator.id, added_at=T0))
    db.session.flush()


def facts(table) -> dict:
    return dict(table.facts)


def test_first_overleg_per_match_counts_only_held_meetings_after_the_match(ctx, world):
    from zorgtafel.core.models import utcnow

    three = matched_case(world)
    overleg(world, three, T0 - timedelta(days=2))  # before the match: not the overleg it led to
    overleg(world, three, T0 + timedelta(days=1), status="geannuleerd")  # cancelled: no overleg
    overleg(world, three, T0 + timedelta(days=3))
    overleg(world, three, T0 + timedelta(days=9))  # a later one: only the first counts
    overleg(world, matched_case(world), utcnow() + timedelta(days=7), status="gepland")  # not held yet
    matched_case(world)  # never on an agenda
    overleg(world, matched_case(world), T0 + timedelta(days=20))
    table = match_to_first_meeting([world.key])
    assert table.rows == [("0–7 dagen", 1), ("15–28 dagen", 1), ("nog geen overleg", 2)]
    assert [v for _, v in table.cells] == [SUPPRESSED] * 3 and table.total is None
    # the number with an overleg sums hidden bands: not shown, like a total
    assert facts(table) == {"Matches met een eerste overleg": "niet getoond",
                            "Mediaan (dagen van match tot eerste overleg)":
                                "te weinig matches met een overleg (minder dan 5)"}
    assert match_to_first_meeting(["een-ander-convenant"]).rows == []


def test_first_overleg_bands_count_and_median(ctx, world):
    from zorgtafel.core.models import utcnow

    for days in (1, 2, 3, 4, 6, 8, 9, 10, 12, 14):
        overleg(world, matched_case(world), T0 + timedelta(days=days, hours=3))
    table = match_to_first_meeting([world.key])
    assert table.cells == [("0–7 dagen", 5), ("8–14 dagen", 5)] and table.total == 10
    assert facts(table) == {"Matches met een eerste overleg": 10,
                            "Mediaan (dagen van match tot eerste overleg)": "7"}  # (6 + 8) / 2
    overleg(world, matched_case(world), T0 + timedelta(days=35))
    table = match_to_first_meeting([world.key])
    assert facts(table)["Mediaan (dagen van match tot eerste overleg)"] == "8"
    assert dict(table.cells)["meer dan 28 dagen"] == SUPPRESSED and table.total is None
    # the matches' total is known elsewhere: one secondary cell (≥ 5) beside a small one would
    # pin the small one down, so both other bands are hidden
    assert [v for _, v in table.cells].count(SECONDARY) == 2
    # 11 - 5 - 5 would give the hidden band away: the number with an overleg is a total of hidden bands
    assert facts(table)["Matches met een eerste overleg"] == "niet getoond"
    overleg(world, matched_case(world), utcnow() + timedelta(days=3))  # not yet: bands unchanged
    assert facts(match_to_first_meeting([world.key]))["Matches met een eerste overleg"] == "niet getoond"


def test_open_and_overdue_actions(ctx, world):
    from zorgtafel.core.timeutil import today_local
    from zorgtafel.meetings.models import ActionItem

    case = matched_case(world)

    def action(due_in_days, status="open"):
        db.session.add(ActionItem(case_id=case.id, title="Actiepunt", assignee_id=world.school.id,
                                  assignee_organisation_id=world.school.organisation_id,
                                  due_on=today_local() + timedelta(days=due_in_days), status=status,
                                  created_by_id=world.coordinator.id, created_at=T0))
        db.session.flush()

    for days in (0, 1, 5, 9, 20, 30):
        action(days, "in_behandeling" if days == 9 else "open")
    for days in (-1, -10):
        action(days)
    for status in ("afgerond", "vervallen"):
        action(-3, status)  # closed: neither open nor overdue
    table = open_actions([world.key])
    assert table.rows == [("Op tijd", 6), ("Te laat", 2)]
    assert table.cells == [("Op tijd", SECONDARY), ("Te laat", SUPPRESSED)] and table.total is None
    for days in (-2, -4, -6):
        action(days)
    table = open_actions([world.key])
    assert table.cells == [("Op tijd", 6), ("Te laat", 5)] and table.total == 11
    assert open_actions(["een-ander-convenant"]).rows == []


def test_new_statistics_on_the_page_and_in_the_csv(app, world, auth, client):
    from zorgtafel.core.timeutil import today_local
    from zorgtafel.meetings.models import ActionItem

    with app.app_context():
        for days in (1, 2, 3, 4, 6, 8, 9, 10, 12, 14):
            case = matched_case(world)
            overleg(world, case, T0 + timedelta(days=days, hours=3))
        for late in (True, False, False):
            db.session.add(ActionItem(case_id=case.id, title="Actiepunt", assignee_id=world.school.id,
                                      assignee_organisation_id=world.school.organisation_id,
                                      due_on=today_local() + timedelta(days=-4 if late else 4), status="open",
                                      created_by_id=world.coordinator.id, created_at=T0))
        db.session.commit()
    auth.login(world.coordinator)
    html = client.get("/privacy/statistiek").text
    section = html.split('data-testid="table-match_to_first_meeting"')[1].split("</section>")[0]
    assert "<td>0–7 dagen</td><td>5</td>" in section and "<td>8–14 dagen</td><td>5</td>" in section
    assert "<dt>Mediaan (dagen van match tot eerste overleg)</dt><dd>7</dd>" in section
    assert "<dt>Matches met een eerste overleg</dt><dd>10</dd>" in section
    actions = html.split('data-testid="table-open_actions"')[1].split("</section>")[0]
    assert "<td>Te laat</td><td>&lt;5</td>" in actions and "<td>Op tijd</td><td>&lt;5</td>" in actions
    assert '<svg class="chart"' in html.split('id="h-open_actions"')[1]
    csv = client.get("/privacy/statistiek?formaat=csv").text
    assert "Tijd van match tot eerste overleg;Mediaan (dagen van match tot eerste overleg);7" in csv
    assert "Tijd van match tot eerste overleg;totaal;10" in csv
    assert "Openstaande actiepunten;Te laat;<5" in csv and "Openstaande actiepunten;totaal;niet getoond" in csv


def test_hidden_cells_that_stay_small_together_hide_one_more():
    table = Table("t", "T", "x", [("a", 1), ("b", 1), ("c", 30), ("d", 20)])
    assert table.cells == [("a", SUPPRESSED), ("b", SUPPRESSED), ("c", 30), ("d", SECONDARY)]
    # cells 5, 5 and 1 with the total known elsewhere: hiding one 5 would leave 1 in {0, 1}
    assert Table("t", "T", "x", [("a", 5), ("b", 5), ("c", 1)]).cells == [("a", SECONDARY), ("b", SECONDARY),
                                                                          ("c", SUPPRESSED)]
    assert table.total is None
