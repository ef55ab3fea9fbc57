"""The 法律明白人 roster, trainings with attendance, yearly hours and annual assessment."""

from __future__ import annotations

from datetime import date
from typing import Any

from justice_desktop.codes.tables import CodeTable
from justice_desktop.domain.lifecycle import check_not_future
from justice_desktop.domain.understanders import (
    DEFAULT_YEARLY_HOURS_TARGET,
    HoursShortfall,
    TrainingInput,
    UnderstanderInput,
    validate_training,
    validate_understander,
)
from justice_desktop.store import search
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.database import Store
from justice_desktop.store.errors import RecordNotFoundError
from justice_desktop.store.records import Row, Tx
from justice_desktop.validation import ValidationError
from justice_desktop.validation.fields import mask_name, mask_phone, require_text

TARGET_SETTING = "understander_yearly_hours"


class UnderstanderService:
    def __init__(self, store: Store, tables: dict[str, CodeTable] | None = None) -> None:
        self.store = store
        self.tables = tables if tables is not None else load_tables(store)

    def today(self) -> date:
        return self.store.clock().date()

    def _check_not_on_roster(self, row: dict[str, object], except_id: str | None = None) -> None:
        """One person, one roster entry: the same ID number twice would count them twice
        against the village's quota (as the Excel import matches people by ID number)."""
        if not row.get("id_number"):
            return
        found = self.store.query(
            "SELECT name, village FROM understanders WHERE deleted = 0 AND status = 'active' "
            "AND id_number = ? AND id != ?",
            (row["id_number"], except_id or ""),
        )
        if found:
            raise ValidationError(
                "id_number",
                f"该身份证号码已登记在名册中：{found[0]['name']}（{found[0]['village']}），"
                "同一人不能重复登记，请在名册中修改其信息。",
            )

    def add(self, user_id: str, u: UnderstanderInput) -> str:
        row = validate_understander(u, self.tables, self.today())
        self._check_not_on_roster(row)
        with self.store.tx(user_id) as tx:
            uid = tx.insert("understanders", {**row, "status": "active"})
            self._reindex(tx, uid)
        return uid

    def update(
        self,
        user_id: str,
        understander_id: str,
        u: UnderstanderInput,
        *,
        expected_version: int | None = None,
    ) -> None:
        row = validate_understander(u, self.tables, self.today())
        stored = self.store.query(
            "SELECT status, id_number FROM understanders WHERE id = ?", (understander_id,)
        )
        # Only an ID number given now is checked: a removed entry is not on the roster, and
        # an entry already sharing its number (added on two PCs before a sync, or before
        # this rule) stays correctable; the clerk removes the extra one.
        if not stored or (
            stored[0]["status"] != "removed" and stored[0]["id_number"] != row.get("id_number")
        ):
            self._check_not_on_roster(row, understander_id)
        with self.store.tx(user_id) as tx:
            tx.update("understanders", understander_id, row, expected_version=expected_version)
            self._reindex(tx, understander_id)

    def remove(self, user_id: str, understander_id: str, reason: str, removed_on: date) -> None:
        """清退: the person stays on record, with the reason and date."""
        check_not_future(removed_on, self.today(), "清退日期", "removed_on")
        with self.store.tx(user_id) as tx:
            current = tx.require("understanders", understander_id)
            if current["status"] == "removed":
                raise ValidationError(
                    "status", f"{current['name']}已于{current['removed_on']}清退。"
                )
            if current["appointed_on"] and removed_on < date.fromisoformat(current["appointed_on"]):
                raise ValidationError(
                    "removed_on",
                    f"清退日期（{removed_on:%Y年%m月%d日}）不能早于聘任日期"
                    f"（{current['appointed_on']}）。",
                )
            tx.update(
                "understanders",
                understander_id,
                {
                    "status": "removed",
                    "removed_on": removed_on.isoformat(),
                    "removal_reason": require_text(reason, "removal_reason", "清退原因", 500),
                },
            )

    def mark_filed(self, user_id: str, understander_ids: list[str], filed_on: date) -> None:
        """Roster filed (备案) with the city bureau."""
        with self.store.tx(user_id) as tx:
            for uid in understander_ids:
                tx.update("understanders", uid, {"filed_on": filed_on.isoformat()})

    def record_assessment(
        self, user_id: str, understander_id: str, year: int, result: str, notes: str = ""
    ) -> str:
        with self.store.tx(user_id) as tx:
            tx.require("understanders", understander_id)
            existing = tx.conn.execute(
                "SELECT id FROM assessments WHERE understander_id = ? AND year = ? AND deleted = 0",
                (understander_id, year),
            ).fetchone()
            values = {"result": require_text(result, "result", "年度考核结果", 50), "notes": notes}
            if existing:
                tx.update("assessments", existing[0], values)
                return str(existing[0])
            return tx.insert(
                "assessments", {**values, "understander_id": understander_id, "year": year}
            )

    def add_training(self, user_id: str, t: TrainingInput) -> str:
        row = validate_training(t, self.today())
        with self.store.tx(user_id) as tx:
            tid = tx.insert("trainings", row)
            for uid in dict.fromkeys(t.attendee_ids):
                self._check_active(tx, uid)
                tx.insert(
                    "training_attendance",
                    {"training_id": tid, "understander_id": uid, "attended": 1},
                )
        return tid

    def set_attendance(self, user_id: str, training_id: str, attendee_ids: list[str]) -> None:
        """Make the check-list of a training exactly ``attendee_ids``."""
        with self.store.tx(user_id) as tx:
            self._apply_attendance(tx, training_id, attendee_ids)

    def _apply_attendance(self, tx: Tx, training_id: str, attendee_ids: list[str]) -> None:
        wanted = set(attendee_ids)
        tx.require("trainings", training_id)
        rows = tx.conn.execute(
            "SELECT id, understander_id, attended FROM training_attendance WHERE training_id = ?",
            (training_id,),
        ).fetchall()
        seen = set()
        for rid, uid, attended in rows:
            seen.add(uid)
            if (uid in wanted) != bool(attended):
                tx.update("training_attendance", rid, {"attended": int(uid in wanted)})
        for uid in wanted - seen:
            self._check_active(tx, uid)
            tx.insert(
                "training_attendance",
                {"training_id": training_id, "understander_id": uid, "attended": 1},
            )

    def _check_active(self, tx: Tx, understander_id: str) -> None:
        row = tx.require("understanders", understander_id)
        if row["status"] != "active":
            raise ValidationError("attendees", f"{row['name']}已清退，不能登记参加培训。")

    def yearly_target(self) -> float:
        value = self.store.scalar(
            "SELECT value FROM settings WHERE key = ? AND deleted = 0", (TARGET_SETTING,)
        )
        return float(value) if value is not None else DEFAULT_YEARLY_HOURS_TARGET

    def set_yearly_target(self, user_id: str, hours: float) -> None:
        if not 0 < hours <= 500:
            raise ValidationError("hours", "年度培训学时目标应在1到500小时之间。")
        with self.store.tx(user_id) as tx:
            existing = tx.conn.execute(
                "SELECT id FROM settings WHERE key = ?", (TARGET_SETTING,)
            ).fetchone()
            if existing:
                tx.update("settings", existing[0], {"value": f"{hours:g}"})
            else:
                tx.insert("settings", {"key": TARGET_SETTING, "value": f"{hours:g}"})

    def hours_by_person(self, year: int) -> list[HoursShortfall]:
        """Every active understander's training hours in ``year`` against the target."""
        target = self.yearly_target()
        rows = self.store.query(
            """SELECT u.id, u.name, u.village, COALESCE(SUM(t.hours), 0) AS hours
               FROM understanders u
               LEFT JOIN training_attendance a
                 ON a.understander_id = u.id AND a.deleted = 0 AND a.attended = 1
               LEFT JOIN trainings t
                 ON t.id = a.training_id AND t.deleted = 0 AND substr(t.held_on, 1, 4) = ?
               WHERE u.deleted = 0 AND u.status = 'active'
               GROUP BY u.id ORDER BY u.village, u.name""",
            (str(year),),
        )
        return [
            HoursShortfall(r["id"], r["name"], r["village"], float(r["hours"]), target)
            for r in rows
        ]

    def shortfalls(self, year: int) -> list[HoursShortfall]:
        return [h for h in self.hours_by_person(year) if h.hours < h.target]

    def roster(self, *, village: str | None = None, status: str | None = "active") -> list[Row]:
        sql = "SELECT * FROM understanders WHERE deleted = 0"
        params: list[str] = []
        if village:
            sql += " AND village = ?"
            params.append(village)
        if status:
            sql += " AND status = ?"
            params.append(status)
        return self.store.query(sql + " ORDER BY village, villager_group, name", tuple(params))

    def count_by_village(self) -> dict[str, int]:
        rows = self.store.query(
            "SELECT village, count(*) AS n FROM understanders WHERE deleted = 0 AND status = 'active' GROUP BY village"
        )
        return {r["village"]: int(r["n"]) for r in rows}

    def _reindex(self, tx: Tx, understander_id: str) -> None:
        row = tx.require("understanders", understander_id)
        search.index_document(
            tx.conn, "understander", understander_id, **understander_search_fields(row)
        )


def understander_search_fields(row: Row) -> dict[str, Any]:
    """Title, subtitle and indexed terms of one understander (shared by the bulk loader)."""
    return {
        "title": f"法律明白人 {mask_name(row['name'])}",
        "subtitle": f"{row['village']}{row['villager_group']}"
        + (f" · {mask_phone(row['phone'])}" if row["phone"] else ""),
        "names": [row["name"]],
        "numbers": [v for v in (row["id_number"], row["phone"], row["certificate_no"]) if v],
        "text": [row["village"], row["villager_group"]],
    }


# -- reads for the 法律明白人 screen -----------------------------------------------------------
def _like_pattern(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def roster_with_hours(
    store: Store,
    year: int,
    *,
    village: str | None = None,
    status: str | None = "active",
    priority_group: str | None = None,
    name: str = "",
) -> list[Row]:
    """Roster rows (like :meth:`UnderstanderService.roster`) with ``hours_in_year``: the
    training hours each person attended in ``year`` (removed people keep theirs)."""
    sql = """SELECT u.*, COALESCE((
                 SELECT SUM(t.hours) FROM training_attendance a
                 JOIN trainings t ON t.id = a.training_id
                 WHERE a.understander_id = u.id AND a.deleted = 0 AND a.attended = 1
                   AND t.deleted = 0 AND substr(t.held_on, 1, 4) = ?), 0) AS hours_in_year
             FROM understanders u WHERE u.deleted = 0"""
    params: list[str] = [str(year)]
    if village:
        sql += " AND u.village = ?"
        params.append(village)
    if status:
        sql += " AND u.status = ?"
        params.append(status)
    if priority_group:
        sql += " AND u.priority_group = ?"
        params.append(priority_group)
    if name.strip():
        sql += " AND u.name LIKE ? ESCAPE '\\'"
        params.append(_like_pattern(name.strip()))
    sql += " ORDER BY u.village, u.villager_group, u.name"
    return store.query(sql, tuple(params))


def roster_villages(store: Store) -> list[str]:
    """Every village (村/社区) named on the roster, removed people included."""
    rows = store.query(
        "SELECT DISTINCT village FROM understanders WHERE deleted = 0 ORDER BY village"
    )
    return [str(r["village"]) for r in rows]


def load_understander(store: Store, understander_id: str, *, user_id: str = "") -> Row:
    """One person in full; with ``user_id`` the opening is recorded in the audit log."""
    if not user_id:
        rows = store.query(
            "SELECT * FROM understanders WHERE id = ? AND deleted = 0", (understander_id,)
        )
        if not rows:
            raise RecordNotFoundError("法律明白人")
        return rows[0]
    with store.tx(user_id) as tx:
        row = tx.require("understanders", understander_id)
        tx.audit("view", "understanders", understander_id)
    return row


def trainings_in_year(store: Store, year: int) -> list[Row]:
    """The trainings held in ``year``, newest first, with ``attendee_count``."""
    return store.query(
        """SELECT t.*, (SELECT count(*) FROM training_attendance a
                        WHERE a.training_id = t.id AND a.deleted = 0 AND a.attended = 1)
                   AS attendee_count
           FROM trainings t
           WHERE t.deleted = 0 AND substr(t.held_on, 1, 4) = ?
           ORDER BY t.held_on DESC, t.created_at DESC""",
        (str(year),),
    )


def load_training(store: Store, training_id: str) -> tuple[Row, list[str]]:
    """A training and the ids of the people who attended it."""
    rows = store.query("SELECT * FROM trainings WHERE id = ? AND deleted = 0", (training_id,))
    if not rows:
        raise RecordNotFoundError("培训记录")
    attended = store.query(
        "SELECT understander_id FROM training_attendance "
        "WHERE training_id = ? AND deleted = 0 AND attended = 1",
        (training_id,),
    )
    return rows[0], [str(r["understander_id"]) for r in attended]


def update_training(
    store: Store,
    user_id: str,
    training_id: str,
    t: TrainingInput,
    *,
    expected_version: int | None = None,
    attendance: bool = False,
) -> None:
    """Correct a training's date, topic, trainer, mode, hours or place; with
    ``attendance`` its check-list becomes ``t.attendee_ids`` in the same transaction (as
    :meth:`UnderstanderService.set_attendance` does)."""
    row = validate_training(t, store.clock().date())
    with store.tx(user_id) as tx:
        tx.update("trainings", training_id, row, expected_version=expected_version)
        if attendance:
            UnderstanderService(store, {})._apply_attendance(tx, training_id, t.attendee_ids)
