"""Blinker signals of the meetings room, for a higher floor (the zorgcoördinator's task
queue) to turn into follow-up work without this package knowing it. Receivers run inside
the sending transaction: they flush, never commit.
"""

from blinker import Namespace

_events = Namespace()

#: (sender, meeting, actor)
meeting_planned = _events.signal("meeting-planned")
#: (sender, meeting, actor)
meeting_cancelled = _events.signal("meeting-cancelled")
#: (sender, item, meeting, case, actor)
case_put_on_agenda = _events.signal("case-put-on-agenda")
#: (sender, meeting, actor, results) — results: [StatusResult] of the decisions applied
minutes_approved = _events.signal("minutes-approved")
#: (sender, meeting) — sent by the sweep when the minutes are not approved in time
minutes_overdue = _events.signal("minutes-overdue")
#: (sender, action, actor)
action_assigned = _events.signal("action-assigned")
#: (sender, action) — sent by the sweep once, when the escalation goes out
action_overdue = _events.signal("action-overdue")
#: (sender, action, actor) — afgerond or vervallen
action_closed = _events.signal("action-closed")
