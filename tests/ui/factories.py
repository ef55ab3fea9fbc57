"""Real office databases for UI tests: a demo-vault store with cases registered through the
same service the program uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from justice_desktop.domain.case_inputs import CaseInput
from justice_desktop.domain.party import PartyInput
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import Store
from justice_desktop.store.office import committees, users
from justice_desktop.store.session import DEMO_SETUP, create_office

FIRST_DAY = date(2025, 1, 2)
APPLICANTS = ("张三", "欧阳娜娜", "李建国", "王秀英", "刘洋", "陈静", "买买提·艾力", "赵敏")
RESPONDENTS = ("李四", "司马光明", "孙丽", "周强", "吴刚", "郑爽", "黄河", "何平")
DISPUTES = ("neighbourhood", "marriage_family", "contract", "damages", "property_management")


@dataclass(frozen=True)
class MadeCase:
    case_id: str
    case_number: str
    registered_on: date
    applicant: str
    respondent: str
    dispute_type: str


def new_office(folder: Path) -> Store:
    store, _recovery = create_office(folder, DEMO_SETUP, demo=True)
    return store


def add_cases(store: Store, count: int, *, first_day: date = FIRST_DAY) -> list[MadeCase]:
    """``count`` cases, one per day from ``first_day`` (so newest first is the reverse of
    registration order); names and dispute types cycle through the lists above."""
    service = CaseService(store)
    user_id = users(store)[0]["id"]
    committee_id = committees(store)[0]["id"]
    made: list[MadeCase] = []
    for i in range(count):
        day = first_day + timedelta(days=i)
        applicant = APPLICANTS[i % len(APPLICANTS)]
        respondent = RESPONDENTS[i % len(RESPONDENTS)]
        dispute = DISPUTES[i % len(DISPUTES)]
        case_id = service.register(
            user_id,
            CaseInput(
                committee_id=committee_id,
                registered_on=day,
                source="applied",
                dispute_type=dispute,
                summary=f"第{i + 1}起纠纷：双方因排水沟和院墙边界发生争执。",
                parties=[
                    PartyInput(side="applicant", name=applicant, phone=f"1381234{i:04d}"),
                    PartyInput(side="respondent", name=respondent),
                ],
                mediators=["王调解"],
                village="城关村",
            ),
        )
        number = str(store.scalar("SELECT case_number FROM cases WHERE id = ?", (case_id,)))
        made.append(MadeCase(case_id, number, day, applicant, respondent, dispute))
    return made
