"""The notification kinds of the meetings room: fixed Dutch sentences, no case content.

Notify's catalogue (``zorgtafel/notify/kinds.py``) already lists the invitation, change,
cancellation, minutes and action kinds; they are used as they are. Added here: the ones
notify does not know.
"""

from zorgtafel.core.web import N_
from zorgtafel.notify.kinds import register_kind

INVITATION = "uitnodiging_overleg"
CHANGED = "overleg_gewijzigd"
CANCELLED = "overleg_geannuleerd"
MINUTES_TO_REVIEW = "verslag_ter_inzage"
MINUTES_APPROVE_REMINDER = "verslag_vaststellen"
MINUTES_APPROVED = "verslag_vastgesteld"
REMOVED = "overleg_afgemeld"
ACTION_ASSIGNED = "actiepunt_toegewezen"
ACTION_REMINDER = "actiepunt_herinnering"
ACTION_DUE_TODAY = "actiepunt_vandaag"
ACTION_ESCALATION = "actiepunt_verlopen"


def register() -> None:
    register_kind(MINUTES_APPROVED, N_("Verslag vastgesteld"),
                  N_("Het verslag van een overleg waaraan u deelnam, is vastgesteld. U kunt het in Zorgtafel lezen."))
    register_kind(REMOVED, N_("Uitnodiging ingetrokken"),
                  N_("U staat niet meer op de deelnemerslijst van een overleg. De bijlage haalt het uit uw agenda."))
