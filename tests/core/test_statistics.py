"""Statistics (issue 6) against hand-counted fixtures: period boundaries, oral agreements,
referral sources, deleted cases, the prevention block, and drill-down lists matching counts."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import pytest

from justice_desktop.domain.case_inputs import AgreementInput
from justice_desktop.domain.consultations import AdviserLogInput
from justice_desktop.domain.party import PartyInput
from justice_desktop.domain.understanders import TrainingInput, UnderstanderInput
from justice_desktop.statistics import (
    DrillKey,
    MediationReport,
    custom_period,
    month_period,
    quarter_period,
    success_rate,
    year_period,
)
from justice_desktop.statistics.tables import cents_to_wan
from justice_desktop.store import statistics as st
from justice_desktop.store.cases import CaseService
from justice_desktop.store.consultations import AdviserLogService
from justice_desktop.store.database import Store
from justice_desktop.store.office import add_committee
from justice_desktop.store.understanders import UnderstanderService
from justice_desktop.validation import ValidationError
from tests.core.conftest import make_case_input

THIRD = PartyInput(side="applicant", name="王五", phone="13700002222")


def _written(on: date, amount: str) -> AgreementInput:
    return AgreementInput(
        form="written",
        effective_on=on,
        facts="双方因排水沟发生争执。",
        terms=["乙方拆除排水沟"],
        performance_manner="自行拆除",
        performance_place="双方住所地",
        performance_deadline=on,
        amount=Decimal(amount),
    )


def _oral(on: date, amount: str | None = None) -> AgreementInput:
    return AgreementInput(
        form="oral",
        effective_on=on,
        oral_content="双方当场握手言和。",
        amount=Decimal(amount) if amount else None,
    )


@pytest.fixture
def fixture_cases(store: Store, cases: CaseService, ids: dict[str, str]) -> dict[str, str]:
    """Six cases, hand-counted below. Committee A: 街道 (subdistrict); B: 村 (village)."""
    user, a = ids["user_id"], ids["committee_id"]
    b = add_committee(store, user, "王家庄村人民调解委员会", "津王", "village", "王家庄村")

    def reg(committee: str, on: date, **kw: object) -> str:
        return cases.register(user, make_case_input(committee, on, **kw))

    out = {}
    # 1: last day of March / Q1; written agreement on 2 April with 12,345.67 yuan
    out["c1"] = reg(a, date(2025, 3, 31))
    cases.record_agreement(user, out["c1"], _written(date(2025, 4, 2), "12345.67"))
    # 2: first day of April / Q2; court-assigned labour case, 3 parties, difficult, oral 5,000
    base = make_case_input(a).parties
    out["c2"] = reg(
        a,
        date(2025, 4, 1),
        source="referred",
        source_sub="court_assigned",
        referral_doc_no="（2025）津0101民诉前调100号",
        dispute_type="labour",
        dispute_subtype="labour_unpaid_wages",
        parties=[*base, THIRD],
        difficult=True,
    )
    cases.record_agreement(user, out["c2"], _oral(date(2025, 4, 10), "5000"))
    # 3: village committee, proactive, found by screening, oral without amount; prevented
    out["c3"] = reg(b, date(2025, 4, 15), source="proactive", from_screening=True)
    cases.record_agreement(user, out["c3"], _oral(date(2025, 4, 20)))
    st.record_prevention(
        store,
        user,
        out["c3"],
        from_screening=True,
        prevented=["criminal", "suicide"],
        prevented_people=3,
    )
    # 4: last day of April, police referral, marriage; failed in May
    out["c4"] = reg(
        b,
        date(2025, 4, 30),
        source="referred",
        source_sub="police",
        referral_doc_no="津公调001",
        dispute_type="marriage_family",
    )
    cases.record_failure(user, out["c4"], date(2025, 5, 5), "双方分歧较大。", ["litigation"])
    # 5: first day of May, deleted: never counted
    out["c5"] = reg(a, date(2025, 5, 1), difficult=True)
    cases.delete_case(user, out["c5"], "重复登记")
    # 6: June, still open; prevented a group petition of 12 people
    out["c6"] = reg(b, date(2025, 6, 2), dispute_type="contract")
    st.record_prevention(
        store,
        user,
        out["c6"],
        from_screening=False,
        prevented=["group_petition"],
        prevented_people=12,
    )
    return out


def _check_drill_downs(store: Store, cases: CaseService, report: MediationReport) -> int:
    """Every figure's list of records matches it; returns how many figures were checked."""
    checked = 0
    for _table, _row, _col, cell in report.cells():
        if cell.key is None or cell.value is None:
            continue
        found = st.case_ids(store, cell.key, report.period)
        rows = [cases.load(cid).case for cid in found]
        assert all(not r["deleted"] for r in rows)
        if cell.key.measure == "parties":
            assert sum(int(r["party_count"]) for r in rows) == cell.value, cell.key
        elif cell.key.measure == "amount":
            assert round(sum(int(r["amount_cents"]) for r in rows) / 1e6, 4) == cell.value
        elif cell.key.measure == "prevention" and _col.key == "people":
            assert sum(int(r["prevented_people"]) for r in rows) == cell.value
        else:
            assert len(found) == cell.value, cell.key
        checked += 1
    return checked


def test_period_labels_and_bounds() -> None:
    assert month_period(2025, 6).label == "2025年6月"
    assert month_period(2024, 2).end == date(2024, 2, 29)
    q2 = quarter_period(2025, 2)
    assert (q2.label, q2.start, q2.end) == ("2025年第二季度", date(2025, 4, 1), date(2025, 6, 30))
    assert year_period(2025).label == "2025年"
    assert month_period(2025, 12).end == date(2025, 12, 31)
    custom = custom_period(date(2025, 3, 1), date(2025, 5, 31))
    assert custom.label == "2025年3月1日至2025年5月31日"
    with pytest.raises(ValidationError):
        custom_period(date(2025, 5, 1), date(2025, 4, 30))
    with pytest.raises(ValidationError):
        quarter_period(2025, 5)


def test_april_counts_by_registration_and_outcome_date(
    store: Store, cases: CaseService, fixture_cases: dict[str, str]
) -> None:
    report = st.mediation_report(store, month_period(2025, 4))
    s = report.table("summary")
    # registered in April: 2, 3, 4 (1 is 31 March); parties 3 + 2 + 2
    assert s.value(None, "registered") == 3
    assert s.value(None, "parties") == 7
    # settled in April: 1 (registered in March), 2 and 3
    assert s.value(None, "succeeded") == 3
    assert s.value(None, "rate") == 100.0
    assert s.value(None, "difficult") == 1
    assert s.value(None, "amount") == 1.7346  # 17,345.67 yuan
    assert report.title == "人民调解工作统计表（2025年4月）"
    assert _check_drill_downs(store, cases, report) > 40


def test_quarter_breakdowns(
    store: Store, cases: CaseService, fixture_cases: dict[str, str]
) -> None:
    report = st.mediation_report(store, quarter_period(2025, 2))
    assert (report.registered, report.succeeded, report.success_rate) == (4, 3, 75.0)
    body = report.table("body_type")
    assert body.value("subdistrict", "registered") == 1
    assert body.value("village", "registered") == 3
    assert body.value("subdistrict", "succeeded") == 2
    assert body.value("village", "succeeded") == 1
    assert body.value("enterprise", "registered") == 0  # every official row is shown
    source = report.table("source")
    assert source.value("referred", "registered") == 2
    assert source.value("court_assigned", "registered") == 1
    assert source.value("police", "registered") == 1
    assert source.value("court_assigned", "succeeded") == 1
    assert source.value("applied", "registered") == 1
    assert source.value("applied", "succeeded") == 1
    assert source.value("proactive", "registered") == 1
    assert source.row("court_assigned").level == 1
    dispute = report.table("dispute_type")
    assert dispute.value("labour", "registered") == 1
    assert dispute.value("labour_unpaid_wages", "difficult") == 1
    assert dispute.value("neighbourhood", "succeeded") == 2
    assert dispute.value("marriage_family", "registered") == 1
    # rows add up to the total
    for t in (body, source, dispute):
        top = [r for r in t.rows if r.level == 0 and not r.total]
        assert sum(int(r.values[0] or 0) for r in top) == 4
    forms = report.table("agreement_form")
    assert forms.value("written", "agreements") == 1
    assert forms.value("oral", "agreements") == 2  # oral agreements count too
    assert forms.value(None, "agreements") == 3
    assert forms.value("oral", "amount") == 0.5
    prevention = report.table("prevention")
    assert prevention.value("screened", "count") == 1
    assert prevention.value("prevented_disputes", "count") == 1
    assert prevention.row("suicide").values == (1, 3)
    assert prevention.row("criminal").values == (1, 3)
    assert prevention.row("group_petition").values == (1, 12)
    assert prevention.row("group_fight").values == (0, 0)
    assert _check_drill_downs(store, cases, report) > 60


def test_boundaries_deleted_and_year(
    store: Store, cases: CaseService, fixture_cases: dict[str, str]
) -> None:
    q1 = st.mediation_report(store, quarter_period(2025, 1))
    assert (q1.registered, q1.succeeded, q1.success_rate) == (1, 0, 0.0)
    march = st.case_ids(store, DrillKey("registered"), month_period(2025, 3))
    assert march == [fixture_cases["c1"]]
    may = st.mediation_report(store, month_period(2025, 5))
    assert may.registered == 0  # case 5 (1 May) was deleted
    assert may.table("summary").value(None, "difficult") == 0
    assert may.success_rate is None
    year = st.mediation_report(store, year_period(2025))
    assert (year.registered, year.succeeded, year.success_rate) == (5, 3, 60.0)
    assert year.table("summary").value(None, "parties") == 11
    assert fixture_cases["c5"] not in st.case_ids(store, DrillKey("registered"), year.period)
    turn = custom_period(date(2025, 3, 31), date(2025, 4, 1))
    assert st.case_ids(store, DrillKey("registered"), turn) == sorted(
        [fixture_cases["c1"], fixture_cases["c2"]],
        key=lambda i: (cases.load(i).case["registered_on"], i),
    )
    _check_drill_downs(store, cases, year)


def test_monthly_series(store: Store, fixture_cases: dict[str, str]) -> None:
    series = st.monthly_series(store, 2025)
    assert [p.registered for p in series] == [0, 0, 1, 3, 0, 1, 0, 0, 0, 0, 0, 0]
    assert [p.succeeded for p in series][:6] == [0, 0, 0, 3, 0, 0]
    assert series[3].success_rate == 100.0
    assert series[0].success_rate is None
    assert series[3].period.label == "2025年4月"


def test_record_prevention_validates(
    store: Store, ids: dict[str, str], fixture_cases: dict[str, str]
) -> None:
    with pytest.raises(ValidationError):
        st.record_prevention(
            store,
            ids["user_id"],
            fixture_cases["c6"],
            from_screening=False,
            prevented=["flood"],
            prevented_people=1,
        )
    with pytest.raises(ValidationError):
        st.record_prevention(
            store,
            ids["user_id"],
            fixture_cases["c6"],
            from_screening=False,
            prevented=["suicide"],
            prevented_people=0,
        )


def test_understanders_against_quota_and_hours(store: Store, ids: dict[str, str]) -> None:
    user = ids["user_id"]
    add_committee(store, user, "李庄村人民调解委员会", "津李", "village", "李庄村")
    service = UnderstanderService(store)
    people = [
        service.add(user, UnderstanderInput(name, village, "self"))
        for name, village in (("赵一", "王家庄村"), ("钱二", "王家庄村"), ("孙三", "大韩庄村"))
    ]
    st.set_village_quota(store, user, 2)
    service.add_training(
        user,
        TrainingInput(date(2025, 3, 1), "民法典", "张律师", "offline", 8, attendee_ids=people[:1]),
    )
    service.set_yearly_target(user, 8)
    report = st.understander_report(store, 2025)
    assert report.quota == 2
    by_village = {v.village: (v.active, v.missing) for v in report.villages}
    assert by_village == {"王家庄村": (2, 0), "大韩庄村": (1, 1), "李庄村": (0, 2)}
    assert {v.village for v in report.short_villages} == {"大韩庄村", "李庄村"}
    assert {p.name for p in report.short_people} == {"钱二", "孙三"}
    table = report.quota_table()
    assert table.value(None, "missing") == 3
    period = year_period(2025)
    cell = table.cell("王家庄村", "hours_short")
    assert cell.key is not None and cell.value == 1
    assert st.record_ids(store, cell.key, period) == ("understanders", [people[1]])
    total = table.cell(None, "active")
    assert total.key is not None
    assert len(st.record_ids(store, total.key, period)[1]) == total.value == 3


def _visit(svc: AdviserLogService, user: str, when: datetime, kind: str = "consultation") -> None:
    svc.record(
        user,
        AdviserLogInput("周律师", "东村", when, 4, kind, "村民", "解答问题", "已解答"),
    )


def test_adviser_report_of_a_past_year_counts_december_and_the_fourth_quarter(
    store: Store, ids: dict[str, str]
) -> None:
    """``until`` is the last day the figures cover: 31 December covers the whole year."""
    user = ids["user_id"]
    svc = AdviserLogService(store)
    for month in range(1, 12):  # January to November on site; no visit in December
        _visit(svc, user, datetime(2024, month, 10, 9))
    for month in (2, 5, 8):  # a lecture in each of the first three quarters, none in Q4
        _visit(svc, user, datetime(2024, month, 20, 9), kind="lecture")
    report = st.adviser_report(store, 2024, date(2024, 12, 31))
    (row,) = report.rows
    assert (row.visits_done, row.visits_required) == (11, 12)
    assert (row.lectures_done, row.lectures_required) == (3, 4)
    assert {(s.period, s.kind) for s in report.shortfalls} == {
        ("2024-12", "visit"),
        ("2024Q4", "lecture"),
    }
    # up to 30 June: January–June and the first two quarters have ended, all done
    half = st.adviser_report(store, 2024, date(2024, 6, 30))
    (row,) = half.rows
    assert (row.visits_done, row.visits_required) == (6, 6)
    assert (row.lectures_done, row.lectures_required) == (2, 2)
    assert half.shortfalls == ()
    # up to 29 June: June has not ended yet
    (row,) = st.adviser_report(store, 2024, date(2024, 6, 29)).rows
    assert (row.visits_required, row.lectures_required) == (5, 1)


def test_adviser_drill_downs_list_the_entries_behind_each_figure(
    store: Store, ids: dict[str, str]
) -> None:
    """已完成实地服务 opens the on-site entries of the village-months that reached 4 hours;
    已开展讲座 the lectures of the ended quarters; both in the villages credited to the
    adviser (the adviser of each village's latest entry), whoever wrote the entry."""
    user = ids["user_id"]
    svc = AdviserLogService(store)

    def log(
        adviser: str,
        village: str,
        when: datetime,
        hours: float,
        kind: str = "consultation",
        on_site: bool = True,
    ) -> str:
        entry = AdviserLogInput(
            adviser, village, when, hours, kind, "村民", "服务", on_site=on_site
        )
        return svc.record(user, entry)

    jan_visit = log("周律师", "东村", datetime(2025, 1, 10, 9), 4)
    jan_lecture = log("周律师", "东村", datetime(2025, 1, 20, 9), 2, kind="lecture")
    log("周律师", "东村", datetime(2025, 2, 10, 9), 2)  # February: 2 hours, not enough
    log("周律师", "东村", datetime(2025, 3, 5, 9), 3, on_site=False)  # by phone
    west_jan = log("吴律师", "西村", datetime(2025, 1, 15, 9), 4)  # 西村 is 周律师's later
    west_apr = log("周律师", "西村", datetime(2025, 4, 10, 9), 4)
    log("周律师", "东村", datetime(2025, 6, 3, 9), 4, kind="lecture")  # June not ended yet
    log("周律师", "东村", datetime(2024, 12, 1, 9), 4)  # another year
    until = date(2025, 5, 31)
    report = st.adviser_report(store, 2025, until)
    (row,) = report.rows
    assert (row.adviser, row.visits_done, row.lectures_done) == ("周律师", 3, 1)
    table = report.table()
    visits = table.cell("周律师", "visits_done").key
    lectures = table.cell("周律师", "lectures_done").key
    assert visits is not None and lectures is not None and visits != lectures
    period = month_period(2025, 6)  # the period chosen on the screen: the figures are yearly
    assert st.record_ids(store, visits, period, until=until) == (
        "adviser_logs",
        [jan_visit, west_jan, jan_lecture, west_apr],
    )
    assert st.record_ids(store, lectures, period, until=until) == ("adviser_logs", [jan_lecture])


def test_rates_and_amounts_round_half_up_like_excel() -> None:
    """Offices check the table against Excel's ROUND: halves round up, computed exactly
    (a float division gave 6.2 % for 1 of 16 and 0.0012 万元 for 12.50 yuan)."""
    assert success_rate(1, 16) == 6.3
    assert success_rate(1, 8) == 12.5
    assert success_rate(1, 3) == 33.3
    assert success_rate(2, 3) == 66.7
    assert success_rate(0, 7) == 0.0
    assert success_rate(7, 7) == 100.0
    assert success_rate(3, 0) is None
    assert cents_to_wan(1250) == 0.0013
    assert cents_to_wan(1249) == 0.0012
    assert cents_to_wan(35_000) == 0.035
    assert cents_to_wan(123_456_789_00) == 12345.6789
    assert cents_to_wan(0) == 0.0
