"""A case gathered for printing: rows from ``CaseService.load``, labels from the code tables.

:class:`CaseDocs` is what every form builder reads. ``blank=True`` gives empty values (a form to
fill by hand) while keeping the committee's name. :func:`printable_texts` lists every text a form
may print with its field path (the same paths as the input forms: ``parties[0].name``), so that
unprintable characters are found before rendering.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.case_inputs import PERFORMANCE_LABELS
from justice_desktop.domain.party import SIDE_LABELS, party_age
from justice_desktop.store.cases import CaseFile, CaseService
from justice_desktop.store.database import Store
from justice_desktop.store.office import committees, office_name
from justice_desktop.store.records import Row

STEMS = "甲乙丙丁戊己庚辛壬癸"


def side_name(index: int) -> str:
    """甲方, 乙方, … for the agreement's parties (第11方 beyond the ten stems)."""
    return f"{STEMS[index]}方" if index < len(STEMS) else f"第{index + 1}方"


def _json_list(text: str | None) -> list[Any]:
    if not text:
        return []
    value = json.loads(text)
    return value if isinstance(value, list) else []


@dataclass
class CaseDocs:
    file: CaseFile | None
    committee: str
    office: str
    tables: dict[str, CodeTable]
    blank: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    # -- the case row ------------------------------------------------------------------------
    @property
    def case(self) -> Row:
        return self.file.case if self.file is not None else {}

    @property
    def case_number(self) -> str:
        return str(self.case.get("case_number") or "")

    def c(self, key: str) -> str:
        """A case field as text; empty in a blank form."""
        if self.blank:
            return ""
        value = self.case.get(key)
        return "" if value is None else str(value)

    def label(self, table: str, code: str | None) -> str:
        if self.blank or not code:
            return ""
        t = self.tables.get(table)
        if t is None or not t.has(code):
            return code
        return t.label(code)

    # -- people --------------------------------------------------------------------------------
    @property
    def parties(self) -> list[Row]:
        """Parties in print order: applicants, respondents, third parties (each by position)."""
        if self.blank or self.file is None:
            return []
        order = {"applicant": 0, "respondent": 1, "third": 2}
        return sorted(self.file.parties, key=lambda p: (order.get(p["side"], 3), p["position"]))

    def side_parties(self, side: str) -> list[Row]:
        return [p for p in self.parties if p["side"] == side]

    def party_names(self, side: str | None = None) -> str:
        return "、".join(p["name"] for p in self.parties if side is None or p["side"] == side)

    def age(self, p: Row) -> str:
        on = self.case.get("registered_on")
        age = party_age(p.get("birth_date"), date.fromisoformat(on) if on else date.today())
        return "" if age is None else str(age)

    def ethnicity(self, p: Row) -> str:
        return self.label("ethnicities", p.get("ethnicity"))

    @property
    def mediators(self) -> list[str]:
        if self.blank or self.file is None:
            return []
        return [m["name"] for m in self.file.mediators]

    # -- stages -------------------------------------------------------------------------------
    @property
    def claims(self) -> list[str]:
        return [] if self.blank else [str(x) for x in _json_list(self.case.get("claims"))]

    @property
    def agreement(self) -> Row | None:
        return None if self.blank or self.file is None else self.file.agreement

    def a(self, key: str) -> str:
        ag = self.agreement
        value = ag.get(key) if ag else None
        return "" if value is None else str(value)

    @property
    def terms(self) -> list[str]:
        ag = self.agreement
        return [str(x) for x in _json_list(ag.get("terms"))] if ag else []

    @property
    def investigations(self) -> list[Row]:
        return [] if self.blank or self.file is None else self.file.investigations

    @property
    def sessions(self) -> list[Row]:
        return [] if self.blank or self.file is None else self.file.sessions

    @property
    def follow_ups_done(self) -> list[Row]:
        if self.blank or self.file is None:
            return []
        return [f for f in self.file.follow_ups if f.get("done_on")]

    @property
    def confirmation(self) -> Row | None:
        if self.blank or self.file is None or not self.file.judicial_confirmations:
            return None
        return self.file.judicial_confirmations[-1]

    @property
    def has_org_party(self) -> bool:
        return any(p["kind"] == "org" for p in self.parties)

    def dispute(self) -> str:
        if self.blank:
            return ""
        code = self.case.get("dispute_subtype") or self.case.get("dispute_type")
        return self.label("dispute_types", code)

    def source(self) -> str:
        if self.blank:
            return ""
        main = self.label("case_sources", self.case.get("source"))
        sub = self.case.get("source_sub")
        return f"{main}（{self.label('case_sources', sub)}）" if sub else main

    def case_title(self) -> str:
        """卷名: 张三与李四邻里纠纷."""
        if self.blank:
            return ""
        a, r = self.party_names("applicant"), self.party_names("respondent")
        kind = self.label("dispute_types", self.case.get("dispute_type"))
        return f"{a}与{r}{kind}纠纷"

    @staticmethod
    def performance_label(code: str | None) -> str:
        return PERFORMANCE_LABELS.get(code or "", "")

    @staticmethod
    def side_label(side: str) -> str:
        return SIDE_LABELS.get(side, side)

    def failure_routes(self) -> list[str]:
        if self.blank:
            return []
        return [
            self.label("failure_routes", str(r))
            for r in _json_list(self.case.get("failure_routes"))
        ]


def load_case_docs(store: Store, case_id: str | None, *, blank: bool = False) -> CaseDocs:
    """Read a case for printing (or only the office's names for a blank form without a case)."""
    service = CaseService(store)
    file = service.load(case_id) if case_id else None
    committee = ""
    found = committees(store)
    if file is not None:
        committee = next((c["name"] for c in found if c["id"] == file.case["committee_id"]), "")
    elif found:
        committee = found[0]["name"]
    return CaseDocs(file, committee, office_name(store), service.tables, blank=blank)


def printable_texts(d: CaseDocs) -> Iterator[tuple[str, str, str]]:
    """(field path, field label, text) of everything a form of the case may print."""
    yield "committee", "调委会名称", d.committee
    yield "office", "司法所名称", d.office
    if d.file is None:
        return
    case = d.file.case
    yield "case_number", "案件编号", case.get("case_number") or ""
    yield "summary", "纠纷简要情况", case.get("summary") or ""
    yield "village", "村（社区）", case.get("village") or ""
    yield "referral_doc_no", "移送文书编号", case.get("referral_doc_no") or ""
    for i, text in enumerate(_json_list(case.get("claims"))):
        yield f"claims[{i}]", f"第{i + 1}项申请事项", str(text)
    yield "failure_reason", "调解不成的原因", case.get("failure_reason") or ""
    yield "closing_note", "卷宗情况说明", case.get("closing_note") or ""
    yield "volume_no", "卷号", case.get("volume_no") or ""
    yield "archived_by", "立卷人", case.get("archived_by") or ""
    for p in d.file.parties:
        i = p["position"]
        who = SIDE_LABELS.get(p["side"], "当事人")
        for key, name in (
            ("name", "姓名"),
            ("occupation", "职业"),
            ("address", "住址"),
            ("representative", "法定代表人"),
            ("agent", "委托代理人"),
            ("id_number", "证件号码"),
        ):
            yield f"parties[{i}].{key}", f"{who}{name}", p.get(key) or ""
    for i, m in enumerate(d.file.mediators):
        yield f"mediators[{i}]", "调解员姓名", m["name"]
    for n, inv in enumerate(d.file.investigations):
        for key, name in (
            ("place", "调查地点"),
            ("subject", "被调查人"),
            ("participants", "参加人"),
            ("investigator", "调查人"),
            ("recorder", "记录人"),
        ):
            yield f"investigations[{n}].{key}", name, inv.get(key) or ""
        for k, qa in enumerate(_json_list(inv.get("qa"))):
            yield f"investigations[{n}].qa[{k}].question", f"第{k + 1}问", str(qa.get("q", ""))
            yield f"investigations[{n}].qa[{k}].answer", f"第{k + 1}答", str(qa.get("a", ""))
    for n, s in enumerate(d.file.sessions):
        for key, name in (
            ("place", "调解地点"),
            ("participants", "参加人"),
            ("mediators", "调解员"),
            ("recorder", "记录人"),
            ("record", "调解记录"),
            ("result", "本次调解结果"),
        ):
            yield f"sessions[{n}].{key}", name, s.get(key) or ""
    ag = d.file.agreement
    if ag:
        for key, name in (
            ("facts", "纠纷主要事实、争议事项"),
            ("oral_content", "口头协议内容"),
            ("performance_manner", "履行方式"),
            ("performance_place", "履行地点"),
        ):
            yield f"agreement.{key}", name, ag.get(key) or ""
        for i, t in enumerate(_json_list(ag.get("terms"))):
            yield f"terms[{i}]", f"第{i + 1}条协议内容", str(t)
    for n, f in enumerate(d.file.follow_ups):
        for key, name in (
            ("visitor", "回访人"),
            ("reason", "回访事由"),
            ("satisfaction", "当事人满意度"),
            ("escalation_risk", "激化风险"),
            ("measures", "采取的措施"),
            ("notes", "回访情况"),
        ):
            yield f"follow_ups[{n}].{key}", name, f.get(key) or ""
    for n, j in enumerate(d.file.judicial_confirmations):
        yield f"judicial_confirmations[{n}].court", "受理法院", j.get("court") or ""
        yield f"judicial_confirmations[{n}].decision_no", "裁定书编号", j.get("decision_no") or ""
    for n, att in enumerate(d.file.attachments):
        yield f"attachments[{n}].file_name", "附件文件名", att.get("file_name") or ""
        yield f"attachments[{n}].note", "附件说明", att.get("note") or ""
