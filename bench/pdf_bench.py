"""PDF benchmark: printing speed on a demo database (real SQLCipher file, real fonts).

    python -m bench.pdf_bench [--cases 1200] [--files 1000] [--workers 2] [--dir DIR]

Prints medians of:

* **agreement**: one filled 人民调解协议书 (``render_form``) in a running process (fonts already
  loaded: the first render is a warm-up and reported on its own) — target ≤ 100 ms;
* **bound file**: one bound case file of 10 or more pages (``render_case_file``; a case with a
  written agreement, a follow-up and a scanned image attachment) — target ≤ 500 ms;
* **batch**: ``--files`` bound case files rendered by ``--workers`` processes, each opening the
  database itself (as a batch print would), wall time from start to the last file —
  target ≤ 180 s for 1,000 files. With ``--files`` smaller than 1,000 the time for 1,000 is
  extrapolated linearly and marked as such.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

TARGET_AGREEMENT_MS = 100.0
TARGET_BOUND_MS = 500.0
TARGET_BATCH_S = 180.0


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _median_ms(fn: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _render_slice(data_dir: str, case_ids: list[str]) -> tuple[int, int]:
    """Worker: open the database and render each case's bound file; (files, bytes)."""
    from justice_desktop import pdf
    from justice_desktop.store.session import open_existing

    store = open_existing(Path(data_dir))
    size = 0
    try:
        for cid in case_ids:
            size += len(pdf.render_case_file(store, cid))
    finally:
        store.close()
    return len(case_ids), size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=1200, help="demo cases in the database")
    parser.add_argument("--files", type=int, default=1000, help="bound files in the batch")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)

    from PIL import Image

    from justice_desktop import pdf
    from justice_desktop.demo.loader import load_demo_data
    from justice_desktop.store.cases import CaseService
    from justice_desktop.store.session import DEMO_SETUP, create_office

    root = args.dir or Path(tempfile.mkdtemp(prefix="pdf-bench-"))
    data_dir = root / "office"
    shutil.rmtree(data_dir, ignore_errors=True)
    _log(f"demo database with {args.cases} cases in {data_dir} …")
    store, _ = create_office(data_dir, DEMO_SETUP, demo=True)
    load_demo_data(store, cases=args.cases, seed=5)
    written = [
        str(r["case_id"])
        for r in store.query(
            "SELECT a.case_id FROM agreements a JOIN cases c ON c.id = a.case_id"
            " WHERE a.deleted = 0 AND a.form = 'written' AND c.deleted = 0"
            " AND c.status IN ('succeeded', 'closed') ORDER BY c.registered_on"
        )
    ]
    all_ids = [str(r["id"]) for r in store.query("SELECT id FROM cases WHERE deleted = 0")]
    if not written:
        _log("no case with a written agreement in the demo data")
        return 1

    # 1. one agreement
    cid = written[0]
    t = time.perf_counter()
    pdf.render_form(store, cid, "agreement")
    first_ms = (time.perf_counter() - t) * 1000
    agreement_ms = _median_ms(lambda: pdf.render_form(store, cid, "agreement"), args.runs)

    # 2. a bound file of 10+ pages: the case with the most pages, plus a scanned page
    scan = io.BytesIO()
    Image.new("RGB", (1240, 1754), "white").save(scan, format="JPEG", quality=80)
    users = store.query("SELECT id FROM users LIMIT 1")
    CaseService(store).add_attachment(
        str(users[0]["id"]), cid, "身份证复印件.jpg", scan.getvalue(), kind="identity"
    )
    bound = pdf.render_case_file(store, cid)
    bound_pages = _pages(bound)
    bound_ms = _median_ms(lambda: pdf.render_case_file(store, cid), max(5, args.runs // 2))
    store.close()

    # 3. a batch of bound files in worker processes
    ids = (all_ids * (args.files // max(1, len(all_ids)) + 1))[: args.files]
    chunks = [ids[i :: args.workers] for i in range(args.workers)]
    ctx = multiprocessing.get_context("spawn")
    t = time.perf_counter()
    with ProcessPoolExecutor(args.workers, mp_context=ctx) as pool:
        results = list(pool.map(_render_slice, [str(data_dir)] * args.workers, chunks))
    batch_s = time.perf_counter() - t
    files = sum(r[0] for r in results)
    per_1000 = batch_s * 1000 / files

    def verdict(value: float, target: float) -> str:
        return "OK" if value <= target else "SLOW"

    print(
        f"agreement (人民调解协议书): first {first_ms:.0f} ms, median {agreement_ms:.1f} ms "
        f"(target ≤ {TARGET_AGREEMENT_MS:.0f}) {verdict(agreement_ms, TARGET_AGREEMENT_MS)}"
    )
    print(
        f"bound file ({bound_pages} pages): median {bound_ms:.1f} ms "
        f"(target ≤ {TARGET_BOUND_MS:.0f}) {verdict(bound_ms, TARGET_BOUND_MS)}"
    )
    note = "" if files >= 1000 else f" (extrapolated from {files} files)"
    print(
        f"batch: {files} bound files with {args.workers} workers in {batch_s:.1f} s; "
        f"1,000 files: {per_1000:.1f} s{note} (target ≤ {TARGET_BATCH_S:.0f} s) "
        f"{verdict(per_1000, TARGET_BATCH_S)}"
    )
    if args.dir is None:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
