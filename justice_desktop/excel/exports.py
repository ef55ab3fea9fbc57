"""Exports of the program's lists to .xlsx: cases, 法律明白人 roster, trainings (with
attendance), consultations and the legal advisers' work log.

ID numbers and phones are masked by default (110105********002X, 138****5678), and so are
names where the list on screen masks them (cases, consultations). A **full** export (nothing
masked) is allowed for the office head (role ``head``, 司法所所长) only. Every export, masked
or full, writes one audit entry: who, which list, how many rows, 完整导出/脱敏导出.

The file is written under a temporary name beside the target and renamed when complete, so
a failed export never leaves a half-written workbook under the chosen name.
"""

from __future__ import annotations

import contextlib
import errno
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.consultations import ANONYMOUS_LABEL
from justice_desktop.domain.lifecycle import STATUS_LABELS
from justice_desktop.excel.writer import Column, Table, write_workbook
from justice_desktop.store import imports
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.database import Store
from justice_desktop.store.office import office_name
from justice_desktop.store.queries import CaseFilter
from justice_desktop.store.understanders import roster_with_hours, trainings_in_year
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import mask_id_number, mask_name, mask_phone

__all__ = [
    "EXPORT_KINDS",
    "PROGRESS_EVERY",
    "ExportCancelledError",
    "FULL_EXPORT_ROLE",
    "ExportRequest",
    "ExportResult",
    "can_export_full",
    "cannot_write_message",
    "export_list",
]

FULL_EXPORT_ROLE = "head"

#: Export kind → (list name shown to users, table named in the audit entry).
EXPORT_KINDS: dict[str, tuple[str, str]] = {
    "cases": ("人民调解案件列表", "cases"),
    "roster": ("法律明白人名册", "understanders"),
    "trainings": ("法律明白人培训台账", "trainings"),
    "consultations": ("法律咨询登记", "consultations"),
    "adviser-logs": ("法律顾问工作日志", "adviser_logs"),
}
MASKED_NOTE = "身份证号码、电话等个人信息已脱敏"
FULL_NOTE = "完整导出（含个人信息，请妥善保管）"


PROGRESS_EVERY = 500
"""Rows written between two calls of an export's ``progress`` callback."""

ExportProgress = Callable[[int, int], bool]
"""``progress(rows written, 0)`` → False to stop the export (0: the total is not known)."""


class ExportCancelledError(Exception):
    """The export was stopped through its ``progress`` callback: no file is left and nothing
    is audited."""


@dataclass(frozen=True)
class ExportRequest:
    """What to export. ``year``: roster (training hours of that year; default this year),
    trainings and adviser logs (only that year; None: all). ``case_filter``: cases.
    ``date_from``/``date_to``: consultations. ``village``/``status``: roster (status None:
    removed people too)."""

    kind: str
    full: bool = False
    year: int | None = None
    case_filter: CaseFilter = field(default_factory=CaseFilter)
    date_from: date | None = None
    date_to: date | None = None
    village: str | None = None
    status: str | None = "active"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    kind: str
    title: str
    rows: int
    full: bool


def can_export_full(store: Store, user_id: str) -> bool:
    """Whether ``user_id`` may export without masking (the office head)."""
    return imports.user_role(store, user_id) == FULL_EXPORT_ROLE


def export_list(
    store: Store,
    user_id: str,
    request: ExportRequest,
    path: Path,
    *,
    tables: Mapping[str, CodeTable] | None = None,
    progress: ExportProgress | None = None,
) -> ExportResult:
    """Write the list ``request.kind`` to ``path`` (.xlsx) and audit the export.

    ``progress`` is called every :data:`PROGRESS_EVERY` rows; when it returns False the export
    stops with :class:`ExportCancelledError`, the partial file is removed and nothing is
    audited. Raises :class:`ValidationError` (Chinese message) for an unknown kind, a full
    export by anyone but the head, or a file that cannot be written."""
    if request.kind not in EXPORT_KINDS:
        raise ValidationError(
            "kind", f"不能导出“{request.kind}”。可导出：{'、'.join(EXPORT_KINDS)}"
        )
    if request.full and not can_export_full(store, user_id):
        raise ValidationError("full", "完整导出（不脱敏）需要司法所所长权限，请改为脱敏导出。")
    title, audit_table = EXPORT_KINDS[request.kind]
    codes = dict(tables) if tables is not None else load_tables(store)
    sheets = _BUILDERS[request.kind](store, request, _Labels(codes))
    note = FULL_NOTE if request.full else MASKED_NOTE
    written = [0]
    for sheet in sheets:
        sheet.note = note
        if progress is not None:
            sheet.rows = _reporting(sheet.rows, progress, written)
    now = store.clock()
    path = Path(path)
    temp = path.with_name(f".{path.name}.{os.getpid()}.part")
    try:
        with open(temp, "wb") as out:
            write_workbook(out, sheets, office=office_name(store), exported_at=now)
        if progress is not None and not progress(written[0], 0):
            raise ExportCancelledError  # stopped as the last rows were written
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise ValidationError("path", cannot_write_message(path, exc)) from exc
    except BaseException:  # stopped (ExportCancelledError, Ctrl+C) or a reading error
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    rows = sheets[0].row_count
    mode = "完整导出" if request.full else "脱敏导出"
    imports.audit_export(store, user_id, audit_table, f"{mode};{title};{rows}行")
    return ExportResult(path, request.kind, title, rows, request.full)


def cannot_write_message(path: Path, exc: OSError) -> str:
    """Why ``path`` could not be written, in Chinese (the system's own text is English)."""
    where = f"无法写入文件“{path}”："
    if isinstance(exc, IsADirectoryError) or exc.errno == errno.EISDIR:
        return where + "已有同名的文件夹，请换一个文件名。"
    if isinstance(exc, FileNotFoundError) or exc.errno == errno.ENOENT:
        return where + "所在文件夹不存在，请重新选择保存位置。"
    if isinstance(exc, PermissionError) or exc.errno in (errno.EACCES, errno.EPERM):
        return (
            where + "没有写入权限，或同名文件正在Excel或WPS中打开。请关闭该文件或换一个位置后再试。"
        )
    if exc.errno == errno.ENOSPC:
        return where + "磁盘空间不足，请清理磁盘或换一个位置后再试。"
    if exc.errno == errno.EROFS:
        return where + "该位置只读（如光盘或写保护的U盘），请换一个位置。"
    return where + "请换一个位置后再试。"


def _reporting(
    rows: Iterable[Sequence[Any]], progress: ExportProgress, written: list[int]
) -> Iterator[Sequence[Any]]:
    """``rows``, calling ``progress`` every :data:`PROGRESS_EVERY` rows (``written`` counts
    across the workbook's sheets)."""
    for row in rows:
        written[0] += 1
        if written[0] % PROGRESS_EVERY == 0 and not progress(written[0], 0):
            raise ExportCancelledError
        yield row


class _Labels:
    def __init__(self, tables: Mapping[str, CodeTable]) -> None:
        self.tables = tables

    def __call__(self, table: str, code: Any) -> str:
        if code is None or code == "":
            return ""
        found = self.tables.get(table)
        text = str(code)
        if found is None or not found.has(text):
            return text
        return found.label(text)


def _maskers(full: bool) -> tuple[Callable[[Any], str], Callable[[Any], str]]:
    if full:
        return (lambda v: str(v or "")), (lambda v: str(v or ""))
    return (
        lambda v: mask_id_number(str(v)) if v else "",
        lambda v: mask_phone(str(v)) if v else "",
    )


def _names(joined: Any, full: bool) -> str:
    text = str(joined or "")
    if full or not text:
        return text
    return "、".join(mask_name(n) for n in text.split("、") if n.strip())


def _cases(store: Store, r: ExportRequest, label: _Labels) -> list[Table]:
    columns = [
        Column("案号", width=30),
        Column("申请人", group="当事人"),
        Column("被申请人", group="当事人"),
        Column("纠纷类型"),
        Column("受理日期", "date", 12),
        Column("状态"),
        Column("调解期限", "date", 12),
        Column("期限已延长"),
        Column("案件来源"),
        Column("村（社区）"),
    ]

    def rows() -> Iterator[list[Any]]:
        for c in imports.iter_case_rows(store, r.case_filter):
            source = label("case_sources", c["source"])
            if c.get("source_sub"):
                source += f"／{label('case_sources', c['source_sub'])}"
            yield [
                c["case_number"],
                _names(c["applicants"], r.full),
                _names(c["respondents"], r.full),
                label("dispute_types", c["dispute_type"]),
                c["registered_on"],
                STATUS_LABELS.get(str(c["status"]), str(c["status"])),
                c["extended_due_on"] or c["mediation_due_on"],
                "是" if c["extended_due_on"] else "",
                source,
                c["village"],
            ]

    return [Table("人民调解案件列表", columns, rows(), sheet_name="案件列表")]


def _roster(store: Store, r: ExportRequest, label: _Labels) -> list[Table]:
    year = r.year or store.clock().year
    id_mask, phone_mask = _maskers(r.full)
    columns = [
        Column("姓名"),
        Column("性别"),
        Column("民族"),
        Column("出生日期", "date", 12),
        Column("身份证号码", width=20),
        Column("联系电话", width=14),
        Column("村（社区）"),
        Column("村民小组"),
        Column("重点人群"),
        Column("产生方式"),
        Column("考核结果"),
        Column("证书（胸牌）编号"),
        Column("聘任日期", "date", 12),
        Column("备案日期", "date", 12),
        Column("状态"),
        Column(f"{year}年培训学时", "decimal"),
    ]

    def rows() -> Iterator[list[Any]]:
        found = roster_with_hours(store, year, village=r.village, status=r.status)
        for u in found:
            yield [
                u["name"],
                u["gender"],
                label("ethnicities", u["ethnicity"]),
                u["birth_date"],
                id_mask(u["id_number"]),
                phone_mask(u["phone"]),
                u["village"],
                u["villager_group"],
                label("understander_priority_groups", u["priority_group"]),
                label("nomination_routes", u["nomination_route"]),
                u["assessment_result"],
                u["certificate_no"],
                u["appointed_on"],
                u["filed_on"],
                label("understander_statuses", u["status"]),
                float(u["hours_in_year"]),
            ]

    return [Table("法律明白人名册", columns, rows(), sheet_name="名册")]


_MODES = {"online": "线上", "offline": "线下"}


def _trainings(store: Store, r: ExportRequest, label: _Labels) -> list[Table]:
    id_mask, phone_mask = _maskers(r.full)
    year = r.year or store.clock().year
    ledger = [
        Column("培训日期", "date", 12),
        Column("培训主题", width=30),
        Column("授课人"),
        Column("方式"),
        Column("学时", "decimal"),
        Column("培训地点"),
        Column("参训人数", "int"),
    ]

    def ledger_rows() -> Iterator[list[Any]]:
        for t in reversed(trainings_in_year(store, year)):
            yield [
                t["held_on"],
                t["topic"],
                t["trainer"],
                _MODES.get(str(t["mode"]), str(t["mode"])),
                float(t["hours"]),
                t["place"],
                int(t["attendee_count"]),
            ]

    people = [
        Column("培训日期", "date", 12),
        Column("培训主题", width=30),
        Column("学时", "decimal"),
        Column("姓名"),
        Column("村（社区）"),
        Column("村民小组"),
        Column("身份证号码", width=20),
        Column("联系电话", width=14),
    ]

    def people_rows() -> Iterator[list[Any]]:
        for a in imports.iter_training_attendance(store, year):
            yield [
                a["held_on"],
                a["topic"],
                float(a["hours"]),
                a["name"],
                a["village"],
                a["villager_group"],
                id_mask(a["id_number"]),
                phone_mask(a["phone"]),
            ]

    return [
        Table(f"法律明白人培训台账（{year}年）", ledger, ledger_rows(), sheet_name="培训台账"),
        Table(f"参训人员名单（{year}年）", people, people_rows(), sheet_name="参训名单"),
    ]


def _consultations(store: Store, r: ExportRequest, label: _Labels) -> list[Table]:
    id_mask, phone_mask = _maskers(r.full)
    columns = [
        Column("咨询日期", "date", 12),
        Column("咨询类别"),
        Column("咨询方式"),
        Column("姓名", group="咨询人"),
        Column("性别", group="咨询人"),
        Column("年龄", "int", group="咨询人"),
        Column("联系电话", width=14, group="咨询人"),
        Column("身份证号码", width=20, group="咨询人"),
        Column("村（社区）"),
        Column("咨询问题", width=40),
        Column("解答摘要", width=40),
        Column("解答人"),
        Column("处理方式"),
        Column("备注", width=20),
    ]

    def rows() -> Iterator[list[Any]]:
        for c in imports.iter_consultations(store, r.date_from, r.date_to):
            anonymous = bool(c["anonymous"])
            name = ANONYMOUS_LABEL if anonymous else str(c["name"] or "")
            if not r.full and not anonymous:
                name = mask_name(name)
            yield [
                c["consulted_on"],
                label("consultation_categories", c["category"]),
                label("consultation_modes", c["mode"]),
                name,
                c["gender"],
                c["age"],
                phone_mask(c["phone"]),
                id_mask(c["id_number"]),
                c["village"],
                c["question"],
                c["answer"],
                c["answered_by"],
                label("consultation_referrals", c["referral"]),
                c["notes"],
            ]

    return [Table("法律咨询登记", columns, rows(), sheet_name="咨询登记")]


def _adviser_logs(store: Store, r: ExportRequest, label: _Labels) -> list[Table]:
    columns = [
        Column("时间", "datetime", 17),
        Column("法律顾问"),
        Column("村（社区）"),
        Column("服务类型", width=22),
        Column("实地", width=6),
        Column("时长（小时）", "decimal"),
        Column("对象", width=20),
        Column("内容", width=40),
        Column("结果", width=30),
    ]

    def rows() -> Iterator[list[Any]]:
        for a in imports.iter_adviser_logs(store, r.year):
            yield [
                a["started_at"],
                a["adviser"],
                a["village"],
                label("adviser_service_kinds", a["kind"]),
                "是" if a["on_site"] else "否",
                float(a["hours"]),
                a["object"],
                a["content"],
                a["result"],
            ]

    title = f"法律顾问工作日志（{r.year}年）" if r.year else "法律顾问工作日志"
    return [Table(title, columns, rows(), sheet_name="工作日志")]


_BUILDERS: dict[str, Callable[[Store, ExportRequest, _Labels], list[Table]]] = {
    "cases": _cases,
    "roster": _roster,
    "trainings": _trainings,
    "consultations": _consultations,
    "adviser-logs": _adviser_logs,
}
