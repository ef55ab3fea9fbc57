"""The case list's columns and rows, without Qt: what the list shows and how it asks for it.

:class:`CaseListSource` runs on the database worker (every method takes the store): it
counts, fetches one page and formats it into display strings, so the GUI thread only copies
ready strings into the view.  Lists show personal data masked: 张三 → 张*.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.lifecycle import STATUS_LABELS
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.database import Store
from justice_desktop.store.queries import CaseFilter, CaseQueries
from justice_desktop.validation.fields import mask_name

NAME_SEPARATOR = "、"  # how the store joins several applicants (or respondents)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    title: str
    sort_key: str | None  # the CaseQueries sort column, None if the column cannot be sorted
    width: int  # initial width in pixels at the default font


COLUMNS: tuple[Column, ...] = (
    Column("case_number", "案号", "case_number", 240),
    Column("parties", "当事人", None, 220),
    Column("dispute_type", "纠纷类型", "dispute_type", 110),
    Column("registered_on", "受理日期", "registered_on", 100),
    Column("status", "状态", "status", 80),
    Column("due_on", "调解期限", "mediation_due_on", 150),
    Column("source", "案件来源", None, 110),
    Column("village", "村（社区）", None, 110),
)
COLUMN_INDEX: dict[str, int] = {c.key: i for i, c in enumerate(COLUMNS)}
#: Shown unless the user chose otherwise (the others are offered in the header's menu).
DEFAULT_HIDDEN: tuple[str, ...] = ("source", "village")
DEFAULT_SORT = "registered_on"
DEFAULT_DESCENDING = True


@dataclass(frozen=True, slots=True)
class CaseQuery:
    """Which cases the list shows and in what order."""

    filter: CaseFilter = CaseFilter()
    sort: str = DEFAULT_SORT
    descending: bool = DEFAULT_DESCENDING


@dataclass(frozen=True, slots=True)
class CaseListRow:
    case_id: str
    cells: tuple[str, ...]  # one display string per entry of COLUMNS


def mask_names(joined: str | None) -> str:
    """Mask each of several names: 张三、欧阳娜娜 → 张*、欧阳**."""
    if not joined:
        return ""
    return NAME_SEPARATOR.join(mask_name(n) for n in joined.split(NAME_SEPARATOR) if n.strip())


def parties_text(applicants: str | None, respondents: str | None) -> str:
    left, right = mask_names(applicants), mask_names(respondents)
    if left and right:
        return f"{left}与{right}"
    return left or right


class CaseRowFormatter:
    """Turns a row of ``CaseQueries.page`` into display strings."""

    def __init__(self, tables: Mapping[str, CodeTable]) -> None:
        dispute_types = tables.get("dispute_types")
        self._dispute_labels: dict[str, str] = (
            {e.code: e.label for e in dispute_types.entries} if dispute_types is not None else {}
        )
        sources = tables.get("case_sources")
        self._source_labels: dict[str, str] = (
            {e.code: e.label for e in sources.entries} if sources is not None else {}
        )

    def dispute_label(self, code: str | None) -> str:
        if not code:
            return ""
        return self._dispute_labels.get(code, code)

    def format(self, row: Mapping[str, Any]) -> CaseListRow:
        extended = row.get("extended_due_on")
        due = extended or row.get("mediation_due_on") or ""
        cells = (
            str(row.get("case_number") or ""),
            parties_text(row.get("applicants"), row.get("respondents")),
            self.dispute_label(row.get("dispute_type")),
            str(row.get("registered_on") or ""),
            STATUS_LABELS.get(str(row.get("status")), str(row.get("status") or "")),
            f"{due}（已延长）" if extended else str(due),
            self._source_labels.get(str(row.get("source") or ""), str(row.get("source") or "")),
            str(row.get("village") or ""),
        )
        return CaseListRow(str(row["id"]), cells)


class CaseListSource:
    """Worker side of the case list: call these only on the database worker."""

    def __init__(self, tables: Mapping[str, CodeTable] | None = None) -> None:
        self._formatter: CaseRowFormatter | None = (
            CaseRowFormatter(tables) if tables is not None else None
        )

    def invalidate(self, tables: Mapping[str, CodeTable] | None = None) -> None:
        """Forget cached code tables (after the office edited one), or use ``tables``."""
        self._formatter = CaseRowFormatter(tables) if tables is not None else None

    def formatter(self, store: Store) -> CaseRowFormatter:
        if self._formatter is None:
            self._formatter = CaseRowFormatter(load_tables(store))
        return self._formatter

    def count(self, store: Store, query: CaseQuery) -> int:
        return CaseQueries(store).count(query.filter)

    def page(
        self, store: Store, query: CaseQuery, offset: int, limit: int, total: int | None = None
    ) -> list[CaseListRow]:
        rows = CaseQueries(store).page(
            query.filter, offset, limit, sort=query.sort, descending=query.descending, total=total
        )
        fmt = self.formatter(store)
        return [fmt.format(r) for r in rows]
