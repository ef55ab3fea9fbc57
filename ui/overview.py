"""What the window's title and status bar show, read on the database worker (no Qt)."""

from __future__ import annotations

from dataclasses import dataclass

from justice_desktop.store.database import Store
from justice_desktop.store.office import office_name
from justice_desktop.store.outbox import pending_count
from justice_desktop.store.queries import CaseQueries
from justice_desktop.store.session import is_demo
from justice_desktop.store.sync_state import conflict_count, parked_count

APP_TITLE = "司法所工作台"
DEMO_SUFFIX = "（演示数据）"


@dataclass(frozen=True, slots=True)
class Overview:
    office_name: str
    demo: bool
    pending_sync: int
    last_sync: str | None = None
    case_count: int = 0
    parked: int = 0
    conflicts: int = 0


LAST_SYNC_META = "last_sync_at"


def load_overview(store: Store) -> Overview:
    last = store.meta(LAST_SYNC_META)
    return Overview(
        office_name(store),
        is_demo(store.data_dir),
        pending_count(store),
        last.replace("T", " ")[:16] if last else None,
        CaseQueries(store).count(),
        parked_count(store),
        conflict_count(store),
    )


def window_title(overview: Overview | None) -> str:
    """For example: 司法所工作台 — 河东区城关街司法所（演示数据）."""
    if overview is None or not overview.office_name:
        title = APP_TITLE
    else:
        title = f"{APP_TITLE} — {overview.office_name}"
    return title + (DEMO_SUFFIX if overview is not None and overview.demo else "")


def case_count_text(count: int) -> str:
    return f"共 {count} 件案件"


def pending_text(pending: int) -> str:
    return f"待同步 {pending} 条"


def conflicts_text(conflicts: int) -> str:
    return f"冲突 {conflicts} 处" if conflicts else ""


def parked_text(parked: int) -> str:
    return f"被拒收 {parked} 条" if parked else ""
