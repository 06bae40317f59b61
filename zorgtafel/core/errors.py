"""The API's one error shape: ``{"error": {"code", "message", "fields"}}``."""

from __future__ import annotations

from flask import jsonify
from werkzeug.exceptions import HTTPException

CODES = {
    400: "malformed",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    422: "invalid",
    429: "throttled",
    500: "server_error",
}


class ApiError(HTTPException):
    """Raise from an API resource; ``fields`` maps field names to Dutch messages."""

    def __init__(self, code: int, message: str, fields: dict | None = None, error_code: str | None = None):
        super().__init__(description=message)
        self.code = code
        self.fields = fields or {}
        self.error_code = error_code or CODES.get(code, "error")


def api_error_response(exc):
    code = getattr(exc, "code", 500) or 500
    message = getattr(exc, "description", None) if code < 500 else "interne fout"
    body = {
        "error": {
            "code": getattr(exc, "error_code", None) or CODES.get(code, "error"),
            "message": message or CODES.get(code, "error"),
            "fields": getattr(exc, "fields", {}) or {},
        }
    }
    response = jsonify(body)
    response.status_code = code
    if code == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="zorgtafel"'
    return response
