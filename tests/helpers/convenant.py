"""The reference convenant in tests. A verbatim copy lives in tests/data so that a clone
without ../shared still tests against it; a test checks the copy is unchanged."""

from __future__ import annotations

from pathlib import Path

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "convenant-voorbeeld.yaml"
SHARED_REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "examples" / "convenant-voorbeeld.yaml"


def reference_text() -> str:
    return REFERENCE.read_text(encoding="utf-8")


def load_reference(app, text: str | None = None):
    """Load the reference convenant; returns its key and {organisation key: id}."""
    from zorgtafel.convenant.loader import load_text
    from zorgtafel.extensions import db

    with app.app_context():
        convenant = load_text(text or reference_text(), "convenant-voorbeeld.yaml")
        db.session.commit()
        orgs = {p.organisation.key: p.organisation_id for p in convenant.parties}
        return convenant.key, orgs
