"""``justice-desktop sync``: day-end sync from the command line (for a scheduled task), login,
logout, the sync state, conflicts and parked changes.

Exit codes: 0 synced (conflicts or parked changes are reported, not failures), 1 an error that
needs a person (login, another office, a refused request), 3 a passing problem (network,
server busy: the scheduler may simply try again later), 130 cancelled.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from justice_desktop.paths import default_data_dir
from justice_desktop.store import sync_state
from justice_desktop.store.database import Store
from justice_desktop.store.errors import StoreError
from justice_desktop.store.session import open_existing
from sync.client import service
from sync.client.engine import SyncCancelled, SyncProgress
from sync.client.session import SyncError
from sync.client.tokens import TokenStore

PASSWORD_ENV = "JUSTICE_SYNC_PASSWORD"
EXIT_RETRY_LATER = 3


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="justice-desktop sync", description="与市局服务器同步本机数据"
    )
    parser.add_argument("--data-dir", type=Path, default=None, help="数据文件夹")
    parser.add_argument("--verify", action="store_true", help="同步后核对本机与服务器的数据")
    parser.add_argument("--quiet", action="store_true", help="只在出错时输出")
    sub = parser.add_subparsers(dest="action", metavar="操作")
    p = sub.add_parser("login", help="登录市局服务器（首次使用时登记本机）")
    p.add_argument("--server", required=True, help="服务器地址，如 https://sfj.example.gov.cn")
    p.add_argument("--user", required=True, help="用户名")
    p.add_argument(
        "--password-stdin", action="store_true", help=f"从标准输入读取密码（也可用 {PASSWORD_ENV}）"
    )
    sub.add_parser("logout", help="退出登录（本机数据不受影响）")
    sub.add_parser("status", help="显示同步状态")
    sub.add_parser("conflicts", help="列出等待处理的冲突")
    sub.add_parser("parked", help="列出被服务器拒收的修改")
    sub.add_parser("retry-parked", help="下次同步时重新发送被拒收的修改")
    for command in sub.choices.values():  # also after the operation: sync status --data-dir D
        command.add_argument("--data-dir", type=Path, default=argparse.SUPPRESS, help="数据文件夹")
    return parser


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    return os.environ.get(PASSWORD_ENV) or getpass.getpass("密码：")


def _progress(quiet: bool) -> Callable[[SyncProgress], None]:
    last = [""]

    def show(p: SyncProgress) -> None:
        if quiet or p.phase == last[0]:
            return
        last[0] = p.phase
        print(p.phase, file=sys.stderr)

    return show


def _print_status(store: Store) -> None:
    s = service.status(store)
    print(f"服务器：{s.server_url or '未设置'}")
    print(f"登录用户：{s.username or '未登录'}")
    print(f"待同步：{s.pending} 条")
    print(f"被拒收：{s.parked} 条")
    print(f"待处理冲突：{s.conflicts} 处")
    if s.incoming_problems:
        print(f"无法保存的服务器记录：{s.incoming_problems} 条")
    if s.missing_files:
        print(f"尚未下载的附件：{s.missing_files} 个")
    print(f"上次同步：{(s.last_sync_at or '从未同步').replace('T', ' ')[:19]}")
    if s.last_result:
        print(f"上次结果：{s.last_result}")
    print(f"每日自动同步时间：{s.day_end_time}")


def run(args: argparse.Namespace, store: Store, tokens: TokenStore) -> int:
    action = args.action
    if action == "login":
        me = service.log_in(store, args.server, args.user, _password(args), tokens)
        office = me.office.name if me.office else ""
        print(f"已登录：{me.full_name}（{office}）")
        return 0
    if action == "logout":
        service.log_out(store, tokens)
        print("已退出登录。本机数据和待同步的修改都保留。")
        return 0
    if action == "status":
        _print_status(store)
        return 0
    if action == "conflicts":
        conflicts = sync_state.open_conflicts(store)
        for c in conflicts:
            field = c.field or "（删除与修改）"
            print(
                f"#{c.id} {c.table_name} {c.record_id} {field}: 服务器={c.server!r} 本机={c.incoming!r}"
            )
        print(f"共 {len(conflicts)} 处冲突；请在程序窗口“同步 → 冲突”中逐条处理。")
        return 0
    if action == "parked":
        for p in sync_state.parked(store):
            print(f"#{p.seq} {p.table_name} {p.record_id} {p.op}：{p.reason}")
        return 0
    if action == "retry-parked":
        print(f"下次同步时将重新发送 {sync_state.unpark(store)} 条修改。")
        return 0
    report = service.run_sync(
        store,
        tokens,
        progress=_progress(args.quiet),
        verify=args.verify,
    )
    if not args.quiet:
        print(report.summary())
    for warning in report.warnings:
        print(f"注意：{warning}", file=sys.stderr)
    return 0


def main(argv: Sequence[str] | None = None, tokens: TokenStore | None = None) -> int:
    args = build_parser().parse_args(argv)
    data_dir = args.data_dir or default_data_dir()
    try:
        store = open_existing(data_dir)
    except StoreError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    try:
        return run(args, store, tokens or service.default_token_store())
    except SyncError as exc:
        print(f"同步失败：{exc.message}", file=sys.stderr)
        return EXIT_RETRY_LATER if exc.retryable else 1
    except (SyncCancelled, KeyboardInterrupt):
        print("已取消；已确认的部分保留，下次同步从中断处继续。", file=sys.stderr)
        return 130
    finally:
        store.close()
