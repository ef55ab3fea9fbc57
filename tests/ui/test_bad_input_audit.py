"""Bad input, driven through the real widgets on a real encrypted office database: wrong ID
numbers, over-long text, dates out of order, absurd amounts, a server address that is not
one, a server that answers with HTML or garbage. Each case checks the Chinese message at the
field, that what was typed is still there, and that nothing invalid reached the database."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import requests
from pytestqt.qtbot import QtBot

from sync.client import service
from sync.client.tokens import MemoryTokenStore
from ui.context import AppContext
from ui.qt import Qt, QWidget
from ui.sync_controller import SyncController
from ui.sync_settings import SyncTab

WAIT_MS = 20_000


def click(qtbot: QtBot, widget: QWidget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


# -- a server that answers badly ------------------------------------------------------------------
class _Answer(BaseHTTPRequestHandler):
    status = 200
    content_type = "text/html; charset=utf-8"
    body = b""

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.send_response(self.status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    do_GET = _reply
    do_POST = _reply

    def log_message(self, format: str, *args: Any) -> None:
        return


def _serve(status: int, content_type: str, body: bytes) -> Iterator[str]:
    handler = type(
        "Handler", (_Answer,), {"status": status, "content_type": content_type, "body": body}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def sync_tab(qtbot: QtBot, ctx: AppContext) -> Iterator[SyncTab]:
    controller = SyncController(
        ctx.tasks.second_connection, MemoryTokenStore(), http_factory=requests.Session
    )
    ctx.sync = controller
    tab = SyncTab(ctx)
    qtbot.addWidget(tab)
    tab.show()
    tab.refresh()
    qtbot.waitUntil(lambda: tab.loaded, timeout=5000)
    yield tab
    controller.cancel()
    controller.wait()


def _log_in(qtbot: QtBot, tab: SyncTab, url: str) -> None:
    tab.url_edit.setText(url)
    tab.user_edit.setText("clerk")
    tab.password_edit.setText("secret-pass")
    click(qtbot, tab.login_button)


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("https://[::1", "主机名有误"),  # raised ValueError out of the slot
        ("http://", "主机名有误"),  # was sent to "https://http:"
        ("abc def", "不能有空格"),
        ("sfj.example.gov.cn:abc", "端口"),
        ("https://sfj.example.gov.cn:99999", "端口"),
        ("https://clerk:secret@sfj.example.gov.cn", "用户名或密码"),
    ],
)
def test_a_server_address_that_is_not_one_is_refused_at_the_field(
    qtbot: QtBot, sync_tab: SyncTab, url: str, why: str
) -> None:
    _log_in(qtbot, sync_tab, url)
    assert sync_tab.ctx.sync is not None and not sync_tab.ctx.sync.busy  # no network at all
    message = sync_tab.errors.message_for("url")
    assert message.startswith("服务器地址不正确") and why in message
    assert (sync_tab.url_edit.text(), sync_tab.user_edit.text(), sync_tab.password_edit.text()) == (
        url,
        "clerk",
        "secret-pass",
    )
    assert sync_tab.ctx.tasks.call(service.status).server_url == ""


def test_an_address_typed_with_full_width_punctuation_is_read_as_meant(
    qtbot: QtBot, sync_tab: SyncTab
) -> None:
    for url in _serve(200, "text/html; charset=utf-8", b"<html></html>"):
        port = url.rsplit(":", 1)[1]
        typed = f"http：／／127。0。0。1：{port}／"
        _log_in(qtbot, sync_tab, typed)
        qtbot.waitUntil(lambda: "正在登录" not in sync_tab.errors.banner_text, timeout=WAIT_MS)
        # it reached the server (whose answer is not the sync server's), not the address check
        assert sync_tab.errors.message_for("url") == ""
        assert "无法识别" in sync_tab.errors.banner_text
        assert sync_tab.url_edit.text() == typed


@pytest.mark.parametrize(
    ("status", "ctype", "body"),
    [
        (200, "text/html; charset=utf-8", "<html><body>登录页面</body></html>".encode()),
        (200, "application/json", b"{not json"),
        (200, "application/json", b"[1, 2, 3]"),
        (200, "application/json", b'{"username": 5}'),
        (502, "text/html", b"<html>Bad Gateway</html>"),
        (200, "application/octet-stream", bytes(range(256))),
    ],
)
def test_server_answers_garbage(
    qtbot: QtBot, sync_tab: SyncTab, status: int, ctype: str, body: bytes
) -> None:
    for url in _serve(status, ctype, body):
        _log_in(qtbot, sync_tab, url)
        qtbot.waitUntil(
            lambda: (
                sync_tab.ctx.sync is not None
                and not sync_tab.ctx.sync.busy
                and "正在登录" not in sync_tab.errors.banner_text
            ),
            timeout=WAIT_MS,
        )
        assert "市局服务器" in sync_tab.errors.banner_text
        assert sync_tab.password_edit.text() == "secret-pass"
        assert sync_tab.account_label.text() == "未登录"
