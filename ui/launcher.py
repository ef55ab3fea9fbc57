"""``justice-desktop``: the program's one entry point.

* ``justice-desktop <command> …`` (init, demo-data, search, backup, restore, check, blocks)
  runs the command-line tool of :mod:`justice_desktop.cli` — without importing Qt, so it
  works on a server or over SSH.
* ``justice-desktop [--data-dir DIR] [--demo] [--recovery-key] [--no-crash-dialog]
  [--screen KEY] [--ui-scale N] [--smoke-test [--screenshots DIR]]`` opens the window
  (:mod:`ui.app`).

This module imports no Qt at import time; ``tests/ui/test_launcher.py`` checks it.
"""

from __future__ import annotations

import argparse
import faulthandler
import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from justice_desktop import __version__
from justice_desktop.commands import COMMANDS
from justice_desktop.paths import default_data_dir, demo_data_dir
from ui.windows_console import attach_parent_console

LOG_DIR = "logs"
LOG_FILE = "justice-desktop.log"
FAULT_FILE = "crash.log"
LOG_MAX_BYTES = 2 * 1024 * 1024
LOG_BACKUPS = 3
_LOG_FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"

#: Options of the command-line tool that take a value (so it is not mistaken for a command).
_OPTIONS_WITH_VALUE = frozenset({"--data-dir", "--screenshots", "--screen", "--ui-scale"})
SCREEN_KEYS = (
    "home",
    "cases",
    "understanders",
    "consultations",
    "adviser_logs",
    "statistics",
    "settings",
)


@dataclass(frozen=True)
class GuiOptions:
    data_dir: Path
    demo: bool = False
    recovery_key: bool = False
    crash_dialog: bool = True
    data_dir_given: bool = False  # the user named the folder (shown in the init hint)
    smoke_test: bool = False
    screenshots: Path | None = None
    start_screen: str = "home"
    ui_scale: int | None = None
    exit_when_ready: bool = False


SYNC_COMMAND = "sync"


def command_of(argv: Sequence[str]) -> str | None:
    """The first argument that is neither an option nor an option's value."""
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--":
            continue
        if arg.startswith("-"):
            skip = arg in _OPTIONS_WITH_VALUE
            continue
        return arg
    return None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="justice-desktop",
        description="司法所人民调解与法律服务离线工作台（不带命令时打开程序窗口）",
        epilog="命令行工具：justice-desktop {" + ",".join(COMMANDS) + "} --help",
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"justice-desktop {__version__}",
        help="显示版本号并退出",
    )
    parser.add_argument(
        "--data-dir", type=Path, default=None, help="数据库所在文件夹（默认：用户数据文件夹）"
    )
    parser.add_argument(
        "--demo",
        action="store_true",
        help="打开演示数据库（首次运行时自动生成虚构的演示数据）",
    )
    parser.add_argument(
        "--recovery-key",
        action="store_true",
        help="用恢复密钥打开数据库（系统密钥环中的密钥丢失时），启动时在对话框中输入",
    )
    parser.add_argument(
        "--no-crash-dialog",
        action="store_true",
        help="出现意外错误时只写日志、不弹出对话框（用于自动测试）",
    )
    parser.add_argument(
        "--smoke-test",
        action="store_true",
        help="自检：依次打开每个主要页面，全部正常显示则以0退出（用于测试和安装包检查）",
    )
    parser.add_argument(
        "--screenshots", type=Path, default=None, help="自检时把每个页面的截图（PNG）保存到此文件夹"
    )
    parser.add_argument(
        "--screen", choices=SCREEN_KEYS, default="home", help="启动后首先显示的页面（默认：工作台）"
    )
    parser.add_argument(
        "--ui-scale",
        type=int,
        default=None,
        choices=range(100, 201, 25),
        metavar="100–200",
        help="界面缩放百分比（覆盖用户设置），例如 150",
    )
    parser.add_argument(
        "--exit-when-ready",
        action="store_true",
        help="窗口和案件列表第一页显示后立即退出并输出READY（用于测量启动时间）",
    )
    return parser


def parse_gui_options(argv: Sequence[str]) -> GuiOptions:
    """Raises SystemExit for --help or a usage error (argparse has printed the message)."""
    args = build_parser().parse_args(list(argv))
    given: Path | None = args.data_dir
    if given is not None:
        data_dir = given
    elif args.demo:
        data_dir = demo_data_dir()
    else:
        data_dir = default_data_dir()
    return GuiOptions(
        data_dir=data_dir.expanduser(),
        demo=args.demo,
        recovery_key=args.recovery_key,
        crash_dialog=not args.no_crash_dialog,
        data_dir_given=given is not None,
        smoke_test=args.smoke_test,
        screenshots=args.screenshots,
        start_screen=args.screen,
        ui_scale=args.ui_scale,
        exit_when_ready=args.exit_when_ready,
    )


def log_dir_for(data_dir: Path) -> Path:
    return data_dir / LOG_DIR


def rotate_log(path: Path, max_bytes: int = LOG_MAX_BYTES, keep: int = LOG_BACKUPS) -> None:
    """At start, a log over ``max_bytes`` becomes ``.1`` (``.1`` becomes ``.2`` …, the oldest
    goes). Done here rather than with ``logging.handlers`` (whose import costs start-up time);
    a day's logging stays far below the limit."""
    try:
        if not path.exists() or path.stat().st_size <= max_bytes:
            return
        oldest = path.with_name(f"{path.name}.{keep}")
        oldest.unlink(missing_ok=True)
        for n in range(keep - 1, 0, -1):
            older = path.with_name(f"{path.name}.{n}")
            if older.exists():
                older.replace(path.with_name(f"{path.name}.{n + 1}"))
        path.replace(path.with_name(f"{path.name}.1"))
    except OSError:
        return  # logging goes on in the big file


@contextmanager
def process_logging(log_dir: Path) -> Iterator[Path | None]:
    """Log to ``<data dir>/logs/justice-desktop.log`` and let faulthandler write hard
    crashes to ``crash.log`` beside it; undone on exit.  Yields the log folder, or None if
    it cannot be written (the program still runs, logging to stderr only)."""
    try:
        log_dir.mkdir(parents=True, exist_ok=True)
        rotate_log(log_dir / LOG_FILE)
        handler = logging.FileHandler(log_dir / LOG_FILE, encoding="utf-8")
    except OSError as exc:
        print(f"无法写入日志文件夹 {log_dir}：{exc}", file=sys.stderr)
        yield None
        return
    handler.setFormatter(logging.Formatter(_LOG_FORMAT))
    root = logging.getLogger()
    old_level = root.level
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    fault_file: TextIO | None = None
    if not faulthandler.is_enabled():  # a developer's -X faulthandler (or pytest) stays
        try:
            fault_file = (log_dir / FAULT_FILE).open("a", encoding="utf-8")
            faulthandler.enable(file=fault_file, all_threads=True)
        except OSError:
            fault_file = None
    try:
        yield log_dir
    finally:
        if fault_file is not None:
            faulthandler.disable()
            fault_file.close()
        root.removeHandler(handler)
        handler.close()
        root.setLevel(old_level)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args:  # the windowed Windows program prints what is asked into its console
        attach_parent_console()
    if command_of(args) == SYNC_COMMAND:
        from sync.client import cli as sync_cli  # no Qt: for scheduled day-end syncs

        args.remove(SYNC_COMMAND)
        return sync_cli.main(args)
    if command_of(args) in COMMANDS:
        from justice_desktop import cli  # the window does not need the tool's imports

        return cli.main(args)
    try:
        options = parse_gui_options(args)
    except SystemExit as exc:  # --help, or a usage error argparse has already explained
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    with process_logging(log_dir_for(options.data_dir)) as log_dir:
        logging.getLogger(__name__).info("starting with %s", options)
        try:
            from ui.app import run_gui  # Qt is imported only now
        except RuntimeError as exc:  # ui.qt refuses a broken Qt installation and says why
            logging.getLogger(__name__).critical("cannot start the window: %s", exc)
            print(f"无法打开程序窗口：{exc}", file=sys.stderr)
            return 1
        return run_gui(options, log_dir=log_dir)


if __name__ == "__main__":
    raise SystemExit(main())
