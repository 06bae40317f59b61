"""Every API endpoint that reads case data leaves an audit entry: the test walks the
url_map, so a new endpoint that forgets to log fails here."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import func, select

from tests.helpers.people import actor, bsn, register, token_for
from zorgtafel.audit.models import AuditEntry
from zorgtafel.extensions import db

#: GET endpoints that return no case data at all
NO_CASE_DATA = {"api_v1.openapi", "api_v1.signal_categories"}


def _scenario(app, world) -> dict:
    from zorgtafel.cases.reveal import request_reveal
    from zorgtafel.followup.models import CoordinatorTask
    from zorgtafel.meetings.actions import create_action
    from zorgtafel.meetings.operations import plan_meeting
    from zorgtafel.notify.models import Notification

    with app.app_context():
        subject = {"bsn": bsn()}
        register(world.school, subject=subject)
        case = register(world.police, subject=subject, category="veel_geld_op_zak").case
        coordinator = actor(world.coordinator)
        starts = datetime.now(timezone.utc) + timedelta(days=3)
        meeting = plan_meeting(coordinator, title="Overleg", starts_at=starts, ends_at=starts + timedelta(hours=1),
                               location="Zaal 2",
                               participants=[actor(world.school), actor(world.police)], cases=[case])
        action = create_action(coordinator, case, title="Gesprek plannen", assignee=actor(world.school),
                               due_on=starts.date() + timedelta(days=7), note="afgesproken")
        request, _ = request_reveal(coordinator, case, "afstemming met de jeugdbescherming")
        db.session.commit()
        return {
            "reference": case.reference, "meeting_id": meeting.id, "action_id": action.id,
            "request_id": request.id,
            "task_id": db.session.scalar(select(CoordinatorTask.id).limit(1)),
            "notification_id": db.session.scalar(select(Notification.id).where(
                Notification.recipient_id == world.coordinator.id).limit(1)),
            "signal_id": 1,
        }


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_every_case_reading_endpoint_is_logged(app, world, client):
    values = _scenario(app, world)
    values["case_reference"] = values["reference"]
    headers = token_for(app, world.coordinator)
    privacy = token_for(app, world.privacy)  # the log is the privacy officer's (art. 9.1)
    checked, silent = [], []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or "GET" not in rule.methods or rule.endpoint in NO_CASE_DATA:
            continue
        url = rule.rule
        for argument in rule.arguments:
            url = url.replace(f"<int:{argument}>", str(values[argument])).replace(f"<{argument}>", str(values[argument]))
        before = _count(app)
        response = client.get(url, headers=privacy if rule.endpoint == "api_v1.audit" else headers)
        assert response.status_code == 200, (url, response.status_code, response.text[:300])
        checked.append(rule.endpoint)
        if _count(app) <= before:
            silent.append(rule.endpoint)
    assert len(checked) >= 10, checked
    assert silent == [], f"case data read without an audit entry: {silent}"


def test_audit_api_for_the_privacy_officer(app, world, client):
    values = _scenario(app, world)
    police_token = token_for(app, world.police)
    assert client.get(f"/api/v1/cases/{values['reference']}", headers=police_token).status_code == 200
    headers = token_for(app, world.privacy)
    listing = client.get(f"/api/v1/audit?case={values['reference']}", headers=headers)
    assert listing.status_code == 200, listing.text
    items = listing.json["items"]
    assert items and all(i["case"] == values["reference"] for i in items)
    reads = [i for i in items if i["action"] == "read" and i["user"] == world.police.id]
    assert reads and reads[0]["basis"]["article"] == "5.2"
    # the privacy officer of the police sees no entries of the school's users
    assert all(i["organisation"] == "Politie Eenheid Voorbeeld" for i in items)
    assert client.get("/api/v1/audit?case=Jan%20Jansen", headers=headers).status_code == 422
    assert client.get("/api/v1/audit", headers=token_for(app, world.school)).status_code == 403
    page = client.get("/api/v1/audit?limit=1", headers=headers).json
    assert len(page["items"]) == 1 and page["next"]
    second = client.get(f"/api/v1/audit?limit=1&cursor={page['next']}", headers=headers).json
    assert second["items"][0]["seq"] < page["items"][0]["seq"]


def test_a_refused_change_still_logs_the_page_it_shows(app, world, auth, client):
    """An invalid status change re-renders the case page after undoing the operation; the
    read it shows is in the log (security review M5)."""
    with app.app_context():
        reference = register(world.school, description="pv 99").case.reference
        db.session.commit()
    auth.login(world.coordinator)
    page = f"/casussen/{reference}"
    before = _count(app)
    response = auth.post(f"{page}/status", {"status": "monitoring", "note": ""}, page=page)
    assert response.status_code == 409 and "pv 99" in response.text
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.seq > before - 0)
                                     .order_by(AuditEntry.seq)).all()
    posted = [e for e in entries if e.case_reference == reference and e.user_id == world.coordinator.id
              and e.action == "write_minutes"]
    assert posted, [(e.action, e.outcome) for e in entries]
