"""Reading the spreadsheets offices keep: any sheet, header anywhere near the top, merged
cells, full-width text; broken files give a clear Chinese message.

:func:`read_workbook` returns every sheet's cell values (merged ranges filled with their
top-left value, so a village merged down over ten rows counts for each of them).
:func:`find_header` picks the sheet and row whose cells map to the most known fields.
"""

from __future__ import annotations

import re
import unicodedata
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string
from openpyxl.utils.datetime import from_excel
from openpyxl.utils.exceptions import InvalidFileException

from justice_desktop.validation import ValidationError

__all__ = [
    "HEADER_SCAN_ROWS",
    "NO_RESULT",
    "FieldSpec",
    "HeaderMatch",
    "SheetData",
    "WorkbookError",
    "cell_text",
    "find_header",
    "normalise_header",
    "read_workbook",
]

HEADER_SCAN_ROWS = 30
MAX_PARTIAL_HEADER = 12  # longer texts only map by an exact synonym
MAX_OLE_SCAN = 64 << 20
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_HEADER_NOISE = re.compile(r"[*＊:：]|\(必填\)|\(选填\)|必填|选填")
# What openpyxl and the sheet reader raise on a damaged package: a broken zip or deflate
# stream, a missing part, malformed XML in any part (ParseError is a SyntaxError), a style or
# relationship pointing nowhere, a shared string the file does not have.
_DAMAGED: tuple[type[BaseException], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    EOFError,
    InvalidFileException,
    KeyError,
    IndexError,
    ValueError,
    TypeError,
    AttributeError,
    SyntaxError,
    OSError,
)


class WorkbookError(ValidationError):
    """The file cannot be read as a spreadsheet (not xlsx, encrypted, empty, damaged)."""

    def __init__(self, message: str) -> None:
        super().__init__("file", message)


NO_RESULT = (
    "该单元格是公式，但文件中没有保存计算结果（表格可能由其他软件生成）。"
    "请在Excel或WPS中打开、保存后再导入"
)


@dataclass
class SheetData:
    name: str
    rows: list[list[Any]]  # cell values, rows from row 1, merged ranges filled
    # cells read as empty that are not: (row from 1, column from 0) → why, in Chinese (a
    # formula saved without its result, an error value such as #N/A)
    unreadable: dict[tuple[int, int], str] = field(default_factory=dict)
    hidden: bool = False  # hidden in Excel (an old copy, a lookup list): chosen only if alone


@dataclass(frozen=True)
class FieldSpec:
    key: str
    label: str  # the Chinese name shown in reports and the mapping dialog
    synonyms: tuple[str, ...]


@dataclass(frozen=True)
class HeaderMatch:
    sheet: SheetData
    header_row: int  # 1-based
    headers: list[str]  # the header row's texts, one per column
    fields: dict[int, str]  # column index (0-based) → field key
    other_sheets: list[str]


def normalise_header(text: Any) -> str:
    """Header text compared loosely: full-width folded, spaces, * and (必填) dropped."""
    value = unicodedata.normalize("NFKC", cell_text(text))
    value = "".join(value.split())
    return _HEADER_NOISE.sub("", value)


def cell_text(value: Any) -> str:
    """A cell as text: integral numbers without ".0", dates as ISO, stripped."""
    if type(value) is str:
        return value.strip()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second) == (0, 0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _check_file(path: Path) -> None:
    try:
        with open(path, "rb") as f:
            head = f.read(8)
            f.seek(0, 2)
            size = f.tell()
            f.seek(0)
            data = f.read(min(size, MAX_OLE_SCAN)) if head == _OLE_MAGIC else b""
    except FileNotFoundError:
        raise WorkbookError(f"找不到文件“{path}”。") from None
    except IsADirectoryError:
        raise WorkbookError(f"“{path}”是文件夹，请选择Excel文件。") from None
    except PermissionError as exc:
        raise WorkbookError(
            f"没有权限读取文件“{path.name}”（文件可能正被其他程序占用）。请关闭该文件后再试。"
        ) from exc
    except OSError as exc:
        raise WorkbookError(f"无法读取文件“{path.name}”，请确认文件完好后再试。") from exc
    if size == 0:
        raise WorkbookError(f"文件“{path.name}”是空的（0字节），请确认选对了文件。")
    if head == _OLE_MAGIC:
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise WorkbookError(
                f"文件“{path.name}”设置了打开密码，无法读取。"
                "请在Excel或WPS中打开，取消密码（文件→信息→保护工作簿）后另存，再导入。"
            )
        raise WorkbookError(
            f"文件“{path.name}”是旧版Excel（.xls）格式。"
            "请在Excel或WPS中打开，另存为“Excel工作簿（*.xlsx）”后再导入。"
        )
    if not head.startswith(b"PK"):
        raise WorkbookError(
            f"文件“{path.name}”不是Excel工作簿（.xlsx）。"
            "如是CSV或其他格式，请在Excel或WPS中打开后另存为.xlsx。"
        )
    if _open_document(path):
        raise WorkbookError(
            f"文件“{path.name}”是OpenDocument表格（.ods），不是Excel工作簿。"
            "请在WPS或LibreOffice中打开，另存为Excel工作簿（.xlsx）后再导入。"
        )


def _open_document(path: Path) -> bool:
    """Whether ``path`` is an OpenDocument package (its first member names the type)."""
    try:
        with zipfile.ZipFile(path) as archive:
            if "mimetype" not in archive.namelist():
                return False
            return archive.read("mimetype")[:40].startswith(b"application/vnd.oasis.opendocument")
    except _DAMAGED:
        return False  # not even a readable zip: load_workbook says it is damaged


def _merged_ranges(archive: zipfile.ZipFile, member: str) -> list[tuple[int, int, int, int]]:
    """(min_col, min_row, max_col, max_row), 1-based, of a sheet's merged cells."""
    try:
        data = archive.read(member)
    except KeyError:
        return []
    out = []
    for c1, r1, c2, r2 in _MERGE.findall(data):
        out.append(
            (
                column_index_from_string(c1.decode()),
                int(r1),
                column_index_from_string(c2.decode()),
                int(r2),
            )
        )
    return out


def _fill_merged(rows: list[list[Any]], ranges: Sequence[tuple[int, int, int, int]]) -> None:
    for c1, r1, c2, r2 in ranges:
        if r1 > len(rows):
            continue
        top = rows[r1 - 1]
        value = top[c1 - 1] if c1 - 1 < len(top) else None
        if value is None:
            continue
        for r in range(r1, min(r2, len(rows)) + 1):
            row = rows[r - 1]
            if len(row) < c2:
                row.extend([None] * (c2 - len(row)))
            for c in range(c1, c2 + 1):
                row[c - 1] = value


def read_workbook(path: Path) -> list[SheetData]:
    """Every sheet of an .xlsx file with its values (formulas as their cached results).

    Raises :class:`WorkbookError` with a Chinese message for a missing, empty, encrypted,
    legacy (.xls), non-Excel or damaged file."""
    path = Path(path)
    _check_file(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except _DAMAGED as exc:
        raise WorkbookError(
            f"文件“{path.name}”已损坏或不是有效的Excel工作簿，无法读取。"
            "请在Excel或WPS中打开并另存为.xlsx后再试。"
        ) from exc
    sheets: list[SheetData] = []
    try:
        archive = getattr(wb, "_archive", None)
        for ws in wb.worksheets:
            reset = getattr(ws, "reset_dimensions", None)
            if reset is not None:
                reset()  # the stored dimension may be wrong: read what is there
            member = getattr(ws, "_worksheet_path", None)
            fast = _FastSheet.of(wb, archive, member)
            unreadable: dict[tuple[int, int], str] = {}
            if fast is not None:
                rows = fast.rows()
                unreadable = fast.unreadable
            else:  # pragma: no cover - openpyxl internals changed: the slow, public way
                rows = [list(r) for r in ws.iter_rows(values_only=True)]
            while rows and all(v is None or cell_text(v) == "" for v in rows[-1]):
                rows.pop()
            if isinstance(archive, zipfile.ZipFile) and isinstance(member, str):
                _fill_merged(rows, _merged_ranges(archive, member))
            hidden = getattr(ws, "sheet_state", "visible") != "visible"
            sheets.append(SheetData(ws.title, rows, unreadable, hidden))
    except _DAMAGED as exc:
        raise WorkbookError(
            f"文件“{path.name}”内容已损坏，无法读取。请在Excel或WPS中打开并另存为.xlsx后再试。"
        ) from exc
    finally:
        wb.close()
    if not any(s.rows for s in sheets):
        raise WorkbookError(f"文件“{path.name}”中没有任何内容。")
    return sheets


def _synonym_index(fields: Sequence[FieldSpec]) -> tuple[dict[str, str], list[tuple[str, str]]]:
    exact: dict[str, str] = {}
    partial: list[tuple[str, str]] = []
    for f in fields:
        for s in (f.label, *f.synonyms):
            key = normalise_header(s)
            exact.setdefault(key, f.key)
            if len(key) >= 2:
                partial.append((key, f.key))
    partial.sort(key=lambda p: -len(p[0]))
    return exact, partial


def match_field(
    header: str,
    fields: Sequence[FieldSpec],
    mapping: Mapping[str, str] | None = None,
) -> str | None:
    """The field a header maps to: ``mapping`` (normalised header → field key, "" = ignore)
    first, then the synonyms (exact, else the longest synonym the header contains)."""
    key = normalise_header(header)
    if not key:
        return None
    if mapping is not None and key in mapping:
        return mapping[key] or None
    exact, partial = _synonym_index(fields)
    if key in exact:
        return exact[key]
    if len(key) > MAX_PARTIAL_HEADER:
        return None  # a title or a note, not a column header
    for synonym, field_key in partial:
        if synonym in key:
            return field_key
    return None


def find_header(
    sheets: Sequence[SheetData],
    fields: Sequence[FieldSpec],
    required: Sequence[Sequence[str]],
    mapping: Mapping[str, str] | None = None,
) -> HeaderMatch | None:
    """The sheet and row (within the first rows) whose cells map to the most fields and that
    has, for each group in ``required``, at least one of its fields; None if none has. A
    visible sheet wins over a hidden one (which a clerk does not see in Excel)."""
    norm_mapping = {normalise_header(k): v for k, v in (mapping or {}).items()}
    best: tuple[int, int, int, int] | None = None  # (visible, count, -sheet, -row)
    found: HeaderMatch | None = None
    for si, sheet in enumerate(sheets):
        for ri, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
            headers = [cell_text(v) for v in row]
            mapped: dict[int, str] = {}
            for ci, h in enumerate(headers):
                key = match_field(h, fields, norm_mapping)
                if key is not None and key not in mapped.values():
                    mapped[ci] = key
            keys = set(mapped.values())
            if not all(any(k in keys for k in group) for group in required):
                continue
            score = (int(not sheet.hidden), len(keys), -si, -ri)
            # A two-row header: the lower row repeats the merged-down cells of the upper one
            # and names the grouped columns; it is the header, data starts below it.
            if (
                best is not None
                and found is not None
                and found.sheet is sheet
                and ri == found.header_row
                and len(keys) >= best[1]
                and any(
                    h and i < len(found.headers) and found.headers[i] == h
                    for i, h in enumerate(headers)
                )
            ):
                best = (best[0], len(keys), best[2], best[3])
                found = HeaderMatch(sheet, ri + 1, headers, mapped, found.other_sheets)
                continue
            if best is None or score > best:
                best = score
                found = HeaderMatch(
                    sheet,
                    ri + 1,
                    headers,
                    mapped,
                    [s.name for s in sheets if s is not sheet and s.rows],
                )
    return found


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _VALUE, _TEXT = f"{_NS}row", f"{_NS}c", f"{_NS}v", f"{_NS}t"
_RUN_TEXT = f"{_NS}is"
_FORMULA = f"{_NS}f"


class _FastSheet:
    """Cell values of one sheet straight from its XML (``iterparse``, C speed).

    openpyxl's read-only rows build objects per cell and took about 12 s for a 30,000-row
    roster of 10 columns; this reads the same values (shared strings, inline strings,
    numbers, booleans, dates by the cell's number format, formulas' cached results) using
    openpyxl's parsed shared strings, date styles and epoch."""

    def __init__(
        self,
        archive: zipfile.ZipFile,
        member: str,
        strings: Sequence[Any],
        date_styles: set[int],
        epoch: Any,
    ) -> None:
        self.archive = archive
        self.member = member
        self.strings = strings
        self.date_styles = date_styles
        self.epoch = epoch
        self._columns: dict[str, int] = {}
        self.unreadable: dict[tuple[int, int], str] = {}  # see :class:`SheetData`

    @classmethod
    def of(cls, wb: Any, archive: Any, member: Any) -> _FastSheet | None:
        strings = getattr(wb, "shared_strings", None)
        dates = getattr(wb, "_date_formats", None)
        epoch = getattr(wb, "epoch", None)
        if (
            not isinstance(archive, zipfile.ZipFile)
            or not isinstance(member, str)
            or strings is None
            or not isinstance(dates, set)
            or epoch is None
        ):
            return None
        return cls(archive, member, strings, dates, epoch)

    def _column(self, ref: str) -> int:
        letters = ref.rstrip("0123456789")
        index = self._columns.get(letters)
        if index is None:
            index = self._columns[letters] = column_index_from_string(letters) - 1
        return index

    def _value(self, cell: Any) -> Any:
        kind = cell.get("t")
        if kind == "inlineStr":
            box = cell.find(_RUN_TEXT)
            return "".join(t.text or "" for t in box.iter(_TEXT)) if box is not None else None
        v = cell.find(_VALUE)
        text = v.text if v is not None else None
        if text is None:
            return None
        if kind == "s":
            value = self.strings[int(text)]
            return value if isinstance(value, str) else str(value)
        if kind in ("str", "e"):
            return text if kind == "str" else None
        if kind == "b":
            return text == "1"
        if kind == "d":
            return datetime.fromisoformat(text)
        number: int | float = float(text) if any(c in text for c in ".eE") else int(text)
        style = cell.get("s")
        if style is not None and int(style) in self.date_styles:
            try:
                return from_excel(number, self.epoch)
            except (ValueError, OverflowError):
                return number
        return number

    def _column_of(self, cell: Any, position: int) -> int:
        ref = cell.get("r")
        return position if ref is None else self._column(ref)

    @staticmethod
    def _why_empty(cell: Any) -> str | None:
        """Why a cell read as None is not simply empty, or None if it is."""
        if cell.get("t") == "e":
            v = cell.find(_VALUE)
            code = v.text if v is not None and v.text else "#VALUE!"
            return f"单元格的值是错误“{code}”（公式出错），请在表格中改正后再导入"
        if cell.get("t") == "str":
            return None  # a formula whose result is the empty text (=IF(…,"",…))
        formula = cell.find(_FORMULA)
        if formula is not None and (formula.text or formula.get("t") == "shared"):
            return NO_RESULT
        return None

    def rows(self) -> list[list[Any]]:
        out: list[list[Any]] = []
        with self.archive.open(self.member) as source:
            for _, elem in iterparse(source, events=("end",)):
                if elem.tag != _ROW:
                    continue
                r = elem.get("r")
                row_no = int(r) if r is not None else len(out) + 1
                while len(out) < row_no - 1:
                    out.append([])
                values: list[Any] = []
                strings, columns = self.strings, self._columns
                for n, cell in enumerate(elem):
                    if cell.tag != _CELL:
                        continue
                    kind = cell.get("t")
                    if kind == "s":  # shared string: most cells of sheets saved by Excel/WPS
                        v = cell.find(_VALUE)
                        value = strings[int(v.text)] if v is not None and v.text else None
                        if value is not None and not isinstance(value, str):
                            value = str(value)
                    elif kind == "inlineStr":
                        value = "".join([t.text or "" for t in cell.iter(_TEXT)])
                    else:
                        value = self._value(cell)
                    if value is None:
                        why = self._why_empty(cell)
                        if why is not None:
                            self.unreadable[(row_no, self._column_of(cell, n))] = why
                        continue
                    ref = cell.get("r")
                    if ref is None:
                        col = n
                    else:
                        letters = ref.rstrip("0123456789")
                        col = columns[letters] if letters in columns else self._column(ref)
                    if len(values) <= col:
                        values.extend([None] * (col + 1 - len(values)))
                    values[col] = value
                out.append(values)
                elem.clear()
        return out
