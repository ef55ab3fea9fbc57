"""Excel exports re-read with openpyxl: headers, frozen header, real dates, masking by
default, full export refused for a clerk and audited for the head."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from justice_desktop.domain.consultations import AdviserLogInput, ConsultationInput
from justice_desktop.domain.understanders import TrainingInput, UnderstanderInput
from justice_desktop.excel import exports
from justice_desktop.excel.exports import ExportRequest, can_export_full, export_list
from justice_desktop.excel.writer import Column, Table, display_width, write_workbook
from justice_desktop.store.consultations import AdviserLogService, ConsultationService
from justice_desktop.store.database import Store
from justice_desktop.store.office import add_user
from justice_desktop.store.understanders import UnderstanderService
from justice_desktop.validation import ValidationError
from justice_desktop.validation.id_number import resident_id_check_char


def valid_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


ID_1 = valid_id("11010519800101001")
PHONE_1 = "13812345678"


def sheet(path: Path, name: str | None = None) -> Worksheet:
    wb = openpyxl.load_workbook(path)
    ws = wb[name] if name else wb.worksheets[0]
    assert isinstance(ws, Worksheet)
    return ws


def row_values(ws: Worksheet, row: int) -> list[Any]:
    return [c.value for c in ws[row]]


def audit_entries(store: Store, action: str) -> list[dict[str, Any]]:
    return store.query(
        "SELECT user_id, action, table_name, fields FROM audit_log WHERE action = ? ORDER BY seq",
        (action,),
    )


@pytest.fixture
def roster(store: Store, ids: dict[str, str]) -> UnderstanderService:
    service = UnderstanderService(store)
    service.add(
        ids["user_id"],
        UnderstanderInput(
            name="张明白",
            village="东村",
            nomination_route="self",
            id_number=ID_1,
            phone=PHONE_1,
            villager_group="一组",
            appointed_on=date(2024, 3, 1),
        ),
    )
    return service


def test_writer_layout_widths_dates_numbers_and_two_level_header(tmp_path: Path) -> None:
    columns = [
        Column("姓名"),
        Column("日期", "date"),
        Column("时间", "datetime"),
        Column("人数", "int", group="统计"),
        Column("金额（万元）", "decimal", group="统计"),
        Column("备注", width=30),
    ]
    rows: list[list[Any]] = [
        ["欧阳娜娜", "2025-06-01", datetime(2025, 6, 1, 9, 30), 3, 1.25, "a<b & c"],
        ["李四", date(2025, 1, 2), "2025-01-02T08:00:00", "7", None, "  spaced "],
        ["", "not a date", None, None, float("nan"), "\x01control" + "长" * 40000],
    ]
    path = tmp_path / "t.xlsx"
    total = write_workbook(
        path,
        [Table("测试表", columns, rows, note="已脱敏")],
        office="城关司法所",
        exported_at=datetime(2025, 6, 16, 9, 30),
    )
    assert total == 3
    ws = sheet(path)
    assert ws["A1"].value == "测试表"
    assert ws["A2"].value is not None and "城关司法所" in ws["A2"].value
    assert "2025-06-16 09:30" in ws["A2"].value and "已脱敏" in ws["A2"].value
    assert row_values(ws, 3) == ["姓名", "日期", "时间", "统计", None, "备注"]
    assert row_values(ws, 4) == [None, None, None, "人数", "金额（万元）", None]
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"A1:F1", "A2:F2", "D3:E3", "A3:A4", "F3:F4"} <= merged
    assert ws.freeze_panes == "A5"
    assert ws["B5"].value == datetime(2025, 6, 1) and ws["B5"].is_date
    assert ws["B5"].number_format == "yyyy-mm-dd"
    assert ws["C5"].value == datetime(2025, 6, 1, 9, 30) and ws["C5"].is_date
    assert ws["B6"].value == datetime(2025, 1, 2)
    assert ws["C6"].value == datetime(2025, 1, 2, 8, 0)
    assert ws["D5"].value == 3 and ws["D6"].value == 7
    assert ws["E5"].value == 1.25
    assert ws["F5"].value == "a<b & c"
    assert ws["F6"].value == "  spaced "
    assert ws["B7"].value == "not a date"  # text that is no date stays text
    assert str(ws["F7"].value).startswith("control长") and len(str(ws["F7"].value)) == 32767
    assert ws["E7"].value == "nan"  # not a number Excel can store: kept as text
    widths = ws.column_dimensions
    assert widths["A"].width == display_width("欧阳娜娜") + 2
    assert widths["F"].width == 32
    assert display_width("村（社区）") == 10 and display_width("ab") == 2


def test_roster_export_is_masked_by_default_and_audited(
    tmp_path: Path, store: Store, ids: dict[str, str], roster: UnderstanderService
) -> None:
    path = tmp_path / "roster.xlsx"
    result = export_list(store, ids["user_id"], ExportRequest("roster", year=2025), path)
    assert result.rows == 1 and not result.full
    ws = sheet(path)
    headers = row_values(ws, 3)
    assert headers[:6] == ["姓名", "性别", "民族", "出生日期", "身份证号码", "联系电话"]
    assert ws.freeze_panes == "A4"
    data = dict(zip(headers, row_values(ws, 4), strict=True))
    assert data["姓名"] == "张明白"
    assert data["身份证号码"] == ID_1[:6] + "********" + ID_1[-4:]
    assert data["联系电话"] == "138****5678"
    assert data["产生方式"] == "个人自荐"
    assert data["出生日期"] == datetime(1980, 1, 1)
    assert data["聘任日期"] == datetime(2024, 3, 1)
    assert ws[f"{get_column_letter(headers.index('聘任日期') + 1)}4"].is_date
    assert data["2025年培训学时"] == 0
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    assert not any(ID_1 in t or PHONE_1 in t for t in texts)
    entries = audit_entries(store, "export")
    assert len(entries) == 1
    assert entries[0]["user_id"] == ids["user_id"]
    assert entries[0]["table_name"] == "understanders"
    assert entries[0]["fields"] == "脱敏导出;法律明白人名册;1行"


def test_full_export_refused_for_a_clerk_and_audited_for_the_head(
    tmp_path: Path, store: Store, ids: dict[str, str], roster: UnderstanderService
) -> None:
    clerk = add_user(store, ids["user_id"], "小王", "clerk")
    assert not can_export_full(store, clerk)
    assert can_export_full(store, ids["user_id"])
    path = tmp_path / "full.xlsx"
    with pytest.raises(ValidationError, match="司法所所长"):
        export_list(store, clerk, ExportRequest("roster", full=True), path)
    assert not path.exists()
    assert audit_entries(store, "export") == []
    result = export_list(store, ids["user_id"], ExportRequest("roster", full=True), path)
    assert result.full
    ws = sheet(path)
    headers = row_values(ws, 3)
    data = dict(zip(headers, row_values(ws, 4), strict=True))
    assert data["身份证号码"] == ID_1 and data["联系电话"] == PHONE_1
    assert "完整导出" in str(ws["A2"].value)
    entries = audit_entries(store, "export")
    assert [e["fields"] for e in entries] == ["完整导出;法律明白人名册;1行"]
    assert entries[0]["user_id"] == ids["user_id"]


def test_case_export_masks_party_names_and_writes_dates(
    tmp_path: Path, store: Store, ids: dict[str, str], new_case: Callable[..., str]
) -> None:
    new_case()
    new_case(registered_on=date(2025, 6, 3))
    path = tmp_path / "cases.xlsx"
    result = export_list(store, ids["user_id"], ExportRequest("cases"), path)
    assert result.rows == 2
    ws = sheet(path)
    assert row_values(ws, 3)[:4] == ["案号", "当事人", None, "纠纷类型"]
    assert row_values(ws, 4)[:3] == [None, "申请人", "被申请人"]
    assert ws.freeze_panes == "A5"
    first = row_values(ws, 5)
    assert first[1] == "张*" and first[2] == "李*"
    assert first[3] == "邻里"
    assert first[4] == datetime(2025, 6, 3) and ws["E5"].is_date
    assert ws["G5"].is_date  # 调解期限
    full = tmp_path / "cases-full.xlsx"
    export_list(store, ids["user_id"], ExportRequest("cases", full=True), full)
    assert row_values(sheet(full), 5)[1:3] == ["张三", "李四"]


def test_training_consultation_and_adviser_log_exports(
    tmp_path: Path, store: Store, ids: dict[str, str], roster: UnderstanderService
) -> None:
    user = ids["user_id"]
    person = roster.roster()[0]["id"]
    roster.add_training(
        user,
        TrainingInput(
            date(2025, 5, 20), "民法典宣讲", "李律师", "offline", 2.5, "村委会", [person]
        ),
    )
    ConsultationService(store).record(
        user,
        ConsultationInput(
            consulted_on=date(2025, 6, 10),
            category=ConsultationService(store).tables["consultation_categories"].codes()[0],
            question="邻居占用通道怎么办？",
            answered_by="王律师",
            mode=ConsultationService(store).tables["consultation_modes"].codes()[0],
            name="赵六",
            phone="13900002222",
        ),
    )
    AdviserLogService(store).record(
        user,
        AdviserLogInput(
            adviser="孙顾问",
            village="东村",
            started_at=datetime(2025, 6, 5, 9, 0),
            hours=4,
            kind="lecture",
            object="村民",
            content="讲解民法典",
        ),
    )
    path = tmp_path / "trainings.xlsx"
    result = export_list(store, user, ExportRequest("trainings", year=2025), path)
    assert result.rows == 1
    ledger = sheet(path, "培训台账")
    assert row_values(ledger, 4)[:5] == [datetime(2025, 5, 20), "民法典宣讲", "李律师", "线下", 2.5]
    assert row_values(ledger, 4)[6] == 1
    people = sheet(path, "参训名单")
    assert people.freeze_panes == "A4"
    attended = row_values(people, 4)
    assert attended[3] == "张明白" and attended[6] == ID_1[:6] + "********" + ID_1[-4:]
    path = tmp_path / "consultations.xlsx"
    export_list(store, user, ExportRequest("consultations"), path)
    ws = sheet(path)
    headers = row_values(ws, 4)
    values = row_values(ws, 5)
    assert values[0] == datetime(2025, 6, 10)
    assert values[headers.index("姓名")] == "赵*"
    assert values[headers.index("联系电话")] == "139****2222"
    path = tmp_path / "logs.xlsx"
    export_list(store, user, ExportRequest("adviser-logs", year=2025), path)
    ws = sheet(path)
    assert row_values(ws, 4)[:6] == [
        datetime(2025, 6, 5, 9, 0),
        "孙顾问",
        "东村",
        "法律知识宣传（法治讲座）",
        "是",
        4,
    ]
    assert ws["A4"].is_date
    kinds = [e["table_name"] for e in audit_entries(store, "export")]
    assert kinds == ["trainings", "consultations", "adviser_logs"]


def test_export_to_an_unwritable_place_says_so(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    with pytest.raises(ValidationError, match="无法写入文件"):
        export_list(store, ids["user_id"], ExportRequest("roster"), tmp_path / "no" / "x.xlsx")
    with pytest.raises(ValidationError, match="不能导出"):
        export_list(store, ids["user_id"], ExportRequest("nothing"), tmp_path / "x.xlsx")
    assert audit_entries(store, "export") == []


def test_a_file_that_cannot_be_written_is_explained_in_chinese(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    """The reason, never the system's English text (No such file or directory …)."""
    missing = tmp_path / "no" / "x.xlsx"
    with pytest.raises(ValidationError) as caught:
        export_list(store, ids["user_id"], ExportRequest("roster"), missing)
    assert "文件夹不存在" in caught.value.message
    assert not re.findall(r"[A-Za-z]+", caught.value.message.replace(str(missing), ""))
    folder = tmp_path / "名册.xlsx"
    folder.mkdir()
    with pytest.raises(ValidationError, match="同名的文件夹"):
        export_list(store, ids["user_id"], ExportRequest("roster"), folder)
    assert audit_entries(store, "export") == []
    # Windows: the previous export is still open in WPS or Excel
    locked = exports.cannot_write_message(folder, PermissionError(13, "Permission denied"))
    assert "正在" in locked and "Permission" not in locked
    full = exports.cannot_write_message(folder, OSError(28, "No space left on device"))
    assert "磁盘空间不足" in full and "space" not in full


def test_export_reports_progress_and_stops_when_told(
    tmp_path: Path,
    store: Store,
    ids: dict[str, str],
    new_case: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(exports, "PROGRESS_EVERY", 1)
    for day in range(2, 6):
        new_case(registered_on=date(2025, 6, day))
    seen: list[int] = []

    def going_on(done: int, total: int) -> bool:
        seen.append(done)
        return True

    whole = tmp_path / "whole.xlsx"
    result = export_list(store, ids["user_id"], ExportRequest("cases"), whole, progress=going_on)
    assert result.rows == 4 and seen == [1, 2, 3, 4, 4]  # and once more when written

    def stop_at_two(done: int, total: int) -> bool:
        return done < 2

    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(exports.ExportCancelledError):
        export_list(
            store, ids["user_id"], ExportRequest("cases"), folder / "x.xlsx", progress=stop_at_two
        )
    # No file, no partial file beside it, and only the finished export is audited.
    assert list(folder.iterdir()) == []
    assert len(audit_entries(store, "export")) == 1
