"""The FastAPI application: routes, the protocol handshake, authentication and error bodies.

Every ``/api/v1`` route except ``GET /version`` checks the ``X-Protocol-Version`` header first;
every route except ``/version``, ``/auth/login`` and ``/auth/refresh`` needs a valid access token
(``Authorization: Bearer …``). Errors are :class:`sync.protocol.ErrorBody` with a Chinese
message. The process holds only the engine (a connection pool): everything else is in the
database.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Header, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.engine import Engine
from starlette.exceptions import HTTPException as StarletteHTTPException

from sync.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_PULL_LIMIT,
    MIN_CLIENT_PROTOCOL,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    CodeTables,
    ConflictList,
    DeviceInfo,
    DeviceRegistration,
    ErrorBody,
    LoginRequest,
    Me,
    NumberBlockGrant,
    NumberBlockRequest,
    OfficeInfo,
    PullPage,
    PushRequest,
    PushResponse,
    RefreshRequest,
    ResolveRequest,
    ResolveResult,
    Role,
    TokenPair,
    VersionErrorBody,
    VersionInfo,
)
from sync.server import accounts, numbers, sync_store
from sync.server.authz import Forbidden, Principal, require_read
from sync.server.codes import published_code_tables
from sync.server.config import Settings
from sync.server.db import make_engine


def server_version() -> str:
    try:
        return version("justice-desktop")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


class ProtocolMismatch(Exception):
    def __init__(self, body: VersionErrorBody) -> None:
        super().__init__(body.message)
        self.body = body


class NotAuthenticated(Exception):
    pass


class NotFound(Exception):
    pass


def _version_error(code: str, message: str) -> ProtocolMismatch:
    return ProtocolMismatch(
        VersionErrorBody(
            code=code,
            message=message,
            protocol_version=PROTOCOL_VERSION,
            min_client_protocol=MIN_CLIENT_PROTOCOL,
        )
    )


def check_protocol(
    x_protocol_version: Annotated[
        str | None,
        Header(
            alias=PROTOCOL_HEADER,
            description="The client's protocol version (an integer).",
        ),
    ] = None,
) -> None:
    """Refuse a client whose protocol this server does not speak (HTTP 426), saying which side
    to update. Nothing is changed on either side."""
    if x_protocol_version is None or not x_protocol_version.strip().isdigit():
        raise _version_error(
            "protocol_missing",
            "客户端没有说明协议版本，可能是过旧的程序。请更新本程序后再同步；本机数据不会丢失。",
        )
    client = int(x_protocol_version)
    if client < MIN_CLIENT_PROTOCOL:
        raise _version_error(
            "client_too_old",
            f"本程序版本过旧（协议版本 {client}），市局服务器要求至少为 {MIN_CLIENT_PROTOCOL}。"
            "请更新本程序后再同步；本机数据不会丢失。",
        )
    if client > PROTOCOL_VERSION:
        raise _version_error(
            "server_too_old",
            f"市局服务器版本较旧（协议版本 {PROTOCOL_VERSION}），本程序使用 {client}。"
            "请联系市局更新服务器后再同步；本机数据不会丢失。",
        )


_bearer = HTTPBearer(auto_error=False, description="访问令牌（登录后获得）")


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


EngineDep = Annotated[Engine, Depends(_engine)]
SettingsDep = Annotated[Settings, Depends(_settings)]


def current_principal(
    engine: EngineDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated()
    principal = accounts.authenticate(engine, credentials.credentials, settings.clock())
    if principal is None:
        raise NotAuthenticated()
    return principal


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def _error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    body = ErrorBody(code=code, message=message)
    return JSONResponse(body.model_dump(), status_code=status, headers=headers or None)


def _responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": VersionErrorBody if status == 426 else ErrorBody} for status in statuses
    }


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def build_router() -> APIRouter:
    public = APIRouter()
    api = APIRouter(dependencies=[Depends(check_protocol)], responses=_responses(422, 426))

    @public.get("/version", response_model=VersionInfo, tags=["protocol"])
    def get_version() -> VersionInfo:
        """The server's protocol version and the oldest client protocol it serves."""
        return VersionInfo(
            protocol_version=PROTOCOL_VERSION,
            min_client_protocol=MIN_CLIENT_PROTOCOL,
            server_version=server_version(),
        )

    @api.post(
        "/auth/login", response_model=TokenPair, tags=["auth"], responses=_responses(401, 403, 429)
    )
    def login(
        body: LoginRequest, request: Request, engine: EngineDep, settings: SettingsDep
    ) -> TokenPair:
        """Log in: a 15-minute access token and a 30-day refresh token."""
        return accounts.login(
            engine,
            username=body.username,
            password=body.password,
            address=_client_address(request),
            device_id=body.device_id,
            now=settings.clock(),
            limits=settings.limits,
            lifetimes=settings.lifetimes,
        )

    @api.post("/auth/refresh", response_model=TokenPair, tags=["auth"], responses=_responses(401))
    def refresh(body: RefreshRequest, engine: EngineDep, settings: SettingsDep) -> TokenPair:
        """Exchange a refresh token (used up) for a new pair."""
        return accounts.refresh(engine, body.refresh_token, settings.clock(), settings.lifetimes)

    @api.post("/auth/logout", status_code=204, tags=["auth"], responses=_responses(401))
    def logout(principal: PrincipalDep, engine: EngineDep, settings: SettingsDep) -> Response:
        """End this login session: its access and refresh tokens stop working."""
        accounts.logout(engine, principal.session_id, settings.clock())
        return Response(status_code=204)

    @api.get("/me", response_model=Me, tags=["accounts"], responses=_responses(401))
    def get_me(principal: PrincipalDep, engine: EngineDep) -> Me:
        """The logged-in account, its role and office."""
        return accounts.me(engine, principal)

    @api.post(
        "/devices",
        response_model=DeviceInfo,
        tags=["accounts"],
        responses=_responses(401, 403, 409),
    )
    def register_device(
        body: DeviceRegistration, principal: PrincipalDep, engine: EngineDep, settings: SettingsDep
    ) -> DeviceInfo:
        """Register this installation to the caller's office (repeating it is harmless)."""
        return accounts.register_device(engine, principal, body, settings.clock())

    @api.get(
        "/offices/{office_id}",
        response_model=OfficeInfo,
        tags=["accounts"],
        responses=_responses(401, 403, 404),
    )
    def get_office(office_id: int, principal: PrincipalDep, engine: EngineDep) -> OfficeInfo:
        """An office the caller may read."""
        office = accounts.get_office(engine, office_id)
        if office is None:
            if principal.role is Role.CITY:
                raise NotFound()
            raise Forbidden("您的账号无权查看这个司法所的数据")
        require_read(principal, office.id, office.district)
        return office

    @api.post(
        "/number-blocks",
        response_model=NumberBlockGrant,
        tags=["numbers"],
        responses=_responses(401, 403),
    )
    def grant_number_block(
        body: NumberBlockRequest, principal: PrincipalDep, engine: EngineDep, settings: SettingsDep
    ) -> NumberBlockGrant:
        """The next block of case numbers of one committee and year, granted to this device;
        blocks never overlap, however many devices ask at once."""
        return numbers.grant_block(engine, principal, body, settings.clock())

    @api.get(
        "/code-tables",
        response_model=CodeTables,
        tags=["codes"],
        responses={**_responses(401), 304: {"description": "未变化（与 If-None-Match 相同）"}},
    )
    def get_code_tables(
        principal: PrincipalDep,
        if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
    ) -> Response:
        """The code tables every office uses, with a content version (also the ETag): a client
        that sends the version it holds in ``If-None-Match`` gets 304 when nothing changed."""
        tables = published_code_tables()
        etag = f'"{tables.version}"'
        if if_none_match is not None and etag in (tag.strip() for tag in if_none_match.split(",")):
            return Response(status_code=304, headers={"ETag": etag})
        return JSONResponse(tables.model_dump(), headers={"ETag": etag})

    def readable_office(principal: Principal, engine: Engine, office_id: int | None) -> int:
        """The office a read is about: the caller's own by default; refused unless readable."""
        if office_id is None:
            if principal.office_id is None:
                raise Forbidden("区县和市局账号请指定要查看的司法所")
            office_id = principal.office_id
        office = accounts.get_office(engine, office_id)
        if office is None:
            if principal.role is Role.CITY:
                raise NotFound()
            raise Forbidden("您的账号无权查看这个司法所的数据")
        require_read(principal, office.id, office.district)
        return office.id

    @api.post(
        "/sync/push",
        response_model=PushResponse,
        tags=["sync"],
        responses=_responses(401, 403),
    )
    def sync_push(
        body: PushRequest, principal: PrincipalDep, engine: EngineDep, settings: SettingsDep
    ) -> PushResponse:
        """Apply up to 500 outbox changes of the caller's office in one transaction, merged per
        field; each result says applied, conflict, rejected (with the reason) or duplicate (an
        idempotency key applied before: nothing changes)."""
        return sync_store.push(engine, principal, body, settings.clock())

    @api.get(
        "/sync/pull",
        response_model=PullPage,
        tags=["sync"],
        responses=_responses(401, 403, 404),
    )
    def sync_pull(
        principal: PrincipalDep,
        engine: EngineDep,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
        office_id: int | None = None,
    ) -> PullPage:
        """The office's records changed after the server sequence ``after``, in server order;
        pass ``next_after`` back for the next page while ``has_more``."""
        return sync_store.pull(engine, readable_office(principal, engine, office_id), after, limit)

    @api.get(
        "/sync/conflicts",
        response_model=ConflictList,
        tags=["sync"],
        responses=_responses(401, 403, 404),
    )
    def sync_conflicts(
        principal: PrincipalDep,
        engine: EngineDep,
        office_id: int | None = None,
        include_resolved: bool = False,
    ) -> ConflictList:
        """The office's conflicts waiting for a person, with base, server, incoming and
        provisional values; with ``include_resolved`` also the resolved ones, each with who
        resolved it, when and the decision."""
        return sync_store.open_conflicts(
            engine, readable_office(principal, engine, office_id), include_resolved
        )

    @api.post(
        "/sync/conflicts/{conflict_id}/resolve",
        response_model=ResolveResult,
        tags=["sync"],
        responses=_responses(401, 403, 404, 409),
    )
    def sync_resolve(
        conflict_id: int,
        body: ResolveRequest,
        principal: PrincipalDep,
        engine: EngineDep,
        settings: SettingsDep,
    ) -> ResolveResult:
        """Resolve a conflict of the caller's office: ``value`` for a field conflict, ``keep``
        for a delete against an edit. Applied as a change every machine pulls (the record's
        version + 1, the next server sequence). Repeating it returns the stored result
        (``replayed``); a different decision on a resolved conflict gets 409."""
        return sync_store.resolve_conflict(engine, principal, conflict_id, body, settings.clock())

    router = APIRouter(prefix="/api/v1")
    router.include_router(public)
    router.include_router(api)
    return router


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ProtocolMismatch)
    def _protocol(_request: Request, exc: ProtocolMismatch) -> JSONResponse:
        return JSONResponse(exc.body.model_dump(), status_code=426)

    @app.exception_handler(NotAuthenticated)
    def _unauthenticated(_request: Request, _exc: NotAuthenticated) -> JSONResponse:
        return _error(
            401,
            "not_authenticated",
            "尚未登录或登录已过期，请重新登录",
            **{"WWW-Authenticate": "Bearer"},
        )

    @app.exception_handler(accounts.AuthError)
    def _auth(_request: Request, exc: accounts.AuthError) -> JSONResponse:
        if exc.code == "too_many_attempts":
            return _error(429, exc.code, exc.message, **{"Retry-After": str(exc.retry_after)})
        if exc.code == "device_not_registered":
            return _error(403, exc.code, exc.message)
        return _error(401, exc.code, exc.message, **{"WWW-Authenticate": "Bearer"})

    @app.exception_handler(Forbidden)
    def _forbidden(_request: Request, exc: Forbidden) -> JSONResponse:
        return _error(403, "forbidden", str(exc))

    @app.exception_handler(NotFound)
    def _not_found(_request: Request, _exc: NotFound) -> JSONResponse:
        return _error(404, "not_found", "找不到要查看的数据")

    @app.exception_handler(sync_store.ResolveRefused)
    def _resolve_refused(_request: Request, exc: sync_store.ResolveRefused) -> JSONResponse:
        return _error(exc.status, exc.code, exc.message)

    @app.exception_handler(accounts.DeviceConflict)
    def _device_conflict(_request: Request, exc: accounts.DeviceConflict) -> JSONResponse:
        return _error(409, "device_conflict", str(exc))

    @app.exception_handler(RequestValidationError)
    def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        details = [
            f"{'.'.join(str(p) for p in error.get('loc', ()))}: {error.get('msg', '')}"
            for error in exc.errors()
        ]
        body = ErrorBody(code="invalid_request", message="请求内容不符合要求", details=details)
        return JSONResponse(body.model_dump(), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        messages = {404: "找不到这个地址", 405: "不支持这种请求方式"}
        message = messages.get(exc.status_code, "请求无法处理")
        return _error(exc.status_code, f"http_{exc.status_code}", message)


def create_app(settings: Settings, engine: Engine | None = None) -> FastAPI:
    """The application on ``settings.database_url`` (already migrated: see ``sync.server.migrate``)."""
    app = FastAPI(
        title="司法所市局同步服务器",
        version=server_version(),
        description="司法所工作台的日终同步服务器（市局）。所有接口需要 X-Protocol-Version 请求头。",
    )
    app.state.settings = settings
    app.state.engine = engine or make_engine(settings.database_url)
    _install_error_handlers(app)
    app.include_router(build_router())
    return app
