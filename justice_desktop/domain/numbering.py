"""Case numbers "（2025）津河人调字第12号": unique per committee per year on every machine.

Machines working offline never talk to each other, so each machine draws numbers only from
blocks it holds (``number_blocks``): disjoint ranges handed out by one authority — the city
server once sync is set up, or the office's first machine for a standalone office. A number is
written into the case when it is registered and is never changed afterwards: it may be printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_BLOCK_SIZE = 100
_PATTERN = re.compile(r"^[（(](\d{4})[）)](.+?)人调字第(\d+)号$")


def format_case_number(year: int, prefix: str, seq: int) -> str:
    return f"（{year}）{prefix}人调字第{seq}号"


@dataclass(frozen=True)
class CaseNumber:
    year: int
    prefix: str
    seq: int


def parse_case_number(text: str) -> CaseNumber | None:
    m = _PATTERN.match(text.strip())
    if not m:
        return None
    return CaseNumber(int(m.group(1)), m.group(2), int(m.group(3)))


@dataclass(frozen=True)
class NumberBlock:
    first: int
    last: int

    def __post_init__(self) -> None:
        if self.first < 1 or self.last < self.first:
            raise ValueError(f"bad block {self.first}-{self.last}")

    def overlaps(self, other: NumberBlock) -> bool:
        return self.first <= other.last and other.first <= self.last
