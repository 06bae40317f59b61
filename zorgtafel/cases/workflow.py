"""The case status workflow: one transition table (CONTRACT.md), nothing else decides."""

from __future__ import annotations

STATUSES = ("aangemeld", "in_weging", "geagendeerd", "plan_van_aanpak", "monitoring", "afgeschaald",
            "afgesloten", "heropend")

TRANSITIONS: dict[str, frozenset[str]] = {
    "aangemeld": frozenset({"in_weging"}),
    "in_weging": frozenset({"geagendeerd", "afgesloten"}),
    "geagendeerd": frozenset({"plan_van_aanpak", "in_weging", "afgesloten"}),
    "plan_van_aanpak": frozenset({"monitoring"}),
    "monitoring": frozenset({"geagendeerd", "afgeschaald", "afgesloten"}),
    "afgeschaald": frozenset({"afgesloten", "heropend"}),
    "afgesloten": frozenset({"heropend"}),
    "heropend": frozenset({"in_weging"}),
}

#: a new signal on a case in these statuses reopens it for the coordinator's attention
REOPEN_ON_SIGNAL = frozenset({"afgesloten", "afgeschaald"})

LABELS = {
    "aangemeld": ("aangemeld", "registered"),
    "in_weging": ("in weging", "being assessed"),
    "geagendeerd": ("geagendeerd", "on the agenda"),
    "plan_van_aanpak": ("plan van aanpak", "action plan"),
    "monitoring": ("monitoring", "monitoring"),
    "afgeschaald": ("afgeschaald", "scaled down"),
    "afgesloten": ("afgesloten", "closed"),
    "heropend": ("heropend", "reopened"),
}


class TransitionRefused(ValueError):
    pass


def allowed(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())


def check(current: str, new: str) -> None:
    if new not in STATUSES:
        raise TransitionRefused(f"Onbekende status '{new}'.")
    if not allowed(current, new):
        options = ", ".join(sorted(TRANSITIONS.get(current, ()))) or "geen"
        raise TransitionRefused(f"Van '{current}' kan een casus niet naar '{new}'; wel naar: {options}.")


def label(status: str, lang: str = "nl") -> str:
    nl, en = LABELS.get(status, (status, status))
    return en if lang == "en" else nl
