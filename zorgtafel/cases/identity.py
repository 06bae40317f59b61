"""Who a signal is about, without keeping who it is: validation and normalisation of the
subject key, the keyed-hash pseudonyms, and the case reference derived from them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as stdnum_bsn

from zorgtafel.core.crypto import keyed_hash
from zorgtafel.core.timeutil import today_local

# Dutch name particles, longest first so "van der" wins over "van".
TUSSENVOEGSELS = sorted(
    {
        "van", "de", "der", "den", "het", "ten", "ter", "te", "in", "op", "'t", "'s", "d'", "la", "le", "du",
        "des", "di", "da", "del", "dos", "van de", "van der", "van den", "van het", "van 't", "in de", "in 't",
        "in het", "op de", "op 't", "op het", "uit de", "uit den", "uit het", "aan de", "aan den", "aan het",
        "bij de", "onder de", "over de", "voor de", "von", "vom", "zu", "el", "al",
    },
    key=lambda p: -len(p),
)
MAX_AGE_YEARS = 110
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


class SubjectInvalid(ValueError):
    """A Dutch message naming the field."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class SubjectKey:
    """What a registration tells about the subject, validated; goes only to the vault."""

    bsn: str | None = None
    family_name: str | None = None
    given_names: str | None = None
    birth_date: date | None = None

    @property
    def has_name(self) -> bool:
        return bool(self.family_name and self.given_names and self.birth_date)


def strip_diacritics(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _clean(text: str) -> str:
    text = strip_diacritics(text or "").lower()
    text = re.sub(r"[’`´]", "'", text)
    text = re.sub(r"\s*-\s*", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def split_family_name(family_name: str) -> tuple[str, str]:
    """'van der Berg' → ('van der', 'berg'); 'Berg, van der' → ('van der', 'berg')."""
    name = _clean(family_name)
    if "," in name:  # "Berg, van der": the particle written after a comma
        core, _, particle = name.partition(",")
        return particle.strip(), core.strip()
    particles = []
    while True:
        for p in TUSSENVOEGSELS:
            if name.startswith(p + " ") and len(name) > len(p) + 1:
                particles.append(p)
                name = name[len(p) + 1:]
                break
        else:
            break
    return " ".join(particles), name


def normalised_name_key(family_name: str, given_names: str, birth_date: date) -> str:
    _, core = split_family_name(family_name)
    initial = _clean(given_names)[:1]
    core = re.sub(r"[^a-z0-9'-]", "", core.replace(" ", ""))
    return f"{core}|{initial}|{birth_date.isoformat()}"


def validate_bsn(value: str | None) -> str | None:
    if value is None or str(value).strip() == "":
        return None
    try:
        return stdnum_bsn.validate(str(value))
    except StdnumError as exc:
        raise SubjectInvalid("bsn", "Dit BSN klopt niet: controleer de negen cijfers (de elfproef faalt).") from exc


def parse_birth_date(value) -> date:
    if isinstance(value, date):
        born = value
    else:
        try:
            born = date.fromisoformat(str(value).strip())
        except ValueError as exc:
            raise SubjectInvalid("birth_date", "Vul de geboortedatum in als JJJJ-MM-DD.") from exc
    today = today_local()
    if born > today:
        raise SubjectInvalid("birth_date", "De geboortedatum ligt in de toekomst.")
    if today.year - born.year > MAX_AGE_YEARS:
        raise SubjectInvalid("birth_date", f"De geboortedatum ligt meer dan {MAX_AGE_YEARS} jaar terug; controleer het jaar.")
    return born


def subject_key(bsn=None, family_name=None, given_names=None, birth_date=None) -> SubjectKey:
    """Validate a registration's subject. Either a valid BSN, or name + given names + birth
    date (or both, which links the two pseudonyms)."""
    bsn = validate_bsn(bsn)
    family_name = (family_name or "").strip() or None
    given_names = (given_names or "").strip() or None
    born = parse_birth_date(birth_date) if birth_date not in (None, "") else None
    if any((family_name, given_names, born)) and not all((family_name, given_names, born)):
        field = "family_name" if not family_name else "given_names" if not given_names else "birth_date"
        raise SubjectInvalid(field, "Vul achternaam, voornamen én geboortedatum in (of alleen een BSN).")
    if family_name and not re.search(r"[A-Za-zÀ-ÿ]", family_name):
        raise SubjectInvalid("family_name", "Een achternaam bevat letters.")
    if bsn is None and family_name is None:
        raise SubjectInvalid("bsn", "Vul een BSN in, of achternaam, voornamen en geboortedatum.")
    return SubjectKey(bsn, family_name, given_names, born)


def pseudonyms(key: SubjectKey, secret: str) -> dict[str, str]:
    """{kind: pseudonym} — keyed hashes; without the key nobody can recompute them."""
    found = {}
    if key.bsn:
        found["bsn"] = keyed_hash(secret, f"bsn:{key.bsn}")
    if key.has_name:
        found["naam"] = keyed_hash(secret, "naam:" + normalised_name_key(key.family_name, key.given_names, key.birth_date))
    return found


def case_reference(pseudonym: str, convenant_key: str, secret: str, attempt: int = 0) -> str:
    """ZT-XXXX-XXXX from the pseudonym (never from the BSN), 40 bits in Crockford base32."""
    digest = keyed_hash(secret, f"ref:{convenant_key}:{pseudonym}:{attempt}")
    number = int(digest[:10], 16)
    chars = "".join(CROCKFORD[(number >> shift) & 31] for shift in range(35, -1, -5))
    return f"ZT-{chars[:4]}-{chars[4:]}"
