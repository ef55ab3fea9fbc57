"""Legal consultations and legal advisers' work log, validated; the advisers' minimums."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.lifecycle import check_not_future
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import optional_text, require_text, validate_phone

ANONYMOUS_LABEL = "拒绝提供身份信息"
MONTHLY_VISIT_HOURS = 4.0  # Tianjin: at least one on-site visit of 4 hours a month per village
LECTURE_KIND = "lecture"


@dataclass
class ConsultationInput:
    consulted_on: date
    category: str
    question: str
    answered_by: str
    mode: str
    anonymous: bool = False
    name: str = ""
    gender: str | None = None
    age: int | None = None
    ethnicity: str | None = None
    employer: str = ""
    address: str = ""
    phone: str = ""
    answer: str = ""
    village: str = ""
    referral: str = "none"
    notes: str = ""


def validate_consultation(
    c: ConsultationInput, tables: dict[str, CodeTable], today: date
) -> dict[str, Any]:
    check_not_future(c.consulted_on, today, "咨询日期", "consulted_on")
    if not tables["consultation_categories"].has(c.category):
        raise ValidationError("category", "请选择咨询类别。")
    if not tables["consultation_modes"].has(c.mode):
        raise ValidationError("mode", "请选择咨询方式：实地、远程或预约。")
    if not tables["consultation_referrals"].has(c.referral):
        raise ValidationError("referral", "请选择处理方式（不转办、转人民调解等）。")
    row: dict[str, Any] = {
        "consulted_on": c.consulted_on.isoformat(),
        "category": c.category,
        "mode": c.mode,
        "referral": c.referral,
        "question": require_text(c.question, "question", "咨询问题", 5000),
        "answer": optional_text(c.answer, "answer", "解答摘要", 5000) or "",
        "answered_by": require_text(c.answered_by, "answered_by", "解答人", 50),
        "village": optional_text(c.village, "village", "村（社区）", 50) or "",
        "notes": optional_text(c.notes, "notes", "备注", 1000) or "",
        "anonymous": int(c.anonymous),
    }
    if c.anonymous:
        row.update(
            name="", gender=None, age=None, ethnicity=None, employer="", address="", phone=""
        )
        return row
    if c.age is not None and not 0 < c.age < 130:
        raise ValidationError("age", "年龄应在1到129岁之间。")
    if c.gender not in (None, "", "男", "女"):
        raise ValidationError("gender", "性别只能是“男”或“女”。")
    if c.ethnicity and not tables["ethnicities"].has(c.ethnicity):
        raise ValidationError("ethnicity", f"民族“{c.ethnicity}”不在民族代码表中。")
    row.update(
        name=require_text(c.name, "name", f"咨询人姓名（不愿提供请勾选“{ANONYMOUS_LABEL}”）", 50),
        gender=c.gender or None,
        age=c.age,
        ethnicity=c.ethnicity or None,
        employer=optional_text(c.employer, "employer", "工作单位及职业", 100) or "",
        address=optional_text(c.address, "address", "住址", 200) or "",
        phone=validate_phone(c.phone, "phone") if c.phone.strip() else "",
    )
    return row


@dataclass
class AdviserLogInput:
    adviser: str
    village: str
    started_at: datetime
    hours: float
    kind: str
    object: str
    content: str
    result: str = ""
    on_site: bool = True


def validate_adviser_log(
    a: AdviserLogInput, tables: dict[str, CodeTable], today: date
) -> dict[str, Any]:
    check_not_future(a.started_at.date(), today, "服务时间", "started_at")
    if not tables["adviser_service_kinds"].has(a.kind):
        raise ValidationError("kind", "请选择服务类别。")
    if not 0 < a.hours <= 24:
        raise ValidationError("hours", "服务时长应大于0且不超过24小时。")
    return {
        "adviser": require_text(a.adviser, "adviser", "法律顾问", 50),
        "village": require_text(a.village, "village", "服务村（社区）", 50),
        "started_at": a.started_at.isoformat(timespec="minutes"),
        "hours": round(float(a.hours), 1),
        "kind": a.kind,
        "object": require_text(a.object, "object", "服务对象", 200),
        "content": require_text(a.content, "content", "服务内容", 5000),
        "result": optional_text(a.result, "result", "服务结果", 2000) or "",
        "on_site": int(a.on_site),
    }


@dataclass(frozen=True)
class AdviserShortfall:
    village: str
    period: str  # "2025-03" or "2025Q1"
    kind: str  # "visit" | "lecture"
    adviser: str
    done: float
    required: float

    def describe(self) -> str:
        if self.kind == "visit":
            return f"{self.village} {self.period} 实地服务{self.done:g}小时，不足每月{self.required:g}小时"
        return (
            f"{self.village} {self.period} 法治讲座{self.done:g}次，不足每季度{self.required:g}次"
        )
