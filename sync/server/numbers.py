"""Case-number blocks handed out to devices, so that case numbers made offline never collide.

Each (office, committee, year) has one counter row holding the first number of the next block.
A grant moves the counter up by the block's size in a single ``UPDATE … RETURNING`` inside one
transaction: on PostgreSQL the row lock makes concurrent grants (from any number of server
processes) wait for each other and see the moved counter; on SQLite every write transaction is
``BEGIN IMMEDIATE`` (see :func:`sync.server.db.make_engine`), so grants run one after another.
Either way no two blocks overlap, and the state lives only in the database.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from sync.protocol import NumberBlockGrant, NumberBlockRequest
from sync.server.accounts import AuthError
from sync.server.authz import Forbidden, Principal, require_write
from sync.server.db import auth_sessions, devices, number_blocks, number_counters


def _device_refused() -> AuthError:
    return AuthError("device_not_registered", "这台电脑没有登记在您的司法所名下，请先登记本机")


def _ensure_counter(conn: sa.Connection, office_id: int, committee_key: str, year: int) -> None:
    values = {"office_id": office_id, "committee_key": committee_key, "year": year, "next_first": 1}
    if conn.dialect.name == "postgresql":
        conn.execute(postgresql.insert(number_counters).values(values).on_conflict_do_nothing())
    else:
        conn.execute(sqlite.insert(number_counters).values(values).on_conflict_do_nothing())


def grant_block(
    engine: Engine, principal: Principal, request: NumberBlockRequest, now: int
) -> NumberBlockGrant:
    """Grant the next block of ``request.size`` numbers to the caller's registered device."""
    office_id = principal.office_id or 0 if request.office_id is None else request.office_id
    require_write(principal, office_id)  # district and city accounts are refused here
    with engine.begin() as conn:
        session_device = conn.execute(
            sa.select(auth_sessions.c.device_id).where(auth_sessions.c.id == principal.session_id)
        ).scalar()
        if session_device is not None and request.device_id not in (None, session_device):
            raise Forbidden("编号段只能发给当前登录的这台电脑")
        device_id = session_device or request.device_id
        if device_id is None:
            raise _device_refused()
        device_office = conn.execute(
            sa.select(devices.c.office_id).where(devices.c.device_id == device_id)
        ).scalar()
        if device_office != office_id:
            raise _device_refused()
        _ensure_counter(conn, office_id, request.committee_id, request.year)
        after = conn.execute(
            number_counters.update()
            .where(
                number_counters.c.office_id == office_id,
                number_counters.c.committee_key == request.committee_id,
                number_counters.c.year == request.year,
            )
            .values(next_first=number_counters.c.next_first + request.size)
            .returning(number_counters.c.next_first)
        ).scalar_one()
        first, last = int(after) - request.size, int(after) - 1
        conn.execute(
            number_blocks.insert().values(
                office_id=office_id,
                committee_key=request.committee_id,
                year=request.year,
                first=first,
                last=last,
                device_id=device_id,
                granted_by=principal.user_id,
                granted_at=now,
            )
        )
    return NumberBlockGrant(
        office_id=office_id,
        committee_id=request.committee_id,
        year=request.year,
        first=first,
        last=last,
        device_id=device_id,
        granted_at=now,
    )
