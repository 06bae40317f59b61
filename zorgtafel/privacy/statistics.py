"""Anonymous statistics with small-cell suppression: a count below 5 shows as "<5", and a
total is shown only where no cell it sums is suppressed, so no hidden cell can be
recomputed from what is shown. Counts of erased cases come from the archive."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from zorgtafel.auth.models import Organisation
from zorgtafel.cases import catalogue, workflow
from zorgtafel.cases.models import Case, Match, Signal
from zorgtafel.convenant import policy
from zorgtafel.core.timeutil import today_local
from zorgtafel.extensions import db
from zorgtafel.privacy.models import StatisticsArchive

THRESHOLD = 5
SUPPRESSED = "<5"
#: a cell hidden only so that a small one cannot be worked out from the total
SECONDARY = "•"


def shown(n: int) -> int | str:
    return SUPPRESSED if n < THRESHOLD else n


@dataclass
class Table:
    key: str
    title: str
    label: str  # the header of the first column
    rows: list[tuple[str, int]] = field(default_factory=list)
    note: str = ""

    @property
    def cells(self) -> list[tuple[str, int | str]]:
        """Small counts show as "<5". The population total is known from other tables (or
        as a cell of its own), so a table with exactly one hidden cell would give it away:
        then the smallest other cell is hidden too (secondary suppression)."""
        cells = [(name, shown(n)) for name, n in self.rows]
        hidden = [i for i, (_, v) in enumerate(cells) if v == SUPPRESSED]
        if len(hidden) == 1 and len(cells) > 1:
            smallest = min((i for i in range(len(cells)) if i not in hidden), key=lambda i: self.rows[i][1])
            cells[smallest] = (cells[smallest][0], SECONDARY)
        return cells

    @property
    def total(self) -> int | str | None:
        """Only when nothing it sums is hidden."""
        if not self.rows or any(not isinstance(v, int) for _, v in self.cells):
            return None
        return sum(n for _, n in self.rows)


def convenants_for(actor) -> list[str]:
    """The convenants whose statistics this actor may read (read_statistics)."""
    return [c.key for c in policy.convenants_of(actor)
            if policy.decide(actor, "read_statistics", policy.Target(c.key)).allowed]


def _merge(live: list[tuple[str, int]], archived: list[tuple[str, int]]) -> list[tuple[str, int]]:
    total: dict[str, int] = {}
    for name, n in live + archived:
        total[name] = total.get(name, 0) + n
    return sorted(total.items())


def _archived(keys, metric: str, dimension: str, by_month: bool = False) -> list[tuple[str, int]]:
    column = StatisticsArchive.month if by_month else StatisticsArchive.key
    return [(k, int(n)) for k, n in db.session.execute(
        select(column, func.sum(StatisticsArchive.count))
        .where(StatisticsArchive.convenant_key.in_(keys), StatisticsArchive.metric == metric,
               StatisticsArchive.dimension == dimension).group_by(column))]


def tables(actor, months: int = 12) -> list[Table]:
    keys = convenants_for(actor)
    if not keys:
        return []
    since = today_local().replace(day=1) - timedelta(days=31 * (months - 1))
    since = since.replace(day=1)
    in_scope = Case.convenant_key.in_(keys)
    month = func.to_char(Signal.observed_on, "YYYY-MM")

    by_month = db.session.execute(select(month, func.count()).select_from(Signal).join(Case, Case.id == Signal.case_id)
                                  .where(in_scope, Signal.observed_on >= since).group_by(month)).all()
    by_category = db.session.execute(select(Signal.category, func.count()).select_from(Signal).join(Case, Case.id == Signal.case_id)
                                     .where(in_scope).group_by(Signal.category)).all()
    by_kind = db.session.execute(select(Organisation.kind, func.count()).select_from(Signal)
                                 .join(Case, Case.id == Signal.case_id)
                                 .join(Organisation, Organisation.id == Signal.organisation_id)
                                 .where(in_scope).group_by(Organisation.kind)).all()
    match_month = func.to_char(Match.created_at, "YYYY-MM")
    matches = db.session.execute(select(match_month, func.count()).select_from(Match).join(Case, Case.id == Match.case_id)
                                 .where(in_scope).group_by(match_month)).all()
    statuses = dict(db.session.execute(select(Case.status, func.count()).where(in_scope).group_by(Case.status)).all())

    archived_months = [(m, n) for m, n in _archived(keys, "signals", "category", by_month=True) if m >= since.strftime("%Y-%m")]
    result = [
        Table("signals_by_month", "Signalen per maand", "Maand", _merge(list(by_month), archived_months)),
        Table("signals_by_category", "Signalen per soort", "Soort",
              [(catalogue.label(k), n) for k, n in _merge(list(by_category), _archived(keys, "signals", "category"))]),
        Table("signals_by_organisation_kind", "Signalen per soort organisatie", "Soort organisatie",
              _merge(list(by_kind), _archived(keys, "signals", "organisation_kind"))),
        Table("matches_by_month", "Matches per maand", "Maand",
              _merge(list(matches), _archived(keys, "matches", "-", by_month=True))),
        Table("cases_by_status", "Casussen per status", "Status",
              [(workflow.label(s), statuses.get(s, 0)) for s in workflow.STATUSES if statuses.get(s)]),
    ]
    for extra in EXTRA_TABLES:
        result.extend(extra(actor, keys))
    return result


#: later rooms (meetings: time from match to first overleg, open and overdue actions) add
#: tables here: (actor, convenant keys) -> [Table]
EXTRA_TABLES: list = []
