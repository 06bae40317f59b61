"""The signal catalogue and the referral instances, shipped as data with the product."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

DATA = Path(__file__).parent / "data"

#: where a case can be referred or reported (the places named in the source text)
REFERRAL_INSTANCES = {
    "regionaal_meldpunt": ("Regionaal meldpunt mensenhandel", "Regional trafficking reporting point"),
    "veilig_thuis": ("Veilig Thuis", "Veilig Thuis (domestic abuse and child abuse advice)"),
    "zorgtafel": ("Zorgtafel", "Care table"),
    "zorgcoordinator_mensenhandel": ("Zorgcoördinator mensenhandel", "Human trafficking care coordinator"),
    "comensha": ("CoMensha", "CoMensha"),
    "meld_misdaad_anoniem": ("Meld Misdaad Anoniem", "Crime Stoppers (anonymous)"),
    "centrum_seksueel_geweld": ("Centrum Seksueel Geweld", "Sexual Assault Centre"),
}


@dataclass(frozen=True)
class SignalCategory:
    key: str
    group: str
    nl: str
    en: str

    def label(self, lang: str = "nl") -> str:
        return self.en if lang == "en" else self.nl


@dataclass(frozen=True)
class Group:
    key: str
    nl: str
    en: str


@lru_cache(maxsize=1)
def _load() -> tuple[tuple[Group, ...], tuple[SignalCategory, ...]]:
    data = yaml.safe_load((DATA / "signal-catalogue.yaml").read_text(encoding="utf-8"))
    groups = tuple(Group(**g) for g in data["groups"])
    known = {g.key for g in groups}
    signals = tuple(SignalCategory(**s) for s in data["signals"])
    assert all(s.group in known for s in signals), "signal in an unknown group"
    return groups, signals


def groups() -> tuple[Group, ...]:
    return _load()[0]


def categories() -> tuple[SignalCategory, ...]:
    return _load()[1]


def category(key: str) -> SignalCategory | None:
    return next((c for c in categories() if c.key == key), None)


def label(key: str, lang: str = "nl") -> str:
    found = category(key)
    return found.label(lang) if found else key
