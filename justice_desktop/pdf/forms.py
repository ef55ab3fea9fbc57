"""The documents of a mediation case (the ministry's 2010 document set), as platypus stories.

Each builder takes a :class:`CaseDocs` and returns a list of flowables; with ``d.blank`` the
same form comes out empty, with room to write by hand. The field order follows
``domain.md`` → "Documents".
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, Table  # type: ignore[import-untyped]

from justice_desktop.pdf import layout as L
from justice_desktop.pdf.case_data import CaseDocs, side_name
from justice_desktop.store.records import Row
from justice_desktop.validation import ValidationError

Builder = Callable[[CaseDocs], list[Flowable]]

# Party grid: 9 columns (role, then label/value pairs).
PARTY_COLS = (0.11, 0.13, 0.16, 0.07, 0.09, 0.07, 0.13, 0.07, 0.17)
U = "\u3000"


def _v(value: str, blank_width: int = 4) -> str:
    return value if value else U * blank_width


def getter(row: Row | None) -> Callable[[str], str]:
    """``g(key)``: the row's value as text ("" for a missing row or value)."""
    return lambda key: "" if row is None else str(row.get(key) or "")


def party_rows(p: Row | None, d: CaseDocs, *, with_id: bool = False) -> list[tuple[str, list[str]]]:
    """Rows of one party: ("person", 8 cells) | ("pairs", 4 cells) | ("full", 2 cells)."""
    g = getter(p)
    rows: list[tuple[str, list[str]]]
    if p is not None and p.get("kind") == "org":
        rows = [
            ("pairs", ["名称", g("name"), "法定代表人", g("representative")]),
            ("pairs", ["统一社会信用代码", g("credit_code"), "联系方式", g("phone")]),
            ("full", ["住所地", g("address")]),
        ]
    else:
        age = d.age(p) if p is not None and p.get("birth_date") else ""
        eth = d.ethnicity(p) if p is not None else ""
        rows = [
            ("person", ["姓名", g("name"), "性别", g("gender"), "民族", eth, "年龄", age]),
            ("pairs", ["职业或职务", g("occupation"), "联系方式", g("phone")]),
        ]
        if with_id:
            rows.append(("full", ["身份证号码", g("id_number")]))
        rows.append(("full", ["单位或住址", g("address")]))
    if p is not None and p.get("agent"):
        rows.append(("full", ["委托代理人", g("agent")]))
    return rows


def party_grid(
    blocks: Sequence[tuple[str, Row | None]], d: CaseDocs, *, with_id: bool = False
) -> Flowable:
    """All parties in one ruled grid: the role (申请人, 甲方…) down the left of each block."""
    rows: list[list[str | Flowable]] = []
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    lab, val = L.label, L.cell
    for role, p in blocks:
        first = len(rows)
        for kind, cells in party_rows(p, d, with_id=with_id):
            y = len(rows)
            if kind == "person":
                rows.append(
                    [lab(role)] + [lab(c) if i % 2 == 0 else val(c) for i, c in enumerate(cells)]
                )
            elif kind == "pairs":
                a, b, c, e = cells
                rows.append([lab(role), lab(a), val(b), "", "", lab(c), "", val(e), ""])
                spans += [((2, y), (4, y)), ((5, y), (6, y)), ((7, y), (8, y))]
            else:
                a, b = cells
                rows.append([lab(role), lab(a), val(b), "", "", "", "", "", ""])
                spans.append(((2, y), (8, y)))
        spans.append(((0, first), (0, len(rows) - 1)))
    return L.grid(rows, PARTY_COLS, spans=spans)


def _signers_lines(d: CaseDocs, default: Sequence[str]) -> list[str]:
    names = [f"{d.side_label(p['side'])} {p['name']}" for p in d.parties]
    return names or list(default)


def _boxed_text(label: str, text: str, *, min_lines: int = 4) -> list[Flowable]:
    """A labelled long text: the label as a heading, the text flowing below it."""
    return [L.heading(label), *L.long_text(text, min_lines=min_lines)]


# -- 卷宗封面 ---------------------------------------------------------------------------------------
def cover(d: CaseDocs) -> list[Flowable]:
    st = L.styles()
    mediation_to = d.c("outcome_on") or d.c("closed_on")
    rows: list[tuple[str, str]] = [
        ("卷\u3000\u3000名", d.case_title()),
        (
            "卷\u3000\u3000号",
            d.c("case_number") or "（\u3000\u3000）\u3000\u3000人调字第\u3000\u3000号",
        ),
        ("人民调解员", "、".join(d.mediators)),
        (
            "调解日期",
            f"自{L.date_cn(d.c('registered_on'))}至{L.date_cn(mediation_to)}",
        ),
        ("立\u2002卷\u2002人", d.c("archived_by")),
        ("立卷日期", L.date_cn(d.c("archived_on"))),
        ("保管期限", d.label("retention_periods", d.c("retention_period") or None)),
        ("备\u3000\u3000注", ""),
    ]
    table = Table(
        [[L.para(k, st.cover_field), L.para(v, st.cover_field)] for k, v in rows],
        colWidths=[0.26 * L.CONTENT_WIDTH, 0.74 * L.CONTENT_WIDTH],
    )
    table.setStyle(
        L.table_style(
            [
                ("LINEBELOW", (1, 0), (1, -1), 0.75, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("TOPPADDING", (0, 0), (-1, -1), 10),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    committee = d.committee or U * 8
    return [
        L.space(20),
        L.para(committee, st.cover_committee),
        L.space(6),
        L.para("人民调解卷宗", st.cover_title),
        L.space(30),
        table,
    ]


# -- 人民调解申请书 -----------------------------------------------------------------------------------
DECLARATION = (
    "人民调解委员会已向本人告知人民调解的性质、原则、效力，以及当事人在调解活动中享有的权利"
    "和承担的义务。本人自愿申请人民调解委员会调解。"
)


def application(d: CaseDocs) -> list[Flowable]:
    blocks: list[tuple[str, Row | None]] = [("申请人", p) for p in d.side_parties("applicant")]
    blocks += [("被申请人", p) for p in d.side_parties("respondent")]
    blocks += [("第三人", p) for p in d.side_parties("third")]
    if not blocks:
        blocks = [("申请人", None), ("被申请人", None)]
    claims = d.claims
    signers = [p["name"] for p in d.side_parties("applicant")]
    return [
        L.title("人民调解申请书"),
        party_grid(blocks, d),
        *_boxed_text("纠纷简要情况：", d.c("summary"), min_lines=6),
        L.heading("申请事项："),
        *(L.numbered(claims) if claims else [L.ruled_lines(3)]),
        L.space(3),
        L.para(DECLARATION, L.styles().body_indent),
        L.space(4),
        L.signature_rows([f"申请人 {n}" for n in signers] or ["申请人"], dated=False),
        L.para(f"申请日期：{L.date_cn(d.c('registered_on'))}", L.styles().right),
    ]


# -- 人民调解受理登记表 ---------------------------------------------------------------------------------
def registration(d: CaseDocs) -> list[Flowable]:
    st = L.styles()
    if d.blank:
        intro = (
            f"{U * 3}年{U * 2}月{U * 2}日，本人民调解委员会经当事人同意，调解"
            f"{U * 5}、{U * 5}之间的纠纷。"
        )
    else:
        intro = (
            f"{L.date_cn(d.c('registered_on'))}，本人民调解委员会经当事人同意，调解"
            f"{d.party_names('applicant')}、{d.party_names('respondent')}之间的纠纷。"
        )
    party_lines = "\n".join(
        f"{d.side_label(p['side'])}：{p['name']}"
        + (f"，联系方式：{p['phone']}" if p.get("phone") else "")
        + (f"，{p['address']}" if p.get("address") else "")
        for p in d.parties
    )
    rows: list[list[str | Flowable]] = [
        [L.para(intro, st.body_indent), "", "", ""],
        ["纠纷类型", d.dispute(), "案件来源", d.source()],
        ["当事人", L.para(party_lines or "", st.cell), "", ""],
        ["纠纷简要情况", _multi(d.c("summary"), 8), "", ""],
        ["人民调解员", "、".join(d.mediators), "受理日期", L.date_cn(d.c("registered_on"))],
        ["当事人签名", "", "", ""],
        ["登记人签名", "", "人民调解委员会\n（印章）", ""],
    ]
    spans = [
        ((0, 0), (3, 0)),
        ((1, 2), (3, 2)),
        ((1, 3), (3, 3)),
        ((1, 5), (3, 5)),
    ]
    heights: list[float | None] = [None, None, None, None, None, 22 * mm, 22 * mm]
    grid = L.grid(
        rows,
        [0.18, 0.32, 0.18, 0.32],
        label_cols=(0, 2),
        spans=spans,
        row_heights=heights,
        split_in_row=True,
    )
    return [
        L.title("人民调解受理登记表"),
        L.para(f"编号：{_v(d.c('case_number'), 12)}", st.right),
        L.space(2),
        grid,
        L.para(f"登记日期：{L.date_cn(d.c('registered_on'))}", st.right),
    ]


def _multi(text: str, blank_lines: int) -> Flowable | str:
    if not text:
        return "\n" * blank_lines
    return L.para(text, L.styles().cell)


# -- 当事人权利义务告知书 --------------------------------------------------------------------------------
NOTICE_INTRO = [
    "人民调解委员会是依法设立的调解民间纠纷的群众性组织。人民调解委员会根据当事人的申请"
    "或者主动调解民间纠纷，不收取任何费用。",
    "人民调解遵循下列原则：在当事人自愿、平等的基础上进行调解；不违背法律、法规和国家政策；"
    "尊重当事人的权利，不得因调解而阻止当事人依法通过仲裁、行政、司法等途径维护自己的权利。",
    "经人民调解委员会调解达成的调解协议，具有法律约束力，当事人应当按照约定履行。"
    "双方当事人可以自调解协议生效之日起三十日内共同向人民法院申请司法确认。",
]
NOTICE_RIGHTS = [
    "选择或者接受人民调解员；",
    "接受调解、拒绝调解或者要求终止调解；",
    "要求调解公开进行或者不公开进行；",
    "自主表达意愿、自愿达成调解协议。",
]
NOTICE_DUTIES = [
    "如实陈述纠纷事实；",
    "遵守调解现场秩序，尊重人民调解员；",
    "尊重对方当事人行使权利。",
]


def notice(d: CaseDocs) -> list[Flowable]:
    st = L.styles()
    names = d.party_names() or U * 8
    committee = d.committee or f"{U * 8}人民调解委员会"
    return [
        L.title("当事人权利义务告知书"),
        L.para(f"{names}：", st.body),
        L.para(
            f"根据《中华人民共和国人民调解法》的规定，{committee}现将人民调解的性质、原则、"
            "效力以及当事人在调解活动中享有的权利和承担的义务告知如下：",
            st.body_indent,
        ),
        *[L.para(t, st.body_indent) for t in NOTICE_INTRO],
        L.heading("一、当事人在人民调解活动中享有下列权利："),
        *L.numbered(NOTICE_RIGHTS),
        L.heading("二、当事人在人民调解活动中履行下列义务："),
        *L.numbered(NOTICE_DUTIES),
        L.space(3),
        L.para("以上内容本人已经知悉。", st.body_indent),
        L.space(3),
        L.keep(
            [
                L.signature_rows(_signers_lines(d, ["当事人", "当事人"])),
                L.seal_place(date_text=L.date_cn(d.c("registered_on"))),
            ]
        ),
    ]


# -- 人民调解调查记录 -----------------------------------------------------------------------------------
def investigation(d: CaseDocs) -> list[Flowable]:
    out: list[Flowable] = []
    records: list[Row | None] = list(d.investigations) or [None]
    for n, inv in enumerate(records):
        g = getter(inv)
        if n:
            out.append(L.page_break())
        out += [
            L.title("人民调解调查记录"),
            L.label_value_grid(
                [
                    ("时间", L.datetime_cn(g("held_at") or None)),
                    ("地点", g("place")),
                    ("被调查人", g("subject")),
                    ("参加人", g("participants")),
                    ("调查人", g("investigator")),
                    ("记录人", g("recorder")),
                ]
            ),
            L.heading("调查记录："),
        ]
        qa = _qa(inv)
        if qa:
            for q, a in qa:
                out.append(L.para(f"问：{q}", L.styles().body))
                out.append(L.para(f"答：{a}", L.styles().body))
        else:
            out.append(L.ruled_lines(14))
        out += [
            L.space(4),
            L.signature_rows(["调查人", "被调查人", "记录人"], note="（签名）"),
        ]
    return out


def _qa(inv: Row | None) -> list[tuple[str, str]]:
    if inv is None:
        return []
    return [(str(x.get("q", "")), str(x.get("a", ""))) for x in json.loads(inv.get("qa") or "[]")]


# -- 人民调解记录 ----------------------------------------------------------------------------------------
def mediation_record(d: CaseDocs) -> list[Flowable]:
    out: list[Flowable] = []
    sessions: list[Row | None] = list(d.sessions) or [None]
    for n, s in enumerate(sessions):
        g = getter(s)
        if n:
            out.append(L.page_break())
        out += [
            L.title("人民调解记录"),
            L.label_value_grid(
                [
                    ("时间", L.datetime_cn(g("held_at") or None)),
                    ("地点", g("place")),
                    ("事由*", d.case_title()),
                    ("当事人*", d.party_names()),
                    ("参加人*", g("participants")),
                    ("人民调解员", g("mediators")),
                    ("记录人", g("recorder")),
                ]
            ),
            L.heading("调解记录："),
            *L.long_text(g("record"), min_lines=16),
        ]
        if g("result"):
            out.append(L.para(f"调解结果：{g('result')}", L.styles().body_indent))
        if s is not None and n == len(sessions) - 1 and d.c("outcome") == "failure":
            routes = "、".join(d.failure_routes())
            out.append(
                L.para(
                    f"调解不成。原因：{d.c('failure_reason')}。已告知当事人可以依法通过"
                    f"{routes or '其他'}等途径解决纠纷。",
                    L.styles().body_indent,
                )
            )
        out += [
            L.space(2),
            L.para("以上记录已向当事人宣读（或由当事人阅读），确认无误。", L.styles().body_indent),
            L.space(2),
            L.keep(
                [
                    L.signature_rows(
                        [
                            *_signers_lines(d, ["当事人", "当事人"]),
                            "人民调解员",
                            "参加人",
                            "记录人",
                        ],
                        note="（签名）",
                    ),
                    L.seal_place(),
                ]
            ),
        ]
    return out


# -- 人民调解协议书 --------------------------------------------------------------------------------------
def _require_agreement(d: CaseDocs, form: str) -> Row | None:
    ag = d.agreement
    if d.blank:
        return None
    if ag is None or ag["form"] != form:
        kind = "书面" if form == "written" else "口头"
        raise ValidationError("form", f"本案没有{kind}调解协议，不能打印该文书（可打印空白表）。")
    return ag


def agreement(d: CaseDocs) -> list[Flowable]:
    st = L.styles()
    ag = _require_agreement(d, "written")
    parties = d.parties
    blocks: list[tuple[str, Row | None]] = [(side_name(i), p) for i, p in enumerate(parties)]
    if not blocks:
        blocks = [("甲方", None), ("乙方", None)]
    copies = str(len(parties) + 1) if parties else U * 2
    deadline = L.date_cn(d.a("performance_deadline") or None) if ag else L.date_blank()
    signers = [f"{name} {p['name']}" for (name, p) in blocks if p is not None] or [
        "甲方",
        "乙方",
    ]
    return [
        L.title("人民调解协议书"),
        L.para(f"编号：{_v(d.a('agreement_no'), 12)}", st.right),
        L.space(2),
        party_grid(blocks, d),
        *_boxed_text("纠纷主要事实、争议事项：", d.a("facts"), min_lines=4),
        L.heading("经调解，自愿达成如下协议："),
        *(L.numbered(d.terms) if d.terms else [L.ruled_lines(4)]),
        L.heading("履行方式、地点、期限："),
        L.para(
            f"履行方式：{_v(d.a('performance_manner'), 10)}；"
            f"履行地点：{_v(d.a('performance_place'), 10)}；"
            f"履行期限：{deadline}前履行完毕。",
            st.body_indent,
        ),
        L.space(2),
        L.keep(
            [
                L.para(
                    f"本协议一式{copies}份，当事人、人民调解委员会各持一份。"
                    "本协议自各方当事人签名、盖章或者按指印，人民调解员签名并加盖人民调解委员会"
                    "印章之日起生效。",
                    st.body_indent,
                ),
                L.signature_rows(signers),
                L.signature_rows(["人民调解员", "记录人"], note="（签名）", dated=False),
                L.seal_place(date_text=L.date_cn(d.a("effective_on") or None)),
            ]
        ),
    ]


# -- 人民调解口头协议登记表 -------------------------------------------------------------------------------
def oral_agreement(d: CaseDocs) -> list[Flowable]:
    st = L.styles()
    ag = _require_agreement(d, "oral")
    party_lines = "\n".join(
        f"{d.side_label(p['side'])}：{p['name']}"
        + (f"，联系方式：{p['phone']}" if p.get("phone") else "")
        for p in d.parties
    )
    deadline = L.date_cn(d.a("performance_deadline") or None) if ag else ""
    perf = "；".join(
        x
        for x in (
            f"履行方式：{d.a('performance_manner')}" if d.a("performance_manner") else "",
            f"履行地点：{d.a('performance_place')}" if d.a("performance_place") else "",
            f"履行期限：{deadline}前" if d.a("performance_deadline") else "",
        )
        if x
    )
    rows: list[list[str | Flowable]] = [
        ["当事人", _multi(party_lines, 3)],
        ["纠纷简要情况", _multi(d.a("facts") or d.c("summary"), 6)],
        ["口头协议内容", _multi(d.a("oral_content"), 8)],
        ["履行方式和期限", _multi(perf, 3)],
        ["协议达成日期", L.date_cn(d.a("effective_on") or None)],
    ]
    return [
        L.title("人民调解口头协议登记表"),
        L.para(f"编号：{_v(d.c('case_number'), 12)}", st.right),
        L.space(2),
        L.grid(rows, [0.2, 0.8], label_cols=(0,), split_in_row=True),
        L.space(3),
        L.keep(
            [
                L.signature_rows(_signers_lines(d, ["当事人", "当事人"])),
                L.signature_rows(["人民调解员", "记录人"], note="（签名）", dated=False),
                L.seal_place(date_text=L.date_cn(d.a("effective_on") or None)),
            ]
        ),
    ]


# -- 人民调解回访记录 -----------------------------------------------------------------------------------
def follow_up(d: CaseDocs) -> list[Flowable]:
    out: list[Flowable] = []
    visits: list[Row | None] = list(d.follow_ups_done) or [None]
    for n, f in enumerate(visits):
        if n:
            out.append(L.page_break())
        situation = _follow_up_text(d, f)
        rows: list[list[str | Flowable]] = [
            ["当事人", d.party_names()],
            ["调解协议编号", d.a("agreement_no")],
            ["回访事由", str(f.get("reason") or "") if f else ""],
            ["回访时间", L.date_cn(f.get("done_on") if f else None)],
            ["回访情况", _multi(situation, 10)],
            ["回访人签名", ""],
        ]
        out += [
            L.title("人民调解回访记录"),
            L.para(f"编号：{_v(d.c('case_number'), 12)}", L.styles().right),
            L.space(2),
            L.grid(
                rows,
                [0.2, 0.8],
                label_cols=(0,),
                row_heights=[None] * 5 + [16 * mm],
                split_in_row=True,
            ),
            L.seal_place(date_text=L.date_cn(f.get("done_on") if f else None)),
        ]
    return out


def _follow_up_text(d: CaseDocs, f: Row | None) -> str:
    if f is None:
        return ""
    lines = [
        f"协议履行情况：{d.performance_label(f.get('performance'))}。",
        f"当事人满意度：{f.get('satisfaction') or '未填写'}。",
        f"当事人是否起诉：{'是' if f.get('lawsuit') else '否'}。",
        f"纠纷激化风险：{f.get('escalation_risk') or '无'}。",
    ]
    if f.get("measures"):
        lines.append(f"采取的措施：{f['measures']}")
    if f.get("notes"):
        lines.append(str(f["notes"]))
    return "\n".join(lines)


# -- 司法确认申请书 ---------------------------------------------------------------------------------------
PROMISES = [
    "出于解决纠纷的目的自愿达成调解协议，没有恶意串通、规避法律的行为；",
    "如果因为该协议内容而给他人造成损害的，愿意承担相应的民事责任和其他法律责任；",
    "申请人提交的材料真实、合法，所述事实属实；",
    "调解协议不涉及确认身份关系、收养关系、婚姻关系等人民法院不予受理的事项。",
]


def _judicial(d: CaseDocs, variant: str) -> list[Flowable]:
    st = L.styles()
    conf = d.confirmation
    court = str(conf.get("court") or "") if conf else ""
    parties = d.parties
    if parties:
        blocks: list[tuple[str, Row | None]] = [("申请人", p) for p in parties]
    elif variant == "org":
        blocks = [("申请人", None), ("申请人（单位）", {"kind": "org"})]
    else:
        blocks = [("申请人", None), ("申请人", None)]
    effective = L.date_cn(d.a("effective_on") or None)
    committee = d.committee or f"{U * 6}人民调解委员会"
    org_note = "（盖章，法定代表人或负责人签名）"
    signers: list[str | tuple[str, str]] = [
        (f"申请人 {p['name']}", org_note) if p["kind"] == "org" else f"申请人 {p['name']}"
        for p in parties
    ] or (["申请人", ("申请人", org_note)] if variant == "org" else ["申请人", "申请人"])
    title = "司法确认申请书"
    sub = "（个人与单位）" if variant == "org" else "（个人与个人）"
    return [
        L.title(title),
        L.subtitle(sub),
        party_grid(blocks, d, with_id=True),
        L.heading("请求事项："),
        L.para(
            f"请求人民法院确认申请人于{effective}经{committee}主持调解达成的人民调解协议"
            f"（编号：{_v(d.a('agreement_no'), 10)}）有效。",
            st.body_indent,
        ),
        L.heading("事实和理由："),
        L.para(
            f"申请人之间因{d.dispute() or U * 4}纠纷，经{committee}主持调解，于{effective}"
            "自愿达成人民调解协议。为保障协议的履行，申请人依据《中华人民共和国人民调解法》"
            "第三十三条、《中华人民共和国民事诉讼法》的规定，在调解协议生效之日起三十日内共同申请"
            "司法确认。",
            st.body_indent,
        ),
        L.heading("申请人承诺："),
        *L.numbered(PROMISES),
        L.space(2),
        L.para("此致", st.body_indent),
        L.para(f"{court or U * 8}", st.body),
        L.space(2),
        L.signature_rows(signers, dated=False),
        L.para(f"申请日期：{L.date_cn(str(conf['applied_on']) if conf else None)}", st.right),
        L.para("附：人民调解协议书、当事人身份证明及相关证据材料。", st.small),
    ]


def judicial_personal(d: CaseDocs) -> list[Flowable]:
    return _judicial(d, "personal")


def judicial_org(d: CaseDocs) -> list[Flowable]:
    return _judicial(d, "org")


# -- 卷宗情况说明 -----------------------------------------------------------------------------------------
def file_note(d: CaseDocs) -> list[Flowable]:
    st = L.styles()
    return [
        L.title("卷宗情况说明"),
        *L.long_text(d.c("closing_note"), min_lines=18),
        L.space(6),
        L.para(f"立卷人：{_v(d.c('archived_by'), 6)}", st.right),
        L.para(L.date_cn(d.c("closed_on") or d.c("archived_on") or None), st.right),
    ]


# -- 封底 -------------------------------------------------------------------------------------------
def back_cover(d: CaseDocs, page_count: int | None = None) -> list[Flowable]:
    st = L.styles()
    pages = str(page_count) if page_count and not d.blank else U * 2
    rows: list[list[str | Flowable]] = [
        [L.para(f"本卷共{pages}页，附证物{U * 2}件。", st.body)],
        [L.para(f"立卷人：{_v(d.c('archived_by'), 6)}", st.body)],
        [L.para(f"检查人：{U * 6}", st.body)],
        [L.para(f"立卷日期：{L.date_cn(d.c('archived_on') or None)}", st.body)],
    ]
    box = L.grid(rows, [1.0])
    return [L.space(150), L.heading("卷内备考表"), box]


@dataclass(frozen=True)
class FormSpec:
    key: str
    title: str
    build: Builder


SPECS: tuple[FormSpec, ...] = (
    FormSpec("cover", "卷宗封面", cover),
    FormSpec("contents", "卷内目录", lambda d: []),  # drawn by the bound file (page numbers)
    FormSpec("application", "人民调解申请书", application),
    FormSpec("registration", "人民调解受理登记表", registration),
    FormSpec("notice", "当事人权利义务告知书", notice),
    FormSpec("investigation", "人民调解调查记录", investigation),
    FormSpec("mediation_record", "人民调解记录", mediation_record),
    FormSpec("agreement", "人民调解协议书", agreement),
    FormSpec("oral_agreement", "人民调解口头协议登记表", oral_agreement),
    FormSpec("follow_up", "人民调解回访记录", follow_up),
    FormSpec("judicial_personal", "司法确认申请书（个人与个人）", judicial_personal),
    FormSpec("judicial_org", "司法确认申请书（个人与单位）", judicial_org),
    FormSpec("file_note", "卷宗情况说明", file_note),
    FormSpec("back_cover", "封底", back_cover),
)
SPEC_BY_KEY = {s.key: s for s in SPECS}
