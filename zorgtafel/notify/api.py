"""``/api/v1/notifications``: the caller's own notifications, newest first, and marking one
read (CONTRACT). Like the page, everything here is personal; another's is 404."""

from __future__ import annotations

from flask import current_app, g
from sqlalchemy import select

from zorgtafel.core.signals import access_logged
from zorgtafel.core.api import ApiModel, ApiResource, keyset_after, not_found, page
from zorgtafel.extensions import db
from zorgtafel.notify import channels, operations, queries
from zorgtafel.notify.kinds import KINDS
from zorgtafel.notify.models import Notification


def notification_json(n: Notification) -> dict:
    kind = KINDS.get(n.kind)
    return {"id": n.id, "kind": n.kind, "label": kind.label if kind else n.kind, "case": n.case_reference,
            "link": n.link, "url": channels.absolute_url(n.link), "created_at": n.created_at, "read_at": n.read_at}


class NotificationQuery(ApiModel):
    unread: bool | None = None


class Notifications(ApiResource):
    action = "personal"
    summary = "The caller's notifications, newest first"
    tags = ("notifications",)
    query_model = NotificationQuery
    paged = True

    def get(self, target):
        q = self.query()
        limit, cursor = self.paging()
        stmt = select(Notification).where(Notification.recipient_id == g.actor.id,
                                          keyset_after((Notification.id,), cursor, descending=True))
        if q.unread is not None:
            stmt = stmt.where(Notification.read_at.is_(None) if q.unread else Notification.read_at.is_not(None))
        rows = list(db.session.scalars(stmt.order_by(Notification.id.desc()).limit(limit + 1)))
        access_logged.send(current_app._get_current_object(), actor=g.actor, action="read",
                           object_type="notification_list")
        return page(rows, limit, key_fn=lambda n: (n.id,), render=notification_json)


class NotificationRead(ApiResource):
    action = "personal"
    summary = "Mark one of the caller's notifications read"
    tags = ("notifications",)
    errors = (404,)
    methods = ["POST"]

    def load(self, notification_id: int):
        notification = queries.own_notification(g.actor, notification_id)
        if notification is None:
            not_found()
        return notification

    def post(self, notification, notification_id: int):
        operations.mark_read(g.actor, notification)
        return notification_json(notification)


RESOURCES = [
    ("/notifications", Notifications, "notifications"),
    ("/notifications/<int:notification_id>/read", NotificationRead, "notification_read"),
]
