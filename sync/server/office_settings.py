"""Office settings the city bureau manages centrally.

A setting is a key and a text value, either city-wide (the default for every office) or for
one office (overriding the default). An office's settings are the city-wide ones overlaid by
its own (``GET /api/v1/offices/{office_id}/settings``); their ``version`` is the largest
change counter among the rows that apply, so a client that remembers it can tell when anything
changed. The city bureau sets them with ``justice-city-server admin set-setting``.

Known keys (any key matching ``^[a-z][a-z0-9_]{0,63}$`` is accepted):

* ``day_end_sync_time`` — when the day-end sync reminder comes, ``HH:MM`` (e.g. ``17:30``);
* ``understander_training_hours_target`` — training hours a year each mediator should reach;
* ``adviser_monthly_visits_min`` — the fewest visits a month of each legal adviser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.protocol import OfficeSettings
from sync.server.accounts import AccountError, _find_office
from sync.server.db import office_settings, offices

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
MAX_VALUE_LENGTH = 10_000


def _is_time(value: str) -> bool:
    return re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", value) is not None


def _is_count(value: str) -> bool:
    return re.fullmatch(r"\d{1,6}", value) is not None


KNOWN_SETTINGS: dict[str, tuple[str, Callable[[str], bool], str]] = {
    "day_end_sync_time": ("日终同步提醒时间", _is_time, "应为“时:分”，如 17:30"),
    "understander_training_hours_target": (
        "人民调解员年度培训学时目标",
        _is_count,
        "应为不小于 0 的整数",
    ),
    "adviser_monthly_visits_min": ("法律顾问每月最少走访次数", _is_count, "应为不小于 0 的整数"),
}
"""Key → (Chinese label, value check, what a valid value looks like)."""


@dataclass(frozen=True)
class SettingRow:
    office_id: int | None
    office_name: str | None
    key: str
    value: str
    version: int
    updated_at: int


def validate(key: str, value: str) -> tuple[str, str]:
    """The key and value as stored; raises :class:`AccountError` (Chinese) when invalid."""
    key = key.strip()
    value = value.strip()
    if KEY_PATTERN.fullmatch(key) is None:
        raise AccountError(
            f"设置项名称“{key}”不符合要求：须以小写字母开头，只含小写字母、数字和下划线，最长 64 个字符"
        )
    if len(value) > MAX_VALUE_LENGTH:
        raise AccountError(f"设置值过长（最多 {MAX_VALUE_LENGTH} 个字符）")
    known = KNOWN_SETTINGS.get(key)
    if known is not None and not known[1](value):
        raise AccountError(f"“{known[0]}”（{key}）的值“{value}”不正确：{known[2]}")
    return key, value


def set_setting(engine: Engine, key: str, value: str, office: str | None, now: int) -> int:
    """Set a city-wide setting (``office`` None) or one office's (by name or id); returns the
    version it has now. Setting the value it already has changes nothing."""
    key, value = validate(key, value)
    with engine.begin() as conn:
        office_id: int | None = None
        if office is not None:
            found = _find_office(conn, office)
            if found is None:
                raise AccountError(f"找不到司法所“{office.strip()}”")
            office_id = found.id
        scope = (
            office_settings.c.office_id.is_(None)
            if office_id is None
            else office_settings.c.office_id == office_id
        )
        existing = conn.execute(
            sa.select(office_settings.c.id, office_settings.c.value, office_settings.c.version)
            .where(scope, office_settings.c.key == key)
            .with_for_update()
        ).first()
        if existing is not None and existing.value == value:
            return int(existing.version)
        # Lock the newest row so two changes at once get different versions (PostgreSQL).
        newest = conn.execute(
            sa.select(office_settings.c.version)
            .order_by(office_settings.c.version.desc())
            .limit(1)
            .with_for_update()
        ).scalar()
        version = int(newest or 0) + 1
        if existing is None:
            conn.execute(
                office_settings.insert().values(
                    office_id=office_id, key=key, value=value, version=version, updated_at=now
                )
            )
        else:
            conn.execute(
                office_settings.update()
                .where(office_settings.c.id == existing.id)
                .values(value=value, version=version, updated_at=now)
            )
    return version


def list_settings(engine: Engine) -> list[SettingRow]:
    """Every setting: the city-wide ones first, then by office and key."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                office_settings.c.office_id,
                offices.c.name,
                office_settings.c.key,
                office_settings.c.value,
                office_settings.c.version,
                office_settings.c.updated_at,
            )
            .select_from(office_settings.outerjoin(offices))
            .order_by(
                office_settings.c.office_id.is_not(None),
                office_settings.c.office_id,
                office_settings.c.key,
            )
        ).all()
    return [
        SettingRow(
            office_id=row.office_id,
            office_name=row.name,
            key=row.key,
            value=row.value,
            version=int(row.version),
            updated_at=int(row.updated_at),
        )
        for row in rows
    ]


def settings_of(engine: Engine, office_id: int) -> OfficeSettings:
    """The office's settings: city-wide defaults overlaid by its own (authorization is the
    caller's job)."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(
                office_settings.c.office_id,
                office_settings.c.key,
                office_settings.c.value,
                office_settings.c.version,
            ).where(
                sa.or_(
                    office_settings.c.office_id.is_(None),
                    office_settings.c.office_id == office_id,
                )
            )
        ).all()
    values: dict[str, str] = {}
    version = 0
    # City-wide rows first, so the office's own override them.
    for row in sorted(rows, key=lambda row: row.office_id is not None):
        values[row.key] = row.value
        version = max(version, int(row.version))
    return OfficeSettings(
        office_id=office_id, version=version, settings=dict(sorted(values.items()))
    )
