"""Turns to sync: the day-end rush, when every office syncs at the same moment, is spread by
letting at most ``TurnLimits.max_syncs`` login sessions sync at once across every server process
(the table ``sync_turns``; no state in the process).

A client asks for a turn before it pushes (``POST /sync/turn``) and gives it back when done
(``DELETE /sync/turn``); a session turned away asks again after ``retry_after`` seconds. A
turn not given back expires after ``lease_seconds`` (a client that was cut off), and asking
again renews it. The turn only spreads the load: the other routes serve a session with or
without one, so an old client or a very long sync is never refused. Each grant runs alone
(PostgreSQL: a transaction-level advisory lock; SQLite: ``BEGIN IMMEDIATE``), so the limit
holds however many processes answer."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.protocol import SyncTurn
from sync.server.authz import Principal, require_write
from sync.server.config import TurnLimits
from sync.server.db import sync_turns

_GRANT_LOCK = 0x5F7C_7E25
"""PostgreSQL advisory lock key serializing grants."""


def take_turn(engine: Engine, principal: Principal, limits: TurnLimits, now: int) -> SyncTurn:
    """Grant (or renew) the caller's turn when fewer than the limit are syncing."""
    require_write(principal, principal.office_id or 0)  # district and city accounts don't sync
    office_id = principal.office_id or 0
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_GRANT_LOCK)))
        conn.execute(sa.delete(sync_turns).where(sync_turns.c.expires_at <= now))
        mine = sync_turns.c.session_id == principal.session_id
        syncing = int(conn.execute(sa.select(sa.func.count()).select_from(sync_turns)).scalar_one())
        held = conn.execute(sa.select(sync_turns.c.session_id).where(mine)).first() is not None
        expires = now + limits.lease_seconds
        if held:
            conn.execute(sa.update(sync_turns).where(mine).values(expires_at=expires))
        elif limits.max_syncs <= 0 or syncing < limits.max_syncs:
            conn.execute(
                sa.insert(sync_turns).values(
                    session_id=principal.session_id,
                    office_id=office_id,
                    granted_at=now,
                    expires_at=expires,
                )
            )
            syncing += 1
        else:
            return SyncTurn(
                granted=False,
                retry_after=limits.retry_seconds,
                syncing=syncing,
                limit=limits.max_syncs,
            )
    return SyncTurn(granted=True, retry_after=0, syncing=syncing, limit=limits.max_syncs)


def give_back(engine: Engine, principal: Principal) -> None:
    """End the caller's turn (nothing happens when it holds none)."""
    with engine.begin() as conn:
        conn.execute(sa.delete(sync_turns).where(sync_turns.c.session_id == principal.session_id))
