"""Login, refresh, logout, wrong passwords, rate limits, expired and revoked tokens — against a
real server process on SQLite and on PostgreSQL."""

from __future__ import annotations

import hashlib
import io
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
import sqlalchemy as sa
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine

from sync.protocol import Role
from sync.server import accounts, cli, security
from sync.server.config import Settings, unix_now
from sync.server.db import access_tokens, auth_sessions, refresh_tokens, users
from tests.sync.conftest import TEST_HASHING, Account, Office, bearer, login, random_address
from tests.sync.server_process import ServerProcess, running_server

LOGIN = "/api/v1/auth/login"
REFRESH = "/api/v1/auth/refresh"
LOGOUT = "/api/v1/auth/logout"
ME = "/api/v1/me"


def _clerk(make_office: Callable[..., Office], make_user: Callable[..., Account]) -> Account:
    account: Account = make_user(Role.CLERK, make_office())
    return account


def test_login_me_refresh_logout(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office = make_office()
    clerk = make_user(Role.CLERK, office)
    tokens = login(client, clerk)
    assert tokens["token_type"] == "bearer"
    assert tokens["access_expires_in"] == 15 * 60
    assert tokens["refresh_expires_in"] == 30 * 24 * 3600

    me = client.get(ME, headers=bearer(tokens["access_token"]))
    assert me.status_code == 200
    assert me.json()["username"] == clerk.username
    assert me.json()["role"] == "clerk"
    assert me.json()["office"] == {
        "id": office.id,
        "name": office.name,
        "district": office.district,
    }

    renewed = client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert renewed.status_code == 200, renewed.text
    new = renewed.json()
    assert new["access_token"] != tokens["access_token"]
    assert new["refresh_token"] != tokens["refresh_token"]
    assert client.get(ME, headers=bearer(new["access_token"])).status_code == 200

    assert client.post(LOGOUT, headers=bearer(new["access_token"])).status_code == 204
    for token in (new["access_token"], tokens["access_token"]):  # the whole session ended
        refused = client.get(ME, headers=bearer(token))
        assert refused.status_code == 401
        assert refused.json()["message"] == "尚未登录或登录已过期，请重新登录"
    after = client.post(REFRESH, json={"refresh_token": new["refresh_token"]})
    assert after.status_code == 401
    assert after.json()["code"] == "session_ended"


def test_logout_ends_only_that_session(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    clerk = _clerk(make_office, make_user)
    first, second = login(client, clerk), login(client, clerk)
    assert client.post(LOGOUT, headers=bearer(first["access_token"])).status_code == 204
    assert client.get(ME, headers=bearer(first["access_token"])).status_code == 401
    assert client.get(ME, headers=bearer(second["access_token"])).status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_answer(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    clerk = _clerk(make_office, make_user)
    wrong = client.post(LOGIN, json={"username": clerk.username, "password": "wrong-password"})
    unknown = client.post(LOGIN, json={"username": "nobody-here", "password": "wrong-password"})
    for response in (wrong, unknown):
        assert response.status_code == 401
        assert response.json()["code"] == "invalid_credentials"
        assert response.json()["message"] == "用户名或密码不正确"
        assert "access_token" not in response.text


def test_failed_logins_per_account_are_limited(
    server: ServerProcess,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    clerk = _clerk(make_office, make_user)
    with server.client(random_address()) as attacker, server.client(random_address()) as owner:
        for _ in range(5):
            response = attacker.post(
                LOGIN, json={"username": clerk.username, "password": "guess-1234"}
            )
            assert response.status_code == 401
        locked = attacker.post(LOGIN, json={"username": clerk.username, "password": clerk.password})
        assert locked.status_code == 429
        assert locked.json()["code"] == "too_many_attempts"
        assert "登录失败次数过多" in locked.json()["message"]
        assert 1 <= int(locked.headers["Retry-After"]) <= 15 * 60
        # counted per account: another address is refused too, even with the right password
        assert (
            owner.post(
                LOGIN, json={"username": clerk.username, "password": clerk.password}
            ).status_code
            == 429
        )


def test_failed_logins_per_address_are_limited(
    server: ServerProcess,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    clerk = _clerk(make_office, make_user)
    address = random_address()
    with server.client(address) as attacker, server.client(random_address()) as other:
        for n in range(30):  # a different (unknown) user name each time
            response = attacker.post(
                LOGIN, json={"username": f"spray-{address}-{n}", "password": "x"}
            )
            assert response.status_code == 401
        refused = attacker.post(
            LOGIN, json={"username": clerk.username, "password": clerk.password}
        )
        assert refused.status_code == 429
        assert login(other, clerk)["access_token"]


def test_a_successful_login_clears_the_failures(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    clerk = _clerk(make_office, make_user)
    for _round in range(2):
        for _ in range(4):
            assert (
                client.post(
                    LOGIN, json={"username": clerk.username, "password": "nope-nope"}
                ).status_code
                == 401
            )
        login(client, clerk)


def test_expired_access_token_is_refused_and_refresh_renews_it(
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    tokens = login(client, _clerk(make_office, make_user))
    digest = hashlib.sha256(tokens["access_token"].encode()).hexdigest()
    with engine.begin() as conn:
        conn.execute(
            access_tokens.update()
            .where(access_tokens.c.token_hash == digest)
            .values(expires_at=unix_now() - 1)
        )
    assert client.get(ME, headers=bearer(tokens["access_token"])).status_code == 401
    renewed = client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert renewed.status_code == 200
    assert client.get(ME, headers=bearer(renewed.json()["access_token"])).status_code == 200


def test_expired_refresh_token_is_refused(
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    tokens = login(client, _clerk(make_office, make_user))
    digest = hashlib.sha256(tokens["refresh_token"].encode()).hexdigest()
    with engine.begin() as conn:
        conn.execute(
            refresh_tokens.update()
            .where(refresh_tokens.c.token_hash == digest)
            .values(expires_at=unix_now() - 1)
        )
    response = client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert response.status_code == 401
    assert response.json()["message"] == "登录已失效，请重新登录"


def test_refresh_repeated_soon_after_a_lost_answer_still_works(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    tokens = login(client, _clerk(make_office, make_user))
    first = client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    again = client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})  # answer lost
    assert first.status_code == again.status_code == 200
    for pair in (first.json(), again.json()):
        assert client.get(ME, headers=bearer(pair["access_token"])).status_code == 200


def test_a_refresh_token_reused_later_revokes_the_session(
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    tokens = login(client, _clerk(make_office, make_user))
    rotated = client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}).json()
    digest = hashlib.sha256(tokens["refresh_token"].encode()).hexdigest()
    with engine.begin() as conn:  # the old token was used ten minutes ago
        conn.execute(
            refresh_tokens.update()
            .where(refresh_tokens.c.token_hash == digest)
            .values(used_at=unix_now() - 600)
        )
    stolen = client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]})
    assert stolen.status_code == 401
    # the thief's reuse ends the session: the legitimate holder's new tokens stop working too
    assert client.get(ME, headers=bearer(rotated["access_token"])).status_code == 401
    assert client.post(REFRESH, json={"refresh_token": rotated["refresh_token"]}).status_code == 401


def test_reset_password_ends_every_session(
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    clerk = _clerk(make_office, make_user)
    tokens = login(client, clerk)
    accounts.reset_password(engine, clerk.username, "brand-new-pass", unix_now())
    assert client.get(ME, headers=bearer(tokens["access_token"])).status_code == 401
    assert client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert (
        client.post(
            LOGIN, json={"username": clerk.username, "password": clerk.password}
        ).status_code
        == 401
    )
    assert (
        client.post(
            LOGIN, json={"username": clerk.username, "password": "brand-new-pass"}
        ).status_code
        == 200
    )


def test_inactive_account_cannot_log_in_or_use_its_tokens(
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    clerk = _clerk(make_office, make_user)
    tokens = login(client, clerk)
    with engine.begin() as conn:
        conn.execute(users.update().where(users.c.id == clerk.id).values(active=False))
    assert client.get(ME, headers=bearer(tokens["access_token"])).status_code == 401
    assert client.post(REFRESH, json={"refresh_token": tokens["refresh_token"]}).status_code == 401
    assert (
        client.post(
            LOGIN, json={"username": clerk.username, "password": clerk.password}
        ).status_code
        == 401
    )


def test_tokens_and_passwords_are_stored_only_hashed(
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    clerk = _clerk(make_office, make_user)
    tokens = login(client, clerk)
    with engine.connect() as conn:
        password_hash = conn.execute(
            sa.select(users.c.password_hash).where(users.c.id == clerk.id)
        ).scalar_one()
        stored = [
            *conn.execute(sa.select(access_tokens.c.token_hash)).scalars(),
            *conn.execute(sa.select(refresh_tokens.c.token_hash)).scalars(),
        ]
        sessions = conn.execute(
            sa.select(sa.func.count())
            .select_from(auth_sessions)
            .where(auth_sessions.c.user_id == clerk.id)
        ).scalar_one()
    assert password_hash.startswith("$argon2id$")
    assert clerk.password not in password_hash
    for token in (tokens["access_token"], tokens["refresh_token"]):
        assert token not in stored
        assert hashlib.sha256(token.encode()).hexdigest() in stored
    assert sessions == 1


def test_protected_endpoints_need_a_valid_token(client: httpx.Client) -> None:
    requests = [
        ("GET", ME, None),
        ("POST", LOGOUT, None),
        ("GET", "/api/v1/offices/1", None),
        ("POST", "/api/v1/devices", {"device_id": "device-0001", "office_id": 1}),
    ]
    for method, path, body in requests:
        for headers in ({}, bearer("not-a-real-token"), {"Authorization": "Basic abc"}):
            response = client.request(method, path, json=body, headers=headers)
            assert response.status_code == 401, (method, path, headers)
            assert response.json()["code"] == "not_authenticated"
            assert response.headers["WWW-Authenticate"] == "Bearer"


def test_malformed_requests_get_a_chinese_message(client: httpx.Client) -> None:
    response = client.post(LOGIN, json={"username": ""})
    assert response.status_code == 422
    assert response.json()["message"] == "请求内容不符合要求"
    assert response.json()["details"]


# ------------------------------------------------------------------- production password hashing

PRODUCTION_PARAMETERS = "$argon2id$v=19$m=65536,t=3,p=4$"
"""argon2-cffi's default profile (RFC 9106 low-memory): what every stored hash of a production
server has."""


def _stored_hash(engine: Engine, account: Account) -> str:
    with engine.connect() as conn:
        stored: str = conn.execute(
            sa.select(users.c.password_hash).where(users.c.id == account.id)
        ).scalar_one()
    return stored


def test_production_hashing_is_argon2id_64_mib_3_passes() -> None:
    password_hash = security.hash_password("correct-horse-1")
    assert password_hash.startswith(PRODUCTION_PARAMETERS)
    assert not PasswordHasher().check_needs_rehash(password_hash)
    assert security.hash_password(
        "correct-horse-1", security.PasswordHashing.PRODUCTION
    ).startswith(PRODUCTION_PARAMETERS)
    assert accounts.LoginLimits().password_hashing is security.PasswordHashing.PRODUCTION
    assert Settings(database_url="sqlite://").limits.password_hashing is (
        security.PasswordHashing.PRODUCTION
    )
    fast = security.hash_password("correct-horse-1", TEST_HASHING)
    assert not fast.startswith(PRODUCTION_PARAMETERS)
    assert security.verify_password(fast, "correct-horse-1")
    assert not security.verify_password(fast, "correct-horse-2")
    assert security.needs_rehash(fast)
    assert not security.needs_rehash(fast, TEST_HASHING)
    assert not security.needs_rehash(password_hash, TEST_HASHING)


def test_serve_hashes_for_production_unless_told_and_only_on_loopback(tmp_path: Path) -> None:
    parser = cli.build_parser()
    err = io.StringIO()
    plain = parser.parse_args(["serve", "--host", "0.0.0.0"])
    assert cli.password_hashing_of(plain, err) is security.PasswordHashing.PRODUCTION
    assert err.getvalue() == ""
    fast = parser.parse_args(["serve", "--insecure-fast-password-hashing"])
    assert cli.password_hashing_of(fast, err) is TEST_HASHING
    assert cli.FAST_HASHING_WARNING in err.getvalue()
    for host in ("0.0.0.0", "192.168.1.10", "::", "city.example"):
        data = tmp_path / host
        code = cli.main(
            ["serve", "--insecure-fast-password-hashing", "--host", host, "--data-dir", str(data)]
        )
        assert code == 2
        assert not data.exists()  # refused before the database was opened


def test_a_production_server_replaces_a_fast_hash_at_login(
    database_url: str,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
    tmp_path: Path,
) -> None:
    """A test account's fast hash logs in to a server started without the option, which stores a
    production hash in its place; the password keeps working."""
    clerk = _clerk(make_office, make_user)
    assert not _stored_hash(engine, clerk).startswith(PRODUCTION_PARAMETERS)
    with running_server(database_url, tmp_path) as production:
        with production.client(random_address()) as client:
            login(client, clerk)
            assert _stored_hash(engine, clerk).startswith(PRODUCTION_PARAMETERS)
            login(client, clerk)
        assert cli.FAST_HASHING_WARNING not in production.output()
    assert security.verify_password(_stored_hash(engine, clerk), clerk.password)


def test_the_fast_test_server_never_rewrites_a_stored_hash(
    server: ServerProcess,
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    """Started with --insecure-fast-password-hashing it warns, and a production hash stays as it
    is after a login: such a server cannot weaken a real database's hashes."""
    assert cli.FAST_HASHING_WARNING in server.output()
    office = make_office()
    fast = make_user(Role.CLERK, office)
    fast_hash = _stored_hash(engine, fast)
    username = f"prod-{uuid.uuid4().hex[:10]}"
    user_id = accounts.create_user(
        engine,
        username=username,
        role=Role.CLERK,
        password=fast.password,
        now=unix_now(),
        office=str(office.id),
    )
    production = Account(user_id, username, Role.CLERK)
    production_hash = _stored_hash(engine, production)
    assert production_hash.startswith(PRODUCTION_PARAMETERS)
    login(client, fast)
    login(client, production)
    assert _stored_hash(engine, fast) == fast_hash
    assert _stored_hash(engine, production) == production_hash
