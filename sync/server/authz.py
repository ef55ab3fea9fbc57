"""Who may read and write which office's data: the one rule every endpoint applies.

* an office role (clerk, lawyer, adviser, head) reads and writes only its own office;
* a district account reads the offices of its district and writes nothing;
* a city account reads every office and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from sync.protocol import Role


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    user_id: int
    username: str
    role: Role
    office_id: int | None
    district: str | None
    """An office user's office district, or a district account's own district."""
    session_id: int


class Forbidden(Exception):
    """The caller may not do this; the message is Chinese, for the user."""


def can_read_office(principal: Principal, office_id: int, office_district: str) -> bool:
    if principal.role is Role.CITY:
        return True
    if principal.role is Role.DISTRICT:
        return principal.district is not None and principal.district == office_district
    return principal.office_id == office_id


def can_write_office(principal: Principal, office_id: int) -> bool:
    return principal.role.is_office_role and principal.office_id == office_id


def require_read(principal: Principal, office_id: int, office_district: str) -> None:
    if not can_read_office(principal, office_id, office_district):
        raise Forbidden("您的账号无权查看这个司法所的数据")


def require_write(principal: Principal, office_id: int) -> None:
    if can_write_office(principal, office_id):
        return
    if not principal.role.is_office_role:
        raise Forbidden("区县和市局账号只能查看，不能修改司法所的数据")
    raise Forbidden("您的账号只能修改本司法所的数据")
