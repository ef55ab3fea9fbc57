"""Case numbers on several machines, and the legal deadlines' calendar arithmetic."""

from __future__ import annotations

import shutil
from datetime import date, datetime
from pathlib import Path

import pytest

from justice_desktop.domain.deadlines import (
    add_months,
    follow_up_due,
    judicial_confirmation_last_day,
    mediation_due,
)
from justice_desktop.domain.numbering import NumberBlock, format_case_number, parse_case_number
from justice_desktop.store import numbers
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import create_store, open_store
from justice_desktop.store.errors import NumberBlockExhaustedError, StoreError
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.office import OfficeSetup, set_up_office
from justice_desktop.store.queries import CaseQueries
from tests.core.conftest import Clock, make_case_input


def _two_machines(tmp_path: Path) -> tuple[CaseService, CaseService, dict[str, str]]:
    vault = MemoryVault({})
    clock = Clock(datetime(2025, 6, 16, 9))
    a, _ = create_store(tmp_path / "a", vault, clock=clock)
    ids = set_up_office(a, OfficeSetup("所", "城关街道人民调解委员会", "津东城", standalone=False))
    a.close()
    shutil.copytree(tmp_path / "a", tmp_path / "b")
    a = open_store(tmp_path / "a", vault, clock=clock)
    b = open_store(tmp_path / "b", vault, clock=clock)
    b.set_meta("machine_id", "machine-b")
    # the authority (the city server, in the sync issue) hands out disjoint blocks
    numbers.grant_block(a.conn, ids["committee_id"], 2025, NumberBlock(1, 40), "server", clock())
    numbers.grant_block(b.conn, ids["committee_id"], 2025, NumberBlock(41, 80), "server", clock())
    numbers.grant_block(a.conn, ids["committee_id"], 2025, NumberBlock(81, 120), "server", clock())
    return CaseService(a), CaseService(b), ids


def test_two_machines_offline_never_collide(tmp_path: Path) -> None:
    a, b, ids = _two_machines(tmp_path)
    made: list[str] = []
    for n in range(60):
        service = a if n % 3 else b
        if service is b and n >= 3 * 40:
            continue
        cid = service.register(ids["user_id"], make_case_input(ids["committee_id"]))
        made.append(service.load(cid).case["case_number"])
    assert len(made) == len(set(made)), "no number used twice"
    seqs_a = [c["case_number"] for c in a.store.query("SELECT case_number FROM cases")]
    seqs_b = [c["case_number"] for c in b.store.query("SELECT case_number FROM cases")]
    assert not set(seqs_a) & set(seqs_b)
    assert all(1 <= parse_case_number(n).seq <= 120 for n in made)  # type: ignore[union-attr]
    assert {parse_case_number(n).seq for n in seqs_b} <= set(range(41, 81))  # type: ignore[union-attr]


def test_exhausted_blocks_refuse_instead_of_colliding(tmp_path: Path) -> None:
    _, b, ids = _two_machines(tmp_path)
    for _ in range(40):
        b.register(ids["user_id"], make_case_input(ids["committee_id"]))
    before = CaseQueries(b.store).count()
    with pytest.raises(NumberBlockExhaustedError, match="同步"):
        b.register(ids["user_id"], make_case_input(ids["committee_id"]))
    assert CaseQueries(b.store).count() == before


def test_overlapping_block_is_refused(tmp_path: Path) -> None:
    a, _, ids = _two_machines(tmp_path)
    with pytest.raises(StoreError, match="重叠"):
        numbers.grant_block(
            a.store.conn,
            ids["committee_id"],
            2025,
            NumberBlock(30, 50),
            "manual",
            datetime(2025, 6, 1),
        )


def test_standalone_machine_grants_itself_blocks_per_year(tmp_path: Path) -> None:
    clock = Clock(datetime(2026, 1, 2, 9))
    store, _ = create_store(tmp_path / "s", MemoryVault({}), clock=clock)
    ids = set_up_office(store, OfficeSetup("所", "调委会", "津东城"))
    service = CaseService(store)
    c1 = service.register(
        ids["user_id"], make_case_input(ids["committee_id"], registered_on=date(2025, 12, 31))
    )
    c2 = service.register(
        ids["user_id"], make_case_input(ids["committee_id"], registered_on=date(2026, 1, 2))
    )
    c3 = service.register(
        ids["user_id"], make_case_input(ids["committee_id"], registered_on=date(2025, 12, 30))
    )
    numbers_ = [service.load(c).case["case_number"] for c in (c1, c2, c3)]
    assert numbers_ == [
        "（2025）津东城人调字第1号",
        "（2026）津东城人调字第1号",
        "（2025）津东城人调字第2号",
    ]
    store.close()


def test_case_number_format_round_trip() -> None:
    text = format_case_number(2025, "津东城", 123)
    assert text == "（2025）津东城人调字第123号"
    parsed = parse_case_number(text)
    assert parsed is not None and (parsed.year, parsed.prefix, parsed.seq) == (2025, "津东城", 123)
    assert parse_case_number("(2025)津东城人调字第7号") is not None
    assert parse_case_number("2025年第7号") is None


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),  # leap year
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2025, 3, 31), 1, date(2025, 4, 30)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 8, 31), 6, date(2026, 2, 28)),
    ],
)
def test_month_arithmetic_uses_month_ends(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_mediation_due_dates() -> None:
    assert mediation_due(date(2025, 1, 31)) == date(2025, 2, 28)
    assert mediation_due(date(2024, 1, 30)) == date(2024, 2, 29)
    assert mediation_due(date(2025, 2, 1), "court_assigned") == date(2025, 3, 3)
    assert mediation_due(date(2024, 2, 1), "court_assigned") == date(2024, 3, 2)
    assert mediation_due(date(2025, 12, 28), "court_entrusted", "ordinary") == date(2026, 1, 12)
    assert mediation_due(date(2025, 12, 28), "court_entrusted", "summary") == date(2026, 1, 4)


def test_judicial_and_follow_up_windows() -> None:
    assert judicial_confirmation_last_day(date(2025, 2, 1)) == date(2025, 3, 3)
    assert judicial_confirmation_last_day(date(2024, 2, 1)) == date(2024, 3, 2)
    assert follow_up_due(date(2025, 6, 1), None, 15) == date(2025, 6, 16)
    assert follow_up_due(date(2025, 6, 1), date(2025, 8, 1), 15) == date(2025, 8, 1)


def test_overdue_and_due_soon_query(tmp_path: Path) -> None:
    from justice_desktop.domain.case_inputs import AgreementInput

    clock = Clock(datetime(2025, 6, 16, 9))
    store, _ = create_store(tmp_path / "s", MemoryVault({}), clock=clock)
    ids = set_up_office(store, OfficeSetup("所", "调委会", "津东城"))
    service = CaseService(store, follow_up_days=10)
    user, committee = ids["user_id"], ids["committee_id"]
    overdue = service.register(
        user, make_case_input(committee, registered_on=date(2025, 5, 10))
    )  # due 06-10
    soon = service.register(
        user, make_case_input(committee, registered_on=date(2025, 5, 20))
    )  # due 06-20
    later = service.register(
        user, make_case_input(committee, registered_on=date(2025, 6, 10))
    )  # due 07-10
    agreed = service.register(user, make_case_input(committee, registered_on=date(2025, 6, 1)))
    service.record_agreement(
        user,
        agreed,
        AgreementInput(
            form="written",
            effective_on=date(2025, 5 + 1, 2),
            facts="事实",
            terms=["条款"],
            performance_manner="现金",
            performance_place="司法所",
            performance_deadline=date(2025, 6, 5),
        ),
    )  # follow-up due 06-12 (overdue), 司法确认 window ends 07-02 (not soon)
    items = CaseQueries(store).deadlines(date(2025, 6, 16))
    got = {(i.kind, i.case_id): i for i in items}
    assert got[("mediation", overdue)].days_left == -6 and got[("mediation", overdue)].overdue
    assert got[("mediation", soon)].days_left == 4
    assert ("mediation", later) not in got
    assert ("mediation", agreed) not in got
    assert got[("follow_up", agreed)].describe() == "回访已超期4天"
    assert ("judicial_confirmation", agreed) not in got
    items = CaseQueries(store).deadlines(date(2025, 6, 28))
    jc = [i for i in items if i.kind == "judicial_confirmation"]
    assert [i.case_id for i in jc] == [agreed] and jc[0].due_on == date(2025, 7, 2)
    store.close()


def test_case_list_sorts_case_numbers_numerically(
    cases: CaseService, ids: dict[str, str], store: object
) -> None:
    for _ in range(11):
        cases.register(ids["user_id"], make_case_input(ids["committee_id"]))
    from justice_desktop.store.queries import CaseFilter

    rows = CaseQueries(cases.store).page(CaseFilter(), 0, 20, sort="case_number", descending=False)
    assert [parse_case_number(r["case_number"]).seq for r in rows] == list(range(1, 12))  # type: ignore[union-attr]
    ids_ = CaseQueries(cases.store).page_ids(
        CaseFilter(), 0, 3, sort="case_number", descending=True
    )
    assert [r["id"] for r in rows[::-1][:3]] == ids_
