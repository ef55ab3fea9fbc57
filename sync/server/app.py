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

from fastapi import APIRouter, Depends, FastAPI, Header, Path, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Engine
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from justice_desktop.statistics.periods import month_period, quarter_period, year_period
from sync.protocol import (
    DEFAULT_PULL_LIMIT,
    MAX_BLOB_CHUNK,
    MAX_PULL_LIMIT,
    MIN_CLIENT_PROTOCOL,
    PROTOCOL_HEADER,
    PROTOCOL_VERSION,
    BlobOffsetError,
    BlobStatus,
    BucketListing,
    CodeTables,
    ConflictList,
    DeviceInfo,
    DeviceRegistration,
    ErrorBody,
    LoginRequest,
    Me,
    NumberBlockGrant,
    NumberBlockRequest,
    OfficeChecksums,
    OfficeInfo,
    OfficeSettings,
    OfficeStatInfo,
    PullPage,
    PushRequest,
    PushResponse,
    RecordsRequest,
    RecordsResponse,
    RefreshRequest,
    ResolveRequest,
    ResolveResult,
    Role,
    StatColumnInfo,
    StatisticsReport,
    StatRowInfo,
    StatTableInfo,
    SyncTurn,
    TokenPair,
    VersionErrorBody,
    VersionInfo,
)
from sync.server import (
    accounts,
    blobs,
    numbers,
    office_settings,
    repair,
    statistics,
    sync_store,
    turns,
)
from sync.server.authz import Forbidden, Principal, require_read, require_write
from sync.server.codes import published_code_tables, server_code_tables
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

Sha256Path = Annotated[
    str, Path(pattern=r"^[0-9a-f]{64}$", description="内容的 SHA-256（64 位小写十六进制）")
]


def _error(status: int, code: str, message: str, **headers: str) -> JSONResponse:
    body = ErrorBody(code=code, message=message)
    return JSONResponse(body.model_dump(), status_code=status, headers=headers or None)


def _responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {"model": VersionErrorBody if status == 426 else ErrorBody} for status in statuses
    }


def _client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _read_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None when it is longer than ``limit`` bytes (the rest of a
    moderately larger body is read and dropped, so the client gets the answer)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > 4 * limit:
        return None
    parts: list[bytes] = []
    length = 0
    async for part in request.stream():
        length += len(part)
        if length > 4 * limit:
            return None
        if length <= limit:
            parts.append(part)
    return b"".join(parts) if length <= limit else None


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

    def readable(principal: Principal, engine: Engine, office_id: int | None) -> OfficeInfo:
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
        return office

    def readable_office(principal: Principal, engine: Engine, office_id: int | None) -> int:
        return readable(principal, engine, office_id).id

    @api.get(
        "/offices/{office_id}",
        response_model=OfficeInfo,
        tags=["accounts"],
        responses=_responses(401, 403, 404),
    )
    def get_office(office_id: int, principal: PrincipalDep, engine: EngineDep) -> OfficeInfo:
        """An office the caller may read."""
        return readable(principal, engine, office_id)

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
        settings: SettingsDep,
        if_none_match: Annotated[str | None, Header(alias="If-None-Match")] = None,
    ) -> Response:
        """The code tables every office uses, with a content version (also the ETag): a client
        that sends the version it holds in ``If-None-Match`` gets 304 when nothing changed."""
        tables = published_code_tables(overrides=settings.code_tables_dir)
        etag = f'"{tables.version}"'
        if if_none_match is not None and etag in (tag.strip() for tag in if_none_match.split(",")):
            return Response(status_code=304, headers={"ETag": etag})
        return JSONResponse(tables.model_dump(), headers={"ETag": etag})

    @api.post(
        "/sync/turn",
        response_model=SyncTurn,
        tags=["sync"],
        responses=_responses(401, 403),
    )
    def sync_turn(principal: PrincipalDep, engine: EngineDep, settings: SettingsDep) -> SyncTurn:
        """A turn to sync now, or when to ask again: at most a set number of offices sync at
        once (the day-end rush is spread out). Asking again while holding a turn renews it."""
        return turns.take_turn(engine, principal, settings.turns, settings.clock())

    @api.delete(
        "/sync/turn",
        status_code=204,
        tags=["sync"],
        responses=_responses(401),
    )
    def end_sync_turn(principal: PrincipalDep, engine: EngineDep) -> Response:
        """The sync is over: the turn goes to the next office."""
        turns.give_back(engine, principal)
        return Response(status_code=204)

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
        after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_LIMIT)] = DEFAULT_PULL_LIMIT,
        office_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    ) -> Response:
        """The office's records changed after the server sequence ``after``, in server order;
        pass ``next_after`` back for the next page while ``has_more``."""
        office = readable_office(principal, engine, office_id)
        # A PullPage, serialized straight from the stored rows (no model round trip).
        return Response(
            sync_store.pull_json(engine, office, after, limit), media_type="application/json"
        )

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

    def writable_office(principal: Principal, office_id: int | None) -> int:
        """The office a write is about: the caller's own by default; refused unless writable."""
        office_id = (principal.office_id or 0) if office_id is None else office_id
        require_write(principal, office_id)
        return office_id

    @api.get(
        "/blobs/{sha256}",
        response_model=BlobStatus,
        tags=["blobs"],
        responses=_responses(401, 403, 404),
    )
    def blob_status(
        sha256: Sha256Path,
        principal: PrincipalDep,
        engine: EngineDep,
        office_id: int | None = None,
    ) -> BlobStatus:
        """How much of an attachment's content the server holds for the office (an unknown
        one: size null, received 0); an interrupted upload continues at ``received``."""
        return blobs.status(engine, readable_office(principal, engine, office_id), sha256)

    @api.put(
        "/blobs/{sha256}",
        response_model=BlobStatus,
        tags=["blobs"],
        responses={
            **_responses(401, 403, 413),
            409: {"model": BlobOffsetError, "description": "上传位置不一致（offset_mismatch）"},
        },
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {"application/octet-stream": {"schema": {"type": "string"}}},
            }
        },
    )
    async def blob_put(
        sha256: Sha256Path,
        request: Request,
        principal: PrincipalDep,
        engine: EngineDep,
        settings: SettingsDep,
        offset: Annotated[int, Query(ge=0)],
        total: Annotated[int, Query(ge=0)],
        office_id: int | None = None,
    ) -> BlobStatus:
        """Upload the chunk at ``offset`` (raw bytes, at most 4 MB) of an attachment of
        ``total`` bytes. The chunk must start at the bytes received so far (else 409 with
        ``received``); with the last chunk the server checks the SHA-256 (a mismatch: 422
        ``hash_mismatch``, the upload starts over). A complete attachment: 200, nothing
        changes."""
        office = writable_office(principal, office_id)
        data = await _read_body(request, MAX_BLOB_CHUNK)
        if data is None:
            raise blobs.BlobError(
                413, "chunk_too_large", "上传的数据块过大，请分块上传（每块不超过 4 MB）"
            )
        return await run_in_threadpool(
            blobs.put_chunk, engine, office, sha256, offset, total, data, settings.clock()
        )

    @api.get(
        "/blobs/{sha256}/content",
        tags=["blobs"],
        response_class=Response,
        responses={
            **_responses(401, 403, 404, 416),
            200: {"content": {"application/octet-stream": {}}, "description": "文件内容"},
            206: {"content": {"application/octet-stream": {}}, "description": "部分内容"},
        },
    )
    def blob_content(
        sha256: Sha256Path,
        principal: PrincipalDep,
        engine: EngineDep,
        office_id: int | None = None,
        range_header: Annotated[str | None, Header(alias="Range")] = None,
    ) -> Response:
        """The content of a complete attachment; a single ``Range: bytes=a-b`` (or ``a-``,
        ``-n``) gets 206 with that part."""
        office = readable_office(principal, engine, office_id)
        size = blobs.complete_size(engine, office, sha256)
        if size is None:
            return _error(404, "blob_not_found", "服务器上没有这个附件的完整内容")
        headers = {"Accept-Ranges": "bytes", "ETag": f'"{sha256}"'}
        try:
            wanted = blobs.parse_range(range_header, size)
        except blobs.RangeNotSatisfiable:
            return _error(
                416,
                "range_not_satisfiable",
                "请求的范围超出了文件大小",
                **{"Content-Range": f"bytes */{size}"},
            )
        start, end, status = 0, size - 1, 200
        if wanted is not None:
            start, end, status = wanted.start, wanted.end, 206
            headers["Content-Range"] = f"bytes {start}-{end}/{size}"
        headers["Content-Length"] = str(end - start + 1)
        return StreamingResponse(
            blobs.stream(engine, office, sha256, start, end),
            status_code=status,
            media_type="application/octet-stream",
            headers=headers,
        )

    @api.get(
        "/sync/checksums",
        response_model=OfficeChecksums,
        tags=["sync"],
        responses=_responses(401, 403, 404),
    )
    def sync_checksums(
        principal: PrincipalDep, engine: EngineDep, office_id: int | None = None
    ) -> OfficeChecksums:
        """Digests of every record of the office (tombstones included) in 256 buckets, with
        the office's current server sequence: compare them with the desktop's own
        (``sync.checksum``) to find the buckets that differ."""
        return repair.office_checksums(engine, readable_office(principal, engine, office_id))

    @api.get(
        "/sync/checksums/{bucket}",
        response_model=BucketListing,
        tags=["sync"],
        responses=_responses(401, 403, 404),
    )
    def sync_bucket(
        bucket: Annotated[int, Path(ge=0, le=255)],
        principal: PrincipalDep,
        engine: EngineDep,
        office_id: int | None = None,
    ) -> BucketListing:
        """Table, id, version and deleted flag of every record of the office in one bucket."""
        return repair.bucket_listing(engine, readable_office(principal, engine, office_id), bucket)

    @api.post(
        "/sync/records",
        response_model=RecordsResponse,
        tags=["sync"],
        responses=_responses(401, 403, 404),
    )
    def sync_records(
        body: RecordsRequest, principal: PrincipalDep, engine: EngineDep
    ) -> RecordsResponse:
        """The office's records with the keys asked for (at most 2000), whole, as a pull
        returns them; unknown keys are left out."""
        office = readable_office(principal, engine, body.office_id)
        return repair.records_by_key(engine, office, body.keys)

    @api.get(
        "/offices/{office_id}/settings",
        response_model=OfficeSettings,
        tags=["accounts"],
        responses=_responses(401, 403, 404),
    )
    def get_office_settings(
        office_id: int, principal: PrincipalDep, engine: EngineDep
    ) -> OfficeSettings:
        """The settings the city bureau set for the office (city-wide defaults overlaid by the
        office's own), with a version that grows whenever one of them changes."""
        return office_settings.settings_of(engine, readable_office(principal, engine, office_id))

    @api.get(
        "/statistics/mediation",
        response_model=StatisticsReport,
        tags=["statistics"],
        responses=_responses(401, 403),
    )
    def get_mediation_statistics(
        principal: PrincipalDep,
        engine: EngineDep,
        settings: SettingsDep,
        year: Annotated[int, Query(ge=2000, le=2100)],
        quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
        month: Annotated[int | None, Query(ge=1, le=12)] = None,
        district: Annotated[str | None, Query(min_length=1, max_length=200)] = None,
    ) -> StatisticsReport:
        """The 人民调解 statistics of a year, quarter or month, rolled up over the offices the
        caller reads (an office: its own; a district: its offices; the city: every office, or
        one district's), with each office's totals."""
        if quarter is not None and month is not None:
            raise RequestValidationError(
                [{"loc": ("query", "month"), "msg": "季度和月份只能选一个", "type": "value_error"}]
            )
        if month is not None:
            period = month_period(year, month)
        elif quarter is not None:
            period = quarter_period(year, quarter)
        else:
            period = year_period(year)
        result = statistics.rollup(
            engine,
            principal,
            period,
            district,
            server_code_tables(overrides=settings.code_tables_dir),
        )
        report = result.report
        return StatisticsReport(
            scope=result.scope,
            title=report.title,
            period_label=period.label,
            first_day=period.first_iso,
            last_day=period.last_iso,
            tables=[
                StatTableInfo(
                    key=t.key,
                    title=t.title,
                    note=t.note,
                    columns=[
                        StatColumnInfo(key=c.key, label=c.label, unit=c.unit, decimals=c.decimals)
                        for c in t.columns
                    ],
                    rows=[
                        StatRowInfo(
                            label=r.label,
                            level=r.level,
                            code=r.code,
                            total=r.total,
                            values=list(r.values),
                        )
                        for r in t.rows
                    ],
                )
                for t in report.tables
            ],
            offices=[
                OfficeStatInfo(
                    office_id=o.office_id,
                    name=o.name,
                    district=o.district,
                    registered=o.registered,
                    succeeded=o.succeeded,
                    success_rate=o.success_rate,
                )
                for o in result.offices
            ],
        )

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

    @app.exception_handler(blobs.BlobError)
    def _blob(_request: Request, exc: blobs.BlobError) -> JSONResponse:
        if exc.code == "offset_mismatch" and exc.current is not None:
            body = BlobOffsetError(
                code=exc.code,
                message=exc.message,
                details=[f"received={exc.current.received}"],
                received=exc.current.received,
                size=exc.current.size,
            )
            return JSONResponse(body.model_dump(), status_code=exc.status)
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

    @app.exception_handler(sa_exc.DataError)
    @app.exception_handler(OverflowError)
    def _out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        # A number the database cannot hold (an id beyond 32 bits on PostgreSQL, beyond 64
        # bits on SQLite): the request is wrong.
        return _error(422, "invalid_request", "请求中的编号或数值超出范围")

    @app.exception_handler(StarletteHTTPException)
    def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:  # FastAPI: a JSON body that is not JSON at all
            return _error(422, "invalid_request", "请求内容不是有效的 JSON")
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
