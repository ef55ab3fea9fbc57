"""``justice-city-server``: run the city server, and manage its offices and accounts.

    justice-city-server serve [--host 127.0.0.1] [--port 8700]
    justice-city-server admin create-office --name 城关司法所 --district 城关区
    justice-city-server admin create-user --office 城关司法所 --name zhangsan --role clerk \\
        --password-stdin < password.txt
    justice-city-server admin reset-password --name zhangsan --password-stdin
    justice-city-server admin list
    justice-city-server admin set-setting --key day_end_sync_time --value 17:30 [--office 城关司法所]
    justice-city-server admin list-settings

The database: ``--database-url`` (or the environment variable ``JUSTICE_CITY_DATABASE_URL``),
e.g. ``postgresql+psycopg://user@host/dbname``; otherwise an SQLite file in ``--data-dir``
(default: the user data folder). Every command first migrates the schema to the newest version.
Messages are Chinese: the people running this are the city bureau's staff.

``serve`` runs one process (run several behind a proxy for more cores). Each works on at most
``--max-active`` API requests at once (default 8; the database pool holds as many connections);
the others queue in arrival order, and one that queued ``--queue-timeout`` seconds (default 20)
is answered 503 ``server_busy`` with ``Retry-After: 2`` (nothing done; the client tries again).
At most ``--max-syncs`` offices sync at once across all processes (default twice the
processor cores, at least 4; the others wait
their turn, see :mod:`sync.server.turns`). Idle connections stay open ``--keep-alive`` seconds (default 75). ``--http``/``--loop`` choose
uvicorn's HTTP parser and event loop (default: httptools and uvloop when installed).

``--insecure-fast-password-hashing`` is for test servers only, whose test accounts have cheap
argon2 hashes (``accounts.create_user(hashing=...)``): logins leave every stored hash as it is
(no upgrade to production parameters, and never a weaker one) and the decoy check for an unknown
user name is cheap (so the answer's time tells which names exist). It is refused unless the
server listens on a loopback address only, and warns loudly at start. Without it (always, in
production) logins verify every hash with its own parameters and store a production hash in
place of any other.
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import ipaddress
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from starlette.types import ASGIApp, Receive, Scope, Send

from justice_desktop import __version__
from sync.protocol import ROLE_LABELS, ErrorBody, Role
from sync.server import accounts, blobs, office_settings, security
from sync.server.config import (
    DEFAULT_MAX_SYNCS,
    Settings,
    TurnLimits,
    database_url_for,
    unix_now,
)
from sync.server.db import make_engine
from sync.server.migrate import SchemaTooNew, upgrade

DATABASE_URL_ENV = "JUSTICE_CITY_DATABASE_URL"
CODE_TABLES_ENV = "JUSTICE_CITY_CODE_TABLES"
DEFAULT_PORT = 8700
DEFAULT_MAX_ACTIVE = 8
"""Requests one server process works on at once; the database pool holds as many connections."""
DEFAULT_QUEUE_TIMEOUT = 20.0
DEFAULT_KEEP_ALIVE = 75.0
"""Longer than clients keep an idle connection (``requests``/``httpx`` reuse them), so a
client never sends on a connection the server has just closed."""
RETRY_AFTER_SECONDS = 2


def _database_options() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument(
        "--database-url",
        default=None,
        help=f"数据库地址，如 postgresql+psycopg://用户@主机/库名（也可用环境变量 {DATABASE_URL_ENV}）",
    )
    parent.add_argument(
        "--data-dir", type=Path, default=None, help="不用 PostgreSQL 时 SQLite 数据文件所在的文件夹"
    )
    return parent


def build_parser() -> argparse.ArgumentParser:
    db = _database_options()
    parser = argparse.ArgumentParser(prog="justice-city-server", description="司法所市局同步服务器")
    parser.add_argument(
        "--version",
        action="version",
        version=f"justice-city-server {__version__}",
        help="显示版本号并退出",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="命令")

    serve = commands.add_parser("serve", parents=[db], help="启动服务器")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1）")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"端口（默认 {DEFAULT_PORT}）"
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default="127.0.0.1",
        help="信任其 X-Forwarded-For 请求头的反向代理地址（默认 127.0.0.1）",
    )
    serve.add_argument("--log-level", default="info", help="日志级别（默认 info）")
    serve.add_argument(
        "--max-active",
        type=int,
        default=DEFAULT_MAX_ACTIVE,
        help=f"每个进程同时处理的请求数上限，其余排队（默认 {DEFAULT_MAX_ACTIVE}；0 为不限）",
    )
    serve.add_argument(
        "--max-syncs",
        type=int,
        default=DEFAULT_MAX_SYNCS,
        help=(
            "全市同时同步的司法所数上限（各进程合计，其余排队轮候；"
            f"默认为本机处理器核数的两倍、至少4，本机为 {DEFAULT_MAX_SYNCS}；0 为不限）"
        ),
    )
    serve.add_argument(
        "--queue-timeout",
        type=float,
        default=DEFAULT_QUEUE_TIMEOUT,
        help=f"请求排队超过这么多秒即答复 503 并请客户端稍后重试（默认 {DEFAULT_QUEUE_TIMEOUT:g}）",
    )
    serve.add_argument(
        "--http",
        choices=("auto", "h11", "httptools"),
        default="auto",
        help="HTTP 解析器（默认 auto：装了 httptools 就用它）",
    )
    serve.add_argument(
        "--loop",
        choices=("auto", "asyncio", "uvloop"),
        default="auto",
        help="事件循环（默认 auto：装了 uvloop 就用它）",
    )
    serve.add_argument(
        "--keep-alive",
        type=float,
        default=DEFAULT_KEEP_ALIVE,
        help=f"空闲连接保持的秒数（默认 {DEFAULT_KEEP_ALIVE:g}）",
    )
    serve.add_argument(
        "--code-tables",
        type=Path,
        default=os.environ.get(CODE_TABLES_ENV) or None,
        help=f"市局发布的新版代码表所在文件夹（也可用环境变量 {CODE_TABLES_ENV}）",
    )

    serve.add_argument(
        "--insecure-fast-password-hashing",
        action="store_true",
        help="仅供自动化测试：登录时不再把弱密码哈希升级为正式参数，不得用于正式服务器（只能监听本机地址）",
    )

    admin = commands.add_parser("admin", help="管理司法所和账号")
    actions = admin.add_subparsers(dest="action", required=True, metavar="操作")

    office = actions.add_parser("create-office", parents=[db], help="新建司法所")
    office.add_argument("--name", required=True, help="司法所名称")
    office.add_argument("--district", required=True, help="所属区县")

    user = actions.add_parser("create-user", parents=[db], help="新建账号")
    user.add_argument("--name", required=True, help="登录用户名")
    user.add_argument(
        "--role",
        required=True,
        choices=[role.value for role in Role],
        help="角色：" + "，".join(f"{role.value}={label}" for role, label in ROLE_LABELS.items()),
    )
    user.add_argument("--office", default=None, help="所属司法所（名称或编号），司法所账号必填")
    user.add_argument("--district", default=None, help="所属区县，区县账号必填")
    user.add_argument("--full-name", default="", help="姓名（默认同用户名）")
    user.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")

    reset = actions.add_parser(
        "reset-password", parents=[db], help="重设密码（该账号所有登录失效）"
    )
    reset.add_argument("--name", required=True, help="登录用户名")
    reset.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")

    actions.add_parser("list", parents=[db], help="列出司法所和账号")

    known = "，".join(
        f"{key}（{label}）"
        for key, (label, _check, _hint) in office_settings.KNOWN_SETTINGS.items()
    )
    setting = actions.add_parser(
        "set-setting", parents=[db], help="设置司法所的参数（全市默认或某个司法所）"
    )
    setting.add_argument("--key", required=True, help=f"设置项名称，如 {known}")
    setting.add_argument("--value", required=True, help="设置值")
    setting.add_argument(
        "--office", default=None, help="只对这个司法所（名称或编号）生效；不填则为全市默认值"
    )
    actions.add_parser("list-settings", parents=[db], help="列出全部设置")
    prune = actions.add_parser(
        "prune-uploads",
        parents=[db],
        help="删除开始已久仍未传完的附件上传（其电脑再同步时会从头重传）",
    )
    prune.add_argument(
        "--days", type=int, default=30, help="开始上传已超过多少天（默认 30，至少 1）"
    )
    return parser


def _read_password(from_stdin: bool, stdin: TextIO) -> str:
    if from_stdin:
        return stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输入一次：") != first:
        raise accounts.AccountError("两次输入的密码不一致")
    return first


def _open_database(args: argparse.Namespace) -> Engine:
    url = database_url_for(args.database_url or os.environ.get(DATABASE_URL_ENV), args.data_dir)
    active = getattr(args, "max_active", 0)
    engine = make_engine(url, pool_size=active + 2 if active > 0 else None)
    upgrade(engine)
    return engine


def _admin(args: argparse.Namespace, engine: Engine, out: TextIO, stdin: TextIO) -> None:
    now = unix_now()
    if args.action == "create-office":
        office_id = accounts.create_office(engine, args.name, args.district, now)
        print(
            f"已新建司法所“{args.name.strip()}”（编号 {office_id}，{args.district.strip()}）",
            file=out,
        )
    elif args.action == "create-user":
        password = _read_password(args.password_stdin, stdin)
        role = Role(args.role)
        user_id = accounts.create_user(
            engine,
            username=args.name,
            role=role,
            password=password,
            now=now,
            full_name=args.full_name,
            office=args.office,
            district=args.district,
        )
        print(f"已新建账号“{args.name.strip()}”（编号 {user_id}，{ROLE_LABELS[role]}）", file=out)
    elif args.action == "reset-password":
        password = _read_password(args.password_stdin, stdin)
        accounts.reset_password(engine, args.name, password, now)
        print(f"已重设“{args.name.strip()}”的密码，该账号原有的登录均已失效", file=out)
    elif args.action == "set-setting":
        version = office_settings.set_setting(engine, args.key, args.value, args.office, now)
        scope = "全市默认" if args.office is None else f"司法所“{args.office.strip()}”"
        print(
            f"已设置{scope}的 {args.key.strip()} = {args.value.strip()}（版本 {version}）",
            file=out,
        )
    elif args.action == "prune-uploads":
        if args.days < 1:
            raise accounts.AccountError("--days 至少为 1")
        pruned = blobs.prune_unfinished(engine, now - args.days * 86_400)
        print(
            f"已删除{pruned.uploads}个开始超过{args.days}天仍未传完的附件上传"
            f"（{pruned.bytes / 1_048_576:.1f} MB）",
            file=out,
        )
    elif args.action == "list-settings":
        rows = office_settings.list_settings(engine)
        if not rows:
            print("尚未设置任何参数", file=out)
        for row in rows:
            scope = "全市默认" if row.office_id is None else f"{row.office_id} {row.office_name}"
            print(f"  {scope}\t{row.key}\t{row.value}\t版本 {row.version}", file=out)
    else:
        print("司法所：", file=out)
        for office in accounts.list_offices(engine):
            print(f"  {office.id}\t{office.name}\t{office.district}", file=out)
        print("账号：", file=out)
        for user in accounts.list_users(engine):
            where = user.office or user.district or "全市"
            state = "" if user.active else "\t（已停用）"
            print(
                f"  {user.id}\t{user.username}\t{user.full_name}\t{ROLE_LABELS[user.role]}"
                f"\t{where}{state}",
                file=out,
            )


class AdmissionLimit:
    """ASGI wrapper: at most ``max_active`` API requests of this process run at once; the others
    wait in arrival order. A request that waited ``queue_timeout`` seconds is answered 503
    ``server_busy`` with ``Retry-After`` (the client tries again later; nothing was done).

    Without it every waiting request gets a worker thread and a database connection at once, and
    all of them time-slice one CPU: each takes as long as all of them together. ``/version``,
    giving back a turn to sync (else a slot would stay taken until the turn expires) and
    non-API paths (the OpenAPI page) are never held back."""

    def __init__(self, app: ASGIApp, max_active: int, queue_timeout: float) -> None:
        self.app = app
        self.max_active = max_active
        self.queue_timeout = queue_timeout
        self._slots: asyncio.Semaphore | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if (
            self.max_active <= 0
            or scope["type"] != "http"
            or not path.startswith("/api/v1/")
            or path == "/api/v1/version"
            or (path == "/api/v1/sync/turn" and scope.get("method") == "DELETE")
        ):
            await self.app(scope, receive, send)
            return
        if self._slots is None:
            self._slots = asyncio.Semaphore(self.max_active)
        try:
            async with asyncio.timeout(self.queue_timeout):
                await self._slots.acquire()
        except TimeoutError:
            await self._busy(send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._slots.release()

    @staticmethod
    async def _busy(send: Send) -> None:
        body = (
            ErrorBody(
                code="server_busy", message="市局服务器正忙，稍后会自动重试；本机数据不受影响"
            )
            .model_dump_json()
            .encode("utf-8")
        )
        await send(
            {
                "type": "http.response.start",
                "status": 503,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode("ascii")),
                    (b"retry-after", str(RETRY_AFTER_SECONDS).encode("ascii")),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


FAST_HASHING_WARNING = (
    "警告：本服务器以 --insecure-fast-password-hashing 启动：登录时不把弱密码哈希升级为正式参数，"
    "不存在的用户名答复更快。仅供自动化测试使用，切勿用于正式服务器！"
)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def password_hashing_of(args: argparse.Namespace, err: TextIO) -> security.PasswordHashing:
    """Production hashing, unless ``serve --insecure-fast-password-hashing`` on a loopback
    address (refused otherwise, with an AccountError), which prints a loud warning."""
    if not getattr(args, "insecure_fast_password_hashing", False):
        return security.PasswordHashing.PRODUCTION
    if not _is_loopback(args.host):
        raise accounts.AccountError(
            "--insecure-fast-password-hashing 仅供自动化测试，只能在只监听本机地址"
            f"（如 127.0.0.1）时使用，不能监听 {args.host}"
        )
    print(FAST_HASHING_WARNING, file=err, flush=True)
    return security.PasswordHashing.INSECURE_FAST_FOR_TESTS


def _serve(args: argparse.Namespace, engine: Engine, hashing: security.PasswordHashing) -> None:
    import uvicorn

    from sync.server.app import create_app
    from sync.server.codes import published_code_tables

    url = engine.url.render_as_string(hide_password=False)
    if args.code_tables is not None:
        published_code_tables(overrides=Path(args.code_tables))  # refuse broken tables now
    app = create_app(
        Settings(
            database_url=url,
            limits=accounts.LoginLimits(password_hashing=hashing),
            turns=TurnLimits(max_syncs=max(0, args.max_syncs)),
            code_tables_dir=None if args.code_tables is None else Path(args.code_tables),
        ),
        engine=engine,
    )
    uvicorn.run(
        AdmissionLimit(app, args.max_active, args.queue_timeout),
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
        log_level=args.log_level,
        timeout_keep_alive=int(args.keep_alive),
        http=args.http,
        loop=args.loop,
    )


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, stdin: TextIO | None = None
) -> int:
    args = build_parser().parse_args(argv)
    out = out or sys.stdout
    try:
        hashing = password_hashing_of(args, sys.stderr)
    except accounts.AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    try:
        engine = _open_database(args)
    except SchemaTooNew as exc:
        print(str(exc), file=sys.stderr)
        return 2
    except OperationalError as exc:
        print(f"无法打开数据库：{exc.orig}", file=sys.stderr)
        return 2
    try:
        if args.command == "serve":
            _serve(args, engine, hashing)
        else:
            _admin(args, engine, out, stdin or sys.stdin)
    except accounts.AccountError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    finally:
        engine.dispose()
    return 0
