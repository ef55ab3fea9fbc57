"""A draft survives a killed process: the clerk types a new case, the program is killed
(SIGKILL: no clean-up of any kind), and the next start brings the typed text back."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from pytestqt.qtbot import QtBot

from justice_desktop.store.local_state import load_draft
from justice_desktop.store.session import DEMO_SETUP, create_office, open_existing
from ui.case_editor import CaseEditor
from ui.context import AppContext, load_context_data
from ui.tasks import TaskManager

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from justice_desktop.store.local_state import load_draft
    from justice_desktop.store.session import open_existing
    from ui.app import ensure_application
    from ui.case_editor import CaseEditor
    from ui.context import AppContext, load_context_data
    from ui.qt import QApplication
    from ui.tasks import TaskManager

    app = ensure_application()
    tasks = TaskManager(open_existing(Path(sys.argv[1])))
    data = tasks.call(load_context_data)
    ctx = AppContext(tasks, data, data.users[0])
    editor = CaseEditor(ctx)
    editor.show()
    editor.new_case()
    reg = editor.registration
    reg.parties.forms[0].name.insert("王秀英")  # as typed (emits textEdited)
    reg.summary.setPlainText("院墙排水沟堵塞，雨水倒灌")
    user = data.users[0].id
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        app.processEvents()
        draft = tasks.call(lambda s: load_draft(s, user, "case:new"))
        if draft is not None and draft.payload["registration"]["summary"]:
            print("READY", flush=True)
            break
        time.sleep(0.05)
    while True:  # typing goes on until the power is cut
        app.processEvents()
        time.sleep(0.05)
    """
)


def test_draft_comes_back_after_the_process_is_killed(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "office"
    store, _key = create_office(folder, DEMO_SETUP, demo=True)
    store.close()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.strip() == "READY", child.stderr.read() if child.stderr else ""
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
        if child.stdout:
            child.stdout.close()
        if child.stderr:
            child.stderr.close()
    assert child.returncode == -signal.SIGKILL

    tasks = TaskManager(open_existing(folder))
    try:
        data = tasks.call(load_context_data)
        user = data.users[0].id
        draft = tasks.call(lambda s: load_draft(s, user, "case:new"))
        assert draft is not None
        ctx = AppContext(tasks, data, data.users[0])
        editor = CaseEditor(ctx)
        qtbot.addWidget(editor)
        editor.new_case()
        reg = editor.registration
        qtbot.waitUntil(
            lambda: reg.summary.toPlainText() == "院墙排水沟堵塞，雨水倒灌", timeout=5000
        )
        assert reg.parties.forms[0].name.text() == "王秀英"
        assert "草稿" in editor.note.text()
    finally:
        tasks.shutdown()
