"""Legal time limits, computed the way 民法典 Arts 200–202 count periods.

* A period counted in days or months starts on the day after the triggering day (Art 201).
* A period in months ends on the corresponding day of the final month; with no such day
  (31 January + 1 month), on that month's last day (Art 202).
* Legal holidays extending a last day (Art 203) are not applied: the program has no official
  holiday calendar, so deadlines are never later than the law allows.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

MEDIATION_MONTHS = 1  # 人民调解工作若干规定 Art 33
COURT_ASSIGNED_DAYS = 30  # 委派 (before filing)
COURT_ENTRUSTED_ORDINARY_DAYS = 15  # 委托, ordinary procedure
COURT_ENTRUSTED_SUMMARY_DAYS = 7  # 委托, summary procedure
JUDICIAL_CONFIRMATION_DAYS = 30  # 人民调解法 Art 33
DEFAULT_FOLLOW_UP_DAYS = 30
DUE_SOON_DAYS = 7

COURT_PROCEDURES = {"ordinary": "普通程序", "summary": "简易程序"}


def add_months(start: date, months: int) -> date:
    month_index = start.month - 1 + months
    year = start.year + month_index // 12
    month = month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def add_days(start: date, days: int) -> date:
    return start + timedelta(days=days)


def mediation_due(
    registered_on: date, source_sub: str | None = None, court_procedure: str | None = None
) -> date:
    """Last day of the mediation period for a case registered on ``registered_on``."""
    if source_sub == "court_assigned":
        return add_days(registered_on, COURT_ASSIGNED_DAYS)
    if source_sub == "court_entrusted":
        days = (
            COURT_ENTRUSTED_SUMMARY_DAYS
            if court_procedure == "summary"
            else COURT_ENTRUSTED_ORDINARY_DAYS
        )
        return add_days(registered_on, days)
    return add_months(registered_on, MEDIATION_MONTHS)


def judicial_confirmation_last_day(effective_on: date) -> date:
    return add_days(effective_on, JUDICIAL_CONFIRMATION_DAYS)


def follow_up_due(
    effective_on: date, performance_deadline: date | None, days: int = DEFAULT_FOLLOW_UP_DAYS
) -> date:
    """A follow-up is due ``days`` after the agreement, but not before performance is due."""
    due = add_days(effective_on, days)
    if performance_deadline is not None and performance_deadline > due:
        return performance_deadline
    return due


@dataclass(frozen=True)
class DeadlineItem:
    kind: str  # "mediation" | "follow_up" | "judicial_confirmation"
    case_id: str
    case_number: str
    title: str
    due_on: date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def kind_label(self) -> str:
        return DEADLINE_KIND_LABELS[self.kind]

    def describe(self) -> str:
        if self.days_left < 0:
            return f"{self.kind_label}已超期{-self.days_left}天"
        if self.days_left == 0:
            return f"{self.kind_label}今天到期"
        return f"{self.kind_label}还剩{self.days_left}天"


DEADLINE_KIND_LABELS = {
    "mediation": "调解期限",
    "follow_up": "回访",
    "judicial_confirmation": "司法确认申请期限",
}
