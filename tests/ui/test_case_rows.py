"""Formatting case rows for the list (plain Python, no Qt)."""

from __future__ import annotations

from justice_desktop.codes.tables import load_code_tables
from ui.case_rows import COLUMNS, CaseRowFormatter, mask_names, parties_text


def test_mask_names() -> None:
    assert mask_names("张三、欧阳娜娜") == "张*、欧阳**"
    assert mask_names("") == ""
    assert mask_names(None) == ""
    assert parties_text("张三", "李四、王五") == "张*与李*、王*"
    assert parties_text("张三", "") == "张*"


def test_format_row() -> None:
    formatter = CaseRowFormatter(load_code_tables())
    row = formatter.format(
        {
            "id": "c1",
            "case_number": "（2025）津东城人调字第3号",
            "registered_on": "2025-06-02",
            "status": "mediating",
            "dispute_type": "labour",
            "applicants": "王秀英",
            "respondents": "某某建筑劳务有限公司",
            "mediation_due_on": "2025-07-02",
            "extended_due_on": "2025-07-17",
            "source": "court_entrusted",
            "village": "王家庄村",
        }
    )
    assert row.case_id == "c1"
    assert len(row.cells) == len(COLUMNS)
    assert row.cells == (
        "（2025）津东城人调字第3号",
        "王**与某*********",
        "劳动争议",
        "2025-06-02",
        "调解中",
        "2025-07-17（已延长）",
        "法院委托",
        "王家庄村",
    )


def test_unknown_codes_show_as_they_are() -> None:
    formatter = CaseRowFormatter({})
    row = formatter.format({"id": "x", "status": "new_status", "dispute_type": "gone"})
    assert row.cells[2:5] == ("gone", "", "new_status")
