"""Blinker signals of the cases room, for higher floors (meetings, follow-up tasks) to react
to without this package importing them. Receivers run inside the same transaction."""

from blinker import Namespace

_events = Namespace()

#: (sender, case, signal, actor)
signal_registered = _events.signal("signal-registered")
#: (sender, case, match, actor)
match_found = _events.signal("match-found")
#: (sender, case, old, new, actor)
status_changed = _events.signal("case-status-changed")
#: (sender, duplicate, actor)
possible_duplicate_found = _events.signal("possible-duplicate-found")
#: (sender, duplicate_ids, actor): a merge settled these possible duplicates (and removed them)
possible_duplicates_settled = _events.signal("possible-duplicates-settled")
#: (sender, request, actor) and (sender, request, actor) once decided
reveal_requested = _events.signal("reveal-requested")
reveal_decided = _events.signal("reveal-decided")
#: (sender, case, actor)
case_created = _events.signal("case-created")
