"""What the case editor shows of records already entered, as small HTML blocks (no Qt).

Full personal data is shown here (the clerk is working on this case); lists elsewhere mask.
"""

from __future__ import annotations

import json
from datetime import date
from html import escape
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.case_inputs import PERFORMANCE_LABELS
from justice_desktop.domain.lifecycle import STATUS_LABELS
from justice_desktop.store.cases import CaseFile

__all__ = [
    "agreement_html",
    "archive_html",
    "due_text",
    "follow_ups_html",
    "header_text",
    "investigations_html",
    "judicial_html",
    "sessions_html",
]

NONE_YET = "<p style='color:#666'>尚无记录。</p>"


def _p(label: str, value: Any) -> str:
    text = "" if value is None else str(value)
    return f"<b>{escape(label)}：</b>{escape(text)}<br>"


def header_text(f: CaseFile) -> str:
    c = f.case
    return f"{c['case_number']}　{STATUS_LABELS.get(f.status, f.status)}"


def due_text(f: CaseFile, today: date) -> str:
    c = f.case
    if f.status not in ("registered", "mediating"):
        return ""
    due_s = c.get("extended_due_on") or c.get("mediation_due_on")
    if not due_s:
        return ""
    due = date.fromisoformat(str(due_s))
    left = (due - today).days
    extended = "（已延长）" if c.get("extended_due_on") else ""
    if left < 0:
        return f"调解期限 {due_s}{extended}，已逾期 {-left} 天"
    return f"调解期限 {due_s}{extended}，还剩 {left} 天"


def investigations_html(f: CaseFile) -> str:
    if not f.investigations:
        return NONE_YET
    parts = []
    for n, i in enumerate(f.investigations, 1):
        qa = json.loads(i.get("qa") or "[]")
        lines = "".join(
            f"问：{escape(str(x.get('q', '')))}<br>答：{escape(str(x.get('a', '')))}<br>"
            for x in qa
        )
        parts.append(
            f"<p><b>调查记录 {n}</b>　{escape(str(i['held_at']).replace('T', ' '))}　"
            f"{escape(str(i.get('place') or ''))}<br>"
            + _p("被调查人", i["subject"])
            + _p("调查人", i["investigator"])
            + lines
            + "</p>"
        )
    return "".join(parts)


def sessions_html(f: CaseFile) -> str:
    parts = []
    for n, s in enumerate(f.sessions, 1):
        parts.append(
            f"<p><b>第 {n} 次调解</b>　{escape(str(s['held_at']).replace('T', ' '))}　"
            f"{escape(str(s.get('place') or ''))}<br>"
            + _p("调解员", s["mediators"])
            + _p("调解情况", s["record"])
            + (_p("结果", s["result"]) if s.get("result") else "")
            + "</p>"
        )
    for e in f.extensions:
        parts.append(
            "<p>"
            + _p("延长调解期限至", e.get("new_due_on"))
            + _p("记录日期", e.get("recorded_on"))
            + "</p>"
        )
    return "".join(parts) or NONE_YET


def agreement_html(f: CaseFile) -> str:
    a = f.agreement
    c = f.case
    parts = []
    if a is not None:
        terms = json.loads(a.get("terms") or "[]")
        form = "书面协议" if a["form"] == "written" else "口头协议"
        parts.append(
            f"<p><b>{form}</b>　协议日期 {escape(str(a['effective_on']))}<br>"
            + (_p("纠纷事实", a.get("facts")) if a.get("facts") else "")
            + "".join(f"{n}. {escape(str(t))}<br>" for n, t in enumerate(terms, 1))
            + (_p("口头协议内容", a.get("oral_content")) if a.get("oral_content") else "")
            + (_p("履行方式", a.get("performance_manner")) if a.get("performance_manner") else "")
            + (
                _p("履行期限", a.get("performance_deadline"))
                if a.get("performance_deadline")
                else ""
            )
            + (_p("涉及金额（元）", f"{int(a.get('amount_cents') or 0) / 100:.2f}"))
            + "</p>"
        )
    if c.get("outcome") == "failure":
        routes = json.loads(c.get("failure_routes") or "[]")
        parts.append(
            "<p><b>调解不成</b><br>"
            + _p("终结日期", c.get("outcome_on"))
            + _p("原因", c.get("failure_reason"))
            + _p("告知途径", "、".join(str(r) for r in routes))
            + "</p>"
        )
    if f.status == "succeeded" or c.get("outcome") == "success":
        parts.append(f"<p><b>调解成功</b>　{escape(str(c.get('outcome_on') or ''))}</p>")
    return "".join(parts) or NONE_YET


def follow_ups_html(f: CaseFile) -> str:
    parts = []
    for u in f.follow_ups:
        if u.get("done_on"):
            parts.append(
                f"<p><b>回访</b>　{escape(str(u['done_on']))}　{escape(str(u.get('visitor') or ''))}<br>"
                + _p(
                    "履行情况",
                    PERFORMANCE_LABELS.get(str(u.get("performance")), u.get("performance")),
                )
                + (_p("回访情况", u.get("notes")) if u.get("notes") else "")
                + "</p>"
            )
        else:
            parts.append(f"<p><b>待回访</b>　应于 {escape(str(u.get('due_on')))} 前回访</p>")
    return "".join(parts) or NONE_YET


def judicial_html(f: CaseFile) -> str:
    labels = {"confirmed": "确认有效", "rejected": "驳回申请"}
    parts = []
    for j in f.judicial_confirmations:
        result = labels.get(str(j.get("result") or ""), "等待法院处理")  # applied: pending
        parts.append(
            f"<p><b>司法确认申请</b>　{escape(str(j['applied_on']))}　{escape(str(j['court']))}<br>"
            + _p("结果", result)
            + (_p("文书编号", j.get("decision_no")) if j.get("decision_no") else "")
            + "</p>"
        )
    return "".join(parts) or NONE_YET


def archive_html(f: CaseFile, tables: dict[str, CodeTable]) -> str:
    c = f.case
    parts = []
    if c.get("closed_on"):
        parts.append("<p>" + _p("结案日期", c.get("closed_on")) + "</p>")
    if c.get("archived_on"):
        period = c.get("retention_period") or ""
        table = tables.get("retention_periods")
        label = (
            table.label(period) if table is not None and period and table.has(period) else period
        )
        parts.append(
            "<p>"
            + _p("卷宗编号", c.get("volume_no"))
            + _p("保管期限", label)
            + _p("归档日期", c.get("archived_on"))
            + _p("立卷人", c.get("archived_by"))
            + "</p>"
        )
    return "".join(parts) or NONE_YET
