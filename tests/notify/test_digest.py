"""The daily digest: nothing before 07:00 Amsterdam time, one e-mail per user per day with
every waiting notification (content-free), later ones wait for the next day."""

from __future__ import annotations

from datetime import datetime, timezone

import time_machine
from sqlalchemy import func, select

from tests.notify.conftest import REFERENCE, SEEDED
from zorgtafel.extensions import db
from zorgtafel.notify import digests
from zorgtafel.notify.models import Delivery, Digest, OutboxMessage
from zorgtafel.notify.operations import notify


def utc(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2025, 3, day, hour, minute, tzinfo=timezone.utc)  # March: Amsterdam is UTC+1


def _queued_digests() -> list[int]:
    rows = db.session.scalars(select(OutboxMessage).where(OutboxMessage.task_name == "zorgtafel.notify.send_digest",
                                                          OutboxMessage.published_at.is_(None)))
    ids = [r.kwargs["digest_id"] for r in rows]
    for row in db.session.scalars(select(OutboxMessage)):
        row.published_at = row.published_at or datetime.now(timezone.utc)  # as the relay would
    return ids


def test_one_digest_per_user_per_day(smtp_app, ctx, people, smtp_server):
    user = people["digest"]
    start = len(smtp_server.messages)
    with time_machine.travel(utc(4, 5, 0), tick=False) as clock:
        notify(None, [user.id], "actiepunt_toegewezen", case_reference=REFERENCE, link="/actiepunten/1")
        notify(None, [user.id], "uitnodiging_overleg", link="/overleg/2")
        notify(None, [user.id], "nieuwe_match", case_reference="ZT-WXYZ-2345", link="/casussen/ZT-WXYZ-2345")
        clock.move_to(utc(4, 5, 30))  # 06:30 in Amsterdam: too early
        assert digests.sweep_digests() == 0

        clock.move_to(utc(4, 6, 5))  # 07:05
        assert digests.sweep_digests() == 1
        (digest_id,) = _queued_digests()
        assert digests.send_digest(digest_id) == "sent"
        assert digests.send_digest(digest_id) == "sent"  # a redelivered task sends nothing

        got = smtp_server.messages[start:]
        assert len(got) == 1
        msg = got[0].message
        assert msg["Subject"] == "Zorgtafel: dagoverzicht van 04-03-2025 (3 meldingen)"
        body = msg.get_content()
        for expected in ("Nieuw actiepunt (ZT-AB12-CD34)", "Uitnodiging voor overleg", "Nieuwe match (ZT-WXYZ-2345)",
                         "http://zorgtafel.test/actiepunten/1", "http://zorgtafel.test/overleg/2"):
            assert expected in body
        assert not [s for s in SEEDED if s.lower() in got[0].text().lower()]
        assert db.session.scalar(select(func.count()).select_from(Delivery)
                                 .where(Delivery.digest_id == digest_id, Delivery.status == "sent")) == 3

        clock.move_to(utc(4, 10))  # later that day: a new notification waits for tomorrow
        notify(None, [user.id], "actiepunt_herinnering", link="/actiepunten/1")
        assert digests.sweep_digests() == 0
        clock.move_to(utc(5, 5, 59))  # 06:59 the next day
        assert digests.sweep_digests() == 0
        clock.move_to(utc(5, 6, 0))  # 07:00
        assert digests.sweep_digests() == 1
        (second,) = _queued_digests()
        assert digests.send_digest(second) == "sent"
    assert len(smtp_server.messages) == start + 2
    assert "(1 melding)" in smtp_server.messages[-1].message["Subject"]
    days = db.session.scalars(select(Digest.day).where(Digest.user_id == user.id).order_by(Digest.day)).all()
    assert [d.isoformat() for d in days] == ["2025-03-04", "2025-03-05"]


def test_failed_digest_is_retried_by_the_sweep(smtp_app, ctx, people, smtp_server, monkeypatch):
    user = people["digest"]
    monkeypatch.setitem(smtp_server.recorder.refuse, user.email, "421 4.7.0 even niet")
    with time_machine.travel(utc(6, 7), tick=False) as clock:
        notify(None, [user.id], "nieuwe_match", link="/casussen")
        assert digests.sweep_digests() == 1
        (digest_id,) = _queued_digests()
        assert digests.send_digest(digest_id) == "retry"
        assert digests.sweep_digests() == 0
        smtp_server.recorder.refuse.pop(user.email)
        clock.shift(120)
        assert digests.sweep_digests() == 1  # the retry is due; no second digest for the day
        assert _queued_digests() == [digest_id]
        assert digests.send_digest(digest_id) == "sent"
    assert db.session.get(Digest, digest_id).attempts == 1


def test_the_digest_in_the_readers_language(smtp_app, ctx, people, smtp_server):
    from zorgtafel.auth.models import User

    user = people["digest"]
    db.session.get(User, user.id).language = "en"
    start = len(smtp_server.messages)
    with time_machine.travel(utc(4, 5, 0), tick=False) as clock:
        notify(None, [user.id], "nieuwe_match", case_reference="ZT-WXYZ-2345", link="/casussen/ZT-WXYZ-2345")
        clock.move_to(utc(4, 6, 5))
        assert digests.sweep_digests() == 1
        (digest_id,) = _queued_digests()
        assert digests.send_digest(digest_id) == "sent"
    (got,) = smtp_server.messages[start:]
    assert got.message["Subject"] == "Zorgtafel: daily overview of 04-03-2025 (1 notification)"
    body = got.message.get_content()
    assert "This is your daily overview of 1 notification in Zorgtafel." in body
    assert "New match (ZT-WXYZ-2345)" in body
