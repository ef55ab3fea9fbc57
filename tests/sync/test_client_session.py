"""The client's connection to the city server (sync/client): login, token renewal mid-sync,
and every failure as one SyncError with a Chinese message — against a real server process on
SQLite and on PostgreSQL, a closed port and a tiny broken HTTP server."""

from __future__ import annotations

import hashlib
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests
from sqlalchemy.engine import Engine

from sync.client.session import ServerSession, SyncError
from sync.client.tokens import KeyringTokenStore, MemoryTokenStore, StoredTokens
from sync.protocol import PROTOCOL_VERSION, Role
from sync.server.config import unix_now
from sync.server.db import access_tokens, auth_sessions, refresh_tokens
from tests.sync.conftest import PASSWORD, Account, Office, random_address
from tests.sync.server_process import ServerProcess, free_port


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@pytest.fixture
def store() -> MemoryTokenStore:
    return MemoryTokenStore()


@pytest.fixture
def make_session(server: ServerProcess, store: MemoryTokenStore) -> Callable[..., ServerSession]:
    def make(protocol_version: int = PROTOCOL_VERSION) -> ServerSession:
        http = requests.Session()
        http.headers["X-Forwarded-For"] = random_address()  # own rate-limit bucket
        return ServerSession(server.base_url, store, None, http, protocol_version=protocol_version)

    return make


@pytest.fixture
def clerk(make_office: Callable[..., Office], make_user: Callable[..., Account]) -> Account:
    account: Account = make_user(Role.CLERK, make_office())
    return account


def test_login_stores_tokens_and_me_works(
    make_session: Callable[..., ServerSession], store: MemoryTokenStore, clerk: Account
) -> None:
    session = make_session()
    session.login(clerk.username, PASSWORD)
    stored = store.load(session.account)
    assert stored is not None and stored.access_token and stored.refresh_token
    assert session.request("GET", "/me")["username"] == clerk.username

    session.logout()
    assert store.load(session.account) is None
    with pytest.raises(SyncError) as caught:
        session.request("GET", "/me")
    assert caught.value.needs_login and "登录" in str(caught.value)


def test_expired_access_token_is_renewed_once_and_the_rotated_pair_stored(
    make_session: Callable[..., ServerSession],
    store: MemoryTokenStore,
    engine: Engine,
    clerk: Account,
) -> None:
    session = make_session()
    session.login(clerk.username, PASSWORD)
    before = store.load(session.account)
    assert before is not None
    with engine.begin() as conn:
        conn.execute(
            access_tokens.update()
            .where(access_tokens.c.token_hash == _digest(before.access_token))
            .values(expires_at=unix_now() - 1)
        )
    assert session.request("GET", "/me")["username"] == clerk.username
    after = store.load(session.account)
    assert after is not None
    assert after.access_token != before.access_token
    assert after.refresh_token != before.refresh_token
    assert session.request("GET", "/me")["username"] == clerk.username  # no second refresh
    assert store.load(session.account) == after


def test_revoked_refresh_token_asks_to_log_in_again(
    make_session: Callable[..., ServerSession],
    store: MemoryTokenStore,
    engine: Engine,
    clerk: Account,
) -> None:
    session = make_session()
    session.login(clerk.username, PASSWORD)
    tokens = store.load(session.account)
    assert tokens is not None
    with engine.begin() as conn:
        row = conn.execute(
            refresh_tokens.select().where(
                refresh_tokens.c.token_hash == _digest(tokens.refresh_token)
            )
        ).one()
        conn.execute(
            auth_sessions.update()
            .where(auth_sessions.c.id == row.session_id)
            .values(revoked_at=unix_now())
        )
    with pytest.raises(SyncError) as caught:
        session.request("GET", "/me")
    assert caught.value.needs_login and not caught.value.retryable
    assert "请重新登录" in str(caught.value)
    assert store.load(session.account) is None  # dead tokens are not kept
    session.login(clerk.username, PASSWORD)  # logging in again works
    assert session.request("GET", "/me")["username"] == clerk.username


def test_wrong_password_gives_a_chinese_message(
    make_session: Callable[..., ServerSession], store: MemoryTokenStore, clerk: Account
) -> None:
    session = make_session()
    with pytest.raises(SyncError) as caught:
        session.login(clerk.username, "not-the-password")
    assert str(caught.value) == "用户名或密码不正确"
    assert not caught.value.retryable and caught.value.status == 401
    assert store.entries == {}


@pytest.mark.parametrize(
    ("version", "code", "names"),
    [(99, "server_too_old", "市局服务器"), (0, "client_too_old", "本程序")],
)
def test_protocol_mismatch_says_what_to_update(
    make_session: Callable[..., ServerSession],
    clerk: Account,
    version: int,
    code: str,
    names: str,
) -> None:
    session = make_session(protocol_version=version)
    with pytest.raises(SyncError) as caught:
        session.login(clerk.username, PASSWORD)
    assert caught.value.code == code and caught.value.status == 426
    assert names in str(caught.value) and "版本" in str(caught.value)
    assert not caught.value.retryable


def test_unreachable_server_is_retryable() -> None:
    session = ServerSession(
        f"http://127.0.0.1:{free_port()}", MemoryTokenStore(), None, timeout=(2.0, 2.0)
    )
    with pytest.raises(SyncError) as caught:
        session.login("someone", "password")
    assert caught.value.retryable and caught.value.code == "network"
    assert "无法连接市局服务器" in str(caught.value)


class _Garbled(http.server.BaseHTTPRequestHandler):
    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        body = b"<html>\xff\xfe oops {not json"
        if self.path.endswith("/me"):  # a "success" that is not JSON
            self.send_response(200)
        else:
            self.send_response(500)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, format: str, *args: object) -> None:
        pass


class _Slow(_Garbled):
    def _answer(self) -> None:
        threading.Event().wait(3)
        super()._answer()

    do_GET = do_POST = _answer


class _QuietServer(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: object, client_address: object) -> None:
        pass  # the client gave up waiting (the timeout test): nothing to report


@pytest.fixture
def broken_server() -> Iterator[Callable[[type[http.server.BaseHTTPRequestHandler]], str]]:
    servers: list[_QuietServer] = []

    def start(handler: type[http.server.BaseHTTPRequestHandler]) -> str:
        httpd = _QuietServer(("127.0.0.1", 0), handler)
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        servers.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}"

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()


def test_garbled_replies_become_sync_errors(
    broken_server: Callable[[type[http.server.BaseHTTPRequestHandler]], str],
) -> None:
    store = MemoryTokenStore()
    session = ServerSession(broken_server(_Garbled), store, None)
    with pytest.raises(SyncError) as caught:
        session.login("someone", "password")
    assert caught.value.retryable and caught.value.status == 500
    assert "HTTP 500" in str(caught.value)

    store.save(session.account, StoredTokens("a", "r"))
    with pytest.raises(SyncError) as caught:
        session.request("GET", "/me")
    assert caught.value.retryable and caught.value.code == "bad_reply"
    assert "无法识别" in str(caught.value)


def test_timeout_is_retryable(
    broken_server: Callable[[type[http.server.BaseHTTPRequestHandler]], str],
) -> None:
    session = ServerSession(broken_server(_Slow), MemoryTokenStore(), None, timeout=(2.0, 0.3))
    with pytest.raises(SyncError) as caught:
        session.login("someone", "password")
    assert caught.value.retryable and caught.value.code == "timeout"
    assert "没有应答" in str(caught.value)


def test_keyring_token_store_uses_the_os_keyring(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring

    from tests.support.file_keyring import FileKeyring

    keyring_file = tmp_path / "keyring.json"
    monkeypatch.setenv("TEST_KEYRING_FILE", str(keyring_file))
    previous = keyring.get_keyring()
    keyring.set_keyring(FileKeyring())
    try:
        store = KeyringTokenStore()
        first, second = "http://city:8000#clerk-1", "http://city:8000#clerk-2"
        assert store.load(first) is None
        store.save(first, StoredTokens("access-1", "refresh-1"))
        store.save(second, StoredTokens("access-2", "refresh-2"))
        assert store.load(first) == StoredTokens("access-1", "refresh-1")
        assert "justice-desktop-sync/http://city:8000#clerk-2" in keyring_file.read_text()
        store.clear(first)
        store.clear(first)  # clearing twice is fine
        assert store.load(first) is None
        assert store.load(second) == StoredTokens("access-2", "refresh-2")
    finally:
        keyring.set_keyring(previous)
