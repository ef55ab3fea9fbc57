"""What the 工作台 (home screen) shows: deadlines to act on and the work done today.

Both run on the database worker and stay fast on an office database of a million cases:

* :func:`reminders` reads only open work through partial indexes — open cases by their
  mediation deadline (``cases_by_due``), follow-ups not yet done (``follow_ups_open``) and
  succeeded cases (``cases_by_status``) for the 30-day 司法确认 window — and returns the
  ``limit`` most urgent items with the full counts.
* :func:`today_work` reads cases registered and consultations given today through their date
  indexes, and mediation sessions and follow-ups recorded today by walking the append-only
  audit log backwards from its newest entry, stopping at the first entry before today.

Names are returned as stored (the UI masks them the way lists do).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from justice_desktop.domain.deadlines import (
    DEADLINE_KIND_LABELS,
    DUE_SOON_DAYS,
    JUDICIAL_CONFIRMATION_DAYS,
    judicial_confirmation_last_day,
)
from justice_desktop.domain.lifecycle import OPEN_STATUSES, SUCCEEDED
from justice_desktop.store.database import Store

#: How many reminders the home screen lists (the most urgent); the counts cover all of them.
REMINDER_LIMIT = 200
#: How many entries of each kind the 今日工作 list shows.
TODAY_LIST_LIMIT = 10
#: At most this many audit entries are read for one day (a day-end sync may write many).
AUDIT_SCAN_LIMIT = 100_000

# Among items due the same day: the legal mediation limit first, then 司法确认, then 回访.
_KIND_ORDER = {"mediation": 0, "judicial_confirmation": 1, "follow_up": 2}


@dataclass(frozen=True, slots=True)
class Reminder:
    """One deadline of one case."""

    kind: str  # "mediation" | "follow_up" | "judicial_confirmation"
    case_id: str
    case_number: str
    applicants: str  # as stored, joined with 、
    respondents: str
    due_on: date
    days_left: int  # negative: overdue by that many days

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def kind_label(self) -> str:
        return DEADLINE_KIND_LABELS[self.kind]

    @property
    def when_text(self) -> str:
        """已逾期 3 天 / 今天到期 / 还剩 2 天."""
        if self.days_left < 0:
            return f"已逾期 {-self.days_left} 天"
        if self.days_left == 0:
            return "今天到期"
        return f"还剩 {self.days_left} 天"

    def sort_key(self) -> tuple[date, int, str, str]:
        return (self.due_on, _KIND_ORDER[self.kind], self.case_number, self.case_id)


@dataclass(frozen=True, slots=True)
class Reminders:
    """The most urgent reminders (overdue first) and how many there are in all."""

    items: list[Reminder]
    total: int
    overdue: int
    due_today: int

    @property
    def due_soon(self) -> int:
        return self.total - self.overdue

    @property
    def truncated(self) -> bool:
        return len(self.items) < self.total


def reminders(
    store: Store,
    today: date,
    *,
    soon_days: int = DUE_SOON_DAYS,
    limit: int = REMINDER_LIMIT,
) -> Reminders:
    """Overdue and due-soon deadlines (within ``soon_days``), most urgent first."""
    horizon = today + timedelta(days=soon_days)
    found: list[Reminder] = []
    total = overdue = due_today = 0
    for part in (_mediation, _follow_ups, _judicial_confirmations):
        items, counts = part(store, today, horizon, limit)
        found.extend(items)
        total += counts[0]
        overdue += counts[1]
        due_today += counts[2]
    found.sort(key=Reminder.sort_key)
    return Reminders(found[:limit], total, overdue, due_today)


_Counts = tuple[int, int, int]  # total, overdue, due today


def _reminder(kind: str, r: dict[str, Any], due: date, today: date) -> Reminder:
    return Reminder(
        kind=kind,
        case_id=str(r["id"]),
        case_number=str(r["case_number"]),
        applicants=str(r["applicants"] or ""),
        respondents=str(r["respondents"] or ""),
        due_on=due,
        days_left=(due - today).days,
    )


def _counts(store: Store, sql: str, params: tuple[Any, ...], today: date) -> _Counts:
    """``sql`` selects one column ``due`` (ISO date) of every matching item."""
    row = store.conn.execute(
        f"SELECT count(*), coalesce(sum(due < ?), 0), coalesce(sum(due = ?), 0) FROM ({sql})",
        (today.isoformat(), today.isoformat(), *params),
    ).fetchone()
    return int(row[0]), int(row[1]), int(row[2])


# Open cases only: ``outcome IS NULL`` matches the partial index ``cases_by_due``, and a
# deadline extension only ever moves the date later, so ``mediation_due_on <= horizon`` is a
# correct range on that index before the extended date is checked.
_MEDIATION_WHERE = f"""
    FROM cases
    WHERE deleted = 0 AND outcome IS NULL AND mediation_due_on <= ?
      AND status IN ({",".join("?" for _ in OPEN_STATUSES)})
      AND coalesce(extended_due_on, mediation_due_on) <= ?"""


def _mediation(
    store: Store, today: date, horizon: date, limit: int
) -> tuple[list[Reminder], _Counts]:
    params = (horizon.isoformat(), *OPEN_STATUSES, horizon.isoformat())
    counts = _counts(
        store,
        f"SELECT coalesce(extended_due_on, mediation_due_on) AS due {_MEDIATION_WHERE}",
        params,
        today,
    )
    rows = store.query(
        "SELECT id, case_number, applicants, respondents, "
        f"coalesce(extended_due_on, mediation_due_on) AS due {_MEDIATION_WHERE} "
        "ORDER BY due, year, seq LIMIT ?",
        (*params, limit),
    )
    items = [_reminder("mediation", r, date.fromisoformat(r["due"]), today) for r in rows]
    return items, counts


_FOLLOW_UP_WHERE = """
    FROM follow_ups f JOIN cases c ON c.id = f.case_id
    WHERE f.deleted = 0 AND f.done_on IS NULL AND f.due_on <= ? AND c.deleted = 0"""


def _follow_ups(
    store: Store, today: date, horizon: date, limit: int
) -> tuple[list[Reminder], _Counts]:
    params = (horizon.isoformat(),)
    counts = _counts(store, f"SELECT f.due_on AS due {_FOLLOW_UP_WHERE}", params, today)
    rows = store.query(
        "SELECT c.id, c.case_number, c.applicants, c.respondents, f.due_on AS due "
        f"{_FOLLOW_UP_WHERE} ORDER BY f.due_on, c.year, c.seq LIMIT ?",
        (*params, limit),
    )
    items = [_reminder("follow_up", r, date.fromisoformat(r["due"]), today) for r in rows]
    return items, counts


def _judicial_confirmations(
    store: Store, today: date, horizon: date, limit: int
) -> tuple[list[Reminder], _Counts]:
    """Written agreements of succeeded cases whose 30-day window to apply ends between today
    and the horizon, with no application yet (a window that has passed is not a reminder:
    nothing can be done about it any more)."""
    first = (today - timedelta(days=JUDICIAL_CONFIRMATION_DAYS)).isoformat()
    last = (horizon - timedelta(days=JUDICIAL_CONFIRMATION_DAYS)).isoformat()
    rows = store.query(
        """SELECT c.id, c.case_number, c.applicants, c.respondents, c.year, c.seq,
                  a.effective_on
           FROM cases c JOIN agreements a ON a.case_id = c.id
           WHERE c.deleted = 0 AND c.status = ? AND c.status_matter IS NULL
             AND a.deleted = 0 AND a.form = 'written'
             AND a.effective_on >= ? AND a.effective_on <= ?
             AND NOT EXISTS (SELECT 1 FROM judicial_confirmations j
                             WHERE j.case_id = c.id AND j.deleted = 0)""",
        (SUCCEEDED, first, last),
    )
    items = [
        _reminder(
            "judicial_confirmation",
            r,
            judicial_confirmation_last_day(date.fromisoformat(r["effective_on"])),
            today,
        )
        for r in rows
    ]
    items.sort(key=Reminder.sort_key)
    due_today = sum(1 for i in items if i.days_left == 0)
    return items[:limit], (len(items), 0, due_today)


# -- today's work ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WorkEntry:
    """One thing done today, for the short list under the counts."""

    kind: str  # "case" | "session" | "follow_up" | "consultation"
    record_id: str
    case_id: str | None  # the case to open; None for a consultation
    case_number: str  # "" for a consultation
    applicants: str  # a consultation: the person's name ("" when anonymous)
    respondents: str
    at: str  # ISO date or date-time of the event (held_at, done_on, registered_on …)
    detail: str  # a consultation's category code; a follow-up's performance code; else ""
    anonymous: bool = False


@dataclass(frozen=True, slots=True)
class TodayWork:
    day: date
    cases_registered: int = 0
    sessions: int = 0
    follow_ups: int = 0
    consultations: int = 0
    entries: list[WorkEntry] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.cases_registered + self.sessions + self.follow_ups + self.consultations


def today_work(store: Store, today: date, *, list_limit: int = TODAY_LIST_LIMIT) -> TodayWork:
    """Cases registered today, sessions and follow-ups recorded today (by anyone), and
    consultations given today: counts and the newest ``list_limit`` of each kind."""
    day = today.isoformat()
    entries: list[WorkEntry] = []

    cases_registered = int(
        store.scalar("SELECT count(*) FROM cases WHERE deleted = 0 AND registered_on = ?", (day,))
    )
    for r in store.query(
        """SELECT id, case_number, applicants, respondents, registered_on FROM cases
           WHERE deleted = 0 AND registered_on = ? ORDER BY created_at DESC, seq DESC LIMIT ?""",
        (day, list_limit),
    ):
        entries.append(
            WorkEntry(
                "case",
                str(r["id"]),
                str(r["id"]),
                str(r["case_number"]),
                str(r["applicants"]),
                str(r["respondents"]),
                str(r["registered_on"]),
                "",
            )
        )

    session_ids, follow_up_ids = _recorded_today(store, today)
    sessions = _sessions(store, session_ids)
    follow_ups = _done_follow_ups(store, follow_up_ids)
    entries.extend(sessions[:list_limit])
    entries.extend(follow_ups[:list_limit])

    consultations = int(
        store.scalar(
            "SELECT count(*) FROM consultations WHERE deleted = 0 AND consulted_on = ?", (day,)
        )
    )
    for r in store.query(
        """SELECT id, name, anonymous, category, consulted_on FROM consultations
           WHERE deleted = 0 AND consulted_on = ? ORDER BY created_at DESC LIMIT ?""",
        (day, list_limit),
    ):
        entries.append(
            WorkEntry(
                "consultation",
                str(r["id"]),
                None,
                "",
                "" if r["anonymous"] else str(r["name"]),
                "",
                str(r["consulted_on"]),
                str(r["category"]),
                anonymous=bool(r["anonymous"]),
            )
        )
    return TodayWork(
        today, cases_registered, len(sessions), len(follow_ups), consultations, entries
    )


def _recorded_today(store: Store, today: date) -> tuple[list[str], list[str]]:
    """Ids of sessions inserted today and of follow-ups whose visit was recorded today, newest
    first, from the audit log (append-only, in time order) read backwards."""
    start = today.isoformat()
    end = (today + timedelta(days=1)).isoformat()
    sessions: dict[str, None] = {}
    follow_ups: dict[str, None] = {}
    cur = store.conn.execute(
        "SELECT at, action, table_name, record_id, fields FROM audit_log ORDER BY seq DESC LIMIT ?",
        (AUDIT_SCAN_LIMIT,),
    )
    while True:
        batch = cur.fetchmany(500)
        if not batch:
            break
        for at, action, table, record_id, fields in batch:
            if at < start:
                cur.close()
                return list(sessions), list(follow_ups)
            if at >= end:  # the clock was set back: entries "from tomorrow"
                continue
            if table == "sessions" and action == "insert":
                sessions[str(record_id)] = None
            elif (
                table == "follow_ups"
                and action in ("insert", "update")
                and "done_on" in str(fields).split(",")
            ):
                follow_ups[str(record_id)] = None
    return list(sessions), list(follow_ups)


def _by_ids(store: Store, sql: str, ids: list[str]) -> dict[str, dict[str, Any]]:
    """Rows of ``sql`` (which ends in ``IN ({marks})``) keyed by their ``id``, in chunks."""
    found: dict[str, dict[str, Any]] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        marks = ",".join("?" for _ in chunk)
        for r in store.query(sql.format(marks=marks), tuple(chunk)):
            found[str(r["id"])] = r
    return found


def _sessions(store: Store, ids: list[str]) -> list[WorkEntry]:
    rows = _by_ids(
        store,
        """SELECT s.id, s.held_at, c.id AS case_id, c.case_number, c.applicants, c.respondents
           FROM sessions s JOIN cases c ON c.id = s.case_id
           WHERE s.deleted = 0 AND c.deleted = 0 AND s.id IN ({marks})""",
        ids,
    )
    return [
        WorkEntry(
            "session",
            sid,
            str(r["case_id"]),
            str(r["case_number"]),
            str(r["applicants"]),
            str(r["respondents"]),
            str(r["held_at"]),
            "",
        )
        for sid in ids
        if (r := rows.get(sid)) is not None
    ]


def _done_follow_ups(store: Store, ids: list[str]) -> list[WorkEntry]:
    rows = _by_ids(
        store,
        """SELECT f.id, f.done_on, f.performance, c.id AS case_id, c.case_number,
                  c.applicants, c.respondents
           FROM follow_ups f JOIN cases c ON c.id = f.case_id
           WHERE f.deleted = 0 AND f.done_on IS NOT NULL AND c.deleted = 0
             AND f.id IN ({marks})""",
        ids,
    )
    return [
        WorkEntry(
            "follow_up",
            fid,
            str(r["case_id"]),
            str(r["case_number"]),
            str(r["applicants"]),
            str(r["respondents"]),
            str(r["done_on"]),
            str(r["performance"] or ""),
        )
        for fid in ids
        if (r := rows.get(fid)) is not None
    ]
