"""The in-app channel: the bell's unread count in the menu, the notifications page
(newest first, only one's own), opening and marking read, the failure page."""

from __future__ import annotations

import re

from sqlalchemy import event, select

from tests.helpers.fixtures import csrf_token
from zorgtafel.extensions import db
from zorgtafel.notify.models import Notification
from zorgtafel.notify.operations import notify


def _notify(app, user_id: int, kind: str, link: str, reference: str | None = None) -> int:
    with app.app_context():
        (n,) = notify(None, [user_id], kind, case_reference=reference, link=link)
        db.session.commit()
        return n.id


def _bell(html: str) -> tuple[str, str] | None:
    """(the count, its spoken label) of the menu's notifications entry, or None."""
    match = re.search(r'<a href="/meldingen"[^>]*>.*?</a>', html, re.S)
    assert match, "no notifications entry in the menu"
    count = re.search(r'<span class="count"[^>]*>(\d+)</span>', match.group(0))
    if count is None:
        return None
    label = re.search(r"\d+ ongelezen meldingen?", match.group(0))
    return count.group(1), label.group(0) if label else ""


def test_bell_counts_unread_and_page_lists_newest_first(app, factory, auth, client):
    me, other = factory.user("professional"), factory.user("professional")
    first = _notify(app, me.id, "actiepunt_toegewezen", "/actiepunten/1", "ZT-AB12-CD34")
    second = _notify(app, me.id, "nieuwe_match", "/casussen/ZT-QQQQ-RRRR", "ZT-QQQQ-RRRR")
    _notify(app, other.id, "overleg_geannuleerd", "/overleg/9")
    home = auth.login(me)
    assert _bell(home.text) == ("2", "2 ongelezen meldingen")
    assert 'class="bell" aria-hidden="true"' in home.text

    page = client.get("/meldingen")
    assert page.status_code == 200
    assert "U heeft 2 ongelezen meldingen." in page.text
    positions = [page.text.index(f'id="melding-{i}"') for i in (second, first)]
    assert positions == sorted(positions)  # newest first
    assert "Overleg geannuleerd" not in page.text  # someone else's
    assert "Nieuw actiepunt" in page.text and "Er is een actiepunt aan u toegewezen." in page.text
    assert '<span class="badge">Nieuw</span>' in page.text


def test_open_marks_read_and_follows_the_link(app, factory, auth, client):
    me = factory.user("professional")
    n_id = _notify(app, me.id, "actiepunt_toegewezen", "/actiepunten/1")
    auth.login(me)
    response = auth.post(f"/meldingen/{n_id}/openen", page="/meldingen")
    assert response.status_code == 302 and response.location == "/actiepunten/1"
    assert _bell(client.get("/meldingen").text) is None
    with app.app_context():
        assert db.session.get(Notification, n_id).read_at is not None


def test_mark_read_and_mark_all_read(app, factory, auth, client):
    me = factory.user("professional")
    ids = [_notify(app, me.id, "nieuwe_match", "/casussen") for _ in range(3)]
    auth.login(me)
    assert auth.post(f"/meldingen/{ids[0]}/gelezen", page="/meldingen").status_code == 302
    assert _bell(client.get("/meldingen").text)[0] == "2"
    assert auth.post("/meldingen/alles-gelezen", page="/meldingen").status_code == 302
    page = client.get("/meldingen")
    assert _bell(page.text) is None and "Alles als gelezen markeren" not in page.text


def test_someone_elses_notification_is_not_found(app, factory, auth, client):
    me, other = factory.user("professional"), factory.user("professional")
    theirs = _notify(app, other.id, "nieuwe_match", "/casussen")
    auth.login(me)
    token = csrf_token(client.get("/meldingen").text)
    for action in ("gelezen", "openen"):
        assert client.post(f"/meldingen/{theirs}/{action}", data={"csrf_token": token}).status_code == 404
    with app.app_context():
        assert db.session.get(Notification, theirs).read_at is None


def test_without_csrf_token_nothing_changes(app, factory, auth, client):
    me = factory.user("professional")
    n_id = _notify(app, me.id, "nieuwe_match", "/casussen")
    auth.login(me)
    client.post(f"/meldingen/{n_id}/gelezen", data={})
    with app.app_context():
        assert db.session.get(Notification, n_id).read_at is None


def test_page_cost_does_not_grow_with_notifications(app, factory, auth, client):
    me = factory.user("professional")
    auth.login(me)

    def statements() -> int:
        seen = []
        with app.app_context():
            engine = db.engine
        listener = lambda *args: seen.append(1)
        event.listen(engine, "before_cursor_execute", listener)
        try:
            assert client.get("/meldingen").status_code == 200
        finally:
            event.remove(engine, "before_cursor_execute", listener)
        return len(seen)

    _notify(app, me.id, "nieuwe_match", "/casussen")
    few = statements()
    for _ in range(12):
        _notify(app, me.id, "nieuwe_match", "/casussen")
    assert statements() == few


def test_failure_page_only_for_those_told(app, factory, auth, client, people):
    from zorgtafel.notify.models import Delivery
    from zorgtafel.notify.operations import give_up

    coordinator, professional = factory.user("zorgcoordinator"), factory.user("professional")
    with app.app_context():
        (n,) = notify(None, [people["direct"].id], "nieuwe_match", case_reference="ZT-AB12-CD34", link="/casussen")
        delivery = db.session.scalar(select(Delivery).where(Delivery.notification_id == n.id,
                                                            Delivery.channel == "email"))
        delivery.status, delivery.attempts, delivery.last_error = "failed", 8, "SMTP 451 bij verzenden"
        give_up([(delivery, n)])
        db.session.commit()
        delivery_id = delivery.id
    auth.login(coordinator)
    page = client.get("/meldingen")
    assert "E-mail niet bezorgd" in page.text
    detail = client.get(f"/meldingen/mislukt/{delivery_id}")
    assert detail.status_code == 200
    for expected in ("Fatima Jansen-de Vries", "Stichting Zonnebloem Jeugdzorg", "ZT-AB12-CD34", "SMTP 451"):
        assert expected in detail.text
    auth.logout()
    auth.login(professional)
    assert client.get(f"/meldingen/mislukt/{delivery_id}").status_code == 404


def test_notifications_read_in_english_while_e_mails_stay_dutch(app, factory, auth, client):
    from zorgtafel.notify.kinds import KINDS

    me = factory.user("professional")
    _notify(app, me.id, "actiepunt_toegewezen", "/actiepunten/1", "ZT-AB12-CD34")
    auth.login(me)
    auth.post("/taal", {"lang": "en", "next": "/meldingen"}, page="/")
    page = client.get("/meldingen").text
    assert "New action item" in page and "An action has been assigned to you." in page
    assert "Er is een actiepunt aan u toegewezen." not in page
    assert KINDS["actiepunt_toegewezen"].text == "Er is een actiepunt aan u toegewezen."  # what e-mails carry
