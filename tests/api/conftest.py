"""The API tests run against an app of their own: the suite's app plus the test-only
resources of ``tests.api.testdomain`` (routes cannot be added to an app that already
served requests). Same database and Redis prefix as the suite's app."""

from __future__ import annotations

import pytest

from tests.conftest import make_test_config
from zorgtafel.extensions import db


@pytest.fixture(scope="session")
def app(app, services, database_url):
    """Overrides the suite's ``app`` for tests/api; the suite's (migrated) app is built first."""
    from zorgtafel import create_app

    api_app = create_app(make_test_config(services, database_url, API_EXTRA_PACKAGES=("tests.api.testdomain",)))
    # create_app makes its Celery app the default; give the suite's back to the other tests.
    app.extensions["celery"].set_default()
    return api_app


@pytest.fixture
def token_for(app):
    """A fresh API token for an account, made by the real operation."""
    from zorgtafel.auth.models import User
    from zorgtafel.auth.operations import create_token

    def make(account, days: int = 90) -> str:
        with app.app_context():
            token = create_token(None, db.session.get(User, account.id), days)
            db.session.commit()
            return token

    return make


@pytest.fixture
def professional(factory):
    return factory.user("professional")


@pytest.fixture
def token(professional, token_for):
    return token_for(professional)
