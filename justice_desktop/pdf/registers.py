"""Registers that belong to no case: the 法律明白人 roster, a training's sign-in sheet, a
person's training record, the monthly consultation register and an adviser's work log.

Each document is first gathered into a :class:`Register` (title, heading lines, columns, rows,
closing lines) through the store's services, then drawn by :func:`render_register`.
Phones are masked as on screens unless ``show_contacts`` is set; then ``user_id`` (the acting
user) is required and every record printed with its phone is written to the audit log as
"print". ID numbers are never printed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    Flowable,
    LongTable,
    Table,
)

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.consultations import ANONYMOUS_LABEL
from justice_desktop.domain.understanders import MODE_LABELS
from justice_desktop.pdf import fonts, layout
from justice_desktop.pdf.page import (
    FOOTER_SIZE,
    DecoratedCanvas,
    PageContext,
    build_pdf,
    draw_text,
)
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.consultations import AdviserLogService, ConsultationService
from justice_desktop.store.database import Store
from justice_desktop.store.office import office_name
from justice_desktop.store.records import Row
from justice_desktop.store.understanders import (
    UnderstanderService,
    load_training,
    load_understander,
    roster_with_hours,
    trainings_in_year,
)
from justice_desktop.validation.fields import mask_phone

STATUS_LABELS = {"active": "在册", "removed": "已清退"}
DEFAULT_BLANK_ROWS = 6
MARGIN_TOP_LANDSCAPE = 18 * mm
MARGIN_BOTTOM_REGISTER = 20 * mm  # no QR code on registers: a slimmer footer
CELL_SIZE = 9.5
CELL_LEADING = 13.0
CHUNK_SHARE = 0.4  # a long cell text goes on in further rows of at most this share of a page
FRAME_PADDING = 6.0  # reportlab's default frame padding, each side
SIGN_ROW_PADDING = 9.0  # points above and below a sign-in row's text: room to write a name


@dataclass(frozen=True)
class Column:
    label: str
    width: float  # share of the table's width (relative weights)
    center: bool = False


@dataclass
class Register:
    """One register ready to draw."""

    title: str
    columns: list[Column]
    rows: list[list[str]]
    subtitle: str = ""
    heading: list[tuple[str, str]] = field(default_factory=list)  # label, value above the table
    closing: list[str] = field(default_factory=list)  # lines under the table
    signatures: list[str] = field(default_factory=list)  # "填表人" … with a line to sign on
    landscape: bool = False
    row_padding: float = 3.0  # points above and below the text of a body row


# -- small formatting helpers ------------------------------------------------------------------
def _label(table: CodeTable, code: str | None) -> str:
    """The Chinese label of a code; a code no longer in the table prints as it is."""
    if not code:
        return ""
    return table.label(code) if table.has(code) else code


def _hours(value: float | int | None) -> str:
    return f"{float(value or 0):g}"


def _cn_date(text: str | None) -> str:
    """ "2025-06-10" → "2025年6月10日"; anything else as it is."""
    if not text:
        return ""
    try:
        d = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return f"{d.year}年{d.month}月{d.day}日"


def _short_date(text: str | None) -> str:
    """ "2025-06-10" → "2025.6.10" (narrow columns)."""
    if not text:
        return ""
    try:
        d = date.fromisoformat(text[:10])
    except ValueError:
        return text
    return f"{d.year}.{d.month}.{d.day}"


def _phone(value: str | None, show: bool) -> str:
    if not value:
        return ""
    return value if show else mask_phone(value)


def _audit_print(store: Store, user_id: str, table: str, record_ids: list[str]) -> None:
    """Record that these records' contacts were printed in full."""
    if not user_id:
        raise ValueError("printing phones in full needs the acting user_id for the audit log")
    if not record_ids:
        return
    with store.tx(user_id) as tx:
        for rid in record_ids:
            tx.audit("print", table, rid, "phone")


def _tables(store: Store, tables: Mapping[str, CodeTable] | None) -> Mapping[str, CodeTable]:
    return tables if tables is not None else load_tables(store)


def _office_prefix(store: Store) -> str:
    return office_name(store)


# -- 法律明白人名册 ------------------------------------------------------------------------------
def roster_register(
    store: Store,
    *,
    year: int | None = None,
    village: str | None = None,
    status: str | None = "active",
    priority_group: str | None = None,
    show_contacts: bool = False,
    user_id: str = "",
    tables: Mapping[str, CodeTable] | None = None,
) -> Register:
    """The roster as filed with the bureau: one row per person, ordered by village and group,
    with the training hours of ``year`` (default: this year)."""
    codes = _tables(store, tables)
    today = store.clock().date()
    year = year or today.year
    rows = roster_with_hours(
        store, year, village=village, status=status, priority_group=priority_group
    )
    if show_contacts:
        _audit_print(store, user_id, "understanders", [str(r["id"]) for r in rows if r["phone"]])
    out: list[list[str]] = []
    for n, r in enumerate(rows, 1):
        out.append(
            [
                str(n),
                r["name"],
                r["gender"] or "",
                _label(codes["ethnicities"], r["ethnicity"]),
                r["village"],
                r["villager_group"],
                _phone(r["phone"], show_contacts),
                _label(codes["nomination_routes"], r["nomination_route"]),
                _label(codes["understander_priority_groups"], r["priority_group"]),
                r["certificate_no"],
                r["assessment_result"],
                _hours(r["hours_in_year"]),
                _roster_status(r),
            ]
        )
    scope = [f"村（社区）：{village}" if village else "村（社区）：全部"]
    if status:
        scope.append(f"状态：{STATUS_LABELS.get(status, status)}")
    if priority_group:
        scope.append(f"重点人群：{_label(codes['understander_priority_groups'], priority_group)}")
    scope.append(f"共{len(out)}人")
    return Register(
        title="法律明白人名册",
        subtitle=_office_prefix(store),
        heading=[
            ("", "\u00a0\u00a0\u00a0".join(scope)),
            ("制表日期：", _cn_date(today.isoformat())),
        ],
        columns=[
            Column("序号", 10, center=True),  # widths in mm of the landscape page
            Column("姓名", 17),
            Column("性别", 10, center=True),
            Column("民族", 13, center=True),
            Column("村（社区）", 20),
            Column("村民小组", 23),
            Column("联系电话", 24),
            Column("推选方式", 29),
            Column("重点人群", 30),
            Column("证书（胸牌）编号", 22),
            Column("考核结果", 12, center=True),
            Column(f"{year}年培训学时", 18, center=True),
            Column("状态", 23),
        ],
        rows=out,
        signatures=["填表人", "审核人"],
        landscape=True,
    )


def _roster_status(r: Row) -> str:
    if r["status"] == "removed":
        when = _short_date(r["removed_on"])
        return f"已清退 {when}".strip()
    return STATUS_LABELS.get(str(r["status"]), str(r["status"]))


# -- 培训签到表 ---------------------------------------------------------------------------------
def sign_in_register(
    store: Store, training_id: str, *, blank_rows: int = DEFAULT_BLANK_ROWS
) -> Register:
    """One row per registered attendee with an empty 签名 column, then ``blank_rows`` empty
    rows for people who come without being on the list."""
    training, attendee_ids = load_training(store, training_id)
    people = _people(store, attendee_ids)
    rows = [
        [str(n), p["name"], p["village"], p["villager_group"], "", ""]
        for n, p in enumerate(people, 1)
    ]
    rows += [[str(len(rows) + k), "", "", "", "", ""] for k in range(1, blank_rows + 1)]
    return Register(
        title="法律明白人培训签到表",
        subtitle=_office_prefix(store),
        heading=[
            ("培训主题：", training["topic"]),
            ("培训时间：", _cn_date(training["held_on"])),
            ("培训地点：", training["place"] or MODE_LABELS.get(training["mode"], "")),
            ("授课人：", training["trainer"]),
            ("培训方式：", MODE_LABELS.get(training["mode"], str(training["mode"]))),
            ("培训学时：", f"{_hours(training['hours'])}学时"),
            ("应到人数：", f"{len(people)}人"),
            ("实到人数：", "________人"),
        ],
        columns=[
            Column("序号", 3.2, center=True),
            Column("姓名", 6),
            Column("村（社区）", 8),
            Column("村民小组", 6),
            Column("签名", 10),
            Column("备注", 6),
        ],
        rows=rows,
        signatures=["组织人", "记录人"],
        row_padding=SIGN_ROW_PADDING,
    )


def _people(store: Store, ids: list[str]) -> list[Row]:
    """The named people (removed ones too), in roster order."""
    wanted = set(ids)
    everyone = UnderstanderService(store, {}).roster(status=None)
    return [r for r in everyone if r["id"] in wanted]


# -- 培训记录 (one person) -----------------------------------------------------------------------
def training_record_register(store: Store, understander_id: str, year: int) -> Register:
    """A person's trainings in ``year`` with the total against the yearly target."""
    person = load_understander(store, understander_id)
    attended: list[Row] = []
    for t in reversed(trainings_in_year(store, year)):  # oldest first
        _, ids = load_training(store, str(t["id"]))
        if understander_id in ids:
            attended.append(t)
    total = round(sum(float(t["hours"]) for t in attended), 1)
    target = UnderstanderService(store, {}).yearly_target()
    rows = [
        [
            str(n),
            _short_date(t["held_on"]),
            t["topic"],
            t["trainer"],
            MODE_LABELS.get(t["mode"], t["mode"]),
            t["place"],
            _hours(t["hours"]),
        ]
        for n, t in enumerate(attended, 1)
    ]
    if total >= target:
        verdict = f"已达到年度目标{_hours(target)}学时。"
    else:
        verdict = (
            f"未达到年度目标{_hours(target)}学时，尚差{_hours(round(target - total, 1))}学时。"
        )
    return Register(
        title=f"法律明白人培训记录（{year}年度）",
        subtitle=_office_prefix(store),
        heading=[
            ("姓名：", person["name"]),
            ("村（社区）：", f"{person['village']}{person['villager_group']}"),
            ("证书（胸牌）编号：", person["certificate_no"] or "—"),
            ("状态：", _roster_status(person)),
        ],
        columns=[
            Column("序号", 3.2, center=True),
            Column("培训日期", 5, center=True),
            Column("培训主题", 14),
            Column("授课人", 5),
            Column("方式", 3, center=True),
            Column("地点", 7),
            Column("学时", 3, center=True),
        ],
        rows=rows,
        closing=[
            f"{year}年共参加培训{len(attended)}次，累计{_hours(total)}学时；{verdict}",
        ],
        signatures=["本人签名", "司法所审核"],
    )


# -- 法律咨询登记簿 ------------------------------------------------------------------------------
def consultation_register(
    store: Store,
    year: int,
    month: int,
    *,
    show_contacts: bool = False,
    user_id: str = "",
    tables: Mapping[str, CodeTable] | None = None,
) -> Register:
    """Every consultation of the month, in order: who asked, what, the answer, who answered
    and where it was referred."""
    codes = _tables(store, tables)
    rows: list[list[str]] = []
    entries = ConsultationService(store, dict(codes)).register_for_month(year, month)
    if show_contacts:
        _audit_print(store, user_id, "consultations", [str(c["id"]) for c in entries if c["phone"]])
    for n, c in enumerate(entries, 1):
        rows.append(
            [
                str(n),
                _short_date(c["consulted_on"]),
                _asker(c, codes, show_contacts),
                _label(codes["consultation_categories"], c["category"]),
                _label(codes["consultation_modes"], c["mode"]),
                c["question"],
                c["answer"],
                c["answered_by"],
                _label(codes["consultation_referrals"], c["referral"]),
                c["notes"],
            ]
        )
    return Register(
        title="法律咨询登记簿",
        subtitle=_office_prefix(store),
        heading=[("登记月份：", f"{year}年{month}月　　共{len(rows)}件")],
        columns=[
            Column("序号", 3.2, center=True),
            Column("日期", 5.8, center=True),
            Column("咨询人情况", 12),
            Column("类别", 5),
            Column("方式", 3, center=True),
            Column("咨询问题", 16),
            Column("解答摘要", 16),
            Column("解答人", 4.5),
            Column("处理结果", 5.5),
            Column("备注", 6),
        ],
        rows=rows,
        signatures=["登记人", "审核人"],
        landscape=True,
    )


def _asker(c: Row, codes: Mapping[str, CodeTable], show_contacts: bool) -> str:
    if c["anonymous"]:
        return ANONYMOUS_LABEL
    first = "，".join(
        v
        for v in (
            c["name"],
            c["gender"] or "",
            f"{c['age']}岁" if c["age"] else "",
            _label(codes["ethnicities"], c["ethnicity"]),
        )
        if v
    )
    lines = [first]
    if c["employer"]:
        lines.append(c["employer"])
    if c["address"] or c["village"]:
        lines.append(c["address"] or c["village"])
    if c["phone"]:
        lines.append(f"电话：{_phone(c['phone'], show_contacts)}")
    return "\n".join(lines)


# -- 法律顾问工作日志 ----------------------------------------------------------------------------
def adviser_log_register(
    store: Store,
    adviser: str,
    start: date | None = None,
    end: date | None = None,
    *,
    tables: Mapping[str, CodeTable] | None = None,
) -> Register:
    """An adviser's entries from ``start`` to ``end`` (both included; open when None):
    时间、对象、内容、结果 of every service, one entry per row, with the total hours."""
    codes = _tables(store, tables)
    year = start.year if start and end and start.year == end.year else None
    entries = [
        e
        for e in AdviserLogService(store, dict(codes)).entries(adviser, year)
        if (start is None or e["started_at"][:10] >= start.isoformat())
        and (end is None or e["started_at"][:10] <= end.isoformat())
    ]
    rows = [
        [
            str(n),
            _log_time(e["started_at"]),
            _hours(e["hours"]),
            e["village"],
            "实地" if e["on_site"] else "远程",
            _label(codes["adviser_service_kinds"], e["kind"]),
            e["object"],
            e["content"],
            e["result"],
        ]
        for n, e in enumerate(entries, 1)
    ]
    total = round(sum(float(e["hours"]) for e in entries), 1)
    on_site = round(sum(float(e["hours"]) for e in entries if e["on_site"]), 1)
    return Register(
        title="村（居）法律顾问工作日志",
        subtitle=_office_prefix(store),
        heading=[
            ("法律顾问：", adviser),
            ("期间：", _period(start, end)),
        ],
        columns=[
            Column("序号", 3.2, center=True),
            Column("服务时间", 6, center=True),
            Column("时长（小时）", 4, center=True),
            Column("村（社区）", 6),
            Column("方式", 3, center=True),
            Column("服务类别", 7),
            Column("服务对象", 7),
            Column("服务内容", 18),
            Column("服务结果", 12),
        ],
        rows=rows,
        closing=[
            f"共{len(rows)}次服务，累计{_hours(total)}小时，其中实地服务{_hours(on_site)}小时。"
        ],
        signatures=["法律顾问签名", "司法所审核"],
        landscape=True,
    )


def _log_time(started_at: str) -> str:
    day = _short_date(started_at)
    return f"{day}\n{started_at[11:16]}" if len(started_at) >= 16 else day


def _period(start: date | None, end: date | None) -> str:
    if start is None and end is None:
        return "全部"
    left = _cn_date(start.isoformat()) if start else "最早记录"
    right = _cn_date(end.isoformat()) if end else "今"
    return f"{left}至{right}"


# -- the PDF documents -------------------------------------------------------------------------
def roster_pdf(
    store: Store,
    *,
    year: int | None = None,
    village: str | None = None,
    status: str | None = "active",
    priority_group: str | None = None,
    show_contacts: bool = False,
    user_id: str = "",
) -> bytes:
    """法律明白人名册 (A4 landscape)."""
    return render_register(
        roster_register(
            store,
            year=year,
            village=village,
            status=status,
            priority_group=priority_group,
            show_contacts=show_contacts,
            user_id=user_id,
        )
    )


def training_sign_in_pdf(
    store: Store, training_id: str, *, blank_rows: int = DEFAULT_BLANK_ROWS
) -> bytes:
    """培训签到表 of one training (A4 portrait)."""
    return render_register(sign_in_register(store, training_id, blank_rows=blank_rows))


def training_record_pdf(store: Store, understander_id: str, year: int) -> bytes:
    """One person's 培训记录 for ``year`` (A4 portrait)."""
    return render_register(training_record_register(store, understander_id, year))


def consultation_register_pdf(
    store: Store, year: int, month: int, *, show_contacts: bool = False, user_id: str = ""
) -> bytes:
    """法律咨询登记簿 of one month (A4 landscape)."""
    return render_register(
        consultation_register(store, year, month, show_contacts=show_contacts, user_id=user_id)
    )


def adviser_log_pdf(
    store: Store, adviser: str, start: date | None = None, end: date | None = None
) -> bytes:
    """法律顾问工作日志 of one adviser over a period (A4 landscape)."""
    return render_register(adviser_log_register(store, adviser, start, end))


# -- drawing -----------------------------------------------------------------------------------


def page_size(reg: Register) -> tuple[float, float]:
    width, height = landscape(A4) if reg.landscape else A4
    return float(width), float(height)


def content_width(reg: Register) -> float:
    return float(page_size(reg)[0] - layout.MARGIN_LEFT - layout.MARGIN_RIGHT)


def check_register(reg: Register) -> None:
    """Raise :class:`fonts.MissingGlyphError` for a character no shipped font prints."""
    texts = [reg.title, reg.subtitle, *reg.closing, *reg.signatures]
    texts += [f"{k}{v}" for k, v in reg.heading]
    texts += [c.label for c in reg.columns]
    text = "".join(texts) + "".join("".join(row) for row in reg.rows)
    fonts.check_text(text, "document", reg.title)


def render_register(reg: Register) -> bytes:
    """Lay ``reg`` out on A4 pages: title, heading, a ruled table whose header row repeats on
    every page, closing lines and signature places; "第x页 共y页" at the foot of each page."""
    check_register(reg)
    return build_pdf(
        _story(reg),
        PageContext(case_number="", title=reg.title),
        pagesize=page_size(reg),
        top_margin=MARGIN_TOP_LANDSCAPE if reg.landscape else layout.MARGIN_TOP,
        bottom_margin=MARGIN_BOTTOM_REGISTER,
        canvas_class=RegisterCanvas,
    )


class RegisterCanvas(DecoratedCanvas):
    """The page decoration of a register: the title at the left and "第x页 共y页" in the
    middle under a rule (no case number or QR code); works on landscape pages too."""

    def _define_qr(self) -> None:
        pass

    def _decorate(self, page_no: int, total: int) -> None:
        width = float(self._pagesize[0])
        y = 10 * mm
        self.saveState()
        self.setLineWidth(0.4)
        rule = MARGIN_BOTTOM_REGISTER - 5 * mm
        self.line(layout.MARGIN_LEFT, rule, width - layout.MARGIN_RIGHT, rule)
        draw_text(self, f"第{page_no}页 共{total}页", width / 2, y, FOOTER_SIZE, align="center")
        draw_text(self, self.jd_context.title, layout.MARGIN_LEFT, y, FOOTER_SIZE)
        self.restoreState()


def _cell_styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    base = layout.styles()
    size, leading = CELL_SIZE, CELL_LEADING
    left = ParagraphStyle("jd-reg-cell", parent=base.cell, fontSize=size, leading=leading)
    center = ParagraphStyle(
        "jd-reg-cell-c", parent=base.cell_center, fontSize=size, leading=leading
    )
    head = ParagraphStyle("jd-reg-head", parent=base.label, fontSize=size, leading=leading)
    return left, center, head


def _story(reg: Register) -> list[Flowable]:
    story: list[Flowable] = [layout.title(reg.title)]
    if reg.subtitle:
        story.append(layout.subtitle(reg.subtitle))
    if reg.heading:
        story.append(_heading_block(reg))
        story.append(layout.space(3))
    story.append(_table(reg))
    for line in reg.closing:
        story += [layout.space(3), layout.para(line)]
    if reg.signatures:
        story.append(layout.space(4))
        story.append(_signature_line(reg))
    return story


def _heading_block(reg: Register) -> Table:
    """The heading pairs, two a line ("培训主题：…  培训时间：…"), without rules."""
    width = content_width(reg)
    per_row = 3 if reg.landscape else 2
    body = layout.styles().body
    cells = [layout.para(f"{k}{v}", body) for k, v in reg.heading]
    rows = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    rows[-1] += [""] * (per_row - len(rows[-1]))
    t = Table(rows, colWidths=[width / per_row] * per_row)
    t.setStyle(
        layout.table_style(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return t


def _table(reg: Register) -> Table:
    left, center, head = _cell_styles()
    total = sum(c.width for c in reg.columns)
    width = content_width(reg)
    widths = [width * c.width / total for c in reg.columns]

    def cell(text: str, col: Column) -> Flowable:
        return layout.para(text, center if col.center else left)

    top = MARGIN_TOP_LANDSCAPE if reg.landscape else layout.MARGIN_TOP
    frame = page_size(reg)[1] - top - MARGIN_BOTTOM_REGISTER - 2 * FRAME_PADDING
    lines = max(4, int(frame * CHUNK_SHARE / CELL_LEADING))
    limits = [max(20, int((w - 6) / CELL_SIZE) * lines) for w in widths]
    data: list[list[Any]] = [[layout.para(c.label, head) for c in reg.columns]]
    for row in reg.rows:
        for part in _continued(row, limits):
            data.append([cell(v, c) for v, c in zip(part, reg.columns, strict=True)])
    if not reg.rows:
        data.append([layout.para("（无记录）", center)] + [""] * (len(reg.columns) - 1))
    t = LongTable(data, colWidths=widths, repeatRows=1, splitByRow=1, splitInRow=0)
    pad = reg.row_padding
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.75, layout.GRID_COLOUR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, 0), 4),
        ("BOTTOMPADDING", (0, 0), (-1, 0), 4),
        ("TOPPADDING", (0, 1), (-1, -1), pad),
        ("BOTTOMPADDING", (0, 1), (-1, -1), pad),
    ]
    if not reg.rows:
        style.append(("SPAN", (0, 1), (-1, 1)))
    t.setStyle(layout.table_style(style))
    return t


def _continued(row: list[str], limits: list[int]) -> list[list[str]]:
    """``row`` as one table row, or, when a cell's text is longer than its limit (in
    characters), as several rows that carry it on (so no row is taller than a page and every
    row moves to the next page whole: reportlab's splitting inside rows repeats headers)."""
    pieces = [_chunks(text, limit) for text, limit in zip(row, limits, strict=True)]
    count = max(len(p) for p in pieces)
    out = [[p[0] for p in pieces]]
    for k in range(1, count):
        out.append([p[k] if k < len(p) else "" for p in pieces])
    return out


def _chunks(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = max(rest.rfind(mark, limit // 2, limit) for mark in "。；！？\n")
        cut = cut + 1 if cut > 0 else limit
        out.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest:
        out.append(rest)
    return out


def _signature_line(reg: Register) -> Table:
    """The signature places from the left: 填表人：____  审核人：____  日期：  年  月  日."""
    body = layout.styles().body
    size = float(body.fontSize)
    gap = "\u00a0" * 5
    date_text = f"日期：{gap}年{gap}月{gap}日"
    labels = [f"{who}：" for who in reg.signatures]
    used = sum(fonts.string_width(t, size) + 2 for t in labels)
    used += fonts.string_width(date_text, size) + 4 + 8 * mm * len(labels)
    line = min(40 * mm, max(20 * mm, (content_width(reg) - used) / max(1, len(labels))))
    cells: list[Any] = []
    widths: list[float] = []
    for text in labels:
        cells += [layout.para(text, body), "", ""]
        widths += [fonts.string_width(text, size) + 2, line, 8 * mm]
    cells.append(layout.para(date_text, body))
    widths.append(fonts.string_width(date_text, size) + 4)
    t = Table([cells], colWidths=widths, rowHeights=[12 * mm], hAlign="LEFT")
    t.setStyle(
        layout.table_style(
            [
                *[
                    ("LINEBELOW", (3 * i + 1, 0), (3 * i + 1, 0), 0.6, layout.GRID_COLOUR)
                    for i in range(len(reg.signatures))
                ],
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return t
