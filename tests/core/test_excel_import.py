"""Roster and attendance import: good, messy and broken files (all made here with openpyxl),
the dry-run report before anything is written, and a second import of the same file."""

from __future__ import annotations

import re
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from justice_desktop.domain.understanders import TrainingInput, UnderstanderInput
from justice_desktop.excel.importer import (
    apply_import,
    plan_attendance_import,
    plan_roster_import,
    remembered_mapping,
)
from justice_desktop.excel.reader import WorkbookError
from justice_desktop.store.database import Store
from justice_desktop.store.understanders import UnderstanderService, load_training
from justice_desktop.validation import ValidationError
from justice_desktop.validation.id_number import resident_id_check_char


def valid_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


ID_A = valid_id("12010119800101001")  # man
ID_B = valid_id("12010119850202002")  # woman
ID_C = valid_id("12010119900303003")
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def save(path: Path, *sheets: tuple[str, list[list[Any]]], merges: tuple[str, ...] = ()) -> Path:
    wb = openpyxl.Workbook()
    first = True
    for title, rows in sheets:
        ws = wb.active if first else wb.create_sheet()
        assert ws is not None
        ws.title = title
        first = False
        for row in rows:
            ws.append(row)
        if title == sheets[-1][0]:
            for m in merges:
                ws.merge_cells(m)
    wb.save(path)
    return path


def counts(store: Store) -> tuple[int, int, int]:
    return (
        int(store.scalar("SELECT count(*) FROM understanders WHERE deleted = 0")),
        int(store.scalar("SELECT count(*) FROM outbox WHERE table_name = 'understanders'")),
        int(store.scalar("SELECT count(*) FROM search_docs WHERE kind = 'understander'")),
    )


GOOD: list[list[Any]] = [
    ["姓名", "身份证号码", "联系电话", "所在村", "村民小组", "产生方式", "聘任日期"],
    ["张明", ID_A, "13812345678", "东村", "一组", "个人自荐", date(2024, 3, 1)],
    ["李芳", ID_B, "022-12345678", "东村", "二组", "村（居）委会推荐", "2024年3月2日"],
    ["王强", "", "", "西村", "", "村党组织推荐", None],
]


def test_good_roster_dry_run_writes_nothing_then_imports_once(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    user = ids["user_id"]
    path = save(tmp_path / "good.xlsx", ("名册", GOOD))
    plan = plan_roster_import(store, user, path)
    assert plan.ok and plan.header_row == 1 and plan.sheet == "名册"
    assert len(plan.new_rows) == 3 and plan.updates == []
    assert counts(store) == (0, 0, 0)
    assert "新增3人" in plan.summary()
    outcome = apply_import(store, user, plan)
    assert (outcome.added, outcome.updated) == (3, 0)
    assert counts(store) == (3, 3, 3)
    rows = {r["name"]: r for r in UnderstanderService(store).roster()}
    assert rows["张明"]["gender"] == "男" and rows["张明"]["birth_date"] == "1980-01-01"
    assert rows["张明"]["appointed_on"] == "2024-03-01"
    assert rows["李芳"]["appointed_on"] == "2024-03-02"
    assert rows["李芳"]["nomination_route"] == "committee"
    assert rows["王强"]["nomination_route"] == "party_branch"
    assert rows["李芳"]["phone"] == "022-12345678"
    outbox = store.query(
        "SELECT o.op, o.version, o.changes, o.created_by FROM outbox o JOIN understanders u "
        "ON u.id = o.record_id WHERE u.name = '张明'"
    )
    assert [(o["op"], o["version"], o["created_by"]) for o in outbox] == [("insert", 1, user)]
    assert '"id_number": [null, "' + ID_A + '"]' in outbox[0]["changes"]
    inserts = store.query(
        "SELECT fields FROM audit_log WHERE action = 'insert' AND table_name = 'understanders'"
    )
    assert len(inserts) == 3 and "id_number" in inserts[0]["fields"]
    audit = store.query("SELECT table_name, fields FROM audit_log WHERE action = 'import'")
    assert len(audit) == 1 and "good.xlsx" in audit[0]["fields"]
    # The same file again: nothing new, nothing changed, no outbox entry.
    again = plan_roster_import(store, user, path)
    assert again.ok and again.new_rows == [] and again.updates == [] and again.unchanged == 3
    apply_import(store, user, again)
    assert counts(store) == (3, 3, 3)
    # A corrected phone in the office's sheet comes in as an update of that person.
    changed = [list(r) for r in GOOD]
    changed[1][2] = "13900001111"
    path2 = save(tmp_path / "changed.xlsx", ("名册", changed))
    plan3 = plan_roster_import(store, user, path2)
    assert [(row, ch) for row, _, ch in plan3.updates] == [(2, {"phone": "13900001111"})]
    apply_import(store, user, plan3)
    assert counts(store) == (3, 4, 3)


def test_messy_roster_is_read(tmp_path: Path, store: Store, ids: dict[str, str]) -> None:
    rows: list[list[Any]] = [
        ["2025年城关街法律明白人名册", None, None, None, None, None],
        ["填报单位：城关街司法所", None, None, None, None, None],
        ["序号", "名字", "公民身份号码", "手机", "村（居）", "性别"],
        [1, "张 明", ID_A.translate(FULL_WIDTH), "１３８１２３４５６７８", "东村", "男"],
        [2, "李芳", ID_B[:6] + " " + ID_B[6:14] + " " + ID_B[14:], "138 1234 0000", None, "女"],
        [3, "赵六", ID_C.lower(), "", None, ""],
        [None, None, None, None, None, None],
        [None, None, None, None, None, None],
        ["填表人：王五", None, None, None, None, None],
    ]
    path = save(
        tmp_path / "messy.xlsx",
        ("说明", [["本表用于……"], ["请勿修改表头"]]),
        ("Sheet1", rows),
        merges=("A1:F1", "E4:E6"),
    )
    plan = plan_roster_import(store, ids["user_id"], path)
    assert plan.problems == [], plan.report_lines()
    assert plan.sheet == "Sheet1" and plan.header_row == 3
    assert plan.rows_read == 3
    got = {values["name"]: values for _, values in plan.new_rows}
    assert set(got) == {"张明", "李芳", "赵六"}
    assert got["张明"]["id_number"] == ID_A and got["张明"]["phone"] == "13812345678"
    assert got["李芳"]["id_number"] == ID_B and got["李芳"]["village"] == "东村"
    assert got["赵六"]["village"] == "东村"  # merged down from row 4
    assert got["李芳"]["phone"] == "13812340000"
    assert any("说明" in n.message for n in plan.notices)
    assert any("产生方式" in n.message for n in plan.notices)
    apply_import(store, ids["user_id"], plan)
    assert counts(store)[0] == 3


def test_row_problems_are_reported_in_chinese_before_anything_is_written(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    bad_check = ID_A[:-1] + ("0" if ID_A[-1] != "0" else "1")
    rows: list[list[Any]] = [
        ["姓名", "身份证号", "电话", "村", "产生方式", "聘任日期"],
        ["张明", bad_check, "13812345678", "东村", "自荐", None],
        ["", ID_B, "1381234", "东村", "", None],
        ["王强", 120101198001010011, "", "西村", "", None],
        ["李四", ID_C, "", "", "抽签", "2099-01-01"],
        ["赵六", ID_C, "", "北村", "", "明年"],
    ]
    path = save(tmp_path / "bad.xlsx", ("名册", rows))
    plan = plan_roster_import(store, ids["user_id"], path)
    texts = [p.text() for p in plan.problems]
    assert any(t.startswith("第2行“身份证号”列") and "校验位" in t for t in texts), texts
    assert any(t.startswith("第3行“姓名”列") and "缺少姓名" in t for t in texts)
    assert any(t.startswith("第3行“电话”列") for t in texts)
    assert any(t.startswith("第4行") and "存成了数字" in t for t in texts)
    assert any(t.startswith("第5行“村”列") for t in texts)
    assert any(t.startswith("第5行“产生方式”列") and "抽签" in t for t in texts)
    assert any(t.startswith("第5行“聘任日期”列") and "晚于今天" in t for t in texts)
    assert any(t.startswith("第6行“身份证号”列") and "与第5行" in t for t in texts)
    assert any(t.startswith("第6行“聘任日期”列") for t in texts)
    assert plan.problem_rows == {2, 3, 4, 5, 6}
    lines = plan.report_lines()
    assert any("尚未写入任何记录" in line for line in lines)
    with pytest.raises(ValidationError, match="未写入任何记录"):
        apply_import(store, ids["user_id"], plan)
    assert counts(store) == (0, 0, 0)


def test_skip_invalid_imports_only_the_good_rows(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    rows = [list(r) for r in GOOD]
    rows[2][1] = ID_B[:-1] + ("0" if ID_B[-1] != "0" else "1")
    plan = plan_roster_import(store, ids["user_id"], save(tmp_path / "x.xlsx", ("s", rows)))
    assert plan.problem_rows == {3}
    outcome = apply_import(store, ids["user_id"], plan, skip_invalid=True)
    assert (outcome.added, outcome.skipped_rows) == (2, 1)
    assert counts(store)[0] == 2


def test_a_row_without_id_number_never_adds_the_same_person_again(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    """A row without an ID number whose name and village match another row of the file or
    several people on the roster cannot be told apart: it is a problem, never a new person
    (it added another 张明 on every import of the same file)."""
    user = ids["user_id"]
    rows: list[list[Any]] = [
        ["姓名", "身份证号码", "所在村"],
        ["张明", ID_A, "东村"],
        ["张明", "", "东村"],  # the same person listed again without the number
        ["李芳", "", "西村"],
        ["李芳", ID_B, "西村"],
    ]
    path = save(tmp_path / "dup.xlsx", ("s", rows))
    plan = plan_roster_import(store, user, path)
    texts = [p.text() for p in plan.problems]
    assert any(t.startswith("第3行") and "第2行" in t for t in texts), texts
    assert any(t.startswith("第5行") and "第4行" in t for t in texts), texts
    assert plan.problem_rows == {3, 5}
    apply_import(store, user, plan, skip_invalid=True)
    assert counts(store)[0] == 2
    for _ in range(2):
        again = plan_roster_import(store, user, path)
        assert again.new_rows == [], again.report_lines()
        apply_import(store, user, again, skip_invalid=True)
        assert counts(store)[0] == 2
    # two 王强 of 北村 on the roster: a row naming 王强 of 北村 without a number is neither
    service = UnderstanderService(store)
    service.add(user, UnderstanderInput("王强", "北村", "self", id_number=ID_C))
    service.add(user, UnderstanderInput("王强", "北村", "self"))
    sheet = save(
        tmp_path / "w.xlsx", ("s", [["姓名", "所在村", "村民小组"], ["王强", "北村", "三组"]])
    )
    plan = plan_roster_import(store, user, sheet)
    assert plan.problem_rows == {2} and "2个" in plan.problems[0].message, plan.report_lines()
    assert plan.new_rows == [] and plan.updates == []


def test_column_mapping_override_is_remembered(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    user = ids["user_id"]
    rows: list[list[Any]] = [["人员", "住址村", "号码"], ["张明", "东村", "13812345678"]]
    path = save(tmp_path / "odd.xlsx", ("s", rows))
    with pytest.raises(WorkbookError, match="没有找到"):
        plan_roster_import(store, user, path)
    mapping = {"人员": "name", "住址村": "village", "号码": "phone"}
    plan = plan_roster_import(store, user, path, mapping=mapping)
    assert plan.ok and plan.new_rows[0][1]["phone"] == "13812345678"
    apply_import(store, user, plan)
    assert remembered_mapping(store, user, "roster")["住址村"] == "village"
    # Next time the same headers map without being told.
    again = plan_roster_import(store, user, path)
    assert again.ok and again.unchanged == 1


def test_removed_person_is_skipped_not_revived(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    user = ids["user_id"]
    service = UnderstanderService(store)
    uid = service.add(user, UnderstanderInput("张明", "东村", "self", id_number=ID_A))
    service.remove(user, uid, "违法被清退", date(2025, 1, 5))
    plan = plan_roster_import(store, user, save(tmp_path / "g.xlsx", ("s", GOOD)))
    assert len(plan.new_rows) == 2
    assert any(n.row == 2 and "清退" in n.message for n in plan.notices)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "是空的"),
        (b"name,phone\n\xe5\xbc\xa0,138\n", "不是Excel工作簿"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "EncryptedPackage".encode("utf-16-le"), "密码"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, ".xls"),
        (b"PK\x03\x04garbage", "损坏"),
    ],
)
def test_broken_files_give_a_clear_message_and_write_nothing(
    tmp_path: Path, store: Store, ids: dict[str, str], content: bytes, message: str
) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(content)
    with pytest.raises(WorkbookError, match=message):
        plan_roster_import(store, ids["user_id"], path)
    assert counts(store) == (0, 0, 0)


def test_zip_that_is_not_a_workbook_and_empty_workbook(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    path = tmp_path / "a.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(WorkbookError, match="损坏"):
        plan_roster_import(store, ids["user_id"], path)
    empty = save(tmp_path / "empty.xlsx", ("s", []))
    with pytest.raises(WorkbookError, match="没有任何内容"):
        plan_roster_import(store, ids["user_id"], empty)
    with pytest.raises(WorkbookError, match="找不到文件"):
        plan_roster_import(store, ids["user_id"], tmp_path / "missing.xlsx")


def _damaged(good: Path, target: Path, member: str, change: Any) -> Path:
    """A copy of ``good`` whose ``member`` is replaced by ``change(old bytes)``."""
    with zipfile.ZipFile(good) as src, zipfile.ZipFile(target, "w") as out:
        for info in src.infolist():
            data = src.read(info.filename)
            out.writestr(info.filename, change(data) if info.filename == member else data)
    return target


@pytest.mark.parametrize(
    ("member", "change"),
    [
        ("xl/styles.xml", lambda _b: b"<styleSheet"),
        ("xl/workbook.xml", lambda _b: b"<workbook"),
        ("xl/_rels/workbook.xml.rels", lambda _b: b"<Relationships"),
        ("[Content_Types].xml", lambda _b: b"<Types"),
        # a shared string the file does not have (a truncated sharedStrings part)
        (
            "xl/worksheets/sheet1.xml",
            lambda b: b.replace(
                '<c r="A2" t="inlineStr"><is><t>张明</t></is></c>'.encode(),
                b'<c r="A2" t="s"><v>7</v></c>',
            ),
        ),
    ],
)
def test_a_workbook_with_a_damaged_part_gives_a_clear_message(
    tmp_path: Path, store: Store, ids: dict[str, str], member: str, change: Any
) -> None:
    good = save(tmp_path / "good.xlsx", ("s", GOOD))
    path = _damaged(good, tmp_path / "damaged.xlsx", member, change)
    with zipfile.ZipFile(path) as zf:
        assert zf.read(member) != zipfile.ZipFile(good).read(member)
    with pytest.raises(WorkbookError, match="损坏"):
        plan_roster_import(store, ids["user_id"], path)
    assert counts(store) == (0, 0, 0)


def test_formulas_without_a_result_and_error_values_are_reported_not_read_as_empty(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    """A formula saved without its result (a sheet generated by another program) or showing
    an error (#N/A of a failed VLOOKUP) is a problem of its cell: it is not imported as an
    empty cell (a person without an ID number) nor taken for an empty row."""
    rows: list[list[Any]] = [
        ["姓名", "身份证号码", "联系电话", "所在村"],
        ["张明", f'="{ID_A}"', "13812345678", "东村"],  # formula, no saved result
        ["李芳", ID_B, "#N/A", "东村"],  # error value
        ["=VLOOKUP(1,Sheet2!A:B,2,0)", None, None, None],  # only a formula: not an empty row
        ["王强", ID_C, "", "西村"],
    ]
    path = save(tmp_path / "formulas.xlsx", ("s", rows))
    plan = plan_roster_import(store, ids["user_id"], path)
    texts = [p.text() for p in plan.problems]
    assert any(t.startswith("第2行“身份证号码”列") and "公式" in t for t in texts), texts
    assert any(t.startswith("第3行“联系电话”列") and "#N/A" in t for t in texts), texts
    assert any(t.startswith("第4行“姓名”列") and "公式" in t for t in texts), texts
    assert plan.problem_rows == {2, 3, 4}
    assert [values["name"] for _, values in plan.new_rows] == ["王强"]
    # the same in a sign-in sheet
    user = ids["user_id"]
    service = UnderstanderService(store)
    service.add(user, UnderstanderInput("张明", "东村", "self", id_number=ID_A))
    service.add_training(
        user, TrainingInput(date(2025, 5, 20), "民法典宣讲", "李律师", "offline", 2, "", [])
    )
    sign = save(tmp_path / "sign.xlsx", ("s", [["姓名", "身份证号码"], ["张明", f'="{ID_A}"']]))
    plan = plan_attendance_import(store, user, sign, "民法典宣讲")
    assert plan.problem_rows == {2} and "公式" in plan.problems[0].message
    assert plan.attendees == []


ALLOWED_LATIN = {"Excel", "WPS", "LibreOffice", "xlsx", "xls", "ods", "CSV", "OpenDocument"}


def _latin_words(message: str, path: Path) -> set[str]:
    text = message.replace(str(path), "").replace(path.name, "")
    return set(re.findall(r"[A-Za-z]+", text)) - ALLOWED_LATIN


def test_messages_about_unreadable_files_are_all_chinese(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    """No Python exception name (InvalidFileException, ParseError …) in what the clerk reads;
    a LibreOffice .ods sheet is named as such, not called damaged."""
    good = save(tmp_path / "good.xlsx", ("s", GOOD))
    damaged = _damaged(good, tmp_path / "damaged.xlsx", "xl/styles.xml", lambda _b: b"<x")
    ods = tmp_path / "名册.ods"
    with zipfile.ZipFile(ods, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", "<office:document-content/>")
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("hello.txt", "hi")
    unreadable = tmp_path / "locked.xlsx"
    unreadable.mkdir()  # a folder where a file was expected
    messages = {}
    for path in (damaged, ods, other, unreadable):
        with pytest.raises(WorkbookError) as caught:
            plan_roster_import(store, ids["user_id"], path)
        messages[path] = caught.value.message
        assert not _latin_words(caught.value.message, path), caught.value.message
    assert "ods" in messages[ods] and "损坏" not in messages[ods], messages[ods]
    assert "另存为" in messages[ods]


def test_attendance_import_adds_to_the_training_once(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    user = ids["user_id"]
    service = UnderstanderService(store)
    a = service.add(user, UnderstanderInput("张明", "东村", "self", id_number=ID_A))
    b = service.add(user, UnderstanderInput("李芳", "东村", "self"))
    service.add(user, UnderstanderInput("王强", "西村", "self"))
    service.add(user, UnderstanderInput("王强", "北村", "self"))
    tid = service.add_training(
        user, TrainingInput(date(2025, 5, 20), "民法典宣讲", "李律师", "offline", 2, "", [a])
    )
    rows: list[list[Any]] = [
        ["签到表"],
        ["序号", "姓名", "身份证号码", "村"],
        [1, "张明", ID_A.translate(FULL_WIDTH), "东村"],
        [2, "李 芳", None, None],
        [3, "王强", None, None],
        [4, "陌生人", None, None],
        [5, "李芳", None, "东村"],
    ]
    path = save(tmp_path / "sign.xlsx", ("签到", rows))
    plan = plan_attendance_import(store, user, path, "民法典宣讲")
    texts = [p.text() for p in plan.problems]
    assert plan.problem_rows == {5, 6}, texts
    assert any("2个“王强”" in t for t in texts) and any("陌生人" in t for t in texts)
    assert plan.unchanged == 1 and [pid for _, pid in plan.attendees] == [b]
    assert any(n.row == 7 and "同一人" in n.message for n in plan.notices)
    with pytest.raises(ValidationError):
        apply_import(store, user, plan)
    outcome = apply_import(store, user, plan, skip_invalid=True)
    assert outcome.added == 1
    assert sorted(load_training(store, tid)[1]) == sorted([a, b])
    again = plan_attendance_import(store, user, path, tid)
    assert again.attendees == [] and again.unchanged == 2
    with pytest.raises(ValidationError, match="没有找到培训"):
        plan_attendance_import(store, user, path, "不存在的培训")


def test_attendance_row_whose_id_number_belongs_to_someone_else_is_a_problem(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    """A mistyped number that is another person's would sign that person in."""
    user = ids["user_id"]
    service = UnderstanderService(store)
    a = service.add(user, UnderstanderInput("张明", "东村", "self", id_number=ID_A))
    service.add(user, UnderstanderInput("李芳", "东村", "self", id_number=ID_B))
    service.add_training(
        user, TrainingInput(date(2025, 5, 20), "民法典宣讲", "李律师", "offline", 2, "", [])
    )
    rows: list[list[Any]] = [
        ["姓名", "身份证号码"],
        ["张 明", ID_A],  # the same person, a space in the name
        ["王强", ID_B],  # 李芳's number
    ]
    plan = plan_attendance_import(store, user, save(tmp_path / "s.xlsx", ("s", rows)), "民法典宣讲")
    assert plan.problem_rows == {3}, plan.report_lines()
    assert "李芳" in plan.problems[0].message and "王强" in plan.problems[0].message
    assert [pid for _, pid in plan.attendees] == [a]


def test_a_transliterated_name_matches_whichever_dot_separates_its_parts(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    """买买提·艾力 on the roster is 买买提•艾力 (or ・, ．) in an office's sheet: it was a
    'name does not match' problem row, or, without an ID number, 'not on the roster'."""
    user = ids["user_id"]
    service = UnderstanderService(store)
    a = service.add(user, UnderstanderInput("买买提·艾力", "东村", "self", id_number=ID_A))
    b = service.add(user, UnderstanderInput("阿依古丽·吐尔逊", "西村", "self"))
    service.add_training(
        user, TrainingInput(date(2025, 5, 20), "民法典宣讲", "李律师", "offline", 2, "", [])
    )
    rows: list[list[Any]] = [
        ["姓名", "身份证号码"],
        ["买买提•艾力", ID_A],
        ["阿依古丽・吐尔逊", ""],
    ]
    plan = plan_attendance_import(store, user, save(tmp_path / "s.xlsx", ("s", rows)), "民法典宣讲")
    assert plan.ok, plan.report_lines()
    assert [pid for _, pid in plan.attendees] == [a, b]
    roster = [["姓名", "身份证号码", "所在村"], ["买买提．艾力", ID_A, "东村"]]
    again = plan_roster_import(store, user, save(tmp_path / "r.xlsx", ("名册", roster)))
    assert again.ok and again.new_rows == [] and again.unchanged == 1, again.report_lines()


def test_attendance_row_is_signed_in_by_its_id_number_whatever_its_other_cells_show(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    """A sign-in sheet's phone and village looked up with VLOOKUP (#N/A where the lookup
    missed, or a formula saved without its result): a row with a readable ID number is signed
    in by it (those cells are not used); without an ID number the village is needed."""
    user = ids["user_id"]
    service = UnderstanderService(store)
    a = service.add(user, UnderstanderInput("张明", "东村", "self", id_number=ID_A))
    service.add(user, UnderstanderInput("李芳", "东村", "self"))
    service.add_training(
        user, TrainingInput(date(2025, 5, 20), "民法典宣讲", "李律师", "offline", 2, "", [])
    )
    rows: list[list[Any]] = [
        ["姓名", "身份证号码", "联系电话", "所在村"],
        ["张明", ID_A, "#N/A", "=VLOOKUP(A2,Sheet2!A:B,2,0)"],
        ["李芳", None, None, "=VLOOKUP(A3,Sheet2!A:B,2,0)"],
    ]
    plan = plan_attendance_import(store, user, save(tmp_path / "s.xlsx", ("s", rows)), "民法典宣讲")
    assert plan.problem_rows == {3}, plan.report_lines()
    assert "所在村" in plan.problems[0].text()
    assert [pid for _, pid in plan.attendees] == [a]


def test_two_level_header_and_excel_dates(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    rows: list[list[Any]] = [
        ["姓名", "所在村", "联系方式", None, "聘任日期"],
        [None, None, "手机", "地址", None],
        ["张明", "东村", "13812345678", "东村1号", datetime(2024, 3, 1)],
        ["李芳", "东村", "", "", 45352],
    ]
    path = save(tmp_path / "two.xlsx", ("s", rows), merges=("A1:A2", "B1:B2", "C1:D1", "E1:E2"))
    plan = plan_roster_import(store, ids["user_id"], path)
    assert plan.ok, plan.report_lines()
    assert plan.header_row == 2
    got = {values["name"]: values for _, values in plan.new_rows}
    assert got["张明"]["phone"] == "13812345678"
    assert got["张明"]["appointed_on"] == "2024-03-01"
    assert got["李芳"]["appointed_on"] == "2024-03-01"  # serial 45352 without date format


def test_a_bare_year_in_a_date_column_is_a_problem_not_a_date_of_1905(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    rows: list[list[Any]] = [
        ["姓名", "所在村", "聘任日期", "备案日期"],
        ["张明", "东村", 2024, 45352],  # a year typed as a number; a serial without format
        ["李芳", "东村", "2024", None],
    ]
    plan = plan_roster_import(store, ids["user_id"], save(tmp_path / "y.xlsx", ("s", rows)))
    texts = [p.text() for p in plan.problems]
    assert any(t.startswith("第2行“聘任日期”列") and "年份" in t for t in texts), texts
    assert any(t.startswith("第3行“聘任日期”列") for t in texts), texts
    assert plan.problem_rows == {2, 3} and plan.new_rows == []


def test_dates_stored_as_text_with_a_time_or_hao_are_read(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    """Web systems export dates as text with a time of day; 号 is said for 日."""
    rows: list[list[Any]] = [
        ["姓名", "所在村", "聘任日期", "备案日期"],
        ["张明", "东村", "2024-03-01 00:00:00", "2024/3/5 14:30"],
        ["李芳", "东村", "2024年3月2号", "2024-03-06T09:00"],
        ["王强", "东村", "2024-03-01 25:00", None],  # not a time: still a problem
    ]
    plan = plan_roster_import(store, ids["user_id"], save(tmp_path / "t.xlsx", ("s", rows)))
    got = {values["name"]: values for _, values in plan.new_rows}
    assert got["张明"]["appointed_on"] == "2024-03-01"
    assert got["张明"]["filed_on"] == "2024-03-05"
    assert got["李芳"]["appointed_on"] == "2024-03-02"
    assert got["李芳"]["filed_on"] == "2024-03-06"
    assert plan.problem_rows == {4}, plan.report_lines()


def test_a_title_row_is_not_taken_for_the_header(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    user = ids["user_id"]
    service = UnderstanderService(store)
    a = service.add(user, UnderstanderInput("张明", "东村", "self"))
    service.add_training(
        user, TrainingInput(date(2025, 5, 20), "民法典宣讲", "李律师", "offline", 2, "", [])
    )
    rows: list[list[Any]] = [
        ["2025年城关街法律明白人民法典宣讲培训签到表（姓名）"],
        ["姓名"],
        ["张明"],
    ]
    path = save(tmp_path / "sign.xlsx", ("签到", rows))
    plan = plan_attendance_import(store, user, path, "民法典宣讲")
    assert plan.header_row == 2 and plan.ok
    assert [pid for _, pid in plan.attendees] == [a]


def test_a_hidden_sheet_is_not_imported_when_a_visible_one_has_the_roster(
    tmp_path: Path, store: Store, ids: dict[str, str]
) -> None:
    """Offices keep last year's list as a hidden sheet: the visible roster is imported even
    when the hidden one has more recognised columns; alone, a hidden sheet is still read."""
    user = ids["user_id"]
    old = [
        ["姓名", "身份证号码", "联系电话", "所在村", "村民小组", "产生方式", "聘任日期", "备注"],
        ["旧人甲", ID_C, "13900000000", "北村", "三组", "个人自荐", date(2020, 1, 1), ""],
    ]
    current = [["姓名", "身份证号码", "所在村"], ["张明", ID_A, "东村"], ["李芳", ID_B, "东村"]]
    path = save(tmp_path / "two.xlsx", ("往年名册", old), ("名册", current))
    wb = openpyxl.load_workbook(path)
    wb["往年名册"].sheet_state = "hidden"
    wb.save(path)
    plan = plan_roster_import(store, user, path)
    assert plan.sheet == "名册" and plan.ok
    assert sorted(row["name"] for _, row in plan.new_rows) == ["张明", "李芳"]
    alone = save(tmp_path / "alone.xlsx", ("往年名册", old), ("说明", [["本表仅供参考"]]))
    wb = openpyxl.load_workbook(alone)
    wb["往年名册"].sheet_state = "hidden"
    wb.save(alone)
    assert plan_roster_import(store, user, alone).sheet == "往年名册"
