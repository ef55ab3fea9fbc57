"""The bound case file (卷宗): every document in binding order, attachments in their places, and a
卷内目录 whose page numbers are those of the finished file.

One layout pass: each section starts on a new page behind a :class:`~page.Mark`; the 卷内目录 and
the 封底 ("本卷共N页") are :class:`~page.Deferred` pages drawn when the file is saved, when every
section's first page is known. Image scans are placed one per page, scaled to fit. A PDF
attachment's pages are reserved as pages carrying only the page decorations and merged under them
afterwards with pypdf (scaled to A4), so the whole file is numbered "第x页 共y页" throughout.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.units import mm  # type: ignore[import-untyped]
from reportlab.lib.utils import ImageReader  # type: ignore[import-untyped]
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]
from reportlab.platypus import Flowable, Frame, Image  # type: ignore[import-untyped]

from justice_desktop.domain.attachments import ATTACHMENT_KINDS
from justice_desktop.pdf import forms
from justice_desktop.pdf import layout as L
from justice_desktop.pdf.case_data import CaseDocs
from justice_desktop.pdf.page import Deferred, Mark, PageContext, build_pdf
from justice_desktop.store.records import Row

# Where an attachment goes in the file: its ``kind`` (attachments.kind) → the place's name.
TOC_ROWS_PER_PAGE = 20
Progress = Callable[[int, int], bool]


class RenderCancelled(Exception):
    """The user cancelled a long rendering (``progress`` returned False)."""


@dataclass
class Section:
    key: str
    title: str
    story: list[Flowable] = field(default_factory=list)
    note: str = ""
    in_toc: bool = True
    pdf: bytes | None = None  # a PDF attachment: its pages are merged in afterwards
    pdf_pages: int = 0


@dataclass
class AttachmentData:
    row: Row
    data: bytes | None


def attachment_section(
    key: str, place: str, note: str, media_type: str, data: bytes | None
) -> Section:
    if data is None:
        return Section(
            key,
            place,
            _notice_page(place, note, "附件内容不在本机（尚未同步），请另行附入。"),
            note,
        )
    if media_type == "application/pdf" or data[:5] == b"%PDF-":
        count = pdf_page_count(data)
        if count:
            return Section(key, place, note=note, pdf=data, pdf_pages=count)
        return Section(
            key, place, _notice_page(place, note, "该PDF文件无法读取，请另行打印后附入。"), note
        )
    if media_type.startswith("image/"):
        try:
            return Section(key, place, image_pages(data), note)
        except Exception:
            return Section(
                key, place, _notice_page(place, note, "该图片无法读取，请另行打印后附入。"), note
            )
    return Section(
        key, place, _notice_page(place, note, "该类型的文件不能直接打印，请另行打印后附入。"), note
    )


def _notice_page(place: str, note: str, text: str) -> list[Flowable]:
    return [
        L.heading(place),
        L.para(f"附件：{note}", L.styles().body),
        L.para(text, L.styles().body),
    ]


def image_pages(data: bytes) -> list[Flowable]:
    """An image scaled to fit the page's frame (each frame of a multi-page TIFF on its own page)."""
    from PIL import Image as PILImage

    frames: list[bytes] = []
    with PILImage.open(io.BytesIO(data)) as im:
        n = getattr(im, "n_frames", 1)
        if n == 1:
            frames.append(data)
        else:
            for i in range(n):
                im.seek(i)
                buf = io.BytesIO()
                im.convert("RGB").save(buf, format="PNG")
                frames.append(buf.getvalue())
    out: list[Flowable] = []
    max_w, max_h = L.CONTENT_WIDTH, L.CONTENT_HEIGHT - 2 * mm
    for i, frame in enumerate(frames):
        reader = ImageReader(io.BytesIO(frame))
        w, h = reader.getSize()
        scale = min(max_w / w, max_h / h)
        if i:
            out.append(L.page_break())
        out.append(Image(io.BytesIO(frame), width=w * scale, height=h * scale))
    return out


def pdf_page_count(data: bytes) -> int:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            reader.decrypt("")
        return len(reader.pages)
    except Exception:
        return 0


def plan_sections(d: CaseDocs, attachments: list[AttachmentData]) -> list[Section]:
    """The sections of the bound file in binding order (domain.md → 卷宗装订顺序)."""
    spec = forms.SPEC_BY_KEY
    counter = [0]
    by_kind: dict[str, list[AttachmentData]] = {}
    for att in attachments:
        kind = str(att.row.get("kind") or "evidence")
        by_kind.setdefault(kind if kind in ATTACHMENT_KINDS else "other", []).append(att)

    def atts(kind: str) -> list[Section]:
        out = []
        for att in by_kind.get(kind, []):
            counter[0] += 1
            row = att.row
            note = str(row.get("file_name") or "") + (
                f"（{row['note']}）" if row.get("note") else ""
            )
            out.append(
                attachment_section(
                    f"att{counter[0]}",
                    ATTACHMENT_KINDS[kind],
                    note,
                    str(row.get("media_type") or ""),
                    att.data,
                )
            )
        return out

    def form(key: str, title: str | None = None) -> Section:
        s = spec[key]
        return Section(key, title or s.title, s.build(d))

    sections = [Section("cover", "卷宗封面", forms.cover(d), in_toc=False)]
    sections.append(Section("contents", "卷内目录", in_toc=False))
    if d.case.get("source") == "applied":
        sections.append(form("application"))
    sections.append(form("registration"))
    sections.append(form("notice"))
    sections += atts("identity")
    sections += atts("authorization")
    if d.investigations:
        sections.append(form("investigation"))
    sections += atts("evidence")
    if d.sessions:
        sections.append(form("mediation_record"))
    ag = d.agreement
    if ag is not None and ag["form"] == "written":
        sections.append(form("agreement"))
    elif ag is not None:
        sections.append(form("oral_agreement"))
    sections += atts("performance")
    if d.follow_ups_done:
        sections.append(form("follow_up"))
    if d.confirmation is not None:
        key = "judicial_org" if d.has_org_party else "judicial_personal"
        sections.append(form(key, "司法确认申请书"))
    sections += atts("judicial")
    sections += atts("other")
    if d.c("closing_note"):
        sections.append(form("file_note"))
    sections.append(Section("back_cover", "封底", in_toc=False))
    return sections


def toc_pages(sections: list[Section]) -> int:
    entries = sum(1 for s in sections if s.in_toc)
    return max(1, -(-entries // TOC_ROWS_PER_PAGE))


def page_ranges(sections: list[Section], ctx: PageContext) -> dict[str, tuple[int, int]]:
    """First and last page of every section, from the marks of the layout pass."""
    starts = [(s.key, ctx.marks[s.key]) for s in sections if s.key in ctx.marks]
    out: dict[str, tuple[int, int]] = {}
    for i, (key, start) in enumerate(starts):
        end = starts[i + 1][1] - 1 if i + 1 < len(starts) else ctx.page_count
        out[key] = (start, max(start, end))
    return out


def toc_rows(sections: list[Section], ctx: PageContext) -> list[tuple[str, str, str, str]]:
    ranges = page_ranges(sections, ctx)
    rows = []
    n = 0
    for s in sections:
        if not s.in_toc:
            continue
        n += 1
        first, last = ranges.get(s.key, (0, 0))
        pages = str(first) if first == last else f"{first}-{last}"
        rows.append((str(n), s.title, pages, s.note))
    return rows


def _frame() -> Frame:
    return Frame(
        L.MARGIN_LEFT,
        L.MARGIN_BOTTOM,
        L.CONTENT_WIDTH,
        L.CONTENT_HEIGHT,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


def toc_story(rows: list[tuple[str, str, str, str]], part: int, parts: int) -> list[Flowable]:
    chunk = rows[part * TOC_ROWS_PER_PAGE : (part + 1) * TOC_ROWS_PER_PAGE]
    if not chunk and part == 0:
        chunk = []
    data: list[list[str | Flowable]] = [["序号", "文书名称", "页号", "备注"]]
    data += [[a, b, c, e] for a, b, c, e in chunk]
    blank_rows = TOC_ROWS_PER_PAGE - len(chunk)
    data += [["", "", "", ""] for _ in range(max(0, blank_rows))]
    heading = "卷内目录" if part == 0 else "卷内目录（续）"
    table = L.grid(
        data,
        [0.1, 0.42, 0.14, 0.34],
        label_cols=(0, 2),
        row_heights=[10 * mm] + [9.4 * mm] * (len(data) - 1),
    )
    return [L.title(heading), table]


def draw_contents(
    sections: list[Section], part: int, parts: int
) -> Callable[[Canvas, PageContext], None]:
    def draw(canv: Canvas, ctx: PageContext) -> None:
        _frame().addFromList(toc_story(toc_rows(sections, ctx), part, parts), canv)

    return draw


def draw_back_cover(d: CaseDocs) -> Callable[[Canvas, PageContext], None]:
    def draw(canv: Canvas, ctx: PageContext) -> None:
        _frame().addFromList(forms.back_cover(d, ctx.page_count), canv)

    return draw


def _reserved(canv: Canvas, ctx: PageContext) -> None:
    """A page kept for a PDF attachment's page: nothing drawn but the decorations."""


def build_story(d: CaseDocs, sections: list[Section], progress: Progress | None) -> list[Flowable]:
    story: list[Flowable] = []
    parts = toc_pages(sections)
    total = len(sections)
    for i, s in enumerate(sections):
        if progress is not None and not progress(i, total + 1):
            raise RenderCancelled()
        if i:
            story.append(L.page_break())
        story.append(Mark(s.key))
        if s.key == "contents":
            for part in range(parts):
                if part:
                    story.append(L.page_break())
                story.append(Deferred(draw_contents(sections, part, parts)))
        elif s.key == "back_cover":
            story.append(Deferred(draw_back_cover(d)))
        elif s.pdf is not None:
            for j in range(s.pdf_pages):
                if j:
                    story.append(L.page_break())
                story.append(Mark(f"{s.key}#{j}"))
                story.append(Deferred(_reserved))
        else:
            story += s.story
    return story


def merge_pdf_attachments(data: bytes, sections: list[Section], ctx: PageContext) -> bytes:
    """Put each PDF attachment's pages under the decorated pages reserved for them."""
    from pypdf import PageObject, PdfReader, PdfWriter, Transformation

    base = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    reserved: dict[int, tuple[PdfReader, int]] = {}
    for s in sections:
        if s.pdf is None:
            continue
        reader = PdfReader(io.BytesIO(s.pdf))
        if reader.is_encrypted:
            reader.decrypt("")
        for j in range(s.pdf_pages):
            reserved[ctx.marks[f"{s.key}#{j}"]] = (reader, j)
    for n, page in enumerate(base.pages, start=1):
        if n not in reserved:
            writer.add_page(page)
            continue
        reader, j = reserved[n]
        src = reader.pages[j]
        w, h = float(src.mediabox.width), float(src.mediabox.height)
        box_w, box_h = (
            L.PAGE_WIDTH - 2 * 10 * mm,
            L.PAGE_HEIGHT - 10 * mm - L.MARGIN_BOTTOM + 4 * mm,
        )
        scale = min(box_w / w, box_h / h)
        x = (L.PAGE_WIDTH - w * scale) / 2 - float(src.mediabox.left) * scale
        y = L.MARGIN_BOTTOM - 4 * mm + (box_h - h * scale) / 2 - float(src.mediabox.bottom) * scale
        new = PageObject.create_blank_page(width=L.PAGE_WIDTH, height=L.PAGE_HEIGHT)
        new.merge_transformed_page(src, Transformation().scale(scale).translate(x, y))
        new.merge_page(page)
        writer.add_page(new)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def render_bound(
    d: CaseDocs, attachments: list[AttachmentData], progress: Progress | None = None
) -> tuple[bytes, list[tuple[str, str, str, str]]]:
    """The bound file's PDF and its 卷内目录 rows (序号, 文书名称, 页号, 备注)."""
    sections = plan_sections(d, attachments)
    story = build_story(d, sections, progress)
    ctx = PageContext(d.case_number, title=f"{d.case_number} 调解卷宗", author=d.committee)
    data = build_pdf(story, ctx)
    if any(s.pdf is not None for s in sections):
        data = merge_pdf_attachments(data, sections, ctx)
    if progress is not None and not progress(len(sections) + 1, len(sections) + 1):
        raise RenderCancelled()
    return data, toc_rows(sections, ctx)
