"""Queries the consultation and adviser-log screens need: advisers and village assignments."""

from __future__ import annotations

from datetime import date, datetime

from justice_desktop.domain.consultations import AdviserLogInput
from justice_desktop.store.consultations import AdviserLogService
from justice_desktop.store.database import Store


def _log(svc: AdviserLogService, user: str, adviser: str, village: str, when: datetime) -> None:
    svc.record(
        user,
        AdviserLogInput(adviser, village, when, 4, "consultation", "村民", "解答问题", "已解答"),
    )


def test_advisers_sorted_and_distinct(store: Store, ids: dict[str, str]) -> None:
    svc = AdviserLogService(store)
    assert svc.advisers() == []
    _log(svc, ids["user_id"], "周律师", "东村", datetime(2025, 1, 8, 9))
    _log(svc, ids["user_id"], "吴律师", "西村", datetime(2025, 2, 8, 9))
    _log(svc, ids["user_id"], "周律师", "南村", datetime(2025, 3, 8, 9))
    assert sorted(svc.advisers()) == svc.advisers()
    assert set(svc.advisers()) == {"周律师", "吴律师"} and len(svc.advisers()) == 2


def test_assignments_latest_adviser_up_to_the_year(store: Store, ids: dict[str, str]) -> None:
    svc = AdviserLogService(store)
    user = ids["user_id"]
    _log(svc, user, "周律师", "东村", datetime(2024, 5, 8, 9))
    _log(svc, user, "吴律师", "东村", datetime(2025, 2, 8, 9))
    _log(svc, user, "周律师", "西村", datetime(2024, 7, 1, 9))
    assert svc.assignments(2024) == {"东村": "周律师", "西村": "周律师"}
    # 2025: 东村 changed hands; 西村 had no visit this year but is still checked
    assert svc.assignments(2025) == {"东村": "吴律师", "西村": "周律师"}
    assert svc.assignments(2023) == {}
    short = svc.shortfalls(svc.assignments(2025), 2025, until=date(2025, 3, 1))
    assert {(s.village, s.period) for s in short if s.kind == "visit"} == {
        ("东村", "2025-01"),
        ("西村", "2025-01"),
        ("西村", "2025-02"),
    }


def test_villages_and_shortfalls_for_one_adviser(store: Store, ids: dict[str, str]) -> None:
    svc = AdviserLogService(store)
    user = ids["user_id"]
    _log(svc, user, "周律师", "东村", datetime(2025, 1, 8, 9))
    _log(svc, user, "吴律师", "西村", datetime(2025, 1, 9, 9))
    assert svc.villages() == sorted(["东村", "西村"])
    until = date(2025, 2, 1)
    every = svc.shortfalls_for(2025, until)
    assert {(s.village, s.kind) for s in every} == set()  # January visited, no quarter ended
    until = date(2025, 4, 1)
    every = svc.shortfalls_for(2025, until)
    assert {s.adviser for s in every} == {"周律师", "吴律师"}
    mine = svc.shortfalls_for(2025, until, adviser="周律师")
    assert mine and {s.adviser for s in mine} == {"周律师"}
    assert {(s.period, s.kind) for s in mine} == {
        ("2025-02", "visit"),
        ("2025-03", "visit"),
        ("2025Q1", "lecture"),
    }
