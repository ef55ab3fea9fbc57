"""Printed documents of the core (no Qt): the mediation forms and the bound case file as PDF.

API (everything runs on the database worker; ``store`` is an open :class:`Store`):

* ``FORMS: dict[str, str]`` — form key → Chinese title, in binding order: ``cover`` 卷宗封面,
  ``contents`` 卷内目录, ``application`` 人民调解申请书, ``registration`` 人民调解受理登记表,
  ``notice`` 当事人权利义务告知书, ``investigation`` 人民调解调查记录, ``mediation_record``
  人民调解记录, ``agreement`` 人民调解协议书, ``oral_agreement`` 人民调解口头协议登记表,
  ``follow_up`` 人民调解回访记录, ``judicial_personal`` / ``judicial_org`` 司法确认申请书（个人与个人 /
  个人与单位）, ``file_note`` 卷宗情况说明, ``back_cover`` 封底.
* ``render_form(store, case_id, form, *, blank=False) -> bytes`` — one document filled from the
  case (``blank=True``: the empty form to fill by hand; ``case_id`` may then be ``None``).
  ``contents`` and ``back_cover`` come out as they are in the bound file (page numbers, page
  count).
* ``render_case_file(store, case_id, *, progress=None) -> bytes`` — the whole bound file in
  binding order with attachments in their places; ``progress(done, total)`` is called as it goes
  and returning ``False`` cancels (:class:`RenderCancelled`).
* ``case_file_contents(store, case_id) -> list[(序号, 文书名称, 页号, 备注)]`` — the 卷内目录.
* ``check_printable(store, case_id) -> list[MissingGlyphError]`` — characters no shipped font
  has, per field (empty list: printable). The render functions raise the first one
  (:class:`MissingGlyphError`, a :class:`ValidationError` whose ``field`` is the input path, e.g.
  ``parties[0].name``) before drawing anything.
* ``form_key(name)`` — a key from a key or a Chinese title (``人民调解协议书`` → ``agreement``);
  an unknown name raises :class:`ValidationError` listing the documents.
* ``ATTACHMENT_KINDS`` — ``attachments.kind`` → the place in the file (当事人身份证明, 授权委托书,
  证据材料, 履行凭证, 司法确认材料, 其他材料).

Building blocks for other documents (registers, rosters): :mod:`justice_desktop.pdf.fonts`
(shipped fonts, fallback runs, glyph checks), :mod:`justice_desktop.pdf.layout` (A4 styles,
grids, signature and seal places, numbered terms, flowing text) and
:mod:`justice_desktop.pdf.page` (``build_pdf(story, PageContext(case_number))``: page numbers,
case number and QR code on every page).
"""

from __future__ import annotations

from justice_desktop.domain.attachments import ATTACHMENT_KINDS
from justice_desktop.pdf.api import (
    FORMS,
    case_file_contents,
    check_printable,
    form_key,
    render_case_file,
    render_form,
)
from justice_desktop.pdf.binding import RenderCancelled
from justice_desktop.pdf.fonts import MissingGlyphError

__all__ = [
    "ATTACHMENT_KINDS",
    "FORMS",
    "MissingGlyphError",
    "RenderCancelled",
    "case_file_contents",
    "check_printable",
    "form_key",
    "render_case_file",
    "render_form",
]
