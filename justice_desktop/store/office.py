"""The office itself: its committees, local users, and this machine's numbering role."""

from __future__ import annotations

from dataclasses import dataclass

from justice_desktop.store.database import Store
from justice_desktop.store.numbers import LOCAL_AUTHORITY
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import require_text

SYSTEM_USER = "system"
ROLE_LABELS = {"clerk": "司法所工作人员", "lawyer": "律师", "adviser": "法律顾问", "head": "所长"}


@dataclass(frozen=True)
class OfficeSetup:
    office_name: str
    committee_name: str
    number_prefix: str
    body_type: str = "subdistrict"
    user_name: str = "管理员"
    user_role: str = "head"
    standalone: bool = True


def set_up_office(store: Store, setup: OfficeSetup) -> dict[str, str]:
    """First-run setup; returns the ids of the office, its first committee and first user."""
    office_name = require_text(setup.office_name, "office_name", "司法所名称", 50)
    committee_name = require_text(setup.committee_name, "committee_name", "调委会名称", 60)
    prefix = require_text(setup.number_prefix, "number_prefix", "案号简称", 10)
    if setup.user_role not in ROLE_LABELS:
        raise ValidationError("user_role", "请选择用户角色。")
    with store.tx(SYSTEM_USER) as tx:
        office_id = tx.insert("offices", {"name": office_name})
        committee_id = tx.insert(
            "committees",
            {
                "office_id": office_id,
                "name": committee_name,
                "number_prefix": prefix,
                "body_type": setup.body_type,
            },
        )
        user_id = tx.insert(
            "users",
            {
                "name": require_text(setup.user_name, "user_name", "姓名", 30),
                "role": setup.user_role,
            },
        )
        store.set_meta("office_id", office_id)
        store.set_meta("numbering_authority", LOCAL_AUTHORITY if setup.standalone else "server")
    return {"office_id": office_id, "committee_id": committee_id, "user_id": user_id}


def add_committee(
    store: Store, user_id: str, name: str, prefix: str, body_type: str, village: str = ""
) -> str:
    office_id = store.meta("office_id")
    if not office_id:
        raise ValidationError("office", "请先设置司法所信息。")
    with store.tx(user_id) as tx:
        return tx.insert(
            "committees",
            {
                "office_id": office_id,
                "name": require_text(name, "name", "调委会名称", 60),
                "number_prefix": require_text(prefix, "number_prefix", "案号简称", 10),
                "body_type": body_type,
                "village": village,
            },
        )


def add_user(store: Store, acting_user: str, name: str, role: str) -> str:
    if role not in ROLE_LABELS:
        raise ValidationError("role", "请选择用户角色。")
    with store.tx(acting_user) as tx:
        return tx.insert("users", {"name": require_text(name, "name", "姓名", 30), "role": role})


def committees(store: Store) -> list[dict[str, str]]:
    return store.query(
        "SELECT id, name, number_prefix, body_type FROM committees WHERE deleted = 0 ORDER BY created_at"
    )


def users(store: Store) -> list[dict[str, str]]:
    return store.query(
        "SELECT id, name, role FROM users WHERE deleted = 0 AND active = 1 ORDER BY created_at"
    )
