"""A writer process for the crash-safety test: registers cases until it is killed.

Usage: python -m tests.support.crash_writer DATA_DIR KEY_HEX DB_ID
Prints "committed <case id>" after each transaction has committed.
"""

from __future__ import annotations

import random
import sys
from datetime import datetime
from pathlib import Path

from justice_desktop.domain.case_inputs import CaseInput, SessionInput
from justice_desktop.domain.party import PartyInput
from justice_desktop.store.cases import CaseService
from justice_desktop.store.database import open_store
from justice_desktop.store.keys import MemoryVault
from justice_desktop.store.office import committees, users


def main() -> None:
    data_dir, key_hex, db_id = sys.argv[1], sys.argv[2], sys.argv[3]
    store = open_store(Path(data_dir), MemoryVault({db_id: bytes.fromhex(key_hex)}))
    service = CaseService(store)
    committee = committees(store)[0]["id"]
    user = users(store)[0]["id"]
    rng = random.Random()
    n = 0
    while True:
        n += 1
        today = store.clock().date()
        cid = service.register(
            user,
            CaseInput(
                committee_id=committee,
                registered_on=today,
                source="applied",
                dispute_type="neighbourhood",
                summary=f"第{n}次写入的相邻关系纠纷" + "很长的情况说明" * rng.randint(0, 200),
                parties=[
                    PartyInput(side="applicant", name=f"甲{n}"),
                    PartyInput(side="respondent", name=f"乙{n}"),
                ],
                mediators=["王调解"],
            ),
        )
        print(f"committed {cid}", flush=True)
        if rng.random() < 0.5:
            service.add_session(
                user,
                cid,
                SessionInput(held_at=datetime.now(), record="调解记录" * 50, mediators="王调解"),
            )
            print(f"committed-session {cid}", flush=True)


if __name__ == "__main__":
    main()
