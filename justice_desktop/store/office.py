"""The office itself: its committees, local users, and this machine's numbering role."""

from __future__ import annotations

from dataclasses import dataclass, replace

from justice_desktop.store.database import Store
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import require_text, validate_number_prefix

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


def check_office_setup(setup: OfficeSetup) -> OfficeSetup:
    """The setup with its texts stripped, or the first :class:`ValidationError` (fields
    ``office_name``, ``committee_name``, ``number_prefix``, ``body_type``, ``user_name``,
    ``user_role``, in the order the first-run wizard asks for them)."""
    office_name = require_text(setup.office_name, "office_name", "司法所名称", 50)
    committee_name = require_text(setup.committee_name, "committee_name", "调委会名称", 60)
    prefix = validate_number_prefix(setup.number_prefix, "number_prefix")
    if not setup.body_type:
        raise ValidationError("body_type", "请选择调委会类型。")
    user_name = require_text(setup.user_name, "user_name", "姓名", 30)
    if setup.user_role not in ROLE_LABELS:
        raise ValidationError("user_role", "请选择用户角色。")
    return replace(
        setup,
        office_name=office_name,
        committee_name=committee_name,
        number_prefix=prefix,
        user_name=user_name,
    )


def set_up_office(store: Store, setup: OfficeSetup) -> dict[str, str]:
    """First-run setup; returns the ids of the office, its first committee and first user."""
    setup = check_office_setup(setup)
    with store.tx(SYSTEM_USER) as tx:
        office_id = tx.insert("offices", {"name": setup.office_name})
        committee_id = tx.insert(
            "committees",
            {
                "office_id": office_id,
                "name": setup.committee_name,
                "number_prefix": setup.number_prefix,
                "body_type": setup.body_type,
            },
        )
        user_id = tx.insert("users", {"name": setup.user_name, "role": setup.user_role})
        store.set_meta("office_id", office_id)
        from justice_desktop.store.numbers import LOCAL_AUTHORITY  # only when setting up

        store.set_meta("numbering_authority", LOCAL_AUTHORITY if setup.standalone else "server")
    return {"office_id": office_id, "committee_id": committee_id, "user_id": user_id}


def _committee_values(name: str, prefix: str, body_type: str) -> dict[str, str]:
    values = {
        "name": require_text(name, "name", "调委会名称", 60),
        "number_prefix": validate_number_prefix(prefix, "number_prefix"),
    }
    if not body_type:
        raise ValidationError("body_type", "请选择调委会类型。")
    return {**values, "body_type": body_type}


def _check_committee_name(store: Store, name: str, except_id: str | None = None) -> None:
    taken = store.scalar(
        "SELECT 1 FROM committees WHERE deleted = 0 AND name = ? AND id != ?",
        (name, except_id or ""),
    )
    if taken:
        raise ValidationError("name", f"已有名为“{name}”的调委会。")


def add_committee(
    store: Store, user_id: str, name: str, prefix: str, body_type: str, village: str = ""
) -> str:
    office_id = store.meta("office_id")
    if not office_id:
        raise ValidationError("office", "请先设置司法所信息。")
    values = _committee_values(name, prefix, body_type)
    _check_committee_name(store, values["name"])
    with store.tx(user_id) as tx:
        return tx.insert("committees", {**values, "office_id": office_id, "village": village})


def update_committee(
    store: Store, user_id: str, committee_id: str, name: str, prefix: str, body_type: str
) -> None:
    """Rename a committee or change its 案号简称 / type. Case numbers already given keep
    their old prefix (numbers never change once printed); new cases use the new one."""
    values = _committee_values(name, prefix, body_type)
    _check_committee_name(store, values["name"], committee_id)
    with store.tx(user_id) as tx:
        tx.update("committees", committee_id, values)


def office_id_of(store: Store) -> str | None:
    office_id = store.meta("office_id")
    if office_id:
        return office_id
    found = store.scalar("SELECT id FROM offices WHERE deleted = 0 ORDER BY created_at LIMIT 1")
    return None if found is None else str(found)


def office_name(store: Store) -> str:
    """The office's name ("" before the office is set up)."""
    office_id = office_id_of(store)
    if office_id is None:
        return ""
    name = store.scalar("SELECT name FROM offices WHERE id = ? AND deleted = 0", (office_id,))
    return str(name or "")


def rename_office(store: Store, user_id: str, name: str) -> None:
    office_id = office_id_of(store)
    if office_id is None:
        raise ValidationError("office_name", "请先设置司法所信息。")
    with store.tx(user_id) as tx:
        tx.update(
            "offices", office_id, {"name": require_text(name, "office_name", "司法所名称", 50)}
        )


def add_user(store: Store, acting_user: str, name: str, role: str) -> str:
    text = require_text(name, "name", "姓名", 30)
    if role not in ROLE_LABELS:
        raise ValidationError("role", "请选择用户角色。")
    taken = store.scalar(
        "SELECT 1 FROM users WHERE deleted = 0 AND active = 1 AND name = ?", (text,)
    )
    if taken:  # records and the audit log name their user: two of one name cannot be told apart
        raise ValidationError(
            "name",
            f"已有名为“{text}”的用户。如确是同名的两个人，请加以区别，如“{text}（调解员）”。",
        )
    with store.tx(acting_user) as tx:
        return tx.insert("users", {"name": text, "role": role})


def deactivate_user(store: Store, acting_user: str, user_id: str) -> None:
    """停用: the profile no longer appears among the users; its records keep its name."""
    if user_id == acting_user:
        raise ValidationError("user", "不能停用当前登录的用户，请先切换到其他用户。")
    with store.tx(acting_user) as tx:
        row = tx.require("users", user_id)
        if not row["active"]:
            raise ValidationError("user", f"用户“{row['name']}”已停用。")
        tx.update("users", user_id, {"active": 0})


def committees(store: Store) -> list[dict[str, str]]:
    return store.query(
        "SELECT id, name, number_prefix, body_type FROM committees WHERE deleted = 0 ORDER BY created_at"
    )


def users(store: Store) -> list[dict[str, str]]:
    return store.query(
        "SELECT id, name, role FROM users WHERE deleted = 0 AND active = 1 ORDER BY created_at"
    )
