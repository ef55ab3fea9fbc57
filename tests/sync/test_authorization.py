"""The authorization matrix: every endpoint × every role × own / other office, on a real server
(both backends), plus the rule itself without a server.

Every ``/api/v1`` route of the application is listed in :data:`COVERED` (with the test of it
here) or :data:`PUBLIC` (with the reason it needs no account); :func:`test_every_route_is_covered`
fails for a route in neither, so a new endpoint cannot arrive without its authorization test."""

from __future__ import annotations

import hashlib
import os
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.engine import Engine

from sync.checksum import bucket_of
from sync.protocol import Role
from sync.server.app import create_app
from sync.server.authz import Forbidden, Principal, can_read_office, require_read, require_write
from sync.server.config import Settings, unix_now
from sync.server.db import sqlite_url
from sync.server.office_settings import set_setting
from tests.sync.conftest import Account, Office, bearer, login

OFFICE_ROLES = [Role.CLERK, Role.LAWYER, Role.ADVISER, Role.HEAD]


@dataclass(frozen=True)
class World:
    own: Office
    """The caller's office (for district/city accounts: an office of their district)."""
    same_district: Office
    other_district: Office
    token: str


@pytest.fixture(params=list(Role), ids=lambda role: role.value)
def world(
    request: pytest.FixtureRequest,
    client: httpx.Client,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> World:
    role: Role = request.param
    own = make_office()
    same_district = make_office(own.district)
    other_district = make_office()
    if role.is_office_role:
        account = make_user(role, own)
    elif role is Role.DISTRICT:
        account = make_user(role, district=own.district)
    else:
        account = make_user(role)
    return World(own, same_district, other_district, login(client, account)["access_token"])


def _role(world: World, client: httpx.Client) -> Role:
    return Role(client.get("/api/v1/me", headers=bearer(world.token)).json()["role"])


READ_EXPECTED = {
    # role kind: (own, same district, other district, missing id)
    "office": (200, 403, 403, 403),
    "district": (200, 200, 403, 403),
    "city": (200, 200, 200, 404),
}


def _kind(role: Role) -> str:
    return "office" if role.is_office_role else role.value


def test_get_office(world: World, client: httpx.Client) -> None:
    role = _role(world, client)
    targets = (world.own.id, world.same_district.id, world.other_district.id, 2_000_000_000)
    got = tuple(
        client.get(f"/api/v1/offices/{office_id}", headers=bearer(world.token)).status_code
        for office_id in targets
    )
    assert got == READ_EXPECTED[_kind(role)]
    own = client.get(f"/api/v1/offices/{world.own.id}", headers=bearer(world.token)).json()
    assert own == {"id": world.own.id, "name": world.own.name, "district": world.own.district}
    refused = client.get(f"/api/v1/offices/{world.other_district.id}", headers=bearer(world.token))
    if refused.status_code == 403:
        assert refused.json()["message"] == "您的账号无权查看这个司法所的数据"


def test_register_device(world: World, client: httpx.Client) -> None:
    role = _role(world, client)
    results = {}
    for name, office in (
        ("own", world.own),
        ("same_district", world.same_district),
        ("other_district", world.other_district),
    ):
        response = client.post(
            "/api/v1/devices",
            json={"device_id": f"dev-{uuid.uuid4().hex}", "office_id": office.id, "name": "PC"},
            headers=bearer(world.token),
        )
        results[name] = response.status_code
        if response.status_code == 403:
            message = response.json()["message"]
            assert message in (
                "区县和市局账号只能查看，不能修改司法所的数据",
                "您的账号只能修改本司法所的数据",
            )
    expected_own = 200 if role.is_office_role else 403
    assert results == {"own": expected_own, "same_district": 403, "other_district": 403}


def test_number_blocks(
    world: World,
    client: httpx.Client,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    """Office roles get blocks for their own office only; district and city accounts none."""
    role = _role(world, client)
    # a device registered to the own office (by a clerk of it, for district and city accounts)
    registrar = world.token
    if not role.is_office_role:
        registrar = login(client, make_user(Role.CLERK, world.own))["access_token"]
    device = f"dev-{uuid.uuid4().hex}"
    registered = client.post(
        "/api/v1/devices",
        json={"device_id": device, "office_id": world.own.id},
        headers=bearer(registrar),
    )
    assert registered.status_code == 200
    results = {}
    for name, office_id in (
        ("default", None),
        ("own", world.own.id),
        ("same_district", world.same_district.id),
        ("other_district", world.other_district.id),
    ):
        body: dict[str, object] = {"committee_id": "c-1", "year": 2025, "size": 5}
        body["device_id"] = device
        if office_id is not None:
            body["office_id"] = office_id
        response = client.post("/api/v1/number-blocks", json=body, headers=bearer(world.token))
        results[name] = response.status_code
        if response.status_code == 403:
            assert response.json()["message"] in (
                "区县和市局账号只能查看，不能修改司法所的数据",
                "您的账号只能修改本司法所的数据",
            )
    ok = 200 if role.is_office_role else 403
    assert results == {"default": ok, "own": ok, "same_district": 403, "other_district": 403}


def test_code_tables(world: World, client: httpx.Client) -> None:
    """Every role reads the published code tables (they are the same for every office)."""
    response = client.get("/api/v1/code-tables", headers=bearer(world.token))
    assert response.status_code == 200
    assert response.json()["tables"]


def test_sync_push(world: World, client: httpx.Client) -> None:
    """Office roles push into their own office only; district and city accounts nowhere."""
    role = _role(world, client)
    results = {}
    for name, office_id in (
        ("default", None),
        ("own", world.own.id),
        ("same_district", world.same_district.id),
        ("other_district", world.other_district.id),
    ):
        change = {
            "idempotency_key": f"dev-{uuid.uuid4().hex}:1",
            "table_name": "cases",
            "record_id": uuid.uuid4().hex,
            "op": "insert",
            "changes": {"summary": [None, "纠纷"]},
        }
        body: dict[str, object] = {"changes": [change]}
        if office_id is not None:
            body["office_id"] = office_id
        response = client.post("/api/v1/sync/push", json=body, headers=bearer(world.token))
        results[name] = response.status_code
        if response.status_code == 403:
            assert response.json()["message"] in (
                "区县和市局账号只能查看，不能修改司法所的数据",
                "您的账号只能修改本司法所的数据",
            )
        else:
            assert response.json()["results"][0]["status"] == "applied"
    ok = 200 if role.is_office_role else 403
    assert results == {"default": ok, "own": ok, "same_district": 403, "other_district": 403}


def test_sync_pull_and_conflicts(world: World, client: httpx.Client) -> None:
    """Pull and the conflicts list follow the read rule; without ``office_id`` they mean the
    caller's own office (district and city accounts must name one)."""
    role = _role(world, client)
    targets = (world.own.id, world.same_district.id, world.other_district.id, 2_000_000_000)
    for path in ("/api/v1/sync/pull", "/api/v1/sync/conflicts"):
        got = tuple(
            client.get(
                path, params={"office_id": office_id}, headers=bearer(world.token)
            ).status_code
            for office_id in targets
        )
        assert got == READ_EXPECTED[_kind(role)], path
        default = client.get(path, headers=bearer(world.token))
        assert default.status_code == (200 if role.is_office_role else 403), path
        if default.status_code == 200:
            assert default.json()["office_id"] == world.own.id


def _conflict_in(client: httpx.Client, make_user: Callable[..., Account], office: Office) -> int:
    """A same-field conflict in ``office``, made by two clerks of it; its id."""
    record_id = uuid.uuid4().hex

    def change(op: str, base_version: int, old: str | None, new: str) -> dict[str, object]:
        return {
            "idempotency_key": f"dev-{uuid.uuid4().hex}:1",
            "table_name": "cases",
            "record_id": record_id,
            "op": op,
            "base_version": base_version,
            "changes": {"summary": [old, new]},
        }

    first = login(client, make_user(Role.CLERK, office))["access_token"]
    second = login(client, make_user(Role.CLERK, office))["access_token"]
    for token, changes in (
        (first, [change("insert", 0, None, "原"), change("update", 1, "原", "甲")]),
        (second, [change("update", 1, "原", "乙")]),  # the same field: a conflict
    ):
        pushed = client.post("/api/v1/sync/push", json={"changes": changes}, headers=bearer(token))
        assert pushed.status_code == 200
    listed = client.get("/api/v1/sync/conflicts", headers=bearer(first)).json()
    (conflict_id,) = [c["id"] for c in listed["conflicts"] if c["record_id"] == record_id]
    return int(conflict_id)


def test_sync_resolve(
    world: World, client: httpx.Client, make_user: Callable[..., Account]
) -> None:
    """Only the office's own users resolve its conflicts; district and city accounts read only.
    A conflict id that does not exist is 404 for office users (403 for read-only accounts)."""
    role = _role(world, client)
    results = {}
    for name, office in (
        ("own", world.own),
        ("same_district", world.same_district),
        ("other_district", world.other_district),
    ):
        conflict_id = _conflict_in(client, make_user, office)
        response = client.post(
            f"/api/v1/sync/conflicts/{conflict_id}/resolve",
            json={"idempotency_key": f"r-{uuid.uuid4().hex}", "value": "丙"},
            headers=bearer(world.token),
        )
        results[name] = response.status_code
        if response.status_code == 403:
            assert response.json()["message"] in (
                "区县和市局账号只能查看，不能修改司法所的数据",
                "您的账号只能修改本司法所的数据",
            )
        else:
            assert response.json()["resolution"] == "丙"
    missing = client.post(
        "/api/v1/sync/conflicts/2000000000/resolve",
        json={"idempotency_key": f"r-{uuid.uuid4().hex}", "value": "丙"},
        headers=bearer(world.token),
    )
    results["missing"] = missing.status_code
    ok, absent = (200, 404) if role.is_office_role else (403, 403)
    assert results == {
        "own": ok,
        "same_district": 403,
        "other_district": 403,
        "missing": absent,
    }


def test_sync_conflicts_include_resolved(world: World, client: httpx.Client) -> None:
    """``include_resolved`` follows the same read rule as the plain conflicts list."""
    role = _role(world, client)
    targets = (world.own.id, world.same_district.id, world.other_district.id, 2_000_000_000)
    got = tuple(
        client.get(
            "/api/v1/sync/conflicts",
            params={"office_id": office_id, "include_resolved": "true"},
            headers=bearer(world.token),
        ).status_code
        for office_id in targets
    )
    assert got == READ_EXPECTED[_kind(role)]


def test_me(world: World, client: httpx.Client) -> None:
    me = client.get("/api/v1/me", headers=bearer(world.token)).json()
    role = Role(me["role"])
    if role.is_office_role:
        assert me["office"]["id"] == world.own.id
        assert me["district"] == world.own.district
    elif role is Role.DISTRICT:
        assert me["office"] is None
        assert me["district"] == world.own.district
    else:
        assert me["office"] is None
        assert me["district"] is None


def test_logout(world: World, client: httpx.Client) -> None:
    """Every role ends its own login session (no office is involved); the token then stops."""
    assert client.post("/api/v1/auth/logout", headers=bearer(world.token)).status_code == 204
    assert client.get("/api/v1/me", headers=bearer(world.token)).status_code == 401


def test_sync_turn(world: World, client: httpx.Client) -> None:
    """Office accounts take a turn to sync (and give it back); district and city accounts do
    not sync and are refused a turn. Giving back a turn one does not hold is harmless."""
    role = _role(world, client)
    turn = client.post("/api/v1/sync/turn", headers=bearer(world.token))
    if role.is_office_role:
        assert turn.status_code == 200
        body = turn.json()
        assert body["granted"] is True and body["syncing"] >= 1
    else:
        assert turn.status_code == 403
        assert turn.json()["message"] == READ_ONLY
    given_back = client.delete("/api/v1/sync/turn", headers=bearer(world.token))
    assert given_back.status_code == 204
    assert client.post("/api/v1/sync/turn").status_code == 401


READ_REFUSED = "您的账号无权查看这个司法所的数据"
NAME_AN_OFFICE = "区县和市局账号请指定要查看的司法所"
READ_ONLY = "区县和市局账号只能查看，不能修改司法所的数据"
OWN_OFFICE_ONLY = "您的账号只能修改本司法所的数据"
MISSING_OFFICE = 2_000_000_000
BLOBS = "/api/v1/blobs"
OCTETS = {"Content-Type": "application/octet-stream"}
CHECKSUMS = "/api/v1/sync/checksums"
RECORDS = "/api/v1/sync/records"


def _targets(world: World) -> tuple[int, int, int, int]:
    """Own, same-district and other-district office, and an office id that does not exist."""
    return (world.own.id, world.same_district.id, world.other_district.id, MISSING_OFFICE)


def _offices(world: World) -> tuple[Office, Office, Office]:
    return (world.own, world.same_district, world.other_district)


def _check_read(role: Role, responses: Sequence[httpx.Response]) -> None:
    """The statuses of reads of :func:`_targets` follow the read rule; refusals say why."""
    assert tuple(r.status_code for r in responses) == READ_EXPECTED[_kind(role)]
    for response in responses:
        if response.status_code == 403:
            assert response.json()["message"] == READ_REFUSED


def _check_default_read(role: Role, response: httpx.Response) -> None:
    """A read without ``office_id``: the caller's own office; district and city must name one."""
    if role.is_office_role:
        assert response.status_code == 200, response.text
    else:
        assert response.status_code == 403
        assert response.json()["message"] == NAME_AN_OFFICE


def _clerks(
    client: httpx.Client, make_user: Callable[..., Account], world: World
) -> dict[int, str]:
    """A clerk's token for each of the world's three offices (to set data up and to look)."""
    return {
        office.id: login(client, make_user(Role.CLERK, office))["access_token"]
        for office in _offices(world)
    }


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _put_blob(
    client: httpx.Client, token: str, data: bytes, office_id: int | None = None
) -> httpx.Response:
    params = {"offset": 0, "total": len(data)}
    if office_id is not None:
        params["office_id"] = office_id
    return client.put(
        f"{BLOBS}/{_sha(data)}", params=params, content=data, headers={**bearer(token), **OCTETS}
    )


def _blob_in_each_office(
    client: httpx.Client, make_user: Callable[..., Account], world: World
) -> dict[int, bytes]:
    """A different complete attachment in each of the three offices, uploaded by its clerk;
    the missing office id maps to the own office's attachment."""
    contents: dict[int, bytes] = {}
    for office_id, token in _clerks(client, make_user, world).items():
        data = os.urandom(1000)
        uploaded = _put_blob(client, token, data)
        assert uploaded.status_code == 200, uploaded.text
        assert uploaded.json()["complete"]
        contents[office_id] = data
    contents[MISSING_OFFICE] = contents[world.own.id]
    return contents


def test_blob_status(world: World, client: httpx.Client, make_user: Callable[..., Account]) -> None:
    """``GET /blobs/{sha256}`` follows the read rule, and an office's attachment is unknown in
    every other office (naming another office does not reveal it)."""
    role = _role(world, client)
    contents = _blob_in_each_office(client, make_user, world)
    responses = [
        client.get(
            f"{BLOBS}/{_sha(contents[office_id])}",
            params={"office_id": office_id},
            headers=bearer(world.token),
        )
        for office_id in _targets(world)
    ]
    _check_read(role, responses)
    for office_id, response in zip(_targets(world), responses, strict=True):
        if response.status_code == 200:
            size = len(contents[office_id])
            assert response.json() == {
                "sha256": _sha(contents[office_id]),
                "size": size,
                "received": size,
                "complete": True,
            }
    own_sha = _sha(contents[world.own.id])
    default = client.get(f"{BLOBS}/{own_sha}", headers=bearer(world.token))
    _check_default_read(role, default)
    if default.status_code == 200:
        assert default.json()["complete"]
    # The own office's attachment through the other offices' ids: unknown there, or refused.
    leaks = [
        client.get(f"{BLOBS}/{own_sha}", params={"office_id": o.id}, headers=bearer(world.token))
        for o in (world.same_district, world.other_district)
    ]
    assert tuple(r.status_code for r in leaks) == READ_EXPECTED[_kind(role)][1:3]
    for leak in leaks:
        if leak.status_code == 200:
            assert leak.json() == {
                "sha256": own_sha,
                "size": None,
                "received": 0,
                "complete": False,
            }
        else:
            assert leak.json()["message"] == READ_REFUSED


def test_blob_content(
    world: World, client: httpx.Client, make_user: Callable[..., Account]
) -> None:
    """``GET /blobs/{sha256}/content`` follows the read rule, and an office's attachment cannot
    be downloaded through another office's id."""
    role = _role(world, client)
    contents = _blob_in_each_office(client, make_user, world)
    responses = [
        client.get(
            f"{BLOBS}/{_sha(contents[office_id])}/content",
            params={"office_id": office_id},
            headers=bearer(world.token),
        )
        for office_id in _targets(world)
    ]
    _check_read(role, responses)
    for office_id, response in zip(_targets(world), responses, strict=True):
        if response.status_code == 200:
            assert response.content == contents[office_id]
    own_sha = _sha(contents[world.own.id])
    default = client.get(f"{BLOBS}/{own_sha}/content", headers=bearer(world.token))
    _check_default_read(role, default)
    if default.status_code == 200:
        assert default.content == contents[world.own.id]
    leaks = [
        client.get(
            f"{BLOBS}/{own_sha}/content", params={"office_id": o.id}, headers=bearer(world.token)
        )
        for o in (world.same_district, world.other_district)
    ]
    # Where the caller may read the other office, the attachment simply is not there.
    expected = tuple(404 if s == 200 else s for s in READ_EXPECTED[_kind(role)][1:3])
    assert tuple(r.status_code for r in leaks) == expected
    for leak in leaks:
        assert own_sha not in leak.text
        assert leak.json()["code"] == ("blob_not_found" if leak.status_code == 404 else "forbidden")


def test_blob_upload(world: World, client: httpx.Client, make_user: Callable[..., Account]) -> None:
    """``PUT /blobs/{sha256}``: office roles upload into their own office only; district and
    city accounts nowhere. A refused upload stores nothing in the office it named."""
    role = _role(world, client)
    clerks = _clerks(client, make_user, world)
    attempts: dict[str, tuple[int | None, bytes]] = {
        "default": (None, os.urandom(500)),
        "own": (world.own.id, os.urandom(500)),
        "same_district": (world.same_district.id, os.urandom(500)),
        "other_district": (world.other_district.id, os.urandom(500)),
        "missing": (MISSING_OFFICE, os.urandom(500)),
    }
    results = {}
    for name, (office_id, data) in attempts.items():
        response = _put_blob(client, world.token, data, office_id)
        results[name] = response.status_code
        if response.status_code == 403:
            expected_message = OWN_OFFICE_ONLY if role.is_office_role else READ_ONLY
            assert response.json()["message"] == expected_message
        else:
            assert response.json()["complete"]
    ok = 200 if role.is_office_role else 403
    assert results == {
        "default": ok,
        "own": ok,
        "same_district": 403,
        "other_district": 403,
        "missing": 403,
    }
    # What each office holds now, as its own clerk sees it.
    for name, (office_id, data) in attempts.items():
        holder = world.own.id if office_id is None else office_id
        if holder == MISSING_OFFICE:
            continue
        seen = client.get(f"{BLOBS}/{_sha(data)}", headers=bearer(clerks[holder]))
        assert seen.status_code == 200
        assert seen.json()["complete"] is (results[name] == 200), name
        if results[name] == 403:
            assert seen.json()["received"] == 0, name


def _record_in_own_office(
    client: httpx.Client, make_user: Callable[..., Account], world: World
) -> str:
    """A case pushed into the own office by its clerk; its record id."""
    record_id = uuid.uuid4().hex
    token = login(client, make_user(Role.CLERK, world.own))["access_token"]
    change = {
        "idempotency_key": f"dev-{uuid.uuid4().hex}:1",
        "table_name": "cases",
        "record_id": record_id,
        "op": "insert",
        "changes": {"summary": [None, "纠纷"]},
    }
    pushed = client.post("/api/v1/sync/push", json={"changes": [change]}, headers=bearer(token))
    assert pushed.status_code == 200, pushed.text
    assert pushed.json()["results"][0]["status"] == "applied"
    return record_id


def test_sync_checksums(
    world: World, client: httpx.Client, make_user: Callable[..., Account]
) -> None:
    """``GET /sync/checksums`` follows the read rule; each office's digests count only its own
    records."""
    role = _role(world, client)
    _record_in_own_office(client, make_user, world)
    responses = [
        client.get(CHECKSUMS, params={"office_id": office_id}, headers=bearer(world.token))
        for office_id in _targets(world)
    ]
    _check_read(role, responses)
    for office_id, response in zip(_targets(world), responses, strict=True):
        if response.status_code == 200:
            body = response.json()
            assert body["office_id"] == office_id
            assert body["record_count"] == (1 if office_id == world.own.id else 0)
    default = client.get(CHECKSUMS, headers=bearer(world.token))
    _check_default_read(role, default)
    if default.status_code == 200:
        assert (default.json()["office_id"], default.json()["record_count"]) == (world.own.id, 1)


def test_sync_checksum_bucket(
    world: World, client: httpx.Client, make_user: Callable[..., Account]
) -> None:
    """``GET /sync/checksums/{bucket}`` follows the read rule; a record is listed only in its
    own office's bucket."""
    role = _role(world, client)
    record_id = _record_in_own_office(client, make_user, world)
    path = f"{CHECKSUMS}/{bucket_of(record_id)}"
    responses = [
        client.get(path, params={"office_id": office_id}, headers=bearer(world.token))
        for office_id in _targets(world)
    ]
    _check_read(role, responses)
    for office_id, response in zip(_targets(world), responses, strict=True):
        if response.status_code == 200:
            listed = [entry["record_id"] for entry in response.json()["entries"]]
            assert listed == ([record_id] if office_id == world.own.id else [])
    default = client.get(path, headers=bearer(world.token))
    _check_default_read(role, default)
    if default.status_code == 200:
        assert [e["record_id"] for e in default.json()["entries"]] == [record_id]


def test_sync_records(
    world: World, client: httpx.Client, make_user: Callable[..., Account]
) -> None:
    """``POST /sync/records`` is a read: it follows the read rule, and asking another office
    for a record of the own office returns nothing."""
    role = _role(world, client)
    record_id = _record_in_own_office(client, make_user, world)
    keys = [{"table_name": "cases", "record_id": record_id}]
    responses = [
        client.post(
            RECORDS, json={"office_id": office_id, "keys": keys}, headers=bearer(world.token)
        )
        for office_id in _targets(world)
    ]
    _check_read(role, responses)
    for office_id, response in zip(_targets(world), responses, strict=True):
        if response.status_code == 200:
            body = response.json()
            assert body["office_id"] == office_id
            got = [record["record_id"] for record in body["records"]]
            assert got == ([record_id] if office_id == world.own.id else [])
    default = client.post(RECORDS, json={"keys": keys}, headers=bearer(world.token))
    _check_default_read(role, default)
    if default.status_code == 200:
        assert [r["record_id"] for r in default.json()["records"]] == [record_id]


def test_office_settings(world: World, client: httpx.Client, engine: Engine) -> None:
    """``GET /offices/{office_id}/settings`` follows the read rule; each office sees its own
    value of a setting, never another office's."""
    role = _role(world, client)
    key = f"test_{uuid.uuid4().hex[:12]}"
    values = {world.own.id: "甲", world.same_district.id: "乙", world.other_district.id: "丙"}
    for office_id, value in values.items():
        set_setting(engine, key, value, str(office_id), unix_now())
    responses = [
        client.get(f"/api/v1/offices/{office_id}/settings", headers=bearer(world.token))
        for office_id in _targets(world)
    ]
    _check_read(role, responses)
    for office_id, response in zip(_targets(world), responses, strict=True):
        if response.status_code == 200:
            body = response.json()
            assert body["office_id"] == office_id
            assert body["settings"][key] == values[office_id]


def test_statistics_rollup(world: World, client: httpx.Client) -> None:
    """``GET /statistics/mediation`` rolls up only offices the caller reads: an office its own
    (asking for a district is refused), a district its own district (another is refused), the
    city every office or one district's."""
    role = _role(world, client)
    url = "/api/v1/statistics/mediation"

    def scope(**params: str) -> tuple[int, set[int]]:
        response = client.get(url, params={"year": 2025, **params}, headers=bearer(world.token))
        ids = {o["office_id"] for o in response.json().get("offices", [])}
        return response.status_code, ids

    plain, plain_ids = scope()
    own_district, own_ids = scope(district=world.own.district)
    other_district, other_ids = scope(district=world.other_district.district)
    assert plain == 200
    if role.is_office_role:
        assert plain_ids == {world.own.id}
        assert (own_district, other_district) == (403, 403)
    elif role is Role.DISTRICT:
        assert {world.own.id, world.same_district.id} <= plain_ids
        assert world.other_district.id not in plain_ids
        assert own_district == 200 and other_district == 403
    else:
        assert {world.own.id, world.same_district.id, world.other_district.id} <= plain_ids
        assert own_district == 200 and world.other_district.id not in own_ids
        assert other_district == 200 and other_ids == {world.other_district.id}


COVERED: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/statistics/mediation"): "test_statistics_rollup",
    ("POST", "/api/v1/auth/logout"): "test_logout",
    ("GET", "/api/v1/me"): "test_me",
    ("POST", "/api/v1/devices"): "test_register_device",
    ("GET", "/api/v1/offices/{office_id}"): "test_get_office",
    ("GET", "/api/v1/offices/{office_id}/settings"): "test_office_settings",
    ("POST", "/api/v1/number-blocks"): "test_number_blocks",
    ("GET", "/api/v1/code-tables"): "test_code_tables",
    ("POST", "/api/v1/sync/push"): "test_sync_push",
    ("POST", "/api/v1/sync/turn"): "test_sync_turn",
    ("DELETE", "/api/v1/sync/turn"): "test_sync_turn",
    ("GET", "/api/v1/sync/pull"): "test_sync_pull_and_conflicts",
    ("GET", "/api/v1/sync/conflicts"): "test_sync_pull_and_conflicts",
    ("POST", "/api/v1/sync/conflicts/{conflict_id}/resolve"): "test_sync_resolve",
    ("GET", "/api/v1/sync/checksums"): "test_sync_checksums",
    ("GET", "/api/v1/sync/checksums/{bucket}"): "test_sync_checksum_bucket",
    ("POST", "/api/v1/sync/records"): "test_sync_records",
    ("GET", "/api/v1/blobs/{sha256}"): "test_blob_status",
    ("PUT", "/api/v1/blobs/{sha256}"): "test_blob_upload",
    ("GET", "/api/v1/blobs/{sha256}/content"): "test_blob_content",
}
"""Every route that needs an account → the test of it in this module."""

PUBLIC: dict[tuple[str, str], str] = {
    ("GET", "/api/v1/version"): "the protocol handshake, asked before there is any account",
    ("POST", "/api/v1/auth/login"): "how an account gets its tokens (username and password)",
    ("POST", "/api/v1/auth/refresh"): "the refresh token in the body is the credential",
}
"""Routes that need no access token → why (tested in test_auth.py, test_devices_and_version.py)."""


HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}


def _api_routes(tmp_path: Path) -> set[tuple[str, str]]:
    """(method, path) of every ``/api/v1`` operation of the application as the server builds it
    (its OpenAPI description: what the server publishes and serves)."""
    app = create_app(Settings(database_url=sqlite_url(tmp_path / "routes.sqlite3")))
    try:
        paths: dict[str, dict[str, object]] = app.openapi()["paths"]
    finally:
        app.state.engine.dispose()
    return {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/v1")
        for method in operations
        if method in HTTP_METHODS
    }


def test_every_route_is_covered(tmp_path: Path) -> None:
    """A route the application serves that is neither covered by a test here nor declared
    public fails; so does a listed route the application no longer serves."""
    routes = _api_routes(tmp_path)
    assert len(routes) >= len(COVERED) + len(PUBLIC) > 0
    assert not COVERED.keys() & PUBLIC.keys()
    uncovered = sorted(routes - COVERED.keys() - PUBLIC.keys())
    assert uncovered == [], f"routes without an authorization test in this module: {uncovered}"
    stale = sorted((COVERED.keys() | PUBLIC.keys()) - routes)
    assert stale == [], f"listed routes the server does not serve: {stale}"
    for test_name in COVERED.values():
        assert callable(globals().get(test_name)), test_name
    assert all(reason.strip() for reason in PUBLIC.values())


def _principal(role: Role, office_id: int | None, district: str | None) -> Principal:
    return Principal(1, "u", role, office_id, district, 1)


@pytest.mark.parametrize("role", OFFICE_ROLES, ids=lambda role: role.value)
def test_rule_office_roles(role: Role) -> None:
    me = _principal(role, 7, "甲区")
    assert can_read_office(me, 7, "甲区")
    assert not can_read_office(me, 8, "甲区")
    require_write(me, 7)
    with pytest.raises(Forbidden, match="只能修改本司法所"):
        require_write(me, 8)


def test_rule_district_and_city() -> None:
    district = _principal(Role.DISTRICT, None, "甲区")
    city = _principal(Role.CITY, None, None)
    require_read(district, 7, "甲区")
    with pytest.raises(Forbidden):
        require_read(district, 9, "乙区")
    require_read(city, 9, "乙区")
    for reader in (district, city):
        with pytest.raises(Forbidden, match="只能查看"):
            require_write(reader, 7)
    assert not can_read_office(_principal(Role.DISTRICT, None, None), 7, "甲区")
