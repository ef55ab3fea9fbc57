"""What the window and the command line call to sync: server address and login kept with the
database, tokens in the OS keyring, one sync run, and the state the screens show.

The server address and the user name are stored in the database's ``meta`` (they belong to this
installation); the tokens live only in the token store (the OS keyring), never in the database.
Nothing here imports Qt: the window runs :func:`run_sync` on a thread of its own.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests

from justice_desktop.store import sync_state
from justice_desktop.store.connection import DatabaseError
from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError
from justice_desktop.validation.server_url import validate_server_url
from sync.client.engine import SyncCancelled, SyncEngine, SyncProgress, SyncReport, sign_in
from sync.client.session import ServerSession, SyncError
from sync.client.tokens import KeyringTokenStore, TokenStore
from sync.protocol import Me, Role

DEFAULT_DAY_END = "17:30"
RETRY_PAUSE_SECONDS = 3.0
MAX_RETRY_PAUSE_SECONDS = 60.0
_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


@dataclass(frozen=True)
class SyncStatus:
    """What the status bar and the sync settings show."""

    server_url: str
    username: str
    pending: int
    parked: int
    conflicts: int
    incoming_problems: int
    missing_files: int
    last_sync_at: str | None
    last_result: str | None
    day_end_time: str

    @property
    def configured(self) -> bool:
        return bool(self.server_url and self.username)


def default_token_store() -> TokenStore:
    return KeyringTokenStore()


def check_server_url(url: str) -> str:
    """The address as it will be used (https when none was typed, no trailing slash), or a
    :class:`SyncError` saying in Chinese what is wrong (the same rules as 设置 → 同步)."""
    try:
        return validate_server_url(url)
    except ValidationError as exc:
        raise SyncError(exc.message, retryable=False, code="invalid_input") from None


def status(store: Store) -> SyncStatus:
    return SyncStatus(
        server_url=store.meta(sync_state.SERVER_URL_META) or "",
        username=store.meta(sync_state.SERVER_USER_META) or "",
        pending=sync_state.pending_count(store),
        parked=sync_state.parked_count(store),
        conflicts=sync_state.conflict_count(store),
        incoming_problems=len(sync_state.incoming_problems(store)),
        missing_files=len(sync_state.missing_blobs(store)),
        last_sync_at=store.meta(sync_state.LAST_SYNC_META),
        last_result=store.meta(sync_state.LAST_RESULT_META),
        day_end_time=day_end_time(store),
    )


def day_end_time(store: Store) -> str:
    value = store.meta(sync_state.DAY_END_META) or ""
    return value if _TIME.match(value) else DEFAULT_DAY_END


def session_for(
    store: Store, tokens: TokenStore, http: requests.Session | None = None
) -> ServerSession:
    """A session with the stored address and login; :class:`SyncError` (``needs_login``) when
    this machine has not logged in yet."""
    url = store.meta(sync_state.SERVER_URL_META)
    username = store.meta(sync_state.SERVER_USER_META)
    if not url or not username:
        raise SyncError(
            "尚未设置市局服务器，请在“设置 → 同步”中填写服务器地址并登录",
            retryable=False,
            code="not_configured",
            needs_login=True,
        )
    return ServerSession(url, tokens, store.machine_id, http, username=username)


def log_in(
    store: Store,
    url: str,
    username: str,
    password: str,
    tokens: TokenStore,
    http: requests.Session | None = None,
) -> Me:
    """Log in to the server at ``url`` (registering this machine to the account's office the
    first time) and remember the address and user name."""
    address = check_server_url(url)
    if not username.strip() or not password:
        raise SyncError("请填写用户名和密码", retryable=False, code="invalid_input")
    session = ServerSession(address, tokens, store.machine_id, http)
    me = sign_in(session, store, username.strip(), password)
    if me.role in (Role.DISTRICT, Role.CITY) or me.office is None:
        session.logout()
        raise SyncError(
            "区县或市局的账号只能查看数据，不能用来同步司法所的电脑，请用本所的账号登录",
            retryable=False,
            code="not_office_account",
        )
    return me


def log_out(store: Store, tokens: TokenStore, http: requests.Session | None = None) -> None:
    """End the login (on the server when it is reachable) and forget the tokens here. The
    address stays; the data and the outbox are untouched."""
    try:
        session = session_for(store, tokens, http)
    except SyncError:
        return
    with contextlib.suppress(SyncError):  # unreachable: the tokens are forgotten here anyway
        session.logout()
    sync_state.forget_login(store)


def run_sync(
    store: Store,
    tokens: TokenStore,
    *,
    progress: Callable[[SyncProgress], None] | None = None,
    cancelled: Callable[[], bool] | None = None,
    verify: bool = False,
    http: requests.Session | None = None,
    attempts: int = 3,
    sleep: Callable[[float], None] = time.sleep,
    **engine_options: Any,
) -> SyncReport:
    """One sync with the configured server. A passing failure (network, server busy) is tried
    again up to ``attempts`` times, after the server's Retry-After or a growing pause: the
    engine goes on where it stopped, so nothing is sent twice. Raises :class:`SyncError` or
    :class:`sync.client.engine.SyncCancelled`; the failure is also kept as the last result."""
    try:
        session = session_for(store, tokens, http)
        engine = SyncEngine(
            store, session, progress=progress, cancelled=cancelled, **engine_options
        )
        for attempt in range(1, attempts + 1):
            try:
                return engine.run(verify=verify)
            except SyncError as exc:
                if not exc.retryable or exc.code == "busy" or attempt == attempts:
                    raise
                pause = float(exc.retry_after or RETRY_PAUSE_SECONDS * attempt)
                if progress is not None:
                    why = "市局服务器正忙" if exc.code == "server_busy" else "连接中断"
                    progress(SyncProgress(f"{why}，{pause:.0f} 秒后继续…", 0))
                if _wait(min(pause, MAX_RETRY_PAUSE_SECONDS), cancelled, sleep):
                    raise SyncCancelled() from exc
        raise AssertionError("unreachable")
    except SyncError as exc:
        # A damaged database may refuse this note too: the error itself matters more.
        with contextlib.suppress(DatabaseError):
            store.set_meta(sync_state.LAST_RESULT_META, f"同步未完成：{exc.message}")
        raise


def _wait(
    seconds: float, cancelled: Callable[[], bool] | None, sleep: Callable[[float], None]
) -> bool:
    """Wait in small steps; True when cancelled meanwhile."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cancelled is not None and cancelled():
            return True
        sleep(min(0.2, max(end - time.monotonic(), 0)))
    return cancelled is not None and cancelled()


def resolve_conflict(
    store: Store,
    tokens: TokenStore,
    conflict_id: int,
    *,
    value: Any = None,
    keep: bool | None = None,
    http: requests.Session | None = None,
) -> None:
    session = session_for(store, tokens, http)
    SyncEngine(store, session).resolve_conflict(conflict_id, value=value, keep=keep)
