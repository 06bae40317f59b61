"""notify(): what it writes, what it refuses; sending one delivery in-process against the
real SMTP server: content-free e-mail, idempotent, attachments, backoff and giving up."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
import time_machine
from sqlalchemy import select, update

from tests.notify.conftest import REFERENCE, SEEDED
from zorgtafel.auth.models import User
from zorgtafel.extensions import db
from zorgtafel.notify import delivery_failed, operations
from zorgtafel.notify.kinds import UnknownKind, register_kind
from zorgtafel.notify.models import Delivery, Notification, OutboxMessage
from zorgtafel.notify.operations import NotifyError, notify

T0 = datetime(2025, 3, 4, 9, 0, tzinfo=timezone.utc)


def _deliveries(n: Notification) -> dict[str, Delivery]:
    return {d.channel: d for d in db.session.scalars(select(Delivery).where(Delivery.notification_id == n.id))}


def _outbox() -> list[OutboxMessage]:
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_notify_writes_notification_deliveries_and_outbox(ctx, people):
    direct, digest = people["direct"].id, people["digest"].id
    made = notify(None, [direct, digest, direct], "actiepunt_toegewezen", case_reference=REFERENCE,
                  link="/actiepunten/12")
    assert [n.recipient_id for n in made] == [direct, digest]  # deduplicated, in order
    first = _deliveries(made[0])
    assert first["in_app"].status == "sent"
    assert first["email"].status == "pending" and first["email"].next_attempt_at > first["email"].created_at
    assert _deliveries(made[1])["email"].status == "digest"  # waits for the daily digest
    assert [(o.task_name, o.kwargs) for o in _outbox()] == [
        ("zorgtafel.notify.send_delivery", {"delivery_id": first["email"].id})]


def test_inactive_recipients_get_nothing(ctx, people):
    db.session.execute(update(User).where(User.id == people["direct"].id).values(active=False))
    assert notify(None, [people["direct"].id], "nieuwe_match", link="/casussen") == []


@pytest.mark.parametrize("reference,link", [
    ("Fatima Jansen", "/casussen/1"),          # a name where a reference belongs
    ("ZT-ab12-cd34", "/casussen/1"),
    (REFERENCE, "https://elders.example/x"),   # not relative
    (REFERENCE, "//elders.example/x"),
    (REFERENCE, "/zoeken?q=Jansen"),            # a query string could carry anything
    (REFERENCE, "/casussen/1 Jansen"),
])
def test_notify_refuses_what_could_carry_content(ctx, people, reference, link):
    with pytest.raises(NotifyError):
        notify(None, [people["direct"].id], "nieuwe_match", case_reference=reference, link=link)


def test_unknown_kind_and_attachment_and_templated_texts_are_refused(ctx, people):
    with pytest.raises(UnknownKind):
        notify(None, [people["direct"].id], "vrije_tekst", link="/")
    with pytest.raises(NotifyError, match="attachment"):
        notify(None, [people["direct"].id], "nieuwe_match", link="/", attachment=("onbekend", 1))
    with pytest.raises(ValueError, match="placeholders"):
        register_kind("met_naam", "Casus {naam}", "Over {naam}")


def _send_all(now=None) -> list[str]:
    ids = [o.kwargs["delivery_id"] for o in _outbox() if o.task_name == operations.SEND_DELIVERY]
    return [operations.send_delivery(i, now=now) for i in ids]


def test_email_is_content_free_and_sent_once(smtp_app, ctx, people, smtp_server):
    start = len(smtp_server.messages)
    notify(None, [people["direct"].id], "actiepunt_toegewezen", case_reference=REFERENCE, link="/actiepunten/12")
    delivery_id = _outbox()[-1].kwargs["delivery_id"]
    assert operations.send_delivery(delivery_id) == "sent"
    assert operations.send_delivery(delivery_id) == "sent"  # the same task again: nothing more
    got = smtp_server.messages[start:]
    assert len(got) == 1
    msg = got[0].message
    assert msg["Subject"] == f"Zorgtafel: Nieuw actiepunt ({REFERENCE})"
    assert msg["To"] == people["direct"].email
    body = msg.get_content()
    assert "Er is een actiepunt aan u toegewezen." in body
    assert "http://zorgtafel.test/actiepunten/12" in body and REFERENCE in body
    text = got[0].text()
    assert not [s for s in SEEDED if s.lower() in text.lower()]
    assert db.session.get(Delivery, delivery_id).sent_at is not None


def test_attachment_is_built_at_send_time_and_never_waits_for_a_digest(smtp_app, ctx, people, smtp_server):
    start = len(smtp_server.messages)
    notify(None, [people["digest"].id], "uitnodiging_overleg", link="/overleg/7", attachment=("test-bijlage", 7))
    assert _send_all() == ["sent"]
    msg = smtp_server.messages[start].message
    (part,) = list(msg.iter_attachments())
    assert part.get_filename() == "bijlage-7.txt" and part.get_content() == "testbijlage 7"


def test_temporary_failure_backs_off_then_gives_up_visibly(smtp_app, ctx, people, smtp_server, monkeypatch):
    monkeypatch.setitem(smtp_server.recorder.refuse, people["direct"].email, "451 4.3.0 probeer later")
    failed = []
    receiver = lambda sender, delivery, notification: failed.append((delivery.id, notification.case_reference))
    delivery_failed.connect(receiver)
    try:
        with time_machine.travel(T0, tick=False) as clock:
            (n,) = notify(None, [people["direct"].id], "actiepunt_herinnering", case_reference=REFERENCE,
                          link="/actiepunten/3")
            delivery = _deliveries(n)["email"]
            waits = []
            for attempt in range(1, operations.MAX_ATTEMPTS + 1):
                assert operations.send_delivery(delivery.id) == ("failed" if attempt == operations.MAX_ATTEMPTS
                                                                 else "retry")
                if delivery.status == "failed":
                    break
                waits.append(delivery.next_attempt_at - datetime.now(timezone.utc))
                clock.shift(waits[-1] - timedelta(seconds=1))
                assert operations.sweep_deliveries() == 0  # not due yet
                clock.shift(timedelta(seconds=1))
                assert operations.sweep_deliveries() == 1  # due: published again
    finally:
        delivery_failed.disconnect(receiver)
    assert [w.total_seconds() / 60 for w in waits] == [2, 4, 8, 16, 32, 64, 128]
    assert delivery.attempts == operations.MAX_ATTEMPTS and "451" in delivery.last_error
    assert failed == [(delivery.id, REFERENCE)]
    notice = db.session.scalar(select(Notification).where(Notification.recipient_id == people["coordinator"].id))
    assert (notice.kind, notice.case_reference, notice.link) == ("bezorging_mislukt", REFERENCE,
                                                                f"/meldingen/mislukt/{delivery.id}")
    assert set(_deliveries(notice)) == {"in_app"}  # a notice about failed e-mail is not e-mailed


def test_permanent_refusal_fails_at_once(smtp_app, ctx, people, smtp_server, monkeypatch):
    monkeypatch.setitem(smtp_server.recorder.refuse, people["direct"].email, "550 5.1.1 onbekend adres")
    (n,) = notify(None, [people["direct"].id], "nieuwe_match", link="/casussen")
    assert _send_all() == ["failed"]
    assert _deliveries(n)["email"].attempts == 1


def test_mail_server_down_is_retried(app, ctx, people, monkeypatch):
    from zorgtafel.core.embedded import free_port
    from zorgtafel.notify import channels

    monkeypatch.setitem(app.config, "SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "SMTP_PORT", free_port())
    channels.drop_connection()
    (n,) = notify(None, [people["direct"].id], "nieuwe_match", link="/casussen")
    assert _send_all() == ["retry"]
    assert "verbinding" in _deliveries(n)["email"].last_error


def test_deactivated_before_sending_is_skipped(smtp_app, ctx, people, smtp_server):
    start = len(smtp_server.messages)
    notify(None, [people["direct"].id], "nieuwe_match", link="/casussen")
    db.session.execute(update(User).where(User.id == people["direct"].id).values(active=False))
    assert _send_all() == ["skipped"]
    assert len(smtp_server.messages) == start


def test_the_unavoidable_window_resends_with_the_same_message_id(smtp_app, ctx, people, smtp_server):
    """The one case SMTP cannot close: the server said 250, the worker died before its
    commit. The delivery is still pending and goes out again — with the same Message-ID."""
    start = len(smtp_server.messages)
    (n,) = notify(None, [people["direct"].id], "nieuwe_match", link="/casussen")
    delivery_id = _deliveries(n)["email"].id
    died = db.session.begin_nested()
    assert operations.send_delivery(delivery_id) == "sent"
    died.rollback()  # no commit of 'sent'
    assert operations.send_delivery(delivery_id) == "sent"
    first, second = smtp_server.messages[start:]
    assert first.message_id == second.message_id


@pytest.mark.committed
def test_a_delivery_being_sent_is_neither_sent_again_nor_swept(app, committed, people):
    from zorgtafel.core.models import utcnow

    with app.app_context():
        (n,) = notify(None, [people["direct"].id], "nieuwe_match", link="/casussen")
        db.session.commit()
        delivery_id = _deliveries(n)["email"].id
        with db.engine.connect() as other:  # another worker, mid-send, holding the row
            other.execute(select(Delivery.id).where(Delivery.id == delivery_id).with_for_update())
            assert operations.send_delivery(delivery_id) == "busy"
            assert operations.sweep_deliveries(now=utcnow() + operations.LEASE * 2) == 0
            db.session.rollback()
        assert operations.sweep_deliveries(now=utcnow() + operations.LEASE * 2) == 1  # released: due again
        db.session.rollback()


def test_an_english_reader_gets_english_e_mail_with_the_same_guarantees(smtp_app, ctx, people, smtp_server):
    from zorgtafel.auth.models import User

    db.session.get(User, people["direct"].id).language = "en"
    db.session.flush()
    start = len(smtp_server.messages)
    notify(None, [people["direct"].id], "actiepunt_toegewezen", case_reference=REFERENCE, link="/actiepunten/12")
    assert operations.send_delivery(_outbox()[-1].kwargs["delivery_id"]) == "sent"
    (got,) = smtp_server.messages[start:]
    msg = got.message
    assert msg["Subject"] == f"Zorgtafel: New action item ({REFERENCE})"
    assert msg["Content-Language"] == "en"
    body = msg.get_content()
    assert "Dear colleague," in body and "An action has been assigned to you." in body
    assert "http://zorgtafel.test/actiepunten/12" in body and "Beste" not in body
    assert not [s for s in SEEDED if s.lower() in got.text().lower()]
