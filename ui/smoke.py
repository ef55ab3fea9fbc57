"""``justice-desktop --smoke-test [--screenshots DIR]``: open every main screen and a case in
the editor (each stage tab), the sync settings page and the sync dialogs (conflicts, refused
changes), wait until each has finished loading, optionally save one PNG per view, and report. The exit code is 0 only if everything rendered and no error was raised —
the tests and the packaged build's check rely on it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from justice_desktop.store.queries import CaseFilter, CaseQueries
from ui.main_window import SCREENS, MainWindow
from ui.qt import QApplication, QDialog, QWidget

log = logging.getLogger(__name__)

__all__ = ["SmokeReport", "run_smoke_test", "settle"]

SETTLE_ROUNDS = 6


@dataclass
class SmokeReport:
    shots: list[Path] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def settle(window: MainWindow, rounds: int = SETTLE_ROUNDS) -> None:
    """Let queued work finish: the worker's queue, then the results it posts back."""
    app = QApplication.instance()
    for _ in range(rounds):
        if app is not None:
            app.processEvents()
        if not window.ctx.tasks.closed:
            window.ctx.tasks.call(lambda _store: None)
        if app is not None:
            app.processEvents()
        time.sleep(0.02)


def _shoot(widget: QWidget, folder: Path | None, name: str, report: SmokeReport) -> None:
    report.views.append(name)
    pixmap = widget.grab()
    if pixmap.isNull() or pixmap.width() < 100 or pixmap.height() < 100:
        report.problems.append(f"{name}: 画面为空")
        return
    if folder is None:
        return
    path = folder / f"{len(report.views):02d}-{name}.png"
    if not pixmap.save(str(path), "PNG"):
        report.problems.append(f"{name}: 无法保存截图 {path}")
        return
    report.shots.append(path)


def _sync_views(
    window: MainWindow, folder: Path | None, crashes: Callable[[], int], report: SmokeReport
) -> None:
    """设置 → 同步 and the conflicts and refused-changes dialogs (when the window syncs)."""
    sync_ui = window.sync_ui
    if sync_ui is None:
        return
    from ui.conflicts_dialog import ConflictsDialog
    from ui.parked_dialog import ParkedDialog
    from ui.settings_screen import SettingsScreen

    before = crashes()
    try:
        if window.show_screen("settings"):
            screen = window.screens["settings"]
            if isinstance(screen, SettingsScreen):
                screen.show_sync_tab()
                settle(window)
                _shoot(window, folder, "settings-sync", report)
        dialogs: list[tuple[str, QDialog]] = [
            ("sync-conflicts", ConflictsDialog(window.ctx, sync_ui.controller, window)),
            ("sync-parked", ParkedDialog(window.ctx, window)),
        ]
        for name, dialog in dialogs:
            dialog.show()
            settle(window)
            _shoot(dialog, folder, name, report)
            dialog.close()
            dialog.deleteLater()
    except Exception as exc:
        log.exception("smoke test: the sync views failed")
        report.problems.append(f"同步页面: 出现错误：{exc}")
    if crashes() != before:
        report.problems.append("同步页面: 出现错误（见日志）")


def run_smoke_test(
    window: MainWindow, folder: Path | None, crashes: Callable[[], int]
) -> SmokeReport:
    """Walk through the screens; ``crashes()`` counts unhandled exceptions so far."""
    report = SmokeReport()
    if folder is not None:
        folder.mkdir(parents=True, exist_ok=True)
    settle(window)
    for spec in SCREENS:
        before = crashes()
        try:
            if not window.show_screen(spec.key):
                report.problems.append(f"{spec.title}: 无法打开")
                continue
            settle(window)
        except Exception as exc:
            log.exception("smoke test: %s failed", spec.key)
            report.problems.append(f"{spec.title}: 出现错误：{exc}")
            continue
        _shoot(window, folder, spec.key, report)
        if crashes() != before:
            report.problems.append(f"{spec.title}: 出现错误（见日志）")
    first = window.ctx.tasks.call(lambda s: CaseQueries(s).page_ids(CaseFilter(), 0, 1))
    if first:
        window.open_case(first[0])
        settle(window)
        editor = window.cases().editor
        for index in range(editor.tabs.count()):
            before = crashes()
            editor.tabs.setCurrentIndex(index)
            settle(window, 2)
            _shoot(window, folder, f"case-{index + 1}", report)
            if crashes() != before:
                report.problems.append(
                    f"案件编辑“{editor.tabs.tabText(index)}”: 出现错误（见日志）"
                )
        editor.leave()
    _sync_views(window, folder, crashes, report)
    if crashes():
        report.problems.append(f"共出现 {crashes()} 个未处理的错误")
    return report
