"""法律明白人 roster and trainings; consultations with referral; advisers' minimums."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from justice_desktop.domain.consultations import AdviserLogInput, ConsultationInput
from justice_desktop.domain.party import PartyInput
from justice_desktop.domain.understanders import TrainingInput, UnderstanderInput
from justice_desktop.store.cases import CaseService
from justice_desktop.store.code_tables import add_entry, load_tables
from justice_desktop.store.consultations import AdviserLogService, ConsultationService
from justice_desktop.store.database import Store
from justice_desktop.store.search import search
from justice_desktop.store.understanders import UnderstanderService
from justice_desktop.validation import ValidationError


def _person(name: str, village: str = "东村", **kw: object) -> UnderstanderInput:
    return UnderstanderInput(name=name, village=village, nomination_route="committee", **kw)  # type: ignore[arg-type]


def test_roster_training_hours_and_shortfall(store: Store, ids: dict[str, str]) -> None:
    svc = UnderstanderService(store)
    user = ids["user_id"]
    a = svc.add(
        user,
        _person(
            "赵一",
            id_number="11010519491231002X",
            priority_group="mediator",
            certificate_no="FLMB-001",
        ),
    )
    b = svc.add(user, _person("钱二"))
    c = svc.add(user, _person("孙三", village="西村"))
    row = store.query("SELECT gender, birth_date FROM understanders WHERE id = ?", (a,))[0]
    assert (row["gender"], row["birth_date"]) == ("女", "1949-12-31")
    svc.set_yearly_target(user, 8)
    svc.add_training(
        user,
        TrainingInput(
            date(2025, 3, 1), "民法典婚姻家庭编", "张律师", "offline", 3, attendee_ids=[a, b]
        ),
    )
    t2 = svc.add_training(
        user,
        TrainingInput(date(2025, 5, 1), "人民调解技巧", "李所长", "online", 5, attendee_ids=[a]),
    )
    svc.add_training(
        user,
        TrainingInput(date(2024, 5, 1), "去年的培训", "李所长", "online", 6, attendee_ids=[b, c]),
    )
    hours = {h.name: h.hours for h in svc.hours_by_person(2025)}
    assert hours == {"赵一": 8.0, "钱二": 3.0, "孙三": 0.0}
    short = {h.name: h.missing for h in svc.shortfalls(2025)}
    assert short == {"钱二": 5.0, "孙三": 8.0}
    svc.set_attendance(user, t2, [a, b])
    assert {h.name: h.hours for h in svc.hours_by_person(2025)}["钱二"] == 8.0
    svc.set_attendance(user, t2, [b])
    assert {h.name: h.hours for h in svc.hours_by_person(2025)}["赵一"] == 3.0
    assert svc.count_by_village() == {"东村": 2, "西村": 1}
    assert search(store.conn, "赵一")[0].kind == "understander"
    assert search(store.conn, "FLMB-001")[0].ref_id == a


def test_removal_keeps_the_person_with_reason(store: Store, ids: dict[str, str]) -> None:
    svc = UnderstanderService(store)
    user = ids["user_id"]
    uid = svc.add(user, _person("周四"))
    with pytest.raises(ValidationError) as err:
        svc.remove(user, uid, "", date(2025, 6, 1))
    assert err.value.field == "removal_reason"
    svc.remove(user, uid, "违法被处理，不再履行职责", date(2025, 6, 1))
    assert svc.roster() == []
    removed = svc.roster(status="removed")
    assert (
        removed[0]["removal_reason"].startswith("违法") and removed[0]["removed_on"] == "2025-06-01"
    )
    with pytest.raises(ValidationError, match="已清退"):
        svc.add_training(
            user, TrainingInput(date(2025, 6, 2), "主题", "讲师", "offline", 2, attendee_ids=[uid])
        )
    with pytest.raises(ValidationError, match="清退"):
        svc.remove(user, uid, "再次", date(2025, 6, 2))


def test_a_removed_person_appointed_again_keeps_both_records_editable(
    store: Store, ids: dict[str, str]
) -> None:
    """One active entry per ID number: a person removed (清退) and appointed again has a new
    entry, and the old, removed one (not on the roster, not counted) can still be corrected;
    a second active entry is still refused."""
    svc = UnderstanderService(store)
    user = ids["user_id"]
    number = "11010519491231002X"
    old = svc.add(user, _person("赵一", id_number=number))
    svc.remove(user, old, "外出务工", date(2025, 6, 1))
    new = svc.add(user, _person("赵一", id_number=number))  # appointed again
    svc.update(user, old, _person("赵一", id_number=number, phone="13800138000"))
    assert store.scalar("SELECT phone FROM understanders WHERE id = ?", (old,)) == "13800138000"
    svc.update(user, new, _person("赵一", id_number=number, phone="13900139000"))
    with pytest.raises(ValidationError) as err:
        svc.add(user, _person("赵一", village="西村", id_number=number))
    assert err.value.field == "id_number"


def test_a_person_entered_on_two_pcs_stays_editable_after_the_sync(
    store: Store, ids: dict[str, str]
) -> None:
    """Two PCs add the same person offline; the sync stores both entries (as a pull writes
    them). Either can still be corrected (or removed); only giving an ID number that another
    active entry has is refused."""
    svc = UnderstanderService(store)
    user = ids["user_id"]
    number = "11010519491231002X"
    here = svc.add(user, _person("赵一", id_number=number))
    with store.tx(user) as tx:  # the other PC's entry, pulled
        pulled = tx.insert(
            "understanders",
            {
                "name": "赵一",
                "village": "东村",
                "nomination_route": "committee",
                "id_number": number,
                "status": "active",
            },
        )
    svc.update(user, pulled, _person("赵一", id_number=number, phone="13800138000"))
    svc.update(user, here, _person("赵一", id_number=number, certificate_no="FLMB-001"))
    other = svc.add(user, _person("钱二"))
    with pytest.raises(ValidationError) as err:
        svc.update(user, other, _person("钱二", id_number=number))
    assert err.value.field == "id_number"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"village": ""}, "village"),
        ({"nomination_route": "nope"}, "nomination_route"),
        ({"id_number": "123"}, "id_number"),
        ({"phone": "abc"}, "phone"),
        ({"filed_on": date(2026, 1, 1)}, "filed_on"),
    ],
)
def test_understander_bad_input(
    store: Store, ids: dict[str, str], change: dict[str, object], field: str
) -> None:
    values = {"name": "吴五", "village": "东村", "nomination_route": "self", **change}
    with pytest.raises(ValidationError) as err:
        UnderstanderService(store).add(ids["user_id"], UnderstanderInput(**values))  # type: ignore[arg-type]
    assert err.value.field == field


def test_training_and_assessment(store: Store, ids: dict[str, str]) -> None:
    svc = UnderstanderService(store)
    user = ids["user_id"]
    with pytest.raises(ValidationError) as err:
        svc.add_training(user, TrainingInput(date(2025, 6, 1), "主题", "讲师", "offline", 0))
    assert err.value.field == "hours"
    uid = svc.add(user, _person("郑六"))
    first = svc.record_assessment(user, uid, 2024, "合格")
    again = svc.record_assessment(user, uid, 2024, "优秀")
    assert first == again
    assert store.scalar("SELECT result FROM assessments WHERE id = ?", (first,)) == "优秀"


def _consultation(**kw: object) -> ConsultationInput:
    values: dict[str, object] = {
        "consulted_on": date(2025, 6, 10),
        "category": "labour",
        "question": "老板拖欠三个月工资怎么办？",
        "answered_by": "张律师",
        "mode": "on_site",
        "name": "冯七",
        "phone": "13512345678",
        "village": "东村",
        "answer": "可以申请劳动仲裁，也可以申请人民调解。",
    }
    values.update(kw)
    return ConsultationInput(**values)  # type: ignore[arg-type]


def test_consultation_anonymous_and_referral_to_mediation(
    store: Store, ids: dict[str, str]
) -> None:
    svc = ConsultationService(store)
    user = ids["user_id"]
    anon = svc.record(user, _consultation(anonymous=True, name="不会保存", phone="13512345678"))
    row = svc.get(anon)
    assert row["anonymous"] == 1 and row["name"] == "" and row["phone"] == ""
    assert search(store.conn, "老板拖欠")[0].title.startswith("法律咨询 拒绝提供身份信息")
    with pytest.raises(ValidationError, match="拒绝提供身份信息"):
        svc.draft_case(anon, ids["committee_id"], "王调解")
    with pytest.raises(ValidationError) as err:
        svc.record(user, _consultation(name=""))
    assert err.value.field == "name"

    cid = svc.record(user, _consultation())
    draft = svc.draft_case(cid, ids["committee_id"], "王调解")
    assert draft.parties[0].name == "冯七" and draft.parties[0].phone == "13512345678"
    draft.dispute_type = "labour"
    draft.dispute_subtype = "labour_unpaid_wages"
    draft.parties[1] = PartyInput(
        side="respondent", kind="org", name="某建筑公司", representative="褚八"
    )
    case_id = svc.refer_to_mediation(user, cid, draft)
    case = CaseService(store).load(case_id)
    assert (
        case.case["applicants"] == "冯七" and case.case["summary"] == "老板拖欠三个月工资怎么办？"
    )
    assert svc.get(cid)["referral_case_id"] == case_id and svc.get(cid)["referral"] == "mediation"
    with pytest.raises(ValidationError, match="重复"):
        svc.refer_to_mediation(user, cid, draft)
    assert len(svc.register_for_month(2025, 6)) == 2


def test_adviser_shortfalls(store: Store, ids: dict[str, str]) -> None:
    svc = AdviserLogService(store)
    user = ids["user_id"]

    def log(
        village: str, when: datetime, hours: float, kind: str = "consultation", on_site: bool = True
    ) -> None:
        svc.record(
            user,
            AdviserLogInput(
                "周律师", village, when, hours, kind, "村民", "解答土地承包问题", "已解答", on_site
            ),
        )

    log("东村", datetime(2025, 1, 8, 9), 4)
    log("东村", datetime(2025, 2, 8, 9), 2)
    log("东村", datetime(2025, 2, 20, 9), 2, kind="lecture")
    log("东村", datetime(2025, 3, 8, 9), 3)
    log("东村", datetime(2025, 3, 9, 9), 3, on_site=False)
    log("西村", datetime(2025, 4, 1, 9), 4, kind="lecture")
    with pytest.raises(ValidationError) as err:
        log("东村", datetime(2025, 3, 8, 9), 0)
    assert err.value.field == "hours"
    found = svc.shortfalls({"东村": "周律师", "西村": "周律师"}, 2025, until=date(2025, 4, 15))
    described = [(s.village, s.period, s.kind) for s in found]
    assert ("东村", "2025-01", "visit") not in described
    assert ("东村", "2025-02", "visit") not in described  # 2 + 2 hours on site
    assert ("东村", "2025-03", "visit") in described  # 3 on site, the remote 3 do not count
    assert ("东村", "2025Q1", "lecture") not in described
    assert ("西村", "2025Q1", "lecture") in described
    assert ("西村", "2025-04", "visit") not in described  # April has not ended yet
    assert any("不足每月4小时" in s.describe() for s in found)


def test_office_code_entry_survives_reload(store: Store, ids: dict[str, str]) -> None:
    code = add_entry(store, ids["user_id"], "dispute_types", "金融")
    tables = load_tables(store)
    assert tables["dispute_types"].label(code) == "金融"
    with pytest.raises(ValidationError):
        add_entry(store, ids["user_id"], "dispute_types", "金融")
    from tests.core.conftest import make_case_input

    cid = CaseService(store).register(
        ids["user_id"], make_case_input(ids["committee_id"], dispute_type=code)
    )
    assert "金融纠纷" in search(store.conn, "张三")[0].title
    assert CaseService(store).load(cid).case["dispute_type"] == code
