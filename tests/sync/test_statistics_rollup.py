"""The 人民调解 statistics rolled up on the city server: a district's table is the sum of its
offices' own tables (computed on each office's machine), a city account sees every office or
one district's, an office account its own, and nobody another district's."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from justice_desktop.domain.case_inputs import AgreementInput
from justice_desktop.statistics import MediationReport, year_period
from justice_desktop.store import statistics as st
from sync.protocol import Role
from tests.sync.conftest import Account, Office, bearer, login
from tests.sync.machines import Machine, new_machine
from tests.sync.server_process import ServerProcess

TODAY = date.today()


def _oral(on: date) -> AgreementInput:
    return AgreementInput(form="oral", effective_on=on, oral_content="双方当场握手言和。")


@pytest.fixture
def offices(
    tmp_path: Path,
    server: ServerProcess,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> Iterator[list[tuple[Office, Machine]]]:
    first = make_office()
    made = [first, make_office(first.district), make_office()]
    pairs = []
    for n, office in enumerate(made):
        machine = new_machine(tmp_path, f"m{n}", server.base_url, make_user(Role.CLERK, office))
        machine.sync()
        for k in range(n + 2):
            kind = ("contract", "neighbourhood")[k % 2]
            case_id = machine.register_case(dispute_type=kind)
            if k == 0:
                machine.cases.record_agreement(machine.user_id, case_id, _oral(TODAY))
        machine.sync()
        pairs.append((office, machine))
    yield pairs
    for _, machine in pairs:
        machine.close()


def _report(client: httpx.Client, token: str, **params: Any) -> httpx.Response:
    return client.get(
        "/api/v1/statistics/mediation",
        params={"year": TODAY.year, **params},
        headers=bearer(token),
    )


def _summed(reports: list[MediationReport]) -> dict[tuple[str, str | None], list[float]]:
    out: dict[tuple[str, str | None], list[float]] = {}
    for report in reports:
        for table in report.tables:
            for row in table.rows:
                key = (table.key, row.code)
                values = [0 if v is None else v for v in row.values]
                out[key] = [
                    a + b for a, b in zip(out.get(key, [0] * len(values)), values, strict=True)
                ]
    return out


def test_district_table_is_the_sum_of_its_offices(
    offices: list[tuple[Office, Machine]],
    client: httpx.Client,
    make_user: Callable[..., Account],
) -> None:
    (a, ma), (b, mb), (c, _mc) = offices
    period = year_period(TODAY.year)
    local = [st.mediation_report(m.store, period) for m in (ma, mb)]
    district = make_user(Role.DISTRICT, district=a.district)
    answer = _report(client, login(client, district)["access_token"])
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["scope"] == a.district
    assert sorted(o["office_id"] for o in body["offices"]) == sorted([a.id, b.id])
    assert {o["office_id"]: o["registered"] for o in body["offices"]} == {a.id: 2, b.id: 3}
    expected = _summed(local)
    rate_columns = {
        t["key"]: [i for i, col in enumerate(t["columns"]) if col["unit"] == "%"]
        for t in body["tables"]
    }
    compared = 0
    for table in body["tables"]:
        for row in table["rows"]:
            want = expected[(table["key"], row["code"])]
            for i, value in enumerate(row["values"]):
                if i in rate_columns[table["key"]]:
                    continue
                assert (value or 0) == pytest.approx(want[i]), (table["key"], row["label"], i)
                compared += 1
    assert compared > 20
    summary = next(t for t in body["tables"] if t["key"] == "summary")
    total = next(r for r in summary["rows"] if r["total"])
    assert total["values"][0] == 5 and total["values"][2] == 2  # registered, succeeded
    # The city sees all three offices, or one district's when asked.
    city = make_user(Role.CITY)
    token = login(client, city)["access_token"]
    everything = _report(client, token).json()
    assert {a.id, b.id, c.id} <= {o["office_id"] for o in everything["offices"]}
    one = _report(client, token, district=c.district).json()
    assert [o["office_id"] for o in one["offices"]] == [c.id]


def test_who_may_see_which_roll_up(
    offices: list[tuple[Office, Machine]],
    client: httpx.Client,
    make_user: Callable[..., Account],
) -> None:
    (a, _), _, (c, _) = offices
    clerk = make_user(Role.CLERK, a)
    token = login(client, clerk)["access_token"]
    own = _report(client, token, quarter=(TODAY.month - 1) // 3 + 1)
    assert own.status_code == 200
    assert [o["office_id"] for o in own.json()["offices"]] == [a.id]
    assert _report(client, token, district=a.district).status_code == 403
    district = make_user(Role.DISTRICT, district=a.district)
    token = login(client, district)["access_token"]
    refused = _report(client, token, district=c.district)
    assert refused.status_code == 403 and "本区县" in refused.json()["message"]
    assert _report(client, token, month=TODAY.month, quarter=1).status_code == 422
