"""Fixtures for core tests: real SQLCipher stores in a temporary folder."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime
from pathlib import Path

import pytest

from justice_desktop.domain.case_inputs import CaseInput
from justice_desktop.domain.party import PartyInput
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store, create_store
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.office import OfficeSetup, set_up_office

TODAY = date(2025, 6, 16)


class Clock:
    """A settable clock so deadlines are tested against known dates."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 6, 16, 9, 30))


@pytest.fixture
def vault() -> MemoryVault:
    return MemoryVault({})


@pytest.fixture
def office(
    tmp_path: Path, vault: MemoryVault, clock: Clock
) -> Iterator[tuple[Store, dict[str, str]]]:
    store, _ = create_store(tmp_path / "office", vault, clock=clock)
    ids = set_up_office(store, OfficeSetup("城关司法所", "城关街道人民调解委员会", "津东城"))
    yield store, ids
    store.close()


@pytest.fixture
def store(office: tuple[Store, dict[str, str]]) -> Store:
    return office[0]


@pytest.fixture
def ids(office: tuple[Store, dict[str, str]]) -> dict[str, str]:
    return office[1]


@pytest.fixture
def cases(store: Store) -> CaseService:
    return CaseService(store)


def make_case_input(
    committee_id: str,
    registered_on: date = date(2025, 6, 2),
    **overrides: object,
) -> CaseInput:
    values: dict[str, object] = {
        "committee_id": committee_id,
        "registered_on": registered_on,
        "source": "applied",
        "dispute_type": "neighbourhood",
        "summary": "双方因宅基地边界的排水沟问题发生争执，多次争吵。",
        "claims": ["请求对方拆除占用的排水沟"],
        "parties": [
            PartyInput(
                side="applicant", name="张三", id_number="11010519491231002X", phone="13812345678"
            ),
            PartyInput(side="respondent", name="李四", phone="13900001111"),
        ],
        "mediators": ["王调解"],
    }
    values.update(overrides)
    return CaseInput(**values)  # type: ignore[arg-type]


@pytest.fixture
def new_case(cases: CaseService, ids: dict[str, str]) -> Callable[..., str]:
    def make(**overrides: object) -> str:
        return cases.register(ids["user_id"], make_case_input(ids["committee_id"], **overrides))

    return make
