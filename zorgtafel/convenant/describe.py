"""Rules in plain Dutch, and the differences between two versions."""

from __future__ import annotations

import difflib

from zorgtafel.auth.models import ROLE_LABELS

ACTION_LABELS = {
    "read": "inzien", "register": "registreren", "reveal": "de identiteit opvragen",
    "plan_meeting": "het overleg plannen", "write_minutes": "verslag en besluiten vastleggen",
    "assign_action": "actiepunten toewijzen", "read_audit": "de logging inzien",
    "read_statistics": "de statistiek inzien",
}
SCOPE_LABELS = {
    "all": "van alle casussen binnen dit convenant",
    "involved": "van casussen waarbij de eigen organisatie betrokken is",
    "own_organisation": "van de eigen organisatie",
    None: "",
}
REQUIREMENT_LABELS = {"reason": "met opgave van reden", "second_approval": "na akkoord van een tweede zorgcoördinator"}


def _join(items) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " en " + items[-1]


def sentence(rule) -> str:
    """E.g. 'Professionals van politie mogen inzien: strafrechtelijk — van casussen waarbij …'."""
    who = _join(ROLE_LABELS.get(r, r).lower() + "s" for r in rule.roles)
    who = who[:1].upper() + who[1:]
    if rule.organisation_kinds:
        who += " van " + _join(rule.organisation_kinds)
    what = _join(ACTION_LABELS.get(a, a) for a in rule.actions)
    text = f"{who} mogen {what}"
    if rule.categories:
        text += ": " + _join(rule.categories)
    scope = SCOPE_LABELS.get(rule.scope, "")
    if scope:
        text += " — " + scope
    if rule.requires:
        text += ", " + _join(REQUIREMENT_LABELS.get(r, r) for r in rule.requires)
    return text + "."


def rule_changes(old, new) -> list[tuple[str, str, str]]:
    """(article, what changed, sentence) for rules added, removed or changed."""
    before = {r.article: r for r in old.rules}
    after = {r.article: r for r in new.rules}
    changes = []
    for article in sorted(set(before) | set(after), key=lambda a: [int(p) if p.isdigit() else p for p in a.split(".")]):
        if article not in before:
            changes.append((article, "toegevoegd", sentence(after[article])))
        elif article not in after:
            changes.append((article, "vervallen", sentence(before[article])))
        elif sentence(before[article]) != sentence(after[article]) or before[article].text != after[article].text:
            changes.append((article, "gewijzigd", f"{sentence(before[article])} → {sentence(after[article])}"))
    return changes


def text_diff(old, new) -> list[str]:
    return list(difflib.unified_diff(old.source_text.splitlines(), new.source_text.splitlines(),
                                     fromfile=f"versie {old.version}", tofile=f"versie {new.version}", lineterm=""))
