"""A stateful property test: three machines of one office register, edit, delete and sync in any
order through a transport that drops, duplicates, delays, replays out of order and cuts answers
mid-body. At the end, after every machine synced on a good network, all three machines and the
server hold the same records, and no edit was lost without a conflict record.

"Lost" is judged by causality, not by clocks: every edited value is unique, and each edit notes
the value it replaced on its machine. The values on the chain ending at a field's final value
were seen and replaced on purpose; any other edit of that field must have left a conflict.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy.engine import Engine

from justice_desktop.store.outbox import pending_count
from sync.client.engine import SyncEngine
from sync.client.session import ServerSession, SyncError
from sync.client.tokens import MemoryTokenStore
from sync.protocol import Role
from sync.server.db import conflicts, records
from tests.sync.chaos import ChaosTransport
from tests.sync.conftest import PASSWORD, Account, Office
from tests.sync.machines import Machine
from tests.sync.server_process import ServerProcess

FIELDS = ("village", "closing_note", "summary")
MACHINES = 3


@dataclass(frozen=True)
class Edit:
    machine: int
    case_id: str
    field: str
    value: str
    replaced: Any


def _machine(tmp: Path, name: str, base_url: str, account: Account, rng: random.Random) -> Machine:
    from justice_desktop.store.database import create_store
    from justice_desktop.store.keys import MemoryVault
    from justice_desktop.store.office import OfficeSetup, set_up_office
    from sync.client.engine import sign_in

    store, _ = create_store(tmp / name, MemoryVault({}))
    set_up_office(store, OfficeSetup("城关司法所", "城关街道人民调解委员会", "津东城"))
    transport = ChaosTransport(rng)
    transport.faults = False
    session = ServerSession(base_url, MemoryTokenStore(), None, transport)
    sign_in(session, store, account.username, PASSWORD)
    return Machine(name, store, session, transport)  # type: ignore[arg-type]


def build_machine_class(
    server: ServerProcess,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
    tmp_root: Path,
    seen: dict[str, int],
) -> type[RuleBasedStateMachine]:
    counter = itertools.count()

    class OfficeSync(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.machines: list[Machine] = []
            self.edits: list[Edit] = []
            self.deleted_by: dict[str, int] = {}
            self.cases: list[str] = []
            self.values = itertools.count()
            self.office_id = 0

        @initialize(seed=st.integers(0, 2**32 - 1))
        def set_up(self, seed: int) -> None:
            office = make_office()
            self.office_id = office.id
            account = make_user(Role.CLERK, office)
            tmp = tmp_root / f"run{next(counter)}"
            rng = random.Random(seed)
            first = _machine(tmp, "m0", server.base_url, account, rng)
            SyncEngine(first.store, first.session).run()
            self.cases += [first.register_case(), first.register_case()]
            SyncEngine(first.store, first.session).run()
            self.machines.append(first)
            for n in range(1, MACHINES):
                machine = _machine(tmp, f"m{n}", server.base_url, account, random.Random(seed + n))
                SyncEngine(machine.store, machine.session).run()
                self.machines.append(machine)
            for machine in self.machines:
                machine.transport.faults = True  # type: ignore[attr-defined]

        def teardown(self) -> None:
            for machine in self.machines:
                for what, n in machine.transport.counts.items():  # type: ignore[attr-defined]
                    seen[what] = seen.get(what, 0) + n
                machine.close()

        @rule(m=st.integers(0, MACHINES - 1))
        def register(self, m: int) -> None:
            self.cases.append(self.machines[m].register_case())

        @precondition(lambda self: bool(self.cases))
        @rule(m=st.integers(0, MACHINES - 1), pick=st.integers(0, 10**6), f=st.sampled_from(FIELDS))
        def edit(self, m: int, pick: int, f: str) -> None:
            machine = self.machines[m]
            case_id = self.cases[pick % len(self.cases)]
            rows = machine.store.query(f"SELECT deleted, {f} FROM cases WHERE id = ?", (case_id,))
            if not rows or rows[0]["deleted"]:
                return  # this machine has not seen the case yet, or it is deleted here
            value = f"值{next(self.values)}"
            machine.update("cases", case_id, {f: value})
            self.edits.append(Edit(m, case_id, f, value, rows[0][f]))
            seen["edits"] = seen.get("edits", 0) + 1

        @precondition(lambda self: bool(self.cases))
        @rule(
            m=st.integers(0, MACHINES - 1),
            n=st.integers(1, MACHINES - 1),
            pick=st.integers(0, 10**6),
            f=st.sampled_from(FIELDS),
        )
        def contend(self, m: int, n: int, pick: int, f: str) -> None:
            """Two machines change the same field of one case before either syncs."""
            self.edit(m, pick, f)
            self.edit((m + n) % MACHINES, pick, f)

        @precondition(lambda self: bool(self.cases))
        @rule(m=st.integers(0, MACHINES - 1), pick=st.integers(0, 10**6))
        def delete(self, m: int, pick: int) -> None:
            machine = self.machines[m]
            case_id = self.cases[pick % len(self.cases)]
            rows = machine.store.query("SELECT deleted FROM cases WHERE id = ?", (case_id,))
            if not rows or rows[0]["deleted"]:
                return
            machine.delete("cases", case_id)
            self.deleted_by[case_id] = m

        @rule(m=st.integers(0, MACHINES - 1))
        def sync(self, m: int) -> None:
            machine = self.machines[m]
            seen["syncs"] = seen.get("syncs", 0) + 1
            with contextlib.suppress(SyncError):  # a failed network: the next sync goes on
                SyncEngine(machine.store, machine.session, push_batch=7, pull_page=9).run()

        @invariant()
        def nothing_parked(self) -> None:
            for machine in self.machines:
                assert (
                    machine.store.scalar("SELECT count(*) FROM outbox WHERE parked_at IS NOT NULL")
                    == 0
                )

        def converge(self) -> None:
            for machine in self.machines:
                machine.transport.faults = False  # type: ignore[attr-defined]
            for _ in range(2):
                for machine in self.machines:
                    SyncEngine(machine.store, machine.session).run()

        def check(self) -> None:
            self.converge()
            for machine in self.machines:
                assert pending_count(machine.store) == 0
            with engine.connect() as conn:
                server_rows = {
                    r.record_id: (r.version, bool(r.deleted), r.data)
                    for r in conn.execute(
                        sa.select(records).where(
                            records.c.office_id == self.office_id, records.c.table_name == "cases"
                        )
                    )
                }
                conflict_rows = conn.execute(
                    sa.select(conflicts.c.record_id, conflicts.c.field).where(
                        conflicts.c.office_id == self.office_id
                    )
                ).all()
            conflicted = {(r.record_id, r.field) for r in conflict_rows}
            seen["conflicts"] = seen.get("conflicts", 0) + len(conflicted)
            assert set(server_rows) == set(self.cases)
            columns = ", ".join(FIELDS)
            for case_id, (version, deleted, data) in server_rows.items():
                data = data if isinstance(data, dict) else json.loads(data)
                for machine in self.machines:
                    row = machine.store.query(
                        f"SELECT version, deleted, {columns} FROM cases WHERE id = ?", (case_id,)
                    )[0]
                    assert (row["version"], bool(row["deleted"])) == (version, deleted)
                    for f in FIELDS:  # a field never set is absent on the server
                        expected = data[f] if f in data else row[f]
                        assert f in data or row[f] in ("", None), (machine.name, f, row)
                        assert row[f] == expected, (machine.name, f, row, data)
                if case_id in self.deleted_by and not deleted:
                    assert (case_id, None) in conflicted, f"a delete of {case_id} vanished"
                for f in FIELDS:
                    chain = _chain(self.edits, case_id, f, data.get(f))
                    for e in self.edits:
                        if e.case_id != case_id or e.field != f or e.value in chain:
                            continue
                        assert (case_id, f) in conflicted or (case_id, None) in conflicted, (
                            f"edit {e} was lost without a conflict record"
                        )

    return OfficeSync


def _chain(edits: list[Edit], case_id: str, field: str, final: Any) -> set[str]:
    by_value = {e.value: e for e in edits if e.case_id == case_id and e.field == field}
    chain: set[str] = set()
    value = final
    while isinstance(value, str) and value in by_value and value not in chain:
        chain.add(value)
        value = by_value[value].replaced
    return chain


def test_three_machines_converge_through_a_faulty_network(
    server: ServerProcess,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
    tmp_path: Path,
) -> None:
    seen: dict[str, int] = {}
    machine_class = build_machine_class(server, engine, make_office, make_user, tmp_path, seen)

    class Checked(machine_class):  # type: ignore[misc, valid-type]
        def teardown(self) -> None:
            try:
                if self.machines:
                    self.check()
            finally:
                super().teardown()

    run_state_machine_as_test(
        Checked,
        settings=settings(
            max_examples=8,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            # Shrinking re-runs whole networks of machines for minutes; the failing steps are
            # printed as they are.
            phases=[Phase.explicit, Phase.reuse, Phase.generate],
        ),
    )
    # The run really went through every kind of fault, and into conflicts.
    for what in ("dropped", "answer lost", "duplicated", "replayed", "cut mid-body", "conflicts"):
        assert seen.get(what, 0) > 0, f"{what}: {sorted(seen.items())}"
