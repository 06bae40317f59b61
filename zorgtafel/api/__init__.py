"""The v1 JSON API blueprint (CONTRACT "JSON API v1").

Resources live in each domain's own ``api.py`` as ``RESOURCES = [(rule, ResourceClass,
endpoint), ...]``; this package sits above every domain, so it imports them (downwards) and
registers them under ``/api/v1``. It adds what is the same for all of them: bearer tokens
only (no CSRF, no cookies), a per-token rate limit, JSON errors and the OpenAPI document.
"""

from __future__ import annotations

import importlib

from flask import Blueprint, Flask, current_app, jsonify
from werkzeug.exceptions import HTTPException

from zorgtafel.core.api import ApiResource, api_rate_limit, token_rate_key
from zorgtafel.core.errors import ApiError, api_error_response

OPENAPI_KEY = "zorgtafel.openapi"
THROTTLED = "Te veel verzoeken met dit token; wacht even en probeer het dan opnieuw."


def resource_packages() -> tuple[str, ...]:
    """The domain packages whose ``api`` module may hold resources, lowest floor first."""
    from zorgtafel import DOMAINS

    return tuple(name for name in DOMAINS if name != __name__)


def collect(packages) -> list[tuple[str, str, type, str]]:
    """``(package, rule, resource class, endpoint)`` for every resource the packages offer."""
    found = []
    for package in packages:
        try:
            module = importlib.import_module(f"{package}.api")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.api":
                raise  # an api module that is there but broken must not silently vanish
            continue
        for rule, resource, endpoint in getattr(module, "RESOURCES", ()):
            if not (isinstance(resource, type) and issubclass(resource, ApiResource)):
                # An API endpoint outside the guard is a hole; refuse to start with it.
                raise TypeError(f"{package}.api: {endpoint} is not an ApiResource")
            found.append((package, rule, resource, endpoint))
    return found


def openapi_document():
    """The OpenAPI 3.1 document; public (PUBLIC_ENDPOINTS), built once per app. (Not named
    ``openapi``: importing the ``openapi`` submodule would overwrite that package attribute.)"""
    from zorgtafel.api.openapi import build_document

    document = current_app.extensions.get(OPENAPI_KEY)
    if document is None:
        document = current_app.extensions[OPENAPI_KEY] = build_document(current_app)
    return jsonify(document)


def init_app(app: Flask) -> None:
    from zorgtafel.extensions import csrf, limiter

    bp = Blueprint("api_v1", __name__, url_prefix="/api/v1")
    # Every domain the app is built from (so a new domain's resources cannot be forgotten);
    # tests add a test-only domain package, production lists no extra packages.
    packages = resource_packages() + tuple(app.config.get("API_EXTRA_PACKAGES", ()))
    tags = {}
    for package, rule, resource, endpoint in collect(packages):
        bp.add_url_rule(rule, view_func=resource.as_view(endpoint))
        tags[f"api_v1.{endpoint}"] = package.rsplit(".", 1)[-1]
    bp.add_url_rule("/openapi.json", "openapi", openapi_document, methods=["GET"])
    # Bearer tokens only: a browser never sends one by itself, so cross-site requests carry
    # no credentials and CSRF tokens have nothing to protect here.
    csrf.exempt(bp)
    # One budget per token over the whole API (shared scope). Module-level callables keep
    # the Limit equal across apps (tests build several), so it is registered only once.
    limiter.shared_limit(api_rate_limit, scope="api_v1", key_func=token_rate_key, error_message=THROTTLED)(bp)
    # ApiError carries its code on the instance, so Flask's per-code handlers do not see it;
    # any other HTTP error inside a resource (413, 415, ...) answers in the same JSON shape.
    app.register_error_handler(ApiError, api_error_response)
    bp.register_error_handler(HTTPException, api_error_response)
    app.register_blueprint(bp)
    app.extensions["zorgtafel.api_tags"] = tags
