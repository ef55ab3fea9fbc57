"""The statistics reports as PDF, in the official column layout (issue 6).

* :func:`mediation_report_pdf` — 人民调解工作统计表 of a period: A4 landscape; the title, the
  填报单位 (office), 统计期间 and 填报日期; the six blocks of :class:`MediationReport` (汇总,
  按调解组织类型, 按案件来源, 按纠纷类型, 按协议形式, 预防与防止激化) each as a ruled table
  with the official row labels (sub-rows indented) and column headers carrying the units; the
  合计 rows shaded; the 调解成功率; the 填表人 / 负责人 signature line.
* :func:`understander_report_pdf` — 法律明白人 per village against the quota, and who is short
  of training hours.
* :func:`adviser_report_pdf` — each adviser's visits and lectures against the minimums, and the
  months / quarters that fall short.

Everything is drawn from ready report objects (``justice_desktop.store.statistics``), so the
figures printed are exactly those shown on screen; nothing here reads the database.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4, landscape  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, KeepTogether, LongTable, Table  # type: ignore[import-untyped]

from justice_desktop.pdf import fonts, layout
from justice_desktop.pdf.page import PageContext, build_pdf
from justice_desktop.pdf.registers import (
    MARGIN_BOTTOM_REGISTER,
    MARGIN_TOP_LANDSCAPE,
    RegisterCanvas,
)
from justice_desktop.statistics.tables import Cell, Column, MediationReport, StatRow, StatTable
from justice_desktop.store.statistics import AdviserReport, UnderstanderReport

__all__ = [
    "MEDIATION_TITLE",
    "adviser_report_pdf",
    "format_value",
    "mediation_report_pdf",
    "row_label",
    "short_people_table",
    "shortfall_table",
    "understander_report_pdf",
]

MEDIATION_TITLE = "人民调解工作统计表"
UNDERSTANDER_TITLE = "法律明白人工作统计表"
ADVISER_TITLE = "村（居）法律顾问工作统计表"
PAGE = landscape(A4)
CONTENT_WIDTH = float(PAGE[0] - layout.MARGIN_LEFT - layout.MARGIN_RIGHT)
LABEL_SHARE = 0.30  # the row-label column's share of the table width
CELL_SIZE = 9.5
CELL_LEADING = 13.0
TOTAL_SHADE = colors.Color(0.9, 0.9, 0.9)
INDENT = "\u3000\u3000"  # a sub-row's label is indented by two full-width spaces


def format_value(value: int | float | None, decimals: int = 0) -> str:
    """A figure as printed and shown: integers plain, decimals with ``decimals`` digits
    (a 万元 amount of 1.2 with 4 → ``1.2000``); nothing for a missing value (a rate over
    zero cases)."""
    if value is None:
        return ""
    if decimals <= 0:
        return str(int(round(value)))
    return f"{value:.{decimals}f}"


def row_label(row: StatRow) -> str:
    """The row's label as printed: sub-rows indented under their parent."""
    return INDENT * row.level + row.label


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    base = layout.styles()
    left = ParagraphStyle(
        "jd-stat-cell", parent=base.cell, fontSize=CELL_SIZE, leading=CELL_LEADING
    )
    right = ParagraphStyle(
        "jd-stat-num", parent=base.cell, fontSize=CELL_SIZE, leading=CELL_LEADING, alignment=2
    )
    head = ParagraphStyle(
        "jd-stat-head", parent=base.label, fontSize=CELL_SIZE, leading=CELL_LEADING
    )
    total = ParagraphStyle(
        "jd-stat-total",
        parent=base.cell,
        fontName=fonts.register(fonts.SERIF),
        fontSize=CELL_SIZE + 0.5,
        leading=CELL_LEADING,
    )
    return left, right, head, total


def stat_table(table: StatTable, *, label_header: str = "项目") -> Table:
    """One block as a ruled table: the label column, then one column per figure (the header
    names the unit), the 合计 row shaded; the header row repeats on a following page."""
    left, right, head, total = _styles()
    label_width = CONTENT_WIDTH * LABEL_SHARE
    rest = (CONTENT_WIDTH - label_width) / max(1, len(table.columns))
    widths = [label_width] + [rest] * len(table.columns)
    data: list[list[Any]] = [
        [layout.para(label_header, head)] + [layout.para(c.label, head) for c in table.columns]
    ]
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.6, layout.GRID_COLOUR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
    ]
    for i, row in enumerate(table.rows, start=1):
        label_style = total if row.total else left
        cells: list[Any] = [layout.para(row_label(row), label_style)]
        for col, cell in zip(table.columns, row.cells, strict=True):
            cells.append(layout.para(format_value(cell.value, col.decimals), right))
        data.append(cells)
        if row.total:
            style.append(("BACKGROUND", (0, i), (-1, i), TOTAL_SHADE))
    if not table.rows:
        data.append([layout.para("（无数据）", left)] + [""] * len(table.columns))
        style.append(("SPAN", (0, 1), (-1, 1)))
    t = LongTable(data, colWidths=widths, repeatRows=1, splitByRow=1)
    t.setStyle(layout.table_style(style))
    return t


def _block(table: StatTable, number: int) -> list[Flowable]:
    """A block's heading (一、…) and table; a short block stays on one page."""
    heading = layout.para(
        f"{layout.chinese_number(number)}、{table.title}", layout.styles().heading
    )
    parts: list[Flowable] = [heading, stat_table(table)]
    if table.note:
        parts.append(layout.para(table.note, layout.styles().small))
    if len(table.rows) <= 12:
        return [KeepTogether(parts), layout.space(2)]
    return [*parts, layout.space(2)]


def _heading_line(pairs: Sequence[tuple[str, str]]) -> Table:
    body = layout.styles().body
    cells = [layout.para(f"{k}：{v}", body) for k, v in pairs]
    t = Table([cells], colWidths=[CONTENT_WIDTH / len(cells)] * len(cells))
    t.setStyle(
        layout.table_style(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    return t


def _signatures(who: Sequence[str] = ("填表人", "负责人")) -> Table:
    """填表人：______    负责人：______    (no date: the 填报日期 is in the heading)."""
    body = layout.styles().body
    size = float(body.fontSize)
    cells: list[Any] = []
    widths: list[float] = []
    for name in who:
        text = f"{name}："
        cells += [layout.para(text, body), "", ""]
        widths += [fonts.string_width(text, size) + 2, 45 * mm, 15 * mm]
    t = Table([cells], colWidths=widths, rowHeights=[12 * mm], hAlign="LEFT")
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
    ]
    for k in range(len(who)):
        commands.append(("LINEBELOW", (3 * k + 1, 0), (3 * k + 1, 0), 0.6, colors.black))
    t.setStyle(layout.table_style(commands))
    return t


def _check(texts: Sequence[str], title: str) -> None:
    fonts.check_text("".join(texts), "document", title)


def _texts_of(tables: Sequence[StatTable]) -> list[str]:
    out: list[str] = []
    for t in tables:
        out += [t.title, t.note, *(c.label for c in t.columns), *(r.label for r in t.rows)]
    return out


def _render(story: list[Flowable], title: str) -> bytes:
    return build_pdf(
        story,
        PageContext(case_number="", title=title),
        pagesize=(float(PAGE[0]), float(PAGE[1])),
        top_margin=MARGIN_TOP_LANDSCAPE,
        bottom_margin=MARGIN_BOTTOM_REGISTER,
        canvas_class=RegisterCanvas,
    )


def _document(
    title: str,
    office: str,
    period: str,
    filled_on: date,
    tables: Sequence[StatTable],
    closing: Sequence[str] = (),
) -> bytes:
    heading = [("填报单位", office or "—"), ("统计期间", period), ("填报日期", _cn_date(filled_on))]
    _check([title, *(f"{k}{v}" for k, v in heading), *closing, *_texts_of(tables)], title)
    story: list[Flowable] = [layout.title(title), _heading_line(heading), layout.space(2)]
    for number, table in enumerate(tables, start=1):
        story += _block(table, number)
    for line in closing:
        story.append(layout.para(line))
    story += [layout.space(2), _signatures()]
    return _render(story, title)


def mediation_report_pdf(
    report: MediationReport, *, filled_on: date, office: str | None = None
) -> bytes:
    """The 人民调解工作统计表 of ``report`` (``office``: the 填报单位, default the report's)."""
    rate = report.success_rate
    rate_text = "—（本期无受理案件）" if rate is None else f"{rate:.1f}%"
    closing = [
        f"本期受理调解案件{report.registered}件，调解成功{report.succeeded}件，"
        f"调解成功率：{rate_text}。",
        "说明：案件数、当事人数、疑难复杂案件、排查纠纷及防止激化按受理日期统计；调解成功、"
        "协议形式、协议涉及金额及预防纠纷按协议生效日期统计。",
    ]
    return _document(
        MEDIATION_TITLE,
        office if office is not None else report.office_name,
        report.period.label,
        filled_on,
        report.tables,
        closing,
    )


def short_people_table(report: UnderstanderReport) -> StatTable:
    """Who is short of the yearly training hours, one row each (no drill-down in print)."""
    rows = tuple(
        StatRow(f"{p.name}（{p.village}）", (Cell(p.hours), Cell(p.target), Cell(p.missing)))
        for p in report.short_people
    )
    return StatTable(
        "short_people",
        f"培训学时未达标人员（{report.year}年）",
        (
            Column("hours", "已完成学时", "学时", 1),
            Column("target", "年度目标学时", "学时", 1),
            Column("missing", "尚差学时", "学时", 1),
        ),
        rows,
    )


def understander_report_pdf(report: UnderstanderReport, *, office: str, filled_on: date) -> bytes:
    return _document(
        UNDERSTANDER_TITLE,
        office,
        f"{report.year}年",
        filled_on,
        [report.quota_table(), short_people_table(report)],
    )


def shortfall_table(report: AdviserReport) -> StatTable:
    rows = tuple(
        StatRow(
            f"{s.adviser}：{s.village} {s.period}{'实地服务' if s.kind == 'visit' else '法治讲座'}",
            (Cell(s.done), Cell(s.required)),
        )
        for s in report.shortfalls
    )
    return StatTable(
        "adviser_shortfalls",
        "未达最低要求的月份与季度",
        (
            Column("done", "已完成（小时/次）", "", 1),
            Column("required", "最低要求（小时/次）", "", 1),
        ),
        rows,
    )


def adviser_report_pdf(report: AdviserReport, *, office: str, filled_on: date) -> bytes:
    return _document(
        ADVISER_TITLE,
        office,
        f"{report.year}年（截至{_cn_date(report.until)}）",
        filled_on,
        [report.table(), shortfall_table(report)],
    )
