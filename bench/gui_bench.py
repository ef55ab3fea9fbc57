"""GUI benchmark: start-up, the longest stall of the GUI thread, jumping to the last row.

    python -m bench.gui_bench --cases 1000000 --dir /tmp/guibench [--runs 7] [--json]

Measures, over a demo office database of ``--cases`` cases (created in ``--dir/office`` on
the first run and reused afterwards):

* **start-up**: from starting the process to an interactive main window showing the first
  page of the case list (``justice-desktop --screen cases --exit-when-ready``), against a bare
  PySide6 window started the same way (QApplication + QMainWindow + a label, shown) — medians
  over ``--runs`` alternating runs; targets ≤ 1.5 s and ≤ 2× the bare window;
* **longest stall** of the GUI thread while typing searches (one key every 120 ms, Chinese
  as input-method commits) and while scrolling the case list to random places: a 2 ms timer
  notes every gap in the event loop; target ≤ 50 ms;
* **jump to the last row**: from ``scrollToBottom()`` on a fresh list until the last row's
  text is in the model; median over ``--jumps`` jumps; target ≤ 100 ms.

Runs offscreen (``QT_QPA_PLATFORM=offscreen``) unless a display is set.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TARGET_START_S = 1.5
TARGET_START_RATIO = 2.0
TARGET_STALL_MS = 50.0
TARGET_JUMP_MS = 100.0
ROOT = Path(__file__).resolve().parents[1]

BARE_WINDOW = """
import sys
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow
app = QApplication(sys.argv)
window = QMainWindow()
window.setCentralWidget(QLabel("司法所工作台"))
window.resize(1280, 800)
window.show()
def ready():
    print("READY", flush=True)
    app.exit(0)
QTimer.singleShot(0, ready)
app.exec()
"""

SEARCHES = ("张", "zs", "王秀英", "13812", "人调字第12号", "漏水", "wxy", "李建")


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT)
    return env


# ------------------------------------------------------------------------------- the database
def ensure_database(folder: Path, cases: int) -> int:
    """A demo office with ``cases`` cases in ``folder`` (made once); returns the count."""
    from justice_desktop.demo.loader import load_demo_data
    from justice_desktop.store.queries import CaseQueries
    from justice_desktop.store.session import (
        DEMO_SETUP,
        create_office,
        database_exists,
        open_existing,
    )

    if database_exists(folder):
        store = open_existing(folder)
    else:
        store, _key = create_office(folder, DEMO_SETUP, demo=True)
    try:
        have = CaseQueries(store).count()
        if have < cases:
            _log(f"loading {cases - have:,} demo cases into {folder} …")
            t0 = time.perf_counter()
            load_demo_data(store, cases=cases - have, seed=7)
            _log(f"  loaded in {time.perf_counter() - t0:.0f} s")
            store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return int(CaseQueries(store).count())
    finally:
        store.close()


# ---------------------------------------------------------------------------------- start-up
def _time_process(args: list[str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        args, cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    elapsed = time.perf_counter() - t0
    _out, err = proc.communicate(timeout=120)
    if line.strip() != "READY":
        raise RuntimeError(f"{args[-1]} did not start: {line!r} {err[-2000:]}")
    return elapsed


def start_up(folder: Path, runs: int) -> dict[str, Any]:
    exe = Path(sys.executable).with_name("justice-desktop")
    app_cmd = ([str(exe)] if exe.exists() else [sys.executable, "-m", "ui"]) + [
        "--data-dir",
        str(folder),
        "--screen",
        "cases",
        "--exit-when-ready",
        "--no-crash-dialog",
    ]
    bare_cmd = [sys.executable, "-c", BARE_WINDOW]
    _time_process(bare_cmd)  # warm the file cache for both
    _time_process(app_cmd)
    bare, app = [], []
    for _ in range(runs):
        bare.append(_time_process(bare_cmd))
        app.append(_time_process(app_cmd))
    b, a = statistics.median(bare), statistics.median(app)
    return {"bare_s": b, "app_s": a, "ratio": a / b, "bare_runs": bare, "app_runs": app}


# ------------------------------------------------------------------------- stalls and jumps
def in_process(folder: Path, jumps: int, seed: int) -> dict[str, Any]:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from justice_desktop.store.session import open_existing
    from ui.app import ensure_application
    from ui.cases_screen import CasesScreen
    from ui.context import AppContext, load_context_data
    from ui.fonts import install_app_font
    from ui.main_window import MainWindow
    from ui.qt import QApplication, QInputMethodEvent, QTest, QTimer
    from ui.tasks import TaskManager

    app = ensure_application()
    install_app_font(app)
    tasks = TaskManager(open_existing(folder))
    data = tasks.call(load_context_data)
    ctx = AppContext(tasks, data, data.users[0])
    window = MainWindow(ctx, start="cases")
    window.resize(1280, 800)
    window.show()
    cases = window.screen_for("cases")
    assert isinstance(cases, CasesScreen)
    model, table = cases.case_model, cases.case_table

    def pump(seconds: float) -> None:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            app.processEvents()
            time.sleep(0.001)

    def wait_for(cond: Any, timeout: float = 60.0) -> None:
        end = time.perf_counter() + timeout
        while not cond():
            if time.perf_counter() > end:
                raise TimeoutError("the window did not get there in time")
            app.processEvents()
            time.sleep(0.0005)

    wait_for(lambda: model.loaded and window.overview is not None)
    pump(0.5)

    # a 2 ms heartbeat: the longest gap between its ticks is the longest stall
    gaps: list[float] = []
    last = [time.perf_counter()]

    def beat() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    heart = QTimer()
    heart.setInterval(2)
    heart.timeout.connect(beat)

    def run_phase(action: Any) -> float:
        gaps.clear()
        last[0] = time.perf_counter()
        heart.start()
        action()
        heart.stop()
        return max(gaps) * 1000 if gaps else 0.0

    box = cases.search_box

    def typing() -> None:
        for query in SEARCHES:
            box.clear()
            pump(0.2)
            for ch in query:
                if ch.isascii():
                    QTest.keyClicks(box, ch)
                else:
                    event = QInputMethodEvent("", [])
                    event.setCommitString(ch)
                    QApplication.sendEvent(box, event)
                pump(0.12)
            pump(0.6)  # the search runs and its results are shown
        box.clear()
        pump(0.3)

    rng = random.Random(seed)

    def scrolling() -> None:
        bar = table.verticalScrollBar()
        for _ in range(40):
            bar.setValue(rng.randint(0, bar.maximum()))
            pump(0.1)
        for _ in range(60):  # then step by step, as with the wheel
            bar.setValue(min(bar.maximum(), bar.value() + 3))
            pump(0.02)

    typing_ms = run_phase(typing)
    scrolling_ms = run_phase(scrolling)

    last_row = model.rowCount() - 1
    jump_ms: list[float] = []
    for _ in range(jumps):
        table.scrollToTop()
        model.reload()
        wait_for(lambda: model.loaded and 0 in model.cached_pages() or model.rowCount() == 0)
        pump(0.2)
        t0 = time.perf_counter()
        table.scrollToBottom()
        index = model.index(last_row, 0)
        wait_for(lambda idx=index: model.data(idx) is not None)
        jump_ms.append((time.perf_counter() - t0) * 1000)
        pump(0.1)
    window.close()
    tasks.shutdown()
    return {
        "stall_typing_ms": typing_ms,
        "stall_scrolling_ms": scrolling_ms,
        "jump_ms": statistics.median(jump_ms),
        "jump_runs_ms": jump_ms,
        "rows": last_row + 1,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/justice-gui-bench"))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--jumps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    folder = args.dir / "office"
    count = ensure_database(folder, args.cases)
    _log(f"database: {count:,} cases in {folder}")
    started = start_up(folder, args.runs)
    measured = in_process(folder, args.jumps, args.seed)
    result = {"cases": count, **started, **measured}
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(
        f"GUI benchmark over {count:,} cases (medians; {args.runs} start-ups, {args.jumps} jumps)"
    )
    print(
        f"  start-up to the first page of cases: {started['app_s'] * 1000:.0f} ms "
        f"(target ≤ {TARGET_START_S * 1000:.0f} ms); bare PySide6 window "
        f"{started['bare_s'] * 1000:.0f} ms; ratio {started['ratio']:.2f}× "
        f"(target ≤ {TARGET_START_RATIO:.0f}×)"
    )
    print(
        f"  longest GUI-thread stall: typing searches {measured['stall_typing_ms']:.1f} ms, "
        f"scrolling {measured['stall_scrolling_ms']:.1f} ms (target ≤ {TARGET_STALL_MS:.0f} ms)"
    )
    print(
        f"  jump to the last row: {measured['jump_ms']:.1f} ms (target ≤ {TARGET_JUMP_MS:.0f} ms)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
