"""Official statistics (人民调解统计报表, 法律明白人, 法律顾问): periods and table definitions,
pure computation without SQL or Qt. The grouped counts come from ``store/statistics.py``."""

from justice_desktop.statistics.periods import (
    Period,
    custom_period,
    month_period,
    months_of_year,
    quarter_period,
    year_period,
)
from justice_desktop.statistics.tables import (
    PREVENTION_KINDS,
    Cell,
    Column,
    DrillKey,
    MediationReport,
    StatRow,
    StatTable,
    build_mediation_report,
    success_rate,
)

__all__ = [
    "PREVENTION_KINDS",
    "Cell",
    "Column",
    "DrillKey",
    "MediationReport",
    "Period",
    "StatRow",
    "StatTable",
    "build_mediation_report",
    "custom_period",
    "month_period",
    "months_of_year",
    "quarter_period",
    "success_rate",
    "year_period",
]
