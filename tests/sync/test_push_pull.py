"""Push and pull against real server processes on both backends: idempotent replays, per-field
merges, conflicts (same field, delete against edit in both orders), rejected changes that block
nothing, exact paging by server sequence, clocks ignored, and office boundaries."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.protocol import ChangeResult, ChangeStatus, ConflictList, PullPage, PushResponse, Role
from sync.server.db import records, sync_counters
from tests.sync.conftest import Account, Office, bearer, login, random_address
from tests.sync.server_process import ServerProcess

PUSH = "/api/v1/sync/push"
PULL = "/api/v1/sync/pull"
CONFLICTS = "/api/v1/sync/conflicts"


@dataclass
class Device:
    """A machine of one office: a logged-in user and its outbox numbering."""

    client: httpx.Client
    token: str
    name: str = field(default_factory=lambda: f"pc-{uuid.uuid4().hex[:12]}")
    seq: int = 0

    def change(
        self,
        table: str,
        record_id: str,
        op: str,
        base_version: int,
        changes: dict[str, list[Any]],
        created_at: str = "2025-03-01T17:00:00",
    ) -> dict[str, Any]:
        self.seq += 1
        return {
            "idempotency_key": f"{self.name}:{self.seq}",
            "table_name": table,
            "record_id": record_id,
            "op": op,
            "base_version": base_version,
            "changes": changes,
            "created_at": created_at,
        }

    def push(self, changes: list[dict[str, Any]]) -> list[ChangeResult]:
        response = self.client.post(PUSH, json={"changes": changes}, headers=bearer(self.token))
        assert response.status_code == 200, response.text
        return PushResponse.model_validate(response.json()).results

    def pull_all(self, limit: int = 2000) -> dict[str, Any]:
        """Every record, paging by ``next_after``; asserts no page repeats a record."""
        seen: dict[str, Any] = {}
        after, seqs = 0, []
        while True:
            page = self.page(after, limit)
            for record in page.records:
                assert record.record_id not in seen
                seen[record.record_id] = record
                seqs.append(record.server_seq)
            after = page.next_after
            if not page.has_more:
                break
        assert seqs == sorted(seqs)
        return seen

    def page(self, after: int, limit: int) -> PullPage:
        response = self.client.get(
            PULL, params={"after": after, "limit": limit}, headers=bearer(self.token)
        )
        assert response.status_code == 200, response.text
        return PullPage.model_validate(response.json())

    def conflicts(self) -> ConflictList:
        response = self.client.get(CONFLICTS, headers=bearer(self.token))
        assert response.status_code == 200, response.text
        return ConflictList.model_validate(response.json())


def _device_maker(
    client: httpx.Client, make_user: Callable[..., Account]
) -> Callable[[Office], Device]:
    def make(office: Office) -> Device:
        return Device(client, login(client, make_user(Role.CLERK, office))["access_token"])

    return make


def _rid() -> str:
    return uuid.uuid4().hex


def _insert_case(device: Device, record_id: str, **values: Any) -> ChangeResult:
    fields = {"summary": "邻里宅基地纠纷", "status": "accepted", "village": "东村", **values}
    changes = {name: [None, value] for name, value in fields.items()}
    (result,) = device.push([device.change("cases", record_id, "insert", 0, changes)])
    assert result.status is ChangeStatus.APPLIED, result
    return result


def test_push_then_pull_returns_rows(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    device = _device_maker(client, make_user)(make_office())
    case, party = _rid(), _rid()
    results = device.push(
        [
            device.change("cases", case, "insert", 0, {"summary": [None, "欠款纠纷"]}),
            device.change("parties", party, "insert", 0, {"case_id": [None, case]}),
            device.change("cases", case, "update", 1, {"summary": ["欠款纠纷", "借款纠纷"]}),
        ]
    )
    assert [r.status for r in results] == [ChangeStatus.APPLIED] * 3
    assert [r.server_version for r in results] == [1, 1, 2]
    first_seq = results[0].server_seq
    assert first_seq is not None
    assert [r.server_seq for r in results] == [first_seq, first_seq + 1, first_seq + 2]
    pulled = device.pull_all()
    assert set(pulled) == {case, party}
    assert pulled[case].data == {"summary": "借款纠纷"}
    assert (pulled[case].version, pulled[case].deleted) == (2, False)
    assert pulled[party].data == {"case_id": case}
    assert pulled[party].table_name == "parties"


def test_replayed_push_is_a_no_op(
    client: httpx.Client,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
    engine: Engine,
) -> None:
    office = make_office()
    device = _device_maker(client, make_user)(office)
    case = _rid()
    batch = [
        device.change("cases", case, "insert", 0, {"summary": [None, "甲"]}),
        device.change("cases", case, "update", 1, {"summary": ["甲", "乙"]}),
    ]
    first = device.push(batch)

    def state() -> tuple[Any, ...]:
        with engine.connect() as conn:
            counter = conn.execute(
                sa.select(sync_counters.c.last_seq).where(sync_counters.c.office_id == office.id)
            ).scalar_one()
            row = conn.execute(
                sa.select(records.c.version, records.c.server_seq, records.c.data).where(
                    records.c.record_id == case
                )
            ).one()
        return (counter, *row)

    before = state()
    again = device.push(batch)  # the response of the first push was lost
    assert [r.status for r in again] == [ChangeStatus.DUPLICATE] * 2
    assert [r.first_status for r in again] == [ChangeStatus.APPLIED] * 2
    assert [(r.server_version, r.server_seq) for r in again] == [
        (r.server_version, r.server_seq) for r in first
    ]
    assert state() == before
    # the same key twice in one batch: the second is a duplicate as well
    extra = device.change("cases", case, "update", 2, {"village": ["", "西村"]})
    twice = device.push([extra, extra])
    assert [r.status for r in twice] == [ChangeStatus.APPLIED, ChangeStatus.DUPLICATE]
    assert device.pull_all()[case].version == 3


def test_different_fields_merge(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office = make_office()
    make = _device_maker(client, make_user)
    clerk_pc, lawyer_pc = make(office), make(office)
    case = _rid()
    _insert_case(clerk_pc, case)
    (a,) = clerk_pc.push(
        [clerk_pc.change("cases", case, "update", 1, {"summary": ["邻里宅基地纠纷", "宅基地界址"]})]
    )
    (b,) = lawyer_pc.push(
        [lawyer_pc.change("cases", case, "update", 1, {"village": ["东村", "西村"]})]
    )
    assert (a.status, b.status) == (ChangeStatus.APPLIED, ChangeStatus.APPLIED)
    for device in (clerk_pc, lawyer_pc):
        record = device.pull_all()[case]
        assert record.data["summary"] == "宅基地界址"
        assert record.data["village"] == "西村"
        assert record.version == 3
    assert clerk_pc.conflicts().conflicts == []


def test_same_field_is_a_conflict_with_one_provisional_value(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office = make_office()
    make = _device_maker(client, make_user)
    clerk_pc, lawyer_pc = make(office), make(office)
    case = _rid()
    _insert_case(clerk_pc, case)
    (a,) = clerk_pc.push(
        [clerk_pc.change("cases", case, "update", 1, {"summary": ["邻里宅基地纠纷", "甲的说法"]})]
    )
    (b,) = lawyer_pc.push(
        [
            lawyer_pc.change(
                "cases",
                case,
                "update",
                1,
                {"summary": ["邻里宅基地纠纷", "乙的说法"], "village": ["东村", "南村"]},
            )
        ]
    )
    assert a.status is ChangeStatus.APPLIED
    assert b.status is ChangeStatus.CONFLICT
    assert b.conflict_fields == ["summary"]
    assert "summary" in b.reason
    pulled = [device.pull_all()[case] for device in (clerk_pc, lawyer_pc)]
    assert pulled[0] == pulled[1]
    assert pulled[0].data["summary"] == "甲的说法"  # provisional: the server's value
    assert pulled[0].data["village"] == "南村"  # the other field merged
    assert pulled[0].version == 3  # the lawyer's machine pulls the provisional row back
    (conflict,) = lawyer_pc.conflicts().conflicts
    assert (conflict.table_name, conflict.record_id, conflict.field) == ("cases", case, "summary")
    assert (conflict.base, conflict.server, conflict.incoming) == (
        "邻里宅基地纠纷",
        "甲的说法",
        "乙的说法",
    )
    assert conflict.provisional == "甲的说法"
    assert clerk_pc.conflicts() == lawyer_pc.conflicts()


def test_delete_then_edit_is_a_conflict(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office = make_office()
    make = _device_maker(client, make_user)
    deleter, editor = make(office), make(office)
    case = _rid()
    _insert_case(deleter, case)
    (deleted,) = deleter.push([deleter.change("cases", case, "delete", 1, {"deleted": [0, 1]})])
    assert deleted.status is ChangeStatus.APPLIED
    (edited,) = editor.push(
        [editor.change("cases", case, "update", 1, {"summary": ["邻里宅基地纠纷", "补充事实"]})]
    )
    assert edited.status is ChangeStatus.CONFLICT
    assert "删除" in edited.reason
    record = deleter.pull_all()[case]
    assert record.deleted is False  # not silently gone
    assert record.data["summary"] == "补充事实"  # the edit is kept
    (conflict,) = editor.conflicts().conflicts
    assert conflict.field is None
    assert conflict.server == {"deleted": True}
    assert conflict.incoming == {"summary": "补充事实"}
    assert conflict.provisional["summary"] == "补充事实"


def test_edit_then_delete_is_a_conflict(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office = make_office()
    make = _device_maker(client, make_user)
    deleter, editor = make(office), make(office)
    case = _rid()
    _insert_case(deleter, case)
    (edited,) = editor.push(
        [editor.change("cases", case, "update", 1, {"summary": ["邻里宅基地纠纷", "补充事实"]})]
    )
    assert edited.status is ChangeStatus.APPLIED
    (deleted,) = deleter.push([deleter.change("cases", case, "delete", 1, {"deleted": [0, 1]})])
    assert deleted.status is ChangeStatus.CONFLICT
    record = editor.pull_all()[case]
    assert record.deleted is False  # the edit is not silently dropped
    assert record.data["summary"] == "补充事实"
    (conflict,) = deleter.conflicts().conflicts
    assert conflict.field is None
    assert conflict.incoming == {"deleted": True}
    assert conflict.server["summary"] == "补充事实"
    # a delete with no edit in between is applied
    other = _rid()
    _insert_case(editor, other)
    (plain,) = editor.push([editor.change("cases", other, "delete", 1, {"deleted": [0, 1]})])
    assert plain.status is ChangeStatus.APPLIED
    assert editor.pull_all()[other].deleted is True


def test_rejected_change_blocks_nothing(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    device = _device_maker(client, make_user)(make_office())
    good_before, good_after = _rid(), _rid()
    results = device.push(
        [
            device.change("cases", good_before, "insert", 0, {"summary": [None, "一"]}),
            device.change("no_such_table", _rid(), "insert", 0, {"x": [None, 1]}),
            device.change("cases", _rid(), "insert", 0, {"no_such_field": [None, 1]}),
            device.change("cases", _rid(), "merge", 0, {}),
            device.change("cases", _rid(), "update", 1, {"summary": "不是一对"}),
            device.change("cases", good_after, "insert", 0, {"summary": [None, "二"]}),
        ]
    )
    statuses = [r.status for r in results]
    assert statuses == [ChangeStatus.APPLIED] + [ChangeStatus.REJECTED] * 4 + [ChangeStatus.APPLIED]
    assert "no_such_table" in results[1].reason and "数据表" in results[1].reason
    assert "no_such_field" in results[2].reason
    assert all(r.server_seq is None for r in results[1:5])
    assert set(device.pull_all()) == {good_before, good_after}


def test_pull_pages_resume_exactly(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    device = _device_maker(client, make_user)(make_office())
    ids = [_rid() for _ in range(2500)]
    for start in range(0, len(ids), 500):
        results = device.push(
            [
                device.change("understanders", rid, "insert", 0, {"name": [None, f"调解员{n}"]})
                for n, rid in enumerate(ids[start : start + 500], start)
            ]
        )
        assert all(r.status is ChangeStatus.APPLIED for r in results)
    # change some early records again: they move to the end of the sequence, once
    moved = ids[:10]
    device.push(
        [
            device.change("understanders", rid, "update", 1, {"phone": ["", "13800000000"]})
            for rid in moved
        ]
    )
    pulled: list[str] = []
    after, pages = 0, 0
    while True:
        page = device.page(after, 700)
        pages += 1
        assert len(page.records) <= 700
        pulled.extend(r.record_id for r in page.records)
        after = page.next_after
        if not page.has_more:
            break
    assert pages == 4
    assert len(pulled) == len(set(pulled)) == 2500
    assert pulled == ids[10:] + moved
    # resuming after the last cursor gives nothing new
    tail = device.page(after, 700)
    assert (tail.records, tail.has_more, tail.next_after) == ([], False, after)
    too_many = client.get(PULL, params={"limit": 2001}, headers=bearer(device.token))
    assert too_many.status_code == 422


def test_order_ignores_client_clocks(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office = make_office()
    make = _device_maker(client, make_user)
    skewed, normal = make(office), make(office)
    first, second, third = _rid(), _rid(), _rid()
    skewed.push(
        [skewed.change("cases", first, "insert", 0, {"summary": [None, "一"]}, "2099-12-31T23:59")]
    )
    normal.push(
        [normal.change("cases", second, "insert", 0, {"summary": [None, "二"]}, "1970-01-01T00:00")]
    )
    skewed.push(
        [skewed.change("cases", third, "insert", 0, {"summary": [None, "三"]}, "2000-06-01T08:00")]
    )
    # the far-future edit does not win against a later-arriving one with an old clock
    skewed.push(
        [
            skewed.change(
                "cases", first, "update", 1, {"summary": ["一", "未来"]}, "2099-12-31T23:59:59"
            )
        ]
    )
    (late,) = normal.push(
        [normal.change("cases", first, "update", 2, {"summary": ["未来", "现在"]}, "1999-01-01")]
    )
    assert late.status is ChangeStatus.APPLIED
    page = normal.page(0, 100)
    assert [r.record_id for r in page.records] == [second, third, first]
    assert page.records[-1].data["summary"] == "现在"


def test_other_office_cannot_push_or_pull(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    make = _device_maker(client, make_user)
    mine, theirs = make_office(), make_office()
    owner, stranger = make(mine), make(theirs)
    case = _rid()
    _insert_case(owner, case)
    push = stranger.client.post(
        PUSH,
        json={
            "office_id": mine.id,
            "changes": [stranger.change("cases", case, "update", 1, {"summary": ["x", "y"]})],
        },
        headers=bearer(stranger.token),
    )
    assert push.status_code == 403
    assert push.json()["message"] == "您的账号只能修改本司法所的数据"
    pull = client.get(PULL, params={"office_id": mine.id}, headers=bearer(stranger.token))
    assert pull.status_code == 403
    conflicts = client.get(CONFLICTS, params={"office_id": mine.id}, headers=bearer(stranger.token))
    assert conflicts.status_code == 403
    # the stranger's own pull shows nothing of the other office; the owner's row is untouched
    assert case not in stranger.pull_all()
    assert owner.pull_all()[case].data["summary"] == "邻里宅基地纠纷"
    # a record id the other office also uses stays separate per office
    _insert_case(stranger, case, summary="另一个所的案件")
    assert owner.pull_all()[case].data["summary"] == "邻里宅基地纠纷"


def test_push_without_login_and_oversized_batch(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    device = _device_maker(client, make_user)(make_office())
    assert client.post(PUSH, json={"changes": []}).status_code == 401
    batch = [device.change("cases", _rid(), "insert", 0, {}) for _ in range(501)]
    response = client.post(PUSH, json={"changes": batch}, headers=bearer(device.token))
    assert response.status_code == 422
    assert device.pull_all() == {}


def test_same_batch_pushed_at_once_applies_once(
    server: ServerProcess, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    """A double-clicked sync: four identical pushes at the same moment; each change applies
    exactly once, every other copy is a duplicate, and the sequence has no holes."""
    office = make_office()
    with server.client(random_address()) as setup:
        device = _device_maker(setup, make_user)(office)
    ids = [_rid() for _ in range(50)]
    batch = [device.change("cases", rid, "insert", 0, {"summary": [None, "同时"]}) for rid in ids]

    def send(_n: int) -> list[ChangeResult]:
        with server.client(random_address()) as own:
            response = own.post(PUSH, json={"changes": batch}, headers=bearer(device.token))
        assert response.status_code == 200, response.text
        return PushResponse.model_validate(response.json()).results

    with ThreadPoolExecutor(max_workers=4) as pool:
        answers = list(pool.map(send, range(4)))
    for position in range(len(ids)):
        statuses = sorted(answer[position].status.value for answer in answers)
        assert statuses == ["applied", "duplicate", "duplicate", "duplicate"]
        assert len({answer[position].server_seq for answer in answers}) == 1
    with server.client(random_address()) as reader:
        device.client = reader
        pulled = device.pull_all()
    seqs = sorted(record.server_seq for record in pulled.values())
    assert set(pulled) == set(ids)
    assert seqs == list(range(seqs[0], seqs[0] + len(ids)))
