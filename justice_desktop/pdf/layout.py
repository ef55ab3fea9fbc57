"""A4 layout of official forms: styles, grids, signature and seal places, numbered terms, long text.

Everything here returns reportlab *flowables* (platypus); :func:`build_pdf` lays a story out on A4
pages with the page decorations of :mod:`justice_desktop.pdf.page` ("第x页 共y页", the case number
and a QR code carrying it on every page). Long texts are one ``Paragraph`` per paragraph, so they
flow across pages and split between lines, never through one; tables repeat nothing and split
between rows (and inside a row when ``split_in_row``).

Text passes through :func:`justice_desktop.pdf.fonts.markup`, so a rare character prints in a
fallback font; check the text first (``fonts.check_text``) to report unprintable characters.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors  # type: ignore[import-untyped]
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT  # type: ignore[import-untyped]
from reportlab.lib.pagesizes import A4  # type: ignore[import-untyped]
from reportlab.lib.styles import ParagraphStyle  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.platypus import (  # type: ignore[import-untyped]
    CondPageBreak,
    Flowable,
    KeepTogether,
    PageBreak,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

from justice_desktop.pdf import fonts

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_LEFT = 25 * mm  # binding edge
MARGIN_RIGHT = 20 * mm
MARGIN_TOP = 22 * mm
MARGIN_BOTTOM = 28 * mm  # room for the page number, case number and QR code
CONTENT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
CONTENT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM

GRID_COLOUR = colors.black
BLANK = "\u3000" * 6  # the room left in a blank form's inline blank


@dataclass(frozen=True)
class Styles:
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    body_indent: ParagraphStyle
    cell: ParagraphStyle
    cell_center: ParagraphStyle
    label: ParagraphStyle
    small: ParagraphStyle
    right: ParagraphStyle
    term: ParagraphStyle
    cover_title: ParagraphStyle
    cover_field: ParagraphStyle
    cover_committee: ParagraphStyle


@functools.cache
def styles() -> Styles:
    sans = fonts.register(fonts.SANS)
    serif = fonts.register(fonts.SERIF)

    def st(name: str, font: str, size: float, leading: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name, fontName=font, fontSize=size, leading=leading, wordWrap="CJK", **kw
        )

    return Styles(
        title=st("jd-title", serif, 22, 30, alignment=TA_CENTER, spaceAfter=3 * mm),
        subtitle=st("jd-subtitle", serif, 12, 18, alignment=TA_CENTER, spaceAfter=4 * mm),
        heading=st("jd-heading", serif, 13, 19, spaceBefore=2 * mm, spaceAfter=1 * mm),
        body=st("jd-body", sans, 11.5, 20, alignment=TA_JUSTIFY),
        body_indent=st("jd-body-indent", sans, 11.5, 20, alignment=TA_JUSTIFY, firstLineIndent=23),
        cell=st("jd-cell", sans, 10.5, 15, alignment=TA_LEFT),
        cell_center=st("jd-cell-center", sans, 10.5, 15, alignment=TA_CENTER),
        label=st("jd-label", sans, 10.5, 15, alignment=TA_CENTER),
        small=st("jd-small", sans, 9, 13, alignment=TA_LEFT),
        right=st("jd-right", sans, 11.5, 20, alignment=TA_RIGHT),
        term=st(
            "jd-term", sans, 11.5, 20, alignment=TA_JUSTIFY, leftIndent=23, firstLineIndent=-23
        ),
        cover_title=st("jd-cover-title", serif, 30, 44, alignment=TA_CENTER),
        cover_field=st("jd-cover-field", serif, 15, 24, alignment=TA_LEFT),
        cover_committee=st("jd-cover-committee", serif, 18, 26, alignment=TA_CENTER),
    )


def table_style(commands: Sequence[tuple[Any, ...]]) -> TableStyle:
    """A table style whose plain-string cells use the body font (never an unembedded base font)."""
    return TableStyle([("FONTNAME", (0, 0), (-1, -1), fonts.register(fonts.SANS)), *commands])


def chain_of(style: ParagraphStyle) -> tuple[fonts.FontFile, ...]:
    return fonts.TITLE if style.fontName == fonts.SERIF.name else fonts.BODY


def para(text: str, style: ParagraphStyle | None = None) -> Paragraph:
    """One paragraph of plain text (escaped; rare characters in a fallback font)."""
    style = style or styles().body
    return Paragraph(fonts.markup(text, chain_of(style)), style)


def rich(parts: Sequence[tuple[str, bool]], style: ParagraphStyle | None = None) -> Paragraph:
    """A paragraph of (text, underlined) parts: filled values underlined like on the form."""
    style = style or styles().body
    chain = chain_of(style)
    out = []
    for text, underline in parts:
        body = fonts.markup(text, chain)
        out.append(f"<u>{body}</u>" if underline else body)
    return Paragraph("".join(out), style)


def title(text: str) -> Paragraph:
    return para(text, styles().title)


def subtitle(text: str) -> Paragraph:
    return para(text, styles().subtitle)


def heading(text: str) -> Paragraph:
    return para(text, styles().heading)


def space(height_mm: float) -> Spacer:
    return Spacer(1, height_mm * mm)


def page_break() -> PageBreak:
    return PageBreak()


def long_text(text: str, *, indent: bool = True, min_lines: int = 0) -> list[Flowable]:
    """A long text as one paragraph per line of input (flows across pages line by line).

    ``min_lines`` leaves ruled room for handwriting when the text is empty (blank forms).
    """
    style = styles().body_indent if indent else styles().body
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return [ruled_lines(min_lines)] if min_lines else []
    return [para(line, style) for line in lines]


def ruled_lines(count: int, width: float = CONTENT_WIDTH) -> Table:
    """Empty ruled lines for handwriting."""
    t = Table([[""] for _ in range(count)], colWidths=[width], rowHeights=[9 * mm] * count)
    t.setStyle(table_style([("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.grey)]))
    return t


def numbered(items: Sequence[str], *, style: str = "arabic") -> list[Flowable]:
    """Numbered terms ("1．…" or "一、…") with a hanging indent, each splitting between lines."""
    out: list[Flowable] = []
    for i, item in enumerate(items, start=1):
        mark = f"{chinese_number(i)}、" if style == "chinese" else f"{i}．"
        out.append(para(f"{mark}{item}", styles().term))
    return out


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 25 → 二十五 (for numbering up to 99)."""
    if n < 10:
        return CHINESE_DIGITS[n]
    tens, ones = divmod(n, 10)
    head = "" if tens == 1 else CHINESE_DIGITS[tens]
    return f"{head}十{CHINESE_DIGITS[ones] if ones else ''}"


def cell(value: str | Flowable, *, center: bool = False) -> Flowable:
    if isinstance(value, str):
        return para(value, styles().cell_center if center else styles().cell)
    return value


def label(text: str) -> Paragraph:
    return para(text, styles().label)


def grid(
    rows: Sequence[Sequence[str | Flowable]],
    col_widths: Sequence[float],
    *,
    label_cols: Sequence[int] = (),
    spans: Sequence[tuple[tuple[int, int], tuple[int, int]]] = (),
    row_heights: Sequence[float | None] | None = None,
    split_in_row: bool = False,
) -> Table:
    """A form grid: every cell ruled; cells in ``label_cols`` centred as labels.

    ``col_widths`` are fractions of the content width when they sum to about 1.
    """
    widths = list(col_widths)
    if abs(sum(widths) - 1.0) < 0.01:
        widths = [w * CONTENT_WIDTH for w in widths]
    data = [
        [
            (label(c) if isinstance(c, str) else c) if j in label_cols else cell(c)
            for j, c in enumerate(row)
        ]
        for row in rows
    ]
    heights = list(row_heights) if row_heights else None
    t = Table(
        data,
        colWidths=widths,
        rowHeights=heights,
        splitByRow=1,
        splitInRow=1 if split_in_row else 0,
    )
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.75, GRID_COLOUR),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]
    for start, end in spans:
        style.append(("SPAN", start, end))
    t.setStyle(table_style(style))
    return t


def label_value_grid(
    pairs: Sequence[tuple[str, str | Flowable]],
    *,
    per_row: int = 2,
    label_width: float = 0.16,
) -> Table:
    """Label/value pairs, ``per_row`` pairs in a row; a pair whose label ends with "*" spans the
    whole row (for long values such as an address)."""
    value_width = (1.0 - label_width * per_row) / per_row
    widths = [label_width, value_width] * per_row
    rows: list[list[str | Flowable]] = []
    spans: list[tuple[tuple[int, int], tuple[int, int]]] = []
    current: list[str | Flowable] = []
    for name, value in pairs:
        if name.endswith("*"):
            if current:
                rows.append(current + [""] * (2 * per_row - len(current)))
                current = []
            rows.append([name[:-1], value] + [""] * (2 * per_row - 2))
            spans.append(((1, len(rows) - 1), (2 * per_row - 1, len(rows) - 1)))
            continue
        current += [name, value]
        if len(current) == 2 * per_row:
            rows.append(current)
            current = []
    if current:
        rows.append(current + [""] * (2 * per_row - len(current)))
    return grid(rows, widths, label_cols=range(0, 2 * per_row, 2), spans=spans)


def date_blank() -> str:
    return "\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日"


def signature_rows(
    signers: Sequence[str | tuple[str, str]],
    *,
    note: str = "（签名盖章或按指印）",
    dated: bool = True,
) -> Table:
    """One line per signer: "<signer><note>：______  年  月  日", with room for a fingerprint.

    A signer given as (name, note) has a note of its own (e.g. an organisation's seal)."""
    st = styles().body
    rows = []
    for signer in signers:
        who, how = signer if isinstance(signer, tuple) else (signer, note)
        rows.append(
            [
                para(f"{who}{how}：", st),
                "",
                para(date_blank() if dated else "", st),
            ]
        )
    t = Table(rows, colWidths=[CONTENT_WIDTH * 0.48, CONTENT_WIDTH * 0.24, CONTENT_WIDTH * 0.28])
    t.setStyle(
        table_style(
            [
                ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 11),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
            ]
        )
    )
    return t


def seal_place(text: str = "人民调解委员会（印）", *, date_text: str | None = None) -> Table:
    """The committee's seal place at the right with the date under it (never split)."""
    body = para(f"{text}\n{date_text or date_blank()}", styles().right)
    t = Table([[body]], colWidths=[CONTENT_WIDTH])
    t.setStyle(
        table_style(
            [
                ("TOPPADDING", (0, 0), (-1, -1), 8 * mm),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    return t


def keep(flowables: Sequence[Flowable]) -> KeepTogether:
    return KeepTogether(list(flowables))


def need_room(height_mm: float) -> CondPageBreak:
    return CondPageBreak(height_mm * mm)


def fill(value: str | None, blank: bool, width: int = 6) -> str:
    """A value to print; in a blank form, room to write (full-width spaces, underlined)."""
    if blank or not value:
        return "\u3000" * width
    return value


def date_cn(iso: str | None, *, blank: bool = False) -> str:
    """2025-06-02 → 2025年6月2日; nothing (or a blank form) → "    年  月  日"."""
    if blank or not iso:
        return date_blank()
    y, m, d = iso[:10].split("-")
    return f"{int(y)}年{int(m)}月{int(d)}日"


def datetime_cn(iso: str | None, *, blank: bool = False) -> str:
    """2025-06-02T09:30 → 2025年6月2日9时30分."""
    if blank or not iso:
        return date_blank() + "\u3000\u3000时\u3000\u3000分"
    day = date_cn(iso)
    if len(iso) >= 16:
        return f"{day}{int(iso[11:13])}时{int(iso[14:16])}分"
    return day
