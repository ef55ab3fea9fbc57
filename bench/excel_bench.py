"""Excel benchmark: exporting a long list and importing a big roster (real SQLCipher file).

    python -m bench.excel_bench [--cases 100000] [--roster 30000] [--runs 3]

Prints medians of wall time, and the process's CPU time (the figure to compare when the
machine is busy with other work). Medians of:

* **export**: the case list of a demo database with ``--cases`` cases to .xlsx
  (``export_list``, masked, audited) — target ≤ 30 s for 100,000 rows;
* **import**: a ``--roster``-row 法律明白人 roster (made with openpyxl like an office's sheet:
  shared strings, 10 columns, a title row) planned (read + every row validated: the dry run)
  and applied in one transaction on a fresh database — target ≤ 10 s for 30,000 rows;
  the dry-run and the write are also shown on their own, and a second import of the same
  file (nothing to write).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

TARGET_EXPORT_S = 30.0
TARGET_IMPORT_S = 10.0


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _office(folder: Path):  # type: ignore[no-untyped-def]
    from justice_desktop.store.database import create_store
    from justice_desktop.store.keys import MemoryVault
    from justice_desktop.store.office import OfficeSetup, set_up_office

    store, _ = create_store(folder, MemoryVault({}))
    ids = set_up_office(store, OfficeSetup("城关司法所", "城关街道人民调解委员会", "津东城"))
    return store, ids["user_id"]


def _roster_file(path: Path, rows: int) -> None:
    import openpyxl

    from justice_desktop.validation.id_number import resident_id_check_char

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "名册"
    ws.append(["2025年法律明白人名册"])
    ws.append(["序号", "姓名", "性别", "身份证号码", "联系电话", "所在村", "村民小组",
               "产生方式", "证书编号", "聘任日期"])  # fmt: skip
    villages = [f"第{i}村" for i in range(1, 121)]
    for n in range(rows):
        k = n // 1000  # unique (birth date, sequence) per row
        first17 = f"120101{1950 + k // 336}{1 + (k // 28) % 12:02d}{1 + k % 28:02d}{n % 1000:03d}"
        ws.append(
            [
                n + 1,
                f"明白人{n}",
                "男" if (n % 1000) % 2 else "女",
                first17 + resident_id_check_char(first17),
                f"138{n:08d}",
                villages[n % len(villages)],
                f"{1 + n % 9}组",
                "个人自荐" if n % 2 else "村（居）委会推荐",
                f"ZS{n:06d}",
                date(2024, 1 + n % 12, 1 + n % 28),
            ]
        )
    wb.save(path)


def bench_export(folder: Path, cases: int, runs: int) -> float:
    from justice_desktop.demo.loader import load_demo_data
    from justice_desktop.excel.exports import ExportRequest, export_list

    store, user = _office(folder / "export-office")
    _log(f"loading {cases} demo cases…")
    t = time.perf_counter()
    load_demo_data(store, cases=cases, seed=1)
    _log(f"  loaded in {time.perf_counter() - t:.1f} s")
    times, cpu = [], []
    rows = 0
    for i in range(runs):
        t = time.perf_counter()
        c = time.process_time()
        result = export_list(store, user, ExportRequest("cases"), folder / f"cases{i}.xlsx")
        times.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        rows = result.rows
        _log(f"  export run {i + 1}: {times[-1]:.2f} s, {rows} rows")
    store.close()
    median = statistics.median(times)
    per_100k = median * 100_000 / max(rows, 1)
    print(
        f"export cases: {rows} rows median {median:.2f} s "
        f"(≈{per_100k:.2f} s per 100,000 rows; target ≤ {TARGET_EXPORT_S:.0f} s; "
        f"CPU time {statistics.median(cpu):.2f} s)"
    )
    return per_100k


def bench_import(folder: Path, rows: int, runs: int) -> float:
    from justice_desktop.excel.importer import apply_import, plan_roster_import

    path = folder / "roster.xlsx"
    _log(f"writing a {rows}-row roster with openpyxl…")
    _roster_file(path, rows)
    totals, plans, writes, again, cpu = [], [], [], [], []
    for i in range(runs):
        store, user = _office(folder / f"import-office-{i}")
        t = time.perf_counter()
        c = time.process_time()
        plan = plan_roster_import(store, user, path)
        t_plan = time.perf_counter()
        if not plan.ok:
            raise SystemExit("\n".join(plan.report_lines()[:20]))
        apply_import(store, user, plan)
        t_done = time.perf_counter()
        cpu.append(time.process_time() - c)
        plans.append(t_plan - t)
        writes.append(t_done - t_plan)
        totals.append(t_done - t)
        t = time.perf_counter()
        second = plan_roster_import(store, user, path)
        apply_import(store, user, second)
        again.append(time.perf_counter() - t)
        assert second.unchanged == rows and not second.new_rows
        _log(f"  import run {i + 1}: {totals[-1]:.2f} s (dry run {plans[-1]:.2f} s)")
        store.close()
    median = statistics.median(totals)
    print(
        f"import roster: {rows} rows median {median:.2f} s (dry run "
        f"{statistics.median(plans):.2f} s + write {statistics.median(writes):.2f} s; "
        f"target ≤ {TARGET_IMPORT_S:.0f} s); second import of the same file "
        f"{statistics.median(again):.2f} s; CPU time of the import {statistics.median(cpu):.2f} s"
    )
    return median


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--roster", type=int, default=30_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="excel-bench-") as tmp:
        folder = Path(tmp)
        ok = True
        if not args.skip_import:
            ok &= bench_import(folder, args.roster, args.runs) <= TARGET_IMPORT_S
        if not args.skip_export:
            ok &= bench_export(folder, args.cases, args.runs) <= TARGET_EXPORT_S
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
