"""The entry points of :mod:`justice_desktop.pdf` (documented in the package's docstring)."""

from __future__ import annotations

import io

from justice_desktop.pdf import fonts, forms
from justice_desktop.pdf.binding import AttachmentData, Progress, render_bound
from justice_desktop.pdf.case_data import CaseDocs, load_case_docs, printable_texts
from justice_desktop.pdf.fonts import MissingGlyphError
from justice_desktop.pdf.page import PageContext, build_pdf
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError

FORMS: dict[str, str] = {s.key: s.title for s in forms.SPECS}

# Forms whose content depends on the whole bound file (its page numbers or page count).
_FROM_BOUND_FILE = {"contents": "卷内目录", "back_cover": "封底"}


def form_key(name: str) -> str:
    """The form key for a key or a Chinese title; a Chinese error lists the known documents."""
    text = name.strip()
    if text in FORMS:
        return text
    if text == "司法确认申请书":
        return "judicial_personal"
    exact = [k for k, title in FORMS.items() if title == text]
    partial = [k for k, title in FORMS.items() if text and text in title]
    found = exact or partial
    if len(found) == 1:
        return found[0]
    known = "、".join(FORMS.values())
    raise ValidationError("form", f"没有名为“{name}”的文书。可以打印的文书：{known}。")


def problems(d: CaseDocs) -> list[MissingGlyphError]:
    out: list[MissingGlyphError] = []
    for field, label, text in printable_texts(d):
        missing = fonts.missing_chars(text) if text else []
        if missing:
            out.append(MissingGlyphError(field, label, missing))
    return out


def check_printable(store: Store, case_id: str) -> list[MissingGlyphError]:
    """Every field of the case with characters that no shipped font can print."""
    return problems(load_case_docs(store, case_id))


def _require_printable(d: CaseDocs) -> None:
    found = problems(d)
    if found:
        raise found[0]


def render_form(store: Store, case_id: str | None, form: str, *, blank: bool = False) -> bytes:
    """One document of the case as PDF bytes (``blank``: the empty form)."""
    key = form_key(form)
    if not blank and case_id is None:
        raise ValidationError("case", "请先选择案件，或打印空白文书。")
    if key in _FROM_BOUND_FILE and not blank:
        assert case_id is not None
        return _pages_of_bound_file(store, case_id, key)
    d = load_case_docs(store, case_id, blank=blank)
    _require_printable(d)
    return render_docs(d, key)


def render_docs(d: CaseDocs, key: str) -> bytes:
    """One document from gathered case data (no store needed: used by benchmarks and tests)."""
    spec = forms.SPEC_BY_KEY[key]
    if key == "contents":
        from justice_desktop.pdf.binding import toc_story

        story = toc_story([], 0, 1)
    else:
        story = spec.build(d)
    number = "" if d.blank else d.case_number
    return build_pdf(story, PageContext(number, title=spec.title, author=d.committee))


def _attachments(store: Store, d: CaseDocs) -> list[AttachmentData]:
    if d.file is None:
        return []
    service = CaseService(store, d.tables)
    return [AttachmentData(a, service.attachment_data(a["sha256"])) for a in d.file.attachments]


def render_case_file(store: Store, case_id: str, *, progress: Progress | None = None) -> bytes:
    """The bound case file (all documents in binding order, attachments in place) as PDF."""
    d = load_case_docs(store, case_id)
    _require_printable(d)
    data, _rows = render_bound(d, _attachments(store, d), progress)
    return data


def case_file_contents(store: Store, case_id: str) -> list[tuple[str, str, str, str]]:
    """The 卷内目录 of the bound file: (序号, 文书名称, 页号, 备注)."""
    d = load_case_docs(store, case_id)
    _require_printable(d)
    _data, rows = render_bound(d, _attachments(store, d))
    return rows


def _pages_of_bound_file(store: Store, case_id: str, key: str) -> bytes:
    """The 卷内目录 or the 封底 exactly as in the bound file (numbered as there)."""
    from pypdf import PdfReader, PdfWriter

    from justice_desktop.pdf.binding import TOC_ROWS_PER_PAGE

    d = load_case_docs(store, case_id)
    _require_printable(d)
    data, rows = render_bound(d, _attachments(store, d))
    reader = PdfReader(io.BytesIO(data))
    if key == "contents":
        count = max(1, -(-len(rows) // TOC_ROWS_PER_PAGE))
        pages = list(range(1, 1 + count))
    else:
        pages = [len(reader.pages) - 1]
    writer = PdfWriter()
    for n in pages:
        writer.add_page(reader.pages[n])
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
