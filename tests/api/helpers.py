"""Helpers of the API tests."""

from __future__ import annotations

from sqlalchemy import select

from zorgtafel.extensions import db

API = "/api/v1"


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def assert_error(response, status: int, code: str) -> dict:
    """Every API error: exactly ``{"error": {"code", "message", "fields"}}``, JSON, no-store."""
    assert response.status_code == status, response.text
    assert response.mimetype == "application/json"
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "fields"}
    assert error["code"] == code
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    assert all(isinstance(k, str) and isinstance(v, str) for k, v in error["fields"].items())
    return error


def organisation_ids(app, prefix: str) -> list[int]:
    from zorgtafel.auth.models import Organisation

    with app.app_context():
        return list(db.session.scalars(select(Organisation.id).where(Organisation.key.startswith(prefix))
                                       .order_by(Organisation.id)))
