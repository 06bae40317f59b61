"""The convenant file format, validated with pydantic. Errors name the file, the line and
the field, so the person who edits the signed text can find what to fix."""

from __future__ import annotations

from datetime import date
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zorgtafel.auth.models import ORGANISATION_KINDS, ROLES
from zorgtafel.convenant.policy import CONVENANT_ACTIONS

Kind = Literal[ORGANISATION_KINDS]  # type: ignore[valid-type]
Role = Literal[ROLES]  # type: ignore[valid-type]
Action = Literal[tuple(sorted(CONVENANT_ACTIONS))]  # type: ignore[valid-type]
Scope = Literal["own_organisation", "involved", "all"]
Requirement = Literal["reason", "second_approval"]
CATEGORY_ACTIONS = {"read", "register", "reveal"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class LegalBasis(Strict):
    article: str = Field(min_length=1)

    @field_validator("article", mode="before")
    @classmethod
    def _text(cls, value):
        return str(value) if isinstance(value, (int, float)) else value
    text: str = Field(min_length=1)


class Retention(Strict):
    closed_case_days: int = Field(ge=0)
    unjustified_signal_days: int = Field(ge=0)
    inactive_case_days: int = Field(ge=1)
    # NEN 7513: the access log is kept at least five years.
    audit_log_days: int = Field(ge=1825)


class Matching(Strict):
    min_organisations: int = Field(ge=2)
    window_days: int = Field(ge=1)


class MatchDeadlines(Strict):
    hoog: int = Field(default=1, ge=0)
    midden: int = Field(default=3, ge=0)
    laag: int = Field(default=5, ge=0)


class Deadlines(Strict):
    """Working days; the reference convenant has no such section and gets these defaults."""

    match: MatchDeadlines = MatchDeadlines()
    triage: int = Field(default=2, ge=0)
    in_weging: int = Field(default=10, ge=1)  # longer than this in weging makes a task…
    in_weging_review: int = Field(default=1, ge=0)  # …due this many working days later
    minutes_approval: int = Field(default=3, ge=1)
    action_reminder_before: int = Field(default=2, ge=0)
    action_escalation_after: int = Field(default=1, ge=0)
    reveal_approval: int = Field(default=1, ge=0)
    duplicate_subject: int = Field(default=3, ge=0)
    inactive_case: int = Field(default=10, ge=0)
    party_left_review: int = Field(default=5, ge=0)
    failed_delivery: int = Field(default=1, ge=0)


class DataCategoryIn(Strict):
    key: str = Field(pattern=r"^[a-z_]+$")
    label: str = Field(min_length=1)
    special: Literal["avg-art-9", "avg-art-10"] | None = None


class OrganisationIn(Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=80)
    name: str = Field(min_length=1, max_length=200)
    kind: Kind
    joined_on: date
    left_on: date | None = None

    @model_validator(mode="after")
    def _left_after_joined(self):
        if self.left_on is not None and self.left_on < self.joined_on:
            raise ValueError("left_on ligt vóór joined_on")
        return self


class RuleIn(Strict):
    article: str = Field(min_length=1, max_length=20)
    text: str = Field(min_length=1)
    roles: list[Role] = Field(min_length=1)
    organisation_kinds: list[Kind] = Field(default_factory=list)
    actions: list[Action] = Field(min_length=1)
    categories: list[str] = Field(default_factory=list)
    scope: Scope | None = None
    requires: list[Requirement] = Field(default_factory=list)

    @field_validator("article", mode="before")
    @classmethod
    def _article_text(cls, value):
        return str(value) if isinstance(value, (int, float)) else value

    @model_validator(mode="after")
    def _no_rights_for_beheerder(self):
        # Separation of duties: the functional administrator manages accounts and the
        # convenant itself and never gets case or audit rights — not even from a convenant
        # they loaded themselves.
        if "beheerder" in self.roles:
            raise ValueError("de rol beheerder krijgt geen rechten uit het convenant (scheiding van functies)")
        return self

    @model_validator(mode="after")
    def _categories_where_needed(self):
        if CATEGORY_ACTIONS & set(self.actions) and not self.categories:
            raise ValueError("een regel voor read, register of reveal noemt de gegevenscategorieën")
        return self


class ConvenantFile(Strict):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=100)
    title: str = Field(min_length=1, max_length=300)
    version: int = Field(ge=1)
    effective_from: date
    effective_until: date | None = None
    purpose: str = Field(min_length=1)
    legal_bases: list[LegalBasis] = Field(min_length=1)
    retention: Retention
    matching: Matching
    deadlines: Deadlines = Deadlines()
    data_categories: list[DataCategoryIn] = Field(min_length=1)
    organisations: list[OrganisationIn] = Field(min_length=1)
    rules: list[RuleIn] = Field(min_length=1)


class FileProblem(ValueError):
    """A refusal naming file, line and field."""

    def __init__(self, filename: str, line: int | None, field: str, message: str):
        self.filename, self.line, self.field, self.message = filename, line, field, message
        where = f"{filename}, regel {line}" if line else filename
        super().__init__(f"{where}, veld {field}: {message}")


# -- YAML with line numbers ---------------------------------------------------------------


def _lines(node, path=()) -> dict[tuple, int]:
    """Map every path in the YAML document (keys and list indexes) to its 1-based line."""
    found = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            sub = path + (key_node.value,)
            found[sub] = key_node.start_mark.line + 1
            found.update({k: v for k, v in _lines(value_node, sub).items() if k != sub})
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            found.update(_lines(item, path + (index,)))
    return found


def _field_name(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(bestand)"


def _closest_line(lines: dict[tuple, int], path: tuple) -> int | None:
    while path:
        if path in lines:
            return lines[path]
        path = path[:-1]
    return lines.get(())


class LineMap:
    """Where each path of one parsed file stands, so that checks made after parsing (the
    loader's, against what is already in the database) name file, line and field too."""

    def __init__(self, filename: str, lines: dict[tuple, int]):
        self.filename, self.lines = filename, lines

    def line(self, path: tuple) -> int | None:
        return _closest_line(self.lines, tuple(path))

    def problem(self, path: tuple, message: str) -> FileProblem:
        path = tuple(path)
        return FileProblem(self.filename, self.line(path), _field_name(path), message)


def parse(text: str, filename: str) -> ConvenantFile:
    return parse_with_lines(text, filename)[0]


def parse_with_lines(text: str, filename: str) -> tuple[ConvenantFile, LineMap]:
    """Validate the whole file; returns it with its line map. Raises ``FileProblem``."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise FileProblem(filename, mark.line + 1 if mark else None, "(yaml)", f"geen geldige YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise FileProblem(filename, 1, "(bestand)", "een convenant is een YAML-mapping met sleutels")
    lines = _lines(node)
    try:
        parsed = ConvenantFile.model_validate(data)
    except ValidationError as exc:
        # A misspelt key also shows up as a missing one; naming the typo's own line helps most.
        error = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")[0]
        # pydantic adds union member names ("literal[...]") to the location: drop them.
        path = tuple(p for p in error["loc"] if isinstance(p, int) or "[" not in p)
        message = _dutch(error)
        raise FileProblem(filename, _closest_line(lines, path), _field_name(path), message) from exc
    _cross_check(parsed, lines, filename)
    return parsed, LineMap(filename, lines)


def _dutch(error: dict) -> str:
    kind = error["type"]
    if kind == "missing":
        return "ontbreekt"
    if kind == "extra_forbidden":
        return "onbekend veld (tikfout?)"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        return f"onbekende waarde {error.get('input')!r}; toegestaan: {expected.replace(' or ', ' of ')}"
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return "verwacht een datum JJJJ-MM-DD"
    if kind in ("int_parsing", "int_type"):
        return "verwacht een geheel getal"
    if kind == "greater_than_equal":
        return f"moet minstens {error['ctx']['ge']} zijn"
    if kind == "too_short":
        return "mag niet leeg zijn"
    if kind == "string_pattern_mismatch":
        return "alleen kleine letters, cijfers en streepjes"
    if kind == "value_error":
        return str(error.get("ctx", {}).get("error", error["msg"]))
    return error["msg"]


def _cross_check(parsed: ConvenantFile, lines, filename: str) -> None:
    def problem(path: tuple, message: str):
        raise FileProblem(filename, _closest_line(lines, path), _field_name(path), message)

    if parsed.effective_until is not None and parsed.effective_until <= parsed.effective_from:
        problem(("effective_until",), "ligt niet na effective_from")
    categories = [c.key for c in parsed.data_categories]
    for i, key in enumerate(categories):
        if key in categories[:i]:
            problem(("data_categories", i, "key"), f"gegevenscategorie {key!r} staat er twee keer in")
    seen: dict[str, list[OrganisationIn]] = {}
    for i, org in enumerate(parsed.organisations):
        for other in seen.get(org.key, []):
            if _overlap(org, other):
                problem(("organisations", i, "key"), f"partij {org.key!r} staat er twee keer in met overlappende periodes")
            if other.kind != org.kind:
                problem(("organisations", i, "kind"), f"partij {org.key!r} heeft twee verschillende soorten")
        seen.setdefault(org.key, []).append(org)
    articles: list[str] = []
    for i, rule in enumerate(parsed.rules):
        if rule.article in articles:
            problem(("rules", i, "article"), f"artikel {rule.article} staat er twee keer in")
        articles.append(rule.article)
        for j, category in enumerate(rule.categories):
            if category not in categories:
                problem(("rules", i, "categories", j), f"onbekende gegevenscategorie {category!r}")


def _overlap(a: OrganisationIn, b: OrganisationIn) -> bool:
    far = date.max
    return a.joined_on < (b.left_on or far) and b.joined_on < (a.left_on or far)
