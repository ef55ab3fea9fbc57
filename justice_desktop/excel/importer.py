"""Import of the 法律明白人 roster and of training attendance from offices' spreadsheets.

Two steps, so nothing is written before the user has seen the problems:

1. :func:`plan_roster_import` / :func:`plan_attendance_import` read the file, pick the sheet
   and header row, map the columns (user mapping > remembered mapping > header synonyms),
   validate every row and return an :class:`ImportPlan`: the row-by-row problems in Chinese
   and what would be written. This is the dry run; it writes nothing.
2. :func:`apply_import` writes the plan in one transaction (outbox, audit and search index
   maintained, see :mod:`justice_desktop.store.imports`). A plan with problems is refused
   unless ``skip_invalid`` is given, in which case the rows with problems are left out.

Importing the same file twice creates no duplicates: a row matches an existing person by
ID number (or, for a row without one, by name and village). A matched person is **updated**
with the file's non-empty cells (so corrections made in the office's sheet come in; an
unchanged row writes nothing); a matched person who was removed (已清退) is skipped and
reported. Attendance adds people to a training's check-list and never removes anyone.

The mapping used is remembered per user and kind (``user_preferences``) when applied.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.understanders import UnderstanderInput, validate_understander
from justice_desktop.excel.reader import (
    FieldSpec,
    HeaderMatch,
    WorkbookError,
    cell_text,
    find_header,
    normalise_header,
    read_workbook,
)
from justice_desktop.store import imports as store_imports
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.database import Store
from justice_desktop.store.local_state import get_preference, set_preference
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import validate_date_text, validate_phone
from justice_desktop.validation.id_number import normalise_id_text, parse_resident_id

__all__ = [
    "ATTENDANCE_FIELDS",
    "ROSTER_FIELDS",
    "ImportOutcome",
    "ImportPlan",
    "RowIssue",
    "apply_import",
    "field_choices",
    "mapping_preference_key",
    "plan_attendance_import",
    "plan_roster_import",
    "remembered_mapping",
]

ROSTER_FIELDS: tuple[FieldSpec, ...] = (
    FieldSpec("name", "姓名", ("名字", "法律明白人姓名", "人员姓名")),
    FieldSpec(
        "id_number",
        "身份证号码",
        ("身份证号", "公民身份号码", "身份证", "身份证件号码", "证件号码", "公民身份证号码"),
    ),
    FieldSpec(
        "phone",
        "联系电话",
        ("电话", "手机", "手机号", "手机号码", "联系方式", "电话号码", "联系手机"),
    ),
    FieldSpec(
        "village",
        "所在村（社区）",
        (
            "村",
            "村（居）",
            "所在村",
            "村（社区）",
            "社区",
            "村居",
            "所属村",
            "村名",
            "所在村（居）",
            "村（居）名称",
            "行政村",
        ),
    ),
    FieldSpec("villager_group", "村民小组", ("小组", "组", "所在小组", "村民组", "组别")),
    FieldSpec("gender", "性别", ()),
    FieldSpec("ethnicity", "民族", ()),
    FieldSpec(
        "priority_group", "重点人群", ("人员类别", "身份类别", "优先人选", "人员类型", "身份")
    ),
    FieldSpec("nomination_route", "产生方式", ("推荐方式", "推选方式", "推荐途径", "产生途径")),
    FieldSpec("assessment_result", "考核结果", ("考核情况", "考核等次")),
    FieldSpec(
        "certificate_no",
        "证书（胸牌）编号",
        ("证书编号", "胸牌编号", "证书号", "胸牌号", "聘书编号"),
    ),
    FieldSpec("appointed_on", "聘任日期", ("聘任时间", "上岗日期", "上岗时间", "聘用日期")),
    FieldSpec("filed_on", "备案日期", ("备案时间",)),
)
ATTENDANCE_FIELDS: tuple[FieldSpec, ...] = tuple(
    f for f in ROSTER_FIELDS if f.key in ("name", "id_number", "phone", "village")
)
_REQUIRED = {
    "roster": (("name",), ("village",)),
    "attendance": (("name", "id_number"),),
}
_FIELDS = {"roster": ROSTER_FIELDS, "attendance": ATTENDANCE_FIELDS}
_LABELS = {f.key: f.label for f in ROSTER_FIELDS}
DEFAULT_NOMINATION_ROUTE = "other"
_ROUTE_WORDS = (
    ("自荐", "self"),
    ("党", "party_branch"),
    ("委会", "committee"),
    ("村委", "committee"),
    ("居委", "committee"),
    ("推荐", "committee"),
)
# a date followed by a time of day (hours 0–23, minutes and seconds 0–59)
_WITH_TIME = re.compile(r"(.+?)[ T](?:[01]?\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?")
_SKIP_WORDS = ("合计", "总计", "小计", "填表人", "制表人", "审核人", "填表说明", "说明：")


@dataclass(frozen=True)
class RowIssue:
    """A problem (blocks the row) or a notice (the row is skipped or read a certain way)."""

    row: int  # the Excel row number; 0 for the file as a whole
    column: str  # the header text of the column, or "" for the whole row
    message: str

    def text(self) -> str:
        where = f"第{self.row}行" if self.row else "文件"
        col = f"“{self.column}”列" if self.column else ""
        return f"{where}{col}：{self.message}"


@dataclass
class ImportPlan:
    """What an import would do: the dry-run result. See the module docstring."""

    kind: str  # "roster" or "attendance"
    path: Path
    sheet: str
    header_row: int
    columns: list[tuple[str, str | None]]  # (header text, field key or None) per column
    mapping: dict[str, str]  # normalised header → field key ("" = ignored) as used
    rows_read: int = 0
    problems: list[RowIssue] = field(default_factory=list)
    notices: list[RowIssue] = field(default_factory=list)
    new_rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    unchanged: int = 0
    training_id: str = ""
    training_title: str = ""
    attendees: list[tuple[int, str]] = field(default_factory=list)  # (row, understander id)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problem_rows(self) -> set[int]:
        return {p.row for p in self.problems}

    def summary(self) -> str:
        if self.kind == "roster":
            text = (
                f"共读取{self.rows_read}行：新增{len(self.new_rows)}人，"
                f"更新{len(self.updates)}人，无变化{self.unchanged}人"
            )
        else:
            text = (
                f"共读取{self.rows_read}行：《{self.training_title}》新增参训"
                f"{len(self.attendees)}人，已登记{self.unchanged}人"
            )
        if self.problems:
            text += f"，有问题的{len(self.problem_rows)}行"
        return text + "。"

    def report_lines(self) -> list[str]:
        """The report in Chinese, for the dialog or the command line."""
        lines = [
            f"文件：{self.path.name}，工作表“{self.sheet}”，表头在第{self.header_row}行。",
            "列对应："
            + "；".join(
                f"{h or '（空）'}→{_LABELS.get(k, k) if k else '不导入'}"
                for h, k in self.columns
                if h
            ),
            self.summary(),
        ]
        if self.problems:
            lines.append(
                f"发现{len(self.problems)}处问题（修改表格后重新导入；尚未写入任何记录）："
            )
            lines += [f"  {p.text()}" for p in self.problems]
        if self.notices:
            lines.append("提示：")
            lines += [f"  {n.text()}" for n in self.notices]
        return lines


@dataclass(frozen=True)
class ImportOutcome:
    kind: str
    added: int
    updated: int
    unchanged: int
    skipped_rows: int

    def text(self) -> str:
        if self.kind == "roster":
            text = f"已导入：新增{self.added}人，更新{self.updated}人，无变化{self.unchanged}人"
        else:
            text = f"已导入：新增参训{self.added}人，已登记{self.unchanged}人"
        if self.skipped_rows:
            text += f"，跳过有问题的{self.skipped_rows}行"
        return text + "。"


def mapping_preference_key(kind: str) -> str:
    return f"excel_import_mapping.{kind}"


def remembered_mapping(store: Store, user_id: str, kind: str) -> dict[str, str]:
    """The column mapping remembered for ``user_id`` (normalised header → field key)."""
    value = get_preference(store, user_id, mapping_preference_key(kind), {})
    if not isinstance(value, dict):
        return {}
    return {str(k): str(v) for k, v in value.items()}


def _remember(store: Store, user_id: str, kind: str, used: Mapping[str, str]) -> None:
    merged = remembered_mapping(store, user_id, kind)
    merged.update(used)
    set_preference(store, user_id, mapping_preference_key(kind), merged)


# -- reading rows ----------------------------------------------------------------------------
def _locate(
    store: Store, user_id: str, kind: str, path: Path, mapping: Mapping[str, str] | None
) -> tuple[HeaderMatch, dict[str, str]]:
    sheets = read_workbook(path)
    effective = remembered_mapping(store, user_id, kind)
    effective.update({normalise_header(k): v for k, v in (mapping or {}).items()})
    fields = _FIELDS[kind]
    match = find_header(sheets, fields, _REQUIRED[kind], effective)
    if match is None:
        need = "“姓名”和“所在村（社区）”" if kind == "roster" else "“姓名”或“身份证号码”"
        raise WorkbookError(
            f"文件“{Path(path).name}”的工作表中没有找到包含{need}列标题的表头（只查看每个工作表"
            f"的前30行）。请检查表头，或在导入时指定各列对应的内容。"
        )
    used = {normalise_header(h): match.fields.get(i, "") for i, h in enumerate(match.headers) if h}
    return match, used


def _data_rows(match: HeaderMatch) -> list[tuple[int, dict[str, Any], dict[str, str]]]:
    """(Excel row number, field → raw value, field → why its cell could not be read) of
    every row below the header with a value (a formula without its result counts as one)."""
    out = []
    header_texts = {k: normalise_header(match.headers[i]) for i, k in match.fields.items()}
    unreadable = match.sheet.unreadable
    for offset, row in enumerate(match.sheet.rows[match.header_row :]):
        row_no = match.header_row + 1 + offset
        values = {k: row[i] if i < len(row) else None for i, k in match.fields.items()}
        texts = {k: cell_text(v) for k, v in values.items()}
        bad = (
            {
                k: unreadable[(row_no, i)]
                for i, k in match.fields.items()
                if (row_no, i) in unreadable
            }
            if unreadable
            else {}
        )
        if not any(texts.values()) and not bad:
            continue  # empty or only unmapped cells (序号, footnotes in an unmapped column)
        if not bad and all(normalise_header(t) == header_texts[k] for k, t in texts.items() if t):
            continue  # the header repeated (a two-row header merged down, a printed page)
        first = next((t for t in texts.values() if t), "")
        if any(first.startswith(w) for w in _SKIP_WORDS):
            continue
        out.append((row_no, values, bad))
    return out


_NAME_DOTS = str.maketrans(dict.fromkeys("•・‧∙⋅.", "·"))
"""Dots typed between the parts of a transliterated name (买买提·艾力) in other forms."""


def _name(value: Any) -> str:
    """A name as compared and stored: full-width folded, no spaces, and its separating dot
    as ``·`` whichever dot was typed (a sheet's 买买提•艾力 is the roster's 买买提·艾力)."""
    text = unicodedata.normalize("NFKC", cell_text(value))
    return "".join(text.split()).translate(_NAME_DOTS)


def _id_text(value: Any, issues: list[str]) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = cell_text(value)
        if len(digits) > 15:
            issues.append(
                "身份证号码被存成了数字，Excel只保留15位有效数字，末几位可能已丢失。"
                "请把该列设置为“文本”格式后重新填写"
            )
            return ""
        return digits
    return normalise_id_text(cell_text(value))


def _date(value: Any, label: str) -> date | None:
    if value is None or cell_text(value) == "":
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool) and 1 < value < 80000:
        if float(value).is_integer() and 1900 <= value <= 2100:
            # a year typed as a number, not the day serial it would be (1905)
            raise ValidationError(
                "date", f"{label}只填写了年份“{int(value)}”，请填写完整日期（如2025-01-31）"
            )
        return date(1899, 12, 30) + timedelta(days=int(value))
    text = unicodedata.normalize("NFKC", cell_text(value)).strip()
    timed = _WITH_TIME.fullmatch(text)
    if timed is not None:  # "2024-03-01 00:00:00" as web systems export dates
        text = timed.group(1)
    if text.endswith("号"):  # 3月2号, as it is said
        text = text[:-1] + "日"
    return validate_date_text(text, "date", label)


def _code(table: CodeTable | None, text: str) -> str | None:
    if table is None or not text:
        return None
    if table.has(text):
        return text
    code = table.code_for_label(text)
    if code is None and table.name == "ethnicities" and not text.endswith("族"):
        code = table.code_for_label(text + "族")
    return code


def _route(table: CodeTable | None, text: str) -> str | None:
    found = _code(table, text)
    if found is not None:
        return found
    key = unicodedata.normalize("NFKC", text)
    for word, code in _ROUTE_WORDS:
        if word in key and (table is None or table.has(code)):
            return code
    return None


# -- the roster --------------------------------------------------------------------------------
def plan_roster_import(
    store: Store,
    user_id: str,
    path: Path,
    *,
    mapping: Mapping[str, str] | None = None,
    tables: Mapping[str, CodeTable] | None = None,
) -> ImportPlan:
    """Dry run of a roster import. ``mapping``: header text → field key (see
    :data:`ROSTER_FIELDS`; "" to ignore a column), over the remembered mapping and the
    synonyms. Raises :class:`WorkbookError` for a file that cannot be read."""
    codes = dict(tables) if tables is not None else load_tables(store)
    match, used = _locate(store, user_id, "roster", path, mapping)
    plan = ImportPlan(
        "roster",
        Path(path),
        match.sheet.name,
        match.header_row,
        [(h, match.fields.get(i)) for i, h in enumerate(match.headers)],
        used,
    )
    header_of = {k: match.headers[i] for i, k in match.fields.items()}
    for name in match.other_sheets:
        plan.notices.append(RowIssue(0, "", f"工作表“{name}”未导入（只导入“{match.sheet.name}”）"))
    mapped = set(match.fields.values())
    if "nomination_route" not in mapped:
        plan.notices.append(
            RowIssue(0, "", "表中没有“产生方式”列，全部登记为“其他”，导入后可逐个修改")
        )
    existing = store_imports.existing_understanders(store)
    by_id = {str(u["id_number"]): u for u in existing if u["id_number"]}
    by_name: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for u in existing:
        by_name.setdefault((_name(u["name"]), str(u["village"])), []).append(u)
    label_cache: dict[tuple[str, str], str | None] = {}
    seen_id: dict[str, int] = {}
    seen_name: dict[tuple[str, str], int] = {}  # every row's name and village
    seen_name_no_id: dict[tuple[str, str], int] = {}  # those of rows without an ID number
    today = store.clock().date()
    rows = _data_rows(match)
    plan.rows_read = len(rows)
    for row_no, values, unreadable in rows:
        problems: list[tuple[str, str]] = []

        def problem(key: str, message: str, _p: list[tuple[str, str]] = problems) -> None:
            _p.append((header_of.get(key, _LABELS.get(key, "")), message))

        for key, why in unreadable.items():
            problem(key, why)

        id_issues: list[str] = []
        id_number = _id_text(values.get("id_number"), id_issues)
        for m in id_issues:
            problem("id_number", m)
        gender_text = cell_text(values.get("gender")).replace("性", "")
        entry = UnderstanderInput(
            name=_name(values.get("name")),
            village=unicodedata.normalize("NFKC", cell_text(values.get("village"))).strip(),
            nomination_route=DEFAULT_NOMINATION_ROUTE,
            id_number=id_number,
            gender=gender_text or None,
            phone=cell_text(values.get("phone")),
            villager_group=cell_text(values.get("villager_group")),
            assessment_result=cell_text(values.get("assessment_result")),
            certificate_no=cell_text(values.get("certificate_no")),
        )
        if entry.gender not in (None, "男", "女"):
            problem("gender", f"性别应填“男”或“女”，表中为“{gender_text}”")
            entry.gender = None
        if not entry.name and "name" not in unreadable:
            problem("name", "缺少姓名")
        if not entry.village and "village" not in unreadable:
            problem("village", "缺少所在村（社区）")
        if entry.phone:
            try:
                entry.phone = validate_phone(entry.phone)
            except ValidationError as exc:
                problem("phone", exc.message)
                entry.phone = ""
        for key, table in (
            ("nomination_route", "nomination_routes"),
            ("priority_group", "understander_priority_groups"),
            ("ethnicity", "ethnicities"),
        ):
            text = cell_text(values.get(key))
            if not text:
                continue
            finder = _route if key == "nomination_route" else _code
            cache_key = (table, text)
            if cache_key not in label_cache:
                label_cache[cache_key] = finder(codes.get(table), text)
            code = label_cache[cache_key]
            if code is None:
                choices = (
                    "、".join(e.label for e in codes[table].top_level()) if table in codes else ""
                )
                problem(
                    key,
                    f"“{text}”不在可选项中"
                    + (f"（可选：{choices}）" if choices and key != "ethnicity" else ""),
                )
            elif key == "nomination_route":
                entry.nomination_route = code
            elif key == "priority_group":
                entry.priority_group = code
            else:
                entry.ethnicity = code
        for key, label in (("appointed_on", "聘任日期"), ("filed_on", "备案日期")):
            try:
                d = _date(values.get(key), label)
            except ValidationError as exc:
                problem(key, exc.message)
                continue
            if d is not None and d > today:
                problem(key, f"{label}不能晚于今天")
            elif key == "appointed_on":
                entry.appointed_on = d
            else:
                entry.filed_on = d
        person_key = (entry.name, entry.village)
        if entry.id_number:
            first = seen_id.setdefault(entry.id_number, row_no)
            if first != row_no:
                problem("id_number", f"与第{first}行的身份证号码重复")
            elif person_key in seen_name_no_id:  # that row may be this person
                first = seen_name_no_id[person_key]
                problem(
                    "name",
                    f"与第{first}行姓名、村相同而第{first}行没有身份证号码；"
                    "如是同一人请删去一行，如确是两个人请都填写身份证号码",
                )
        elif entry.name and entry.village:
            first = seen_name.get(person_key, row_no)
            if first != row_no:
                problem("name", f"与第{first}行姓名、村相同；如确是两个人，请填写身份证号码")
            seen_name_no_id.setdefault(person_key, row_no)
            same = by_name.get(person_key, [])
            if len(same) > 1:
                problem(
                    "name",
                    f"名册中已有{len(same)}个{entry.village}的“{entry.name}”，"
                    "无法确定是哪一位，请填写身份证号码",
                )
        if entry.name and entry.village:
            seen_name.setdefault(person_key, row_no)
        if problems and id_number:  # report a bad ID number along with the other problems
            try:
                rid = parse_resident_id(id_number, today=today)
                if entry.gender and entry.gender != rid.gender:
                    problem(
                        "gender", f"性别填写为“{entry.gender}”，与身份证号码（{rid.gender}）不一致"
                    )
            except ValidationError as exc:
                problem("id_number", exc.message)
        if not problems:  # the ID number is checked (once) here
            phone, entry.phone = entry.phone, ""  # checked above: not twice
            try:
                valid = validate_understander(entry, codes, today)
                valid["phone"] = phone
            except ValidationError as exc:
                problem(exc.field, exc.message.rstrip("。"))
        if problems:
            plan.problems += [RowIssue(row_no, col, msg) for col, msg in problems]
            continue
        current = by_id.get(entry.id_number) if entry.id_number else None
        if current is None:
            same = by_name.get((entry.name, entry.village), [])
            candidates = [c for c in same if not c["id_number"] or not entry.id_number]
            if len(candidates) == 1:
                current = candidates[0]
        if current is None:
            plan.new_rows.append((row_no, valid))
            continue
        if current["status"] != "active":
            plan.notices.append(
                RowIssue(row_no, "", f"{entry.name}已于{current['removed_on'] or ''}清退，未导入")
            )
            continue
        changes = _changes(valid, current, mapped)
        if changes:
            plan.updates.append((row_no, str(current["id"]), changes))
        else:
            plan.unchanged += 1
    return plan


def _changes(valid: dict[str, Any], current: Mapping[str, Any], mapped: set[str]) -> dict[str, Any]:
    """The fields of ``valid`` the file really gives (mapped and not empty) that differ."""
    fields = set(mapped) & set(valid)
    if "id_number" in fields and valid.get("id_number"):
        fields |= {"gender", "birth_date"}
    out: dict[str, Any] = {}
    for key in fields:
        value = valid.get(key)
        if value is None or value == "":
            continue
        if key == "nomination_route" and "nomination_route" not in mapped:
            continue
        if current.get(key) != value:
            out[key] = value
    return out


# -- attendance --------------------------------------------------------------------------------
def plan_attendance_import(
    store: Store,
    user_id: str,
    path: Path,
    training: str,
    *,
    mapping: Mapping[str, str] | None = None,
) -> ImportPlan:
    """Dry run of importing who attended ``training`` (its id or its exact topic)."""
    found = store_imports.find_trainings(store, training)
    if not found:
        raise ValidationError(
            "training", f"没有找到培训“{training}”，请填写培训编号或完整的培训主题。"
        )
    if len(found) > 1:
        options = "；".join(f"{t['held_on']} 编号 {t['id']}" for t in found[:10])
        raise ValidationError(
            "training", f"有{len(found)}次培训的主题都是“{training}”，请改用培训编号：{options}"
        )
    chosen = found[0]
    match, used = _locate(store, user_id, "attendance", path, mapping)
    plan = ImportPlan(
        "attendance",
        Path(path),
        match.sheet.name,
        match.header_row,
        [(h, match.fields.get(i)) for i, h in enumerate(match.headers)],
        used,
        training_id=str(chosen["id"]),
        training_title=f"{chosen['held_on']} {chosen['topic']}",
    )
    header_of = {k: match.headers[i] for i, k in match.fields.items()}
    for name in match.other_sheets:
        plan.notices.append(RowIssue(0, "", f"工作表“{name}”未导入（只导入“{match.sheet.name}”）"))
    existing = store_imports.existing_understanders(store)
    by_id = {str(u["id_number"]): u for u in existing if u["id_number"]}
    by_name: dict[str, list[dict[str, Any]]] = {}
    for u in existing:
        by_name.setdefault(_name(u["name"]), []).append(u)
    _, already = _attended(store, plan.training_id)
    seen: dict[str, int] = {}
    rows = _data_rows(match)
    plan.rows_read = len(rows)
    for row_no, values, unreadable in rows:
        # only cells the row is matched by: the phone never is, the village only without
        # an ID number (a sign-in sheet's VLOOKUP of them shows #N/A where it missed)
        needed = {
            k: why
            for k, why in unreadable.items()
            if k != "phone"
            and not (
                k == "village"
                and "id_number" not in unreadable
                and cell_text(values.get("id_number")).strip()
            )
        }
        if needed:
            plan.problems += [
                RowIssue(row_no, header_of.get(k, _LABELS.get(k, "")), why)
                for k, why in needed.items()
            ]
            continue
        issues: list[str] = []
        id_number = _id_text(values.get("id_number"), issues)
        name = _name(values.get("name"))
        village = unicodedata.normalize("NFKC", cell_text(values.get("village"))).strip()
        person: dict[str, Any] | None = None
        column = header_of.get("id_number", "")
        if issues:
            plan.problems += [RowIssue(row_no, column, m) for m in issues]
            continue
        if id_number:
            person = by_id.get(id_number)
            if person is None:
                plan.problems.append(
                    RowIssue(
                        row_no, column, f"名册中没有身份证号码为{id_number[:6]}…的人，请先导入名册"
                    )
                )
                continue
            if name and _name(person["name"]) != name:  # a mistyped number of someone else
                plan.problems.append(
                    RowIssue(
                        row_no,
                        column,
                        f"该身份证号码在名册中是“{person['name']}”，与表中姓名“{name}”不符，请核对",
                    )
                )
                continue
        else:
            column = header_of.get("name", "")
            if not name:
                plan.problems.append(RowIssue(row_no, column, "缺少姓名和身份证号码"))
                continue
            same = by_name.get(name, [])
            if village:
                same = [u for u in same if u["village"] == village]
            if not same:
                plan.problems.append(RowIssue(row_no, column, f"名册中没有“{name}”，请先导入名册"))
                continue
            if len(same) > 1:
                plan.problems.append(
                    RowIssue(
                        row_no, column, f"名册中有{len(same)}个“{name}”，请填写身份证号码或所在村"
                    )
                )
                continue
            person = same[0]
        pid = str(person["id"])
        if person["status"] != "active":
            plan.problems.append(
                RowIssue(row_no, column, f"{person['name']}已清退，不能登记参加培训")
            )
            continue
        if pid in seen:
            plan.notices.append(RowIssue(row_no, "", f"与第{seen[pid]}行是同一人，只登记一次"))
            continue
        seen[pid] = row_no
        if pid in already:
            plan.unchanged += 1
        else:
            plan.attendees.append((row_no, pid))
    return plan


def _attended(store: Store, training_id: str) -> tuple[str, set[str]]:
    from justice_desktop.store.understanders import load_training

    row, ids = load_training(store, training_id)
    return str(row["id"]), set(ids)


# -- applying ------------------------------------------------------------------------------------
def apply_import(
    store: Store, user_id: str, plan: ImportPlan, *, skip_invalid: bool = False
) -> ImportOutcome:
    """Write ``plan`` in one transaction and remember its column mapping for ``user_id``.

    A plan with problems raises :class:`ValidationError` (nothing written) unless
    ``skip_invalid``: then only the rows without problems are written."""
    if plan.problems and not skip_invalid:
        raise ValidationError(
            "file",
            f"表格中有{len(plan.problem_rows)}行存在问题，未写入任何记录。请修改后重新导入，"
            "或选择跳过有问题的行。",
        )
    skipped = len(plan.problem_rows)
    summary = f"{plan.path.name};{plan.sheet};{plan.summary()}"
    if plan.kind == "roster":
        store_imports.apply_roster_import(
            store,
            user_id,
            [values for _, values in plan.new_rows],
            [(uid, changes) for _, uid, changes in plan.updates],
            summary,
        )
        outcome = ImportOutcome(
            "roster", len(plan.new_rows), len(plan.updates), plan.unchanged, skipped
        )
    else:
        added = store_imports.apply_attendance_import(
            store, user_id, plan.training_id, [pid for _, pid in plan.attendees], summary
        )
        outcome = ImportOutcome("attendance", added, 0, plan.unchanged, skipped)
    _remember(store, user_id, plan.kind, plan.mapping)
    return outcome


def field_choices(kind: str) -> list[tuple[str, str]]:
    """(field key, Chinese label) a column can be mapped to, for the mapping dialog."""
    return [(f.key, f.label) for f in _FIELDS[kind]]
