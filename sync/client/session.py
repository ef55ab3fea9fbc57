"""The desktop program's connection to the city server.

:class:`ServerSession` logs in, keeps the token pair in a :class:`TokenStore`, sends the protocol
version on every request and renews an expired access token once with the refresh token (which
the server rotates: the new pair is stored), so a token that expires mid-sync is renewed without
the caller noticing. Every failure — the server's error body, a version mismatch, too many
attempts, a network error, a timeout, a reply that is not what the protocol says — becomes one
:class:`SyncError` with a Chinese message and a ``retryable`` flag.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from math import ceil
from typing import Any

import pydantic
import requests

from sync.client.tokens import StoredTokens, TokenStore, TokenStoreError
from sync.protocol import (
    API_PREFIX,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    ErrorBody,
    LoginRequest,
    TokenPair,
)

DEFAULT_TIMEOUT = (5.0, 30.0)
"""Seconds to connect, and to wait for each part of the answer."""
MAX_MESSAGE = 300
"""Longer server messages are cut (a hostile or broken server must not flood the screen)."""
_RELOGIN = "登录已失效，请重新登录市局服务器"
BUSY_WAIT_LIMIT_SECONDS = 900.0
"""How long one request keeps waiting on a busy server (503 ``server_busy``, nothing done
there) before the sync reports it: at day end every office syncs at once, and the server
admits a few requests at a time and tells the others when to come back."""
BUSY_DEFAULT_PAUSE_SECONDS = 2.0


def _busy(response: requests.Response) -> bool:
    if response.status_code != 503:
        return False
    body = _error_body(response)
    return body is not None and body.code == "server_busy"


class SyncError(Exception):
    """A request to the city server failed. ``str(error)`` is Chinese, for people.

    ``retryable``: trying again later may work (network, timeout, server busy or broken);
    ``needs_login``: the user must log in again; ``code`` is the server's error code, or one of
    ``network``, ``timeout``, ``bad_reply``, ``not_logged_in``, ``token_store``.
    """

    def __init__(
        self,
        message: str,
        *,
        retryable: bool,
        code: str = "",
        status: int | None = None,
        needs_login: bool = False,
        retry_after: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.code = code
        self.status = status
        self.needs_login = needs_login
        self.retry_after = retry_after


def give_up_waiting(seconds: float) -> None:
    """A wait on a busy server that does not wait: the caller is told at once, with when to
    come back (for a caller that cannot notice a cancel while it waits)."""
    raise SyncError(
        "市局服务器正忙，请稍后再试", retryable=True, code="server_busy", retry_after=ceil(seconds)
    )


def _retry_after(response: requests.Response) -> int | None:
    value = response.headers.get("Retry-After", "")
    return int(value) if value.isdigit() else None


def _error_body(response: requests.Response) -> ErrorBody | None:
    try:
        return ErrorBody.model_validate_json(response.content)
    except (pydantic.ValidationError, ValueError):
        return None


def error_from_response(response: requests.Response) -> SyncError:
    """The :class:`SyncError` for a non-success answer."""
    status = response.status_code
    body = _error_body(response)
    message = body.message.strip()[:MAX_MESSAGE] if body and body.message.strip() else ""
    code = body.code[:100] if body else f"http_{status}"
    if status == 426:
        return SyncError(
            message or "本程序与市局服务器的协议版本不一致，请更新本程序或联系市局更新服务器",
            retryable=False,
            code=code,
            status=status,
        )
    if status == 429:
        after = _retry_after(response)
        wait = f"，请 {after} 秒后再试" if after else "，请稍后再试"
        return SyncError(
            (message or "尝试次数过多") + ("" if message and not after else wait),
            retryable=True,
            code=code,
            status=status,
            retry_after=after,
        )
    if status == 401:
        return SyncError(
            message or _RELOGIN, retryable=False, code=code, status=status, needs_login=True
        )
    if status == 503 and code == "server_busy":
        return SyncError(
            "市局服务器正忙，请稍后再同步；本机数据不受影响",
            retryable=True,
            code=code,
            status=status,
            retry_after=_retry_after(response),
        )
    if status >= 500 or status in (408, 502, 503, 504):
        return SyncError(
            message or f"市局服务器暂时出错（HTTP {status}），请稍后再试",
            retryable=True,
            code=code,
            status=status,
            retry_after=_retry_after(response),
        )
    return SyncError(
        message or f"市局服务器拒绝了请求（HTTP {status}）",
        retryable=False,
        code=code,
        status=status,
    )


class ServerSession:
    """One user's connection to one city server.

    ``base_url`` is the server's address (``http://host:port``); ``device_id`` this
    installation's id (sent at login; None logs in without binding the session to a device).
    ``username`` names the account whose stored tokens to use before :meth:`login` is called
    (a program restarted after an earlier login).
    """

    def __init__(
        self,
        base_url: str,
        token_store: TokenStore,
        device_id: str | None,
        http: requests.Session | None = None,
        *,
        username: str | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        protocol_version: int = PROTOCOL_VERSION,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.token_store = token_store
        self.device_id = device_id
        self.http = http if http is not None else requests.Session()
        self.username = username
        self.timeout = timeout
        self.protocol_version = protocol_version
        self.pause: Callable[[float], None] = give_up_waiting
        """Waits on a busy server. By default there is no wait (a login at the day-end rush
        says at once that the server is busy); the sync engine puts a wait that notices a
        cancel (by raising) here while it syncs."""
        self._jitter = random.Random()
        self.server_time: float | None = None
        """The server's clock (Unix seconds, from the ``Date`` header) at the last answer."""
        self.local_time_at_answer: float | None = None

    @property
    def account(self) -> str:
        """The token store's key: server address and user."""
        return f"{self.base_url}#{self.username or ''}"

    # -- public API ---------------------------------------------------------------------------

    def login(self, username: str, password: str) -> None:
        """Log in and store the token pair. Raises :class:`SyncError`."""
        try:
            body = LoginRequest(username=username, password=password, device_id=self.device_id)
        except pydantic.ValidationError as exc:
            raise SyncError("请填写用户名和密码", retryable=False, code="invalid_input") from exc
        response = self._send("POST", "/auth/login", body.model_dump(mode="json"), None)
        pair = self._token_pair(response)
        self.username = username
        self._store(pair)

    def logout(self) -> None:
        """End the session on the server (when reachable) and forget the tokens here."""
        tokens = self._load()
        try:
            if tokens is not None:
                response = self._send("POST", "/auth/logout", None, tokens.access_token)
                if response.status_code not in (204, 401):
                    raise error_from_response(response)
        finally:
            self._clear()

    def request(
        self, method: str, path: str, json: Any = None, params: dict[str, Any] | None = None
    ) -> Any:
        """Send an authenticated request to ``/api/v1`` + ``path``; the decoded JSON answer
        (None for an empty one). An expired access token is renewed once and the request sent
        again. Raises :class:`SyncError`."""
        return self._decode(self._authenticated(method, path, json=json, params=params))

    def request_raw(
        self,
        method: str,
        path: str,
        *,
        data: bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Like :meth:`request` for bytes (attachment contents): the answer itself, whatever
        its status; the caller checks it (:func:`error_from_response`)."""
        return self._authenticated(method, path, data=data, params=params, headers=headers)

    def _authenticated(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        data: bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        tokens = self._load()
        if tokens is None:
            raise SyncError(
                "尚未登录市局服务器，请先登录",
                retryable=False,
                code="not_logged_in",
                needs_login=True,
            )
        token = tokens.access_token
        response = self._send(method, path, json, token, data=data, params=params, headers=headers)
        if response.status_code == 401:
            tokens = self._refresh(tokens)
            token = tokens.access_token
            response = self._send(
                method, path, json, token, data=data, params=params, headers=headers
            )
            if response.status_code == 401:
                self._clear()
        return response

    # -- internals ----------------------------------------------------------------------------

    def _send(
        self,
        method: str,
        path: str,
        json: Any,
        access_token: str | None,
        *,
        data: bytes | None = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        sent = {PROTOCOL_HEADER: str(self.protocol_version), "Accept": "application/json"}
        if access_token is not None:
            sent["Authorization"] = f"Bearer {access_token}"
        if headers:
            sent.update(headers)
        url = f"{self.base_url}{API_PREFIX}{path}"
        response = self._request(method, url, json, data, params, sent)
        waited = 0.0
        while _busy(response) and waited < BUSY_WAIT_LIMIT_SECONDS:
            # Come back when told, spread over half as long again so that the offices sent
            # away together do not all return in the same second.
            after = min(_retry_after(response) or BUSY_DEFAULT_PAUSE_SECONDS, 60.0)
            pause = min(after * (1 + self._jitter.random() / 2), BUSY_WAIT_LIMIT_SECONDS - waited)
            self.pause(pause)
            waited += pause
            response = self._request(method, url, json, data, params, sent)
        return response

    def _request(
        self,
        method: str,
        url: str,
        json: Any,
        data: bytes | None,
        params: dict[str, Any] | None,
        headers: dict[str, str],
    ) -> requests.Response:
        try:
            response: requests.Response = self.http.request(
                method,
                url,
                json=json,
                data=data,
                params=params,
                headers=headers,
                timeout=self.timeout,
            )
        except requests.Timeout as exc:
            raise SyncError(
                "市局服务器长时间没有应答，请稍后再试", retryable=True, code="timeout"
            ) from exc
        except requests.ConnectionError as exc:
            raise SyncError(
                f"无法连接市局服务器（{self.base_url}），请检查网络或服务器地址后再试",
                retryable=True,
                code="network",
            ) from exc
        except requests.RequestException as exc:
            raise SyncError(
                "与市局服务器通信时出错，请稍后再试", retryable=True, code="network"
            ) from exc
        self._note_clock(response)
        return response

    def _note_clock(self, response: requests.Response) -> None:
        value = response.headers.get("Date")
        if not value:
            return
        try:
            self.server_time = parsedate_to_datetime(value).timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return
        self.local_time_at_answer = time.time()

    def _decode(self, response: requests.Response) -> Any:
        if not response.ok:
            raise error_from_response(response)
        if response.status_code == 204 or not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise SyncError(
                "市局服务器的答复无法识别，请稍后再试", retryable=True, code="bad_reply"
            ) from exc

    def _token_pair(self, response: requests.Response) -> TokenPair:
        if not response.ok:
            raise error_from_response(response)
        try:
            return TokenPair.model_validate_json(response.content)
        except (pydantic.ValidationError, ValueError) as exc:
            raise SyncError(
                "市局服务器的答复无法识别，请稍后再试",
                retryable=True,
                code="bad_reply",
                status=response.status_code,
            ) from exc

    def _refresh(self, tokens: StoredTokens) -> StoredTokens:
        response = self._send(
            "POST", "/auth/refresh", {"refresh_token": tokens.refresh_token}, None
        )
        if response.status_code == 401:
            self._clear()
            body = _error_body(response)
            raise SyncError(
                _RELOGIN,
                retryable=False,
                code=body.code[:100] if body else "session_ended",
                status=401,
                needs_login=True,
            )
        return self._store(self._token_pair(response))

    def _store(self, pair: TokenPair) -> StoredTokens:
        tokens = StoredTokens(pair.access_token, pair.refresh_token)
        try:
            self.token_store.save(self.account, tokens)
        except TokenStoreError as exc:
            raise SyncError(str(exc), retryable=False, code="token_store") from exc
        return tokens

    def _load(self) -> StoredTokens | None:
        try:
            return self.token_store.load(self.account)
        except TokenStoreError as exc:
            raise SyncError(str(exc), retryable=False, code="token_store") from exc

    def _clear(self) -> None:
        try:
            self.token_store.clear(self.account)
        except TokenStoreError as exc:
            raise SyncError(str(exc), retryable=False, code="token_store") from exc
