"""Blinker signals through which a lower floor lets a higher one react without importing it."""

from blinker import Namespace

_signals = Namespace()

#: sent by the guard for every policy decision on a request: (sender, actor, action, target, decision)
decision_made = _signals.signal("decision-made")
#: sent by the auth package on login events: (sender, user, event, outcome)
auth_event = _signals.signal("auth-event")
#: an explicit access to log where no single policy decision covers it (a list, an inbox, a
#: calendar file): (sender, actor, action, object_type, case_reference=None, object_id=None)
access_logged = _signals.signal("access-logged")
