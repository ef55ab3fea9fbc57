"""Finding a case by the number printed on its paper (案件编号)."""

from __future__ import annotations

import re

from justice_desktop.store.database import Store

_NUMBER = re.compile(r"^（(\d{4})）.*第(\d+)号$")

_HALF_TO_FULL = str.maketrans({"(": "（", ")": "）", " ": ""})


def normalize_case_number(text: str) -> str:
    """Typed forms of a case number made comparable: half-width brackets, spaces."""
    return text.strip().translate(_HALF_TO_FULL)


def case_id_by_number(store: Store, case_number: str) -> str | None:
    """The id of the (not deleted) case with this number, or None.

    A well-formed number is looked up through the (committee, year, seq) index."""
    number = normalize_case_number(case_number)
    m = _NUMBER.match(number)
    if m:
        value = store.scalar(
            "SELECT id FROM cases WHERE committee_id IN (SELECT id FROM committees)"
            " AND year = ? AND seq = ? AND case_number = ? AND deleted = 0 LIMIT 1",
            (int(m.group(1)), int(m.group(2)), number),
        )
    else:
        value = store.scalar(
            "SELECT id FROM cases WHERE case_number = ? AND deleted = 0 LIMIT 1", (number,)
        )
    return str(value) if value is not None else None
