"""The in-app channel: the notifications page, mark read, and the page a coordinator's
"e-mail not delivered" notice points to. Everything is the actor's own (action
'personal'); other people's notifications answer 404, like anything invisible."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from zorgtafel.core.guard import ProtectedView
from zorgtafel.core.signals import access_logged
from zorgtafel.extensions import db
from zorgtafel.notify import operations, queries
from zorgtafel.notify.kinds import DELIVERY_FAILED, KINDS
from zorgtafel.notify.models import Notification

bp = Blueprint("notify", __name__, template_folder="templates")


class ConfirmForm(FlaskForm):
    """A button that changes state: nothing but the CSRF token."""


class IndexView(ProtectedView):
    action = "personal"

    def get(self, target):
        before = request.args.get("voor", type=int)
        items, next_before = queries.notifications_page(g.actor, before=before)
        access_logged.send(current_app._get_current_object(), actor=g.actor, action="read",
                           object_type="notification_list")
        return render_template("notify/index.html", items=items, kinds=KINDS, next_before=next_before,
                               unread=queries.unread_count(g.actor), paged=before is not None)


class OwnNotificationView(ProtectedView):
    action = "personal"
    methods = ["POST"]

    def load(self, notification_id: int):
        notification = queries.own_notification(g.actor, notification_id)
        if notification is None:
            abort(404)
        return notification


class MarkReadView(OwnNotificationView):
    def post(self, notification, notification_id: int):
        if ConfirmForm().validate_on_submit():
            operations.mark_read(g.actor, notification)
            flash(_("Melding gemarkeerd als gelezen."), "success")
        return redirect(url_for("notify.index"))


class OpenView(OwnNotificationView):
    """Open a notification: mark it read and go where it points (a relative path, checked
    when the notification was made, so this redirect never leaves the site)."""

    def post(self, notification, notification_id: int):
        if not ConfirmForm().validate_on_submit():
            return redirect(url_for("notify.index"))
        operations.mark_read(g.actor, notification)
        return redirect(notification.link)


class MarkAllReadView(ProtectedView):
    action = "personal"
    methods = ["POST"]

    def post(self, target):
        if ConfirmForm().validate_on_submit():
            count = operations.mark_all_read(g.actor)
            if count:
                flash(_("Alle meldingen zijn gemarkeerd als gelezen."), "success")
        return redirect(url_for("notify.index"))


class FailureView(ProtectedView):
    """Details of an e-mail that could not be delivered, for those who were told about
    it: the page is only there for a user holding a notice that points here."""

    action = "personal"

    def load(self, delivery_id: int):
        link = f"/meldingen/mislukt/{delivery_id}"
        told = db.session.scalar(select(Notification.id).where(Notification.recipient_id == g.actor.id,
                                                               Notification.kind == DELIVERY_FAILED.key,
                                                               Notification.link == link).limit(1))
        details = queries.failure_details(delivery_id) if told else None
        if details is None:
            abort(404)
        return details

    def get(self, details, delivery_id: int):
        return render_template("notify/failure.html", kinds=KINDS, **details)


bp.add_url_rule("/meldingen", view_func=IndexView.as_view("index"))
bp.add_url_rule("/meldingen/alles-gelezen", view_func=MarkAllReadView.as_view("mark_all_read"))
bp.add_url_rule("/meldingen/<int:notification_id>/gelezen", view_func=MarkReadView.as_view("mark_read"))
bp.add_url_rule("/meldingen/<int:notification_id>/openen", view_func=OpenView.as_view("open"))
bp.add_url_rule("/meldingen/mislukt/<int:delivery_id>", view_func=FailureView.as_view("failure"))
