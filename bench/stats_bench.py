"""Statistics benchmark: the yearly 人民调解 table over a demo database (target ≤ 1 s at
1,000,000 cases).

    python -m bench.stats_bench --cases 1000000 --dir DIR [--reuse]
    python -m bench.stats_bench --cases 200000 --dir /tmp/stats-bench-200k --reuse

The database is built as ``bench.store_bench`` builds it (``DIR/office``, key in
``DIR/office/bench.key``), so ``--dir`` of an earlier store bench can be reused. Opening it
upgrades it to the latest schema first (migrations 7 and 8 build the statistics indexes; the
time is printed). Measures, each the median of ``--runs`` runs after one warm-up run:

* ``mediation_report`` of the busiest year (and of one month, one quarter and a custom range
  of about half a year);
* ``monthly_series`` of that year (the chart data);
* ``case_ids`` of the year's 调解案件总数 (the biggest drill-down list) and the slowest of a few
  yearly drill-downs by other measures and breakdowns (调解成功, 协议金额, 来源, 纠纷类型, 协议形式,
  组织类型, 防止…); every list's length is checked against its figure.

With fewer than a million cases the yearly time is also scaled linearly to 1,000,000 (the
queries are index range scans, linear in the cases of the year).
"""

from __future__ import annotations

import argparse
import functools
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

TARGET_YEAR_MS = 1000.0
MILLION = 1_000_000


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _median_ms(fn: Callable[[], Any], runs: int) -> tuple[float, float, float, Any]:
    result = fn()  # warm-up: code tables, page cache
    times: list[float] = []
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), min(times), max(times), result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--cases", type=int, default=MILLION, help="demo cases to load")
    ap.add_argument("--dir", type=Path, required=True, help="work folder (kept)")
    ap.add_argument("--reuse", action="store_true", help="reuse the database in --dir")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    from bench.store_bench import _vault_for, load
    from justice_desktop.statistics.periods import (
        custom_period,
        month_period,
        quarter_period,
        year_period,
    )
    from justice_desktop.statistics.tables import DrillKey
    from justice_desktop.store import statistics as st
    from justice_desktop.store.code_tables import load_tables
    from justice_desktop.store.database import open_store
    from justice_desktop.store.migrations import LATEST, current_version

    office = args.dir / "office"
    if not (args.reuse and (office / "justice.db").exists()):
        args.dir.mkdir(parents=True, exist_ok=True)
        _log(f"loading {args.cases:,} demo cases into {office} …")
        load(office, args.cases, args.seed, None)
    t0 = time.perf_counter()
    store = open_store(office, _vault_for(office))
    opened_s = time.perf_counter() - t0
    if current_version(store.conn) != LATEST:
        raise RuntimeError("database not upgraded")
    n_cases = int(store.scalar("SELECT n FROM row_counts WHERE name = 'cases'"))
    year = int(
        store.scalar(
            "SELECT substr(registered_on, 1, 4) AS y FROM cases WHERE deleted = 0 "
            "GROUP BY y ORDER BY count(*) DESC LIMIT 1"
        )
    )
    tables = load_tables(store)
    period = year_period(year)
    for sql in (st._REGISTERED_SQL, st._SUCCEEDED_SQL):
        plan = store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", ("2024-01-01", "2024-12-31"))
        _log("plan: " + " | ".join(str(r[-1]) for r in plan.fetchall()))

    yr_med, yr_min, yr_max, report = _median_ms(
        lambda: st.mediation_report(store, period, tables), args.runs
    )
    mo_med, _, _, _ = _median_ms(
        lambda: st.mediation_report(store, month_period(year, 6), tables), args.runs
    )
    qu_med, _, _, _ = _median_ms(
        lambda: st.mediation_report(store, quarter_period(year, 2), tables), args.runs
    )
    custom = custom_period(date(year, 3, 15), date(year, 9, 14))
    cu_med, _, _, _ = _median_ms(lambda: st.mediation_report(store, custom, tables), args.runs)
    ser_med, _, _, _ = _median_ms(lambda: st.monthly_series(store, year), args.runs)
    ids_med, _, _, ids = _median_ms(
        lambda: st.case_ids(store, DrillKey("registered"), period, tables), args.runs
    )
    if len(ids) != report.registered:
        raise RuntimeError("drill-down list does not match the count")
    drills: list[tuple[float, DrillKey, int]] = []
    for table_key, code, column in (
        ("summary", None, "succeeded"),
        ("summary", None, "amount"),
        ("source", "referred", "registered"),
        ("dispute_type", "neighbourhood", "succeeded"),
        ("agreement_form", "oral", "agreements"),
        ("body_type", "subdistrict", "registered"),
        ("prevention", "suicide", "count"),
    ):
        cell = report.table(table_key).cell(code, column)
        if cell.key is None:
            continue
        key = cell.key
        med, _, _, found = _median_ms(
            functools.partial(st.case_ids, store, key, period, tables), max(1, args.runs // 2)
        )
        if key.measure not in ("amount", "parties") and len(found) != cell.value:
            raise RuntimeError(f"drill-down list does not match the count: {key}")
        drills.append((med, key, len(found)))
    store.close()

    year_cases = report.registered
    print(f"database: {n_cases:,} cases ({office}); opened + upgraded in {opened_s:.1f} s")
    print(
        f"year {year}: {year_cases:,} cases registered, {report.succeeded:,} settled, "
        f"success rate {report.success_rate}%"
    )
    print(
        f"mediation_report(year):  median {yr_med:.0f} ms (min {yr_min:.0f}, max {yr_max:.0f}, "
        f"{args.runs} runs)"
    )
    print(f"mediation_report(month): median {mo_med:.0f} ms")
    print(f"mediation_report(quarter): median {qu_med:.0f} ms")
    print(f"mediation_report({custom.label}): median {cu_med:.0f} ms")
    print(f"monthly_series(year):    median {ser_med:.0f} ms")
    print(f"case_ids(year total):    median {ids_med:.0f} ms ({len(ids):,} ids)")
    for med, key, n in sorted(drills, key=lambda d: -d[0]):
        print(
            f"case_ids(year, {key.measure}/{key.dimension}/{key.code}): median {med:.0f} ms ({n:,})"
        )
    if n_cases < MILLION:
        scaled = yr_med * MILLION / max(1, n_cases)
        print(
            f"yearly table scaled linearly to 1,000,000 cases: ~{scaled:.0f} ms "
            f"(target ≤ {TARGET_YEAR_MS:.0f} ms)"
        )
    else:
        verdict = "OK" if yr_med <= TARGET_YEAR_MS else "TOO SLOW"
        print(f"target ≤ {TARGET_YEAR_MS:.0f} ms: {verdict}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
