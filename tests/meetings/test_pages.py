"""The meetings pages through the real login: plan, the meeting page with its agenda
controls, what a participant sees, conducting and approving, and the actions pages."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from tests.helpers.fixtures import AuthActions, csrf_token
from tests.helpers.people import actor, bsn, register
from zorgtafel.cases.operations import change_status
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.cases.models import Case
from zorgtafel.meetings.models import ActionItem, AgendaItem, Meeting, Participant


def seeded_cases(app, world, n: int = 2) -> list[str]:
    """Cases in weging (so putting them on the agenda moves them to 'geagendeerd')."""
    refs = []
    with app.app_context():
        for _ in range(n):
            case = register(world.school, subject={"bsn": bsn()}, description="zorgen over thuis").case
            change_status(actor(world.coordinator), case, "in_weging", "weging")
            refs.append(case.reference)
        db.session.commit()
    return refs


def assert_accessible(html: str) -> None:
    """One h1, no inline script or style (the CSP), and every visible field labelled."""
    assert html.count("<h1") == 1
    assert "<script>" not in html and " style=" not in html and "<style" not in html
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'type="hidden"' in tag:
            continue
        field_id = re.search(r'\bid="([^"]+)"', tag)
        assert field_id and f'for="{field_id.group(1)}"' in html, tag


def plan_through_the_page(auth, world, refs) -> int:
    day = (today_local() + timedelta(days=7)).isoformat()
    response = auth.post("/overleg/nieuw", {"title": "Zorgtafel december", "day": day, "start": "10:00",
                                            "end": "11:30", "location": "Stadhuis", "video_link": "",
                                            "participants": [world.police.id, world.privacy.id],
                                            "cases": " ".join(refs)})
    assert response.status_code == 302, response.text
    return int(response.location.rsplit("/", 1)[1])


def test_coordinator_plans_and_arranges_the_agenda(app, world, auth, client):
    refs = seeded_cases(app, world, 3)
    auth.login(world.coordinator)
    plan_page = client.get("/overleg/nieuw")
    assert plan_page.status_code == 200
    assert_accessible(plan_page.text)
    bad = auth.post("/overleg/nieuw", {"title": "Te kort", "day": today_local().isoformat(), "start": "11:00",
                                       "end": "10:00", "location": "Zaal"})
    assert bad.status_code == 422 and 'id="end-error"' in bad.text and "Er is iets niet goed ingevuld" in bad.text

    meeting_id = plan_through_the_page(auth, world, refs[:2])
    page = f"/overleg/{meeting_id}"
    html = client.get(page).text
    assert_accessible(html)
    assert refs[0] in html and refs[1] in html and "geagendeerd" in html
    assert refs[2] in html.split('id="voorstel"')[1]  # in weging: proposed

    with app.app_context():
        items = {i.case.reference: i.id for i in db.session.scalars(
            select(AgendaItem).where(AgendaItem.meeting_id == meeting_id))}
    assert auth.post(f"{page}/agenda/{items[refs[1]]}/omhoog", page=page).status_code == 302
    html = client.get(page).text
    assert html.index(refs[1]) < html.index(refs[0])
    token = csrf_token(client.get(page).text)
    item = items[refs[1]]
    timed = client.post(f"{page}/agenda/{item}/tijd", data={f"item{item}-csrf_token": token,
                                                            f"item{item}-duration_minutes": "25"})
    assert timed.status_code == 302 and "25 min" in client.get(page).text
    with app.app_context():
        proposed_id = db.session.scalar(select(Case.id).where(Case.reference == refs[2]))
    assert auth.post(f"{page}/voorstel", {"cases": [proposed_id]}, page=page).status_code == 302
    assert auth.post(f"{page}/agenda/{items[refs[0]]}/verwijderen", page=page).status_code == 302
    html = client.get(page).text
    agenda = html.split('data-testid="agenda"')[1].split("</ol>")[0]
    assert refs[2] in agenda and refs[0] not in agenda
    duplicate = auth.post(f"{page}/agenda", {"case": refs[2], "reason": "", "duration_minutes": "15"}, page=page)
    assert duplicate.status_code == 409 and "staat al op de agenda" in duplicate.text

    moved = auth.post(f"{page}/verplaatsen", {"day": (today_local() + timedelta(days=8)).isoformat(),
                                               "start": "13:00", "end": "14:00", "location": "Online"})
    assert moved.status_code == 302
    with app.app_context():
        assert db.session.get(Meeting, meeting_id).sequence == 1


def test_participants_see_the_meeting_outsiders_do_not(app, world, client):
    refs = seeded_cases(app, world, 1)
    coordinator = AuthActions(app, app.test_client())
    coordinator.login(world.coordinator)
    meeting_id = plan_through_the_page(coordinator, world, refs)

    police = AuthActions(app, client)
    police.login(world.police)
    html = client.get(f"/overleg/{meeting_id}").text
    assert refs[0] in html and "Omhoog" not in html and "Annuleren" not in html
    assert "Zorgtafel december" in client.get("/overleg").text
    ics = client.get(f"/overleg/{meeting_id}/uitnodiging.ics")
    assert ics.status_code == 200 and ics.data.startswith(b"BEGIN:VCALENDAR")
    assert client.post(f"/overleg/{meeting_id}/annuleren", data={"csrf_token": csrf_token(html)}).status_code == 403

    privacy = AuthActions(app, app.test_client())
    privacy.login(world.privacy)
    restricted = privacy.client.get(f"/overleg/{meeting_id}").text
    assert 'data-testid="restricted"' in restricted and refs[0] not in restricted

    school = AuthActions(app, app.test_client())
    school.login(world.school)
    assert school.client.get(f"/overleg/{meeting_id}").status_code == 404
    assert school.client.get("/overleg/999999").status_code == 404


def test_conduct_approve_and_follow_up(app, world, auth, client):
    refs = seeded_cases(app, world, 1)
    auth.login(world.coordinator)
    meeting_id = plan_through_the_page(auth, world, refs)
    conduct = f"/overleg/{meeting_id}/verslag"
    page = client.get(conduct)
    assert page.status_code == 200
    assert_accessible(page.text)
    with app.app_context():
        item_id = db.session.scalar(select(AgendaItem.id).where(AgendaItem.meeting_id == meeting_id))
        participant_ids = list(db.session.scalars(select(Participant.id).where(Participant.meeting_id == meeting_id)))
    bad = auth.post(conduct, {f"decision-{item_id}": "wegzetten", f"note-{item_id}": "", f"text-{item_id}": ""})
    assert bad.status_code == 422 and f'id="decision-{item_id}-error"' in bad.text
    saved = auth.post(conduct, {f"decision-{item_id}": "plan_van_aanpak", f"note-{item_id}": "regie bij de GGZ",
                                f"text-{item_id}": "Uitgebreid besproken.", "draft": "1",
                                **{f"attendance-{pid}": "aanwezig" for pid in participant_ids}})
    assert saved.status_code == 302
    token = csrf_token(client.get(conduct).text)
    action = client.post(f"{conduct}/{item_id}/actiepunt", data={
        f"action{item_id}-csrf_token": token, f"action{item_id}-title": "Huisbezoek afleggen",
        f"action{item_id}-assignee": str(world.police.id),
        f"action{item_id}-due_on": (today_local() + timedelta(days=14)).isoformat()})
    assert action.status_code == 302
    approved = auth.post(f"{conduct}/vaststellen", {"note": ""}, page=conduct)
    assert approved.status_code == 302
    html = client.get(approved.location).text
    assert "Plan van aanpak: van &#39;geagendeerd&#39; naar &#39;plan van aanpak&#39;." in html  # the flash
    assert "Uitgebreid besproken." in html and 'data-testid="minutes-status">goedgekeurd' in html

    police = AuthActions(app, app.test_client())
    police.login(world.police)
    mine = police.client.get("/actiepunten")
    assert mine.status_code == 200 and "Huisbezoek afleggen" in mine.text
    assert_accessible(mine.text)
    with app.app_context():
        action_id = db.session.scalar(select(ActionItem.id).where(ActionItem.title == "Huisbezoek afleggen"))
    token = csrf_token(mine.text)
    empty = police.client.post(f"/actiepunten/{action_id}", data={
        f"a{action_id}-csrf_token": token, f"a{action_id}-status": "in_behandeling", f"a{action_id}-note": "",
        "terug": "lijst"})
    assert empty.status_code == 422 and f'id="a{action_id}-note-error"' in empty.text
    done = police.client.post(f"/actiepunten/{action_id}", data={
        f"a{action_id}-csrf_token": token, f"a{action_id}-status": "afgerond",
        f"a{action_id}-note": "bezoek afgelegd", "terug": "lijst"})
    assert done.status_code == 302
    detail = police.client.get(f"/actiepunten/{action_id}").text
    assert "bezoek afgelegd" in detail and 'data-testid="action-status">afgerond' in detail
    case_page = police.client.get(f"/casussen/{refs[0]}").text
    assert "Actiepunt: Huisbezoek afleggen — afgerond" in case_page  # in the case timeline
    assert "Besluit van het overleg: Plan van aanpak — regie bij de GGZ" in case_page


def test_assign_an_action_from_the_case_page(app, world, auth, client):
    refs = seeded_cases(app, world, 1)
    auth.login(world.coordinator)
    case_page = client.get(f"/casussen/{refs[0]}").text
    assert f"/casussen/{refs[0]}/actiepunt" in case_page
    form = f"/casussen/{refs[0]}/actiepunt"
    page = client.get(form)
    assert page.status_code == 200
    assert_accessible(page.text)
    bad = auth.post(form, {"title": "Bellen", "assignee": str(world.ggz.id),
                           "due_on": (today_local() - timedelta(days=1)).isoformat()})
    assert bad.status_code == 422 and 'id="due_on-error"' in bad.text and "in het verleden" in bad.text
    ok = auth.post(form, {"title": "Bellen met de moeder", "assignee": str(world.ggz.id),
                          "due_on": (today_local() + timedelta(days=3)).isoformat(), "note": ""})
    assert ok.status_code == 302 and ok.location.endswith(f"/casussen/{refs[0]}")
    assert "Bellen met de moeder" in client.get(form).text


def test_series_participants_and_cancel_through_the_pages(app, world, auth, client):
    auth.login(world.coordinator)
    assert client.get("/overleg/reeks").status_code == 200
    first_day = today_local() + timedelta(days=7)
    made = auth.post("/overleg/reeks", {"title": "Wekelijks", "first_day": first_day.isoformat(), "start": "10:00",
                                        "duration_minutes": "90", "interval_weeks": "1", "count": "3",
                                        "location": "Stadhuis", "participants": [world.police.id]})
    assert made.status_code == 302
    page = made.location
    meeting_id = int(page.rsplit("/", 1)[1])
    with app.app_context():
        series_id = db.session.get(Meeting, meeting_id).series_id
        assert len(db.session.scalars(select(Meeting).where(Meeting.series_id == series_id)).all()) == 3
        police = db.session.scalar(select(Participant.id).where(Participant.meeting_id == meeting_id,
                                                                Participant.user_id == world.police.id))
    added = auth.post(f"{page}/deelnemers", {"user": str(world.ggz.id)}, page=page)
    assert added.status_code == 302
    assert auth.post(f"{page}/deelnemers/{police}/verwijderen", page=page).status_code == 302
    people = client.get(page).text.split('data-testid="participants"')[1].split("</ul>")[0]
    assert "Jeugd-GGZ Voorbeeld" in people and "Politie Eenheid Voorbeeld" not in people
    stranger = auth.post(f"{page}/deelnemers", {"user": "999999"}, page=page)
    assert stranger.status_code == 422 and 'id="user-error"' in stranger.text

    assert client.get(f"{page}/annuleren").status_code == 200
    cancelled = auth.post(f"{page}/annuleren", {"reason": "vakantie"})
    assert cancelled.status_code == 302
    html = client.get(page).text
    assert 'data-testid="meeting-status">geannuleerd' in html and "Verplaatsen of wijzigen" not in html
    assert auth.post(f"{page}/annuleren", {"reason": ""}, page=f"{page}").status_code == 409
