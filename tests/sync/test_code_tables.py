"""The code tables the city server publishes: the shipped tables, their content version as an
ETag, and 304 when the client already holds that version — on a real server, both backends."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import httpx

from justice_desktop.codes import TABLE_NAMES, load_code_tables
from justice_desktop.paths import resources_dir
from sync.protocol import CodeTables, Role
from sync.server.codes import published_code_tables
from tests.sync.conftest import Account, Office, bearer, login

CODE_TABLES = "/api/v1/code-tables"


def test_the_shipped_tables_are_served(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    token = login(client, make_user(Role.CLERK, make_office()))["access_token"]
    response = client.get(CODE_TABLES, headers=bearer(token))
    assert response.status_code == 200, response.text
    served = CodeTables.model_validate(response.json())
    assert response.headers["ETag"] == f'"{served.version}"'
    assert {table.table for table in served.tables} == set(TABLE_NAMES)
    shipped = load_code_tables(resources_dir())
    for table in served.tables:
        local = shipped[table.table]
        assert (table.title, table.version) == (local.title, local.version)
        assert [(e.code, e.label, e.parent) for e in table.entries] == [
            (e.code, e.label, e.parent) for e in local.entries
        ]
    disputes = next(t for t in served.tables if t.table == "dispute_types")
    assert any(entry.parent is not None for entry in disputes.entries)  # nesting is kept


def test_an_unchanged_version_answers_304(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    token = login(client, make_user(Role.HEAD, make_office()))["access_token"]
    first = client.get(CODE_TABLES, headers=bearer(token))
    etag = first.headers["ETag"]
    again = client.get(CODE_TABLES, headers={**bearer(token), "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    stale = client.get(CODE_TABLES, headers={**bearer(token), "If-None-Match": '"old-version"'})
    assert stale.status_code == 200
    assert stale.json() == first.json()


def test_code_tables_need_a_login(client: httpx.Client) -> None:
    response = client.get(CODE_TABLES)
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"


def test_the_version_follows_the_content(tmp_path: Path) -> None:
    copy = tmp_path / "resources"
    shutil.copytree(resources_dir() / "codes", copy / "codes")
    before = published_code_tables(copy)
    assert published_code_tables(copy).version == before.version  # stable
    path = copy / "codes" / "case_sources.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    data["entries"][0]["label"] = data["entries"][0]["label"] + "（修订）"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    after = published_code_tables(copy)
    assert after.version != before.version
    sources = next(t for t in after.tables if t.table == "case_sources")
    assert sources.entries[0].label.endswith("（修订）")
