"""Code tables: the shipped data, the loader, office additions and their codes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from justice_desktop.codes import (
    TABLE_NAMES,
    CodeEntry,
    CodeTable,
    default_resources_dir,
    load_code_tables,
    validate_addition,
)
from justice_desktop.validation.errors import ValidationError

REPO_RESOURCES = Path(__file__).resolve().parents[2] / "resources"
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(autouse=True)
def _no_resources_override(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JUSTICE_RESOURCES_DIR", raising=False)


@pytest.fixture(scope="module")
def tables() -> dict[str, CodeTable]:
    return load_code_tables(REPO_RESOURCES)


def _write_table(root: Path, name: str, entries: list[dict[str, object]], **extra: object) -> None:
    codes = root / "codes"
    codes.mkdir(parents=True, exist_ok=True)
    doc = {"table": name, "title": "测试表", "version": 1, "entries": entries, **extra}
    (codes / f"{name}.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")


# --- shipped data --------------------------------------------------------------------------


def test_all_tables_present_and_well_formed(tables: dict[str, CodeTable]) -> None:
    assert set(tables) == set(TABLE_NAMES)
    for table in tables.values():
        assert table.version >= 1
        assert CJK.search(table.title), table.name
        assert len(table) > 0
        for entry in table:
            assert re.fullmatch(r"[A-Za-z0-9_]+", entry.code), entry
            assert CJK.search(entry.label), entry
            assert not entry.office_added


def test_default_resources_dir_is_repo_resources(monkeypatch: pytest.MonkeyPatch) -> None:
    assert default_resources_dir() == REPO_RESOURCES
    assert set(load_code_tables()) == set(TABLE_NAMES)
    monkeypatch.setenv("JUSTICE_RESOURCES_DIR", "/somewhere/else")
    assert default_resources_dir() == Path("/somewhere/else")


def test_env_override_is_used_by_loader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _write_table(tmp_path, "risk_levels", [{"code": "x", "label": "仅测试"}])
    monkeypatch.setenv("JUSTICE_RESOURCES_DIR", str(tmp_path))
    loaded = load_code_tables()
    assert list(loaded) == ["risk_levels"]
    assert loaded["risk_levels"].label("x") == "仅测试"


def test_dispute_types(tables: dict[str, CodeTable]) -> None:
    disputes = tables["dispute_types"]
    top = [e.label for e in disputes.top_level()]
    assert top == [
        "婚姻家庭",
        "邻里",
        "房屋宅基地",
        "合同",
        "生产经营",
        "损害赔偿",
        "山林土地",
        "征地拆迁",
        "环境污染",
        "劳动争议",
        "消费",
        "医疗",
        "道路交通事故",
        "物业",
        "其他",
    ]
    assert [e.label for e in disputes.children("labour")] == ["拖欠农民工工资", "其他劳动争议"]
    assert [e.label for e in disputes.children("consumer")] == ["旅游", "电子商务", "其他消费"]
    assert disputes.children("marriage_family") == []
    assert disputes.label("marriage_family") == "婚姻家庭"
    assert disputes.entry("labour_unpaid_wages").parent == "labour"
    assert disputes.path_label("labour_unpaid_wages") == "劳动争议／拖欠农民工工资"
    assert not disputes.has("finance")


def test_case_sources(tables: dict[str, CodeTable]) -> None:
    sources = tables["case_sources"]
    assert [e.code for e in sources.top_level()] == ["applied", "proactive", "referred"]
    assert [e.code for e in sources.children("referred")] == [
        "court_assigned",
        "court_entrusted",
        "procuratorate",
        "police",
        "petition",
        "other_dept",
    ]
    assert sources.label("court_assigned") == "法院委派"
    assert sources.label("court_entrusted") == "法院委托"
    assert sources.code_for_label("当事人申请") == "applied"


def test_small_tables(tables: dict[str, CodeTable]) -> None:
    assert [e.label for e in tables["body_types"]] == [
        "村调委会",
        "居调委会",
        "乡镇调委会",
        "街道调委会",
        "企事业单位调委会",
        "行业性专业性调委会",
        "社会团体和其他组织调委会",
    ]
    assert tables["adviser_service_kinds"].label("lecture") == "法律知识宣传（法治讲座）"
    assert tables["understander_statuses"].codes() == ["active", "removed"]
    assert tables["risk_levels"].codes() == ["low", "medium", "high"]
    assert tables["consultation_referrals"].codes() == [
        "none",
        "mediation",
        "legal_aid",
        "litigation",
        "other_dept",
    ]
    assert [e.label for e in tables["retention_periods"]] == ["永久", "定期30年", "定期10年"]
    assert len(tables["id_types"]) == 7
    assert tables["id_types"].label("resident_id") == "居民身份证"
    assert len(tables["consultation_categories"]) == 13
    assert [e.label for e in tables["consultation_modes"]] == ["实地", "远程", "预约"]


def test_ethnicities_follow_gb3304(tables: dict[str, CodeTable]) -> None:
    ethnic = tables["ethnicities"]
    assert ethnic.codes() == [f"{n:02d}" for n in range(1, 57)] + ["97", "98"]
    assert ethnic.label("01") == "汉族"
    assert ethnic.label("02") == "蒙古族"
    assert ethnic.label("10") == "朝鲜族"
    assert ethnic.label("36") == "毛南族"
    assert ethnic.label("46") == "德昂族"
    assert ethnic.label("56") == "基诺族"
    assert ethnic.label("98") == "外国血统中国籍人士"
    assert len({e.label for e in ethnic}) == 58
    assert all(e.label.endswith("族") for e in ethnic if int(e.code) <= 56)


def test_regions_hierarchy(tables: dict[str, CodeTable]) -> None:
    regions = tables["regions"]
    towns = regions.top_level()
    assert len(towns) == 2
    for town in towns:
        villages = regions.children(town.code)
        assert len(villages) >= 8
    village = regions.children(towns[0].code)[0]
    groups = [e.label for e in regions.children(village.code)]
    assert groups == ["第一村民小组", "第二村民小组", "第三村民小组", "第四村民小组"]
    # the same group label exists under every village: ambiguous without a parent
    assert regions.code_for_label("第一村民小组") is None
    assert regions.code_for_label("第一村民小组", parent=village.code) == f"{village.code}_g1"


def test_code_for_label_ignores_width_and_spaces(tables: dict[str, CodeTable]) -> None:
    routes = tables["nomination_routes"]
    assert routes.code_for_label("村(居)委会推荐") == "committee"
    assert routes.code_for_label(" 个人 自荐 ") == "self"
    assert routes.code_for_label("不存在") is None


def test_unknown_code_message(tables: dict[str, CodeTable]) -> None:
    with pytest.raises(ValidationError) as excinfo:
        tables["dispute_types"].label("no_such_code")
    assert excinfo.value.message == "“纠纷类型”中没有代码“no_such_code”，请重新选择"
    assert excinfo.value.field == "dispute_types"
    with pytest.raises(ValidationError) as excinfo:
        tables["case_sources"].label("x", field="source")
    assert excinfo.value.field == "source"


# --- office additions ----------------------------------------------------------------------


def test_office_addition_survives_reload(tables: dict[str, CodeTable]) -> None:
    code = validate_addition(tables, "dispute_types", "金融", None)
    assert re.fullmatch(r"office_[0-9a-f]{8}", code)
    stored = [("dispute_types", code, "金融", None)]  # what the store would persist
    first = load_code_tables(REPO_RESOURCES, stored)
    second = load_code_tables(REPO_RESOURCES, stored)
    for loaded in (first, second):
        disputes = loaded["dispute_types"]
        assert disputes.label(code) == "金融"
        assert disputes.entry(code) == CodeEntry(code, "金融", None, True)
        assert disputes.top_level()[-1].code == code
        assert disputes.code_for_label("金融") == code
    # the base tables themselves are untouched
    assert not tables["dispute_types"].has(code)
    # the code is stable: the same request gives the same code again
    assert validate_addition(tables, "dispute_types", "金融", None) == code


def test_office_child_addition_and_duplicate_refusal(tables: dict[str, CodeTable]) -> None:
    code = validate_addition(tables, "dispute_types", "网络购物", "consumer")
    loaded = load_code_tables(REPO_RESOURCES, [("dispute_types", code, "网络购物", "consumer")])
    disputes = loaded["dispute_types"]
    assert [e.label for e in disputes.children("consumer")][-1] == "网络购物"
    assert disputes.path_label(code) == "消费／网络购物"
    with pytest.raises(ValidationError) as excinfo:
        validate_addition(loaded, "dispute_types", "网络购物", "consumer")
    assert excinfo.value.message == "“纠纷类型”“消费”下已有“网络购物”，不能重复添加"
    # the same label under another parent is fine and gets another code
    other = validate_addition(loaded, "dispute_types", "网络购物", "labour")
    assert other != code


def test_duplicate_base_label_refused(tables: dict[str, CodeTable]) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_addition(tables, "dispute_types", " 物业 ", None)
    assert excinfo.value.message == "“纠纷类型”已有“物业”，不能重复添加"
    assert excinfo.value.field == "label"
    with pytest.raises(ValidationError) as excinfo:
        validate_addition(tables, "nomination_routes", "村(居)委会推荐", None)
    assert "不能重复添加" in excinfo.value.message


@pytest.mark.parametrize(
    ("table", "label", "parent", "field", "fragment"),
    [
        ("no_table", "金融", None, "table", "没有名为“no_table”的代码表"),
        ("dispute_types", "  ", None, "label", "请填写要添加到“纠纷类型”的名称"),
        ("dispute_types", "字" * 31, None, "label", "不能超过30个字（当前31个字）"),
        ("dispute_types", "金融", "nope", "parent", "没有上级代码“nope”"),
    ],
)
def test_validate_addition_errors(
    tables: dict[str, CodeTable],
    table: str,
    label: str,
    parent: str | None,
    field: str,
    fragment: str,
) -> None:
    with pytest.raises(ValidationError) as excinfo:
        validate_addition(tables, table, label, parent)
    assert excinfo.value.field == field
    assert fragment in excinfo.value.message


def test_addition_with_existing_code_is_ignored(tmp_path: Path) -> None:
    """An upgrade that ships the office's code itself must not produce two entries."""
    _write_table(tmp_path, "dispute_types", [{"code": "other", "label": "其他"}])
    base = load_code_tables(tmp_path)
    code = validate_addition(base, "dispute_types", "金融", None)
    additions = [("dispute_types", code, "金融", None)]
    before = load_code_tables(tmp_path, additions)["dispute_types"]
    assert before.codes() == ["other", code]
    assert before.entry(code).office_added
    # version 2 of the table now contains the same code
    _write_table(
        tmp_path,
        "dispute_types",
        [{"code": "other", "label": "其他"}, {"code": code, "label": "金融"}],
        version=2,
    )
    after = load_code_tables(tmp_path, additions)["dispute_types"]
    assert after.version == 2
    assert after.codes() == ["other", code]
    assert not after.entry(code).office_added
    # duplicated rows in the store are also harmless
    twice = load_code_tables(tmp_path, additions + additions)["dispute_types"]
    assert twice.codes() == ["other", code]


def test_addition_superseded_by_upgrade_with_same_label(tmp_path: Path) -> None:
    """The upgrade ships 金融 under its own code: old records keep their label, pickers
    show 金融 once, statistics count the office code under the new one."""
    _write_table(
        tmp_path,
        "dispute_types",
        [{"code": "finance", "label": "金融"}, {"code": "other", "label": "其他"}],
    )
    disputes = load_code_tables(tmp_path, [("dispute_types", "office_1234abcd", "金融", None)])[
        "dispute_types"
    ]
    assert disputes.label("office_1234abcd") == "金融"
    assert [e.code for e in disputes.top_level()] == ["finance", "other"]
    assert disputes.entry("office_1234abcd").superseded_by == "finance"
    assert disputes.canonical("office_1234abcd") == "finance"
    assert disputes.canonical("other") == "other"
    assert disputes.code_for_label("金融") == "finance"


def test_addition_parent_order_and_orphans(tmp_path: Path) -> None:
    _write_table(tmp_path, "regions", [{"code": "t01", "label": "柳河镇"}])
    additions = [
        ("regions", "office_child", "第五村民小组", "office_village"),
        ("regions", "office_village", "新建村", "t01"),
        ("regions", "office_orphan", "旧村", "gone"),
        ("no_such_table", "office_x", "无", None),
    ]
    regions = load_code_tables(tmp_path, additions)["regions"]
    assert regions.entry("office_child").parent == "office_village"
    assert regions.entry("office_village").parent == "t01"
    assert regions.entry("office_orphan").parent is None
    assert [e.code for e in regions.top_level()] == ["t01", "office_orphan"]


# --- malformed resource files --------------------------------------------------------------


@pytest.mark.parametrize(
    ("doc", "fragment"),
    [
        ({"table": "wrong", "version": 1, "entries": [{"code": "a", "label": "甲"}]}, "文件名"),
        ({"table": "t", "version": 0, "entries": [{"code": "a", "label": "甲"}]}, "version"),
        ({"table": "t", "version": 1, "entries": []}, "非空列表"),
        ({"table": "t", "version": 1, "entries": [{"code": "甲", "label": "甲"}]}, "代码“甲”"),
        (
            {
                "table": "t",
                "version": 1,
                "entries": [{"code": "a", "label": "甲"}, {"code": "a", "label": "乙"}],
            },
            "代码“a”重复",
        ),
        (
            {
                "table": "t",
                "version": 1,
                "entries": [{"code": "a", "label": "甲"}, {"code": "b", "label": "甲"}],
            },
            "名称“甲”重复",
        ),
        ({"table": "t", "version": 1, "entries": [{"code": "a", "lable": "甲"}]}, "未知的字段"),
    ],
)
def test_malformed_files_rejected(tmp_path: Path, doc: dict[str, object], fragment: str) -> None:
    codes = tmp_path / "codes"
    codes.mkdir()
    (codes / "t.json").write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        load_code_tables(tmp_path)
    assert "代码表文件“t.json”有误" in excinfo.value.message
    assert fragment in excinfo.value.message


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as excinfo:
        load_code_tables(tmp_path / "nothing")
    assert "找不到代码表目录" in excinfo.value.message


def test_broken_json(tmp_path: Path) -> None:
    codes = tmp_path / "codes"
    codes.mkdir()
    (codes / "t.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        load_code_tables(tmp_path)
    assert "无法读取" in excinfo.value.message
