"""Device registration, login bound to a device, the protocol version handshake and the OpenAPI
description — against a real server on both backends."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.protocol import MIN_CLIENT_PROTOCOL, PROTOCOL_VERSION, Role
from sync.server.db import auth_sessions, login_failures
from tests.sync.conftest import Account, Office, bearer, login, random_address
from tests.sync.server_process import ServerProcess

DEVICES = "/api/v1/devices"


def _device_id() -> str:
    return f"pc-{uuid.uuid4().hex}"


def test_register_a_device_once_and_again(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office = make_office()
    clerk = make_user(Role.CLERK, office)
    token = login(client, clerk)["access_token"]
    device = _device_id()
    first = client.post(
        DEVICES,
        json={"device_id": device, "office_id": office.id, "name": "所长的电脑"},
        headers=bearer(token),
    )
    assert first.status_code == 200, first.text
    assert first.json()["office_id"] == office.id
    assert first.json()["name"] == "所长的电脑"
    assert first.json()["registered_by"] == clerk.id
    again = client.post(
        DEVICES, json={"device_id": device, "office_id": office.id}, headers=bearer(token)
    )
    assert again.status_code == 200
    assert again.json() == first.json()  # a repeat is a no-op returning the stored registration


def test_a_device_of_another_office_is_refused(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office_a, office_b = make_office(), make_office()
    a = login(client, make_user(Role.CLERK, office_a))["access_token"]
    b = login(client, make_user(Role.HEAD, office_b))["access_token"]
    device = _device_id()
    assert (
        client.post(
            DEVICES, json={"device_id": device, "office_id": office_a.id}, headers=bearer(a)
        ).status_code
        == 200
    )
    taken = client.post(
        DEVICES, json={"device_id": device, "office_id": office_b.id}, headers=bearer(b)
    )
    assert taken.status_code == 409
    assert taken.json()["message"] == "这台电脑已登记在其他司法所名下，不能再登记到本所"


def test_invalid_device_id_is_refused(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office = make_office()
    token = login(client, make_user(Role.CLERK, office))["access_token"]
    for bad in ("short", "has spaces in it", "x" * 65):
        response = client.post(
            DEVICES, json={"device_id": bad, "office_id": office.id}, headers=bearer(token)
        )
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_request"


def test_login_on_a_registered_device_binds_the_session(
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    office, other = make_office(), make_office()
    clerk, lawyer = make_user(Role.CLERK, office), make_user(Role.LAWYER, office)
    stranger = make_user(Role.CLERK, other)
    device = _device_id()
    token = login(client, clerk)["access_token"]
    client.post(DEVICES, json={"device_id": device, "office_id": office.id}, headers=bearer(token))

    login(client, lawyer, device_id=device)  # a colleague on the same machine
    with engine.connect() as conn:
        bound = conn.execute(
            sa.select(auth_sessions.c.device_id).where(auth_sessions.c.user_id == lawyer.id)
        ).scalar_one()
    assert bound == device

    for account, device_id in ((stranger, device), (clerk, _device_id())):
        refused = client.post(
            "/api/v1/auth/login",
            json={
                "username": account.username,
                "password": account.password,
                "device_id": device_id,
            },
        )
        assert refused.status_code == 403
        assert refused.json()["code"] == "device_not_registered"


def test_version_needs_no_login_and_no_header(server: ServerProcess) -> None:
    response = httpx.get(f"{server.base_url}/api/v1/version")
    assert response.status_code == 200
    assert response.json()["protocol_version"] == PROTOCOL_VERSION
    assert response.json()["min_client_protocol"] == MIN_CLIENT_PROTOCOL


def test_an_old_or_new_client_is_told_what_to_update(
    server: ServerProcess,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    clerk = make_user(Role.CLERK, make_office())
    cases = {
        str(MIN_CLIENT_PROTOCOL - 1): ("client_too_old", "请更新本程序"),
        str(PROTOCOL_VERSION + 1): ("server_too_old", "请联系市局更新服务器"),
        None: ("protocol_missing", "请更新本程序"),
        "abc": ("protocol_missing", "请更新本程序"),
    }
    address = random_address()
    for header, (code, advice) in cases.items():
        headers = {"X-Forwarded-For": address}
        if header is not None:
            headers["X-Protocol-Version"] = header
        with httpx.Client(base_url=server.base_url, headers=headers) as old:
            for method, path, body in (
                (
                    "POST",
                    "/api/v1/auth/login",
                    {"username": clerk.username, "password": clerk.password},
                ),
                ("GET", "/api/v1/me", None),  # version before authentication
            ):
                response = old.request(method, path, json=body)
                assert response.status_code == 426, (header, path)
                assert response.json()["code"] == code
                assert advice in response.json()["message"]
                assert "本机数据不会丢失" in response.json()["message"]
                assert response.json()["protocol_version"] == PROTOCOL_VERSION
    with engine.connect() as conn:  # refused before anything was looked at or counted
        failures = conn.execute(
            sa.select(sa.func.count())
            .select_from(login_failures)
            .where(login_failures.c.address == address)
        ).scalar_one()
        sessions = conn.execute(
            sa.select(sa.func.count())
            .select_from(auth_sessions)
            .where(auth_sessions.c.user_id == clerk.id)
        ).scalar_one()
    assert failures == 0
    assert sessions == 0


def test_openapi_description_is_public(server: ServerProcess) -> None:
    response = httpx.get(f"{server.base_url}/openapi.json")
    assert response.status_code == 200
    spec = response.json()
    paths = spec["paths"]
    for path in (
        "/api/v1/version",
        "/api/v1/auth/login",
        "/api/v1/auth/refresh",
        "/api/v1/auth/logout",
        "/api/v1/me",
        "/api/v1/devices",
        "/api/v1/offices/{office_id}",
    ):
        assert path in paths
    me_parameters = {p["name"] for p in paths["/api/v1/me"]["get"]["parameters"]}
    assert "X-Protocol-Version" in me_parameters
    assert "426" in paths["/api/v1/me"]["get"]["responses"]
    assert "HTTPBearer" in spec["components"]["securitySchemes"]
