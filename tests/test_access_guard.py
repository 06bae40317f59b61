"""Every endpoint is either guarded by the policy or on the short, reviewed public list."""

from __future__ import annotations

import pytest

from zorgtafel.core.api import ApiResource
from zorgtafel.core.guard import PUBLIC_ENDPOINTS, GuardedBase, ProtectedView
from zorgtafel.convenant.policy import ACTIONS


def unguarded_endpoints(app) -> list[str]:
    """Endpoints outside the guard. Under the API (``api_v1.*``, ``/api/``) only an
    ``ApiResource`` counts: a web ``ProtectedView`` there would answer with a login page."""
    unprotected = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        is_api = rule.endpoint.startswith("api_v1.") or rule.rule.startswith("/api/")
        if view_class is None or not issubclass(view_class, ApiResource if is_api else GuardedBase):
            unprotected.append(rule.endpoint)
            continue
        instance = view_class.__new__(view_class)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            action = instance.action_for(method)  # raises when a method names no action
            assert action in ACTIONS, f"{rule.endpoint} {method}: unknown action {action!r}"
    return unprotected


def test_every_endpoint_is_protected_or_reviewed_public(app):
    unprotected = unguarded_endpoints(app)
    assert unprotected == [], f"endpoints outside the guard: {unprotected}"


def test_api_resources_are_guarded_views():
    assert issubclass(ApiResource, GuardedBase)


def test_an_api_endpoint_outside_the_guard_is_caught():
    from flask import Blueprint, Flask

    class Resource(ApiResource):
        action = "personal"

        def get(self, target):
            return {}

    class WebPage(ProtectedView):
        action = "personal"

    def openapi():
        return {}

    def bare():
        return {}

    probe = Flask(__name__)
    bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
    bp.add_url_rule("/openapi.json", "openapi", openapi)
    bp.add_url_rule("/resource", view_func=Resource.as_view("resource"))
    bp.add_url_rule("/web", view_func=WebPage.as_view("web"))
    bp.add_url_rule("/bare", "bare", bare)
    probe.register_blueprint(bp)
    assert sorted(unguarded_endpoints(probe)) == ["api_v1.bare", "api_v1.web"]


def test_public_list_is_short_and_reviewed():
    assert len(PUBLIC_ENDPOINTS) <= 10


def test_a_view_without_action_fails(app):
    served = []

    class Forgetful(ProtectedView):
        def current_actor(self):
            return object()  # even a logged-in actor gets nothing from a view without action

        def get(self, target):
            served.append(True)
            return "should never be served"

    with app.test_request_context("/"):
        with pytest.raises(RuntimeError, match="declares no policy action"):
            Forgetful().dispatch_request()
    assert served == []


def test_unknown_action_raises(ctx):
    from zorgtafel.convenant.policy import UnknownAction, decide

    with pytest.raises(UnknownAction):
        decide(object(), "read_everything", None)


def test_beheerder_pages_refused_to_professional(factory, auth, client):
    account = factory.user("professional")
    auth.login(account)
    response = client.get("/beheer/gebruikers")
    assert response.status_code == 403
    assert "Geen toegang" in response.text
