"""Demo data: deterministic, realistic, consistent with every lifecycle rule, and loaded fast
into a real SQLCipher store (no outbox, one audit entry, cancellable between chunks)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from justice_desktop.codes.tables import load_code_tables
from justice_desktop.demo.generator import (
    CommitteeRef,
    DemoBatch,
    DemoGenerator,
    StaffRef,
)
from justice_desktop.demo.loader import DemoReport, load_demo_data
from justice_desktop.domain import lifecycle as lc
from justice_desktop.domain.case_inputs import FollowUpInput
from justice_desktop.domain.deadlines import (
    follow_up_due,
    judicial_confirmation_last_day,
    mediation_due,
)
from justice_desktop.domain.numbering import format_case_number
from justice_desktop.store import search
from justice_desktop.store.bulk import DEMO_GRANTOR, is_demo_database
from justice_desktop.store.cases import CaseFile, CaseService, case_search_fields
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.consultations import consultation_search_fields
from justice_desktop.store.database import Store, create_store
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.office import set_up_office
from justice_desktop.store.session import DEMO_SETUP
from justice_desktop.store.understanders import understander_search_fields
from justice_desktop.validation.id_number import parse_resident_id
from tests.core.conftest import make_case_input

TODAY = date(2025, 6, 16)
NOW = datetime(2025, 6, 16, 9, 30)
N = 1500
SEED = 7


def _now() -> datetime:
    return NOW


def _new_store(folder: Path) -> Store:
    store, _ = create_store(folder, MemoryVault({}), clock=_now)
    set_up_office(store, DEMO_SETUP)
    return store


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Store, DemoReport]]:
    store = _new_store(tmp_path_factory.mktemp("demo") / "office")
    report = load_demo_data(store, cases=N, seed=SEED)
    yield store, report
    store.close()


@pytest.fixture(scope="module")
def case_files(loaded: tuple[Store, DemoReport]) -> list[CaseFile]:
    store = loaded[0]
    service = CaseService(store)
    ids = [r["id"] for r in store.query("SELECT id FROM cases ORDER BY registered_on, seq")]
    return [service.load(i) for i in ids]


def _generator(seed: int, cases: int = 1100) -> DemoGenerator:
    return DemoGenerator(
        cases=cases,
        seed=seed,
        today=TODAY,
        tables=load_code_tables(),
        committees=[CommitteeRef("c" * 32, "城关街道人民调解委员会", "津东城")],
        staff=[StaffRef("李明", "u" * 32)],
    )


def _fingerprint(batches: Iterator[DemoBatch]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for batch in batches:
        parties: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for p in batch.rows["parties"]:
            parties[p["case_id"]].append((p["name"], p["id_number"], p["phone"]))
        for c in batch.rows["cases"]:
            out.append((c["case_number"], c["status"], c["summary"], tuple(parties[c["id"]])))
    return out


# ------------------------------------------------------------------------------ determinism


def test_same_seed_gives_the_same_data_and_another_seed_different_data() -> None:
    first = _fingerprint(_generator(1).case_batches(20_000))
    assert len(first) == 1100
    assert first == _fingerprint(_generator(1).case_batches(20_000))
    # chunking does not change anything
    assert first == _fingerprint(_generator(1).case_batches(500))
    other = _fingerprint(_generator(2).case_batches(20_000))
    assert [f[0] for f in other] != [] and other != first
    assert sum(a[2] == b[2] for a, b in zip(first, other, strict=True)) < 50
    office_a, office_b = _generator(1).office_batch(), _generator(1).office_batch()
    assert [u["name"] for u in office_a.rows["understanders"]] == [
        u["name"] for u in office_b.rows["understanders"]
    ]
    assert office_a.rows["adviser_logs"] == office_b.rows["adviser_logs"]


def test_same_seed_through_the_store(tmp_path: Path) -> None:
    got = []
    for name in ("a", "b"):
        store = _new_store(tmp_path / name)
        try:
            load_demo_data(store, cases=300, seed=3)
            got.append(
                [
                    (r["case_number"], r["applicants"], r["respondents"], r["summary"])
                    for r in store.query(
                        "SELECT case_number, applicants, respondents, summary FROM cases "
                        "ORDER BY registered_on, seq"
                    )
                ]
            )
        finally:
            store.close()
    assert len(got[0]) == 300 and got[0] == got[1]


# ----------------------------------------------------------------------------------- counts


def test_counts_match_the_report(loaded: tuple[Store, DemoReport]) -> None:
    store, report = loaded
    count = {
        t: int(store.scalar(f"SELECT count(*) FROM {t}"))
        for t in (
            "cases",
            "parties",
            "case_mediators",
            "investigations",
            "sessions",
            "extensions",
            "agreements",
            "follow_ups",
            "judicial_confirmations",
            "understanders",
            "trainings",
            "training_attendance",
            "assessments",
            "consultations",
            "adviser_logs",
            "search_docs",
        )
    }
    assert report.cases == count["cases"] == N
    assert (report.parties, report.mediators, report.sessions) == (
        count["parties"],
        count["case_mediators"],
        count["sessions"],
    )
    assert (report.agreements, report.follow_ups, report.judicial_confirmations) == (
        count["agreements"],
        count["follow_ups"],
        count["judicial_confirmations"],
    )
    assert (report.understanders, report.trainings, report.consultations, report.adviser_logs) == (
        count["understanders"],
        count["trainings"],
        count["consultations"],
        count["adviser_logs"],
    )
    assert (
        report.search_docs
        == count["search_docs"]
        == N + count["understanders"] + count["consultations"]
    )
    assert not report.cancelled and report.seconds > 0
    assert report.rows >= sum(count.values())
    assert str(report).startswith(f"案件 {N} 件，当事人 {count['parties']} 人")
    assert "用时" in str(report) and "秒" in str(report)
    # modest non-case data: about five understanders a village, consultations ≈ cases / 5
    villages = Counter(r["village"] for r in store.query("SELECT village FROM understanders"))
    assert len(villages) >= 10 and all(4 <= n <= 6 for n in villages.values())
    assert 0.14 * N <= count["consultations"] <= 0.26 * N
    assert 2.0 * N <= count["parties"] <= 2.8 * N
    assert count["trainings"] >= 12 and count["training_attendance"] > count["trainings"] * 10
    statuses = Counter(r["status"] for r in store.query("SELECT status FROM cases"))
    assert statuses[lc.ARCHIVED] > N * 0.7
    for status in lc.STATUS_LABELS:
        assert statuses[status] > 0, status


# -------------------------------------------------------------------------- lifecycle rules


def _d(text: str | None) -> date:
    assert text is not None
    return date.fromisoformat(text[:10])


def test_every_case_obeys_the_lifecycle_rules(
    loaded: tuple[Store, DemoReport], case_files: list[CaseFile]
) -> None:
    tables = load_tables(loaded[0])
    outcomes: Counter[str] = Counter()
    forms: Counter[str] = Counter()
    judicial = Counter[str]()
    court = extended = 0
    for f in case_files:
        c = f.case
        reg = _d(c["registered_on"])
        assert reg <= TODAY
        # registration: codes, due date, names
        assert tables["dispute_types"].has(c["dispute_subtype"] or c["dispute_type"])
        assert tables["case_sources"].has(c["source_sub"] or c["source"])
        assert tables["risk_levels"].has(c["risk_level"])
        assert (
            c["mediation_due_on"]
            == mediation_due(reg, c["source_sub"], c["court_procedure"]).isoformat()
        )
        if c["source_sub"] in ("court_assigned", "court_entrusted"):
            court += 1
            assert c["referral_doc_no"] and (c["source_sub"] == "court_assigned") == (
                c["court_procedure"] is None
            )
        assert c["party_count"] == len(f.parties) >= 2
        assert c["applicants"] == "、".join(
            p["name"] for p in f.parties if p["side"] == "applicant"
        )
        assert c["respondents"] == "、".join(
            p["name"] for p in f.parties if p["side"] == "respondent"
        )
        assert [p["position"] for p in f.parties] == list(range(len(f.parties)))
        assert f.mediators and sum(m["lead"] for m in f.mediators) == 1
        assert json.loads(c["claims"]) and c["summary"]
        # the deadline, with consented extensions only
        due = _d(c["mediation_due_on"])
        for e in f.extensions:
            assert (
                e["applicant_consent"] == 1 and e["respondent_consent"] == 1 and e["consent_record"]
            )
            assert _d(e["recorded_on"]) <= due < _d(e["new_due_on"])
            assert c["extended_due_on"] == e["new_due_on"]
            due = _d(e["new_due_on"])
            extended += 1
        if not f.extensions:
            assert c["extended_due_on"] is None
        for row, on in [(i, i["held_at"]) for i in f.investigations] + [
            (s, s["held_at"]) for s in f.sessions
        ]:
            assert reg <= _d(on) <= min(due, TODAY), row
        for i in f.investigations:
            assert json.loads(i["qa"])
        # outcome
        status = c["status"]
        agreement = f.agreement
        if status in lc.OPEN_STATUSES:
            assert c["outcome"] is None and agreement is None and not f.follow_ups
            assert (status == lc.MEDIATING) == bool(f.sessions or f.investigations)
            continue
        outcomes[c["outcome"]] += 1
        outcome_on = _d(c["outcome_on"])
        assert reg <= outcome_on <= min(due, TODAY)
        assert all(_d(e["recorded_on"]) < outcome_on for e in f.extensions)
        if c["outcome"] == "success":
            assert agreement is not None, c["case_number"]  # 调解成功 needs an agreement
            forms[agreement["form"]] += 1
            assert agreement["effective_on"] == c["outcome_on"]
            assert agreement["copies"] == len(f.parties) + 1
            assert agreement["amount_cents"] == c["amount_cents"]
            assert agreement["agreement_no"] == c["case_number"].replace("人调字", "人调协字")
            if agreement["form"] == "written":
                assert json.loads(agreement["terms"]) and agreement["facts"]
                assert agreement["performance_manner"] and agreement["performance_place"]
                assert agreement["performance_deadline"]
            else:
                assert agreement["oral_content"] and agreement["terms"] == "[]"
            assert len(f.follow_ups) == 1
            fu = f.follow_ups[0]
            deadline = agreement["performance_deadline"]
            assert (
                fu["due_on"]
                == follow_up_due(outcome_on, _d(deadline) if deadline else None).isoformat()
            )
            if fu["done_on"]:
                assert outcome_on <= _d(fu["done_on"]) <= TODAY
                assert fu["performance"] == agreement["performance"] and fu["visitor"]
            else:
                assert status == lc.SUCCEEDED and agreement["performance"] is None
            for j in f.judicial_confirmations:
                judicial[j["result"]] += 1
                # 司法确认: written agreements only, never for status matters, within 30 days
                assert agreement["form"] == "written"
                assert c["status_matter"] is None
                applied = _d(j["applied_on"])
                assert outcome_on <= applied <= judicial_confirmation_last_day(outcome_on)
                assert applied <= TODAY
                lc.check_judicial_confirmation(
                    c["status_matter"], agreement["form"], outcome_on, applied
                )
                if j["result"] == "confirmed":
                    assert "调确字" in j["decision_no"] and applied <= _d(j["decided_on"]) <= TODAY
                elif j["result"] == "applied":
                    assert j["decided_on"] is None and status == lc.SUCCEEDED
        else:
            assert c["outcome"] == "failure" and agreement is None and not f.follow_ups
            assert c["failure_reason"]
            routes = json.loads(c["failure_routes"])
            lc.check_failure(c["failure_reason"], routes)
            assert all(tables["failure_routes"].has(r) for r in routes)
            assert not f.judicial_confirmations
        # closing and archiving
        if status in (lc.CLOSED, lc.ARCHIVED):
            closed = _d(c["closed_on"])
            assert outcome_on <= closed <= TODAY
            if c["outcome"] == "success":
                lc.check_close(lc.SUCCEEDED, 0, sum(1 for r in f.follow_ups if r["done_on"]))
                assert all(closed >= _d(r["done_on"]) for r in f.follow_ups)
        else:
            assert c["closed_on"] is None
        if status == lc.ARCHIVED:
            lc.check_archive(c["volume_no"], c["retention_period"] or "")
            assert c["volume_no"] == c["case_number"]
            assert tables["retention_periods"].has(c["retention_period"])
            assert _d(c["closed_on"]) <= _d(c["archived_on"]) <= TODAY and c["archived_by"]
        else:
            assert not c["volume_no"] and c["archived_on"] is None
    decided = outcomes["success"] + outcomes["failure"]
    assert 0.78 <= outcomes["success"] / decided <= 0.88  # ≈80–85% succeed
    assert (
        forms["written"] > 0.4 * outcomes["success"] and forms["oral"] > 0.2 * outcomes["success"]
    )
    assert judicial["confirmed"] > 0 and court > 0 and extended > 0


def test_no_judicial_confirmation_for_status_matters_or_oral_agreements(
    loaded: tuple[Store, DemoReport],
) -> None:
    store = loaded[0]
    assert store.scalar("SELECT count(*) FROM cases WHERE status_matter IS NOT NULL") > 0
    bad = store.query(
        """SELECT c.case_number FROM judicial_confirmations j JOIN cases c ON c.id = j.case_id
           JOIN agreements a ON a.case_id = c.id
           WHERE c.status_matter IS NOT NULL OR a.form <> 'written'
              OR j.applied_on > date(a.effective_on, '+30 days') OR j.applied_on < a.effective_on"""
    )
    assert bad == []


def test_party_ids_and_phones_are_valid(loaded: tuple[Store, DemoReport]) -> None:
    store = loaded[0]
    rows = store.query(
        "SELECT kind, name, gender, birth_date, id_type, id_number, phone, credit_code FROM parties"
    )
    persons = [r for r in rows if r["kind"] == "person"]
    with_id = [r for r in persons if r["id_number"]]
    assert len(with_id) > 0.85 * len(persons)
    for r in with_id:
        parsed = parse_resident_id(r["id_number"], today=TODAY)
        assert r["id_type"] == "resident_id"
        assert parsed.gender == r["gender"] and parsed.birth_date.isoformat() == r["birth_date"]
        assert 18 <= parsed.age_on(TODAY) <= 90
    tianjin = sum(r["id_number"].startswith("12") for r in with_id)
    assert tianjin > 0.8 * len(with_id)
    assert all(
        len(r["phone"]) == 11 and r["phone"].isdigit() and r["phone"][0] == "1"
        for r in persons
        if r["phone"]
    )
    assert len({r["name"] for r in persons}) > 0.5 * len(persons)
    assert Counter(r["name"][0] for r in persons).most_common(1)[0][0] in "王李张刘"
    orgs = [r for r in rows if r["kind"] == "org"]
    assert orgs and all(r["credit_code"] and len(r["credit_code"]) == 18 for r in orgs)
    from justice_desktop.validation.credit_code import validate_credit_code

    for r in orgs:
        assert validate_credit_code(r["credit_code"]) == r["credit_code"]


def test_case_numbers_are_unique_and_held_in_number_blocks(
    loaded: tuple[Store, DemoReport],
) -> None:
    store = loaded[0]
    prefix = DEMO_SETUP.number_prefix
    rows = store.query("SELECT committee_id, year, seq, case_number, registered_on FROM cases")
    assert all(r["case_number"] == format_case_number(r["year"], prefix, r["seq"]) for r in rows)
    assert all(int(r["registered_on"][:4]) == r["year"] for r in rows)
    by_year: dict[int, list[int]] = defaultdict(list)
    for r in rows:
        by_year[r["year"]].append(r["seq"])
    blocks = store.query("SELECT year, first, last, next, granted_by FROM number_blocks")
    assert {b["year"] for b in blocks} == set(by_year)
    for b in blocks:
        seqs = sorted(by_year[b["year"]])
        assert seqs == list(range(1, len(seqs) + 1))  # gap-free, oldest first
        assert (b["first"], b["last"], b["next"], b["granted_by"]) == (
            1,
            len(seqs),
            len(seqs) + 1,
            DEMO_GRANTOR,
        )
    ordered = store.query("SELECT year, seq FROM cases ORDER BY registered_on, seq")
    for year in by_year:
        in_year = [r["seq"] for r in ordered if r["year"] == year]
        assert in_year == sorted(in_year)  # numbers follow registration order


def test_understanders_consultations_and_adviser_logs(loaded: tuple[Store, DemoReport]) -> None:
    store = loaded[0]
    removed = store.query("SELECT * FROM understanders WHERE status = 'removed'")
    active = store.query("SELECT * FROM understanders WHERE status = 'active'")
    assert removed and active
    assert all(r["removal_reason"] and r["removed_on"] for r in removed)
    assert all(not r["removal_reason"] and r["removed_on"] is None for r in active)
    tables = load_tables(store)
    for r in removed + active:
        assert tables["nomination_routes"].has(r["nomination_route"])
        assert tables["understander_priority_groups"].has(r["priority_group"])
        if r["id_number"]:
            assert parse_resident_id(r["id_number"], today=TODAY).gender == r["gender"]
    # attendance only while on the roster
    late = store.query(
        """SELECT a.id FROM training_attendance a JOIN trainings t ON t.id = a.training_id
           JOIN understanders u ON u.id = a.understander_id
           WHERE t.held_on < u.appointed_on OR (u.removed_on IS NOT NULL AND t.held_on >= u.removed_on)"""
    )
    assert late == []
    assert store.scalar("SELECT count(*) FROM assessments") > 0
    from justice_desktop.store.understanders import UnderstanderService

    hours = UnderstanderService(store).hours_by_person(2024)
    assert (
        hours and any(h.hours < h.target for h in hours) and any(h.hours >= h.target for h in hours)
    )
    # consultations: anonymous ones keep no identity; referrals point at the case they became
    consultations = store.query("SELECT * FROM consultations")
    anonymous = [c for c in consultations if c["anonymous"]]
    assert anonymous and all(c["name"] == "" and c["phone"] == "" for c in anonymous)
    assert all(c["notes"] == "咨询人拒绝提供身份信息" for c in anonymous)
    referred = [c for c in consultations if c["referral"] == "mediation"]
    assert referred
    for c in referred:
        case = store.query("SELECT * FROM cases WHERE id = ?", (c["referral_case_id"],))[0]
        assert (
            case["applicants"].split("、")[0] == c["name"]
            and case["registered_on"] == c["consulted_on"]
        )
        assert not c["anonymous"]
    assert all(c["referral_case_id"] is None for c in consultations if c["referral"] != "mediation")
    assert all(tables["consultation_categories"].has(c["category"]) for c in consultations)
    # advisers: monthly visits and quarterly lectures, with a few shortfalls
    from justice_desktop.store.consultations import AdviserLogService

    logs = store.query("SELECT adviser, village FROM adviser_logs")
    assignments = {r["village"]: r["adviser"] for r in logs}
    short = AdviserLogService(store).shortfalls(assignments, 2024, TODAY)
    months = len(assignments) * 12 + len(assignments) * 4
    assert 0 < len(short) < 0.2 * months


def test_no_outbox_one_audit_entry_and_the_demo_mark(loaded: tuple[Store, DemoReport]) -> None:
    store = loaded[0]
    assert is_demo_database(store) and store.meta("demo_data") == "1"
    setup_entries = int(store.scalar("SELECT count(*) FROM outbox"))
    assert setup_entries == 3  # the office, its committee and its user: nothing from the demo
    audit = store.query("SELECT * FROM audit_log WHERE action = 'demo-data'")
    assert len(audit) == 1
    assert f"cases={N}" in audit[0]["fields"] and "seed=7" in audit[0]["fields"]
    assert store.integrity_problems(full=True) == []
    assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []


# ------------------------------------------------------------------------------------ search


def test_search_finds_generated_records(loaded: tuple[Store, DemoReport]) -> None:
    store = loaded[0]
    conn = store.conn
    case = store.query(
        "SELECT id, case_number FROM cases WHERE status = 'archived' ORDER BY seq DESC LIMIT 1"
    )[0]
    hits = search.search(conn, case["case_number"])
    assert hits[0].ref_id == case["id"] and hits[0].kind == search.KIND_CASE
    for p in store.query(
        "SELECT case_id, name, id_number, phone FROM parties WHERE kind = 'person' LIMIT 40"
    ):
        found = search.search(conn, p["name"], kinds=[search.KIND_CASE], limit=500)
        assert p["case_id"] in {h.ref_id for h in found}, p["name"]
        if p["id_number"]:
            found = search.search(conn, p["id_number"][6:14] + " " + p["name"], limit=500)
            assert p["case_id"] in {h.ref_id for h in found}
    u = store.query("SELECT id, name FROM understanders LIMIT 1")[0]
    assert u["id"] in {
        h.ref_id for h in search.search(conn, u["name"], kinds=[search.KIND_UNDERSTANDER])
    }
    q = store.query("SELECT id, name FROM consultations WHERE anonymous = 0 LIMIT 1")[0]
    assert q["id"] in {
        h.ref_id
        for h in search.search(conn, q["name"], kinds=[search.KIND_CONSULTATION], limit=500)
    }
    assert search.search(conn, "赡养", limit=5)


def test_bulk_index_matches_what_the_services_write(loaded: tuple[Store, DemoReport]) -> None:
    """Re-indexing a record the way the services do leaves its search document unchanged."""
    store = loaded[0]
    tables = load_tables(store)
    conn = store.conn

    def doc(kind: str, ref_id: str) -> dict[str, Any]:
        return store.query(
            "SELECT * FROM search_docs WHERE kind = ? AND ref_id = ?", (kind, ref_id)
        )[0]

    targets: list[tuple[str, str, dict[str, Any]]] = []
    for case in store.query("SELECT * FROM cases ORDER BY random() LIMIT 30"):
        parties = store.query(
            "SELECT * FROM parties WHERE case_id = ? ORDER BY position", (case["id"],)
        )
        targets.append((search.KIND_CASE, case["id"], case_search_fields(case, parties, tables)))
    for u in store.query("SELECT * FROM understanders ORDER BY random() LIMIT 5"):
        targets.append((search.KIND_UNDERSTANDER, u["id"], understander_search_fields(u)))
    for q in store.query("SELECT * FROM consultations ORDER BY anonymous DESC, random() LIMIT 5"):
        targets.append((search.KIND_CONSULTATION, q["id"], consultation_search_fields(q, tables)))
    before = [doc(kind, ref) for kind, ref, _ in targets]
    conn.execute("BEGIN")
    try:
        for kind, ref, fields in targets:
            search.index_document(conn, kind, ref, **fields)
        after = [doc(kind, ref) for kind, ref, _ in targets]
    finally:
        conn.execute("ROLLBACK")
    assert after == before
    # the documents are in date order (search lists newest first by rowid)
    days = [
        r["registered_on"]
        for r in store.query(
            "SELECT c.registered_on FROM search_docs d JOIN cases c ON c.id = d.ref_id "
            "WHERE d.kind = 'case' ORDER BY d.rowid"
        )
    ]
    assert days == sorted(days)


# ------------------------------------------------------------------ working on the demo data


def test_services_continue_on_demo_data(tmp_path: Path) -> None:
    store = _new_store(tmp_path / "office")
    try:
        load_demo_data(store, cases=400, seed=5)
        service = CaseService(store)
        committee = store.query("SELECT id FROM committees")[0]["id"]
        user = store.query("SELECT id FROM users")[0]["id"]
        top = int(store.scalar("SELECT max(seq) FROM cases WHERE year = 2025"))
        new_id = service.register(user, make_case_input(committee, registered_on=TODAY))
        assert service.load(new_id).case["seq"] == top + 1
        # a succeeded demo case whose follow-up is due can be followed up and closed
        pending = store.query(
            """SELECT c.id, a.effective_on FROM cases c JOIN agreements a ON a.case_id = c.id
               JOIN follow_ups f ON f.case_id = c.id
               WHERE c.status = 'succeeded' AND f.done_on IS NULL LIMIT 1"""
        )
        assert pending
        cid = pending[0]["id"]
        service.record_follow_up(
            user, cid, FollowUpInput(done_on=TODAY, visitor="李明", performance="performed")
        )
        service.close_case(user, cid, TODAY)
        assert service.load(cid).status == lc.CLOSED
        # an open case takes another session
        open_case = store.query(
            "SELECT id FROM cases WHERE status IN ('registered', 'mediating') "
            "AND COALESCE(extended_due_on, mediation_due_on) >= ? LIMIT 1",
            (TODAY.isoformat(),),
        )
        assert open_case
        from justice_desktop.domain.case_inputs import SessionInput

        service.add_session(
            user,
            open_case[0]["id"],
            SessionInput(held_at=NOW, record="双方再次陈述意见。", mediators="李明"),
        )
        # loading more demo data later numbers above everything already used
        load_demo_data(store, cases=100, seed=6)
        dupes = store.query(
            "SELECT committee_id, year, seq, count(*) n FROM cases GROUP BY 1, 2, 3 HAVING n > 1"
        )
        assert dupes == []
        assert store.scalar("SELECT count(*) FROM audit_log WHERE action = 'demo-data'") == 2
    finally:
        store.close()


def test_cancel_leaves_a_consistent_database(tmp_path: Path) -> None:
    store = _new_store(tmp_path / "office")
    calls: list[tuple[int, int]] = []

    def progress(done: int, total: int) -> bool:
        calls.append((done, total))
        return done < 1000  # stop after the first 1,000 cases

    try:
        report = load_demo_data(store, cases=5000, seed=9, progress=progress, chunk_cases=1000)
        assert report.cancelled and "已取消" in str(report)
        assert calls[-1] == (1000, 5000) and all(total == 5000 for _, total in calls)
        assert report.cases == store.scalar("SELECT count(*) FROM cases") == 1000
        assert store.integrity_problems(full=True) == []
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        orphans = store.query(
            """SELECT c.id FROM cases c WHERE c.party_count <>
               (SELECT count(*) FROM parties p WHERE p.case_id = c.id)
               OR NOT EXISTS (SELECT 1 FROM parties p WHERE p.case_id = c.id AND p.side = 'applicant')
               OR NOT EXISTS (SELECT 1 FROM parties p WHERE p.case_id = c.id AND p.side = 'respondent')
               OR NOT EXISTS (SELECT 1 FROM case_mediators m WHERE m.case_id = c.id)
               OR NOT EXISTS (SELECT 1 FROM search_docs d WHERE d.kind = 'case' AND d.ref_id = c.id)"""
        )
        assert orphans == []
        assert (
            store.scalar(
                "SELECT count(*) FROM cases c WHERE outcome = 'success' "
                "AND NOT EXISTS (SELECT 1 FROM agreements a WHERE a.case_id = c.id)"
            )
            == 0
        )
        top = store.query("SELECT year, max(seq) s FROM cases GROUP BY year")
        for r in top:
            block = store.query(
                "SELECT max(last) l FROM number_blocks WHERE year = ?", (r["year"],)
            )[0]
            assert block["l"] == r["s"]
        audit = store.query("SELECT fields FROM audit_log WHERE action = 'demo-data'")
        assert len(audit) == 1 and "cancelled=1" in audit[0]["fields"]
    finally:
        store.close()


def test_zero_cases_still_makes_the_office_records(tmp_path: Path) -> None:
    store = _new_store(tmp_path / "office")
    try:
        report = load_demo_data(store, cases=0, seed=1)
        assert report.cases == 0 and not report.cancelled
        assert report.understanders > 0 and store.scalar("SELECT count(*) FROM cases") == 0
    finally:
        store.close()
