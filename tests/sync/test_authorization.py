"""The authorization matrix: every endpoint × every role × own / other office, on a real server
(both backends), plus the rule itself without a server."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest

from sync.protocol import Role
from sync.server.authz import Forbidden, Principal, can_read_office, require_read, require_write
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
