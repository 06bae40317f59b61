"""``/api/v1/notifications``: only one's own, newest first, paged; marking read."""

from __future__ import annotations

import pytest

from zorgtafel.extensions import db
from zorgtafel.notify.operations import notify

API = "/api/v1"


@pytest.fixture
def token_for(app):
    from zorgtafel.auth.models import User
    from zorgtafel.auth.operations import create_token

    def make(account) -> str:
        with app.app_context():
            token = create_token(None, db.session.get(User, account.id))
            db.session.commit()
            return token

    return make


def _bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def _notify(app, user_id: int, n: int) -> list[int]:
    with app.app_context():
        ids = [notify(None, [user_id], "nieuwe_match", case_reference="ZT-AB12-CD34", link=f"/casussen/{i}")[0].id
               for i in range(n)]
        db.session.commit()
        return ids


def test_list_newest_first_paged_and_only_ones_own(app, client, factory, token_for):
    me, other = factory.user("professional"), factory.user("professional")
    mine = _notify(app, me.id, 3)
    _notify(app, other.id, 1)
    headers = _bearer(token_for(me))
    first = client.get(f"{API}/notifications?limit=2", headers=headers)
    assert first.status_code == 200, first.text
    body = first.get_json()
    assert [i["id"] for i in body["items"]] == [mine[2], mine[1]]
    item = body["items"][0]
    assert item["kind"] == "nieuwe_match" and item["label"] == "Nieuwe match" and item["case"] == "ZT-AB12-CD34"
    assert item["url"] == "http://zorgtafel.test/casussen/2" and item["read_at"] is None
    rest = client.get(f"{API}/notifications?limit=2&cursor={body['next']}", headers=headers).get_json()
    assert [i["id"] for i in rest["items"]] == [mine[0]] and rest["next"] is None


def test_mark_read_and_filter_unread(app, client, factory, token_for):
    me, other = factory.user("professional"), factory.user("professional")
    first, second = _notify(app, me.id, 2)
    (theirs,) = _notify(app, other.id, 1)
    headers = _bearer(token_for(me))
    response = client.post(f"{API}/notifications/{first}/read", headers=headers)
    assert response.status_code == 200 and response.get_json()["read_at"]
    unread = client.get(f"{API}/notifications?unread=true", headers=headers).get_json()
    assert [i["id"] for i in unread["items"]] == [second]
    assert client.post(f"{API}/notifications/{theirs}/read", headers=headers).status_code == 404
    assert client.get(f"{API}/notifications").status_code == 401
