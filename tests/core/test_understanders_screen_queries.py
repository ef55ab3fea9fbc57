"""Reads the 法律明白人 screen needs: roster with yearly hours, villages, trainings of a year."""

from __future__ import annotations

from datetime import date

import pytest

from justice_desktop.domain.understanders import TrainingInput, UnderstanderInput
from justice_desktop.store.database import Store
from justice_desktop.store.errors import ConcurrentEditError, RecordNotFoundError
from justice_desktop.store.understanders import (
    UnderstanderService,
    load_training,
    load_understander,
    roster_villages,
    roster_with_hours,
    trainings_in_year,
    update_training,
)
from justice_desktop.validation import ValidationError


def _person(name: str, village: str = "东村", **kw: object) -> UnderstanderInput:
    return UnderstanderInput(name=name, village=village, nomination_route="committee", **kw)  # type: ignore[arg-type]


def _people(store: Store, user: str) -> dict[str, str]:
    svc = UnderstanderService(store)
    made = {
        "赵一": svc.add(user, _person("赵一", priority_group="mediator")),
        "钱二": svc.add(user, _person("钱二", villager_group="一组")),
        "孙三": svc.add(user, _person("孙三", village="西村", priority_group="mediator")),
        "李百_%": svc.add(user, _person("李百_%", village="西村")),
    }
    svc.add_training(
        user,
        TrainingInput(
            date(2025, 3, 1), "民法典", "张律师", "offline", 3, attendee_ids=[made["赵一"]]
        ),
    )
    svc.add_training(
        user,
        TrainingInput(
            date(2025, 4, 1),
            "调解技巧",
            "李所长",
            "online",
            2.5,
            attendee_ids=[made["赵一"], made["孙三"]],
        ),
    )
    svc.add_training(
        user,
        TrainingInput(date(2024, 4, 1), "去年", "李所长", "online", 6, attendee_ids=[made["钱二"]]),
    )
    return made


def test_roster_with_hours_and_filters(store: Store, ids: dict[str, str]) -> None:
    user = ids["user_id"]
    made = _people(store, user)
    rows = roster_with_hours(store, 2025)
    assert [r["name"] for r in rows] == ["赵一", "钱二", "孙三", "李百_%"]
    hours = {r["name"]: r["hours_in_year"] for r in rows}
    assert hours == {"赵一": 5.5, "钱二": 0, "孙三": 2.5, "李百_%": 0}
    assert roster_with_hours(store, 2024)[1]["hours_in_year"] == 6
    assert [r["name"] for r in roster_with_hours(store, 2025, village="西村")] == [
        "孙三",
        "李百_%",
    ]
    assert [r["name"] for r in roster_with_hours(store, 2025, priority_group="mediator")] == [
        "赵一",
        "孙三",
    ]
    assert [r["name"] for r in roster_with_hours(store, 2025, name="钱")] == ["钱二"]
    # LIKE wildcards typed by the user are plain characters
    assert [r["name"] for r in roster_with_hours(store, 2025, name="_%")] == ["李百_%"]
    assert [r["name"] for r in roster_with_hours(store, 2025, name="%")] == ["李百_%"]

    UnderstanderService(store).remove(user, made["孙三"], "迁出本村", date(2025, 5, 1))
    assert "孙三" not in [r["name"] for r in roster_with_hours(store, 2025)]
    removed = roster_with_hours(store, 2025, status="removed")
    assert [(r["name"], r["hours_in_year"]) for r in removed] == [("孙三", 2.5)]
    assert len(roster_with_hours(store, 2025, status=None)) == 4
    assert roster_villages(store) == ["东村", "西村"]


def test_load_understander_records_the_opening(store: Store, ids: dict[str, str]) -> None:
    user = ids["user_id"]
    uid = UnderstanderService(store).add(user, _person("赵一", phone="13812345678"))

    def views() -> int:
        return int(
            store.scalar(
                "SELECT count(*) FROM audit_log WHERE action = 'view' AND record_id = ?", (uid,)
            )
        )

    assert load_understander(store, uid)["phone"] == "13812345678"
    assert views() == 0
    assert load_understander(store, uid, user_id=user)["name"] == "赵一"
    assert views() == 1
    with pytest.raises(RecordNotFoundError):
        load_understander(store, "missing")
    with pytest.raises(RecordNotFoundError):
        load_understander(store, "missing", user_id=user)


def test_trainings_of_a_year_and_corrections(store: Store, ids: dict[str, str]) -> None:
    user = ids["user_id"]
    made = _people(store, user)
    listed = trainings_in_year(store, 2025)
    assert [(t["topic"], t["attendee_count"]) for t in listed] == [("调解技巧", 2), ("民法典", 1)]
    assert [t["topic"] for t in trainings_in_year(store, 2024)] == ["去年"]
    tid = listed[0]["id"]
    row, attendees = load_training(store, tid)
    assert row["hours"] == 2.5
    assert set(attendees) == {made["赵一"], made["孙三"]}

    update_training(
        store,
        user,
        tid,
        TrainingInput(date(2025, 4, 2), "调解技巧（二）", "李所长", "offline", 4, place="会议室"),
        expected_version=row["version"],
    )
    update_training(
        store,
        user,
        tid,
        TrainingInput(
            date(2025, 4, 2),
            "调解技巧（二）",
            "李所长",
            "offline",
            4,
            place="会议室",
            attendee_ids=[made["钱二"]],
        ),
        attendance=True,
    )
    row, attendees = load_training(store, tid)
    assert (row["topic"], row["hours"], row["mode"], row["place"]) == (
        "调解技巧（二）",
        4,
        "offline",
        "会议室",
    )
    assert attendees == [made["钱二"]]
    assert {r["name"]: r["hours_in_year"] for r in roster_with_hours(store, 2025)}["钱二"] == 4

    with pytest.raises(ConcurrentEditError):
        update_training(
            store,
            user,
            tid,
            TrainingInput(date(2025, 4, 2), "旧版本", "李所长", "offline", 4),
            expected_version=row["version"] - 1,
        )
    with pytest.raises(ValidationError) as bad:
        update_training(
            store, user, tid, TrainingInput(date(2025, 4, 2), "", "李所长", "offline", 4)
        )
    assert bad.value.field == "topic"
    # a removed person cannot be added to the check-list; nothing of the change is kept
    UnderstanderService(store).remove(user, made["李百_%"], "违法", date(2025, 5, 1))
    with pytest.raises(ValidationError) as removed:
        update_training(
            store,
            user,
            tid,
            TrainingInput(
                date(2025, 4, 2), "新主题", "李所长", "offline", 4, attendee_ids=[made["李百_%"]]
            ),
            attendance=True,
        )
    assert removed.value.field == "attendees"
    assert load_training(store, tid) == (row, [made["钱二"]])
    with pytest.raises(RecordNotFoundError):
        load_training(store, "missing")
