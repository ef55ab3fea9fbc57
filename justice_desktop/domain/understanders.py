"""法律明白人: roster entries, trainings and yearly hours, validated."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.lifecycle import check_not_future
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import optional_text, require_text, validate_phone
from justice_desktop.validation.id_number import parse_resident_id

DEFAULT_YEARLY_HOURS_TARGET = 12.0
MODE_LABELS = {"online": "线上", "offline": "线下"}


@dataclass
class UnderstanderInput:
    name: str
    village: str
    nomination_route: str
    id_number: str = ""
    gender: str | None = None
    ethnicity: str | None = None
    phone: str = ""
    villager_group: str = ""
    priority_group: str = ""
    assessment_result: str = ""
    certificate_no: str = ""
    appointed_on: date | None = None
    filed_on: date | None = None


def validate_understander(
    u: UnderstanderInput, tables: dict[str, CodeTable], today: date
) -> dict[str, Any]:
    row: dict[str, Any] = {
        "name": require_text(u.name, "name", "姓名", 50),
        "village": require_text(u.village, "village", "所在村（社区）", 50),
        "villager_group": optional_text(u.villager_group, "villager_group", "村民小组", 50) or "",
        "certificate_no": optional_text(u.certificate_no, "certificate_no", "证书（胸牌）编号", 50)
        or "",
        "assessment_result": optional_text(u.assessment_result, "assessment_result", "考核结果", 50)
        or "",
        "phone": validate_phone(u.phone, "phone") if u.phone.strip() else "",
        "ethnicity": u.ethnicity or None,
        "gender": u.gender or None,
        "birth_date": None,
        "id_number": None,
    }
    if not tables["nomination_routes"].has(u.nomination_route):
        raise ValidationError(
            "nomination_route", "请选择产生方式（个人自荐、村（居）委会推荐等）。"
        )
    row["nomination_route"] = u.nomination_route
    if u.priority_group and not tables["understander_priority_groups"].has(u.priority_group):
        raise ValidationError("priority_group", "请从列表中选择重点人群类别。")
    row["priority_group"] = u.priority_group
    if u.ethnicity and not tables["ethnicities"].has(u.ethnicity):
        raise ValidationError("ethnicity", f"民族“{u.ethnicity}”不在民族代码表中。")
    if u.id_number.strip():
        rid = parse_resident_id(u.id_number, "id_number")
        if u.gender and u.gender != rid.gender:
            raise ValidationError(
                "gender", f"性别填写为“{u.gender}”，与身份证号码（{rid.gender}）不一致。"
            )
        row.update(id_number=rid.number, gender=rid.gender, birth_date=rid.birth_date.isoformat())
    for label, name, value in (
        ("聘任日期", "appointed_on", u.appointed_on),
        ("备案日期", "filed_on", u.filed_on),
    ):
        if value is not None:
            check_not_future(value, today, label, name)
        row[name] = value.isoformat() if value else None
    if u.appointed_on is not None and u.filed_on is not None and u.filed_on < u.appointed_on:
        raise ValidationError(
            "filed_on",
            f"备案日期（{u.filed_on:%Y年%m月%d日}）不能早于聘任日期"
            f"（{u.appointed_on:%Y年%m月%d日}）：聘任后才报市局备案。",
        )
    return row


@dataclass
class TrainingInput:
    held_on: date
    topic: str
    trainer: str
    mode: str
    hours: float
    place: str = ""
    attendee_ids: list[str] = field(default_factory=list)


def validate_training(t: TrainingInput, today: date) -> dict[str, Any]:
    check_not_future(t.held_on, today, "培训日期", "held_on")
    if t.mode not in MODE_LABELS:
        raise ValidationError("mode", "请选择培训方式：线上或线下。")
    if not 0 < t.hours <= 24:
        raise ValidationError("hours", "培训学时应大于0且不超过24小时。")
    return {
        "held_on": t.held_on.isoformat(),
        "topic": require_text(t.topic, "topic", "培训主题", 200),
        "trainer": require_text(t.trainer, "trainer", "授课人", 50),
        "mode": t.mode,
        "hours": round(float(t.hours), 1),
        "place": optional_text(t.place, "place", "培训地点", 100) or "",
    }


@dataclass(frozen=True)
class HoursShortfall:
    understander_id: str
    name: str
    village: str
    hours: float
    target: float

    @property
    def missing(self) -> float:
        return max(0.0, round(self.target - self.hours, 1))
