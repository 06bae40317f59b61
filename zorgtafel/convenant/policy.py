"""The policy: the one module that decides every access (DESIGN, "The policy")."""

from __future__ import annotations

from dataclasses import dataclass, field

# Actions decided by the convenant's rules.
CONVENANT_ACTIONS = frozenset({
    "read", "register", "reveal", "plan_meeting", "write_minutes", "assign_action",
    "read_audit", "read_statistics",
})
# Actions decided by the system role alone (no case content involved).
SYSTEM_ACTIONS = frozenset({"manage_convenant", "manage_users", "personal"})
ACTIONS = CONVENANT_ACTIONS | SYSTEM_ACTIONS


class UnknownAction(ValueError):
    pass


@dataclass(frozen=True)
class Basis:
    convenant_key: str | None
    version: int | None
    article: str

    def label(self) -> str:
        if self.convenant_key is None:
            return self.article
        return f"art. {self.article}, convenant {self.convenant_key} v{self.version}"


@dataclass(frozen=True)
class Decision:
    allowed: bool
    basis: Basis | None = None
    reason: str = ""
    requires: tuple[str, ...] = field(default_factory=tuple)


def decide(actor, action: str, target=None) -> Decision:
    if action not in ACTIONS:
        raise UnknownAction(action)
    if action == "personal":
        return Decision(True, Basis(None, None, "eigen account en overzicht"), "eigen account")
    if action in ("manage_users", "manage_convenant"):
        if actor.has_role("beheerder"):
            return Decision(True, Basis(None, None, "systeemrol beheerder"), "beheerder")
        return Decision(False, None, "Alleen een beheerder mag dit.")
    return Decision(False, None, "Het convenant staat dit niet toe.")
