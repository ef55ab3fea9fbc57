"""The 人民调解 statistics rolled up over offices, for district and city accounts.

The same report as the desktop program's 统计 screen (``justice_desktop.statistics``): the
grouped counts of each office are computed here from the synced records (cases, their
committees' body types, their agreements' form) exactly as the desktop's SQL groups them, then
the groups of every office in scope go through the desktop's own ``build_mediation_report``,
so the city's table is the sum of the offices' tables by construction. Each office's own totals
come with it.

Which offices: an office account gets its own office; a district account its district's
offices; a city account every office, or one district's when ``district`` is given.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from justice_desktop.codes.tables import CodeTable
from justice_desktop.statistics.periods import Period
from justice_desktop.statistics.tables import (
    MediationReport,
    RegisteredGroup,
    SucceededGroup,
    build_mediation_report,
    success_rate,
)
from sync.protocol import Role
from sync.server.authz import Forbidden, Principal
from sync.server.db import offices, records


@dataclass(frozen=True)
class OfficeTotals:
    office_id: int
    name: str
    district: str
    registered: int
    succeeded: int

    @property
    def success_rate(self) -> float | None:
        return success_rate(self.succeeded, self.registered)


@dataclass(frozen=True)
class Rollup:
    scope: str
    """In Chinese: 全市, 某区, or the office's name."""
    report: MediationReport
    offices: list[OfficeTotals]


def _scope(
    conn: sa.Connection, principal: Principal, district: str | None
) -> tuple[str, list[tuple[int, str, str]]]:
    query = sa.select(offices.c.id, offices.c.name, offices.c.district).order_by(offices.c.id)
    if principal.role.is_office_role:
        if district is not None:
            raise Forbidden("司法所账号只能查看本所的统计")
        rows = conn.execute(query.where(offices.c.id == principal.office_id)).all()
        return (rows[0][1] if rows else ""), [(r[0], r[1], r[2]) for r in rows]
    if principal.role is Role.DISTRICT:
        if district is not None and district != principal.district:
            raise Forbidden("区县账号只能查看本区县的统计")
        rows = conn.execute(query.where(offices.c.district == principal.district)).all()
        return str(principal.district), [(r[0], r[1], r[2]) for r in rows]
    if district is not None:
        rows = conn.execute(query.where(offices.c.district == district)).all()
        return district, [(r[0], r[1], r[2]) for r in rows]
    rows = conn.execute(query).all()
    return "全市", [(r[0], r[1], r[2]) for r in rows]


def _rows(conn: sa.Connection, office_id: int, table: str) -> Iterator[dict[str, Any]]:
    """The live records of one table of one office, each with its ``id``."""
    result = conn.execute(
        sa.select(records.c.record_id, records.c.data).where(
            records.c.office_id == office_id,
            records.c.table_name == table,
            records.c.deleted.is_(False),
        )
    )
    for record_id, data in result:
        row = data if isinstance(data, dict) else json.loads(data)
        yield {**row, "id": record_id}


def _prevented(value: Any) -> tuple[str, ...]:
    try:
        kinds = json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return ()
    return tuple(sorted(str(k) for k in kinds)) if isinstance(kinds, list) else ()


def office_groups(
    conn: sa.Connection, office_id: int, period: Period
) -> tuple[list[RegisteredGroup], list[SucceededGroup]]:
    """The desktop's two GROUP BY passes (``justice_desktop.store.statistics``) over one
    office's synced records."""
    bodies = {c.get("id"): str(c.get("body_type") or "") for c in _committees(conn, office_id)}
    forms: dict[str, str] = {}
    for agreement in _rows(conn, office_id, "agreements"):
        case_id, form = str(agreement.get("case_id")), agreement.get("form")
        if isinstance(form, str) and form > forms.get(case_id, ""):
            forms[case_id] = form  # max(form), as the desktop's query takes
    first, last = period.first_iso, period.last_iso
    registered: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
    succeeded: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for case in _rows(conn, office_id, "cases"):
        dims = (
            bodies.get(case.get("committee_id"), ""),
            str(case.get("source") or ""),
            case.get("source_sub"),
            str(case.get("dispute_type") or ""),
            case.get("dispute_subtype"),
        )
        on = str(case.get("registered_on") or "")
        if first <= on <= last:
            tally = registered[(*dims, _prevented(case.get("prevented", "[]")))]
            tally[0] += 1
            tally[1] += int(case.get("party_count") or 0)
            tally[2] += int(bool(case.get("difficult")))
            tally[3] += int(bool(case.get("from_screening")))
            tally[4] += int(case.get("prevented_people") or 0)
        outcome_on = str(case.get("outcome_on") or "")
        if case.get("outcome") == "success" and first <= outcome_on <= last:
            amount = int(case.get("amount_cents") or 0)
            tally = succeeded[(*dims, forms.get(str(case.get("id"))))]
            tally[0] += 1
            tally[1] += amount
            tally[2] += int(amount > 0)
            tally[3] += int(bool(case.get("from_screening")))
    return (
        [RegisteredGroup(k[0], k[1], k[2], k[3], k[4], k[5], *v) for k, v in registered.items()],
        [SucceededGroup(k[0], k[1], k[2], k[3], k[4], k[5], *v) for k, v in succeeded.items()],
    )


def _committees(conn: sa.Connection, office_id: int) -> Iterable[dict[str, Any]]:
    return _rows(conn, office_id, "committees")


def rollup(
    engine: Engine,
    principal: Principal,
    period: Period,
    district: str | None,
    tables: dict[str, CodeTable],
) -> Rollup:
    with engine.connect() as conn:
        scope, in_scope = _scope(conn, principal, district)
        all_registered: list[RegisteredGroup] = []
        all_succeeded: list[SucceededGroup] = []
        totals = []
        for office_id, name, office_district in in_scope:
            registered, succeeded = office_groups(conn, office_id, period)
            all_registered += registered
            all_succeeded += succeeded
            totals.append(
                OfficeTotals(
                    office_id,
                    name,
                    office_district,
                    sum(g.cases for g in registered),
                    sum(g.cases for g in succeeded),
                )
            )
    report = build_mediation_report(
        period, all_registered, all_succeeded, tables, office_name=scope
    )
    return Rollup(scope, report, totals)
