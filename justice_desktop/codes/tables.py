"""Code tables (纠纷类型, 案件来源, 民族 …) kept as versioned JSON data in ``resources/codes``.

Each file is ``{"table": name, "title": 中文名, "version": n, "entries": [...]}`` where an
entry is ``{"code": ascii_id, "label": 中文, "children": [...optional...]}``. Codes are stable
ASCII identifiers stored in the database; labels are what clerks see and print.

An office may add its own entries (e.g. 金融 to the dispute types). Those are stored by the
caller as ``(table, code, label, parent_code)`` rows and passed to :func:`load_code_tables`,
which appends them to the base tables:

* an addition whose code already exists is ignored (a later upgrade that ships the same code
  does not duplicate it);
* an addition whose label equals an existing entry under the same parent (an upgrade shipped
  the same item under its own code) stays resolvable, so old records still show their label,
  but is marked ``superseded_by`` that entry and hidden from :meth:`CodeTable.children` and
  :meth:`CodeTable.top_level`, so pickers list the item once;
* an addition whose parent no longer exists is kept as a top-level entry.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from justice_desktop.validation.errors import ValidationError

__all__ = [
    "MAX_OFFICE_LABEL_LEN",
    "RESOURCES_ENV_VAR",
    "TABLE_NAMES",
    "CodeEntry",
    "CodeTable",
    "default_resources_dir",
    "load_code_tables",
    "validate_addition",
]

RESOURCES_ENV_VAR = "JUSTICE_RESOURCES_DIR"
MAX_OFFICE_LABEL_LEN = 30

#: The tables shipped in ``resources/codes``.
TABLE_NAMES: tuple[str, ...] = (
    "dispute_types",
    "case_sources",
    "body_types",
    "ethnicities",
    "id_types",
    "consultation_categories",
    "consultation_modes",
    "consultation_referrals",
    "adviser_service_kinds",
    "understander_priority_groups",
    "nomination_routes",
    "understander_statuses",
    "risk_levels",
    "failure_routes",
    "retention_periods",
    "regions",
)

_CODE_RE = re.compile(r"[A-Za-z0-9_]{1,40}", re.ASCII)
_FILE_KEYS = frozenset({"table", "title", "version", "note", "entries"})
_ENTRY_KEYS = frozenset({"code", "label", "children"})
_LOAD_FIELD = "code_tables"


@dataclass(frozen=True)
class CodeEntry:
    code: str
    label: str
    parent: str | None
    office_added: bool
    superseded_by: str | None = None


def _label_key(label: str) -> str:
    """Labels compare equal regardless of full/half-width forms and whitespace."""
    return "".join(unicodedata.normalize("NFKC", label).split())


class CodeTable:
    """One code table: ordered entries, optionally nested through ``parent``."""

    def __init__(
        self,
        name: str,
        version: int,
        entries: Iterable[CodeEntry],
        title: str | None = None,
    ) -> None:
        self.name = name
        self.version = version
        self.title = title or name
        self._entries: tuple[CodeEntry, ...] = tuple(entries)
        self._by_code: dict[str, CodeEntry] = {}
        for entry in self._entries:
            if entry.code in self._by_code:
                raise ValidationError(_LOAD_FIELD, f"代码表“{self.title}”中代码“{entry.code}”重复")
            self._by_code[entry.code] = entry
        for entry in self._entries:
            if entry.parent is not None and entry.parent not in self._by_code:
                raise ValidationError(
                    _LOAD_FIELD,
                    f"代码表“{self.title}”中“{entry.label}”的上级代码“{entry.parent}”不存在",
                )

    @property
    def entries(self) -> tuple[CodeEntry, ...]:
        """Every entry, superseded ones included, in table order."""
        return self._entries

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[CodeEntry]:
        return iter(self._entries)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __repr__(self) -> str:
        return f"CodeTable({self.name!r}, version={self.version}, entries={len(self._entries)})"

    def has(self, code: str) -> bool:
        return code in self._by_code

    def codes(self) -> list[str]:
        """Every known code (superseded office codes included), in table order."""
        return [entry.code for entry in self._entries]

    def entry(self, code: str, field: str | None = None) -> CodeEntry:
        found = self._by_code.get(code)
        if found is None:
            raise ValidationError(
                field or self.name,
                f"“{self.title}”中没有代码“{code}”，请重新选择",
            )
        return found

    def label(self, code: str, field: str | None = None) -> str:
        """The Chinese label; an unknown code raises :class:`ValidationError`."""
        return self.entry(code, field).label

    def path_label(self, code: str, separator: str = "／") -> str:
        """The label with its ancestors: "劳动争议／拖欠农民工工资"."""
        parts: list[str] = []
        current: str | None = code
        while current is not None:
            entry = self.entry(current)
            parts.append(entry.label)
            current = entry.parent
        return separator.join(reversed(parts))

    def canonical(self, code: str) -> str:
        """The code to count under: a superseded office code maps to the entry replacing it."""
        entry = self.entry(code)
        while entry.superseded_by is not None:
            entry = self.entry(entry.superseded_by)
        return entry.code

    def children(self, parent_code: str) -> list[CodeEntry]:
        """Selectable entries directly under ``parent_code``."""
        return [e for e in self._entries if e.parent == parent_code and e.superseded_by is None]

    def top_level(self) -> list[CodeEntry]:
        """Selectable entries without a parent."""
        return [e for e in self._entries if e.parent is None and e.superseded_by is None]

    def code_for_label(self, label: str, parent: str | None = None) -> str | None:
        """The code whose label matches (ignoring full/half-width and spaces).

        With ``parent`` the search is limited to that entry's children. Without it the whole
        table is searched and ``None`` is returned when the label is ambiguous (e.g.
        "第一村民小组" under several villages). Selectable entries win over superseded ones.
        """
        key = _label_key(label)
        matches = [
            e
            for e in self._entries
            if _label_key(e.label) == key and (parent is None or e.parent == parent)
        ]
        current = [e for e in matches if e.superseded_by is None]
        candidates = current or matches
        if len(candidates) != 1:
            return None
        return candidates[0].code

    def with_additions(self, additions: Iterable[tuple[str, str, str | None]]) -> CodeTable:
        """A new table with office additions ``(code, label, parent_code)`` appended."""
        entries = list(self._entries)
        by_code = {e.code: e for e in entries}
        pending = [
            (code.strip(), label.strip(), parent)
            for code, label, parent in additions
            if code.strip() and label.strip()
        ]

        def canonical(code: str) -> str:
            entry = by_code[code]
            while entry.superseded_by is not None:
                entry = by_code[entry.superseded_by]
            return entry.code

        def place(code: str, label: str, parent: str | None) -> None:
            resolved = canonical(parent) if parent is not None else None
            key = _label_key(label)
            twin = next(
                (
                    e
                    for e in entries
                    if e.parent == resolved
                    and e.superseded_by is None
                    and _label_key(e.label) == key
                ),
                None,
            )
            entry = CodeEntry(
                code=code,
                label=label,
                parent=resolved,
                office_added=True,
                superseded_by=twin.code if twin is not None else None,
            )
            entries.append(entry)
            by_code[code] = entry

        # Several passes so that an addition may name a parent added later in the list.
        while pending:
            waiting: list[tuple[str, str, str | None]] = []
            for code, label, parent in pending:
                if code in by_code:
                    continue
                if parent is None or parent in by_code:
                    place(code, label, parent)
                else:
                    waiting.append((code, label, parent))
            if len(waiting) == len(pending):
                for code, label, _parent in waiting:
                    if code not in by_code:
                        place(code, label, None)
                break
            pending = waiting
        return CodeTable(self.name, self.version, entries, self.title)


def default_resources_dir() -> Path:
    """The repository's ``resources/`` folder, or ``$JUSTICE_RESOURCES_DIR`` when set."""
    override = os.environ.get(RESOURCES_ENV_VAR)
    if override:
        return Path(override)
    return Path(__file__).resolve().parents[2] / "resources"


def _file_error(path: Path, detail: str) -> ValidationError:
    return ValidationError(_LOAD_FIELD, f"代码表文件“{path.name}”有误：{detail}")


def _parse_entries(
    path: Path,
    raw: object,
    parent: str | None,
    out: list[CodeEntry],
    seen: set[str],
) -> None:
    if not isinstance(raw, list) or not raw:
        raise _file_error(path, "entries/children 应为非空列表")
    sibling_labels: set[str] = set()
    for item in raw:
        if not isinstance(item, dict):
            raise _file_error(path, "每一项应为对象")
        unknown = set(item) - _ENTRY_KEYS
        if unknown:
            raise _file_error(path, f"未知的字段 {sorted(unknown)}")
        code = item.get("code")
        label = item.get("label")
        if not isinstance(code, str) or not _CODE_RE.fullmatch(code):
            raise _file_error(path, f"代码“{code}”应为1至40位字母、数字或下划线")
        if code in seen:
            raise _file_error(path, f"代码“{code}”重复")
        if not isinstance(label, str) or not label.strip():
            raise _file_error(path, f"代码“{code}”缺少名称")
        key = _label_key(label)
        if key in sibling_labels:
            raise _file_error(path, f"同一级中名称“{label}”重复")
        sibling_labels.add(key)
        seen.add(code)
        out.append(CodeEntry(code=code, label=label.strip(), parent=parent, office_added=False))
        if "children" in item:
            _parse_entries(path, item["children"], code, out, seen)


def _load_file(path: Path) -> CodeTable:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _file_error(path, f"无法读取（{exc}）") from exc
    if not isinstance(data, dict):
        raise _file_error(path, "顶层应为对象")
    unknown = set(data) - _FILE_KEYS
    if unknown:
        raise _file_error(path, f"未知的字段 {sorted(unknown)}")
    name = data.get("table")
    if name != path.stem:
        raise _file_error(path, f"table 字段“{name}”与文件名不一致")
    version = data.get("version")
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise _file_error(path, "version 应为正整数")
    title = data.get("title")
    if title is not None and not isinstance(title, str):
        raise _file_error(path, "title 应为文字")
    entries: list[CodeEntry] = []
    _parse_entries(path, data.get("entries"), None, entries, set())
    return CodeTable(name, version, entries, title)


def load_table_file(path: Path) -> CodeTable:
    """One table file in the shipped format (ValidationError when it is broken)."""
    return _load_file(path)


def central_table(
    name: str, title: str, version: int, entries: Iterable[tuple[str, str, str | None]]
) -> CodeTable:
    """A table as the city server publishes it ``(code, label, parent)``, checked like a file
    (codes, unique codes and labels, parents before children); ValidationError otherwise."""
    where = Path(f"{name}（市局服务器）")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise _file_error(where, "version 应为正整数")
    out: list[CodeEntry] = []
    seen: set[str] = set()
    labels: set[tuple[str | None, str]] = set()
    for code, label, parent in entries:
        if not _CODE_RE.fullmatch(code) or code in seen:
            raise _file_error(where, f"代码“{code}”不正确或重复")
        if not label.strip():
            raise _file_error(where, f"代码“{code}”缺少名称")
        if parent is not None and parent not in seen:
            raise _file_error(where, f"代码“{code}”的上级“{parent}”不存在")
        key = (parent, _label_key(label))
        if key in labels:
            raise _file_error(where, f"同一级中名称“{label}”重复")
        labels.add(key)
        seen.add(code)
        out.append(CodeEntry(code=code, label=label.strip(), parent=parent, office_added=False))
    if not out:
        raise _file_error(where, "没有任何条目")
    return CodeTable(name, version, out, title)


def _merge_central(shipped: CodeTable, central: CodeTable) -> CodeTable:
    """The central table, plus any shipped entry it no longer lists (records made with an
    older code keep their label)."""
    have = {e.code for e in central.entries}
    kept = list(central.entries)
    for entry in shipped.entries:
        if entry.code not in have:
            parent = entry.parent if entry.parent in have else None
            kept.append(CodeEntry(entry.code, entry.label, parent, False, entry.superseded_by))
            have.add(entry.code)
    return CodeTable(central.name, central.version, kept, central.title)


def load_code_tables(
    resources_dir: Path | None = None,
    office_additions: Iterable[tuple[str, str, str, str | None]] = (),
    central: Iterable[CodeTable] = (),
) -> dict[str, CodeTable]:
    """Load every ``resources_dir/codes/*.json`` table, replace those the city server
    publishes in a newer version (``central``), and apply the office's additions
    ``(table, code, label, parent_code)``. Additions to tables that do not exist are
    ignored."""
    codes_dir = (resources_dir if resources_dir is not None else default_resources_dir()) / "codes"
    if not codes_dir.is_dir():
        raise ValidationError(_LOAD_FIELD, f"找不到代码表目录：{codes_dir}")
    tables: dict[str, CodeTable] = {}
    for path in sorted(codes_dir.glob("*.json")):
        table = _load_file(path)
        tables[table.name] = table
    for table in central:
        shipped = tables.get(table.name)
        if shipped is not None and table.version > shipped.version:
            tables[table.name] = _merge_central(shipped, table)
    grouped: dict[str, list[tuple[str, str, str | None]]] = {}
    for table_name, code, label, parent in office_additions:
        grouped.setdefault(table_name, []).append((code, label, parent))
    for table_name, rows in grouped.items():
        if table_name in tables:
            tables[table_name] = tables[table_name].with_additions(rows)
    return tables


def validate_addition(
    tables: Mapping[str, CodeTable], table: str, label: str, parent: str | None
) -> str:
    """Check a new office entry and return the stable code to store it under.

    The code is ``"office_"`` plus a short hash of table, parent and label, so two offices
    adding "金融" get the same code and the city server can merge them. A label that already
    exists under the same parent is refused.
    """
    found = tables.get(table)
    if found is None:
        raise ValidationError("table", f"没有名为“{table}”的代码表")
    text = label.strip()
    if not text:
        raise ValidationError("label", f"请填写要添加到“{found.title}”的名称")
    if len(text) > MAX_OFFICE_LABEL_LEN:
        raise ValidationError(
            "label",
            f"名称不能超过{MAX_OFFICE_LABEL_LEN}个字（当前{len(text)}个字）",
        )
    resolved: str | None = None
    if parent is not None:
        if not found.has(parent):
            raise ValidationError("parent", f"“{found.title}”中没有上级代码“{parent}”")
        resolved = found.canonical(parent)
    key = _label_key(text)
    siblings = found.top_level() if resolved is None else found.children(resolved)
    if any(_label_key(e.label) == key for e in siblings):
        where = "" if resolved is None else f"“{found.label(resolved)}”下"
        raise ValidationError("label", f"“{found.title}”{where}已有“{text}”，不能重复添加")
    digest = hashlib.sha256(f"{table}\x1f{resolved or ''}\x1f{key}".encode()).hexdigest()
    for length in range(8, len(digest) + 1, 4):
        code = "office_" + digest[:length]
        if not found.has(code):
            return code
    raise ValidationError("label", f"无法为“{text}”生成代码，请换一个名称")  # pragma: no cover
