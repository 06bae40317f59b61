"""The registry of notification kinds: what an e-mail or the bell may say.

A kind's Dutch texts are fixed strings written in code, so nothing typed by a user and
nothing from a case can ever reach an e-mail through them (DESIGN rule 7). The only
variable parts of a message are the pseudonymous case reference and a relative link,
which ``operations.notify`` validates.

The kinds the zorgtafel needs are listed here, so every sentence that can leave the
building by e-mail is in one file for the privacy officer to review. A domain package may
register more (or reword its own) from its ``init_app``.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext

from zorgtafel.core.web import N_
from zorgtafel.notify.models import CHANNELS


class UnknownKind(ValueError):
    pass


@dataclass(frozen=True)
class Kind:
    key: str
    label: str  # short, for the subject line and the bell: "Nieuw actiepunt"
    text: str  # one or two sentences for the body, without case content
    channels: tuple[str, ...] = CHANNELS

    # The texts are Dutch msgids (marked N_ where registered): e-mails go out in Dutch, as
    # stored; the bell and the notifications page show them in the reader's language.
    def title(self) -> str:
        return gettext(self.label)

    def body(self) -> str:
        return gettext(self.text)


KINDS: dict[str, Kind] = {}


def register_kind(key: str, label: str, text: str, channels: tuple[str, ...] = CHANNELS) -> Kind:
    """Register (or re-register, same texts) a kind. Texts may not be templates: a
    placeholder would be the first step towards putting case content in an e-mail."""
    if any(ch in label + text for ch in "{}%"):
        raise ValueError(f"kind {key!r}: texts are fixed sentences, no placeholders")
    unknown = set(channels) - set(CHANNELS)
    if unknown or not channels:
        raise ValueError(f"kind {key!r}: unknown channels {sorted(unknown)}")
    kind = Kind(key, label, text, tuple(channels))
    KINDS[key] = kind  # a later registration (the owning package's own wording) wins
    return kind


def get_kind(key: str) -> Kind:
    try:
        return KINDS[key]
    except KeyError:
        raise UnknownKind(f"unknown notification kind {key!r}") from None


_CATALOGUE = [
    ("nieuwe_match", N_("Nieuwe match"),
     N_("Signalen van meerdere organisaties komen samen in een casus. De casus kan worden gewogen.")),
    ("casus_heropend", N_("Casus heropend"),
     N_("Er is een nieuw signaal geregistreerd bij een casus die was afgesloten of afgeschaald.")),
    ("inzageverzoek", N_("Verzoek om identiteit in te zien"),
     N_("Een collega vraagt uw goedkeuring om de identiteit bij een casus in te zien.")),
    ("uitnodiging_overleg", N_("Uitnodiging voor overleg"),
     N_("U bent uitgenodigd voor een overleg van de zorgtafel. De e-mail bevat een uitnodiging voor uw agenda.")),
    ("overleg_gewijzigd", N_("Overleg gewijzigd"), N_("Een overleg waarvoor u bent uitgenodigd is gewijzigd.")),
    ("overleg_geannuleerd", N_("Overleg geannuleerd"), N_("Een overleg waarvoor u was uitgenodigd gaat niet door.")),
    ("verslag_ter_inzage", N_("Verslag ter inzage"), N_("Het verslag van een overleg staat voor u klaar.")),
    ("verslag_vaststellen", N_("Verslag nog niet vastgesteld"),
     N_("Het verslag van een overleg is nog niet vastgesteld. Wilt u het bekijken en vaststellen?")),
    ("actiepunt_toegewezen", N_("Nieuw actiepunt"), N_("Er is een actiepunt aan u toegewezen.")),
    ("actiepunt_herinnering", N_("Actiepunt binnenkort verlopen"),
     N_("Een actiepunt dat aan u is toegewezen moet binnenkort klaar zijn.")),
    ("actiepunt_vandaag", N_("Actiepunt verloopt vandaag"),
     N_("Een actiepunt dat aan u is toegewezen moet vandaag klaar zijn.")),
    ("actiepunt_verlopen", N_("Actiepunt over de datum"),
     N_("Een actiepunt is niet op tijd afgerond. U ontvangt dit bericht om het op te volgen.")),
]
for _key, _label, _text in _CATALOGUE:
    register_kind(_key, _label, _text)

#: notify's own kind. In-app only: a notice that e-mail failed must not itself depend
#: on e-mail (and could otherwise loop while the mail server is down).
DELIVERY_FAILED = register_kind(
    "bezorging_mislukt",
    N_("E-mail niet bezorgd"),
    N_("Een e-mailbericht over deze casus kon na herhaalde pogingen niet worden bezorgd. "
    "Neem zo nodig op een andere manier contact op met de ontvanger."),
    channels=("in_app",),
)
