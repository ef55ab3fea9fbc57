"""SQL of the statistics (issue 6): grouped counts for :mod:`justice_desktop.statistics`, the
records behind each figure, and the prevention fields of a case.

Public API (everything runs on the database worker; no Qt):

* :func:`mediation_report` ``(store, period) -> MediationReport`` — the 人民调解 table;
* :func:`case_ids` ``(store, key, period) -> list[str]`` — the cases behind a figure;
* :func:`monthly_series` ``(store, year) -> list[MonthPoint]`` — cases / successes / rate per
  month, for charts;
* :func:`understander_report` ``(store, year) -> UnderstanderReport`` — 法律明白人 per village
  against the quota and training hours against the target; :func:`village_quota`,
  :func:`set_village_quota`;
* :func:`adviser_report` ``(store, year, until) -> AdviserReport`` — advisers' on-site visits
  and lectures against the minimums;
* :func:`record_prevention` — sets a case's 排查/防止… fields (migration 3).

The report is two grouped passes over the period, each an index range scan of a covering index
(``cases_stats_registered``, ``cases_stats_succeeded``: migration 7, widened by migration 8 to
cover the drill-down lists too), so a year of a million-case database is read without touching
the case rows; the settled pass joins each case's agreement form (``agreements_stats_form``). See the docstring of
:mod:`justice_desktop.statistics.tables` for which date counts a case into a period.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.case_inputs import validate_prevention
from justice_desktop.domain.consultations import (
    LECTURE_KIND,
    MONTHLY_VISIT_HOURS,
    AdviserShortfall,
)
from justice_desktop.domain.understanders import HoursShortfall
from justice_desktop.statistics.periods import Period, months_of_year
from justice_desktop.statistics.tables import (
    ALL,
    AMOUNT,
    BODY_TYPE,
    DIFFICULT,
    DISPUTE_SUBTYPE,
    DISPUTE_TYPE,
    FORM,
    PARTIES,
    PREVENTED_DISPUTES,
    PREVENTION,
    REGISTERED,
    SCREENED,
    SOURCE,
    SOURCE_SUB,
    SUCCEEDED,
    Cell,
    Column,
    DrillKey,
    MediationReport,
    RegisteredGroup,
    StatRow,
    StatTable,
    SucceededGroup,
    build_mediation_report,
    success_rate,
)
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.consultations import AdviserLogService
from justice_desktop.store.database import Store
from justice_desktop.store.understanders import UnderstanderService, roster_villages
from justice_desktop.validation import ValidationError

__all__ = [
    "DEFAULT_VILLAGE_QUOTA",
    "QUOTA_SETTING",
    "AdviserReport",
    "AdviserRow",
    "MonthPoint",
    "UnderstanderReport",
    "VillageQuota",
    "adviser_report",
    "case_ids",
    "mediation_report",
    "monthly_series",
    "record_ids",
    "record_prevention",
    "report_until",
    "set_village_quota",
    "understander_report",
    "village_quota",
]

QUOTA_SETTING = "understander_village_quota"
DEFAULT_VILLAGE_QUOTA = 3  # 培养工作规范: at least 3 per administrative village

# Measures of the 法律明白人 and adviser tables (their drill-downs are not cases).
UNDERSTANDERS = "understanders"  # active understanders of a village (code = village)
HOURS_SHORT = "hours_short"  # active understanders short of the yearly hours (code = village)
# An adviser's entries behind a figure of the year (code = adviser): the on-site entries of
# the village-months that reached the monthly hours, the lectures of the ended quarters.
ADVISER_VISITS = "adviser_visits"
ADVISER_LECTURES = "adviser_lectures"


# -- the 人民调解 table --------------------------------------------------------------------------
def _body_types(store: Store) -> dict[str, str]:
    rows = store.query("SELECT id, body_type FROM committees")
    return {str(r["id"]): str(r["body_type"]) for r in rows}


def _prevented(text: Any) -> tuple[str, ...]:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return ()
    if not isinstance(value, list):
        return ()
    return tuple(str(v) for v in value)


# Both passes group twice: first by the date and the codes, which is the order of the covering
# index (the rows stream out of the range scan already grouped, no sorting), then the few
# thousand day groups by the codes alone. Grouping the period's cases directly by the codes
# sorts every case of the period: 5x slower over a year of a million-case database.
_REGISTERED_SQL = """
SELECT committee_id, source, source_sub, dispute_type, dispute_subtype, prevented,
       sum(n), sum(parties), sum(difficult), sum(screened), sum(people)
FROM (SELECT registered_on, committee_id, source, source_sub, dispute_type, dispute_subtype,
             prevented, count(*) AS n, sum(party_count) AS parties,
             sum(difficult != 0) AS difficult, sum(from_screening != 0) AS screened,
             sum(prevented_people) AS people
      FROM cases INDEXED BY cases_stats_registered
      WHERE deleted = 0 AND registered_on BETWEEN ? AND ?
      GROUP BY registered_on, committee_id, source, source_sub, dispute_type, dispute_subtype,
               prevented)
GROUP BY committee_id, source, source_sub, dispute_type, dispute_subtype, prevented"""


def registered_groups(store: Store, period: Period) -> list[RegisteredGroup]:
    """One pass over ``cases_stats_registered``: cases registered in ``period`` grouped."""
    bodies = _body_types(store)
    rows = store.conn.execute(_REGISTERED_SQL, (period.first_iso, period.last_iso)).fetchall()
    return [
        RegisteredGroup(
            body_type=bodies.get(r[0], ""),
            source=r[1],
            source_sub=r[2],
            dispute_type=r[3],
            dispute_subtype=r[4],
            prevented=_prevented(r[5]),
            cases=int(r[6]),
            parties=int(r[7] or 0),
            difficult=int(r[8] or 0),
            screened=int(r[9] or 0),
            prevented_people=int(r[10] or 0),
        )
        for r in rows
    ]


_FORM_OF_CASE = "(SELECT max(a.form) FROM agreements a WHERE a.case_id = c.id AND a.deleted = 0)"

# Sums of one agreement form inside a group of the settled pass: cases, amount, cases with an
# amount, cases found by screening.
_FORM_SUMS = """sum(a.form = '{f}') AS n_{f},
             sum(CASE WHEN a.form = '{f}' THEN c.amount_cents ELSE 0 END) AS amount_{f},
             sum(a.form = '{f}' AND c.amount_cents > 0) AS with_amount_{f},
             sum(a.form = '{f}' AND c.from_screening != 0) AS screened_{f}"""

# The form of a settled case is the form of its (not deleted) agreement, joined rather than
# looked up by a correlated subquery (the join runs inside the scan's loop: half the time).
# A case with two agreements would be counted twice by the join: the caller compares the
# joined rows with the settled cases (and the forms met with the two the schema allows) and
# falls back to :data:`_SUCCEEDED_EXACT_SQL` when they differ.
_SUCCEEDED_SQL = f"""
SELECT committee_id, source, source_sub, dispute_type, dispute_subtype,
       sum(n), sum(amount), sum(with_amount), sum(screened),
       sum(n_written), sum(amount_written), sum(with_amount_written), sum(screened_written),
       sum(n_oral), sum(amount_oral), sum(with_amount_oral), sum(screened_oral), sum(agreed)
FROM (SELECT c.outcome_on, c.committee_id, c.source, c.source_sub, c.dispute_type,
             c.dispute_subtype, count(*) AS n, sum(c.amount_cents) AS amount,
             sum(c.amount_cents > 0) AS with_amount, sum(c.from_screening != 0) AS screened,
             count(a.form) AS agreed,
             {_FORM_SUMS.format(f="written")},
             {_FORM_SUMS.format(f="oral")}
      FROM cases c INDEXED BY cases_stats_succeeded
      LEFT JOIN agreements a ON a.case_id = c.id AND a.deleted = 0
      WHERE c.deleted = 0 AND c.outcome = 'success' AND c.outcome_on BETWEEN ? AND ?
      GROUP BY c.outcome_on, c.committee_id, c.source, c.source_sub, c.dispute_type,
               c.dispute_subtype)
GROUP BY committee_id, source, source_sub, dispute_type, dispute_subtype"""

_SUCCEEDED_COUNT_SQL = """SELECT count(*) FROM cases INDEXED BY cases_stats_succeeded
    WHERE deleted = 0 AND outcome = 'success' AND outcome_on BETWEEN ? AND ?"""

# Exact for any number of agreements per case (the most formal form counts), slower.
_SUCCEEDED_EXACT_SQL = f"""
SELECT committee_id, source, source_sub, dispute_type, dispute_subtype, {_FORM_OF_CASE} AS form,
       count(*), sum(amount_cents), sum(amount_cents > 0), sum(from_screening != 0)
FROM cases c
WHERE deleted = 0 AND outcome = 'success' AND outcome_on BETWEEN ? AND ?
GROUP BY committee_id, source, source_sub, dispute_type, dispute_subtype, form"""


def _by_form(r: Sequence[Any]) -> list[tuple[str | None, int, int, int, int]]:
    """(form, cases, amount, with amount, screened) of one row of :data:`_SUCCEEDED_SQL`,
    the cases without an agreement under ``None``; forms without cases left out."""
    n, amount, with_amount, screened = (int(v or 0) for v in r[5:9])
    out: list[tuple[str | None, int, int, int, int]] = []
    for form, i in (("written", 9), ("oral", 13)):
        fn, fa, fw, fs = (int(v or 0) for v in r[i : i + 4])
        n, amount, with_amount, screened = n - fn, amount - fa, with_amount - fw, screened - fs
        if fn:
            out.append((form, fn, fa, fw, fs))
    if n:
        out.append((None, n, amount, with_amount, screened))
    return out


def succeeded_groups(store: Store, period: Period) -> list[SucceededGroup]:
    """One pass over ``cases_stats_succeeded``: cases settled in ``period`` grouped, with the
    form of their agreement (``agreements_stats_form``)."""
    bodies = _body_types(store)
    bounds = (period.first_iso, period.last_iso)
    rows = store.conn.execute(_SUCCEEDED_SQL, bounds).fetchall()
    joined = sum(int(r[5]) for r in rows)
    other_forms = any(int(r[17] or 0) != int(r[9] or 0) + int(r[13] or 0) for r in rows)
    if other_forms or joined != int(store.conn.execute(_SUCCEEDED_COUNT_SQL, bounds).fetchone()[0]):
        return _succeeded_groups_exact(store, bodies, period)
    return [
        SucceededGroup(
            body_type=bodies.get(r[0], ""),
            source=r[1],
            source_sub=r[2],
            dispute_type=r[3],
            dispute_subtype=r[4],
            form=form,
            cases=cases,
            amount_cents=amount,
            with_amount=with_amount,
            screened=screened,
        )
        for r in rows
        for form, cases, amount, with_amount, screened in _by_form(r)
    ]


def _succeeded_groups_exact(
    store: Store, bodies: dict[str, str], period: Period
) -> list[SucceededGroup]:
    rows = store.conn.execute(_SUCCEEDED_EXACT_SQL, (period.first_iso, period.last_iso)).fetchall()
    return [
        SucceededGroup(
            body_type=bodies.get(r[0], ""),
            source=r[1],
            source_sub=r[2],
            dispute_type=r[3],
            dispute_subtype=r[4],
            form=r[5],
            cases=int(r[6]),
            amount_cents=int(r[7] or 0),
            with_amount=int(r[8] or 0),
            screened=int(r[9] or 0),
        )
        for r in rows
    ]


def _office_name(store: Store) -> str:
    name = store.scalar("SELECT name FROM offices WHERE deleted = 0 ORDER BY created_at LIMIT 1")
    return str(name or "")


def mediation_report(
    store: Store, period: Period, tables: dict[str, CodeTable] | None = None
) -> MediationReport:
    """The 人民调解 statistics table of ``period`` (code tables loaded unless given)."""
    tables = tables if tables is not None else load_tables(store)
    return build_mediation_report(
        period,
        registered_groups(store, period),
        succeeded_groups(store, period),
        tables,
        office_name=_office_name(store),
    )


# -- drill-down ----------------------------------------------------------------------------
def _codes_counted_as(table: CodeTable | None, code: str) -> list[str]:
    """``code`` and every code counted under it (superseded office codes)."""
    if table is None or not table.has(code):
        return [code]
    return [c for c in table.codes() if table.canonical(c) == code] or [code]


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join('?' * len(values))})"


def case_ids(
    store: Store,
    key: DrillKey,
    period: Period,
    tables: dict[str, CodeTable] | None = None,
) -> list[str]:
    """The ids of the (not deleted) cases behind the figure ``key`` of ``period``'s report,
    in registration order. Raises ``ValueError`` for a key that is not about cases."""
    tables = tables if tables is not None else load_tables(store)
    where = ["c.deleted = 0"]
    params: list[Any] = []
    # each side read from its covering index (migration 8), never from the case rows
    if key.measure in (REGISTERED, PARTIES, DIFFICULT, SCREENED, PREVENTION):
        index = "cases_stats_registered"
        where.append("c.registered_on BETWEEN ? AND ?")
    elif key.measure in (SUCCEEDED, AMOUNT, PREVENTED_DISPUTES):
        index = "cases_stats_succeeded"
        where += ["c.outcome = 'success'", "c.outcome_on BETWEEN ? AND ?"]
    else:
        raise ValueError(f"not a case figure: {key}")
    params += [period.first_iso, period.last_iso]
    if key.measure == DIFFICULT:
        where.append("c.difficult != 0")
    elif key.measure == AMOUNT:
        where.append("c.amount_cents > 0")
    elif key.measure in (SCREENED, PREVENTED_DISPUTES):
        where.append("c.from_screening != 0")
    code = key.code
    if key.dimension != ALL and code is None:
        raise ValueError(f"drill-down key without a code: {key}")
    if key.dimension == ALL:
        pass
    elif key.dimension == BODY_TYPE:
        assert code is not None
        codes = _codes_counted_as(tables.get("body_types"), code)
        where.append(
            f"c.committee_id IN (SELECT id FROM committees WHERE {_in('body_type', codes)})"
        )
        params += codes
    elif key.dimension in (SOURCE, SOURCE_SUB, DISPUTE_TYPE, DISPUTE_SUBTYPE):
        assert code is not None
        table = tables.get(
            "case_sources" if key.dimension.startswith("source") else "dispute_types"
        )
        codes = _codes_counted_as(table, code)
        where.append(_in(f"c.{key.dimension}", codes))
        params += codes
    elif key.dimension == FORM:
        where.append(f"{_FORM_OF_CASE} = ?")
        params.append(code)
    elif key.dimension == PREVENTION:
        where.append(
            "json_valid(c.prevented) AND EXISTS (SELECT 1 FROM json_each(c.prevented) AS p "
            "WHERE p.value = ?)"
        )
        params.append(code)
    else:
        raise ValueError(f"unknown drill-down dimension: {key}")
    rows = store.conn.execute(
        f"SELECT c.id FROM cases c INDEXED BY {index} WHERE {' AND '.join(where)} "
        "ORDER BY c.registered_on, c.id",
        tuple(params),
    ).fetchall()
    return [str(r[0]) for r in rows]


def record_ids(
    store: Store, key: DrillKey, period: Period, *, until: date | None = None
) -> tuple[str, list[str]]:
    """(table name, ids) of the records behind any figure: cases for the 人民调解 table,
    ``understanders`` for the village quota and hours tables, ``adviser_logs`` for advisers
    (the figures of ``period``'s year up to ``until``, as :func:`adviser_report`; default
    :func:`report_until` of today)."""
    if key.measure in (ADVISER_VISITS, ADVISER_LECTURES):
        year = period.start.year
        last = until if until is not None else report_until(year, store.clock().date())
        return "adviser_logs", _adviser_entries(store, key, year, last)
    if key.measure == UNDERSTANDERS:
        rows = store.conn.execute(
            "SELECT id FROM understanders WHERE deleted = 0 AND status = 'active'"
            + (" AND village = ?" if key.code is not None else "")
            + " ORDER BY village, villager_group, name",
            (key.code,) if key.code is not None else (),
        ).fetchall()
        return "understanders", [str(r[0]) for r in rows]
    if key.measure == HOURS_SHORT:
        short = UnderstanderService(store, {}).shortfalls(period.start.year)
        return "understanders", [
            h.understander_id for h in short if key.code is None or h.village == key.code
        ]
    return "cases", case_ids(store, key, period)


def _adviser_entries(store: Store, key: DrillKey, year: int, until: date) -> list[str]:
    """The entries behind an adviser's 实地服务 or 讲座 figure of ``year`` up to ``until``:
    in the villages credited to the adviser (:meth:`AdviserLogService.assignments`), whoever
    wrote them, in the months (quarters) ended by ``until``."""
    service = AdviserLogService(store, {})
    villages = {
        v for v, who in service.assignments(year).items() if key.code is None or who == key.code
    }
    months = _ended(year, until + timedelta(days=1), 1)
    rows = [
        r
        for r in service.entries(year=year)
        if r["village"] in villages and int(str(r["started_at"])[5:7]) <= months
    ]
    if key.measure == ADVISER_LECTURES:
        last_month = 3 * _ended(year, until + timedelta(days=1), 3)
        chosen = [
            r
            for r in rows
            if r["kind"] == LECTURE_KIND and int(str(r["started_at"])[5:7]) <= last_month
        ]
    else:
        hours: dict[tuple[str, str], float] = {}
        on_site = [r for r in rows if r["on_site"]]
        for r in on_site:
            month = (str(r["village"]), str(r["started_at"])[5:7])
            hours[month] = hours.get(month, 0.0) + float(r["hours"])
        chosen = [
            r
            for r in on_site
            if hours[(str(r["village"]), str(r["started_at"])[5:7])] >= MONTHLY_VISIT_HOURS
        ]
    return [str(r["id"]) for r in sorted(chosen, key=lambda r: (str(r["started_at"]), r["id"]))]


# -- per month, for charts -------------------------------------------------------------------
@dataclass(frozen=True)
class MonthPoint:
    period: Period  # the month (label: "2025年6月")
    registered: int  # 受理 in the month
    succeeded: int  # 调解成功 in the month (outcome date)

    @property
    def month(self) -> int:
        return self.period.start.month

    @property
    def success_rate(self) -> float | None:
        return success_rate(self.succeeded, self.registered)

    @property
    def registered_key(self) -> DrillKey:
        return DrillKey(REGISTERED)  # with ``self.period``

    @property
    def succeeded_key(self) -> DrillKey:
        return DrillKey(SUCCEEDED)  # with ``self.period``


def monthly_series(store: Store, year: int) -> list[MonthPoint]:
    """The 12 months of ``year``: cases registered, settled and the success rate of each."""
    first, last = f"{year:04d}-01-01", f"{year:04d}-12-31"
    # per day first (the order of the index: no sorting), then the days per month
    registered = dict(
        store.conn.execute(
            """SELECT substr(d, 6, 2), sum(n) FROM (
                   SELECT registered_on AS d, count(*) AS n
                   FROM cases INDEXED BY cases_stats_registered
                   WHERE deleted = 0 AND registered_on BETWEEN ? AND ? GROUP BY registered_on)
               GROUP BY 1""",
            (first, last),
        ).fetchall()
    )
    succeeded = dict(
        store.conn.execute(
            """SELECT substr(d, 6, 2), sum(n) FROM (
                   SELECT outcome_on AS d, count(*) AS n
                   FROM cases INDEXED BY cases_stats_succeeded
                   WHERE deleted = 0 AND outcome = 'success' AND outcome_on BETWEEN ? AND ?
                   GROUP BY outcome_on)
               GROUP BY 1""",
            (first, last),
        ).fetchall()
    )
    return [
        MonthPoint(
            p,
            int(registered.get(f"{p.start.month:02d}", 0)),
            int(succeeded.get(f"{p.start.month:02d}", 0)),
        )
        for p in months_of_year(year)
    ]


# -- prevention fields of a case ---------------------------------------------------------------
def record_prevention(
    store: Store,
    user_id: str,
    case_id: str,
    *,
    from_screening: bool,
    prevented: Sequence[str] = (),
    prevented_people: int = 0,
) -> None:
    """Set what the prevention block counts for a case: found by screening (排查), and which
    escalations the mediation prevented (:data:`PREVENTION_KINDS`) with how many people."""
    ordered, people = validate_prevention(prevented, prevented_people)
    with store.tx(user_id) as tx:
        tx.require("cases", case_id)
        tx.update(
            "cases",
            case_id,
            {
                "from_screening": int(from_screening),
                "prevented": json.dumps(ordered),
                "prevented_people": people,
            },
        )


# -- 法律明白人 ----------------------------------------------------------------------------------
def village_quota(store: Store) -> int:
    """法律明白人 wanted per village (setting; default 3, the national minimum)."""
    value = store.scalar(
        "SELECT value FROM settings WHERE key = ? AND deleted = 0", (QUOTA_SETTING,)
    )
    try:
        return int(value) if value is not None else DEFAULT_VILLAGE_QUOTA
    except ValueError:
        return DEFAULT_VILLAGE_QUOTA


def set_village_quota(store: Store, user_id: str, quota: int) -> None:
    if not 1 <= quota <= 50:
        raise ValidationError("quota", "每村法律明白人配备数应在1到50人之间。")
    with store.tx(user_id) as tx:
        existing = tx.conn.execute(
            "SELECT id FROM settings WHERE key = ?", (QUOTA_SETTING,)
        ).fetchone()
        if existing:
            tx.update("settings", existing[0], {"value": str(quota), "deleted": 0})
        else:
            tx.insert("settings", {"key": QUOTA_SETTING, "value": str(quota)})


@dataclass(frozen=True)
class VillageQuota:
    village: str
    active: int  # active understanders on the roster
    quota: int

    @property
    def missing(self) -> int:
        return max(0, self.quota - self.active)


@dataclass(frozen=True)
class UnderstanderReport:
    year: int
    quota: int  # per village
    target_hours: float  # per person and year
    villages: tuple[VillageQuota, ...]  # every village, sorted
    people: tuple[HoursShortfall, ...]  # every active understander with hours in ``year``

    @property
    def short_villages(self) -> list[VillageQuota]:
        return [v for v in self.villages if v.missing]

    @property
    def short_people(self) -> list[HoursShortfall]:
        return [p for p in self.people if p.hours < p.target]

    def quota_table(self) -> StatTable:
        """Per village: 现有人数 / 应配备 / 缺额 / 学时未达标人数 (drill: the people)."""
        short_by_village: dict[str, int] = {}
        for p in self.short_people:
            short_by_village[p.village] = short_by_village.get(p.village, 0) + 1
        rows = [
            StatRow(
                "合计",
                (
                    Cell(sum(v.active for v in self.villages), DrillKey(UNDERSTANDERS)),
                    Cell(self.quota * len(self.villages)),
                    Cell(sum(v.missing for v in self.villages)),
                    Cell(len(self.short_people), DrillKey(HOURS_SHORT)),
                ),
                total=True,
            )
        ]
        for v in self.villages:
            rows.append(
                StatRow(
                    v.village,
                    (
                        Cell(v.active, DrillKey(UNDERSTANDERS, "village", v.village)),
                        Cell(v.quota),
                        Cell(v.missing),
                        Cell(
                            short_by_village.get(v.village, 0),
                            DrillKey(HOURS_SHORT, "village", v.village),
                        ),
                    ),
                    code=v.village,
                )
            )
        return StatTable(
            "understanders",
            f"法律明白人配备与培训情况（{self.year}年）",
            (
                Column("active", "现有人数（人）", "人"),
                Column("quota", "应配备（人）", "人"),
                Column("missing", "缺额（人）", "人"),
                Column("hours_short", f"培训未达{self.target_hours:g}学时（人）", "人"),
            ),
            tuple(rows),
            note=f"每村（社区）应配备{self.quota}名；年度培训目标{self.target_hours:g}学时。",
        )


def _villages(store: Store) -> list[str]:
    """Villages the quota applies to: those on the roster and those with a village or
    residents' mediation committee."""
    names = set(roster_villages(store))
    rows = store.query(
        "SELECT DISTINCT village FROM committees WHERE deleted = 0 AND village != '' "
        "AND body_type IN ('village', 'residents')"
    )
    names.update(str(r["village"]) for r in rows)
    return sorted(names)


def understander_report(store: Store, year: int) -> UnderstanderReport:
    service = UnderstanderService(store, {})
    quota = village_quota(store)
    counts = service.count_by_village()
    villages = tuple(VillageQuota(v, counts.get(v, 0), quota) for v in _villages(store))
    return UnderstanderReport(
        year=year,
        quota=quota,
        target_hours=service.yearly_target(),
        villages=villages,
        people=tuple(service.hours_by_person(year)),
    )


# -- legal advisers --------------------------------------------------------------------------
@dataclass(frozen=True)
class AdviserRow:
    adviser: str
    villages: int  # villages served (the adviser of the latest entry of each village)
    visits_done: int  # village-months with on-site service of at least 4 hours
    visits_required: int  # villages × months ended by ``until`` (their last day ≤ until)
    lectures_done: int  # village-quarters with at least one lecture
    lectures_required: int  # villages × quarters ended by ``until`` (last day ≤ until)

    @property
    def falls_short(self) -> bool:
        return self.visits_done < self.visits_required or (
            self.lectures_done < self.lectures_required
        )


@dataclass(frozen=True)
class AdviserReport:
    year: int
    until: date  # the last day covered
    rows: tuple[AdviserRow, ...]  # one per adviser, sorted by name
    shortfalls: tuple[AdviserShortfall, ...]  # village by village, month by month

    @property
    def short_advisers(self) -> list[AdviserRow]:
        return [r for r in self.rows if r.falls_short]

    def table(self) -> StatTable:
        rows = [
            StatRow(
                r.adviser,
                (
                    Cell(r.villages),
                    Cell(r.visits_done, DrillKey(ADVISER_VISITS, "adviser", r.adviser)),
                    Cell(r.visits_required),
                    Cell(r.lectures_done, DrillKey(ADVISER_LECTURES, "adviser", r.adviser)),
                    Cell(r.lectures_required),
                ),
                code=r.adviser,
            )
            for r in self.rows
        ]
        return StatTable(
            "advisers",
            f"村（居）法律顾问服务情况（{self.year}年）",
            (
                Column("villages", "服务村（社区）数", "个"),
                Column("visits_done", "达标实地服务（村·月）", "次"),
                Column("visits_required", "应实地服务（村·月）", "次"),
                Column("lectures_done", "已开展讲座（村·季）", "次"),
                Column("lectures_required", "应开展讲座（村·季）", "次"),
            ),
            tuple(rows),
            note=f"每村每月至少实地服务一次、{MONTHLY_VISIT_HOURS:g}小时；每季度至少一次法治讲座。",
        )


def _ended(year: int, until: date, months_per_step: int) -> int:
    n = 0
    for step in range(1, 12 // months_per_step + 1):
        end_month = step * months_per_step
        if date(year + end_month // 12, end_month % 12 + 1, 1) > until:
            break
        n += 1
    return n


def report_until(year: int, today: date) -> date:
    """The last day an adviser report of ``year`` made on ``today`` covers: yesterday (today
    has not ended), or 31 December for a past year."""
    return min(today - timedelta(days=1), date(year, 12, 31))


def adviser_report(store: Store, year: int, until: date) -> AdviserReport:
    """Each adviser's villages against the Tianjin minimums for the months and quarters of
    ``year`` ended by ``until`` (the rules of :meth:`AdviserLogService.shortfalls`).

    ``until`` is the last day the figures cover (printed as 截至…): a month or quarter whose
    last day is ``until`` or earlier has ended, so 31 December covers the whole year."""
    service = AdviserLogService(store, {})
    assignments = service.assignments(year)
    # the shared rule counts a month once its evaluation day reaches the next month's first day
    evaluated = until + timedelta(days=1)
    shortfalls = service.shortfalls(assignments, year, evaluated)
    months, quarters = _ended(year, evaluated, 1), _ended(year, evaluated, 3)
    villages_of: dict[str, int] = {}
    for adviser in assignments.values():
        villages_of[adviser] = villages_of.get(adviser, 0) + 1
    short_visits: dict[str, int] = {}
    short_lectures: dict[str, int] = {}
    for s in shortfalls:
        target = short_visits if s.kind == "visit" else short_lectures
        target[s.adviser] = target.get(s.adviser, 0) + 1
    rows = tuple(
        AdviserRow(
            adviser=a,
            villages=n,
            visits_done=n * months - short_visits.get(a, 0),
            visits_required=n * months,
            lectures_done=n * quarters - short_lectures.get(a, 0),
            lectures_required=n * quarters,
        )
        for a, n in sorted(villages_of.items())
    )
    return AdviserReport(year, until, rows, tuple(shortfalls))
