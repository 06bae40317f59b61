"""The kinds of follow-up task: a Dutch label, the convenant deadline that sets the due
date (working days), and how the deadline is named in the task's rule."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class TaskKind:
    key: str
    label: str
    deadline: str  # key in the convenant's deadlines (match: per urgency)


KINDS = {k.key: k for k in (
    TaskKind("match", "Nieuwe match wegen", "match"),
    TaskKind("triage", "Nieuwe casus triëren", "triage"),
    TaskKind("in_weging_te_lang", "Casus te lang in weging", "in_weging_review"),
    TaskKind("actie_te_laat", "Actiepunt te laat", "action_escalation_after"),
    TaskKind("verslag_niet_vastgesteld", "Verslag niet vastgesteld", "minutes_approval"),
    TaskKind("onthulling", "Verzoek om identiteit wacht op akkoord", "reveal_approval"),
    TaskKind("mogelijk_dubbel", "Mogelijk dubbele persoon", "duplicate_subject"),
    TaskKind("inactief", "Casus zonder nieuwe signalen: afsluiten?", "inactive_case"),
    TaskKind("partij_uitgetreden", "Partij uitgetreden: betrokken casussen nalopen", "party_left_review"),
    TaskKind("bezorging_mislukt", "Bericht niet bezorgd", "failed_delivery"),
)}


def label(key: str) -> str:
    kind = KINDS.get(key)
    return kind.label if kind else key
