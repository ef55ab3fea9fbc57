"""The 人民调解 table against a straightforward reference computation (issue 6), and the upgrade
of a version-7 database to the statistics indexes of migration 8.

A few hundred random cases (three committees of different body types, every case source and
dispute type with their sub-types, written and oral agreements with and without amounts,
failures, open and deleted cases, prevention fields) are counted again in plain Python from
the case and agreement rows, for years, quarters, months and custom ranges, and every figure
of the report and its drill-down list must match. The grouped SQL behind the report is
optimised for speed; this keeps it from silently changing a number.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.case_inputs import AgreementInput
from justice_desktop.domain.party import PartyInput
from justice_desktop.statistics import (
    MediationReport,
    Period,
    custom_period,
    month_period,
    quarter_period,
    year_period,
)
from justice_desktop.statistics.tables import PREVENTION_KINDS, cents_to_wan
from justice_desktop.store import statistics as st
from justice_desktop.store.cases import CaseService
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.database import Store, open_store
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.migrations import LATEST, STATISTICS_INDEX_DDL, current_version
from justice_desktop.store.office import add_committee
from justice_desktop.validation import ValidationError
from tests.core.conftest import make_case_input

N_CASES = 300
MAIN = ("registered", "parties", "succeeded", "difficult", "amount")


def _agreement(rng: random.Random, on: date) -> AgreementInput:
    amount = rng.choice([None, Decimal(rng.randint(1, 9_000_000)) / 100])
    if rng.random() < 0.6:
        return AgreementInput(
            form="written",
            effective_on=on,
            facts="双方因排水沟发生争执。",
            terms=["乙方拆除排水沟"],
            performance_manner="自行拆除",
            performance_place="双方住所地",
            performance_deadline=on,
            amount=amount if amount is not None else Decimal(0),
        )
    return AgreementInput(
        form="oral", effective_on=on, oral_content="双方当场握手言和。", amount=amount
    )


def _pick(rng: random.Random, table: CodeTable) -> tuple[str, str | None]:
    top = rng.choice(list(table.top_level()))
    children = list(table.children(top.code))
    if children and rng.random() < 0.7:
        return top.code, rng.choice(children).code
    return top.code, None


@pytest.fixture
def random_cases(store: Store, cases: CaseService, ids: dict[str, str]) -> int:
    rng = random.Random(20251128)
    user = ids["user_id"]
    committees = [
        ids["committee_id"],
        add_committee(store, user, "王家庄村人民调解委员会", "津王", "village", "王家庄村"),
        add_committee(store, user, "幸福社区人民调解委员会", "津福", "residents", "幸福社区"),
    ]
    tables = load_tables(store)
    third = PartyInput(side="applicant", name="王五", phone="13700002222")
    made = 0
    while made < N_CASES:
        registered = date(2024, 1, 1) + timedelta(days=rng.randint(0, 500))  # to mid-May 2025
        source, source_sub = _pick(rng, tables["case_sources"])
        dispute, dispute_sub = _pick(rng, tables["dispute_types"])
        base = make_case_input(committees[0]).parties
        try:
            cid = cases.register(
                user,
                make_case_input(
                    rng.choice(committees),
                    registered,
                    source=source,
                    source_sub=source_sub,
                    referral_doc_no="津转字第1号" if source_sub else "",
                    dispute_type=dispute,
                    dispute_subtype=dispute_sub,
                    parties=[*base, third] if rng.random() < 0.3 else base,
                    difficult=rng.random() < 0.2,
                ),
            )
        except ValidationError:
            continue  # a source or dispute type that needs more fields: draw again
        made += 1
        if rng.random() < 0.3:
            kinds = rng.sample(sorted(PREVENTION_KINDS), rng.randint(0, 2))
            st.record_prevention(
                store,
                user,
                cid,
                from_screening=rng.random() < 0.5,
                prevented=kinds,
                prevented_people=rng.randint(1, 30) if kinds else 0,
            )
        outcome = rng.random()
        on = registered + timedelta(days=rng.randint(0, 25))
        if outcome < 0.6:
            cases.record_agreement(user, cid, _agreement(rng, on))
        elif outcome < 0.75:
            cases.record_failure(user, cid, on, "双方分歧较大。", ["litigation"])
        if rng.random() < 0.05:
            cases.delete_case(user, cid, "重复登记")
    return made


@dataclass
class _Tally:
    registered: int = 0
    parties: int = 0
    succeeded: int = 0
    difficult: int = 0
    amount: int = 0  # cents


def _reference(store: Store, period: Period) -> dict[str, Any]:
    """Every figure of the report counted case by case, with the cases behind it."""
    body_of = {str(r["id"]): str(r["body_type"]) for r in store.query("SELECT * FROM committees")}
    forms: dict[str, list[str]] = {}
    for a in store.query("SELECT * FROM agreements WHERE deleted = 0"):
        forms.setdefault(str(a["case_id"]), []).append(str(a["form"]))
    first, last = period.first_iso, period.last_iso
    tallies: dict[tuple[str, str | None], _Tally] = {}
    ids: dict[tuple[str, str, str | None], set[str]] = {}

    def count(measure: str, dims: list[tuple[str, str | None]], cid: str) -> None:
        for dim in dims:
            ids.setdefault((measure, *dim), set()).add(cid)

    for c in store.query("SELECT * FROM cases WHERE deleted = 0"):
        cid = str(c["id"])
        dims: list[tuple[str, str | None]] = [
            ("all", None),
            ("body_type", body_of[str(c["committee_id"])]),
            ("source", str(c["source"])),
            ("dispute_type", str(c["dispute_type"])),
        ]
        if c["source_sub"] is not None:
            dims.append(("source_sub", str(c["source_sub"])))
        if c["dispute_subtype"] is not None:
            dims.append(("dispute_subtype", str(c["dispute_subtype"])))
        if first <= str(c["registered_on"]) <= last:
            for d in dims:
                t = tallies.setdefault(d, _Tally())
                t.registered += 1
                t.parties += int(c["party_count"])
                t.difficult += int(c["difficult"] != 0)
            count("registered", dims, cid)
            count("parties", dims, cid)
            if c["difficult"]:
                count("difficult", dims, cid)
            if c["from_screening"]:
                count("screened", [("all", None)], cid)
            for kind in set(st._prevented(c["prevented"])):
                count("prevention", [("prevention", kind)], cid)
                t = tallies.setdefault(("prevention", kind), _Tally())
                t.registered += 1
                t.parties += int(c["prevented_people"])
        if c["outcome"] == "success" and first <= str(c["outcome_on"] or "") <= last:
            form = max(forms[cid]) if cid in forms else None
            if form is not None:
                dims.append(("form", form))
            for d in dims:
                t = tallies.setdefault(d, _Tally())
                t.succeeded += 1
                t.amount += int(c["amount_cents"])
            count("succeeded", dims, cid)
            if c["amount_cents"] > 0:
                count("amount", dims, cid)
            if c["from_screening"]:
                count("prevented_disputes", [("all", None)], cid)
    return {"tallies": tallies, "ids": ids}


_TABLE_DIMENSION = {
    "summary": "all",
    "body_type": "body_type",
    "source": "source",
    "dispute_type": "dispute_type",
}


def _expected_cells(report: MediationReport, ref: dict[str, Any]) -> int:
    """Compare every figure of ``report`` with the reference; return how many."""
    tallies: dict[tuple[str, str | None], _Tally] = ref["tallies"]
    checked = 0
    for table, row, column, cell in report.cells():
        if table.key in _TABLE_DIMENSION or table.key in ("source", "dispute_type"):
            dim = _TABLE_DIMENSION[table.key] if row.level == 0 else f"{table.key}_sub"
            if table.key == "dispute_type" and row.level == 1:
                dim = "dispute_subtype"
            t = tallies.get((dim, row.code) if not row.total else ("all", None), _Tally())
            if column.key == "rate":
                expected: object = (
                    float(
                        (Decimal(100 * t.succeeded) / Decimal(t.registered)).quantize(
                            Decimal("0.1"), ROUND_HALF_UP
                        )
                    )
                    if t.registered
                    else None
                )
            elif column.key == "amount":
                expected = cents_to_wan(t.amount)
            else:
                expected = getattr(t, column.key)
        elif table.key == "agreement_form":
            t = tallies.get(("form", row.code) if not row.total else ("all", None), _Tally())
            if row.total:  # 合计 of the form table: settled cases with an agreement
                t = _Tally()
                for form in ("written", "oral"):
                    f = tallies.get(("form", form), _Tally())
                    t.succeeded += f.succeeded
                    t.amount += f.amount
            expected = t.succeeded if column.key == "agreements" else cents_to_wan(t.amount)
        else:  # prevention
            assert table.key == "prevention"
            if row.code == "screened":
                expected = len(ref["ids"].get(("screened", "all", None), ()))
            elif row.code == "prevented_disputes":
                expected = len(ref["ids"].get(("prevented_disputes", "all", None), ()))
            else:
                t = tallies.get(("prevention", row.code), _Tally())
                expected = t.registered if column.key == "count" else t.parties
            if cell.value is None:
                continue
        assert cell.value == expected, (report.period.label, table.key, row.label, column.key)
        checked += 1
    return checked


def _check_drill_downs(store: Store, report: MediationReport, ref: dict[str, Any]) -> int:
    checked = 0
    for _t, _r, _c, cell in report.cells():
        if cell.key is None:
            continue
        key = cell.key
        code = key.code if key.dimension != "all" else None
        expected = ref["ids"].get((key.measure, key.dimension, code), set())
        assert set(st.case_ids(store, key, report.period)) == expected, key
        checked += 1
    return checked


PERIODS = (
    year_period(2024),
    year_period(2025),
    quarter_period(2024, 1),
    quarter_period(2024, 4),
    quarter_period(2025, 2),
    month_period(2024, 2),
    month_period(2024, 12),
    month_period(2025, 1),
    custom_period(date(2024, 11, 20), date(2025, 2, 10)),
    custom_period(date(2024, 7, 1), date(2024, 7, 1)),
)


def test_report_matches_reference(store: Store, random_cases: int) -> None:
    total = 0
    for period in PERIODS:
        report = st.mediation_report(store, period)
        total += _expected_cells(report, _reference(store, period))
    assert total > 1000
    # the data reaches every part of the table
    year = st.mediation_report(store, year_period(2024))
    forms = year.table("agreement_form")
    assert (forms.value("written", "agreements") or 0) > 20
    assert (forms.value("oral", "agreements") or 0) > 20
    assert year.registered > year.succeeded > 50
    assert sum(r.values[0] or 0 for r in year.table("prevention").rows[2:]) > 5


def test_drill_downs_match_reference(store: Store, random_cases: int) -> None:
    for period in (year_period(2024), quarter_period(2025, 1)):
        report = st.mediation_report(store, period)
        assert _check_drill_downs(store, report, _reference(store, period)) > 100


def test_case_with_two_agreements(
    store: Store, cases: CaseService, ids: dict[str, str], random_cases: int
) -> None:
    """A second (oral) agreement on a case with a written one: the case is counted once, as
    written (the slower exact grouping takes over)."""
    period = year_period(2024)
    before = st.mediation_report(store, period)
    written = next(
        r
        for r in store.query(
            "SELECT a.case_id, c.amount_cents FROM agreements a JOIN cases c ON c.id = a.case_id "
            "WHERE a.form = 'written' AND a.deleted = 0 AND c.deleted = 0 "
            "AND c.outcome_on BETWEEN '2024-03-01' AND '2024-10-31' ORDER BY a.case_id"
        )
    )
    with store.tx(ids["user_id"]) as tx:
        tx.insert(
            "agreements",
            {
                "case_id": written["case_id"],
                "form": "oral",
                "oral_content": "补充口头协议。",
                "effective_on": "2024-11-01",
            },
        )
    after = st.mediation_report(store, period)
    assert [list(r.values) for t in after.tables for r in t.rows] == [
        list(r.values) for t in before.tables for r in t.rows
    ]
    assert _expected_cells(after, _reference(store, period)) > 100
    # ... and counts as oral once the written one is deleted
    with store.tx(ids["user_id"]) as tx:
        wid = tx.conn.execute(
            "SELECT id FROM agreements WHERE case_id = ? AND form = 'written'",
            (written["case_id"],),
        ).fetchone()[0]
        tx.delete("agreements", wid)
    moved = st.mediation_report(store, period).table("agreement_form")
    forms = before.table("agreement_form")
    assert moved.value("written", "agreements") == (forms.value("written", "agreements") or 0) - 1
    assert moved.value("oral", "agreements") == (forms.value("oral", "agreements") or 0) + 1
    _expected_cells(st.mediation_report(store, period), _reference(store, period))


def _index_sql(store: Store, name: str) -> str:
    return str(
        store.scalar("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = ?", (name,))
    )


def test_database_of_version_7_is_upgraded(
    store: Store, random_cases: int, tmp_path: Path, vault: MemoryVault
) -> None:
    """Migration 8 rebuilds the statistics indexes of a version-7 database: the data stays,
    every figure and list stays the same, and the lists are read from the widened indexes."""
    period = year_period(2024)
    before = st.mediation_report(store, period)
    lists = {
        cell.key: st.case_ids(store, cell.key, period)
        for _t, _r, _c, cell in before.cells()
        if cell.key is not None
    }
    n_cases = store.scalar("SELECT count(*) FROM cases")
    # the database as version 7 left it: its statistics indexes, user_version 7
    with store.tx("test") as tx:
        for sql in ("DROP INDEX cases_stats_registered", "DROP INDEX cases_stats_succeeded"):
            tx.conn.execute(sql)
        for sql in STATISTICS_INDEX_DDL[:2]:
            tx.conn.execute(sql)
    store.conn.execute("PRAGMA user_version = 7")
    assert ", id)" not in _index_sql(store, "cases_stats_registered")
    store.close()

    upgraded = open_store(tmp_path / "office", vault)
    try:
        assert current_version(upgraded.conn) == LATEST >= 8
        assert (
            _index_sql(upgraded, "cases_stats_registered")
            .rstrip()
            .endswith("prevented_people, id) WHERE deleted = 0")
        )
        assert "id, registered_on)" in _index_sql(upgraded, "cases_stats_succeeded")
        assert upgraded.scalar("SELECT count(*) FROM cases") == n_cases
        after = st.mediation_report(upgraded, period)
        assert [list(r.values) for t in after.tables for r in t.rows] == [
            list(r.values) for t in before.tables for r in t.rows
        ]
        for key, ids in lists.items():
            assert st.case_ids(upgraded, key, period) == ids, key
        plan = upgraded.query(
            "EXPLAIN QUERY PLAN SELECT c.id FROM cases c INDEXED BY cases_stats_registered "
            "WHERE c.deleted = 0 AND c.registered_on BETWEEN '2024-01-01' AND '2024-12-31' "
            "AND c.source = 'referred'"
        )
        assert "COVERING INDEX cases_stats_registered" in str(plan[0]["detail"])
        assert upgraded.integrity_problems(full=True) == []
    finally:
        upgraded.close()
