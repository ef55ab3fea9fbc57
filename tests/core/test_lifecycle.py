"""Every lifecycle rule of domain.md, through the real store."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal

import pytest

from justice_desktop.domain.case_inputs import (
    QA,
    AgreementInput,
    FollowUpInput,
    InvestigationInput,
    SessionInput,
)
from justice_desktop.domain.party import PartyInput
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError
from tests.core.conftest import Clock, make_case_input

WRITTEN = AgreementInput(
    form="written",
    effective_on=date(2025, 6, 10),
    facts="排水沟位于双方宅基地交界处，申请人认为被申请人占用。",
    terms=["被申请人于2025年6月30日前将排水沟恢复原状", "申请人放弃其他请求"],
    performance_manner="被申请人自行拆除",
    performance_place="柳河镇东村",
    performance_deadline=date(2025, 6, 30),
    amount=Decimal("1200.50"),
)
ORAL = AgreementInput(
    form="oral", effective_on=date(2025, 6, 10), oral_content="双方同意各退一步，共同清理排水沟。"
)


def session(on: date) -> SessionInput:
    return SessionInput(
        held_at=datetime(on.year, on.month, on.day, 9),
        record="双方陈述意见，调解员释法说理。",
        mediators="王调解",
    )


def test_registration_fills_number_due_date_and_party_details(
    cases: CaseService, new_case: Callable[..., str]
) -> None:
    cid = new_case()
    f = cases.load(cid)
    assert f.case["case_number"] == "（2025）津东城人调字第1号"
    assert f.case["status"] == "registered"
    assert f.case["mediation_due_on"] == "2025-07-02"
    applicant = f.parties[0]
    assert (applicant["gender"], applicant["birth_date"]) == ("女", "1949-12-31")
    assert f.case["applicants"] == "张三" and f.case["respondents"] == "李四"
    assert [m["name"] for m in f.mediators] == ["王调解"]
    second = new_case()
    assert cases.load(second).case["case_number"] == "（2025）津东城人调字第2号"


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"summary": ""}, "summary", "请填写纠纷简要情况"),
        ({"summary": "长" * 2001}, "summary", "不能超过2000个字"),
        ({"dispute_type": "nonsense"}, "dispute_type", "请选择纠纷类型"),
        ({"dispute_type": "labour"}, "dispute_subtype", "具体类别"),
        ({"source": "referred"}, "source_sub", "移送单位"),
        ({"source": "referred", "source_sub": "police"}, "referral_doc_no", "移送文书编号"),
        (
            {
                "source": "referred",
                "source_sub": "court_entrusted",
                "referral_doc_no": "（2025）津0102民诉前调1号",
            },
            "court_procedure",
            "普通程序或简易程序",
        ),
        ({"mediators": [" "]}, "mediators", "调解员"),
        ({"registered_on": date(2025, 6, 17)}, "registered_on", "不能晚于今天"),
        ({"parties": [PartyInput(side="applicant", name="张三")]}, "parties", "被申请人"),
        (
            {
                "parties": [
                    PartyInput(side="applicant", name="张三", id_number="110105194912310021"),
                    PartyInput(side="respondent", name="李四"),
                ]
            },
            "parties[0].id_number",
            "校验",
        ),
        (
            {
                "parties": [
                    PartyInput(
                        side="applicant", name="张三", id_number="11010519491231002X", gender="男"
                    ),
                    PartyInput(side="respondent", name="李四"),
                ]
            },
            "parties[0].gender",
            "不一致",
        ),
        (
            {
                "parties": [
                    PartyInput(side="applicant", name="张三"),
                    PartyInput(
                        side="respondent",
                        kind="org",
                        name="某公司",
                        representative="赵五",
                        credit_code="91110000100000589C",
                    ),
                ]
            },
            "parties[1].credit_code",
            "",
        ),
        (
            {
                "parties": [
                    PartyInput(side="applicant", name="张三", phone="12345"),
                    PartyInput(side="respondent", name="李四"),
                ]
            },
            "parties[0].phone",
            "",
        ),
    ],
)
def test_registration_refusals_name_the_field(
    cases: CaseService,
    ids: dict[str, str],
    store: Store,
    overrides: dict[str, object],
    field: str,
    fragment: str,
) -> None:
    before = store.scalar("SELECT count(*) FROM cases")
    with pytest.raises(ValidationError) as err:
        cases.register(ids["user_id"], make_case_input(ids["committee_id"], **overrides))
    assert err.value.field == field
    assert fragment in err.value.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.message)
    assert store.scalar("SELECT count(*) FROM cases") == before


def test_court_referrals_have_their_own_deadlines(
    cases: CaseService, new_case: Callable[..., str]
) -> None:
    assigned = new_case(
        source="referred", source_sub="court_assigned", referral_doc_no="（2025）津0102民诉前调1号"
    )
    ordinary = new_case(
        source="referred",
        source_sub="court_entrusted",
        referral_doc_no="X1",
        court_procedure="ordinary",
    )
    summary = new_case(
        source="referred",
        source_sub="court_entrusted",
        referral_doc_no="X2",
        court_procedure="summary",
    )
    assert cases.load(assigned).case["mediation_due_on"] == "2025-07-02"
    assert cases.load(ordinary).case["mediation_due_on"] == "2025-06-17"
    assert cases.load(summary).case["mediation_due_on"] == "2025-06-09"


def test_success_requires_an_agreement(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str]
) -> None:
    cid = new_case()
    with pytest.raises(ValidationError) as err:
        cases.mark_success(ids["user_id"], cid)
    assert err.value.field == "agreement"
    assert cases.load(cid).case["outcome"] is None


def test_written_agreement_makes_success_with_copies_and_follow_up(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str]
) -> None:
    cid = new_case()
    cases.add_session(ids["user_id"], cid, session(date(2025, 6, 5)))
    cases.record_agreement(ids["user_id"], cid, WRITTEN)
    f = cases.load(cid)
    assert f.status == "succeeded" and f.case["outcome"] == "success"
    assert f.agreement is not None
    assert f.agreement["copies"] == 3  # two parties + the committee
    assert json.loads(f.agreement["terms"])[0].startswith("被申请人")
    assert f.case["amount_cents"] == 120050
    assert [fu["due_on"] for fu in f.follow_ups] == ["2025-07-10"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"terms": []}, "terms"),
        ({"performance_manner": ""}, "performance_manner"),
        ({"performance_place": ""}, "performance_place"),
        ({"performance_deadline": None}, "performance_deadline"),
        ({"facts": ""}, "facts"),
        ({"effective_on": date(2025, 5, 1)}, "effective_on"),
    ],
)
def test_written_agreement_needs_every_part(
    cases: CaseService,
    new_case: Callable[..., str],
    ids: dict[str, str],
    change: dict[str, object],
    field: str,
) -> None:
    cid = new_case()
    values = {**WRITTEN.__dict__, **change}
    with pytest.raises(ValidationError) as err:
        cases.record_agreement(ids["user_id"], cid, AgreementInput(**values))  # type: ignore[arg-type]
    assert err.value.field == field
    assert cases.load(cid).status == "registered"


def test_oral_agreement_needs_content(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str]
) -> None:
    cid = new_case()
    with pytest.raises(ValidationError) as err:
        cases.record_agreement(
            ids["user_id"], cid, AgreementInput(form="oral", effective_on=date(2025, 6, 10))
        )
    assert err.value.field == "oral_content"
    cases.record_agreement(ids["user_id"], cid, ORAL)
    assert cases.load(cid).status == "succeeded"


def test_failure_needs_reason_and_routes(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str]
) -> None:
    cid = new_case()
    with pytest.raises(ValidationError) as err:
        cases.record_failure(ids["user_id"], cid, date(2025, 6, 10), "双方分歧过大", [])
    assert err.value.field == "failure_routes"
    cases.record_failure(ids["user_id"], cid, date(2025, 6, 10), "双方分歧过大", ["litigation"])
    f = cases.load(cid)
    assert f.status == "failed" and json.loads(f.case["failure_routes"]) == ["litigation"]
    with pytest.raises(ValidationError):
        cases.record_agreement(ids["user_id"], cid, ORAL)


def test_going_past_the_deadline_needs_both_consents(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str], clock: Clock
) -> None:
    cid = new_case(registered_on=date(2025, 5, 2))  # due 2025-06-02
    clock.now = datetime(2025, 6, 20, 10)
    with pytest.raises(ValidationError) as err:
        cases.add_session(ids["user_id"], cid, session(date(2025, 6, 10)))
    assert err.value.field == "held_at" and "双方当事人同意" in err.value.message
    with pytest.raises(ValidationError) as err:
        cases.extend_deadline(
            ids["user_id"],
            cid,
            date(2025, 7, 2),
            applicant_consent=True,
            respondent_consent=False,
            consent_record="申请人口头同意",
            recorded_on=date(2025, 6, 1),
        )
    assert err.value.field == "consent" and "被申请人" in err.value.message
    with pytest.raises(ValidationError) as err:  # consent recorded after the deadline passed
        cases.extend_deadline(
            ids["user_id"],
            cid,
            date(2025, 7, 2),
            applicant_consent=True,
            respondent_consent=True,
            consent_record="双方签字同意",
            recorded_on=date(2025, 6, 5),
        )
    assert err.value.field == "recorded_on"
    cases.extend_deadline(
        ids["user_id"],
        cid,
        date(2025, 7, 2),
        applicant_consent=True,
        respondent_consent=True,
        consent_record="双方在延期申请上签字同意",
        recorded_on=date(2025, 6, 1),
    )
    cases.add_session(ids["user_id"], cid, session(date(2025, 6, 10)))
    f = cases.load(cid)
    assert f.case["extended_due_on"] == "2025-07-02" and f.status == "mediating"
    with pytest.raises(ValidationError):
        cases.add_session(ids["user_id"], cid, session(date(2025, 6, 21)))  # in the future


def test_investigation_records_questions_and_answers(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str]
) -> None:
    cid = new_case()
    with pytest.raises(ValidationError) as err:
        cases.add_investigation(
            ids["user_id"], cid, InvestigationInput(datetime(2025, 6, 3, 9), "李四", "王调解", [])
        )
    assert err.value.field == "qa"
    cases.add_investigation(
        ids["user_id"],
        cid,
        InvestigationInput(
            datetime(2025, 6, 3, 9), "李四", "王调解", [QA("排水沟何时修建？", "2019年。")]
        ),
    )
    f = cases.load(cid)
    assert json.loads(f.investigations[0]["qa"]) == [{"q": "排水沟何时修建？", "a": "2019年。"}]
    assert f.status == "mediating"


def _succeed(cases: CaseService, cid: str, user: str, agreement: AgreementInput = WRITTEN) -> None:
    cases.record_agreement(user, cid, agreement)


def test_judicial_confirmation_rules(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str], clock: Clock
) -> None:
    user = ids["user_id"]
    status_matter = new_case(dispute_type="marriage_family", status_matter="marriage")
    _succeed(cases, status_matter, user)
    with pytest.raises(ValidationError) as err:
        cases.apply_judicial_confirmation(user, status_matter, date(2025, 6, 12), "河东区人民法院")
    assert "婚姻关系" in err.value.message

    oral = new_case()
    _succeed(cases, oral, user, ORAL)
    with pytest.raises(ValidationError) as err:
        cases.apply_judicial_confirmation(user, oral, date(2025, 6, 12), "河东区人民法院")
    assert "口头协议" in err.value.message

    late = new_case()
    _succeed(cases, late, user)
    clock.now = datetime(2025, 7, 20, 9)
    with pytest.raises(ValidationError) as err:
        cases.apply_judicial_confirmation(user, late, date(2025, 7, 11), "河东区人民法院")
    assert err.value.field == "applied_on" and "2025年07月10日" in err.value.message
    jid = cases.apply_judicial_confirmation(
        user, late, date(2025, 7, 10), "河东区人民法院"
    )  # day 30
    with pytest.raises(ValidationError):
        cases.apply_judicial_confirmation(user, late, date(2025, 7, 10), "河东区人民法院")
    with pytest.raises(ValidationError) as err:
        cases.record_judicial_result(
            user, jid, "confirmed", "（2025）津0102民特1号", date(2025, 7, 15)
        )
    assert err.value.field == "decision_no"
    cases.record_judicial_result(
        user, jid, "confirmed", "（2025）津0102民特调确字第12号", date(2025, 7, 15)
    )
    assert cases.load(late).judicial_confirmations[0]["result"] == "confirmed"


def test_close_needs_follow_up_then_archive_needs_volume(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str], clock: Clock
) -> None:
    user = ids["user_id"]
    cid = new_case()
    with pytest.raises(ValidationError):  # cannot close an open case
        cases.close_case(user, cid, date(2025, 6, 16))
    _succeed(cases, cid, user)
    with pytest.raises(ValidationError) as err:
        cases.close_case(user, cid, date(2025, 6, 16))
    assert err.value.field == "follow_up"
    clock.now = datetime(2025, 7, 12, 9)
    cases.record_follow_up(
        user,
        cid,
        FollowUpInput(done_on=date(2025, 7, 11), visitor="王调解", performance="performed"),
    )
    f = cases.load(cid)
    assert f.follow_ups[0]["done_on"] == "2025-07-11" and f.agreement is not None
    assert f.agreement["performance"] == "performed"
    cases.close_case(user, cid, date(2025, 7, 12))
    with pytest.raises(ValidationError) as err:
        cases.archive_case(user, cid, "", "permanent", date(2025, 7, 12), "李明")
    assert err.value.field == "volume_no"
    cases.archive_case(user, cid, "2025-017", "years_30", date(2025, 7, 12), "李明")
    f = cases.load(cid)
    assert f.status == "archived" and f.case["volume_no"] == "2025-017"
    assert f.case["case_number"] == "（2025）津东城人调字第1号"  # never changes
    with pytest.raises(ValidationError):
        cases.add_session(user, cid, session(date(2025, 7, 12)))


def test_failed_case_closes_without_follow_up(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str]
) -> None:
    cid = new_case()
    cases.record_failure(
        ids["user_id"], cid, date(2025, 6, 10), "被申请人拒绝调解", ["litigation", "arbitration"]
    )
    cases.close_case(ids["user_id"], cid, date(2025, 6, 11))
    assert cases.load(cid).status == "closed"


def test_editing_registration_keeps_the_number(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str]
) -> None:
    cid = new_case()
    version = cases.load(cid).case["version"]
    parties = [
        PartyInput(side="applicant", name="张三"),
        PartyInput(side="respondent", name="李四"),
        PartyInput(side="respondent", name="王五"),
    ]
    cases.update_registration(
        ids["user_id"],
        cid,
        make_case_input(ids["committee_id"], parties=parties, summary="更正后的纠纷情况"),
        expected_version=version,
    )
    f = cases.load(cid)
    assert f.case["respondents"] == "李四、王五" and f.case["party_count"] == 3
    assert f.case["case_number"].endswith("第1号")
    from justice_desktop.store.errors import ConcurrentEditError

    with pytest.raises(ConcurrentEditError):
        cases.update_registration(
            ids["user_id"], cid, make_case_input(ids["committee_id"]), expected_version=version
        )
    with pytest.raises(ValidationError):
        cases.update_registration(
            ids["user_id"],
            cid,
            make_case_input(ids["committee_id"], registered_on=date(2024, 12, 30)),
        )


def test_a_registration_date_already_after_a_session_does_not_block_other_edits(
    store: Store, cases: CaseService, new_case: Callable[..., str], ids: dict[str, str]
) -> None:
    """Moving 受理日期 after a recorded session is refused; a case stored so before that rule
    (by an older program, or synced) can still have its other fields corrected, and its date
    moved back, without the date first being made consistent."""
    user = ids["user_id"]
    cid = new_case()  # registered 2025-06-02
    cases.add_session(user, cid, session(date(2025, 6, 5)))
    with pytest.raises(ValidationError) as refusal:
        cases.update_registration(
            user, cid, make_case_input(ids["committee_id"], registered_on=date(2025, 6, 8))
        )
    assert refusal.value.field == "registered_on" and "调解日期" in refusal.value.message
    with store.tx(user) as tx:  # as an older program stored it
        tx.update("cases", cid, {"registered_on": "2025-06-08"})
    cases.update_registration(
        user,
        cid,
        make_case_input(ids["committee_id"], registered_on=date(2025, 6, 8), summary="更正"),
    )
    assert cases.load(cid).case["summary"] == "更正"
    with pytest.raises(ValidationError):  # later still: refused
        cases.update_registration(
            user, cid, make_case_input(ids["committee_id"], registered_on=date(2025, 6, 9))
        )
    cases.update_registration(
        user, cid, make_case_input(ids["committee_id"], registered_on=date(2025, 6, 7))
    )
    assert cases.load(cid).case["registered_on"] == "2025-06-07"


def test_attachments_are_content_addressed(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str], store: Store
) -> None:
    cid = new_case()
    data = b"%PDF-1.4 scan of an ID card"
    a1 = cases.add_attachment(ids["user_id"], cid, "身份证复印件.pdf", data, kind="identity")
    a2 = cases.add_attachment(
        ids["user_id"], cid, "身份证复印件（第二份）.pdf", data, kind="identity"
    )
    f = cases.load(cid)
    assert {a["id"] for a in f.attachments} == {a1, a2}
    assert f.attachments[0]["sha256"] == f.attachments[1]["sha256"]
    assert store.scalar("SELECT count(*) FROM blobs") == 1
    assert cases.attachment_data(f.attachments[0]["sha256"]) == data
    with pytest.raises(ValidationError):
        cases.add_attachment(ids["user_id"], cid, "空.pdf", b"")


def test_allowed_actions_follow_the_stage() -> None:
    from justice_desktop.domain.lifecycle import allowed_actions

    assert "agree" in allowed_actions("registered")
    assert "agree" not in allowed_actions("succeeded")
    assert "follow_up" in allowed_actions("succeeded") and "follow_up" not in allowed_actions(
        "failed"
    )
    assert allowed_actions("archived") == ()


def test_voided_case_is_a_tombstone_and_leaves_search(
    cases: CaseService, new_case: Callable[..., str], ids: dict[str, str], store: Store
) -> None:
    from justice_desktop.store.search import search

    cid = new_case()
    assert search(store.conn, "张三")
    cases.delete_case(ids["user_id"], cid, "重复登记")
    assert store.scalar("SELECT deleted FROM cases WHERE id = ?", (cid,)) == 1
    assert search(store.conn, "张三") == []
    ops = [
        r["op"]
        for r in store.query("SELECT op FROM outbox WHERE record_id = ? ORDER BY seq", (cid,))
    ]
    assert ops[0] == "insert" and ops[-1] == "delete"


def test_case_history_names_who_did_what(store: Store, ids: dict[str, str]) -> None:
    from justice_desktop.store.history import case_history

    service = CaseService(store)
    case_id = service.register(ids["user_id"], make_case_input(ids["committee_id"]))
    service.add_session(
        ids["user_id"],
        case_id,
        SessionInput(held_at=datetime(2025, 6, 16, 9, 0), record="双方陈述", mediators="李明"),
    )
    entries = case_history(store, case_id)
    whats = [e.what for e in entries]
    assert ("调解记录", "新增") in [(e.what, e.action) for e in entries]
    assert entries[0].at >= entries[-1].at  # newest first
    assert "案件" in whats and "当事人" in whats
    assert all(e.user == "管理员" for e in entries)
    other = service.register(ids["user_id"], make_case_input(ids["committee_id"]))
    assert all(e.what != "调解记录" for e in case_history(store, other))


def test_attachment_kind_must_be_known(store: Store, ids: dict[str, str]) -> None:
    service = CaseService(store)
    case_id = service.register(ids["user_id"], make_case_input(ids["committee_id"]))
    with pytest.raises(ValidationError, match="附件的类别"):
        service.add_attachment(ids["user_id"], case_id, "a.pdf", b"%PDF", kind="photos")
    service.add_attachment(ids["user_id"], case_id, "a.pdf", b"%PDF", kind="performance")
    assert service.load(case_id).attachments[0]["kind"] == "performance"
