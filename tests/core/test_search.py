"""The search index (justice_desktop/store/search.py) on real sqlcipher3 connections."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlcipher3

from justice_desktop.store import search as search_module
from justice_desktop.store.search import (
    SEARCH_DDL,
    TIER_CASE_NUMBER,
    TIER_EXACT_NAME,
    TIER_NAME,
    TIER_NUMBER,
    TIER_PINYIN,
    TIER_TEXT,
    SearchDoc,
    SearchHit,
    index_document,
    index_documents_bulk,
    mask_id_number,
    mask_personal_numbers,
    mask_phone,
    name_initials,
    remove_document,
    search,
    search_hint,
)

ID_ZHANGSAN = "110105199001010020"
ID_LISI = "12010119851231002X"
PHONE_ZHANGSAN = "13812345678"
PHONE_LISI = "13987654321"


@pytest.fixture
def conn(tmp_path: Path) -> Iterator[Any]:
    c = sqlcipher3.connect(str(tmp_path / "search.db"), isolation_level=None)
    for sql in SEARCH_DDL:
        c.execute(sql)
    yield c
    c.close()


def add_case(
    conn: Any,
    ref: str,
    names: list[str],
    *,
    number: str = "",
    ids: tuple[str, ...] = (),
    phones: tuple[str, ...] = (),
    summary: str = "",
    title: str | None = None,
    subtitle: str = "",
) -> None:
    index_document(
        conn,
        "case",
        ref,
        title=title if title is not None else f"{number} {'与'.join(names)}",
        subtitle=subtitle,
        names=names,
        numbers=[*ids, *phones],
        codes=[number] if number else [],
        text=[summary] if summary else [],
    )


def refs(hits: list[SearchHit]) -> list[str]:
    return [h.ref_id for h in hits]


def tiers(hits: list[SearchHit]) -> dict[str, int]:
    return {h.ref_id: h.tier for h in hits}


@pytest.fixture
def sample(conn: Any) -> Any:
    """Indexed oldest first: c1 … c6, u1, q1."""
    add_case(
        conn,
        "c1",
        ["张三", "李四"],
        number="（2025）津河人调字第123号",
        ids=(ID_ZHANGSAN, ID_LISI),
        phones=(PHONE_ZHANGSAN, PHONE_LISI),
        summary="张三向李四借款五万元，到期未还，双方发生争执。",
    )
    add_case(
        conn,
        "c2",
        ["张三丰", "王五"],
        number="（2025）津河人调字第1234号",
        ids=("120102197705050011",),
        phones=("13700001111",),
        summary="楼上卫生间漏水，损坏楼下天花板。",
    )
    add_case(
        conn,
        "c3",
        ["王小明", "赵六"],
        number="（2024）津河人调字第12号",
        summary="邻里之间因噪音问题发生纠纷，经调解达成协议。",
    )
    add_case(
        conn,
        "c4",
        ["孙七", "周八"],
        number="（2025）津河人调字第7号",
        summary="孙七称张三曾答应帮忙修车，后来反悔。",
    )
    add_case(
        conn, "c5", ["单雄信", "曾国华"], number="（2025）津河人调字第8号", summary="宅基地边界纠纷"
    )
    add_case(conn, "c6", ["张四"], number="（2025）津河人调字第9号", summary="物业费")
    index_document(
        conn,
        "understander",
        "u1",
        title="法律明白人 王芳",
        subtitle="幸福村",
        names=["王芳"],
        numbers=["120101199203030044", "13611112222"],
        text=["幸福村 村民小组长"],
    )
    index_document(
        conn,
        "consultation",
        "q1",
        title="法律咨询 张三",
        subtitle="2025-06-01",
        names=["张三"],
        numbers=["13655556666"],
        text=["老板拖欠三个月工资怎么办"],
    )
    return conn


# --------------------------------------------------------------------------- names


def test_one_character_name_finds_every_holder_newest_first(sample: Any) -> None:
    hits = search(sample, "王")
    assert refs(hits) == ["u1", "c3", "c2"]
    assert all(h.tier == TIER_NAME for h in hits)
    assert [h.matched for h in hits] == ["王芳", "王小明", "王五"]


def test_two_character_name_exact_before_containing(sample: Any) -> None:
    hits = search(sample, "张三")
    t = tiers(hits)
    assert refs(hits)[:2] == ["q1", "c1"]  # exact name, newest first
    assert t["q1"] == t["c1"] == TIER_EXACT_NAME
    assert t["c2"] == TIER_NAME  # 张三丰 contains 张三
    assert t["c4"] == TIER_TEXT  # only the summary mentions 张三
    assert "c6" not in t  # 张四 is not 张三
    assert refs(hits).index("c2") < refs(hits).index("c4")


def test_three_character_name(sample: Any) -> None:
    hits = search(sample, "张三丰")
    assert refs(hits) == ["c2"]
    assert hits[0].tier == TIER_EXACT_NAME
    assert hits[0].matched == "张三丰"
    assert refs(search(sample, "王小明")) == ["c3"]


def test_name_query_does_not_span_two_names(sample: Any) -> None:
    # c1's parties are 张三 and 李四: "三李" must not match across the two names.
    assert "c1" not in refs(search(sample, "三李"))


def test_full_width_and_spaces_in_query(sample: Any) -> None:
    assert refs(search(sample, "  张三丰  ")) == ["c2"]
    assert refs(search(sample, "ＺＳＦ")) == ["c2"]


# ------------------------------------------------------------------------- pinyin


def test_pinyin_initials(sample: Any) -> None:
    hits = search(sample, "zs")
    t = tiers(hits)
    assert t["c1"] == t["c2"] == t["q1"] == TIER_PINYIN
    assert t["c6"] == TIER_PINYIN  # 张四 is zs as well
    assert "c3" not in t
    by_ref = {h.ref_id: h.matched for h in hits}
    assert by_ref["c2"] == "张三丰"


def test_pinyin_initials_prefix_and_case(sample: Any) -> None:
    assert refs(search(sample, "zsf")) == ["c2"]
    assert refs(search(sample, "ZSF")) == ["c2"]
    assert refs(search(sample, "wxm")) == ["c3"]
    assert search(sample, "zsfx") == []


def test_pinyin_polyphonic_surnames(sample: Any) -> None:
    assert name_initials("单雄信") == ("sxx", "dxx")
    assert name_initials("曾国华")[0] == "zgh"
    assert refs(search(sample, "sxx")) == ["c5"]  # Shàn, as a surname
    assert refs(search(sample, "dxx")) == ["c5"]  # the common reading still finds it
    assert refs(search(sample, "zgh")) == ["c5"]
    assert name_initials("John Smith") == ()


# ------------------------------------------------------------------------ numbers


def test_middle_of_id_number(sample: Any) -> None:
    hits = search(sample, ID_ZHANGSAN[6:12])  # 199001
    assert refs(hits) == ["c1"]
    assert hits[0].tier == TIER_NUMBER
    assert hits[0].matched == "199001"


def test_id_number_with_x_any_case(sample: Any) -> None:
    assert refs(search(sample, "1231002x")) == ["c1"]
    assert refs(search(sample, ID_LISI)) == ["c1"]


def test_last_four_digits_of_phone(sample: Any) -> None:
    assert refs(search(sample, "5678")) == ["c1"]
    assert refs(search(sample, "2222")) == ["u1"]
    assert refs(search(sample, "6666")) == ["q1"]


def test_phone_typed_with_separators(conn: Any) -> None:
    index_document(conn, "consultation", "q", title="t", subtitle="", numbers=["138-0013-8000"])
    assert refs(search(conn, "13800138000")) == ["q"]
    assert refs(search(conn, "138-0013")) == ["q"]


def test_one_and_two_digit_terms_match_case_sequence_only(sample: Any) -> None:
    hits = search(sample, "12")
    assert refs(hits) == ["c3"]  # （2024）…第12号, not 第123号 / 第1234号
    assert hits[0].tier == TIER_CASE_NUMBER
    assert search_hint("12") is not None
    assert search_hint("123") is None
    assert search_hint("张三") is None


# -------------------------------------------------------------------- case numbers


@pytest.mark.parametrize(
    "query",
    [
        "（2025）津河人调字第123号",
        "(2025)津河人调字第123号",
        "津河人调字第123号",
        "人调字第123",
        "第123号",
    ],
)
def test_case_number_fragments(sample: Any, query: str) -> None:
    hits = search(sample, query)
    assert refs(hits)[0] == "c1"
    assert hits[0].tier == TIER_CASE_NUMBER
    assert "c2" not in refs(hits)  # 第1234号 is another case


def test_case_sequence_number_ranks_before_number_fragments(sample: Any) -> None:
    hits = search(sample, "123")
    assert hits[0].ref_id == "c1"
    assert hits[0].tier == TIER_CASE_NUMBER
    # 第1234号 does not equal 123; its ID/phone digits do not contain 123 either.
    assert "c2" not in refs(hits)


def test_case_number_given_among_numbers(conn: Any) -> None:
    """The case store passes the case number in ``numbers``: it is a case number, not a
    phone to mask."""
    index_document(
        conn,
        "case",
        "n1",
        title="（2025）津河人调字第5号 王某与李某",
        subtitle="",
        names=["王某"],
        numbers=["（2025）津河人调字第5号", "13800000005"],
    )
    (hit,) = search(conn, "人调字第5号")
    assert hit.tier == TIER_CASE_NUMBER
    assert hit.matched == "（2025）津河人调字第5号"
    assert hit.title == "（2025）津河人调字第5号 王某与李某"
    assert refs(search(conn, "5")) == ["n1"]
    assert refs(search(conn, "00005")) == ["n1"]


def test_year_finds_cases_of_that_year(sample: Any) -> None:
    got = set(refs(search(sample, "2024")))
    assert got == {"c3"}
    assert {"c1", "c2", "c4", "c5", "c6"} <= set(refs(search(sample, "2025")))


# -------------------------------------------------------------------------- text


def test_summary_words(sample: Any) -> None:
    hits = search(sample, "漏水")
    assert refs(hits) == ["c2"]
    assert hits[0].tier == TIER_TEXT
    assert refs(search(sample, "拖欠")) == ["q1"]
    assert refs(search(sample, "噪音问题")) == ["c3"]
    assert search(sample, "噪问") == []  # characters must be adjacent


def test_terms_are_anded(sample: Any) -> None:
    assert refs(search(sample, "张三 借款")) == ["c1"]
    assert refs(search(sample, "借款 张三")) == ["c1"]
    assert search(sample, "张三 噪音") == []
    assert refs(search(sample, "王 漏水")) == ["c2"]
    # a name and a number fragment (two different FTS tables)
    assert refs(search(sample, "张三 5678")) == ["c1"]
    assert refs(search(sample, "zs 1111")) == ["c2"]


def test_multi_term_ranking_same_with_and_without_candidate_path(
    sample: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    query = "张 2025"
    ranked = search(sample, query)
    assert [h.tier for h in ranked] == sorted(h.tier for h in ranked)
    assert refs(ranked)[:2] == ["c6", "c2"]  # 张四 / 张三丰 (name contains 张), newest first
    monkeypatch.setattr(search_module, "_CANDIDATE_CAP", 1)  # force tier-by-tier
    assert [(h.ref_id, h.tier) for h in search(sample, query)] == [
        (h.ref_id, h.tier) for h in ranked
    ]


# ------------------------------------------------------------------------ kinds


def test_kinds_filter(sample: Any) -> None:
    assert refs(search(sample, "张三", kinds={"consultation"})) == ["q1"]
    assert refs(search(sample, "王", kinds=["understander"])) == ["u1"]
    assert set(refs(search(sample, "王", kinds=["case", "understander"]))) == {"u1", "c3", "c2"}
    assert search(sample, "王", kinds=[]) == []
    assert search(sample, "王", kinds=["nonsense"]) == []


def test_unknown_kind_is_rejected(conn: Any) -> None:
    with pytest.raises(ValueError, match="kind"):
        index_document(conn, "person", "x", title="t", subtitle="")


# ------------------------------------------------------------- removal, replacement


def test_remove_leaves_no_stale_hits(sample: Any) -> None:
    assert remove_document(sample, "case", "c1") is True
    assert remove_document(sample, "case", "c1") is False
    assert "c1" not in refs(search(sample, "张三"))
    assert search(sample, "199001") == []
    assert search(sample, "借款") == []
    assert "c1" not in refs(search(sample, "zs"))
    assert sample.execute("SELECT count(*) FROM search_docs WHERE ref_id = 'c1'").fetchone()[0] == 0


def test_replace_keeps_rowid_and_drops_old_terms(sample: Any) -> None:
    rowid = sample.execute("SELECT rowid FROM search_docs WHERE ref_id = 'c1'").fetchone()[0]
    add_case(
        sample,
        "c1",
        ["钱九", "李四"],
        number="（2025）津河人调字第123号",
        phones=("13500009999",),
        summary="买卖合同纠纷",
    )
    assert (
        sample.execute("SELECT rowid FROM search_docs WHERE ref_id = 'c1'").fetchone()[0] == rowid
    )
    assert "c1" not in refs(search(sample, "张三"))
    assert search(sample, "借款") == []
    assert search(sample, "5678") == []  # the old phone
    assert refs(search(sample, "钱九")) == ["c1"]
    assert refs(search(sample, "9999")) == ["c1"]
    assert refs(search(sample, "qj")) == ["c1"]
    # rowid kept: c1 is still older than c2 in "newest first"
    assert refs(search(sample, "2025"))[-1] == "c1"


def test_replace_without_numbers_removes_old_numbers(sample: Any) -> None:
    index_document(
        sample, "understander", "u1", title="法律明白人 王芳", subtitle="", names=["王芳"]
    )
    assert search(sample, "2222") == []
    assert refs(search(sample, "王芳")) == ["u1"]


# ---------------------------------------------------------------- hostile queries


@pytest.mark.parametrize(
    "query",
    [
        '"',
        "*",
        "AND",
        "OR",
        "NOT",
        "(",
        ")",
        "NEAR(",
        "NEAR(张 三, 2)",
        "张三 OR 李四",
        "-张三",
        "names:张三",
        "{names}: 张",
        "^张",
        "张*",
        "'; DROP TABLE search_docs; --",
        "\\",
        "\x00",
        "🙂",
        "a" * 300,
        "1" * 100,
        "张" * 200,
    ],
)
def test_hostile_queries_never_raise(sample: Any, query: str) -> None:
    hits = search(sample, query)
    assert isinstance(hits, list)
    assert sample.execute("SELECT count(*) FROM search_docs").fetchone()[0] == 8


def test_fts_syntax_is_plain_text(sample: Any) -> None:
    assert refs(search(sample, '张"三'))[:2] == ["q1", "c1"]
    assert set(refs(search(sample, "张*"))) == set(refs(search(sample, "张")))
    assert search(sample, "*") == []
    assert search(sample, '"') == []
    assert search(sample, "(") == []
    assert search(sample, "AND") == []  # a word like any other: nobody is called "and"
    assert search(sample, "张三 OR 李四") == []  # "OR" is a term that must match too


@pytest.mark.parametrize("query", ["", "   ", "\t\n", "，。！", "()（）"])
def test_empty_query(sample: Any, query: str) -> None:
    assert search(sample, query) == []


# ------------------------------------------------------------------------ masking


def test_mask_helpers() -> None:
    assert mask_id_number("11010519900101002X") == "110105********002X"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("022-2345-6789") == "***-****-6789"
    masked = mask_personal_numbers(f"身份证{ID_LISI}，电话{PHONE_LISI}，案号（2025）第123号")
    assert masked == "身份证120101********002X，电话139****4321，案号（2025）第123号"


def test_titles_and_subtitles_are_stored_masked(conn: Any) -> None:
    index_document(
        conn,
        "case",
        "m1",
        title=f"李四 {ID_LISI}",
        subtitle=f"电话 {PHONE_LISI} 座机 022-8888-7777",
        names=["李四"],
        numbers=[ID_LISI, PHONE_LISI, "022-8888-7777"],
    )
    (hit,) = search(conn, "李四")
    for shown in (hit.title, hit.subtitle):
        assert ID_LISI not in shown
        assert PHONE_LISI not in shown
        assert "8888-7777" not in shown
        assert not re.search(r"\d{7,}", shown)
    assert hit.title == "李四 120101********002X"
    row = conn.execute("SELECT title || subtitle FROM search_docs").fetchone()[0]
    assert ID_LISI not in row and PHONE_LISI not in row


def test_number_hit_does_not_reveal_the_number(sample: Any) -> None:
    (hit,) = search(sample, "5678")
    assert PHONE_ZHANGSAN not in hit.matched + hit.title + hit.subtitle


# --------------------------------------------------------------------- paging, bulk


def test_first_page_is_newest_and_pages_do_not_overlap(conn: Any) -> None:
    docs = [
        SearchDoc(
            "case", f"w{i:03d}", f"案件{i}", "", names=[f"王{'一二三四五六七八九十'[i % 10]}"]
        )
        for i in range(120)
    ]
    assert index_documents_bulk(conn, docs, batch_size=17) == 120
    first = search(conn, "王", limit=50)
    assert refs(first) == [f"w{i:03d}" for i in range(119, 69, -1)]
    second = search(conn, "王", limit=50, offset=50)
    third = search(conn, "王", limit=50, offset=100)
    assert len(second) == 50 and len(third) == 20
    assert len(set(refs(first)) | set(refs(second)) | set(refs(third))) == 120
    assert search(conn, "王", limit=0) == []


def test_bulk_index_matches_single_index(conn: Any, tmp_path: Path) -> None:
    docs = [
        SearchDoc(
            "case",
            f"b{i}",
            f"（2025）津河人调字第{i}号",
            f"电话 139{i:08d}",
            names=[f"刘{'伟芳娜'[i % 3]}", "陈静"],
            numbers=[f"120101199001{i:04d}11", f"139{i:08d}"],
            codes=[f"（2025）津河人调字第{i}号"],
            text=[f"第{i}号案件，因借款发生纠纷"],
        )
        for i in range(1, 301)
    ]
    conn.execute("BEGIN")
    assert index_documents_bulk(conn, docs, batch_size=64) == 300
    conn.execute("COMMIT")
    other = sqlcipher3.connect(str(tmp_path / "single.db"), isolation_level=None)
    for sql in SEARCH_DDL:
        other.execute(sql)
    for d in docs:
        index_document(
            other,
            d.kind,
            d.ref_id,
            title=d.title,
            subtitle=d.subtitle,
            names=d.names,
            numbers=d.numbers,
            codes=d.codes,
            text=d.text,
        )
    for query in ("刘伟", "陈静", "lw", "0123", "第42号", "42", "借款", "00000042", "刘 借款"):
        a = search(conn, query, limit=400)
        assert a, query
        assert a == search(other, query, limit=400), query
    assert search(conn, "13900000042")[0].subtitle == "电话 139****0042"
    other.close()


def test_bulk_appends_after_existing_rows_and_rejects_duplicates(sample: Any) -> None:
    sample.execute("BEGIN")
    assert index_documents_bulk(sample, [SearchDoc("case", "new", "新案", "", names=["王新"])]) == 1
    sample.execute("COMMIT")
    assert refs(search(sample, "王"))[0] == "new"
    sample.execute("BEGIN")
    with pytest.raises(sqlcipher3.IntegrityError):
        index_documents_bulk(sample, [SearchDoc("case", "c1", "dup", "", names=["重复"])])
    sample.execute("ROLLBACK")
    assert search(sample, "重复") == []
    with pytest.raises(ValueError):
        index_documents_bulk(sample, [SearchDoc("thing", "x", "t", "")])


def test_ddl_can_run_twice(conn: Any) -> None:
    for sql in SEARCH_DDL:
        conn.execute(sql)
    index_document(conn, "case", "x", title="t", subtitle="", names=["张三"])
    assert refs(search(conn, "张三")) == ["x"]


def test_latin_names_and_words(conn: Any) -> None:
    index_document(
        conn,
        "consultation",
        "e",
        title="t",
        subtitle="",
        names=["John Smith"],
        text=["WeChat 转账"],
    )
    assert refs(search(conn, "john")) == ["e"]
    assert refs(search(conn, "wechat")) == ["e"]
    assert refs(search(conn, "转账")) == ["e"]
