"""What a user enters at each stage of a case, and its validation into row values."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.lifecycle import STATUS_MATTERS, check_not_future
from justice_desktop.domain.party import PartyInput, validate_party
from justice_desktop.statistics.tables import PREVENTION_KINDS
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import clean_text, optional_text, require_text

SUMMARY_MAX = 2000
TEXT_MAX = 5000
RECORD_MAX = 20000
COURT_SOURCES = ("court_assigned", "court_entrusted")
PREVENTED_PEOPLE_MAX = 9999  # 防止激化涉及人数 entered on a case
#: No record of the office's work is dated earlier (a year typed 1925 for 2025 is a slip).
EARLIEST_RECORD_DATE = date(2000, 1, 1)


def to_cents(amount: Decimal | None) -> int:
    return int((amount or Decimal(0)) * 100)


@dataclass
class CaseInput:
    committee_id: str
    registered_on: date
    source: str
    dispute_type: str
    summary: str
    parties: list[PartyInput]
    mediators: list[str]
    source_sub: str | None = None
    referral_doc_no: str = ""
    court_procedure: str | None = None
    dispute_subtype: str | None = None
    status_matter: str | None = None
    claims: list[str] = field(default_factory=list)
    risk_level: str = "low"
    village: str = ""
    difficult: bool = False
    private_hearing: bool = False
    from_screening: bool = False
    prevented: list[str] = field(default_factory=list)  # codes of PREVENTION_KINDS
    prevented_people: int = 0


def parse_prevented_people(text: str) -> int:
    """人数 as typed ("12", "１２", "12人"); empty is 0. Range and consistency with the
    ticked kinds are checked by :func:`validate_prevention`."""
    value = "".join(unicodedata.normalize("NFKC", text or "").split())
    if value.endswith("人"):
        value = value[:-1]
    if not value:
        return 0
    if not (value.isascii() and value.isdigit()):
        raise ValidationError(
            "prevented_people", f"涉及人数请填写0到{PREVENTED_PEOPLE_MAX}之间的整数。"
        )
    return int(value)


def validate_prevention(prevented: Sequence[str], people: int) -> tuple[list[str], int]:
    """The 防止激化 kinds (deduplicated, in :data:`PREVENTION_KINDS` order) and 人数: people
    are required when a kind is ticked and not allowed when none is."""
    kinds = list(dict.fromkeys(prevented))
    for kind in kinds:
        if kind not in PREVENTION_KINDS:
            raise ValidationError("prevented", "请从列表中选择防止激化的情形。")
    if not 0 <= people <= PREVENTED_PEOPLE_MAX:
        raise ValidationError("prevented_people", f"涉及人数应在0到{PREVENTED_PEOPLE_MAX}之间。")
    if kinds and people < 1:
        raise ValidationError("prevented_people", "请填写防止激化涉及的人数。")
    if not kinds and people:
        raise ValidationError("prevented_people", "未选择防止激化的情形，不应填写涉及人数。")
    return [k for k in PREVENTION_KINDS if k in kinds], people


def validate_registration(
    c: CaseInput, tables: dict[str, CodeTable], today: date, *, stored_on: date | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]], list[str]]:
    """Return (case values, party rows, mediator names) or raise on the first problem.

    ``stored_on`` is the 受理日期 of the case being edited: one stored before
    :data:`EARLIEST_RECORD_DATE` (by an older program) may stay, as its year cannot change."""
    check_not_future(c.registered_on, today, "受理日期", "registered_on")
    if c.registered_on < EARLIEST_RECORD_DATE and c.registered_on != stored_on:
        # its year is printed in the case number
        raise ValidationError(
            "registered_on",
            f"受理日期（{c.registered_on:%Y年%m月%d日}）的年份不合理，请核对"
            f"（本程序登记{EARLIEST_RECORD_DATE.year}年以后的案件）。",
        )
    sources = tables["case_sources"]
    if not sources.has(c.source) or sources.entry(c.source).parent is not None:
        raise ValidationError("source", "请选择案件来源。")
    children = [e.code for e in sources.children(c.source)]
    source_sub = c.source_sub or None
    if children:
        if source_sub not in children:
            raise ValidationError(
                "source_sub", "接受委托移送的案件，请选择移送单位（法院、检察院、公安机关等）。"
            )
    elif source_sub is not None:
        raise ValidationError("source_sub", "该案件来源没有细分类别。")
    referral_doc_no = (c.referral_doc_no or "").strip()
    court_procedure = c.court_procedure or None
    if source_sub is not None:
        referral_doc_no = require_text(referral_doc_no, "referral_doc_no", "移送文书编号", 60)
    if source_sub == "court_entrusted":
        if court_procedure not in ("ordinary", "summary"):
            raise ValidationError(
                "court_procedure", "法院委托调解的案件，请选择适用普通程序或简易程序。"
            )
    else:
        court_procedure = None
    types = tables["dispute_types"]
    if not types.has(c.dispute_type) or types.entry(c.dispute_type).parent is not None:
        raise ValidationError("dispute_type", "请选择纠纷类型。")
    subs = [e.code for e in types.children(c.dispute_type)]
    subtype = c.dispute_subtype or None
    if subs and subtype not in subs:
        raise ValidationError(
            "dispute_subtype", f"请选择“{types.label(c.dispute_type)}”的具体类别。"
        )
    if not subs:
        subtype = None
    if c.status_matter is not None and c.status_matter not in STATUS_MATTERS:
        raise ValidationError("status_matter", "涉及事项只能是身份关系、收养关系或婚姻关系。")
    if not tables["risk_levels"].has(c.risk_level):
        raise ValidationError("risk_level", "请选择风险等级。")
    prevented, prevented_people = validate_prevention(c.prevented, c.prevented_people)
    summary = require_text(c.summary, "summary", "纠纷简要情况", SUMMARY_MAX)
    claims = [
        require_text(text, f"claims[{i}]", f"第{i + 1}项申请事项", 500)
        for i, text in enumerate(c.claims)
        if text.strip()
    ]
    sides = {p.side for p in c.parties}
    if "applicant" not in sides:
        raise ValidationError("parties", "至少需要一名申请人（当事人一方）。")
    if "respondent" not in sides:
        raise ValidationError("parties", "至少需要一名被申请人（当事人另一方）。")
    party_rows = [
        validate_party(p, tables, prefix=f"parties[{i}].", today=today)
        for i, p in enumerate(c.parties)
    ]
    seen: dict[str, int] = {}
    for i, row in enumerate(party_rows):
        for key, label in (("id_number", "身份证号码"), ("credit_code", "统一社会信用代码")):
            value = row.get(key)
            if not value:
                continue
            if f"{key}:{value}" in seen:
                first = seen[f"{key}:{value}"]
                raise ValidationError(
                    f"parties[{i}].{key}",
                    f"当事人{i + 1}的{label}与当事人{first + 1}相同，同一当事人不能登记两次，请核对。",
                )
            seen[f"{key}:{value}"] = i
    typed = [clean_text(m).strip() for m in c.mediators if clean_text(m).strip()]
    if not typed:
        raise ValidationError("mediators", "请至少指定一名人民调解员。")
    mediators = [
        require_text(name, f"mediators[{i}]", "调解员姓名", 50) for i, name in enumerate(typed)
    ]
    values: dict[str, Any] = {
        "committee_id": c.committee_id,
        "registered_on": c.registered_on.isoformat(),
        "source": c.source,
        "source_sub": source_sub,
        "referral_doc_no": referral_doc_no,
        "court_procedure": court_procedure,
        "dispute_type": c.dispute_type,
        "dispute_subtype": subtype,
        "status_matter": c.status_matter,
        "summary": summary,
        "claims": json.dumps(claims, ensure_ascii=False),
        "risk_level": c.risk_level,
        "village": optional_text(c.village, "village", "村（社区）", 50) or "",
        "difficult": int(c.difficult),
        "private_hearing": int(c.private_hearing),
        "from_screening": int(c.from_screening),
        "prevented": json.dumps(prevented),
        "prevented_people": prevented_people,
    }
    return values, party_rows, mediators


@dataclass
class QA:
    question: str
    answer: str


@dataclass
class InvestigationInput:
    held_at: datetime
    subject: str
    investigator: str
    qa: list[QA]
    place: str = ""
    participants: str = ""
    recorder: str = ""


def validate_investigation(i: InvestigationInput) -> dict[str, Any]:
    pairs = [q for q in i.qa if q.question.strip() or q.answer.strip()]
    if not pairs:
        raise ValidationError("qa", "调查记录至少需要一问一答。")
    qa = [
        {
            "q": require_text(q.question, f"qa[{n}].question", f"第{n + 1}问", TEXT_MAX),
            "a": require_text(q.answer, f"qa[{n}].answer", f"第{n + 1}答", TEXT_MAX),
        }
        for n, q in enumerate(pairs)
    ]
    return {
        "held_at": i.held_at.isoformat(timespec="minutes"),
        "place": optional_text(i.place, "place", "调查地点", 100) or "",
        "subject": require_text(i.subject, "subject", "被调查人", 50),
        "participants": optional_text(i.participants, "participants", "参加人", 200) or "",
        "investigator": require_text(i.investigator, "investigator", "调查人", 50),
        "recorder": optional_text(i.recorder, "recorder", "记录人", 50) or "",
        "qa": json.dumps(qa, ensure_ascii=False),
    }


@dataclass
class SessionInput:
    held_at: datetime
    record: str
    mediators: str
    place: str = ""
    participants: str = ""
    recorder: str = ""
    result: str = ""


def validate_session(s: SessionInput) -> dict[str, Any]:
    return {
        "held_at": s.held_at.isoformat(timespec="minutes"),
        "place": optional_text(s.place, "place", "调解地点", 100) or "",
        "participants": optional_text(s.participants, "participants", "参加人", 200) or "",
        "mediators": require_text(s.mediators, "mediators", "调解员", 100),
        "recorder": optional_text(s.recorder, "recorder", "记录人", 50) or "",
        "record": require_text(s.record, "record", "调解记录", RECORD_MAX),
        "result": optional_text(s.result, "result", "本次调解结果", 500) or "",
    }


@dataclass
class AgreementInput:
    form: str  # "written" | "oral"
    effective_on: date
    facts: str = ""
    terms: list[str] = field(default_factory=list)
    oral_content: str = ""
    performance_manner: str = ""
    performance_place: str = ""
    performance_deadline: date | None = None
    amount: Decimal | None = None


def validate_agreement(a: AgreementInput, party_count: int, registered_on: date) -> dict[str, Any]:
    if a.effective_on < registered_on:
        raise ValidationError("effective_on", "协议日期不能早于受理日期。")
    if a.amount is not None and a.amount < 0:
        raise ValidationError("amount", "协议涉及金额不能为负数。")
    if a.performance_deadline is not None and a.performance_deadline < a.effective_on:
        raise ValidationError("performance_deadline", "履行期限不能早于协议日期。")
    values: dict[str, Any] = {
        "form": a.form,
        "effective_on": a.effective_on.isoformat(),
        "amount_cents": to_cents(a.amount),
        "performance_deadline": a.performance_deadline.isoformat()
        if a.performance_deadline
        else None,
        "copies": party_count + 1,
    }
    if a.form == "written":
        typed = [clean_text(t).strip() for t in a.terms if clean_text(t).strip()]
        if not typed:
            raise ValidationError("terms", "书面调解协议至少需要一条协议条款。")
        terms = [
            require_text(t, f"terms[{n}]", f"第{n + 1}条协议内容", TEXT_MAX)
            for n, t in enumerate(typed)
        ]
        values.update(
            facts=require_text(a.facts, "facts", "纠纷主要事实、争议事项", TEXT_MAX),
            terms=json.dumps(terms, ensure_ascii=False),
            performance_manner=require_text(
                a.performance_manner, "performance_manner", "履行方式", 200
            ),
            performance_place=require_text(
                a.performance_place, "performance_place", "履行地点", 200
            ),
        )
        if a.performance_deadline is None:
            raise ValidationError("performance_deadline", "书面调解协议须写明履行期限。")
    elif a.form == "oral":
        values.update(
            oral_content=require_text(a.oral_content, "oral_content", "口头协议内容", TEXT_MAX),
            facts=optional_text(a.facts, "facts", "纠纷简要情况", TEXT_MAX) or "",
            performance_manner=optional_text(
                a.performance_manner, "performance_manner", "履行方式", 200
            )
            or "",
            performance_place=optional_text(
                a.performance_place, "performance_place", "履行地点", 200
            )
            or "",
        )
    else:
        raise ValidationError("form", "请选择协议形式：书面或口头。")
    return values


@dataclass
class FollowUpInput:
    done_on: date
    visitor: str
    performance: str  # performed | partial | unperformed
    reason: str = "回访协议履行情况"
    satisfaction: str = ""
    lawsuit: bool = False
    escalation_risk: str = ""
    measures: str = ""
    notes: str = ""


PERFORMANCE_LABELS = {"performed": "已履行", "partial": "部分履行", "unperformed": "未履行"}


def validate_follow_up(f: FollowUpInput, today: date) -> dict[str, Any]:
    check_not_future(f.done_on, today, "回访日期", "done_on")
    if f.performance not in PERFORMANCE_LABELS:
        raise ValidationError("performance", "请选择协议履行情况：已履行、部分履行或未履行。")
    return {
        "done_on": f.done_on.isoformat(),
        "visitor": require_text(f.visitor, "visitor", "回访人", 50),
        "reason": optional_text(f.reason, "reason", "回访事由", 200) or "",
        "performance": f.performance,
        "satisfaction": optional_text(f.satisfaction, "satisfaction", "当事人满意度", 100) or "",
        "lawsuit": int(f.lawsuit),
        "escalation_risk": optional_text(f.escalation_risk, "escalation_risk", "激化风险", 500)
        or "",
        "measures": optional_text(f.measures, "measures", "采取的措施", 1000) or "",
        "notes": optional_text(f.notes, "notes", "回访情况", TEXT_MAX) or "",
    }
