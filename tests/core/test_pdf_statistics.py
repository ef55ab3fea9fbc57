"""The statistics reports as PDF (issue 6), read back with poppler: the title, the period, the
office, row and column labels, the figures of the hand-counted fixture and embedded fonts."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from justice_desktop.domain.understanders import TrainingInput, UnderstanderInput
from justice_desktop.pdf.statistics_report import (
    adviser_report_pdf,
    format_value,
    mediation_report_pdf,
    understander_report_pdf,
)
from justice_desktop.statistics import month_period, quarter_period
from justice_desktop.store import statistics as st
from justice_desktop.store.database import Store
from justice_desktop.store.office import add_committee
from justice_desktop.store.understanders import UnderstanderService
from tests.core.test_pdf_documents import assert_fonts_embedded, page_count, text_of
from tests.core.test_statistics import fixture_cases  # noqa: F401  (a fixture)

FILLED = date(2025, 7, 3)


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_format_value() -> None:
    assert format_value(None) == ""
    assert format_value(3) == "3"
    assert format_value(1.2, 4) == "1.2000"
    assert format_value(66.66, 1) == "66.7"


def test_mediation_report_pdf_has_title_period_labels_and_figures(
    tmp_path: Path,
    store: Store,
    fixture_cases: dict[str, str],  # noqa: F811
) -> None:
    report = st.mediation_report(store, quarter_period(2025, 2))
    data = mediation_report_pdf(report, filled_on=FILLED, office="城关司法所")
    text = text_of(tmp_path, data)
    flat = _flat(text)
    assert "人民调解工作统计表" in flat
    assert "统计期间：2025年第二季度" in flat
    assert "填报单位：城关司法所" in flat
    assert "填报日期：2025年7月3日" in flat
    assert "填表人" in flat and "负责人" in flat
    # every block's title and the official row / column labels
    for table in report.tables:
        assert _flat(table.title) in flat, table.title
        for col in table.columns:
            assert _flat(col.label) in flat, col.label
        for row in table.rows:
            assert _flat(row.label) in flat, row.label
    # Q2 (hand-counted in tests/core/test_statistics.py): registered 4 (c2, c3, c4, c6),
    # succeeded 3 (c1 on 2 April, c2, c3), amount 1.7346 万元 (17,345.67 yuan), rate 75.0 %
    summary = report.table("summary")
    assert summary.value(None, "registered") == 4
    assert summary.value(None, "succeeded") == 3
    total_line = next(line for line in text.splitlines() if line.strip().startswith("合计"))
    numbers = total_line.split()[1:]
    assert numbers[0] == "4" and numbers[2] == "3" and numbers[3] == "75.0", total_line
    assert "1.7346" in numbers, total_line
    assert "调解成功率：75.0%" in flat
    # sub-rows (法院委派, 拖欠农民工工资) are printed indented under their parent
    sources = report.table("source")
    court_label = sources.row("court_assigned").label
    referred_label = sources.row("referred").label
    court = next(line for line in text.splitlines() if court_label in line)
    referred = next(line for line in text.splitlines() if line.strip().startswith(referred_label))
    assert len(court) - len(court.lstrip()) > len(referred) - len(referred.lstrip())
    assert_fonts_embedded(tmp_path, data)
    assert page_count(tmp_path, data) >= 1


def test_empty_month_prints_without_rate(
    tmp_path: Path,
    store: Store,
    fixture_cases: dict[str, str],  # noqa: F811
) -> None:
    report = st.mediation_report(store, month_period(2025, 1))
    flat = _flat(text_of(tmp_path, mediation_report_pdf(report, filled_on=FILLED)))
    assert "统计期间：2025年1月" in flat
    assert "本期无受理案件" in flat


def test_understander_and_adviser_reports(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    user = ids["user_id"]
    add_committee(store, user, "李庄村人民调解委员会", "津李", "village", "李庄村")
    service = UnderstanderService(store)
    people = [
        service.add(user, UnderstanderInput(name, village, "self"))
        for name, village in (("赵一", "王家庄村"), ("钱二", "王家庄村"), ("孙三", "大韩庄村"))
    ]
    service.add_training(
        user,
        TrainingInput(date(2025, 3, 1), "民法典", "张律师", "offline", 8, attendee_ids=people[:1]),
    )
    service.set_yearly_target(user, 8)
    report = st.understander_report(store, 2025)
    data = understander_report_pdf(report, office="城关司法所", filled_on=FILLED)
    text = text_of(tmp_path, data)
    flat = _flat(text)
    assert "法律明白人工作统计表" in flat and "统计期间：2025年" in flat
    for village in ("王家庄村", "大韩庄村", "李庄村"):
        assert village in flat
    li = next(line for line in text.splitlines() if line.strip().startswith("李庄村"))
    assert li.split()[1:4] == ["0", "3", "3"], li  # none, quota 3, 3 missing
    assert "钱二（王家庄村）" in flat and "孙三（大韩庄村）" in flat and "赵一" not in flat
    assert_fonts_embedded(tmp_path, data)

    advisers = st.adviser_report(store, 2025, date(2025, 6, 30))
    data = adviser_report_pdf(advisers, office="城关司法所", filled_on=FILLED)
    flat = _flat(text_of(tmp_path, data))
    assert "村（居）法律顾问工作统计表" in flat
    assert "截至2025年6月30日" in flat
    assert "应实地服务" in flat
    assert_fonts_embedded(tmp_path, data)
