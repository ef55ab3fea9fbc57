"""The fields the statistics count, entered with a case: 排查, 防止激化 kinds with 人数,
疑难复杂 at registration (and corrected later), the amount with the agreement — saved through
the case service (outbox and audit) and counted by the 人民调解 table."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest

from justice_desktop.domain.case_inputs import (
    PREVENTED_PEOPLE_MAX,
    AgreementInput,
    parse_prevented_people,
    validate_prevention,
)
from justice_desktop.statistics import DrillKey, year_period
from justice_desktop.store import statistics as st
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store
from justice_desktop.store.outbox import for_record, history
from justice_desktop.validation import ValidationError
from tests.core.conftest import make_case_input


def _row(store: Store, case_id: str) -> dict[str, object]:
    rows = store.query(
        "SELECT prevented, prevented_people, from_screening, difficult, amount_cents "
        "FROM cases WHERE id = ?",
        (case_id,),
    )
    return dict(rows[0])


def test_registered_prevention_fields_are_stored_and_counted(
    store: Store, cases: CaseService, ids: dict[str, str]
) -> None:
    user, committee = ids["user_id"], ids["committee_id"]
    first = cases.register(
        user,
        make_case_input(
            committee,
            # given out of order and twice: stored once each, in the table's order
            prevented=["group_fight", "suicide", "group_fight"],
            prevented_people=7,
            from_screening=True,
            difficult=True,
        ),
    )
    cases.register(user, make_case_input(committee, prevented=["group_fight"], prevented_people=30))
    cases.register(user, make_case_input(committee))  # nothing prevented

    row = _row(store, first)
    assert json.loads(str(row["prevented"])) == ["suicide", "group_fight"]
    assert (row["prevented_people"], row["from_screening"], row["difficult"]) == (7, 1, 1)

    insert = for_record(store, first)[0]
    assert insert.op == "insert"
    assert json.loads(insert.changes["prevented"][1]) == ["suicide", "group_fight"]
    assert insert.changes["prevented_people"] == [None, 7]

    report = st.mediation_report(store, year_period(2025))
    prevention = report.table("prevention")
    assert prevention.value("screened", "count") == 1
    assert prevention.value("prevented_disputes", "count") == 0  # screened and settled only
    assert prevention.row("suicide").values == (1, 7)
    assert prevention.row("group_fight").values == (2, 37)
    assert prevention.row("criminal").values == (0, 0)
    assert prevention.row("group_petition").values == (0, 0)
    assert report.table("summary").value(None, "difficult") == 1
    assert st.case_ids(store, DrillKey("prevention", "prevention", "suicide"), report.period) == [
        first
    ]


def test_update_registration_changes_and_clears_prevention(
    store: Store, cases: CaseService, ids: dict[str, str]
) -> None:
    user, committee = ids["user_id"], ids["committee_id"]
    case_id = cases.register(user, make_case_input(committee))
    assert json.loads(str(_row(store, case_id)["prevented"])) == []

    cases.update_registration(
        user,
        case_id,
        make_case_input(committee, prevented=["criminal"], prevented_people=2),
        expected_version=1,
    )
    row = _row(store, case_id)
    assert (json.loads(str(row["prevented"])), row["prevented_people"]) == (["criminal"], 2)
    update = for_record(store, case_id)[-1]
    assert update.op == "update" and update.changes["prevented_people"] == [0, 2]
    assert "prevented" in history(store, case_id)[0]["fields"].split(",")

    cases.update_registration(user, case_id, make_case_input(committee), expected_version=2)
    row = _row(store, case_id)
    assert (json.loads(str(row["prevented"])), row["prevented_people"]) == ([], 0)
    prevention = st.mediation_report(store, year_period(2025)).table("prevention")
    assert prevention.row("criminal").values == (0, 0)


@pytest.mark.parametrize(
    ("kinds", "people", "field", "words"),
    [
        (["flood"], 1, "prevented", "请从列表中选择"),
        (["suicide"], 0, "prevented_people", "请填写防止激化涉及的人数"),
        ([], 3, "prevented_people", "不应填写涉及人数"),
        (["criminal"], PREVENTED_PEOPLE_MAX + 1, "prevented_people", "0到9999"),
        (["criminal"], -1, "prevented_people", "0到9999"),
    ],
)
def test_invalid_prevention_is_refused_and_nothing_written(
    store: Store,
    cases: CaseService,
    ids: dict[str, str],
    kinds: list[str],
    people: int,
    field: str,
    words: str,
) -> None:
    before = store.scalar("SELECT count(*) FROM outbox")
    with pytest.raises(ValidationError) as info:
        cases.register(
            ids["user_id"],
            make_case_input(ids["committee_id"], prevented=kinds, prevented_people=people),
        )
    assert info.value.field == field
    assert words in info.value.message
    assert store.scalar("SELECT count(*) FROM outbox") == before


def test_limits_are_inclusive() -> None:
    assert validate_prevention(["suicide"], PREVENTED_PEOPLE_MAX) == (
        ["suicide"],
        PREVENTED_PEOPLE_MAX,
    )
    assert validate_prevention(["suicide"], 1) == (["suicide"], 1)
    assert validate_prevention([], 0) == ([], 0)


@pytest.mark.parametrize(
    ("text", "value"),
    [("", 0), ("  ", 0), ("12", 12), ("１２", 12), ("12人", 12), (" 9999 ", 9999), ("0", 0)],
)
def test_people_as_typed(text: str, value: int) -> None:
    assert parse_prevented_people(text) == value


@pytest.mark.parametrize("text", ["abc", "-3", "1.5", "十二", "3 4x", "3e2"])
def test_people_not_a_whole_number(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_prevented_people(text)
    assert info.value.field == "prevented_people"
    assert "整数" in info.value.message


def test_amount_and_screening_of_a_settled_case_are_counted(
    store: Store, cases: CaseService, ids: dict[str, str]
) -> None:
    """The amount is already entered with the agreement; checked here with the rest."""
    user = ids["user_id"]
    case_id = cases.register(
        user, make_case_input(ids["committee_id"], date(2025, 6, 2), from_screening=True)
    )
    cases.record_agreement(
        user,
        case_id,
        AgreementInput(
            form="oral",
            effective_on=date(2025, 6, 3),
            oral_content="双方当场和解。",
            amount=Decimal("1500.50"),
        ),
    )
    assert _row(store, case_id)["amount_cents"] == 150050
    report = st.mediation_report(store, year_period(2025))
    # 1,500.50 yuan is 1,501 yuan to the yuan, rounded half up as Excel does: 0.1501 万元
    assert report.table("agreement_form").value("oral", "amount") == 0.1501
    assert report.table("prevention").value("prevented_disputes", "count") == 1
