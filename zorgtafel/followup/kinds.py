"""The kinds of follow-up task: a Dutch label, the convenant deadline that sets the due
date (working days), and how the deadline is named in the task's rule.

A task's ``reason`` and ``rule`` are stored as the Dutch sentences the handlers and
sweeps wrote (the API and the Dutch page show them as stored). Another language shows
them translated at display: every sentence the handlers write is listed below as one
msgid per whole sentence, its placeholders standing for the values filled in; a stored
reason that matches one is shown as that msgid's translation with the same values. A
reason that matches none (older wording) shows the kind's own sentence instead, so an
English page never shows the Dutch text. tests/test_i18n.py checks that every reason in
followup/handlers.py and followup/sweeps.py matches one of these."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from zorgtafel.core.web import N_


@dataclass(frozen=True)
class TaskKind:
    key: str
    label: str  # Dutch (a msgid): translated where shown, see ``title``
    deadline: str  # key in the convenant's deadlines (match: per urgency)
    #: shown in another language when the stored reason matches none of ``reasons``
    summary: str = ""
    #: the reasons the handlers write for this kind, as msgids with %(name)s placeholders
    reasons: tuple[str, ...] = field(default=())

    def title(self) -> str:
        """The label in the page's language."""
        from flask_babel import gettext

        return gettext(self.label)

    def reason_text(self, reason: str) -> str:
        """The stored reason in the page's language (unchanged in Dutch)."""
        if _dutch():
            return reason
        from flask_babel import gettext

        for msgid in self.reasons:
            found = _pattern(msgid).fullmatch(reason or "")
            if found:
                return gettext(msgid, **{k: _value(k, v) for k, v in found.groupdict().items()})
        return gettext(self.summary or self.label)

    def rule_text(self, rule: str) -> str:
        return rule_text(rule)


KINDS = {k.key: k for k in (
    TaskKind("match", N_("Nieuwe match wegen"), "match",
             N_("Signalen van meer organisaties over dezelfde persoon: weeg de casus."),
             (N_("Signalen van %(organisations)s organisaties binnen %(days)s dagen; hoogste urgentie %(urgency)s."),)),
    TaskKind("triage", N_("Nieuwe casus triëren"), "triage",
             N_("Een nieuwe of heropende casus: triëren en bepalen of weging nodig is."),
             (N_("Nieuwe casus aangemeld: triëren en bepalen of weging nodig is."),
              N_("Casus heropend door een nieuw signaal: opnieuw triëren."))),
    TaskKind("in_weging_te_lang", N_("Casus te lang in weging"), "in_weging_review",
             N_("De casus staat langer in weging dan de termijn van het convenant."),
             (N_("Casus staat langer dan %(days)s werkdagen in weging."),)),
    TaskKind("actie_te_laat", N_("Actiepunt te laat"), "action_escalation_after",
             N_("Een actiepunt is over de datum: bespreek het met de eigenaar."),
             (N_("Actiepunt te laat (uiterlijk %(date)s): bespreek het met de eigenaar."),)),
    TaskKind("verslag_niet_vastgesteld", N_("Verslag niet vastgesteld"), "minutes_approval",
             N_("Het verslag van het overleg is niet binnen de termijn vastgesteld."),
             (N_("Het verslag van het overleg is niet binnen de termijn vastgesteld."),)),
    TaskKind("onthulling", N_("Verzoek om identiteit wacht op akkoord"), "reveal_approval",
             N_("Een zorgcoördinator vraagt de identiteit in te zien; een tweede zorgcoördinator beslist."),
             (N_("Een zorgcoördinator vraagt de identiteit in te zien; een tweede zorgcoördinator beslist."),)),
    TaskKind("mogelijk_dubbel", N_("Mogelijk dubbele persoon"), "duplicate_subject",
             N_("Een registratie lijkt over een persoon te gaan die al bekend is: beoordeel het."),
             (N_("Een registratie lijkt over een persoon te gaan die al onder een ander nummer bekend is. "
                 "Beoordeel of het dezelfde persoon is; er is niets samengevoegd."),)),
    TaskKind("inactief", N_("Casus zonder nieuwe signalen: afsluiten?"), "inactive_case",
             N_("Al lang geen nieuwe signalen: voorstel om de casus af te sluiten."),
             (N_("Al %(days)s dagen geen nieuwe signalen: voorstel om de casus af te sluiten."),)),
    TaskKind("partij_uitgetreden", N_("Partij uitgetreden: betrokken casussen nalopen"), "party_left_review",
             N_("Een partij is uitgetreden: loop na wat dat voor haar casussen betekent."),
             (N_("Een partij (%(kind)s) is per %(date)s uitgetreden en was betrokken bij %(count)s casussen: "
                 "loop na wat dat voor die casussen betekent."),)),
    TaskKind("bezorging_mislukt", N_("Bericht niet bezorgd"), "failed_delivery",
             N_("Een e-mailbericht kon niet worden bezorgd; neem zo nodig zelf contact op."),
             (N_("Een e-mailbericht kon na herhaalde pogingen niet worden bezorgd; neem zo nodig zelf contact op."),)),
)}

#: values filled into a reason that are themselves words: urgency in a match's reason
URGENCY = {"laag": N_("laag"), "midden": N_("midden"), "hoog": N_("hoog")}
#: where a task's deadline comes from when the convenant names none (operations.deadlines)
DEFAULT_SOURCE = "standaardtermijnen"
_RULE = re.compile(r"(?P<rule>\S+)=(?P<days>\d+) werkdagen \((?P<source>.+)\)")
_SOURCE = re.compile(r"convenant (?P<key>\S+) v(?P<version>\d+)")
_PATTERNS: dict[str, re.Pattern] = {}


def _dutch() -> bool:
    from flask_babel import get_locale

    locale = get_locale()
    return locale is None or locale.language == "nl"


def _pattern(msgid: str) -> re.Pattern:
    """The msgid as a pattern that matches the Dutch sentence with any values filled in."""
    if msgid not in _PATTERNS:
        parts = re.split(r"%\((\w+)\)s", msgid)  # text, name, text, name, …, text
        _PATTERNS[msgid] = re.compile("".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>.+?)" for i, part in enumerate(parts)), re.DOTALL)
    return _PATTERNS[msgid]


def _value(name: str, value: str) -> str:
    if name == "urgency" and value in URGENCY:
        from flask_babel import gettext

        return gettext(URGENCY[value])
    return value


def recognised(kind: str, reason: str) -> bool:
    """Whether a stored reason is one of the sentences listed for its kind."""
    spec = KINDS.get(kind)
    return spec is not None and any(_pattern(m).fullmatch(reason) for m in spec.reasons)


def rule_text(rule: str) -> str:
    """``deadlines.match.hoog=3 werkdagen (convenant x v2)`` in the page's language."""
    found = _RULE.fullmatch(rule or "")
    if found is None or _dutch():
        return rule
    from flask_babel import gettext

    source = found["source"]
    convenant = _SOURCE.fullmatch(source)
    if convenant:
        source = gettext("convenant %(key)s v%(version)s", key=convenant["key"], version=convenant["version"])
    elif source == DEFAULT_SOURCE:
        source = gettext(N_("standaardtermijnen"))
    return gettext("%(rule)s=%(days)s werkdagen (%(source)s)", rule=found["rule"], days=found["days"], source=source)


def label(key: str) -> str:
    """The Dutch label (as stored and sent); ``TaskKind.title`` gives the page's language."""
    kind = KINDS.get(key)
    return kind.label if kind else key


#: Kinds no event closes: the coordinator finishes them in the queue, and finishing or
#: dropping a task always takes a note (``operations.update_task``).
#: - mogelijk_dubbel: whether two registrations are one person is judged in the queue
#:   itself; finishing the task marks the possible duplicate as reviewed.
#: - bezorging_mislukt: a delivery given up on stays failed (notify has no resend), and what
#:   helps — reaching the person another way, correcting the address — happens outside
#:   Zorgtafel; nothing the system sees later says it was done.
#: (partij_uitgetreden closes by itself once every case of the convenant the party was
#: involved in is afgesloten; before that the coordinator closes it after the review.)
CLOSED_BY_HAND = frozenset({"mogelijk_dubbel", "bezorging_mislukt"})
