"""Printing the registers (名册, 培训签到表, 培训记录, 法律咨询登记簿, 顾问工作日志) from the screens
that show them: the PDF is made on the database worker (with progress and cancel), then the
preview opens, from which the user prints or saves it (:mod:`ui.pdf_preview`).

The PDF modules (reportlab) are imported on the worker, when a register is first printed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from justice_desktop.store.database import Store
from ui.context import AppContext
from ui.pdf_preview import PdfPreviewDialog, open_preview
from ui.qt import QWidget
from ui.tasks import Progress

__all__ = [
    "print_adviser_log",
    "print_consultation_register",
    "print_roster",
    "print_training_record",
    "print_training_sign_in",
    "show_register",
]

Made = Callable[[Store], bytes]


def show_register(
    ctx: AppContext,
    parent: QWidget | None,
    title: str,
    make: Made,
    *,
    on_opened: Callable[[PdfPreviewDialog], None] | None = None,
) -> None:
    """Make the register on the worker and open it in the preview."""

    def work(store: Store, progress: Progress) -> bytes:
        progress(0, 1)
        data = make(store)
        progress(1, 1)
        return data

    def opened(data: bytes) -> None:
        dialog = open_preview(ctx, data, title=title, file_name=f"{title}.pdf", parent=parent)
        if on_opened is not None:
            on_opened(dialog)

    ctx.tasks.run_with_progress(
        work, on_success=opened, label=f"正在生成《{title}》…", parent=parent
    )


def print_roster(
    ctx: AppContext,
    parent: QWidget | None,
    *,
    year: int,
    village: str | None,
    status: str | None,
    priority_group: str | None,
) -> None:
    def make(store: Store) -> bytes:
        from justice_desktop.pdf.registers import roster_pdf

        return roster_pdf(
            store, year=year, village=village, status=status, priority_group=priority_group
        )

    show_register(ctx, parent, "法律明白人名册", make)


def print_training_sign_in(ctx: AppContext, parent: QWidget | None, training_id: str) -> None:
    def make(store: Store) -> bytes:
        from justice_desktop.pdf.registers import training_sign_in_pdf

        return training_sign_in_pdf(store, training_id)

    show_register(ctx, parent, "培训签到表", make)


def print_training_record(
    ctx: AppContext, parent: QWidget | None, understander_id: str, year: int
) -> None:
    def make(store: Store) -> bytes:
        from justice_desktop.pdf.registers import training_record_pdf

        return training_record_pdf(store, understander_id, year)

    show_register(ctx, parent, "法律明白人培训记录", make)


def print_consultation_register(
    ctx: AppContext, parent: QWidget | None, year: int, month: int
) -> None:
    def make(store: Store) -> bytes:
        from justice_desktop.pdf.registers import consultation_register_pdf

        return consultation_register_pdf(store, year, month)

    show_register(ctx, parent, f"法律咨询登记簿（{year}年{month}月）", make)


def print_adviser_log(ctx: AppContext, parent: QWidget | None, adviser: str, year: int) -> None:
    def make(store: Store) -> bytes:
        from justice_desktop.pdf.registers import adviser_log_pdf

        return adviser_log_pdf(store, adviser, date(year, 1, 1), date(year, 12, 31))

    show_register(ctx, parent, f"法律顾问工作日志（{adviser}，{year}年）", make)
