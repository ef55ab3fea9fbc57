"""The mediation documents as real PDFs, read back with poppler (pdffonts, pdftotext, pdfinfo)."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from PIL import Image
from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

from justice_desktop import pdf
from justice_desktop.domain.case_inputs import (
    QA,
    AgreementInput,
    FollowUpInput,
    InvestigationInput,
    SessionInput,
)
from justice_desktop.domain.party import PartyInput
from justice_desktop.pdf import fonts
from justice_desktop.store.case_lookup import case_id_by_number
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError
from tests.core.conftest import make_case_input

RARE = ["张𠮷", "李䶮堃", "王喆"]
TERMS = [
    "乙方于2025年6月20日前拆除占用甲方宅基地的排水沟。",
    "乙方赔偿甲方损失人民币贰仟元（2000元）。",
    "双方今后和睦相处，不再因此事发生纠纷。",
]


# -- poppler ------------------------------------------------------------------------------------
def _tool(tmp: Path, data: bytes, *args: str) -> str:
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [*args, str(path)] if args[0] != "pdftotext" else [*args, str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def text_of(tmp: Path, data: bytes) -> str:
    return _tool(tmp, data, "pdftotext", "-layout")


def pages_of(tmp: Path, data: bytes) -> list[str]:
    return text_of(tmp, data).split("\f")[:-1]


def page_count(tmp: Path, data: bytes) -> int:
    m = re.search(r"Pages:\s+(\d+)", _tool(tmp, data, "pdfinfo"))
    assert m
    return int(m.group(1))


def assert_fonts_embedded(tmp: Path, data: bytes) -> None:
    lines = _tool(tmp, data, "pdffonts").splitlines()[2:]
    assert lines, "no fonts at all"
    for line in lines:
        cols = line.split()
        # name type encoding emb sub uni object ID: emb is the 4th column from the end but 3
        assert cols[-5] == "yes", line


def flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


# -- a case through its stages ------------------------------------------------------------------
def full_case(
    cases: CaseService,
    ids: dict[str, str],
    *,
    names: list[str] | None = None,
    record: str = "调解员告知双方权利义务。\n申请人陈述：排水沟占用宅基地。\n被申请人陈述：同意拆除。",
    written: bool = True,
    org: bool = False,
) -> str:
    u = ids["user_id"]
    names = names or RARE[:2]
    parties = [
        PartyInput(
            side="applicant",
            name=names[0],
            id_number="11010519491231002X",
            phone="13812345678",
            address="天津市河东区城关街幸福里3号",
            occupation="务农",
            ethnicity="01",
        )
    ]
    for i, name in enumerate(names[1:]):
        parties.append(
            PartyInput(
                side="respondent" if i % 2 == 0 else "applicant",
                name=name,
                phone="13900001111",
                address=f"天津市河东区城关街幸福里{i + 5}号",
            )
        )
    if org:
        parties.append(
            PartyInput(
                side="respondent",
                kind="org",
                name="天津某某物业服务有限公司",
                representative="刘经理",
                phone="13900002222",
            )
        )
    cid = cases.register(u, make_case_input(ids["committee_id"], parties=parties))
    cases.add_investigation(
        u,
        cid,
        InvestigationInput(
            datetime(2025, 6, 3, 10, 0),
            "王喆",
            "王调解",
            [QA("你看到了什么？", "看到双方争吵。")],
            place="村委会",
            recorder="赵记录",
        ),
    )
    cases.add_session(
        u,
        cid,
        SessionInput(
            datetime(2025, 6, 5, 9, 0),
            record,
            "王调解",
            place="调解室",
            participants="村委会主任刘某",
            recorder="赵记录",
            result="达成协议",
        ),
    )
    if written:
        agreement = AgreementInput(
            "written",
            date(2025, 6, 5),
            facts="双方因排水沟占用宅基地边界发生争执。",
            terms=TERMS,
            performance_manner="现金支付并拆除",
            performance_place="幸福里",
            performance_deadline=date(2025, 6, 20),
            amount=Decimal("2000"),
        )
    else:
        agreement = AgreementInput(
            "oral", date(2025, 6, 5), oral_content="乙方当场赔礼道歉并拆除排水沟。"
        )
    cases.record_agreement(u, cid, agreement)
    cases.record_follow_up(
        u, cid, FollowUpInput(date(2025, 6, 15), "王调解", "performed", satisfaction="满意")
    )
    return cid


@pytest.fixture
def case_id(cases: CaseService, ids: dict[str, str]) -> str:
    return full_case(cases, ids)


def number_of(cases: CaseService, case_id: str) -> str:
    return str(cases.load(case_id).case["case_number"])


# -- the tests -------------------------------------------------------------------------------------
EXPECTED_LABELS = {
    "application": ["人民调解申请书", "申请人", "被申请人", "纠纷简要情况", "申请事项", "自愿申请"],
    "registration": ["人民调解受理登记表", "经当事人同意", "纠纷类型", "案件来源", "登记人签名"],
    "notice": ["当事人权利义务告知书", "享有下列权利", "履行下列义务", "以上内容本人已经知悉"],
    "investigation": ["人民调解调查记录", "被调查人", "调查人", "记录人", "问：你看到了什么？"],
    "mediation_record": ["人民调解记录", "事由", "参加人", "调解记录", "村委会主任刘某"],
    "agreement": ["人民调解协议书", "甲方", "乙方", "经调解，自愿达成如下协议", "履行期限"],
    "follow_up": ["人民调解回访记录", "调解协议编号", "回访事由", "协议履行情况：已履行"],
    "judicial_personal": ["司法确认申请书", "（个人与个人）", "请求事项", "身份证号码"],
    "judicial_org": ["司法确认申请书", "（个人与单位）", "申请人承诺"],
    "file_note": ["卷宗情况说明", "立卷人"],
    "cover": ["人民调解卷宗", "卷名", "卷号", "人民调解员", "调解日期", "保管期限"],
}


def test_every_form_embeds_its_fonts_and_prints_the_case(
    store: Store, cases: CaseService, case_id: str, tmp_path: Path
) -> None:
    number = number_of(cases, case_id)
    for key, labels in EXPECTED_LABELS.items():
        data = pdf.render_form(store, case_id, key)
        assert data.startswith(b"%PDF-")
        assert_fonts_embedded(tmp_path, data)
        text = flat(text_of(tmp_path, data))
        for label in labels:
            assert flat(label) in text, (key, label)
        assert number in text, key
        assert "共" in text and "第1页" in text, key
        if key not in ("file_note", "investigation"):
            assert "张𠮷" in text or key == "cover" and "张𠮷与李䶮堃" in text, key


def test_agreement_has_parties_terms_copies_and_signature_lines(
    store: Store, cases: CaseService, case_id: str, tmp_path: Path
) -> None:
    data = pdf.render_form(store, case_id, "人民调解协议书")
    assert page_count(tmp_path, data) == 1
    text = flat(text_of(tmp_path, data))
    agreement_no = number_of(cases, case_id).replace("人调字", "人调协字")
    assert f"编号：{agreement_no}" in text
    for i, term in enumerate(TERMS, start=1):
        assert flat(f"{i}．{term}") in text
    assert "本协议一式3份，当事人、人民调解委员会各持一份" in text
    assert "甲方张𠮷（签名盖章或按指印）" in text
    assert "乙方李䶮堃（签名盖章或按指印）" in text
    assert "人民调解员（签名）" in text and "记录人（签名）" in text
    assert "人民调解委员会（印）" in text and "2025年6月5日" in text
    assert "履行方式：现金支付并拆除；履行地点：幸福里；履行期限：2025年6月20日前" in text
    assert "13812345678" in text and "天津市河东区城关街幸福里3号" in text
    assert "汉族" in text and "务农" in text


def test_blank_forms_without_a_case(store: Store, tmp_path: Path) -> None:
    for key, title in pdf.FORMS.items():
        data = pdf.render_form(store, None, key, blank=True)
        assert_fonts_embedded(tmp_path, data)
        text = flat(text_of(tmp_path, data))
        head = title.split("（")[0]
        assert head in text or {"cover": "人民调解卷宗", "back_cover": "卷内备考表"}[key] in text
    text = flat(text_of(tmp_path, pdf.render_form(store, None, "agreement", blank=True)))
    assert "甲方" in text and "乙方" in text and "本协议一式" in text


def test_rare_characters_print_through_the_fallback_fonts(
    store: Store, cases: CaseService, ids: dict[str, str], tmp_path: Path
) -> None:
    cid = full_case(cases, ids, names=["张𠮷", "李䶮堃", "王喆"])
    data = pdf.render_form(store, cid, "agreement")
    fonts_list = _tool(tmp_path, data, "pdffonts")
    assert "HanaMinB" in fonts_list  # 𠮷 (U+20BB7) came from the Extension B fallback
    text = text_of(tmp_path, data)
    for name in ["张𠮷", "李䶮堃", "王喆"]:
        assert name in text
    assert pdf.check_printable(store, cid) == []


def test_a_character_no_font_has_is_reported_before_printing(
    store: Store, cases: CaseService, ids: dict[str, str]
) -> None:
    unknown = "\U00030edd"  # CJK Extension G: no shipped font has it
    assert fonts.missing_chars(f"赵{unknown}") == [unknown]
    cid = full_case(cases, ids, names=["张三", f"赵{unknown}"])
    found = pdf.check_printable(store, cid)
    assert found and found[0].field == "parties[1].name"
    assert found[0].chars == [unknown]
    with pytest.raises(pdf.MissingGlyphError) as err:
        pdf.render_form(store, cid, "agreement")
    assert "U+30EDD" in str(err.value) and "字库中没有" in str(err.value)
    with pytest.raises(pdf.MissingGlyphError):
        pdf.render_case_file(store, cid)


def test_eight_parties_and_a_long_record_lay_out(
    store: Store, cases: CaseService, ids: dict[str, str], tmp_path: Path
) -> None:
    names = ["张一", "李二", "王三", "赵四", "钱五", "孙六", "周七", "吴八"]
    sentence = "申请人陈述了纠纷的起因和经过，被申请人对部分事实提出异议，调解员逐一核实。"
    record = "\n".join([sentence * 5] * 30)[:5000]
    assert len(record) == 5000
    cid = full_case(cases, ids, names=names, record=record + "记录结束。")
    data = pdf.render_form(store, cid, "agreement")
    text = flat(text_of(tmp_path, data))
    assert "本协议一式9份" in text
    in_order = names[0::2] + names[1::2]  # applicants first, then respondents
    for i, name in enumerate(in_order):
        assert f"{'甲乙丙丁戊己庚辛'[i]}方{name}（签名盖章或按指印）" in text
    record_pdf = pdf.render_form(store, cid, "mediation_record")
    pages = pages_of(tmp_path, record_pdf)
    assert len(pages) >= 3
    body = flat(
        "".join(
            line for page in pages for line in page.splitlines() if f"共{len(pages)}页" not in line
        )
    )
    assert flat(record + "记录结束。") in body  # every line printed, in order, none cut off
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in flat(page)


def test_bound_file_order_contents_page_numbers_and_attachments(
    store: Store, cases: CaseService, case_id: str, ids: dict[str, str], tmp_path: Path
) -> None:
    u = ids["user_id"]
    png = io.BytesIO()
    Image.new("RGB", (800, 1100), "white").save(png, format="PNG")
    cases.add_attachment(u, case_id, "身份证.png", png.getvalue(), kind="identity")
    scan = io.BytesIO()
    c = Canvas(scan, pagesize=(595, 842), initialFontName=fonts.register(fonts.SANS))
    for n in (1, 2):
        c.setFont(fonts.register(fonts.SANS), 20)  # a scan with an embedded font
        c.drawString(100, 700, f"EVIDENCE PAGE {n}")
        c.showPage()
    c.save()
    cases.add_attachment(u, case_id, "收据.pdf", scan.getvalue(), kind="evidence", note="收据")
    done: list[int] = []
    data = pdf.render_case_file(store, case_id, progress=lambda d, t: done.append(d) or True)
    assert done
    pages = pages_of(tmp_path, data)
    assert len(pages) >= 10
    contents = pdf.case_file_contents(store, case_id)
    titles = [row[1] for row in contents]
    assert titles == [
        "人民调解申请书",
        "人民调解受理登记表",
        "当事人权利义务告知书",
        "当事人身份证明",
        "人民调解调查记录",
        "证据材料",
        "人民调解记录",
        "人民调解协议书",
        "人民调解回访记录",
    ]
    by_title = {row[1]: row for row in contents}
    for _seq, title, page_no, _note in contents:
        first = int(page_no.split("-")[0])
        if title in ("当事人身份证明", "证据材料"):
            continue
        assert flat(title) in flat(pages[first - 1]), (title, first)
    first, last = (int(x) for x in by_title["证据材料"][2].split("-"))
    assert last == first + 1
    assert "EVIDENCE PAGE 1" in pages[first - 1] and "EVIDENCE PAGE 2" in pages[last - 1]
    assert by_title["证据材料"][3] == "收据.pdf（收据）"
    # the 卷内目录 printed on page 2 shows the same numbers
    toc = flat(pages[1])
    assert "卷内目录" in toc and "序号文书名称页号备注" in toc
    for seq, title, page_no, _note in contents:
        assert f"{seq}{title}{page_no}" in toc
    # every page: its number, the total and the case number
    number = number_of(cases, case_id)
    for n, page in enumerate(pages, start=1):
        assert f"第{n}页共{len(pages)}页" in flat(page)
        assert number in flat(page)
    assert "人民调解卷宗" in pages[0]
    assert f"本卷共{len(pages)}页" in flat(pages[-1])
    assert_fonts_embedded(tmp_path, data)
    # the 卷内目录 alone is the bound file's page 2
    toc_only = pdf.render_form(store, case_id, "contents")
    assert flat(text_of(tmp_path, toc_only)) == toc or f"第2页共{len(pages)}页" in flat(
        text_of(tmp_path, toc_only)
    )


def test_oral_agreement_and_the_written_form_refused(
    store: Store, cases: CaseService, ids: dict[str, str], tmp_path: Path
) -> None:
    cid = full_case(cases, ids, written=False)
    text = flat(text_of(tmp_path, pdf.render_form(store, cid, "oral_agreement")))
    assert "人民调解口头协议登记表" in text and "乙方当场赔礼道歉并拆除排水沟。" in text
    with pytest.raises(ValidationError, match="没有书面调解协议"):
        pdf.render_form(store, cid, "agreement")
    assert "人民调解口头协议登记表" in [r[1] for r in pdf.case_file_contents(store, cid)]


def test_organisation_party_and_judicial_application(
    store: Store, cases: CaseService, ids: dict[str, str], tmp_path: Path
) -> None:
    cid = full_case(cases, ids, org=True)
    cases.apply_judicial_confirmation(
        ids["user_id"], cid, date(2025, 6, 16), "天津市河东区人民法院"
    )
    text = flat(text_of(tmp_path, pdf.render_form(store, cid, "judicial_org")))
    for expected in [
        "天津某某物业服务有限公司",
        "法定代表人",
        "刘经理",
        "此致",
        "天津市河东区人民法院",
    ]:
        assert expected in text
    assert "司法确认申请书" in [r[1] for r in pdf.case_file_contents(store, cid)]


def test_unknown_form_and_form_names(store: Store, case_id: str) -> None:
    assert pdf.form_key("人民调解协议书") == "agreement"
    assert pdf.form_key("agreement") == "agreement"
    assert pdf.form_key("回访记录") == "follow_up"
    with pytest.raises(ValidationError, match="没有名为“离婚协议”的文书"):
        pdf.render_form(store, case_id, "离婚协议")


def test_cancelling_the_bound_file(store: Store, case_id: str) -> None:
    with pytest.raises(pdf.RenderCancelled):
        pdf.render_case_file(store, case_id, progress=lambda d, t: d < 3)


def test_case_lookup_by_number(store: Store, cases: CaseService, case_id: str) -> None:
    number = number_of(cases, case_id)
    assert case_id_by_number(store, number) == case_id
    half = number.replace("（", "(").replace("）", ")")
    assert case_id_by_number(store, f" {half} ") == case_id
    assert case_id_by_number(store, "（2025）津东城人调字第999号") is None
    assert case_id_by_number(store, "不是编号") is None
