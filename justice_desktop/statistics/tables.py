"""The 人民调解 statistics table, computed from grouped counts (no SQL, no Qt).

Which date counts a case into a period
--------------------------------------
* **受理 side** — 调解案件总数, 涉及当事人数, 疑难复杂案件, the breakdowns' case counts, 排查纠纷
  and the 防止… rows of the prevention block: the **registration date** (``registered_on``,
  受理日期). A case is reported once, in the period it was taken in, and a report already sent
  for a past month does not change when its cases are concluded later.
* **结果 side** — 调解成功, 协议涉及金额, 协议形式 (书面/口头) and 预防纠纷: the **outcome date**
  (``outcome_on``, the day the agreement took effect). A success is reported in the period it
  was achieved, which is what the bureau's monthly 调解成功 figure means; a case registered on
  30 June and settled on 2 July is one 受理 in June and one 调解成功 in July.
* 调解成功率 = 调解成功 ÷ 调解案件总数 (受理) of the same period and the same row (domain.md),
  in percent with one decimal; empty when nothing was registered. Because the two sides are
  dated differently a single short period can exceed 100 %; over a year it does not in practice.

Every side is counted the same way in every row, so row totals add up: the body-type rows, the
top-level source rows and the top-level dispute-type rows each sum to the 合计 row; sub-rows
(法院委派…, 拖欠农民工工资…) sum to their parent. Superseded office codes are counted under the
code replacing them (:meth:`CodeTable.canonical`). Deleted (作废) cases never count.

Prevention block (fields added by migration 3 on ``cases``):
* 排查纠纷（次）: cases registered in the period marked 排查中发现 (``from_screening``); the
  program keeps no separate screening log, so each dispute found by screening is one 次.
* 预防纠纷（件）: cases found by screening (``from_screening``) settled (调解成功) in the period:
  disputes caught before they escalated.
* 防止民间纠纷引起自杀 / 转化为刑事案件 / 群体性上访 / 群体性械斗（件/人）: cases registered in the
  period whose ``prevented`` list (JSON array of :data:`PREVENTION_KINDS` codes) holds the kind;
  人 is the sum of their ``prevented_people``.

Every figure carries a :class:`DrillKey`; ``store.statistics.case_ids(store, key, period)``
returns the records behind it (for 涉及当事人数 and the 人 columns: the cases whose people are
summed; for 协议涉及金额: the settled cases with an amount).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from justice_desktop.codes.tables import CodeTable
from justice_desktop.statistics.periods import Period

__all__ = [
    "AGREEMENT_FORMS",
    "MAIN_COLUMNS",
    "PREVENTION_KINDS",
    "Cell",
    "Column",
    "DrillKey",
    "MediationReport",
    "RegisteredGroup",
    "StatRow",
    "StatTable",
    "SucceededGroup",
    "build_mediation_report",
    "cents_to_wan",
    "success_rate",
]

#: Codes of the ``prevented`` list on a case, in the report's order.
PREVENTION_KINDS: dict[str, str] = {
    "suicide": "防止民间纠纷引起自杀",
    "criminal": "防止民间纠纷转化为刑事案件",
    "group_petition": "防止群体性上访",
    "group_fight": "防止群体性械斗",
}
AGREEMENT_FORMS: dict[str, str] = {"written": "书面协议", "oral": "口头协议"}

# Drill-down measures (what set of records a figure counts).
REGISTERED = "registered"  # cases registered in the period (also: 涉及当事人数)
PARTIES = "parties"
DIFFICULT = "difficult"
SUCCEEDED = "succeeded"  # 调解成功, by outcome date
AMOUNT = "amount"  # settled cases with an agreed amount
SCREENED = "screened"  # 排查纠纷
PREVENTED_DISPUTES = "prevented_disputes"  # 预防纠纷
PREVENTION = "prevention"  # a 防止… kind (code = kind)
# Drill-down dimensions.
ALL = "all"
BODY_TYPE = "body_type"
SOURCE = "source"
SOURCE_SUB = "source_sub"
DISPUTE_TYPE = "dispute_type"
DISPUTE_SUBTYPE = "dispute_subtype"
FORM = "form"

CASE_MEASURES = frozenset(
    {REGISTERED, PARTIES, DIFFICULT, SUCCEEDED, AMOUNT, SCREENED, PREVENTED_DISPUTES, PREVENTION}
)
DIMENSIONS = frozenset(
    {ALL, BODY_TYPE, SOURCE, SOURCE_SUB, DISPUTE_TYPE, DISPUTE_SUBTYPE, FORM, PREVENTION}
)


@dataclass(frozen=True)
class DrillKey:
    """Names the records behind one figure: ``measure`` over the rows where ``dimension`` is
    ``code`` (``dimension="all"``: every row). Hashable, comparable, printable."""

    measure: str
    dimension: str = ALL
    code: str | None = None


@dataclass(frozen=True)
class Column:
    key: str
    label: str  # header text, with the unit: "调解成功（件）"
    unit: str  # "件", "人", "次", "%", "万元"
    decimals: int = 0  # digits to show after the point


@dataclass(frozen=True)
class Cell:
    value: int | float | None  # None: nothing to show (e.g. a rate over zero cases)
    key: DrillKey | None = None  # None: not a list of records (rates)


@dataclass(frozen=True)
class StatRow:
    label: str
    cells: tuple[Cell, ...]
    level: int = 0  # 0: a row; 1: a sub-row (indent it)
    code: str | None = None  # the code the row counts (None for 合计)
    total: bool = False  # the 合计 row

    @property
    def values(self) -> tuple[int | float | None, ...]:
        return tuple(c.value for c in self.cells)


@dataclass(frozen=True)
class StatTable:
    """One block of the report: a title, column headers and rows of label + numbers."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[StatRow, ...]
    note: str = ""

    def row(self, code: str | None) -> StatRow:
        """The row counting ``code`` (``None``: the 合计 row)."""
        for r in self.rows:
            if (code is None and r.total) or (code is not None and r.code == code):
                return r
        raise KeyError(code)

    def cell(self, code: str | None, column: str) -> Cell:
        index = [c.key for c in self.columns].index(column)
        return self.row(code).cells[index]

    def value(self, code: str | None, column: str) -> int | float | None:
        return self.cell(code, column).value


@dataclass(frozen=True)
class MediationReport:
    """The 人民调解 statistics of one period: :attr:`tables` in the report's order
    (``summary``, ``body_type``, ``source``, ``dispute_type``, ``agreement_form``,
    ``prevention``)."""

    title: str
    period: Period
    tables: tuple[StatTable, ...]
    office_name: str = ""

    def table(self, key: str) -> StatTable:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    @property
    def registered(self) -> int:
        return int(self.table("summary").value(None, "registered") or 0)

    @property
    def succeeded(self) -> int:
        return int(self.table("summary").value(None, "succeeded") or 0)

    @property
    def success_rate(self) -> float | None:
        return success_rate(self.succeeded, self.registered)

    def cells(self) -> Iterable[tuple[StatTable, StatRow, Column, Cell]]:
        """Every figure with its table, row and column (for drill-down and checks)."""
        for t in self.tables:
            for r in t.rows:
                for col, cell in zip(t.columns, r.cells, strict=True):
                    yield t, r, col, cell


@dataclass(frozen=True)
class RegisteredGroup:
    """Cases registered in the period sharing these codes (one row of a GROUP BY)."""

    body_type: str
    source: str
    source_sub: str | None
    dispute_type: str
    dispute_subtype: str | None
    prevented: tuple[str, ...]
    cases: int
    parties: int
    difficult: int
    screened: int
    prevented_people: int


@dataclass(frozen=True)
class SucceededGroup:
    """Cases settled (调解成功) in the period sharing these codes and agreement form."""

    body_type: str
    source: str
    source_sub: str | None
    dispute_type: str
    dispute_subtype: str | None
    form: str | None
    cases: int
    amount_cents: int
    with_amount: int  # cases with an amount above zero
    screened: int


def _half_up(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` rounded to a whole number, halves away from zero
    (四舍五入, as Excel's ROUND does), in exact integer arithmetic."""
    sign = -1 if (numerator < 0) != (denominator < 0) else 1
    n, d = abs(numerator), abs(denominator)
    return sign * ((2 * n + d) // (2 * d))


def success_rate(succeeded: int, registered: int) -> float | None:
    """调解成功 ÷ 受理 in percent, one decimal rounded half up (1 of 16 is 6.3 %, as the
    same division gives in Excel); None when nothing was registered."""
    if registered <= 0:
        return None
    return _half_up(1000 * succeeded, registered) / 10


def cents_to_wan(cents: int) -> float:
    """Cents to 万元 (10,000 yuan), exact to the yuan (half a yuan rounds up)."""
    return _half_up(cents, 100) / 10_000


MAIN_COLUMNS: tuple[Column, ...] = (
    Column("registered", "调解案件数（件）", "件"),
    Column("parties", "涉及当事人数（人）", "人"),
    Column("succeeded", "调解成功（件）", "件"),
    Column("rate", "调解成功率（%）", "%", 1),
    Column("difficult", "疑难复杂案件（件）", "件"),
    Column("amount", "协议涉及金额（万元）", "万元", 4),
)
FORM_COLUMNS: tuple[Column, ...] = (
    Column("agreements", "协议数（件）", "件"),
    Column("amount", "协议涉及金额（万元）", "万元", 4),
)
PREVENTION_COLUMNS: tuple[Column, ...] = (
    Column("count", "件（次）", "件"),
    Column("people", "人数（人）", "人"),
)


@dataclass
class _Tally:
    registered: int = 0
    parties: int = 0
    difficult: int = 0
    succeeded: int = 0
    amount_cents: int = 0


@dataclass
class _Tallies:
    by: dict[str, _Tally] = field(default_factory=dict)

    def get(self, code: str) -> _Tally:
        t = self.by.get(code)
        if t is None:
            t = self.by[code] = _Tally()
        return t


def _canonical(table: CodeTable | None, code: str) -> str:
    if table is None or not table.has(code):
        return code
    return table.canonical(code)


def _label(table: CodeTable | None, code: str) -> str:
    if table is None or not table.has(code):
        return code
    return table.label(code)


def _main_row(
    label: str, t: _Tally, dimension: str, code: str | None, *, level: int = 0, total: bool = False
) -> StatRow:
    def key(measure: str) -> DrillKey:
        return DrillKey(measure, dimension, code)

    cells = (
        Cell(t.registered, key(REGISTERED)),
        Cell(t.parties, key(PARTIES)),
        Cell(t.succeeded, key(SUCCEEDED)),
        Cell(success_rate(t.succeeded, t.registered), None),
        Cell(t.difficult, key(DIFFICULT)),
        Cell(cents_to_wan(t.amount_cents), key(AMOUNT)),
    )
    return StatRow(label, cells, level=level, code=code, total=total)


def _ordered(table: CodeTable | None, seen: Iterable[str], parent: str | None) -> list[str]:
    """Codes of the table's selectable entries under ``parent`` (top level if None), then any
    code met in the data that the table does not list under it."""
    listed: list[str] = []
    if table is not None:
        entries = table.top_level() if parent is None else table.children(parent)
        listed = [e.code for e in entries]
    extra = sorted(set(seen) - set(listed))
    return listed + extra


def _breakdown(
    key: str,
    title: str,
    table: CodeTable | None,
    top: _Tallies,
    top_dim: str,
    sub: _Tallies | None,
    sub_dim: str,
    sub_parent: Mapping[str, str],
    total: _Tally,
) -> StatTable:
    rows: list[StatRow] = [_main_row("合计", total, ALL, None, total=True)]
    for code in _ordered(table, top.by, None):
        rows.append(_main_row(_label(table, code), top.get(code), top_dim, code))
        if sub is None:
            continue
        subs_seen = [s for s, p in sub_parent.items() if p == code]
        for sub_code in (
            _ordered(table, subs_seen, code) if table and table.has(code) else subs_seen
        ):
            rows.append(
                _main_row(_label(table, sub_code), sub.get(sub_code), sub_dim, sub_code, level=1)
            )
    return StatTable(key, title, MAIN_COLUMNS, tuple(rows))


def build_mediation_report(
    period: Period,
    registered: Iterable[RegisteredGroup],
    succeeded: Iterable[SucceededGroup],
    tables: Mapping[str, CodeTable],
    *,
    office_name: str = "",
) -> MediationReport:
    """The report from grouped counts; ``tables`` are the code tables (``body_types``,
    ``case_sources``, ``dispute_types``) for order and labels."""
    bodies_t = tables.get("body_types")
    sources_t = tables.get("case_sources")
    disputes_t = tables.get("dispute_types")
    total = _Tally()
    bodies, sources, subs, disputes, dsubs = (_Tallies() for _ in range(5))
    sub_parent: dict[str, str] = {}
    dsub_parent: dict[str, str] = {}
    screened = 0
    prevention_cases = dict.fromkeys(PREVENTION_KINDS, 0)
    prevention_people = dict.fromkeys(PREVENTION_KINDS, 0)
    extra_kinds: dict[str, tuple[int, int]] = {}

    def targets(
        body: str, source: str, sub: str | None, dispute: str, dsub: str | None
    ) -> list[_Tally]:
        body = _canonical(bodies_t, body)
        source = _canonical(sources_t, source)
        dispute = _canonical(disputes_t, dispute)
        out = [total, bodies.get(body), sources.get(source), disputes.get(dispute)]
        if sub is not None:
            sub = _canonical(sources_t, sub)
            sub_parent.setdefault(sub, source)
            out.append(subs.get(sub))
        if dsub is not None:
            dsub = _canonical(disputes_t, dsub)
            dsub_parent.setdefault(dsub, dispute)
            out.append(dsubs.get(dsub))
        return out

    for g in registered:
        for t in targets(g.body_type, g.source, g.source_sub, g.dispute_type, g.dispute_subtype):
            t.registered += g.cases
            t.parties += g.parties
            t.difficult += g.difficult
        screened += g.screened
        for kind in dict.fromkeys(g.prevented):
            if kind in prevention_cases:
                prevention_cases[kind] += g.cases
                prevention_people[kind] += g.prevented_people
            else:
                n, p = extra_kinds.get(kind, (0, 0))
                extra_kinds[kind] = (n + g.cases, p + g.prevented_people)

    forms: dict[str, list[int]] = {code: [0, 0] for code in AGREEMENT_FORMS}
    prevented_disputes = 0
    for s in succeeded:
        for t in targets(s.body_type, s.source, s.source_sub, s.dispute_type, s.dispute_subtype):
            t.succeeded += s.cases
            t.amount_cents += s.amount_cents
        if s.form is not None:
            acc = forms.setdefault(s.form, [0, 0])
            acc[0] += s.cases
            acc[1] += s.amount_cents
        prevented_disputes += s.screened

    summary = StatTable(
        "summary", "总体情况", MAIN_COLUMNS, (_main_row("合计", total, ALL, None, total=True),)
    )
    by_body = _breakdown(
        "body_type", "按调解组织类型", bodies_t, bodies, BODY_TYPE, None, "", {}, total
    )
    by_source = _breakdown(
        "source", "按案件来源", sources_t, sources, SOURCE, subs, SOURCE_SUB, sub_parent, total
    )
    by_dispute = _breakdown(
        "dispute_type",
        "按纠纷类型",
        disputes_t,
        disputes,
        DISPUTE_TYPE,
        dsubs,
        DISPUTE_SUBTYPE,
        dsub_parent,
        total,
    )
    form_rows = [
        StatRow(
            "合计",
            (
                Cell(sum(v[0] for v in forms.values()), DrillKey(SUCCEEDED, ALL)),
                Cell(cents_to_wan(sum(v[1] for v in forms.values())), DrillKey(AMOUNT, ALL)),
            ),
            total=True,
        )
    ]
    for code, (n, cents) in forms.items():
        form_rows.append(
            StatRow(
                AGREEMENT_FORMS.get(code, code),
                (
                    Cell(n, DrillKey(SUCCEEDED, FORM, code)),
                    Cell(cents_to_wan(cents), DrillKey(AMOUNT, FORM, code)),
                ),
                code=code,
            )
        )
    by_form = StatTable(
        "agreement_form",
        "协议形式",
        FORM_COLUMNS,
        tuple(form_rows),
        note="口头协议与书面协议均计入。",
    )
    prevention_rows = [
        StatRow("排查纠纷（次）", (Cell(screened, DrillKey(SCREENED)), Cell(None)), code=SCREENED),
        StatRow(
            "预防纠纷（件）",
            (Cell(prevented_disputes, DrillKey(PREVENTED_DISPUTES)), Cell(None)),
            code=PREVENTED_DISPUTES,
        ),
    ]
    kinds = [
        (k, label, prevention_cases[k], prevention_people[k])
        for k, label in PREVENTION_KINDS.items()
    ]
    kinds += [(k, k, n, p) for k, (n, p) in sorted(extra_kinds.items())]
    for kind, label, n, people in kinds:
        key = DrillKey(PREVENTION, PREVENTION, kind)
        prevention_rows.append(
            StatRow(f"{label}（件/人）", (Cell(n, key), Cell(people, key)), code=kind)
        )
    by_prevention = StatTable("prevention", "纠纷预防", PREVENTION_COLUMNS, tuple(prevention_rows))
    return MediationReport(
        title=f"人民调解工作统计表（{period.label}）",
        period=period,
        tables=(summary, by_body, by_source, by_dispute, by_form, by_prevention),
        office_name=office_name,
    )
