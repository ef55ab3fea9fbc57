"""Resolving conflicts on real server processes (both backends): the decision is applied as a
change every machine pulls, the conflict shows who resolved it, a replay changes nothing, a
different second decision is refused, and a delete against an edit can end in a tombstone."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.protocol import ChangeStatus, ConflictList, ResolveResult, Role
from sync.server.db import records, sync_counters
from tests.sync.conftest import Account, Office, bearer, login
from tests.sync.test_push_pull import CONFLICTS, Device, _insert_case, _rid


def resolve_path(conflict_id: int) -> str:
    return f"/api/v1/sync/conflicts/{conflict_id}/resolve"


def _key() -> str:
    return f"resolve-{uuid.uuid4().hex}"


def _resolve(device: Device, conflict_id: int, body: dict[str, Any]) -> httpx.Response:
    return device.client.post(resolve_path(conflict_id), json=body, headers=bearer(device.token))


def _resolved(device: Device, conflict_id: int, body: dict[str, Any]) -> ResolveResult:
    response = _resolve(device, conflict_id, body)
    assert response.status_code == 200, response.text
    return ResolveResult.model_validate(response.json())


def _all_conflicts(device: Device) -> ConflictList:
    response = device.client.get(
        CONFLICTS, params={"include_resolved": "true"}, headers=bearer(device.token)
    )
    assert response.status_code == 200, response.text
    return ConflictList.model_validate(response.json())


def _office_state(engine: Engine, office_id: int) -> tuple[Any, ...]:
    with engine.connect() as conn:
        counter = conn.execute(
            sa.select(sync_counters.c.last_seq).where(sync_counters.c.office_id == office_id)
        ).scalar_one()
        rows = conn.execute(
            sa.select(records.c.record_id, records.c.version, records.c.server_seq, records.c.data)
            .where(records.c.office_id == office_id)
            .order_by(records.c.record_id)
        ).all()
    return (counter, *[tuple(row) for row in rows])


class Pair:
    """Two machines of one office (logged in as two clerks)."""

    def __init__(
        self, client: httpx.Client, make_user: Callable[..., Account], office: Office
    ) -> None:
        self.office = office
        self.clerk = make_user(Role.CLERK, office)
        self.a = Device(client, login(client, self.clerk)["access_token"])
        lawyer = make_user(Role.LAWYER, office)
        self.lawyer = lawyer
        self.b = Device(client, login(client, lawyer)["access_token"])

    def field_conflict(self) -> tuple[str, int]:
        """A case whose summary both machines changed: (record id, conflict id)."""
        case = _rid()
        _insert_case(self.a, case)
        self.a.push(
            [self.a.change("cases", case, "update", 1, {"summary": ["邻里宅基地纠纷", "甲"]})]
        )
        (b,) = self.b.push(
            [self.b.change("cases", case, "update", 1, {"summary": ["邻里宅基地纠纷", "乙"]})]
        )
        assert b.status is ChangeStatus.CONFLICT
        (conflict,) = [c for c in self.a.conflicts().conflicts if c.record_id == case]
        return case, conflict.id

    def edit_delete_conflict(self) -> tuple[str, int]:
        """A case edited on one machine and deleted on the other: (record id, conflict id)."""
        case = _rid()
        _insert_case(self.a, case)
        self.a.push(
            [self.a.change("cases", case, "update", 1, {"summary": ["邻里宅基地纠纷", "补充"]})]
        )
        (deleted,) = self.b.push([self.b.change("cases", case, "delete", 1, {"deleted": [0, 1]})])
        assert deleted.status is ChangeStatus.CONFLICT
        (conflict,) = [c for c in self.b.conflicts().conflicts if c.record_id == case]
        assert conflict.field is None
        return case, conflict.id


def _pair(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> Pair:
    return Pair(client, make_user, make_office())


def test_field_resolution_reaches_every_machine(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    pair = _pair(client, make_office, make_user)
    case, conflict_id = pair.field_conflict()
    before = pair.a.pull_all()[case]
    assert before.data["summary"] == "甲"  # provisional
    result = _resolved(pair.b, conflict_id, {"idempotency_key": _key(), "value": "甲乙合并的说法"})
    assert result.replayed is False
    assert (result.conflict_id, result.table_name, result.record_id) == (conflict_id, "cases", case)
    assert result.server_version == before.version + 1
    assert result.server_seq > before.server_seq
    assert result.deleted is False
    assert result.resolved_by == pair.lawyer.id
    assert result.resolution == "甲乙合并的说法"
    for device in (pair.a, pair.b):
        record = device.pull_all()[case]
        assert record.data["summary"] == "甲乙合并的说法"
        assert record.data["village"] == "东村"  # other fields untouched
        assert (record.version, record.server_seq) == (result.server_version, result.server_seq)
        # an incremental pull from the provisional row's sequence brings the resolution
        (pulled,) = device.page(before.server_seq, 100).records
        assert pulled.record_id == case
    # gone from the open list, shown as resolved with include_resolved
    assert [c.id for c in pair.a.conflicts().conflicts] == []
    (shown,) = _all_conflicts(pair.a).conflicts
    assert shown.id == conflict_id
    assert shown.resolved_at == result.resolved_at
    assert shown.resolved_by == pair.lawyer.id
    assert shown.resolution == "甲乙合并的说法"
    assert (shown.server, shown.incoming) == ("甲", "乙")  # both values are kept
    # null is a value a person may choose
    _case, other = pair.field_conflict()
    assert _resolved(pair.a, other, {"idempotency_key": _key(), "value": None}).resolution is None
    assert pair.a.pull_all()[_case].data["summary"] is None


def test_delete_against_edit_resolved_by_deleting(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    pair = _pair(client, make_office, make_user)
    case, conflict_id = pair.edit_delete_conflict()
    assert pair.a.pull_all()[case].deleted is False  # provisional: kept
    result = _resolved(pair.a, conflict_id, {"idempotency_key": _key(), "keep": False})
    assert result.deleted is True
    assert result.resolution == {"keep": False}
    for device in (pair.a, pair.b):
        record = device.pull_all()[case]
        assert record.deleted is True  # a tombstone every machine pulls
        assert record.version == result.server_version
        assert record.data["summary"] == "补充"  # the row stays readable on the server
    (shown,) = _all_conflicts(pair.b).conflicts
    assert shown.resolution == {"keep": False}
    assert shown.resolved_by == pair.clerk.id


def test_delete_against_edit_resolved_by_keeping(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    pair = _pair(client, make_office, make_user)
    case = _rid()
    _insert_case(pair.a, case)
    pair.a.push([pair.a.change("cases", case, "delete", 1, {"deleted": [0, 1]})])
    (edited,) = pair.b.push(
        [pair.b.change("cases", case, "update", 1, {"summary": ["邻里宅基地纠纷", "补充事实"]})]
    )
    assert edited.status is ChangeStatus.CONFLICT
    (conflict,) = pair.b.conflicts().conflicts
    before = pair.b.pull_all()[case]
    result = _resolved(pair.b, conflict.id, {"idempotency_key": _key(), "keep": True})
    assert (result.deleted, result.server_version) == (False, before.version + 1)
    record = pair.a.pull_all()[case]
    assert (record.deleted, record.data["summary"]) == (False, "补充事实")
    assert pair.a.conflicts().conflicts == []


def test_replayed_resolve_changes_nothing(
    client: httpx.Client,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
    engine: Engine,
) -> None:
    pair = _pair(client, make_office, make_user)
    _case, conflict_id = pair.field_conflict()
    body = {"idempotency_key": _key(), "value": "乙"}
    first = _resolved(pair.a, conflict_id, body)
    state = _office_state(engine, pair.office.id)
    again = _resolved(pair.a, conflict_id, body)  # the first response was lost
    assert again.replayed is True
    assert again.model_copy(update={"replayed": False}) == first
    # the same decision from the other machine under its own key: also nothing new
    other = _resolved(pair.b, conflict_id, {"idempotency_key": _key(), "value": "乙"})
    assert other.replayed is True
    assert (other.server_version, other.server_seq, other.resolved_by) == (
        first.server_version,
        first.server_seq,
        first.resolved_by,
    )
    assert _office_state(engine, pair.office.id) == state
    # a replay by key answers even when the body is incomplete (the decision is stored)
    assert _resolved(pair.a, conflict_id, {"idempotency_key": body["idempotency_key"]}).replayed


def test_second_different_resolve_is_refused(
    client: httpx.Client,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
    engine: Engine,
) -> None:
    pair = _pair(client, make_office, make_user)
    case, conflict_id = pair.field_conflict()
    key = _key()
    _resolved(pair.a, conflict_id, {"idempotency_key": key, "value": "甲"})
    state = _office_state(engine, pair.office.id)
    refused = _resolve(pair.b, conflict_id, {"idempotency_key": _key(), "value": "乙"})
    assert refused.status_code == 409
    assert refused.json()["code"] == "already_resolved"
    assert "已经有人处理过" in refused.json()["message"]
    assert _office_state(engine, pair.office.id) == state  # nothing changed
    # the same key used for another conflict is refused as well
    _other_case, other_id = pair.field_conflict()
    reused = _resolve(pair.a, other_id, {"idempotency_key": key, "value": "甲"})
    assert reused.status_code == 409
    assert reused.json()["code"] == "idempotency_key_reused"
    assert pair.a.pull_all()[case].data["summary"] == "甲"
    open_ids = [c.id for c in pair.a.conflicts().conflicts]
    assert open_ids == [other_id]  # the refused resolve left the other conflict open


def test_resolve_must_answer_the_question_and_name_a_conflict(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    pair = _pair(client, make_office, make_user)
    _case, field_id = pair.field_conflict()
    _case2, delete_id = pair.edit_delete_conflict()
    no_value = _resolve(pair.a, field_id, {"idempotency_key": _key(), "keep": True})
    assert no_value.status_code == 422
    assert no_value.json()["code"] == "value_required"
    no_keep = _resolve(pair.a, delete_id, {"idempotency_key": _key(), "value": "x"})
    assert no_keep.status_code == 422
    assert "保留还是删除" in no_keep.json()["message"]
    no_key = _resolve(pair.a, field_id, {"value": "x"})
    assert no_key.status_code == 422
    missing = _resolve(pair.a, 2_000_000_000, {"idempotency_key": _key(), "value": "x"})
    assert missing.status_code == 404
    assert missing.json()["message"] == "找不到这条冲突记录"
    assert len(pair.a.conflicts().conflicts) == 2  # nothing was resolved
