"""The home screen's work list: deadlines to act on and today's work, on a real store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest

from justice_desktop.domain.case_inputs import AgreementInput, FollowUpInput, SessionInput
from justice_desktop.domain.consultations import ConsultationInput
from justice_desktop.domain.party import PartyInput
from justice_desktop.store.cases import CaseService
from justice_desktop.store.consultations import ConsultationService
from justice_desktop.store.database import Store
from justice_desktop.store.worklist import (
    _FOLLOW_UP_WHERE,
    _MEDIATION_WHERE,
    Reminder,
    reminders,
    today_work,
)
from tests.core.conftest import TODAY, Clock

NewCase = Callable[..., str]


def _parties(applicant: str, respondent: str) -> list[PartyInput]:
    return [
        PartyInput(side="applicant", name=applicant, phone="13812345678"),
        PartyInput(side="respondent", name=respondent),
    ]


@pytest.fixture
def scenario(
    store: Store, ids: dict[str, str], cases: CaseService, new_case: NewCase, clock: Clock
) -> dict[str, str]:
    """Cases around TODAY (2025-06-16): overdue, due today, due soon, not yet due, extended,
    and an agreement whose follow-up and 司法确认 window end soon."""
    user = ids["user_id"]
    made = {
        "overdue": new_case(registered_on=date(2025, 5, 10), parties=_parties("张三", "李四")),
        "today": new_case(registered_on=date(2025, 5, 16), parties=_parties("欧阳娜娜", "孙丽")),
        "soon": new_case(registered_on=date(2025, 5, 20), parties=_parties("王秀英", "周强")),
        "later": new_case(registered_on=date(2025, 6, 2)),
        "extended": new_case(registered_on=date(2025, 5, 1)),
        "agreed": new_case(registered_on=date(2025, 5, 1), parties=_parties("刘洋", "吴刚")),
        "failed": new_case(registered_on=date(2025, 5, 2)),
    }
    clock.now = datetime(2025, 5, 20, 10)
    cases.extend_deadline(
        user,
        made["extended"],
        date(2025, 7, 30),
        applicant_consent=True,
        respondent_consent=True,
        consent_record="双方当面签字同意延期",
    )
    cases.record_agreement(
        user,
        made["agreed"],
        AgreementInput(
            form="written",
            effective_on=date(2025, 5, 20),
            facts="双方就排水沟达成一致",
            terms=["被申请人于六月十日前拆除排水沟"],
            performance_manner="被申请人自行拆除",
            performance_place="城关村",
            performance_deadline=date(2025, 6, 10),
        ),
    )
    cases.record_failure(user, made["failed"], date(2025, 5, 20), "双方分歧过大", ["litigation"])
    clock.now = datetime(2025, 6, 16, 9, 30)
    return made


def test_reminders_overdue_first_with_chinese_text(store: Store, scenario: dict[str, str]) -> None:
    got = reminders(store, TODAY)
    listed = [(r.case_id, r.kind, r.when_text) for r in got.items]
    assert listed == [
        (scenario["overdue"], "mediation", "已逾期 6 天"),
        (scenario["today"], "mediation", "今天到期"),
        (scenario["agreed"], "judicial_confirmation", "还剩 3 天"),
        (scenario["agreed"], "follow_up", "还剩 3 天"),
        (scenario["soon"], "mediation", "还剩 4 天"),
    ]
    assert [r.kind_label for r in got.items[2:4]] == ["司法确认申请期限", "回访"]
    assert got.items[0].overdue and not got.items[1].overdue
    assert got.items[0].applicants == "张三" and got.items[0].respondents == "李四"
    assert (got.total, got.overdue, got.due_today, got.due_soon) == (5, 1, 1, 4)
    assert not got.truncated


def test_reminders_agree_with_case_queries(store: Store, scenario: dict[str, str]) -> None:
    """The home screen's faster queries find the same deadlines as CaseQueries.deadlines."""
    from justice_desktop.store.queries import CaseQueries

    for day in (TODAY, date(2025, 6, 1), date(2025, 6, 25), date(2025, 8, 10)):
        expected = sorted((i.case_id, i.kind, i.due_on) for i in CaseQueries(store).deadlines(day))
        got = sorted((r.case_id, r.kind, r.due_on) for r in reminders(store, day).items)
        assert got == expected, day


def test_reminders_limit_keeps_the_most_urgent_and_counts_all(
    store: Store, scenario: dict[str, str]
) -> None:
    got = reminders(store, TODAY, limit=2)
    assert [r.case_id for r in got.items] == [scenario["overdue"], scenario["today"]]
    assert got.total == 5 and got.truncated


def test_deadline_gone_once_done(
    store: Store, ids: dict[str, str], cases: CaseService, scenario: dict[str, str]
) -> None:
    cases.record_follow_up(
        ids["user_id"],
        scenario["agreed"],
        FollowUpInput(done_on=TODAY, visitor="王调解", performance="performed"),
    )
    kinds = {(r.case_id, r.kind) for r in reminders(store, TODAY).items}
    assert (scenario["agreed"], "follow_up") not in kinds
    assert (scenario["agreed"], "judicial_confirmation") in kinds
    cases.apply_judicial_confirmation(ids["user_id"], scenario["agreed"], TODAY, "河东区人民法院")
    assert scenario["agreed"] not in {r.case_id for r in reminders(store, TODAY).items}


def test_when_text() -> None:
    def r(days: int) -> Reminder:
        return Reminder("follow_up", "x", "n", "a", "b", date(2025, 1, 1), days)

    assert [r(-3).when_text, r(0).when_text, r(2).when_text] == [
        "已逾期 3 天",
        "今天到期",
        "还剩 2 天",
    ]


def _consultation(on: date, **kw: object) -> ConsultationInput:
    values: dict[str, object] = {
        "consulted_on": on,
        "category": "labour",
        "question": "老板拖欠三个月工资怎么办？",
        "answered_by": "张律师",
        "mode": "on_site",
        "name": "冯七",
        "village": "东村",
    }
    values.update(kw)
    return ConsultationInput(**values)  # type: ignore[arg-type]


def test_today_work_counts_what_was_done_today(
    store: Store,
    ids: dict[str, str],
    cases: CaseService,
    new_case: NewCase,
    clock: Clock,
    scenario: dict[str, str],
) -> None:
    user = ids["user_id"]
    consult = ConsultationService(store)
    # yesterday's work does not count
    clock.now = datetime(2025, 6, 15, 16)
    new_case(registered_on=date(2025, 6, 15))
    cases.add_session(
        user, scenario["soon"], SessionInput(datetime(2025, 6, 15, 15), "第一次调解", "王调解")
    )
    consult.record(user, _consultation(date(2025, 6, 15)))
    assert today_work(store, TODAY).total == 0

    clock.now = datetime(2025, 6, 16, 9, 30)
    fresh = new_case(registered_on=TODAY, parties=_parties("陈静", "黄河"))
    new_case(registered_on=date(2025, 6, 14))  # entered today, registered on another day
    session = cases.add_session(
        user, scenario["soon"], SessionInput(datetime(2025, 6, 16, 9), "第二次调解", "王调解")
    )
    cases.add_session(  # recorded today, held yesterday: recorded today all the same
        user, scenario["overdue"], SessionInput(datetime(2025, 6, 9, 9), "补录", "王调解")
    )
    follow = cases.record_follow_up(
        user,
        scenario["agreed"],
        FollowUpInput(done_on=TODAY, visitor="王调解", performance="partial"),
    )
    consult.record(user, _consultation(TODAY))
    consult.record(user, _consultation(TODAY, anonymous=True, name=""))
    work = today_work(store, TODAY)
    assert (work.cases_registered, work.sessions, work.follow_ups, work.consultations) == (
        1,
        2,
        1,
        2,
    )
    assert work.total == 6
    by_kind = {k: [e for e in work.entries if e.kind == k] for k in ("case", "session")}
    assert [e.case_id for e in by_kind["case"]] == [fresh]
    assert by_kind["case"][0].applicants == "陈静"
    assert by_kind["session"][1].record_id == session  # newest first
    assert by_kind["session"][0].case_id == scenario["overdue"]
    follow_entry = next(e for e in work.entries if e.kind == "follow_up")
    assert (follow_entry.record_id, follow_entry.detail) == (follow, "partial")
    consultations = [e for e in work.entries if e.kind == "consultation"]
    assert sorted(e.anonymous for e in consultations) == [False, True]
    assert all(e.case_id is None for e in consultations)
    # tomorrow it is yesterday's work
    assert today_work(store, date(2025, 6, 17)).total == 0


def test_today_work_list_is_short(store: Store, new_case: NewCase) -> None:
    for _ in range(4):
        new_case(registered_on=TODAY)
    work = today_work(store, TODAY, list_limit=3)
    assert work.cases_registered == 4
    assert len(work.entries) == 3


def _plan(store: Store, sql: str, params: tuple[object, ...]) -> str:
    rows = store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
    return "\n".join(str(r[-1]) for r in rows)


def test_deadline_queries_use_partial_indexes(store: Store) -> None:
    """Only open work is read: no query scans a whole table of a million-case database."""
    mediation = _plan(store, f"SELECT id {_MEDIATION_WHERE}", ("2025-06-23", "a", "b", "x"))
    # open cases by their deadline or by their (open) status: both read only open cases
    assert "INDEX cases_by_due" in mediation or "INDEX cases_by_status" in mediation, mediation
    follow = _plan(store, f"SELECT f.id {_FOLLOW_UP_WHERE}", ("2025-06-23",))
    assert "USING INDEX follow_ups_open" in follow, follow
    assert "SCAN" not in mediation and "SCAN" not in follow
