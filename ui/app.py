"""Starting the window: the application object, the font, opening the database, the demo.

Order of events (:func:`run_gui`):

1. the ``QApplication`` and the bundled CJK font;
2. the database is opened on the GUI thread, before any worker exists (a missing keyring,
   a wrong key or a damaged file is a Chinese message box and exit code 1 — never a
   traceback); a real data folder without a database gets a hint to run ``init``;
3. the store is handed to the :class:`~ui.tasks.TaskManager`; from here on only its worker
   touches it;
4. for ``--demo`` with an empty database, demo data is generated on the worker behind a
   cancellable progress dialog;
5. the main window opens and the event loop runs; on exit the worker is joined and the
   database closed.

Sync with the city server (:mod:`ui.sync_controller`) runs on a thread of its own with a
second connection, like the daily check and backup; F5 and 同步 start it, and a timer looks
each minute whether the office's day-end time has come (one quiet attempt a day).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path

from justice_desktop.paths import resources_dir
from justice_desktop.store.database import Store
from justice_desktop.store.errors import BadRecoveryKeyError, WrongKeyError
from justice_desktop.store.queries import CaseQueries
from justice_desktop.store.session import DEMO_SETUP, create_office, database_exists, open_existing
from sync.client import service as sync_service
from sync.client.tokens import TokenStore
from ui.cases_screen import CasesScreen
from ui.context import AppContext, load_context_data
from ui.crash import CrashHandler
from ui.dialogs import ask_recovery_key, show_error, show_info
from ui.errors import friendly_message, is_known_error
from ui.fonts import install_app_font
from ui.input_method import choose_input_method
from ui.launcher import GuiOptions
from ui.main_window import MainWindow
from ui.maintenance import Maintenance
from ui.qt import QApplication, QIcon, QLibraryInfo, QLocale, QTimer, QTranslator
from ui.scale import apply_ui_scale, follow_user_scale
from ui.sync_controller import SyncController, day_end_due
from ui.tasks import Progress, TaskManager

log = logging.getLogger(__name__)

APP_NAME = "justice-desktop"
DEMO_CASES = 3000
DEMO_SEED = 1
OPEN_FAILED_TITLE = "无法打开数据库"
NO_DATABASE_TITLE = "尚未创建数据库"
DEMO_FAILED_TITLE = "无法生成演示数据"


def ensure_application() -> QApplication:
    """The process's QApplication (created if needed)."""
    existing = QApplication.instance()
    if existing is not None:
        if not isinstance(existing, QApplication):
            raise RuntimeError("a non-widget Qt application object already exists")
        return existing
    plugins = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath))
    if (module := choose_input_method(plugins)) is not None:
        log.info("input method: this Qt has no plugin for the desktop's, using %s", module)
    app = QApplication([sys.argv[0] if sys.argv and sys.argv[0] else APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setDesktopFileName(APP_NAME)  # Wayland docks match the window to the desktop entry
    app.setWindowIcon(program_icon())
    _install_chinese_translation(app)
    return app


def program_icon() -> QIcon:
    """The program's icon (resources/icons, the same as the desktop entry's and the .exe's)."""
    icon = QIcon()
    for size in (16, 24, 32, 48, 64, 128, 256):
        path = resources_dir() / "icons" / f"justice-desktop-{size}.png"
        if path.is_file():
            icon.addFile(str(path))
    return icon


def _install_chinese_translation(app: QApplication) -> QTranslator | None:
    """Qt's own words (the 取消/确定 of standard dialogs, context menus) in Chinese, from the
    translations shipped with Qt (bundled too); left in English when they are missing."""
    translator = QTranslator(app)
    where = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    china = QLocale(QLocale.Language.Chinese, QLocale.Country.China)
    if not translator.load(china, "qtbase", "_", where):
        return None
    app.installTranslator(translator)
    return translator


def no_database_message(options: GuiOptions) -> str:
    where = f" --data-dir {options.data_dir}" if options.data_dir_given else ""
    return (
        f"在以下文件夹中还没有本所的数据库：\n{options.data_dir}\n\n"
        "不带 --smoke-test 启动程序即打开首次运行向导；也可以在命令行创建加密数据库"
        "（Windows 上用 justice-desktop-cli），例如：\n"
        f"justice-desktop{where} init --office 河东区城关街司法所 "
        "--committee 城关街道人民调解委员会 --prefix 津东城\n"
        "创建时显示的恢复密钥请抄写或打印后妥善保管。\n\n"
        "只想先看看程序？运行 justice-desktop --demo 打开虚构的演示数据。"
    )


def run_first_run_wizard(data_dir: Path) -> Store | None:
    """The first-run wizard (imported only when there is no database yet)."""
    from ui.first_run import run_first_run_wizard as run

    return run(data_dir)


def open_store(options: GuiOptions) -> Store | None:
    """Open (or, for the demo, create) the database; None after telling the user why not."""
    data_dir = options.data_dir
    try:
        if options.demo and not database_exists(data_dir):
            store, _recovery = create_office(data_dir, DEMO_SETUP, demo=True)
            return store
        if not database_exists(data_dir):
            if options.smoke_test:
                show_info(None, no_database_message(options), title=NO_DATABASE_TITLE, block=True)
                return None
            return run_first_run_wizard(data_dir)
        if options.recovery_key:
            return _open_with_recovery_key(data_dir)
        return open_existing(data_dir)
    except Exception as exc:
        if is_known_error(exc):
            log.warning("cannot open the database in %s: %s", data_dir, exc)
        else:
            log.exception("cannot open the database in %s", data_dir)
        show_error(None, friendly_message(exc), title=OPEN_FAILED_TITLE, block=True)
        return None


def _open_with_recovery_key(data_dir: Path) -> Store | None:
    while True:
        key = ask_recovery_key()
        if key is None:
            return None
        try:
            return open_existing(data_dir, recovery_key=key)
        except (BadRecoveryKeyError, WrongKeyError) as exc:  # a typo: let the user try again
            show_error(None, str(exc), title=OPEN_FAILED_TITLE, block=True)


def load_demo(store: Store, progress: Progress) -> object:
    """Runs on the worker.  Imported lazily: the generator is only needed for ``--demo``."""
    from justice_desktop.demo.loader import load_demo_data

    return load_demo_data(store, cases=DEMO_CASES, seed=DEMO_SEED, progress=progress)


MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000  # look hourly whether a day has passed
MAINTENANCE_START_DELAY_MS = 20_000
RESTART_EXIT_CODE = 75  # the event loop ends with this when the database must be reopened
DAY_END_CHECK_MS = 60_000  # look each minute whether the day-end sync is due
SYNC_CLOSE_WAIT_S = 40.0  # on exit, a running request ends within the network timeouts


class GuiSession:
    """The running program: its task manager and (once open) the main window."""

    #: The first integrity check and backup wait this long: the first screen loads first.
    maintenance_delay_ms = MAINTENANCE_START_DELAY_MS

    def __init__(
        self,
        app: QApplication,
        tasks: TaskManager,
        options: GuiOptions | None = None,
        *,
        token_store: TokenStore | None = None,
        clock: Callable[[], datetime] = datetime.now,
    ) -> None:
        self.app = app
        self.tasks = tasks
        self.options = options
        #: Where the city server's login tokens live (None: the OS keyring, when first used).
        self.token_store = token_store
        self.clock = clock
        self.sync: SyncController | None = None
        self.day_end_timer: QTimer | None = None
        #: The day the day-end sync was last attempted (once a day).
        self.day_end_attempted: date | None = None
        self.crash: CrashHandler | None = None
        self.window: MainWindow | None = None
        self.ctx: AppContext | None = None
        self.start_screen = options.start_screen if options is not None else "home"
        self.maintenance_timer: QTimer | None = None
        self.maintenance: Maintenance | None = None

    def start(self, *, load_demo_data: bool) -> None:
        if not load_demo_data:
            self.show_main_window()
            return
        self.tasks.run_with_progress(
            load_demo,
            on_success=self._demo_loaded,
            on_failure=self._demo_failed,
            on_cancelled=lambda: self.app.exit(0),
            label="正在生成演示数据（虚构的案件和当事人），首次运行需要一点时间…",
        )

    def show_main_window(self) -> None:
        data = self.tasks.call(load_context_data)  # a few small tables, read once
        if not data.users:
            raise RuntimeError("the office has no user")
        self.ctx = AppContext(self.tasks, data, data.users[0])
        self.sync = SyncController(self.tasks.second_connection, self.token_store)
        self.ctx.sync = self.sync  # before the screens are built: settings shows 同步
        self.window = MainWindow(self.ctx, start=self.start_screen)
        self.sync.setParent(self.window)
        self.window.attach_sync(self.sync)
        forced = self.options.ui_scale if self.options is not None else None
        if forced is not None:
            apply_ui_scale(self.app, forced)
        else:
            follow_user_scale(self.ctx, self.app)
        self.window.restartRequested.connect(lambda: self.app.exit(RESTART_EXIT_CODE))
        self.window.show()
        self.app.setQuitOnLastWindowClosed(True)
        self.maintenance = Maintenance(self.tasks.second_connection, self.window)
        self.maintenance.failed.connect(self._maintenance_failed)
        QTimer.singleShot(self.maintenance_delay_ms, lambda: self._maintain(force=True))
        self.maintenance_timer = QTimer(self.window)
        self.maintenance_timer.setInterval(MAINTENANCE_INTERVAL_MS)
        self.maintenance_timer.timeout.connect(lambda: self._maintain(force=False))
        self.maintenance_timer.start()
        self.day_end_timer = QTimer(self.window)
        self.day_end_timer.setInterval(DAY_END_CHECK_MS)
        self.day_end_timer.timeout.connect(self.check_day_end)
        self.day_end_timer.start()
        if self.options is not None and self.options.smoke_test:
            QTimer.singleShot(0, self._smoke_test)
        if self.options is not None and self.options.exit_when_ready:
            self._ready_timer = QTimer(self.window)
            self._ready_timer.setInterval(2)
            self._ready_timer.timeout.connect(self._exit_if_ready)
            self._ready_timer.start()

    def _exit_if_ready(self) -> None:
        """For the start-up benchmark: the window is up and the first page of cases is on it."""
        window = self.window
        if window is None or not window.isVisible():
            return
        cases = window.screens.get("cases")
        ready = (
            cases is not None
            and isinstance(cases, CasesScreen)
            and cases.case_model.loaded
            and (cases.case_model.rowCount() == 0 or 0 in cases.case_model.cached_pages())
        )
        if ready or (cases is None and window.overview is not None):
            print("READY", flush=True)
            self.app.exit(0)

    def _smoke_test(self) -> None:
        from ui.smoke import run_smoke_test

        assert self.window is not None and self.options is not None
        crash = self.crash
        try:
            report = run_smoke_test(
                self.window, self.options.screenshots, lambda: crash.crashes if crash else 0
            )
        except Exception:
            log.exception("the smoke test failed")
            print("自检未通过", flush=True)
            self.app.exit(1)
            return
        for view in report.views:
            print(f"已显示：{view}")
        for shot in report.shots:
            print(f"截图：{shot}")
        for problem in report.problems:
            print(f"问题：{problem}", file=sys.stderr)
        print("自检通过" if report.ok else "自检未通过", flush=True)
        self.app.exit(0 if report.ok else 1)

    def _maintain(self, *, force: bool) -> None:
        """Integrity check and backup on start, then once a day (on their own thread)."""
        if self.maintenance is not None and not self.tasks.closed:
            self.maintenance.start(min_age=None if force else timedelta(hours=24))

    def check_day_end(self) -> None:
        """The day-end sync: once a day at or after the office's time, when logged in and
        nothing else is talking to the server; quiet (errors go to the status bar only)."""
        sync = self.sync
        if sync is None or sync.busy or self.tasks.closed:
            return
        if self.day_end_attempted == self.clock().date():
            return
        self.tasks.run(sync_service.status, on_success=self._day_end_status, on_failure=log.warning)

    def _day_end_status(self, status: sync_service.SyncStatus) -> None:
        now = self.clock()
        sync = self.sync
        if sync is None or sync.busy or not status.configured:
            return
        if day_end_due(now, status.day_end_time, self.day_end_attempted):
            self.day_end_attempted = now.date()
            sync.sync(quiet=True, verify=True)  # once a day: compare checksums too

    def _maintenance_failed(self, exc: object) -> None:
        if isinstance(exc, BaseException):
            log.error("integrity check or backup failed: %s", exc)
            show_error(self.window, friendly_message(exc), title="数据库检查或备份失败")

    def close(self) -> None:
        if self.maintenance is not None:
            self.maintenance.wait()  # a backup half written is left to finish
        if self.day_end_timer is not None:
            self.day_end_timer.stop()
        if self.sync is not None:
            self.sync.cancel()  # a running sync stops after its batch; what was confirmed stays
            self.sync.wait(SYNC_CLOSE_WAIT_S)
        if self.window is not None:
            self.window.close()
            self.window.deleteLater()
            self.window = None

    def _demo_loaded(self, report: object) -> None:
        log.info("demo data loaded: %s", report)
        self.show_main_window()

    def _demo_failed(self, exc: BaseException) -> None:
        show_error(
            None, friendly_message(exc), title=DEMO_FAILED_TITLE, on_closed=lambda: self.app.exit(1)
        )


def quit_on_signals(app: QApplication) -> Callable[[], None]:
    """Ctrl+C in the terminal and SIGTERM (log-out, ``timeout``) close the program cleanly:
    the worker is joined and the database closed.  Returns a function undoing it."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    wanted = [signal.SIGINT, signal.SIGTERM]
    previous = {sig: signal.getsignal(sig) for sig in wanted}
    for sig in wanted:
        signal.signal(sig, lambda _sig, _frame: app.quit())
    # Python runs signal handlers only between bytecodes; while Qt waits for events no
    # Python code runs, so a timer wakes the interpreter twice a second.
    wake = QTimer()
    wake.timeout.connect(lambda: None)
    wake.start(500)

    def restore() -> None:
        wake.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)

    return restore


def run_gui(options: GuiOptions, *, log_dir: Path | None = None) -> int:
    """Open the window and run until it closes; returns the exit code. A restored backup
    ends the event loop with :data:`RESTART_EXIT_CODE`: the database is opened again."""
    while True:
        code = _run_once(options, log_dir)
        if code != RESTART_EXIT_CODE:
            return code
        log.info("reopening the database after a restore")


def _run_once(options: GuiOptions, log_dir: Path | None) -> int:
    app = ensure_application()
    install_app_font(app)
    store = open_store(options)
    if store is None:
        return 1
    try:
        # Still the only thread using the store: the worker does not exist yet.
        needs_demo_data = options.demo and CaseQueries(store).count() == 0
    except Exception as exc:
        log.exception("reading the database failed")
        store.close()
        show_error(None, friendly_message(exc), title=OPEN_FAILED_TITLE, block=True)
        return 1
    tasks = TaskManager(store)
    session = GuiSession(app, tasks, options)
    crash = CrashHandler(log_dir, dialog=options.crash_dialog and not options.smoke_test).install()
    session.crash = crash
    restore_signals = quit_on_signals(app)
    quit_on_close = app.quitOnLastWindowClosed()
    app.setQuitOnLastWindowClosed(False)  # the progress dialog closing must not end the program
    try:
        session.start(load_demo_data=needs_demo_data)
        return app.exec()
    finally:
        session.close()
        tasks.shutdown()
        restore_signals()
        crash.uninstall()
        app.setQuitOnLastWindowClosed(quit_on_close)


__all__ = [
    "DEMO_CASES",
    "GuiSession",
    "ensure_application",
    "no_database_message",
    "open_store",
    "run_gui",
]
