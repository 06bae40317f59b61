"""The request guard every web page and API resource goes through (DESIGN rule 1).

load → ``policy.decide(actor, action, target)`` → act through operations → commit once.
Denied is the default: a view that names no action fails, and a test walks ``url_map``
so that no endpoint can exist outside this class or the short public list.
"""

from __future__ import annotations

from typing import Any, ClassVar

from flask import abort, current_app, g, redirect, request, url_for
from flask.views import View

from zorgtafel.core.hooks import ROLLED_BACK
from zorgtafel.core.signals import decision_made
from zorgtafel.extensions import db

#: endpoints that need no login and no policy decision; reviewed, keep it short.
PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "health",
        "auth.login",
        "auth.login_second_factor",
        "auth.enrol",
        "auth.activate",
        "auth.set_language",
        "api_v1.openapi",
    }
)


class PolicyMissing(RuntimeError):
    pass


def policy():
    """The policy the convenant package registered; core never imports it."""
    try:
        return current_app.extensions["zorgtafel.policy"]
    except KeyError as exc:  # pragma: no cover - create_app always registers one
        raise PolicyMissing("no policy registered") from exc


def authorize(actor, action: str, target: Any = None):
    """Decide, announce the decision (the audit log listens) and return it."""
    decision = policy().decide(actor, action, target)
    decision_made.send(current_app._get_current_object(), actor=actor, action=action,
                       target=target, decision=decision)
    return decision


class GuardedBase(View):
    """Shared by the web ``ProtectedView`` and the API's resource class."""

    #: the policy action, or a mapping from HTTP method to action
    action: ClassVar[str | dict[str, str] | None] = None
    methods: ClassVar[list[str]] = ["GET"]

    def current_actor(self):
        raise NotImplementedError

    def unauthenticated(self):
        raise NotImplementedError

    def denied(self, decision):
        abort(403, description=decision.reason)

    def action_for(self, method: str) -> str:
        action = self.action
        if isinstance(action, dict):
            action = action.get(method) or (action.get("GET") if method == "HEAD" else None)
        if not action:
            # Deny by default: a view that forgot to say what it does may not do anything.
            raise RuntimeError(f"{type(self).__name__} declares no policy action for {method}")
        return action

    def load(self, **kwargs) -> Any:
        """Return the policy target (or None for an action without one); abort 404 here."""
        return None

    def dispatch_request(self, **kwargs):
        actor = self.current_actor()
        if actor is None:
            db.session.commit()  # keeps a timed-out session's end on record
            return self.unauthenticated()
        g.actor = actor
        action = self.action_for(request.method)
        target = self.load(**kwargs)
        decision = authorize(actor, action, target)
        self.decision = decision
        if not decision.allowed:
            db.session.commit()  # the denial's audit entry stays even though we stop here
            return self.denied(decision)
        handler = getattr(self, request.method.lower(), None)
        if handler is None and request.method == "HEAD":
            handler = self.get
        if handler is None:
            abort(405)
        request.environ.pop(ROLLED_BACK, None)
        response = handler(target, **kwargs)
        if request.environ.pop(ROLLED_BACK, False):
            # The handler undid a refused operation, and with it the audit entry of this
            # request's decision; what it renders now is still an access, so log it again.
            decision_made.send(current_app._get_current_object(), actor=actor, action=action,
                               target=target, decision=decision)
        db.session.commit()  # one request, one transaction
        return response


class ProtectedView(GuardedBase):
    """A web page: session login with two factors, then the policy."""

    def current_actor(self):
        from flask_login import current_user

        return current_user._get_current_object() if current_user.is_authenticated else None

    def unauthenticated(self):
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
