"""The dashboard's panel registry. Domain packages add panels; the dashboard (a higher
floor) shows those of the user's roles. A registry, because a lower floor may not import
the dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Panel:
    roles: frozenset[str]
    template: str
    context: Callable  # (actor) -> dict; few, bounded queries
    order: int


PANELS: list[Panel] = []


def register_panel(roles: set[str], template: str, context: Callable, order: int = 50) -> None:
    if any(p.template == template for p in PANELS):
        return
    PANELS.append(Panel(frozenset(roles), template, context, order))
    PANELS.sort(key=lambda p: p.order)


def panels_for(actor) -> list[tuple[str, dict]]:
    roles = set(actor.roles or ())
    return [(p.template, p.context(actor)) for p in PANELS if p.roles & roles]
