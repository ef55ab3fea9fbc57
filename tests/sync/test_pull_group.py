"""How many pulled records go into one transaction: as many as this PC writes in about
``PULL_GROUP_SECONDS``, so the program's own saves never wait past the busy timeout."""

from __future__ import annotations

import pytest

from sync.client.engine import PULL_GROUP, PULL_GROUP_SECONDS, next_group


def test_a_fast_pc_writes_the_largest_groups() -> None:
    assert next_group(20_000, 1.0) == PULL_GROUP


def test_a_slow_pc_writes_what_it_manages_in_the_time() -> None:
    assert next_group(5_000, 5.0) == int(1_000 * PULL_GROUP_SECONDS)


def test_a_very_slow_pc_still_writes_a_useful_group() -> None:
    assert next_group(1_000, 60.0) == 1_000


@pytest.mark.parametrize(("done", "seconds"), [(0, 1.0), (500, 0.0)])
def test_no_measure_keeps_the_largest_group(done: int, seconds: float) -> None:
    assert next_group(done, seconds) == PULL_GROUP
