"""Anonymous statistics with small-cell suppression: a count below 5 shows as "<5", and a
total is shown only where no cell it sums is suppressed, so no hidden cell can be
recomputed from what is shown. Counts of erased cases come from the archive.

privacy is the floor above meetings: the time from match to first overleg and the open
and overdue actiepunten are read from the meetings models directly."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Date, case, cast, func, select

from zorgtafel.auth.models import Organisation
from zorgtafel.cases import catalogue, workflow
from zorgtafel.cases.models import Case, Match, Signal
from zorgtafel.convenant import policy
from zorgtafel.core.models import utcnow
from zorgtafel.core.timeutil import today_local
from zorgtafel.core.web import N_
from zorgtafel.extensions import db
from zorgtafel.meetings.models import OPEN_ACTION_STATUSES, ActionItem, AgendaItem, Meeting
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
    #: labelled figures under the table (a count, a median), each already made safe to show
    facts: list[tuple[str, int | str]] = field(default_factory=list)

    @property
    def cells(self) -> list[tuple[str, int | str]]:
        """Small counts show as "<5". The population total is known from other tables (or
        as a cell of its own), so a table with exactly one hidden cell would give it away:
        then the smallest other cell is hidden too (secondary suppression)."""
        cells = [(name, shown(n)) for name, n in self.rows]
        hidden = {i for i, (_, v) in enumerate(cells) if v == SUPPRESSED}

        def exposed() -> bool:
            # One hidden cell equals total minus the rest; hidden cells that together stay
            # below the threshold narrow each other down too.
            # A secondary cell is known to be at least the threshold, so the hidden cells
            # together must reach twice the threshold to leave a small one undetermined.
            return len(hidden) == 1 or (hidden and sum(self.rows[i][1] for i in hidden) < 2 * THRESHOLD)

        while hidden and exposed() and len(hidden) < len(cells):
            smallest = min((i for i in range(len(cells)) if i not in hidden), key=lambda i: self.rows[i][1])
            cells[smallest] = (cells[smallest][0], SECONDARY)
            hidden.add(smallest)
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
    match_month = func.to_char(func.timezone("Europe/Amsterdam", Match.created_at), "YYYY-MM")
    matches = db.session.execute(select(match_month, func.count()).select_from(Match).join(Case, Case.id == Match.case_id)
                                 .where(in_scope).group_by(match_month)).all()
    statuses = dict(db.session.execute(select(Case.status, func.count()).where(in_scope).group_by(Case.status)).all())

    archived_months = [(m, n) for m, n in _archived(keys, "signals", "category", by_month=True) if m >= since.strftime("%Y-%m")]
    result = [
        Table("signals_by_month", N_("Signalen per maand"), N_("Maand"), _merge(list(by_month), archived_months)),
        Table("signals_by_category", N_("Signalen per soort"), N_("Soort"),
              [(catalogue.label(k), n) for k, n in _merge(list(by_category), _archived(keys, "signals", "category"))]),
        Table("signals_by_organisation_kind", N_("Signalen per soort organisatie"), N_("Soort organisatie"),
              _merge(list(by_kind), _archived(keys, "signals", "organisation_kind"))),
        Table("matches_by_month", N_("Matches per maand"), N_("Maand"),
              _merge(list(matches), _archived(keys, "matches", "-", by_month=True))),
        Table("cases_by_status", N_("Casussen per status"), N_("Status"),
              [(workflow.label(s), statuses.get(s, 0)) for s in workflow.STATUSES if statuses.get(s)]),
    ]
    result += [match_to_first_meeting(keys), open_actions(keys)]
    for extra in EXTRA_TABLES:
        result.extend(extra(actor, keys))
    return result


#: (label, highest number of days) of the time from a match to the first overleg
DAY_BANDS = ((N_("0–7 dagen"), 7), (N_("8–14 dagen"), 14), (N_("15–28 dagen"), 28), (N_("meer dan 28 dagen"), None))
NOT_YET = N_("nog geen overleg")


def _local_day(moment):
    return cast(func.timezone("Europe/Amsterdam", moment), Date)


def _days(n: float) -> str:
    return f"{n:.1f}".replace(".", ",").removesuffix(",0")


def match_to_first_meeting(keys: list[str]) -> Table:
    """Per match: the first overleg at or after it that has taken place (not cancelled) with
    the case on its agenda; the calendar days in between. Bands of days plus the matches
    not yet discussed; the count of matches with an overleg and their median days."""
    first = (select(func.min(Meeting.starts_at)).select_from(AgendaItem)
             .join(Meeting, Meeting.id == AgendaItem.meeting_id)
             .where(AgendaItem.case_id == Match.case_id, Meeting.starts_at >= Match.created_at,
                    Meeting.starts_at <= utcnow(), Meeting.status != "geannuleerd")
             .correlate(Match).scalar_subquery())
    per_match = (select((_local_day(first) - _local_day(Match.created_at)).label("days"))
                 .join(Case, Case.id == Match.case_id).where(Case.convenant_key.in_(keys)).subquery())
    days = per_match.c.days
    band = case(*((days <= top, label) for label, top in DAY_BANDS if top is not None),
                (days.is_(None), NOT_YET), else_=DAY_BANDS[-1][0])
    counts = dict(db.session.execute(select(band, func.count()).group_by(band)).all())
    with_meeting, median = db.session.execute(
        select(func.count(days), func.percentile_cont(0.5).within_group(days))).one()
    labels = [label for label, _ in DAY_BANDS] + [NOT_YET]
    table = Table("match_to_first_meeting", N_("Tijd van match tot eerste overleg"), N_("Tijd"),
                  [(label, counts[label]) for label in labels if counts.get(label)])
    if not table.rows:
        return table
    # The number with an overleg sums the bands: like a total, shown only where none of
    # them is hidden (a "<5" or a "•"), so it cannot give a hidden band away.
    bands = [value for label, value in table.cells if label != NOT_YET]
    count = shown(with_meeting) if all(isinstance(v, int) for v in bands) else N_("niet getoond")
    table.facts = [
        (N_("Matches met een eerste overleg"), count),
        (N_("Mediaan (dagen van match tot eerste overleg)"),
         _days(median) if with_meeting >= THRESHOLD else N_("te weinig matches met een overleg (minder dan 5)")),
    ]
    return table


def open_actions(keys: list[str]) -> Table:
    """The actiepunten still open or in behandeling: on time, or past their date."""
    overdue = ActionItem.due_on < today_local()
    on_time, late = db.session.execute(
        select(func.count().filter(~overdue), func.count().filter(overdue)).select_from(ActionItem)
        .join(Case, Case.id == ActionItem.case_id)
        .where(Case.convenant_key.in_(keys), ActionItem.status.in_(OPEN_ACTION_STATUSES))).one()
    return Table("open_actions", N_("Openstaande actiepunten"), N_("Stand"),
                 [(label, n) for label, n in ((N_("Op tijd"), on_time), (N_("Te laat"), late)) if n])


#: later rooms add tables here: (actor, convenant keys) -> [Table]
EXTRA_TABLES: list = []
