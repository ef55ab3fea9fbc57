"""Office settings managed centrally, against real server processes on both backends: the
city-wide defaults overlaid by an office's own, a version that changes with them, the admin
commands, and who may read them."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy.engine import Engine

from sync.protocol import OfficeSettings, Role
from sync.server.accounts import AccountError
from sync.server.config import unix_now
from sync.server.office_settings import list_settings, set_setting, settings_of
from tests.sync.conftest import Account, Office, bearer, login
from tests.sync.server_process import SERVER_SCRIPT


def _key() -> str:
    """A key of this test alone (the city-wide defaults are shared by every test)."""
    return f"test_{uuid.uuid4().hex[:12]}"


def _get(client: httpx.Client, token: str, office_id: int) -> OfficeSettings:
    response = client.get(f"/api/v1/offices/{office_id}/settings", headers=bearer(token))
    assert response.status_code == 200, response.text
    return OfficeSettings.model_validate(response.json())


def test_defaults_overrides_and_version(
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    office, neighbour = make_office(), make_office()
    token = login(client, make_user(Role.CLERK, office))["access_token"]
    shared, own = _key(), _key()
    start = _get(client, token, office.id)
    assert shared not in start.settings

    v1 = set_setting(engine, shared, "17:30", None, unix_now())
    first = _get(client, token, office.id)
    assert first.office_id == office.id
    assert first.settings[shared] == "17:30"
    assert first.version == v1 > start.version

    v2 = set_setting(engine, shared, "18:00", str(office.id), unix_now())
    v3 = set_setting(engine, own, "12", office.name, unix_now())
    second = _get(client, token, office.id)
    assert second.settings[shared] == "18:00"  # the office's own value wins
    assert second.settings[own] == "12"
    assert second.version == v3 > v2 > v1

    # Setting the same value again changes nothing; another office's change is not ours.
    assert set_setting(engine, own, "12", office.name, unix_now()) == v3
    neighbour_token = login(client, make_user(Role.CLERK, neighbour))["access_token"]
    set_setting(engine, own, "99", neighbour.name, unix_now())
    assert _get(client, token, office.id) == second
    theirs = _get(client, neighbour_token, neighbour.id)
    assert theirs.settings[shared] == "17:30"  # the city-wide default
    assert theirs.settings[own] == "99"

    # A new city-wide default of an overridden key leaves the office's value.
    set_setting(engine, shared, "16:45", None, unix_now())
    third = _get(client, token, office.id)
    assert third.settings[shared] == "18:00"
    assert _get(client, neighbour_token, neighbour.id).settings[shared] == "16:45"
    assert settings_of(engine, office.id).settings == third.settings


def test_invalid_settings_are_refused(engine: Engine, make_office: Callable[..., Office]) -> None:
    office = make_office()
    for key, value, message in (
        ("Bad-Key", "1", "设置项名称“Bad-Key”不符合要求"),
        ("day_end_sync_time", "25:00", "应为“时:分”"),
        ("adviser_monthly_visits_min", "-1", "应为不小于 0 的整数"),
    ):
        with pytest.raises(AccountError, match=message):
            set_setting(engine, key, value, str(office.id), unix_now())
    with pytest.raises(AccountError, match="找不到司法所"):
        set_setting(engine, _key(), "x", "没有这个司法所", unix_now())
    assert [row for row in list_settings(engine) if row.office_id == office.id] == []


def test_who_may_read(
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    office, other = make_office(), make_office()
    key = _key()
    set_setting(engine, key, "甲", office.name, unix_now())
    clerk = login(client, make_user(Role.CLERK, office))["access_token"]
    stranger = login(client, make_user(Role.HEAD, other))["access_token"]
    district = login(client, make_user(Role.DISTRICT, district=office.district))["access_token"]
    far_district = login(client, make_user(Role.DISTRICT, district=other.district))["access_token"]
    city = login(client, make_user(Role.CITY))["access_token"]
    path = f"/api/v1/offices/{office.id}/settings"
    for token in (clerk, district, city):
        assert _get(client, token, office.id).settings[key] == "甲"
    for token in (stranger, far_district):
        refused = client.get(path, headers=bearer(token))
        assert refused.status_code == 403
        assert refused.json()["message"] == "您的账号无权查看这个司法所的数据"
    assert (
        client.get("/api/v1/offices/2000000000/settings", headers=bearer(city)).status_code == 404
    )
    assert client.get(path).status_code == 401


def test_admin_commands(database_url: str, make_office: Callable[..., Office]) -> None:
    office = make_office()

    def admin(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SERVER_SCRIPT), "admin", *args, "--database-url", database_url],
            capture_output=True,
            text=True,
            timeout=120,
        )

    key = _key()
    made = admin("set-setting", "--key", key, "--value", "5", "--office", office.name)
    assert made.returncode == 0, made.stderr
    assert f"已设置司法所“{office.name}”的 {key} = 5" in made.stdout
    city_wide = admin("set-setting", "--key", key, "--value", "3")
    assert city_wide.returncode == 0, city_wide.stderr
    assert f"已设置全市默认的 {key} = 3" in city_wide.stdout
    bad = admin("set-setting", "--key", "day_end_sync_time", "--value", "5点半")
    assert bad.returncode == 1
    assert "应为“时:分”" in bad.stderr
    listing = admin("list-settings")
    assert listing.returncode == 0, listing.stderr
    assert f"全市默认\t{key}\t3\t" in listing.stdout
    assert f"{office.id} {office.name}\t{key}\t5\t" in listing.stdout
