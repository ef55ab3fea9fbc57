"""Case-list pages: the second half is read from the other end, with the same rows."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store
from justice_desktop.store.queries import CaseFilter, CaseQueries
from tests.core.conftest import make_case_input


@pytest.fixture
def listed(store: Store, ids: dict[str, str]) -> CaseQueries:
    service = CaseService(store)
    for n in range(23):
        day = date(2025, 1, 1) + timedelta(days=n // 3)  # several cases a day: ties by id
        service.register(
            ids["user_id"],
            make_case_input(ids["committee_id"], registered_on=day, dispute_type="contract"),
        )
    return CaseQueries(store)


@pytest.mark.parametrize("sort", ["registered_on", "case_number", "status"])
@pytest.mark.parametrize("descending", [True, False])
@pytest.mark.parametrize("limit", [1, 4, 7, 30])
def test_pages_from_either_end_are_the_same(
    listed: CaseQueries, sort: str, descending: bool, limit: int
) -> None:
    flt = CaseFilter(dispute_type="contract")
    total = listed.count(flt)
    assert total == 23
    whole = [r["id"] for r in listed.page(flt, 0, total, sort=sort, descending=descending)]
    for offset in range(0, total + 2, max(1, limit // 2)):
        plain = listed.page(flt, offset, limit, sort=sort, descending=descending)
        smart = listed.page(flt, offset, limit, sort=sort, descending=descending, total=total)
        assert (
            [r["id"] for r in smart] == [r["id"] for r in plain] == whole[offset : offset + limit]
        )


def test_kept_case_count_follows_inserts_deletes_and_demo_loads(
    store: Store, ids: dict[str, str]
) -> None:
    from justice_desktop.demo.loader import load_demo_data

    def real() -> int:
        return int(store.scalar("SELECT count(*) FROM cases WHERE deleted = 0"))

    queries = CaseQueries(store)
    service = CaseService(store)
    made = [
        service.register(ids["user_id"], make_case_input(ids["committee_id"])) for _ in range(5)
    ]
    assert queries.count() == real() == 5
    service.delete_case(ids["user_id"], made[0], "重复登记")
    assert queries.count() == real() == 4
    load_demo_data(store, cases=120, seed=5)
    assert queries.count() == real() == 124
    store.conn.execute("UPDATE cases SET deleted = 0 WHERE id = ?", (made[0],))  # e.g. sync undo
    assert queries.count() == real() == 125
    for table in ("parties", "case_mediators"):  # a row removed outright (not a tombstone)
        store.conn.execute(f"DELETE FROM {table} WHERE case_id = ?", (made[1],))
    store.conn.execute("DELETE FROM cases WHERE id = ?", (made[1],))
    assert queries.count() == real() == 124
