"""Reporting periods: a month, a quarter, a year or any range of days, with Chinese labels.

A period is a closed range of calendar days ``start``–``end`` (both inclusive). Dates in the
database are ISO text (``2025-06-30``), so a period is matched with ``BETWEEN start AND end``
on the ISO strings (:attr:`Period.first_iso`, :attr:`Period.last_iso`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from justice_desktop.validation import ValidationError

__all__ = [
    "QUARTER_NAMES",
    "Period",
    "PeriodKind",
    "custom_period",
    "month_period",
    "months_of_year",
    "quarter_period",
    "year_period",
]

PeriodKind = Literal["month", "quarter", "year", "custom"]
QUARTER_NAMES = ("第一季度", "第二季度", "第三季度", "第四季度")


def _cn_date(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


@dataclass(frozen=True)
class Period:
    """A closed range of days; build one with the functions below, not directly."""

    kind: PeriodKind
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError("period", "统计期间的结束日期不能早于开始日期。")

    @property
    def first_iso(self) -> str:
        return self.start.isoformat()

    @property
    def last_iso(self) -> str:
        return self.end.isoformat()

    @property
    def label(self) -> str:
        """``2025年6月``, ``2025年第二季度``, ``2025年`` or ``2025年3月1日至2025年5月31日``."""
        if self.kind == "month":
            return f"{self.start.year}年{self.start.month}月"
        if self.kind == "quarter":
            return f"{self.start.year}年{QUARTER_NAMES[(self.start.month - 1) // 3]}"
        if self.kind == "year":
            return f"{self.start.year}年"
        return f"{_cn_date(self.start)}至{_cn_date(self.end)}"

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _month_end(year: int, month: int) -> date:
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def _check_year(year: int) -> None:
    if not 1900 <= year <= 9998:
        raise ValidationError("year", "统计年份超出范围。")


def month_period(year: int, month: int) -> Period:
    _check_year(year)
    if not 1 <= month <= 12:
        raise ValidationError("month", "月份应在1到12之间。")
    return Period("month", date(year, month, 1), _month_end(year, month))


def quarter_period(year: int, quarter: int) -> Period:
    _check_year(year)
    if not 1 <= quarter <= 4:
        raise ValidationError("quarter", "季度应在1到4之间。")
    first = 3 * (quarter - 1) + 1
    return Period("quarter", date(year, first, 1), _month_end(year, first + 2))


def year_period(year: int) -> Period:
    _check_year(year)
    return Period("year", date(year, 1, 1), date(year, 12, 31))


def custom_period(start: date, end: date) -> Period:
    """Any range of days, both ends included."""
    return Period("custom", start, end)


def months_of_year(year: int) -> list[Period]:
    return [month_period(year, m) for m in range(1, 13)]
