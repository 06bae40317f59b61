"""The channels: in-app (the notification row itself) and e-mail over SMTP.

E-mails are built from a kind's fixed texts, the case reference and a link under
``BASE_URL`` — never names or signal content (DESIGN rule 7) — in the recipient's
language (Dutch unless they chose English). Attachments (the meetings
package's ``.ics``) come from builders registered by name and are built at send time.
"""

from __future__ import annotations

import hashlib
from contextlib import contextmanager
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Callable
from urllib.parse import urlsplit

from flask import current_app, render_template
from flask_babel import force_locale, get_locale

from zorgtafel.core.models import utcnow
from zorgtafel.core.web import LANGUAGES

#: builder(id) -> (filename, mimetype, bytes)
AttachmentBuilder = Callable[[int], tuple[str, str, bytes]]
ATTACHMENTS: dict[str, AttachmentBuilder] = {}
SMTP_TIMEOUT = 30  # seconds; well inside the task's soft time limit


def register_attachment(name: str, builder: AttachmentBuilder) -> None:
    """Register an attachment builder, e.g. ``register_attachment("ics", invite_ics)``.
    The builder gets an id (never an object) so it can run in the worker at send time."""
    ATTACHMENTS[name] = builder


class SendError(Exception):
    """Sending failed. ``permanent``: the server refused for good (5xx) — retrying the
    same message cannot help, so the delivery fails at once, visibly."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class Line:
    """One notification as an e-mail shows it: only fixed texts, a reference, a link."""

    label: str
    text: str
    case_reference: str | None
    url: str


def absolute_url(link: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + link


def _domain() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "zorgtafel.local"


def message_id(kind: str, row_id: int, created_at) -> str:
    """A stable Message-ID per delivery (or digest): a resend after the unavoidable window
    (see ``send``) carries the same id, so receiving systems can recognise the duplicate."""
    # Derived from the row alone, so every worker computes the same id. The creation time
    # (as an instant, whatever the connection's time zone) tells apart rows that share an
    # id, e.g. after a database was rebuilt; the domain tells installations apart.
    seed = f"{kind}:{row_id}:{created_at.timestamp():.6f}"
    return f"<zt.{kind}.{row_id}.{hashlib.sha256(seed.encode()).hexdigest()[:16]}@{_domain()}>"


@contextmanager
def in_language(language: str | None):
    """Build an e-mail in the recipient's language (the worker has no request to ask)."""
    with force_locale(language if language in LANGUAGES else "nl"):
        yield


def build_email(*, to: str, subject: str, template: str, msg_id: str, attachment: tuple[str, int] | None = None,
                **context) -> EmailMessage:
    """Call inside ``in_language``: the template's sentences are translated there."""
    msg = EmailMessage()
    msg["From"] = current_app.config["SMTP_FROM"]
    msg["To"] = to  # the address only: even the professional's own name is left out
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = msg_id
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies to us
    msg.set_content(render_template(template, **context))
    # After set_content, which drops Content-* headers; an attachment moves it to the text part.
    msg["Content-Language"] = str(get_locale() or "nl")
    if attachment is not None:
        name, target_id = attachment
        filename, mimetype, data = ATTACHMENTS[name](target_id)
        # "text/calendar; method=REQUEST; charset=utf-8": the parameters matter to calendars
        kind, *raw = [p.strip() for p in mimetype.split(";")]
        maintype, _, subtype = kind.partition("/")
        params = dict(p.split("=", 1) for p in raw if "=" in p)
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=filename, params=params)
    return msg


_cached: dict = {}  # this process's open SMTP connection, keyed by its settings


def _settings_key() -> tuple:
    cfg = current_app.config
    return (cfg["SMTP_HOST"], cfg["SMTP_PORT"], cfg["SMTP_TLS"], cfg.get("SMTP_USER"))


def _connect() -> smtplib.SMTP:
    cfg = current_app.config
    # An explicit EHLO name: the default (socket.getfqdn) may wait on DNS for seconds.
    local = _domain()
    if cfg["SMTP_TLS"] == "ssl":
        smtp = smtplib.SMTP_SSL(cfg["SMTP_HOST"], cfg["SMTP_PORT"], local_hostname=local, timeout=SMTP_TIMEOUT,
                                context=ssl.create_default_context())
    else:
        smtp = smtplib.SMTP(cfg["SMTP_HOST"], cfg["SMTP_PORT"], local_hostname=local, timeout=SMTP_TIMEOUT)
        if cfg["SMTP_TLS"] == "starttls":
            smtp.starttls(context=ssl.create_default_context())
    if cfg.get("SMTP_USER"):
        smtp.login(cfg["SMTP_USER"], cfg.get("SMTP_PASSWORD") or "")
    return smtp


def _connection() -> smtplib.SMTP:
    """The process's connection, reused between messages (a worker child sends many);
    a NOOP tells whether the server has meanwhile closed it."""
    key = _settings_key()
    smtp = _cached.get(key)
    if smtp is not None:
        try:
            if smtp.noop()[0] == 250:
                return smtp
        except (OSError, smtplib.SMTPException):
            pass
        drop_connection()
    smtp = _connect()
    _cached[key] = smtp
    return smtp


def drop_connection() -> None:
    for smtp in _cached.values():
        try:
            smtp.close()
        except OSError:
            pass
    _cached.clear()


def send(msg: EmailMessage) -> None:
    """Hand one message to the SMTP server; returns as soon as the server answered 250.

    The caller records 'sent' and commits right after this returns (no QUIT in between:
    the connection stays open for the next message). SMTP has no two-phase commit, so
    one window cannot be closed: the server has accepted the message but the worker dies
    before that commit. The delivery then still reads 'pending' and is sent again, with
    the same Message-ID so the duplicate is recognisable. Everything before the 250
    (connect, MAIL, RCPT, DATA) is safe to repeat: a server never delivers an interrupted
    transfer. The window is the few microseconds between the 250 and the commit.
    """
    try:
        smtp = _connection()
    except (OSError, smtplib.SMTPException) as exc:
        # Connection trouble is temporary by nature; after the last attempt it is visible.
        raise SendError(f"geen verbinding met de mailserver: {type(exc).__name__}") from exc
    try:
        smtp.send_message(msg)
    except smtplib.SMTPRecipientsRefused as exc:
        code = next(iter(exc.recipients.values()))[0]
        raise SendError(f"ontvanger geweigerd (SMTP {code})", permanent=code >= 500) from exc
    except smtplib.SMTPResponseException as exc:
        drop_connection()
        raise SendError(f"SMTP {exc.smtp_code} bij verzenden", permanent=exc.smtp_code >= 500) from exc
    except (OSError, smtplib.SMTPException) as exc:
        drop_connection()
        raise SendError(f"verzenden onderbroken: {type(exc).__name__}") from exc
