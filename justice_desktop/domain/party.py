"""Parties to a dispute: a natural person or an organisation, checked field by field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.validation import ValidationError
from justice_desktop.validation.credit_code import validate_credit_code
from justice_desktop.validation.fields import optional_text, require_text, validate_phone
from justice_desktop.validation.id_number import age_on, parse_resident_id

SIDE_LABELS = {"applicant": "申请人", "respondent": "被申请人", "third": "第三人"}
RESIDENT_ID = "resident_id"
NAME_MAX = 50
ADDRESS_MAX = 200
OCCUPATION_MAX = 50


@dataclass
class PartyInput:
    side: str = "applicant"
    kind: str = "person"
    name: str = ""
    gender: str | None = None
    ethnicity: str | None = None
    birth_date: date | None = None
    id_type: str | None = RESIDENT_ID
    id_number: str = ""
    occupation: str = ""
    phone: str = ""
    address: str = ""
    credit_code: str = ""
    representative: str = ""
    agent: str = ""


def party_age(birth_date: str | None, on: date) -> int | None:
    return age_on(date.fromisoformat(birth_date), on) if birth_date else None


def validate_party(
    p: PartyInput, tables: dict[str, CodeTable], *, prefix: str = "", today: date | None = None
) -> dict[str, Any]:
    """Return the row values for a valid party, deriving birth date and gender from the ID."""
    today = today or date.today()

    def f(name: str) -> str:
        return f"{prefix}{name}"

    if p.side not in SIDE_LABELS:
        raise ValidationError(f("side"), "请选择当事人一方（申请人、被申请人或第三人）。")
    who = SIDE_LABELS[p.side]
    row: dict[str, Any] = {"side": p.side, "kind": p.kind}
    if p.kind == "person":
        row["name"] = require_text(p.name, f("name"), f"{who}姓名", NAME_MAX)
        gender, birth = p.gender or None, p.birth_date
        id_number = p.id_number.strip()
        id_type = p.id_type or None
        if id_number:
            if id_type is None:
                id_type = RESIDENT_ID
            if not tables["id_types"].has(id_type):
                raise ValidationError(f("id_type"), f"{who}的证件类型“{id_type}”不在证件类型表中。")
            if id_type == RESIDENT_ID:
                rid = parse_resident_id(id_number, f("id_number"))
                id_number = rid.number
                if gender and gender != rid.gender:
                    raise ValidationError(
                        f("gender"),
                        f"{who}性别填写为“{gender}”，与身份证号码（{rid.gender}）不一致。",
                    )
                if birth and birth != rid.birth_date:
                    raise ValidationError(
                        f("birth_date"), f"{who}出生日期与身份证号码中的出生日期不一致。"
                    )
                gender, birth = rid.gender, rid.birth_date
            else:
                id_number = require_text(id_number, f("id_number"), f"{who}证件号码", 30)
        if gender not in (None, "男", "女"):
            raise ValidationError(f("gender"), "性别只能是“男”或“女”。")
        if birth is not None and birth > today:
            raise ValidationError(f("birth_date"), f"{who}出生日期不能晚于今天。")
        if p.ethnicity and not tables["ethnicities"].has(p.ethnicity):
            raise ValidationError(f("ethnicity"), f"{who}的民族“{p.ethnicity}”不在民族代码表中。")
        row.update(
            gender=gender,
            birth_date=birth.isoformat() if birth else None,
            ethnicity=p.ethnicity or None,
            id_type=id_type if id_number else None,
            id_number=id_number or None,
            occupation=optional_text(p.occupation, f("occupation"), f"{who}职业", OCCUPATION_MAX)
            or "",
            credit_code=None,
            representative="",
        )
    elif p.kind == "org":
        row["name"] = require_text(p.name, f("name"), f"{who}单位名称", 100)
        code = p.credit_code.strip()
        row.update(
            credit_code=validate_credit_code(code, f("credit_code")) if code else None,
            representative=require_text(
                p.representative, f("representative"), f"{who}法定代表人或负责人", NAME_MAX
            ),
            gender=None,
            birth_date=None,
            ethnicity=None,
            id_type=None,
            id_number=None,
            occupation="",
        )
    else:
        raise ValidationError(f("kind"), "当事人类型只能是自然人或单位。")
    row["phone"] = validate_phone(p.phone, f("phone")) if p.phone.strip() else ""
    row["address"] = optional_text(p.address, f("address"), f"{who}住址", ADDRESS_MAX) or ""
    row["agent"] = optional_text(p.agent, f("agent"), f"{who}的委托代理人", NAME_MAX) or ""
    return row
