"""Blinker signals through which a lower floor lets a higher one react without importing it."""

from blinker import Namespace

_signals = Namespace()

#: sent by the guard for every policy decision on a request: (sender, actor, action, target, decision)
decision_made = _signals.signal("decision-made")
#: sent by the auth package on login events: (sender, user, event, outcome)
auth_event = _signals.signal("auth-event")
