"""Request plumbing shared by every page: request ids, security headers, error pages,
the language choice and the health check."""

from __future__ import annotations

import secrets

from dataclasses import dataclass
from typing import Callable

from flask import Flask, abort, g, jsonify, render_template, request, session
from flask_babel import format_date, format_datetime, get_locale
from flask_babel import gettext as _
from sqlalchemy import text
from werkzeug.routing import IntegerConverter

from zorgtafel.extensions import db

LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class NavEntry:
    label: Callable[[], str]
    endpoint: str
    roles: frozenset[str]
    order: int
    count: Callable | None = None  # (actor) -> int, one cheap query
    count_label: Callable[[int], str] | None = None


#: the main menu; domain packages register their entries (a lower floor cannot import them).
NAV: list[NavEntry] = []


def register_nav(label, endpoint: str, roles: set[str], order: int, count=None, count_label=None) -> None:
    if any(e.endpoint == endpoint for e in NAV):
        return
    NAV.append(NavEntry(label, endpoint, frozenset(roles), order, count, count_label))
    NAV.sort(key=lambda e: e.order)


def nav_items() -> list[dict]:
    from flask import url_for
    from flask_login import current_user

    items = []
    if not current_user.is_authenticated:
        return items
    roles = set(current_user.roles)
    for entry in NAV:
        if not entry.roles & roles:
            continue
        count = entry.count(current_user) if entry.count else 0
        items.append({
            "label": entry.label(),
            "url": url_for(entry.endpoint),
            "current": request.endpoint == entry.endpoint,
            "count": count,
            "count_label": entry.count_label(count) if entry.count_label and count else "",
        })
    return items


def N_(text: str) -> str:
    """Marks a string for extraction (babel.cfg); it is translated where it is shown."""
    return text


ERROR_TEXT = {
    400: (N_("Ongeldig verzoek"), N_("Het verzoek kon niet worden verwerkt. Controleer wat u invulde en probeer het opnieuw.")),
    403: (N_("Geen toegang"), N_("U heeft geen toegang tot deze pagina.")),
    404: (N_("Niet gevonden"), N_("Deze pagina bestaat niet, of u heeft er geen inzage in.")),
    405: (N_("Niet toegestaan"), N_("Deze handeling is hier niet mogelijk.")),
    429: (N_("Te veel pogingen"), N_("U heeft het te vaak geprobeerd. Wacht even en probeer het dan opnieuw.")),
    500: (N_("Er ging iets mis"), N_("Er ging aan onze kant iets mis. Probeer het later opnieuw; de fout is vastgelegd.")),
}


def select_locale() -> str:
    from flask_login import current_user

    # A choice made in this session (the language button) wins over the account's stored
    # preference, so the switch works for a signed-in user too.
    if session.get("lang") in LANGUAGES:
        return session["lang"]
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.language in LANGUAGES:
        return current_user.language
    return "nl"


class Int4Converter(IntegerConverter):
    """``<int:…>`` bounded to PostgreSQL's integer: a larger id is simply not found (404)
    instead of an out-of-range error in the database (500)."""

    def __init__(self, map, fixed_digits=0, min=None, max=2**31 - 1, signed=False):
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def init_web(app: Flask) -> None:
    app.url_map.converters["int"] = Int4Converter
    @app.before_request
    def _refuse_nul():
        # PostgreSQL text cannot hold NUL: refuse it here (400) instead of failing deep in
        # the database with a 500 whose message would carry the input.
        if any("\x00" in v for v in request.args.values()) or \
                any("\x00" in v for v in request.form.values()) or "\x00" in request.path:
            abort(400)

    @app.before_request
    def _request_id():
        g.request_id = request.headers.get("X-Request-Id", "")[:64] or secrets.token_hex(8)
        g.csp_nonce = secrets.token_urlsafe(16)

    @app.after_request
    def _security_headers(response):
        h = response.headers
        h["X-Content-Type-Options"] = "nosniff"
        h["X-Frame-Options"] = "DENY"
        h["Referrer-Policy"] = "no-referrer"
        h["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
        # No inline script anywhere: scripts come from our own static folder only.
        h["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
        if app.config["PREFERRED_URL_SCHEME"] == "https":
            h["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
        if request.endpoint != "static":
            # Case data must never sit in a browser or proxy cache (ASVS 14.3.2).
            h["Cache-Control"] = "no-store"
            h["Pragma"] = "no-cache"
        h["X-Request-Id"] = g.get("request_id", "")
        return response

    def _error(exc):
        code = getattr(exc, "code", 500) or 500
        if code >= 500:
            db.session.rollback()
        if request.path.startswith("/api/"):
            from zorgtafel.core.errors import api_error_response

            return api_error_response(exc)
        title, text_ = ERROR_TEXT.get(code, ERROR_TEXT[500])
        detail = getattr(exc, "description", None) if code == 403 else None
        return render_template("error.html", code=code, title=_(title), text=_(text_), detail=detail), code

    for code in ERROR_TEXT:
        app.register_error_handler(code, _error)

    app.jinja_env.globals["nav_items"] = nav_items
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["localdate"] = lambda d: format_date(d, "d MMMM yyyy") if d else ""
    app.jinja_env.filters["localdatetime"] = lambda d: format_datetime(d, "d MMM yyyy HH:mm") if d else ""

    @app.route("/health")
    def health():
        checks = {}
        try:
            db.session.execute(text("SELECT 1"))
            checks["database"] = "ok"
        except Exception:
            checks["database"] = "unavailable"
        finally:
            db.session.rollback()
        try:
            import redis

            from redis.backoff import NoBackoff
            from redis.retry import Retry

            # One quick attempt: a health check must answer fast, also when Redis is away.
            redis.Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=1, socket_timeout=1,
                                 retry=Retry(NoBackoff(), 0)).ping()
            checks["redis"] = "ok"
        except Exception:
            checks["redis"] = "unavailable"
        ok = all(v == "ok" for v in checks.values())
        return jsonify(status="ok" if ok else "degraded", checks=checks), 200 if ok else 503
