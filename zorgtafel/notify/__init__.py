"""Notifications: in-app and e-mail, per-user digests, and the transactional outbox that
publishes Celery messages only after the transaction that wrote them has committed.

Other packages use, from their operations (same transaction, flush only):

- ``zorgtafel.notify.operations.notify(actor, [user ids], kind, case_reference=…, link=…)``
- ``zorgtafel.notify.outbox.enqueue(task_name, **ids)`` for any Celery message
- ``zorgtafel.notify.kinds.register_kind`` and ``zorgtafel.notify.channels.register_attachment``
  from their ``init_app``
- the ``delivery_failed`` signal below, to react when an e-mail is given up on
"""

from blinker import Namespace
from flask import Flask

_signals = Namespace()

#: sent once per delivery that is given up on: (sender=app, delivery, notification).
#: Sent inside the sending transaction: receivers flush, they do not commit.
delivery_failed = _signals.signal("notify-delivery-failed")

_BELL = ('<svg class="bell" aria-hidden="true" focusable="false" width="16" height="16" viewBox="0 0 24 24">'
         '<path fill="currentColor" d="M12 22a2.5 2.5 0 0 0 2.5-2.5h-5A2.5 2.5 0 0 0 12 22zm7-6V11a7 7 0 0 0-5.5'
         '-6.84V3.5a1.5 1.5 0 0 0-3 0v.66A7 7 0 0 0 5 11v5l-2 2v1h18v-1z"/></svg> ')


def _label():
    from flask_babel import gettext
    from markupsafe import Markup, escape

    return Markup(_BELL) + escape(gettext("Meldingen"))


def _count_label(count: int) -> str:
    from flask_babel import ngettext

    return ngettext("%(num)d ongelezen melding", "%(num)d ongelezen meldingen", count)


def init_app(app: Flask) -> None:
    from zorgtafel.auth.models import ROLES
    from zorgtafel.core.web import register_nav
    from zorgtafel.notify import tasks  # noqa: F401  (registers the Celery tasks)
    from zorgtafel.notify.queries import unread_count
    from zorgtafel.notify.views import bp

    app.register_blueprint(bp)
    register_nav(_label, "notify.index", set(ROLES), order=90, count=unread_count, count_label=_count_label)
