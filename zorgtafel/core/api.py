"""The JSON API's request guard and helpers (DESIGN rule 1, CONTRACT "JSON API v1").

``ApiResource`` is the API twin of ``ProtectedView``: bearer token → load → decide → act →
commit once, errors in the one shape of ``core.errors``. It lives in ``core`` (not in
``zorgtafel.api``) because every domain's ``api.py`` subclasses it and may only import
downwards. The token check itself belongs to ``auth``, which core cannot import: auth
registers it with ``register_token_authenticator``.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import date, datetime, time, timezone
from decimal import Decimal
from enum import Enum
from typing import Any, Callable, ClassVar, NoReturn, TypeVar
from uuid import UUID

from flask import current_app, make_response, request
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from sqlalchemy import true, tuple_

from zorgtafel.core.errors import ApiError
from zorgtafel.core.guard import GuardedBase

TOKEN_AUTH_KEY = "zorgtafel.token_auth"
DEFAULT_LIMIT = 50
MAX_LIMIT = 200
HANDLERS = ("get", "post", "put", "patch", "delete")
#: what a resource may say about itself for the OpenAPI document (per class or per method)
DOC_FIELDS = ("summary", "description", "tags", "request_model", "query_model", "response_status",
              "response_description", "response_model", "response_example", "media_type", "errors", "paged")
M = TypeVar("M", bound=BaseModel)


# -- the token ------------------------------------------------------------------------


def register_token_authenticator(app, authenticate: Callable[[str], Any]) -> None:
    """``authenticate(token)`` returns the actor of a live token of an active user, or None."""
    app.extensions[TOKEN_AUTH_KEY] = authenticate


def bearer_token() -> str | None:
    """The token of ``Authorization: Bearer <token>``; cookies never count."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    return token if scheme.lower() == "bearer" and token else None


def token_rate_key() -> str:
    """Flask-Limiter key: the token's hash (never the token itself, it would sit in Redis),
    or the client address for requests without one."""
    token = bearer_token()
    if token:
        return "api-token:" + hashlib.sha256(token.encode()).hexdigest()
    return "api-ip:" + (request.remote_addr or "-")


def api_rate_limit() -> str:
    return current_app.config.get("API_RATE_LIMIT", "600 per minute")


# -- errors -----------------------------------------------------------------------------


def not_found(message: str = "Niet gevonden, of u heeft er geen inzage in.") -> NoReturn:
    """Unknown and invisible get the same answer, so a 404 leaks nothing."""
    raise ApiError(404, message)


def conflict(message: str) -> NoReturn:
    raise ApiError(409, message)


def malformed(message: str) -> NoReturn:
    raise ApiError(400, message)


# -- input --------------------------------------------------------------------------------


class ApiModel(BaseModel):
    """Base for request bodies: a misspelt field is an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value):
        # PostgreSQL text cannot hold NUL; a 422 here beats a 500 deep in the database.
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("bevat een ongeldig teken (NUL)")
        return value


def json_body() -> dict:
    if not request.is_json:
        malformed("Stuur een JSON-object met Content-Type: application/json.")
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        malformed("De body is geen geldig JSON-object.")
    return data


def validate(model: type[M], data: Any) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ApiError(422, "Een of meer velden zijn ongeldig.", fields=field_errors(exc)) from None


def query_args(model: type[M], exclude: tuple[str, ...] = ()) -> M:
    """The query string validated by ``model``; a repeated parameter arrives as a list.
    ``exclude`` leaves out parameters read elsewhere (``limit`` and ``cursor`` of a page)."""
    data = {k: (v[0] if len(v) == 1 else v) for k, v in request.args.lists() if k not in exclude}
    return validate(model, data)


def field_errors(exc: ValidationError) -> dict[str, str]:
    """Each failing field path (``subject.bsn``, ``participants[2]``) → a Dutch message;
    the first problem per field, as a form would show it."""
    fields: dict[str, str] = {}
    for error in exc.errors():
        # pydantic adds union member names ("literal['a']", "function-after[...]"): drop them
        path = [p for p in error["loc"] if isinstance(p, int) or ("[" not in p and "-" not in p)]
        name = ""
        for part in path:
            name += f"[{part}]" if isinstance(part, int) else (f".{part}" if name else str(part))
        fields.setdefault(name or "(verzoek)", dutch(error))
    return fields


def dutch(error: dict) -> str:
    """A Dutch message for one pydantic error. Never echoes the input: it may be personal data."""
    kind, ctx = error["type"], error.get("ctx") or {}
    simple = {
        "missing": "ontbreekt",
        "extra_forbidden": "onbekend veld (tikfout?)",
        "int_parsing": "verwacht een geheel getal", "int_type": "verwacht een geheel getal",
        "int_from_float": "verwacht een geheel getal",
        "float_parsing": "verwacht een getal", "float_type": "verwacht een getal",
        "bool_parsing": "verwacht true of false", "bool_type": "verwacht true of false",
        "string_type": "verwacht tekst",
        "date_parsing": "verwacht een datum JJJJ-MM-DD", "date_type": "verwacht een datum JJJJ-MM-DD",
        "date_from_datetime_parsing": "verwacht een datum JJJJ-MM-DD",
        "date_from_datetime_inexact": "verwacht een datum JJJJ-MM-DD",
        "datetime_parsing": "verwacht datum en tijd volgens ISO 8601",
        "datetime_type": "verwacht datum en tijd volgens ISO 8601",
        "datetime_from_date_parsing": "verwacht datum en tijd volgens ISO 8601",
        "timezone_aware": "geef een tijdzone mee (bijvoorbeeld +01:00)",
        "uuid_parsing": "verwacht een UUID", "uuid_type": "verwacht een UUID",
        "dict_type": "verwacht een object", "model_type": "verwacht een object",
        "model_attributes_type": "verwacht een object",
        "list_type": "verwacht een lijst", "string_pattern_mismatch": "heeft niet de verwachte vorm",
        "value_error": str(ctx.get("error", "ongeldige waarde")),
        "assertion_error": str(ctx.get("error", "ongeldige waarde")),
    }
    if kind in simple:
        return simple[kind]
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", " of ")
        return f"onbekende waarde; toegestaan: {expected}"
    if kind == "too_short":
        n = ctx.get("min_length", 1)
        return "mag niet leeg zijn" if n <= 1 else f"te kort: minstens {n}"
    if kind == "too_long":
        return f"te lang: hoogstens {ctx.get('max_length')}"
    if kind == "string_too_short":
        n = ctx.get("min_length", 1)
        return "mag niet leeg zijn" if n <= 1 else f"te kort: minstens {n} tekens"
    if kind == "string_too_long":
        return f"te lang: hoogstens {ctx.get('max_length')} tekens"
    bounds = {"greater_than_equal": ("ge", "moet minstens {} zijn"), "greater_than": ("gt", "moet groter zijn dan {}"),
              "less_than_equal": ("le", "mag hoogstens {} zijn"), "less_than": ("lt", "moet kleiner zijn dan {}")}
    if kind in bounds:
        key, text = bounds[kind]
        return text.format(ctx.get(key))
    return "ongeldige waarde"


# -- cursors and pages ----------------------------------------------------------------------


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _cursor_mac(payload: bytes, scope: str) -> bytes:
    # A key of its own derived from SECRET_KEY: a cursor MAC can never double as a session
    # signature, and a cursor of one list (scope) is refused by another.
    key = hmac.new(current_app.config["SECRET_KEY"].encode(), b"zorgtafel api cursor", hashlib.sha256).digest()
    return hmac.new(key, scope.encode() + b"\0" + payload, hashlib.sha256).digest()[:16]


def _tag(value):
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"a cursor holds ints, strings, dates and datetimes, not {type(value).__name__}")


def _untag(value):
    if isinstance(value, dict):
        return datetime.fromisoformat(value["dt"]) if "dt" in value else date.fromisoformat(value["d"])
    return value


def encode_cursor(values: tuple, scope: str = "") -> str:
    """Opaque to the client: base64url JSON of the keyset values plus a MAC it cannot forge."""
    payload = json.dumps([_tag(v) for v in values], separators=(",", ":")).encode()
    return f"{_b64(payload)}.{_b64(_cursor_mac(payload, scope))}"


def decode_cursor(cursor: str, scope: str = "") -> tuple:
    """The values of a cursor made by ``encode_cursor``; anything else is 400."""
    try:
        body, _, mac = cursor.partition(".")
        payload = _unb64(body)
        if not hmac.compare_digest(_unb64(mac), _cursor_mac(payload, scope)):
            raise ValueError("bad mac")
        values = json.loads(payload)
        return tuple(_untag(v) for v in values)
    except (ValueError, TypeError, KeyError, AttributeError):
        raise ApiError(400, "Deze cursor is ongeldig; vraag de lijst opnieuw op zonder cursor.") from None


def page_limit() -> int:
    raw = request.args.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise ApiError(422, "Een of meer velden zijn ongeldig.",
                       fields={"limit": f"verwacht een geheel getal van 1 tot en met {MAX_LIMIT}"})
    return int(raw)


def request_cursor(scope: str | None = None) -> tuple | None:
    raw = request.args.get("cursor")
    return decode_cursor(raw, request.endpoint if scope is None else scope) if raw else None


def keyset_after(columns: tuple, cursor: tuple | None, descending: bool = False):
    """SQL: rows after the cursor in ``ORDER BY columns`` (all ascending or all descending).
    A row comparison, so a composite index on the columns serves it."""
    if cursor is None:
        return true()
    if len(cursor) != len(columns):
        raise ApiError(400, "Deze cursor hoort niet bij deze lijst.")
    row, values = tuple_(*columns), tuple_(*cursor)
    return row < values if descending else row > values


def page(items: list, limit: int, key_fn: Callable[[Any], tuple], render: Callable[[Any], Any] | None = None,
         scope: str | None = None) -> dict:
    """``items`` is the query result fetched with ``LIMIT limit + 1``: an extra row means
    there is a next page, whose cursor is the key of the last row shown."""
    shown = items[:limit]
    next_cursor = None
    if len(items) > limit and shown:
        next_cursor = encode_cursor(tuple(key_fn(shown[-1])), request.endpoint if scope is None else scope)
    return {"items": [render(i) for i in shown] if render else shown, "next": next_cursor}


# -- output -------------------------------------------------------------------------------


def _json_default(value):
    if isinstance(value, datetime):
        # The database is UTC; a naive value is UTC too. ISO 8601 with offset (CONTRACT).
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, (UUID, Decimal)):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def to_response(rv):
    """A handler returns a dict, list or pydantic model (optionally with status and
    headers), None for 204, or a finished Response (e.g. an .ics file)."""
    rest: tuple = ()
    if isinstance(rv, tuple):
        rv, *rest = rv
    if rv is None:
        return make_response("", *(rest or (204,)))
    if isinstance(rv, (dict, list, BaseModel)):
        body = json.dumps(rv, default=_json_default, ensure_ascii=False)
        response = make_response(body, *rest)
        response.mimetype = "application/json"
        return response
    return make_response(rv, *rest)


# -- the resource ---------------------------------------------------------------------------


class ApiResource(GuardedBase):
    """One JSON resource. Subclass, set ``action`` (or a method → action mapping), define
    ``load`` (return the target, call ``not_found()``) and ``get``/``post``/... taking
    ``(target, **url_args)``. ``methods`` follows from the handlers defined.

    The class attributes below feed the OpenAPI document; ``operations`` overrides them
    per method, e.g. ``operations = {"POST": {"request_model": SignalIn, "response_status": 201}}``.
    """

    summary: ClassVar[str] = ""
    description: ClassVar[str] = ""
    tags: ClassVar[tuple[str, ...]] = ()
    request_model: ClassVar[type[BaseModel] | None] = None
    query_model: ClassVar[type[BaseModel] | None] = None
    response_status: ClassVar[int] = 200
    response_description: ClassVar[str] = "OK"
    response_model: ClassVar[type[BaseModel] | None] = None
    response_example: ClassVar[Any] = None
    media_type: ClassVar[str] = "application/json"
    #: error statuses beyond those every resource can give (401, 403, 429) and those implied
    #: by request_model / query_model / paged (400, 422): typically 404 and 409
    errors: ClassVar[tuple[int, ...]] = ()
    #: a list with ``limit`` and ``cursor`` parameters and the ``{"items", "next"}`` envelope
    paged: ClassVar[bool] = False
    operations: ClassVar[dict[str, dict]] = {}

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "methods" not in cls.__dict__:
            cls.methods = [m.upper() for m in HANDLERS if callable(getattr(cls, m, None))] or ["GET"]
        for method, overrides in cls.operations.items():
            unknown = set(overrides) - set(DOC_FIELDS)
            if unknown:  # a typo here would silently drop documentation
                raise TypeError(f"{cls.__name__}.operations[{method!r}]: unknown keys {sorted(unknown)}")

    # -- the guard's hooks
    def current_actor(self):
        token = bearer_token()
        authenticate = current_app.extensions.get(TOKEN_AUTH_KEY)
        if token is None or authenticate is None:
            return None
        return authenticate(token)

    def unauthenticated(self):
        if bearer_token() is None:
            raise ApiError(401, "Stuur een API-token mee: Authorization: Bearer <token>.")
        raise ApiError(401, "Dit API-token is ongeldig, verlopen of ingetrokken.")

    def denied(self, decision):
        # The decision's reason names the rule that is missing, never the data behind it.
        raise ApiError(403, decision.reason or "Het convenant staat dit niet toe.")

    def action_for(self, method: str) -> str:
        # HEAD is a GET without body: it needs GET's action, also where ``action`` is a mapping.
        return super().action_for("GET" if method == "HEAD" else method)

    def dispatch_request(self, **kwargs):
        return to_response(super().dispatch_request(**kwargs))

    # -- conveniences for handlers
    @classmethod
    def doc(cls, method: str) -> dict:
        merged = {name: getattr(cls, name) for name in DOC_FIELDS}
        merged.update(cls.operations.get(method.upper(), {}))
        return merged

    @classmethod
    def error_codes(cls, method: str) -> list[int]:
        doc = cls.doc(method)
        codes = {401, 403, 429, *doc["errors"]}
        if doc["request_model"] is not None:
            codes |= {400, 422}
        if doc["query_model"] is not None:
            codes.add(422)
        if doc["paged"]:
            codes |= {400, 422}
        return sorted(codes)

    def payload(self):
        """The JSON body validated by this method's ``request_model``."""
        model = self.doc(request.method)["request_model"]
        if model is None:
            raise RuntimeError(f"{type(self).__name__} has no request_model for {request.method}")
        return validate(model, json_body())

    def query(self):
        doc = self.doc(request.method)
        if doc["query_model"] is None:
            raise RuntimeError(f"{type(self).__name__} has no query_model for {request.method}")
        return query_args(doc["query_model"], exclude=("limit", "cursor") if doc["paged"] else ())

    def paging(self) -> tuple[int, tuple | None]:
        """``(limit, cursor values or None)`` of this request."""
        return page_limit(), request_cursor()
