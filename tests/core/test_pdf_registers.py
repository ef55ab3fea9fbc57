"""Registers outside cases as real PDFs, read back with poppler (pdffonts, pdftotext)."""

from __future__ import annotations

import re
import subprocess
from datetime import date, datetime
from pathlib import Path

import pytest

from justice_desktop.domain.consultations import AdviserLogInput, ConsultationInput
from justice_desktop.domain.understanders import TrainingInput, UnderstanderInput
from justice_desktop.pdf.fonts import MissingGlyphError
from justice_desktop.pdf.registers import (
    adviser_log_pdf,
    consultation_register_pdf,
    roster_pdf,
    training_record_pdf,
    training_sign_in_pdf,
)
from justice_desktop.store.consultations import AdviserLogService, ConsultationService
from justice_desktop.store.database import Store
from justice_desktop.store.understanders import UnderstanderService

SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许何吕施张孔曹严华金魏陶姜"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂"


def _write(tmp_path: Path, data: bytes, name: str = "doc.pdf") -> Path:
    assert data.startswith(b"%PDF")
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _text(path: Path, page: int | None = None, *, raw: bool = False) -> str:
    args = ["pdftotext", "-raw" if raw else "-layout"]
    if page is not None:
        args += ["-f", str(page), "-l", str(page)]
    return subprocess.run(
        [*args, str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def _squeezed(path: Path, page: int | None = None) -> str:
    """The text in drawing order (a wrapped cell's lines stay together), without spaces or
    line breaks."""
    return re.sub(r"\s+", "", _text(path, page, raw=True))


def _pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    found = re.search(r"^Pages:\s+(\d+)", info.stdout, re.M)
    assert found
    return int(found.group(1))


def _all_fonts_embedded(path: Path) -> None:
    out = subprocess.run(["pdffonts", str(path)], check=True, capture_output=True, text=True)
    lines = out.stdout.splitlines()[2:]
    assert lines, "no fonts at all"
    for line in lines:
        # columns: name type encoding emb sub uni object ID
        flags = line.split()[-5:-2]
        assert flags[0] == "yes", line


def _person(
    svc: UnderstanderService, user: str, name: str, village: str = "东村", **kw: object
) -> str:
    return svc.add(
        user,
        UnderstanderInput(name=name, village=village, nomination_route="committee", **kw),  # type: ignore[arg-type]
    )


def test_roster_has_columns_people_and_masks_phones(
    store: Store, ids: dict[str, str], tmp_path: Path
) -> None:
    svc = UnderstanderService(store)
    user = ids["user_id"]
    a = _person(
        svc,
        user,
        "赵一",
        villager_group="第三村民小组",
        phone="13812345678",
        ethnicity="03",
        priority_group="mediator",
        certificate_no="FLMB-001",
    )
    _person(svc, user, "钱二", village="西村", gender="男")
    gone = _person(svc, user, "孙三")
    svc.remove(user, gone, "不再履行职责", date(2025, 6, 1))
    svc.add_training(
        user, TrainingInput(date(2025, 3, 1), "民法典", "张律师", "offline", 3, attendee_ids=[a])
    )
    path = _write(tmp_path, roster_pdf(store))
    _all_fonts_embedded(path)
    text = _squeezed(path)
    for label in ("法律明白人名册", "序号", "姓名", "性别", "民族", "村（社区）", "村民小组"):
        assert label in text
    for label in ("联系电话", "推选方式", "重点人群", "2025年培训学时", "第1页共1页"):
        assert label in text
    for value in ("赵一", "东村", "第三村民小组", "回族", "人民调解员", "FLMB-001", "钱二", "西村"):
        assert value in text
    assert "138****5678" in text and "13812345678" not in text
    assert "孙三" not in text  # removed: not on the active roster
    assert "共2人" in text

    with pytest.raises(ValueError):
        roster_pdf(store, show_contacts=True)  # nobody to record in the audit log
    full = _squeezed(
        _write(tmp_path, roster_pdf(store, show_contacts=True, user_id=user), "full.pdf")
    )
    assert "13812345678" in full
    printed = store.query(
        "SELECT record_id, user_id FROM audit_log WHERE action = 'print' AND fields = 'phone'"
    )
    assert [(r["record_id"], r["user_id"]) for r in printed] == [(a, user)]
    west = _squeezed(_write(tmp_path, roster_pdf(store, village="西村"), "west.pdf"))
    assert "钱二" in west and "赵一" not in west
    removed = _squeezed(_write(tmp_path, roster_pdf(store, status="removed"), "rm.pdf"))
    assert "孙三" in removed and "已清退" in removed and "赵一" not in removed


def test_long_roster_flows_over_pages_with_header_on_each(
    store: Store, ids: dict[str, str], tmp_path: Path
) -> None:
    svc = UnderstanderService(store)
    names = []
    for n in range(120):
        name = SURNAMES[n % len(SURNAMES)] + GIVEN[n // len(SURNAMES)] + GIVEN[n % len(GIVEN)]
        names.append(name)
        _person(svc, ids["user_id"], name, village=f"第{n // 10 + 1:02d}村")
    path = _write(tmp_path, roster_pdf(store))
    pages = _pages(path)
    assert pages >= 3
    for page in range(1, pages + 1):
        text = _squeezed(path, page)
        assert "姓名" in text and "村民小组" in text and "推选方式" in text
        assert f"第{page}页共{pages}页" in text
    everything = _squeezed(path)
    assert all(name in everything for name in names)
    assert "共120人" in everything


def test_sign_in_sheet_one_row_per_attendee_and_blank_rows(
    store: Store, ids: dict[str, str], tmp_path: Path
) -> None:
    svc = UnderstanderService(store)
    user = ids["user_id"]
    people = [_person(svc, user, name) for name in ("赵一", "钱二", "孙三", "李四")]
    _person(svc, user, "周五")  # not invited
    tid = svc.add_training(
        user,
        TrainingInput(
            date(2025, 5, 20),
            "人民调解技巧",
            "李所长",
            "offline",
            2.5,
            place="城关司法所会议室",
            attendee_ids=people,
        ),
    )
    path = _write(tmp_path, training_sign_in_pdf(store, tid, blank_rows=3))
    _all_fonts_embedded(path)
    text = _squeezed(path)
    for value in ("培训签到表", "人民调解技巧", "2025年5月20日", "城关司法所会议室", "李所长"):
        assert value in text
    assert "2.5学时" in text and "签名" in text
    assert "周五" not in text
    lines = _text(path).splitlines()
    numbered = [line.split() for line in lines if re.match(r"^\s*\d+(\s|$)", line)]
    # 4 attendees (number, name, village) in roster order, then 3 numbered blank rows
    assert [r[1] for r in numbered[:4]] == sorted(["赵一", "钱二", "孙三", "李四"])
    assert [r[0] for r in numbered] == [str(n) for n in range(1, 8)]
    assert all(len(r) == 1 for r in numbered[4:])  # walk-in rows are empty
    # the signature column is empty: nothing follows the village on an attendee's row
    assert all(r[2:] == ["东村"] for r in numbered[:4])


def test_training_record_totals_against_target(
    store: Store, ids: dict[str, str], tmp_path: Path
) -> None:
    svc = UnderstanderService(store)
    user = ids["user_id"]
    a = _person(svc, user, "赵一", certificate_no="FLMB-009")
    b = _person(svc, user, "钱二")
    svc.set_yearly_target(user, 8)
    svc.add_training(
        user,
        TrainingInput(
            date(2025, 3, 1), "民法典婚姻家庭编", "张律师", "offline", 3, attendee_ids=[a, b]
        ),
    )
    svc.add_training(
        user,
        TrainingInput(date(2025, 5, 1), "人民调解技巧", "李所长", "online", 2, attendee_ids=[a]),
    )
    svc.add_training(
        user, TrainingInput(date(2024, 5, 1), "去年的培训", "李所长", "online", 6, attendee_ids=[a])
    )
    svc.add_training(
        user, TrainingInput(date(2025, 4, 1), "别人的培训", "王老师", "online", 4, attendee_ids=[b])
    )
    path = _write(tmp_path, training_record_pdf(store, a, 2025))
    _all_fonts_embedded(path)
    text = _squeezed(path)
    assert "培训记录" in text and "赵一" in text and "FLMB-009" in text
    assert "2025.3.1" in text and "民法典婚姻家庭编" in text and "2025.5.1" in text
    assert "去年的培训" not in text and "别人的培训" not in text
    assert text.index("民法典婚姻家庭编") < text.index("人民调解技巧")
    assert "累计5学时" in text and "未达到年度目标8学时，尚差3学时" in text

    svc.set_yearly_target(user, 5)
    done = _squeezed(_write(tmp_path, training_record_pdf(store, a, 2025), "done.pdf"))
    assert "已达到年度目标5学时" in done


def _consultation(**kw: object) -> ConsultationInput:
    values: dict[str, object] = {
        "consulted_on": date(2025, 6, 10),
        "category": "labour",
        "question": "老板拖欠三个月工资怎么办？",
        "answered_by": "张律师",
        "mode": "on_site",
        "name": "冯七",
        "gender": "男",
        "age": 46,
        "phone": "13512345678",
        "village": "东村",
        "answer": "可以申请劳动仲裁，也可以申请人民调解。",
    }
    values.update(kw)
    return ConsultationInput(**values)  # type: ignore[arg-type]


def test_consultation_register_for_a_month(
    store: Store, ids: dict[str, str], tmp_path: Path
) -> None:
    svc = ConsultationService(store)
    user = ids["user_id"]
    svc.record(user, _consultation())
    svc.record(
        user,
        _consultation(
            consulted_on=date(2025, 6, 3),
            anonymous=True,
            category="marriage_family",
            question="离婚后孩子的抚养费怎么算？" * 20,
            referral="legal_aid",
        ),
    )
    svc.record(user, _consultation(consulted_on=date(2025, 5, 30), name="五月的人"))
    path = _write(tmp_path, consultation_register_pdf(store, 2025, 6))
    _all_fonts_embedded(path)
    text = _squeezed(path)
    for label in ("法律咨询登记簿", "咨询人情况", "咨询问题", "解答摘要", "解答人", "处理结果"):
        assert label in text
    assert "2025年6月" in text and "共2件" in text
    assert "冯七" in text and "46岁" in text and "135****5678" in text
    assert "拒绝提供身份信息" in text and "转法律援助" in text and "劳动争议" in text
    assert text.count("离婚后孩子的抚养费怎么算？") == 20  # long question wraps, nothing lost
    assert "五月的人" not in text
    assert text.index("2025.6.3") < text.index("2025.6.10")
    full = _squeezed(
        _write(
            tmp_path, consultation_register_pdf(store, 2025, 6, show_contacts=True, user_id=user)
        )
    )
    assert "13512345678" in full


def test_adviser_log_for_a_period(store: Store, ids: dict[str, str], tmp_path: Path) -> None:
    svc = AdviserLogService(store)
    user = ids["user_id"]

    def log(adviser: str, when: datetime, hours: float, kind: str, on_site: bool = True) -> None:
        svc.record(
            user,
            AdviserLogInput(
                adviser,
                "东村",
                when,
                hours,
                kind,
                "村民委员会",
                f"{when:%m月%d日}服务内容",
                "已解答",
                on_site,
            ),
        )

    log("周律师", datetime(2025, 1, 8, 9), 4, "consultation")
    log("周律师", datetime(2025, 2, 20, 14, 30), 2, "lecture")
    log("周律师", datetime(2025, 3, 9, 9), 1.5, "governance", on_site=False)
    log("吴律师", datetime(2025, 2, 21, 9), 3, "consultation")
    path = _write(tmp_path, adviser_log_pdf(store, "周律师", date(2025, 2, 1), date(2025, 3, 31)))
    _all_fonts_embedded(path)
    text = _squeezed(path)
    for label in ("法律顾问工作日志", "服务时间", "服务对象", "服务内容", "服务结果"):
        assert label in text
    assert "周律师" in text and "吴律师" not in text
    assert "2025年2月1日至2025年3月31日" in text
    assert "02月20日服务内容" in text and "03月09日服务内容" in text
    assert "01月08日服务内容" not in text
    assert "14:30" in text and "法律知识宣传（法治讲座）" in text and "远程" in text
    assert "共2次服务，累计3.5小时，其中实地服务2小时" in text


def test_sign_in_sheet_of_a_training_without_attendees(
    store: Store, ids: dict[str, str], tmp_path: Path
) -> None:
    svc = UnderstanderService(store)
    tid = svc.add_training(
        ids["user_id"], TrainingInput(date(2025, 5, 20), "空培训", "李所长", "online", 1)
    )
    path = _write(tmp_path, training_sign_in_pdf(store, tid, blank_rows=0))
    assert "空培训" in _squeezed(path) and _pages(path) == 1


def test_rare_characters_print_and_unprintable_ones_are_reported(
    store: Store, ids: dict[str, str], tmp_path: Path
) -> None:
    svc = UnderstanderService(store)
    user = ids["user_id"]
    _person(svc, user, "吉𠮷", village="䶮村")
    _person(svc, user, "王堃喆")
    path = _write(tmp_path, roster_pdf(store))
    _all_fonts_embedded(path)
    text = _squeezed(path)
    assert "吉𠮷" in text and "䶮村" in text and "王堃喆" in text

    _person(svc, user, "李\U00030000")  # CJK Extension G: no shipped font has it
    with pytest.raises(MissingGlyphError) as err:
        roster_pdf(store)
    assert err.value.chars == ["\U00030000"] and "法律明白人名册" in str(err.value)


def test_a_question_longer_than_a_page_flows_on(
    store: Store, ids: dict[str, str], tmp_path: Path
) -> None:
    svc = ConsultationService(store)
    question = "".join(f"第{n}句：相邻的宅基地边界一直有争议。" for n in range(1, 241))
    assert len(question) > 4000
    svc.record(ids["user_id"], _consultation(question=question))
    for day in range(2, 12):
        svc.record(ids["user_id"], _consultation(consulted_on=date(2025, 6, day)))
    path = _write(tmp_path, consultation_register_pdf(store, 2025, 6))
    pages = _pages(path)
    assert pages >= 3
    text = _squeezed(path)
    assert "第1句：" in text and "第240句：相邻的宅基地边界一直有争议。" in text
    for page in range(1, pages + 1):
        page_text = _squeezed(path, page)
        assert page_text.count("咨询问题") == 1  # one header row per page, never two
