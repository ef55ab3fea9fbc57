"""The background-operation API: one worker owns the store, results come back by signal."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from justice_desktop.store.database import Store
from justice_desktop.store.errors import MissingKeyError
from justice_desktop.validation import ValidationError
from tests.ui.conftest import CASES, MessageBoxCatcher
from tests.ui.factories import new_office
from ui.tasks import CancelToken, Progress, TaskManager, TaskManagerClosedError


def test_runs_on_the_worker_and_returns_on_the_gui_thread(qtbot: QtBot, tasks: TaskManager) -> None:
    threads: dict[str, threading.Thread] = {}
    results: list[int] = []

    def count(store: Store) -> int:
        threads["worker"] = threading.current_thread()
        return int(store.scalar("SELECT count(*) FROM cases"))

    def done(n: int) -> None:
        threads["callback"] = threading.current_thread()
        results.append(n)

    tasks.run(count, on_success=done)
    assert results == []  # never synchronous
    qtbot.waitUntil(lambda: results == [CASES], timeout=5000)
    assert threads["worker"] is not threading.main_thread()
    assert threads["callback"] is threading.main_thread()


def test_tasks_run_one_after_another_on_one_thread(qtbot: QtBot, tasks: TaskManager) -> None:
    seen: list[tuple[int, str]] = []
    for i in range(5):
        tasks.run(lambda _store, i=i: seen.append((i, threading.current_thread().name)))
    qtbot.waitUntil(lambda: len(seen) == 5, timeout=5000)
    assert [i for i, _ in seen] == [0, 1, 2, 3, 4]
    assert len({name for _, name in seen}) == 1


def test_failure_goes_to_on_failure(qtbot: QtBot, tasks: TaskManager) -> None:
    failures: list[BaseException] = []

    def broken(_store: Store) -> None:
        raise MissingKeyError()

    tasks.run(broken, on_success=lambda _r: pytest.fail("no success"), on_failure=failures.append)
    qtbot.waitUntil(lambda: len(failures) == 1, timeout=5000)
    assert isinstance(failures[0], MissingKeyError)


def test_default_failure_shows_the_chinese_message(
    qtbot: QtBot, tasks: TaskManager, message_boxes: MessageBoxCatcher
) -> None:
    def invalid(_store: Store) -> None:
        raise ValidationError("phone", "联系电话格式不正确，请填写11位手机号码")

    tasks.run(invalid)
    qtbot.waitUntil(lambda: len(message_boxes.seen) == 1, timeout=5000)
    assert message_boxes.seen[0] == ("出错了", "联系电话格式不正确，请填写11位手机号码")


def test_unexpected_errors_are_not_shown_as_tracebacks(
    qtbot: QtBot, tasks: TaskManager, message_boxes: MessageBoxCatcher
) -> None:
    def bug(_store: Store) -> None:
        raise KeyError("internal detail")

    tasks.run(bug)
    qtbot.waitUntil(lambda: len(message_boxes.seen) == 1, timeout=5000)
    text = message_boxes.texts()[0]
    assert "意外错误" in text
    assert "KeyError" not in text and "internal detail" not in text


def test_cancelled_before_it_starts(qtbot: QtBot, tasks: TaskManager) -> None:
    gate = threading.Event()
    ran: list[str] = []
    cancelled: list[bool] = []
    tasks.run(lambda _store: gate.wait(5))  # keeps the worker busy
    token = tasks.run(
        lambda _store: ran.append("ran"),
        on_success=lambda _r: pytest.fail("cancelled tasks report no success"),
        on_cancelled=lambda: cancelled.append(True),
    )
    token.cancel()
    gate.set()
    qtbot.waitUntil(lambda: cancelled == [True], timeout=5000)
    assert ran == []


def test_a_running_task_sees_its_token(qtbot: QtBot, tasks: TaskManager) -> None:
    token = CancelToken()
    started = threading.Event()
    steps: list[int] = []
    cancelled: list[bool] = []

    def long_job(_store: Store) -> int:
        started.set()
        for i in range(500):
            if token.cancelled:
                break
            steps.append(i)
            threading.Event().wait(0.005)
        return len(steps)

    tasks.run(
        long_job,
        on_success=lambda _n: pytest.fail("cancelled"),
        token=token,
        on_cancelled=lambda: cancelled.append(True),
    )
    assert started.wait(5)
    token.cancel()
    qtbot.waitUntil(lambda: cancelled == [True], timeout=5000)
    assert len(steps) < 500


def test_progress_reports_and_cancels(qtbot: QtBot, tasks: TaskManager) -> None:
    posted: list[tuple[int, int]] = []
    token = CancelToken()
    progress = Progress(token, lambda done, total: posted.append((done, total)))
    assert progress(1, 10) is True
    assert progress(2, 10) is True  # within 50 ms of the last: not posted
    assert progress(10, 10) is True  # the end is always posted
    assert posted == [(1, 10), (10, 10)]
    token.cancel()
    assert progress(10, 10) is False


def test_run_with_progress_delivers_the_result(qtbot: QtBot, tasks: TaskManager) -> None:
    results: list[int] = []

    def job(store: Store, progress: Progress) -> int:
        for i in range(3):
            progress(i + 1, 3)
        return int(store.scalar("SELECT count(*) FROM cases"))

    tasks.run_with_progress(job, on_success=results.append, label="正在统计…")
    qtbot.waitUntil(lambda: results == [CASES], timeout=5000)


def test_call_waits_for_the_worker(tasks: TaskManager) -> None:
    name = tasks.call(lambda _store: threading.current_thread().name)
    assert name.startswith("justice-db")
    with pytest.raises(MissingKeyError):
        tasks.call(lambda _store: (_ for _ in ()).throw(MissingKeyError()))


def test_shutdown_joins_and_closes_the_store(qtbot: QtBot, tmp_path: Path) -> None:
    store = new_office(tmp_path / "office")
    manager = TaskManager(store)
    gate = threading.Event()
    late: list[str] = []
    manager.run(lambda _store: gate.wait(0.2), on_success=lambda _r: late.append("late"))
    manager.shutdown()  # waits for the running task, then closes the connection
    assert manager.closed
    qtbot.wait(50)
    assert late == []  # results after shutdown are dropped
    with pytest.raises(TaskManagerClosedError):
        manager.run(lambda _store: None)
    with pytest.raises(Exception, match="closed"):
        store.conn.execute("SELECT 1")
    manager.shutdown()  # twice is fine


def test_results_keep_their_order_when_a_callback_processes_events(
    qtbot: QtBot, tasks: TaskManager
) -> None:
    second_posted = threading.Event()
    order: list[str] = []

    def first_done(_result: object) -> None:
        order.append("first")
        assert second_posted.wait(5)
        qtbot.wait(20)  # processes events, as a modal progress dialog's setValue() does
        order.append("first finished")

    def second_job(_store: Store) -> None:
        second_posted.set()

    tasks.run(lambda _store: None, on_success=first_done)
    tasks.run(second_job, on_success=lambda _r: order.append("second"))
    qtbot.waitUntil(lambda: len(order) == 3, timeout=5000)
    assert order == ["first", "first finished", "second"]
