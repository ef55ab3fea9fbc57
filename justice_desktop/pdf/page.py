"""Page decorations and building a story into PDF bytes.

Every page gets, in its bottom margin, "第x页 共y页", the case number and a QR code carrying the
case number (so a sheet of paper leads back to its record). The total is known only when the
story has been laid out, so :class:`DecoratedCanvas` keeps each finished page and draws the
decorations when the document is saved (one layout pass). The same mechanism draws content that
depends on page numbers found later — the 卷内目录 of a bound case file — onto reserved pages:
:class:`Mark` records the page a section starts on, :class:`Deferred` reserves a page whose
content is drawn at save time from the marks.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from reportlab.graphics.barcode import qrencoder  # type: ignore[import-untyped]
from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, SimpleDocTemplate  # type: ignore[import-untyped]

from justice_desktop.pdf import fonts
from justice_desktop.pdf.layout import (
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
)

QR_SIZE = 16 * mm
FOOTER_SIZE = 9


@dataclass
class PageContext:
    """What the decorations print, and what the layout pass found out (marks, deferred draws)."""

    case_number: str
    title: str = ""
    author: str = ""
    marks: dict[str, int] = field(default_factory=dict)
    deferred: dict[int, list[Callable[[Canvas, PageContext], None]]] = field(default_factory=dict)
    page_count: int = 0
    decorate: bool = True


class Mark(Flowable):  # type: ignore[misc]
    """Zero-size flowable recording the page it lands on under ``key``."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key
        self.width = self.height = 0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0.0, 0.0

    def draw(self) -> None:
        ctx: PageContext = self.canv.jd_context
        ctx.marks.setdefault(self.key, self.canv.getPageNumber())


class Deferred(Flowable):  # type: ignore[misc]
    """Takes the rest of the frame; ``draw_fn`` paints the page when the document is saved."""

    def __init__(self, draw_fn: Callable[[Canvas, PageContext], None]) -> None:
        super().__init__()
        self.draw_fn = draw_fn

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width, self.height = avail_width, avail_height - 1
        return float(self.width), float(self.height)

    def draw(self) -> None:
        ctx: PageContext = self.canv.jd_context
        ctx.deferred.setdefault(self.canv.getPageNumber(), []).append(self.draw_fn)


class DecoratedCanvas(Canvas):  # type: ignore[misc]
    """A canvas that holds finished pages until ``save`` and then decorates them."""

    def __init__(self, *args: Any, jd_context: PageContext, **kwargs: Any) -> None:
        kwargs["initialFontName"] = kwargs.get("initialFontName") or fonts.register(fonts.SANS)
        super().__init__(*args, **kwargs)
        self.jd_context = jd_context
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        ctx = self.jd_context
        ctx.page_count = len(self._held)
        if ctx.decorate:
            self._define_qr()
        for state in self._held:
            self.__dict__.update(state)
            page_no = self.getPageNumber()
            for draw_fn in ctx.deferred.get(page_no, []):
                self.saveState()
                draw_fn(self, ctx)
                self.restoreState()
            if ctx.decorate:
                self._decorate(page_no, ctx.page_count)
            Canvas.showPage(self)
        Canvas.save(self)

    def _define_qr(self) -> None:
        """The QR code as a form XObject: drawn once, placed on every page."""
        modules = qr_modules(self.jd_context.case_number or "-")
        cell = QR_SIZE / len(modules)
        self.beginForm("jd-qr")
        self.setFillColorRGB(0, 0, 0)
        path = self.beginPath()
        top = QR_SIZE
        for r, row in enumerate(modules):
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    path.rect(start * cell, top - (r + 1) * cell, (c - start) * cell, cell)
                else:
                    c += 1
        self.drawPath(path, stroke=0, fill=1)
        self.endForm()

    def _decorate(self, page_no: int, total: int) -> None:
        ctx = self.jd_context
        y = 12 * mm
        self.saveState()
        self.setLineWidth(0.4)
        rule = MARGIN_BOTTOM - 4 * mm
        self.line(MARGIN_LEFT, rule, PAGE_WIDTH - MARGIN_RIGHT, rule)
        draw_text(
            self, f"第{page_no}页 共{total}页", PAGE_WIDTH / 2, y, FOOTER_SIZE, align="center"
        )
        if ctx.case_number:
            draw_text(self, ctx.case_number, MARGIN_LEFT, y, FOOTER_SIZE)
        self.translate(PAGE_WIDTH - MARGIN_RIGHT - QR_SIZE, y - 6 * mm)
        self.doForm("jd-qr")
        self.restoreState()


def qr_modules(payload: str) -> list[list[bool]]:
    """The dark/light modules of a QR code (error correction M) carrying ``payload``."""
    code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    code.addData(payload)
    code.make()
    n = code.getModuleCount()
    return [[bool(code.isDark(r, c)) for c in range(n)] for r in range(n)]


def draw_text(
    canv: Canvas,
    text: str,
    x: float,
    y: float,
    size: float,
    *,
    align: str = "left",
    chain: tuple[fonts.FontFile, ...] = fonts.BODY,
) -> None:
    """Draw one line of text straight on the canvas, font run by font run."""
    parts = fonts.runs(text, chain)
    if align != "left":
        width = fonts.string_width(text, size, chain)
        x -= width / 2 if align == "center" else width
    t = canv.beginText(x, y)
    for name, fragment in parts:
        t.setFont(name, size)
        t.textOut(fragment)
    canv.drawText(t)


def build_pdf(
    story: Sequence[Flowable],
    ctx: PageContext,
    *,
    pagesize: tuple[float, float] = (PAGE_WIDTH, PAGE_HEIGHT),
    top_margin: float = MARGIN_TOP,
    bottom_margin: float = MARGIN_BOTTOM,
    canvas_class: type[DecoratedCanvas] | None = None,
) -> bytes:
    """Lay ``story`` out on pages (A4 portrait by default) with the page decorations of
    ``canvas_class`` (default :class:`DecoratedCanvas`); return the PDF bytes."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=pagesize,
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=top_margin,
        bottomMargin=bottom_margin,
        title=ctx.title,
        author=ctx.author,
        creator="司法所工作台",
        invariant=1,
    )
    maker = canvas_class or DecoratedCanvas

    def make_canvas(*args: Any, **kwargs: Any) -> DecoratedCanvas:
        return maker(*args, jd_context=ctx, **kwargs)

    doc.build(list(story), canvasmaker=make_canvas)
    return out.getvalue()
