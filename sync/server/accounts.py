"""Offices, users, devices, login sessions and tokens: every database read and write of them.

Every function takes the engine and runs its own short transaction. Password verification
(argon2, deliberately slow) runs outside any transaction so that it never holds a lock. Times are
Unix seconds passed in by the caller (``now``), which keeps the rules testable.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from sync.protocol import DeviceInfo, DeviceRegistration, Me, OfficeInfo, Role, TokenPair
from sync.server import security
from sync.server.authz import Principal, require_write
from sync.server.db import (
    access_tokens,
    auth_sessions,
    devices,
    login_failures,
    offices,
    refresh_tokens,
    users,
)


@dataclass(frozen=True)
class TokenLifetimes:
    access_seconds: int = 15 * 60
    refresh_seconds: int = 30 * 24 * 3600
    refresh_reuse_grace_seconds: int = 60
    """A refresh token presented again this soon (its answer was lost on the way) gets a new pair;
    later, the reuse means a stolen token and the whole session is revoked."""


@dataclass(frozen=True)
class LoginLimits:
    window_seconds: int = 15 * 60
    failures_per_account: int = 5
    failures_per_address: int = 30
    password_hashing: security.PasswordHashing = security.PasswordHashing.PRODUCTION
    """The cost of a login's password work: the hash a login stores when the stored one has other
    parameters, and the decoy verification for an unknown name. The stored hash is verified with
    its own parameters. Only test servers use anything but production hashing."""


class AccountError(Exception):
    """An admin request that cannot be done; the message is Chinese."""


class AuthError(Exception):
    """Authentication refused. ``code`` for programs, the message (Chinese) for people."""

    def __init__(self, code: str, message: str, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class DeviceConflict(Exception):
    """The device id is registered to another office."""


# ---------------------------------------------------------------------------------------- admin


def create_office(engine: Engine, name: str, district: str, now: int) -> int:
    name, district = name.strip(), district.strip()
    if not name or not district:
        raise AccountError("司法所名称和所属区县都不能为空")
    try:
        with engine.begin() as conn:
            result = conn.execute(
                offices.insert().values(name=name, district=district, created_at=now)
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])
    except IntegrityError:
        raise AccountError(f"已有名为“{name}”的司法所") from None


def _find_office(conn: sa.Connection, ref: str) -> OfficeInfo | None:
    """An office by its name, or by its id."""
    query = sa.select(offices.c.id, offices.c.name, offices.c.district)
    row = conn.execute(query.where(offices.c.name == ref.strip())).first()
    if row is None and ref.strip().isdigit():
        row = conn.execute(query.where(offices.c.id == int(ref))).first()
    return None if row is None else OfficeInfo(id=row.id, name=row.name, district=row.district)


def create_user(
    engine: Engine,
    *,
    username: str,
    role: Role,
    password: str,
    now: int,
    full_name: str = "",
    office: str | None = None,
    district: str | None = None,
    hashing: security.PasswordHashing = security.PasswordHashing.PRODUCTION,
) -> int:
    """Create an account. Office roles need ``office`` (its name or id); a district account needs
    ``district``; a city account neither. ``hashing``: production, except for test accounts."""
    username = username.strip()
    if not username:
        raise AccountError("用户名不能为空")
    problem = security.password_problem(password)
    if problem:
        raise AccountError(problem)
    password_hash = security.hash_password(password, hashing)
    try:
        with engine.begin() as conn:
            office_id: int | None = None
            if role.is_office_role:
                if not office:
                    raise AccountError("司法所的账号必须指定所属司法所（--office）")
                found = _find_office(conn, office)
                if found is None:
                    raise AccountError(f"找不到司法所“{office}”")
                office_id, district = found.id, None
            elif role is Role.DISTRICT:
                if office or not (district and district.strip()):
                    raise AccountError("区县账号只指定所属区县（--district），不属于某个司法所")
                district = district.strip()
            else:
                if office or district:
                    raise AccountError("市局账号不属于任何司法所或区县")
            result = conn.execute(
                users.insert().values(
                    username=username,
                    full_name=full_name.strip() or username,
                    role=role.value,
                    office_id=office_id,
                    district=district,
                    password_hash=password_hash,
                    active=True,
                    created_at=now,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])
    except IntegrityError:
        raise AccountError(f"用户名“{username}”已被使用") from None


def _revoke_user_sessions(conn: sa.Connection, user_id: int, now: int) -> None:
    conn.execute(
        auth_sessions.update()
        .where(auth_sessions.c.user_id == user_id, auth_sessions.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def reset_password(engine: Engine, username: str, password: str, now: int) -> None:
    """Set a new password and end every session of the account (its devices log in again)."""
    problem = security.password_problem(password)
    if problem:
        raise AccountError(problem)
    password_hash = security.hash_password(password)
    with engine.begin() as conn:
        user_id = conn.execute(
            sa.select(users.c.id).where(users.c.username == username.strip())
        ).scalar()
        if user_id is None:
            raise AccountError(f"找不到用户“{username}”")
        conn.execute(
            users.update().where(users.c.id == user_id).values(password_hash=password_hash)
        )
        _revoke_user_sessions(conn, user_id, now)
        conn.execute(login_failures.delete().where(login_failures.c.username == username.strip()))


@dataclass(frozen=True)
class UserListing:
    id: int
    username: str
    full_name: str
    role: Role
    office: str | None
    district: str | None
    active: bool


def list_offices(engine: Engine) -> list[OfficeInfo]:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(offices.c.id, offices.c.name, offices.c.district).order_by(
                offices.c.district, offices.c.name
            )
        ).all()
    return [OfficeInfo(id=r.id, name=r.name, district=r.district) for r in rows]


def list_users(engine: Engine) -> list[UserListing]:
    query = (
        sa.select(
            users.c.id,
            users.c.username,
            users.c.full_name,
            users.c.role,
            offices.c.name.label("office"),
            sa.func.coalesce(users.c.district, offices.c.district).label("district"),
            users.c.active,
        )
        .select_from(users.outerjoin(offices, users.c.office_id == offices.c.id))
        .order_by(users.c.id)
    )
    with engine.connect() as conn:
        rows = conn.execute(query).all()
    return [
        UserListing(
            id=r.id,
            username=r.username,
            full_name=r.full_name,
            role=Role(r.role),
            office=r.office,
            district=r.district,
            active=bool(r.active),
        )
        for r in rows
    ]


# ------------------------------------------------------------------------------- authentication


def _issue_pair(
    conn: sa.Connection, session_id: int, now: int, lifetimes: TokenLifetimes
) -> TokenPair:
    access, refresh = security.new_token(), security.new_token()
    conn.execute(
        access_tokens.insert().values(
            token_hash=security.token_hash(access),
            session_id=session_id,
            expires_at=now + lifetimes.access_seconds,
        )
    )
    conn.execute(
        refresh_tokens.insert().values(
            token_hash=security.token_hash(refresh),
            session_id=session_id,
            expires_at=now + lifetimes.refresh_seconds,
            used_at=None,
        )
    )
    return TokenPair(
        access_token=access,
        refresh_token=refresh,
        access_expires_in=lifetimes.access_seconds,
        refresh_expires_in=lifetimes.refresh_seconds,
    )


def _minutes(seconds: int) -> int:
    return max(1, -(-seconds // 60))


def login(
    engine: Engine,
    *,
    username: str,
    password: str,
    address: str,
    device_id: str | None,
    now: int,
    limits: LoginLimits,
    lifetimes: TokenLifetimes,
) -> TokenPair:
    """Check the password and open a session. Failed attempts are counted in the database per
    account and per client address; over the limit, even the right password is refused until the
    window has passed."""
    username = username.strip()
    since = now - limits.window_seconds
    with engine.begin() as conn:
        conn.execute(login_failures.delete().where(login_failures.c.at <= since))
        for column, value, limit in (
            (login_failures.c.username, username, limits.failures_per_account),
            (login_failures.c.address, address, limits.failures_per_address),
        ):
            count, oldest = conn.execute(
                sa.select(sa.func.count(), sa.func.min(login_failures.c.at)).where(
                    column == value, login_failures.c.at > since
                )
            ).one()
            if count >= limit:
                wait = int(oldest) + limits.window_seconds - now
                raise AuthError(
                    "too_many_attempts",
                    f"登录失败次数过多，请 {_minutes(wait)} 分钟后再试",
                    retry_after=max(1, wait),
                )
        user = conn.execute(
            sa.select(users.c.id, users.c.password_hash, users.c.active, users.c.office_id).where(
                users.c.username == username
            )
        ).first()

    if user is None:
        security.waste_verification(password, limits.password_hashing)
        ok = False
    else:
        ok = security.verify_password(user.password_hash, password) and bool(user.active)

    with engine.begin() as conn:
        if not ok or user is None:
            conn.execute(login_failures.insert().values(username=username, address=address, at=now))
            failure = AuthError("invalid_credentials", "用户名或密码不正确")
        else:
            failure = None
    if failure is not None:
        raise failure
    assert user is not None

    with engine.begin() as conn:
        if device_id is not None:
            device_office = conn.execute(
                sa.select(devices.c.office_id).where(devices.c.device_id == device_id)
            ).scalar()
            if device_office is None or device_office != user.office_id:
                raise AuthError(
                    "device_not_registered", "这台电脑没有登记在您的司法所名下，请先登记本机"
                )
            conn.execute(
                devices.update().where(devices.c.device_id == device_id).values(last_seen_at=now)
            )
        conn.execute(login_failures.delete().where(login_failures.c.username == username))
        if security.needs_rehash(user.password_hash, limits.password_hashing):
            conn.execute(
                users.update()
                .where(users.c.id == user.id)
                .values(password_hash=security.hash_password(password, limits.password_hashing))
            )
        conn.execute(
            access_tokens.delete().where(
                access_tokens.c.expires_at < now - lifetimes.access_seconds
            )
        )
        conn.execute(refresh_tokens.delete().where(refresh_tokens.c.expires_at < now))
        result = conn.execute(
            auth_sessions.insert().values(
                user_id=user.id, device_id=device_id, created_at=now, revoked_at=None
            )
        )
        key = result.inserted_primary_key
        assert key is not None
        return _issue_pair(conn, int(key[0]), now, lifetimes)


def _session_gone() -> AuthError:
    return AuthError("session_ended", "登录已失效，请重新登录")


def refresh(engine: Engine, refresh_token: str, now: int, lifetimes: TokenLifetimes) -> TokenPair:
    """A new token pair for a valid refresh token, which is used up (rotation)."""
    digest = security.token_hash(refresh_token)
    revoked = False
    with engine.begin() as conn:
        row = conn.execute(
            sa.select(
                refresh_tokens.c.session_id,
                refresh_tokens.c.expires_at,
                refresh_tokens.c.used_at,
                auth_sessions.c.revoked_at,
                users.c.active,
            )
            .select_from(
                refresh_tokens.join(
                    auth_sessions, refresh_tokens.c.session_id == auth_sessions.c.id
                ).join(users, auth_sessions.c.user_id == users.c.id)
            )
            .where(refresh_tokens.c.token_hash == digest)
        ).first()
        if row is None or row.revoked_at is not None or not row.active or row.expires_at <= now:
            raise _session_gone()
        if row.used_at is None:
            claimed = conn.execute(
                refresh_tokens.update()
                .where(refresh_tokens.c.token_hash == digest, refresh_tokens.c.used_at.is_(None))
                .values(used_at=now)
            ).rowcount
            reuse_ok = claimed == 1
        else:
            reuse_ok = now - int(row.used_at) <= lifetimes.refresh_reuse_grace_seconds
        if reuse_ok:
            return _issue_pair(conn, row.session_id, now, lifetimes)
        conn.execute(
            auth_sessions.update()
            .where(auth_sessions.c.id == row.session_id)
            .values(revoked_at=now)
        )
        revoked = True
    assert revoked
    raise _session_gone()


def logout(engine: Engine, session_id: int, now: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            auth_sessions.update()
            .where(auth_sessions.c.id == session_id, auth_sessions.c.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def authenticate(engine: Engine, access_token: str, now: int) -> Principal | None:
    """The caller behind a valid access token, or None (unknown, expired or revoked)."""
    query = (
        sa.select(
            users.c.id,
            users.c.username,
            users.c.role,
            users.c.office_id,
            sa.func.coalesce(users.c.district, offices.c.district).label("district"),
            access_tokens.c.session_id,
        )
        .select_from(
            access_tokens.join(auth_sessions, access_tokens.c.session_id == auth_sessions.c.id)
            .join(users, auth_sessions.c.user_id == users.c.id)
            .outerjoin(offices, users.c.office_id == offices.c.id)
        )
        .where(
            access_tokens.c.token_hash == security.token_hash(access_token),
            access_tokens.c.expires_at > now,
            auth_sessions.c.revoked_at.is_(None),
            users.c.active.is_(True),
        )
    )
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    return Principal(
        user_id=row.id,
        username=row.username,
        role=Role(row.role),
        office_id=row.office_id,
        district=row.district,
        session_id=row.session_id,
    )


# ------------------------------------------------------------------------------ reads and writes


def get_office(engine: Engine, office_id: int) -> OfficeInfo | None:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(offices.c.id, offices.c.name, offices.c.district).where(
                offices.c.id == office_id
            )
        ).first()
    return None if row is None else OfficeInfo(id=row.id, name=row.name, district=row.district)


def me(engine: Engine, principal: Principal) -> Me:
    with engine.connect() as conn:
        row = conn.execute(
            sa.select(users.c.full_name).where(users.c.id == principal.user_id)
        ).one()
    office = None if principal.office_id is None else get_office(engine, principal.office_id)
    return Me(
        id=principal.user_id,
        username=principal.username,
        full_name=row.full_name,
        role=principal.role,
        office=office,
        district=principal.district,
    )


def _device_info(row: sa.RowMapping) -> DeviceInfo:
    return DeviceInfo(
        device_id=row["device_id"],
        office_id=row["office_id"],
        name=row["name"],
        registered_by=row["registered_by"],
        registered_at=row["registered_at"],
    )


_DEVICE_COLUMNS = (
    devices.c.device_id,
    devices.c.office_id,
    devices.c.name,
    devices.c.registered_by,
    devices.c.registered_at,
)


def register_device(
    engine: Engine, principal: Principal, registration: DeviceRegistration, now: int
) -> DeviceInfo:
    """Bind a device id to the caller's office. Registering it again for the same office is a
    no-op that returns the stored registration; a device of another office is refused."""
    require_write(principal, registration.office_id)
    select = sa.select(*_DEVICE_COLUMNS).where(devices.c.device_id == registration.device_id)
    for _attempt in range(2):
        with engine.begin() as conn:
            row = conn.execute(select).first()
            if row is None:
                try:
                    with conn.begin_nested():
                        conn.execute(
                            devices.insert().values(
                                device_id=registration.device_id,
                                office_id=registration.office_id,
                                name=registration.name,
                                registered_by=principal.user_id,
                                registered_at=now,
                                last_seen_at=now,
                            )
                        )
                except IntegrityError:
                    continue  # registered at the same moment by another request: read it again
                row = conn.execute(select).one()
        if row.office_id != registration.office_id:
            raise DeviceConflict("这台电脑已登记在其他司法所名下，不能再登记到本所")
        return _device_info(row._mapping)
    raise DeviceConflict("登记本机时发生冲突，请重试")
