"""Risk checklists as data: items, answer options, a scoring rule and bands. The shipped
instrument is an example, clearly labelled; closed instruments are never reproduced."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from zorgtafel.audit.operations import record
from zorgtafel.cases.catalogue import DATA
from zorgtafel.cases.errors import CaseError
from zorgtafel.cases.operations import require_read
from zorgtafel.cases.models import Case, RiskAssessment
from zorgtafel.convenant import policy
from zorgtafel.extensions import db

SCORING = {"count_present": lambda answers: sum(1 for a in answers.values() if a == "aanwezig")}


@dataclass(frozen=True)
class Instrument:
    key: str
    version: int
    title: str
    is_example: bool
    scoring: str
    answers: tuple[tuple[str, str], ...]
    items: tuple[tuple[str, str], ...]
    bands: tuple[tuple[int, int, str], ...]

    def score(self, answers: dict[str, str]) -> tuple[int, str]:
        score = SCORING[self.scoring](answers)
        band = next((label for low, high, label in self.bands if low <= score <= high), "onbekend")
        return score, band


@lru_cache(maxsize=1)
def instruments() -> dict[str, Instrument]:
    found = {}
    for path in sorted(Path(DATA, "instruments").glob("*.yaml")):
        d = yaml.safe_load(path.read_text(encoding="utf-8"))
        if d["scoring"] not in SCORING:
            raise ValueError(f"{path.name}: unknown scoring rule {d['scoring']!r}")
        found[d["key"]] = Instrument(
            d["key"], int(d["version"]), d["title"], bool(d.get("is_example")), d["scoring"],
            tuple((a["key"], a["label"]) for a in d["answers"]), tuple((i["key"], i["label"]) for i in d["items"]),
            tuple((b["min"], b["max"], b["label"]) for b in d["bands"]),
        )
    return found


def fill_in(actor, case: Case, instrument_key: str, answers: dict[str, str]) -> RiskAssessment:
    """A partner fills in a checklist; score and band appear in the timeline (signaal)."""
    instrument = instruments().get(instrument_key)
    if instrument is None:
        raise CaseError("Kies een checklist uit de lijst.", field="instrument")
    require_read(actor, case)
    decision = policy.decide(actor, "register", policy.Target(case.convenant_key, "signaal", case.id))
    if not decision.allowed:
        raise CaseError(decision.reason, status=403)
    options = {key for key, _ in instrument.answers}
    missing = {key: "Kies een antwoord." for key, _ in instrument.items if answers.get(key) not in options}
    if missing:
        raise CaseError("Beantwoord elke vraag (kies 'onbekend' als u het niet weet).", fields=missing)
    clean = {key: answers[key] for key, _ in instrument.items}
    score, band = instrument.score(clean)
    assessment = RiskAssessment(case_id=case.id, organisation_id=actor.organisation_id, author_id=actor.id,
                                instrument_key=instrument.key, instrument_version=instrument.version, answers=clean,
                                score=score, band=band, is_example=instrument.is_example)
    db.session.add(assessment)
    db.session.flush()
    record(actor, "create", outcome="success", case_reference=case.reference, object_type="risk_assessment",
           object_id=assessment.id, basis=decision.basis)
    return assessment
