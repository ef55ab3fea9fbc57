"""Store benchmark: the speed targets of an office database, on real SQLCipher files.

    python -m bench.store_bench --cases 1000000 [--dir DIR] [--reuse] [--json]
    python -m bench.store_bench --cases 20000           # about half a minute

Measures, in one run:

* **load**: ``load_demo_data`` of N cases (time, rows written; generated in worker processes
  as the program does for large loads, or as ``--workers`` says) against a plain sqlite-utils
  ``Database(conn)[table].insert_all(rows)`` on fresh SQLCipher files of (a) the same N case
  rows and (b) every record row the load wrote, table by table (the same rows, regenerated
  from the same seed, without indexes, search index or number blocks); ratios (target ≤ 3×);
* **open + first page**: ``open_store`` (new connection, key, checks, migration check) and
  the first page of the case list (``CaseQueries.page``, 50 rows), each run in a fresh Python
  process (imports excluded from the time), median over ``--opens`` runs (target ≤ 300 ms);
* **save**: ``CaseService.register`` of a new case with two parties, p50/p95 over ``--saves``
  saves (target p50 ≤ 5 ms);
* **search**: ``search.search`` p50/p95 per kind of term (1- and 2-character names, pinyin
  initials, ID and phone fragments, case numbers, summary words), ``--queries`` terms of each
  kind drawn from the data (target p95 ≤ 50 ms);
* **size**: database file size and bytes per case.

``--reuse`` keeps an existing database in ``--dir`` (loaded by an earlier run) and measures
everything but the load again. The database key of the benchmark database is kept in
``DIR/office/bench.key``: the data is fictitious.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

TARGET_LOAD_RATIO = 3.0
TARGET_OPEN_MS = 300.0
TARGET_SAVE_P50_MS = 5.0
TARGET_SEARCH_P95_MS = 50.0
SUMMARY_WORDS = (
    "漏水",
    "宅基地",
    "赡养",
    "工资",
    "借款",
    "物业费",
    "噪声",
    "交通事故",
    "抚养费",
    "装修",
    "院墙",
    "医疗费",
    "承包地",
    "货款",
    "排水沟",
    "经济补偿",
    "旅游",
    "油烟",
)


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))]


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def _remove_db(path: Path) -> None:
    for p in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        p.unlink(missing_ok=True)


# ------------------------------------------------------------------------------------- load


def _vault_for(office: Path) -> Any:
    from justice_desktop.store.keys import MemoryVault

    key = bytes.fromhex((office / "bench.key").read_text(encoding="ascii").strip())
    db_id = str(json.loads((office / "store.json").read_text(encoding="utf-8"))["db_id"])
    return MemoryVault({db_id: key})


def load(office: Path, cases: int, seed: int, workers: int | None) -> dict[str, Any]:
    import os

    from justice_desktop.demo.loader import SUBPROCESS_MIN_CASES, load_demo_data
    from justice_desktop.demo.parallel import default_workers
    from justice_desktop.store.database import create_store
    from justice_desktop.store.keys import MemoryVault
    from justice_desktop.store.office import set_up_office
    from justice_desktop.store.session import DEMO_SETUP

    vault = MemoryVault({})
    store, _ = create_store(office, vault)
    (office / "bench.key").write_text(store.key.hex(), encoding="ascii")
    set_up_office(store, DEMO_SETUP)
    step = max(1, cases // 20)
    marks = {"next": step}

    def progress(done: int, total: int) -> bool:
        if done >= marks["next"] or done == total:
            _log(f"  loaded {done:,}/{total:,} cases")
            marks["next"] = done + step
        return True

    if workers is None:  # what the program does
        in_workers = cases >= SUBPROCESS_MIN_CASES and (os.cpu_count() or 1) > 1
        workers = default_workers() if in_workers else 0
    t0 = time.perf_counter()
    report = load_demo_data(
        store,
        cases=cases,
        seed=seed,
        progress=progress,
        subprocess_generator=workers > 0,
        workers=workers or None,
    )
    seconds = time.perf_counter() - t0
    store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    today = store.clock().date()
    store.close()
    return {
        "cases": report.cases,
        "rows": report.rows,
        "search_docs": report.search_docs,
        "seconds": seconds,
        "workers": workers,
        "cpus": os.cpu_count(),
        "today": today.isoformat(),
        "report": str(report),
    }


def baseline(work: Path, key: bytes, cases: int, seed: int, today: date) -> dict[str, Any]:
    """sqlite-utils ``insert_all`` of the same rows into plain tables of fresh SQLCipher files."""
    import sqlite_utils

    from justice_desktop.codes.tables import load_code_tables
    from justice_desktop.demo.generator import CommitteeRef, DemoGenerator, StaffRef
    from justice_desktop.store.connection import connect

    gen = DemoGenerator(
        cases=cases,
        seed=seed,
        today=today,
        tables=load_code_tables(),
        committees=[CommitteeRef("0" * 32, "城关街道人民调解委员会", "津东城")],
        staff=[StaffRef("李明", "1" * 32)],
    )
    paths = {"cases": work / "plain_cases.db", "all": work / "plain_all.db"}
    for p in paths.values():
        _remove_db(p)
    conns = {k: connect(p, key) for k, p in paths.items()}
    dbs = {k: sqlite_utils.Database(c) for k, c in conns.items()}
    spent = {"cases": 0.0, "all": 0.0}
    rows = {"cases": 0, "all": 0}

    def insert(which: str, table: str, batch_rows: list[dict[str, Any]]) -> None:
        t0 = time.perf_counter()
        dbs[which].table(f"{table}_plain").insert_all(batch_rows)
        spent[which] += time.perf_counter() - t0
        rows[which] += len(batch_rows)

    for batch in itertools.chain([gen.office_batch()], gen.case_batches()):
        for table, table_rows in batch.rows.items():
            if table == "cases":
                insert("cases", table, table_rows)
            insert("all", table, table_rows)
        if batch.case_count:
            _log(f"  plain insert_all: {rows['cases']:,} case rows, {rows['all']:,} rows in all")
    sizes = {}
    for k, c in conns.items():
        c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        c.close()
        sizes[k] = _size(paths[k])
        _remove_db(paths[k])
    return {
        "cases_rows": rows["cases"],
        "cases_seconds": spent["cases"],
        "cases_bytes": sizes["cases"],
        "all_rows": rows["all"],
        "all_seconds": spent["all"],
        "all_bytes": sizes["all"],
    }


# ------------------------------------------------------------------------- open + first page


def probe_open(office: Path) -> float:
    """Run in a fresh process: open the store and read the first page; milliseconds."""
    from justice_desktop.store.database import open_store
    from justice_desktop.store.queries import CaseFilter, CaseQueries

    vault = _vault_for(office)
    t0 = time.perf_counter()
    store = open_store(office, vault)
    rows = CaseQueries(store).page(CaseFilter(), 0, 50)
    ms = (time.perf_counter() - t0) * 1000
    if len(rows) != min(50, int(store.scalar("SELECT count(*) FROM cases WHERE deleted = 0"))):
        raise RuntimeError("first page has the wrong number of rows")
    store.close()
    return ms


def measure_open(office: Path, runs: int) -> list[float]:
    times: list[float] = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-m", "bench.store_bench", "--probe-open", str(office)],
            check=True,
            capture_output=True,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return times


# ----------------------------------------------------------------------------------- saving


def measure_saves(office: Path, saves: int, seed: int) -> list[float]:
    from justice_desktop.domain.case_inputs import CaseInput
    from justice_desktop.domain.party import PartyInput
    from justice_desktop.store.cases import CaseService
    from justice_desktop.store.database import open_store
    from justice_desktop.store.office import committees, users
    from justice_desktop.validation.id_number import resident_id_check_char

    store = open_store(office, _vault_for(office))
    try:
        service = CaseService(store)
        committee = committees(store)[0]["id"]
        user = users(store)[0]["id"]
        r = random.Random(seed + 99)
        today = store.clock().date()

        def id_number(male: bool) -> str:
            first17 = f"120102{r.randint(1950, 2000)}{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
            first17 += f"{r.randint(0, 499) * 2 + int(male):03d}"
            return first17 + resident_id_check_char(first17)

        times: list[float] = []
        for i in range(saves + 5):
            c = CaseInput(
                committee_id=committee,
                registered_on=today,
                source="applied",
                dispute_type="neighbourhood",
                summary=f"双方因院墙排水问题发生纠纷，申请调解（基准测试第{i + 1}件）。",
                claims=["请求对方改造排水设施"],
                parties=[
                    PartyInput(
                        side="applicant",
                        name="张" + "伟强明"[i % 3],
                        id_number=id_number(True),
                        phone=f"138{r.randint(0, 99_999_999):08d}",
                        address="柳河镇王家庄村一组8号",
                    ),
                    PartyInput(
                        side="respondent",
                        name="李" + "秀英芳"[i % 3],
                        id_number=id_number(False),
                        phone=f"139{r.randint(0, 99_999_999):08d}",
                    ),
                ],
                mediators=["李明"],
                village="王家庄村",
            )
            t0 = time.perf_counter()
            service.register(user, c)
            if i >= 5:  # the first few warm the caches and the code tables
                times.append((time.perf_counter() - t0) * 1000)
        return times
    finally:
        store.close()


# ---------------------------------------------------------------------------------- search


def _terms(conn: Any, r: random.Random, n: int) -> dict[str, list[str]]:
    from justice_desktop.store.search import name_initials

    top_party = int(conn.execute("SELECT max(rowid) FROM parties").fetchone()[0])
    top_case = int(conn.execute("SELECT max(rowid) FROM cases").fetchone()[0])

    def party() -> tuple[str, str, str]:
        while True:
            row = conn.execute(
                "SELECT name, coalesce(id_number, ''), phone FROM parties WHERE rowid = ? AND kind = 'person'",
                (r.randint(1, top_party),),
            ).fetchone()
            if row is not None:
                return str(row[0]), str(row[1]), str(row[2])

    def with_id() -> str:
        while True:
            found = party()[1]
            if found:
                return found

    def with_phone() -> str:
        while True:
            found = party()[2]
            if found:
                return found

    def case_number() -> str:
        while True:
            row = conn.execute(
                "SELECT case_number FROM cases WHERE rowid = ?", (r.randint(1, top_case),)
            ).fetchone()
            if row is not None:
                return str(row[0])

    makers: dict[str, Callable[[], str]] = {
        "1-char name": lambda: party()[0][0],
        "2-char name": lambda: party()[0][:2],
        "pinyin initials": lambda: name_initials(party()[0])[0],
        "ID fragment (6)": lambda: (lambda x: x[r.randint(6, 12) :][:6])(with_id()),
        "phone fragment (4)": lambda: with_phone()[-4:],
        "case number": case_number,
        "summary word": lambda: r.choice(SUMMARY_WORDS),
    }
    return {kind: [make() for _ in range(n)] for kind, make in makers.items()}


def measure_search(office: Path, queries: int, seed: int) -> dict[str, dict[str, float]]:
    from justice_desktop.store.database import open_store
    from justice_desktop.store.search import search

    store = open_store(office, _vault_for(office))
    try:
        conn = store.conn
        terms = _terms(conn, random.Random(seed + 7), queries)
        for term in terms["2-char name"][:20]:  # a running program has a warm cache
            search(conn, term)
        out: dict[str, dict[str, float]] = {}
        for kind, kind_terms in terms.items():
            times: list[float] = []
            hits = 0
            for term in kind_terms:
                t0 = time.perf_counter()
                found = search(conn, term, limit=50)
                times.append((time.perf_counter() - t0) * 1000)
                hits += len(found)
            out[kind] = {
                "p50_ms": statistics.median(times),
                "p95_ms": _pct(times, 0.95),
                "max_ms": max(times),
                "hits": hits / len(kind_terms),
                "queries": len(kind_terms),
            }
        return out
    finally:
        store.close()


# -------------------------------------------------------------------------------------- main


def _table(res: dict[str, Any]) -> str:
    lines: list[str] = []
    add = lines.append
    n = res["cases"]
    load_ = res.get("load")
    base = res.get("baseline")
    loaded = f"{load_['cases']:,} demo cases loaded, " if load_ else ""
    add(
        f"store benchmark: {loaded}{n:,} cases in the database after the saves (seed {res['seed']}), SQLCipher, {res['dir']}"
    )
    if load_:
        add(
            f"  load demo data        {load_['seconds']:9.1f} s   {load_['rows']:,} rows "
            f"({load_['search_docs']:,} search documents; "
            f"{_workers_text(load_.get('workers'), load_.get('cpus'))})"
        )
    if base:
        add(
            f"  plain insert_all, {base['cases_rows']:,} case rows          {base['cases_seconds']:9.1f} s"
        )
        add(
            f"  plain insert_all, all {base['all_rows']:,} record rows   {base['all_seconds']:9.1f} s"
        )
    if load_ and base:
        r1 = load_["seconds"] / base["cases_seconds"]
        r2 = load_["seconds"] / base["all_seconds"]
        add(f"  ratio load / plain (case rows)  {r1:6.2f}x   (target <= {TARGET_LOAD_RATIO:g}x)")
        add(f"  ratio load / plain (same rows)  {r2:6.2f}x   (target <= {TARGET_LOAD_RATIO:g}x)")
    o = res["open"]
    add(
        f"  open + first page     median {o['median_ms']:7.1f} ms  (min {o['min_ms']:.1f}, max {o['max_ms']:.1f}, "
        f"{o['runs']} runs; target <= {TARGET_OPEN_MS:g} ms)"
    )
    s = res["save"]
    add(
        f"  save case (2 parties) p50 {s['p50_ms']:6.2f} ms  p95 {s['p95_ms']:6.2f} ms  "
        f"({s['saves']} saves; target p50 <= {TARGET_SAVE_P50_MS:g} ms)"
    )
    add(f"  search ({res['queries']} queries per kind; target p95 <= {TARGET_SEARCH_P95_MS:g} ms)")
    add(f"    {'kind':<20} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'hits':>6}")
    for kind, v in res["search"].items():
        add(
            f"    {kind:<20} {v['p50_ms']:8.2f} {v['p95_ms']:8.2f} {v['max_ms']:8.2f} {v['hits']:6.1f}"
        )
    z = res["size"]
    add(f"  database size         {z['mb']:9.1f} MB   {z['bytes_per_case']:,.0f} bytes per case")
    return "\n".join(lines)


def _workers_text(workers: int | None, cpus: int | None) -> str:
    if workers is None:
        return "generated in ? processes"
    where = f"generated in {workers} worker processes" if workers else "generated in-process"
    return where + (f", {cpus} CPUs" if cpus else "")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--cases", type=int, default=1_000_000, help="demo cases to load (default 1,000,000)"
    )
    ap.add_argument(
        "--dir", type=Path, help="work folder (default: a temporary one, removed after)"
    )
    ap.add_argument(
        "--reuse", action="store_true", help="reuse the database already loaded in --dir"
    )
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--opens", type=int, default=10, help="open + first page runs (default 10)")
    ap.add_argument("--saves", type=int, default=200, help="cases saved (default 200)")
    ap.add_argument("--queries", type=int, default=100, help="search terms per kind (default 100)")
    ap.add_argument("--skip-baseline", action="store_true", help="do not time the plain insert_all")
    ap.add_argument(
        "--workers",
        type=int,
        help="worker processes generating the demo data (0: in-process; default: as the program)",
    )
    ap.add_argument("--probe-open", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.probe_open is not None:
        print(f"{probe_open(args.probe_open):.3f}")
        return 0

    tmp: tempfile.TemporaryDirectory[str] | None = None
    if args.dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="store-bench-")
        work = Path(tmp.name)
    else:
        work = args.dir
        work.mkdir(parents=True, exist_ok=True)
    office = work / "office"
    saved = work / "bench_load.json"
    res: dict[str, Any] = {"seed": args.seed, "dir": str(work), "queries": args.queries}
    try:
        if args.reuse and (office / "justice.db").exists():
            _log(f"reusing {office}")
            if saved.exists():
                res.update(json.loads(saved.read_text(encoding="utf-8")))
        else:
            if office.exists():
                shutil.rmtree(office)
            _log(f"loading {args.cases:,} demo cases into {office} …")
            res["load"] = load(office, args.cases, args.seed, args.workers)
            _log(f"  {res['load']['report']}")
            if not args.skip_baseline:
                _log("plain sqlite-utils insert_all of the same rows …")
                key = bytes.fromhex((office / "bench.key").read_text(encoding="ascii"))
                res["baseline"] = baseline(
                    work, key, args.cases, args.seed, date.fromisoformat(res["load"]["today"])
                )
            saved.write_text(
                json.dumps({k: res[k] for k in ("load", "baseline") if k in res}), encoding="utf-8"
            )
        db = office / "justice.db"
        _log(f"open + first page, {args.opens} fresh processes …")
        opens = measure_open(office, args.opens)
        res["open"] = {
            "median_ms": statistics.median(opens),
            "min_ms": min(opens),
            "max_ms": max(opens),
            "runs": len(opens),
        }
        _log(f"saving {args.saves} cases …")
        saves = measure_saves(office, args.saves, args.seed)
        res["save"] = {
            "p50_ms": statistics.median(saves),
            "p95_ms": _pct(saves, 0.95),
            "saves": len(saves),
        }
        _log(f"searching, {args.queries} terms per kind …")
        res["search"] = measure_search(office, args.queries, args.seed)
        from justice_desktop.store.database import open_store

        store = open_store(office, _vault_for(office))
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        n_cases = int(store.scalar("SELECT count(*) FROM cases"))
        store.close()
        size = _size(db)
        res["cases"] = n_cases
        res["size"] = {"bytes": size, "mb": size / 1e6, "bytes_per_case": size / max(1, n_cases)}
        print(json.dumps(res, ensure_ascii=False, indent=2) if args.json else _table(res))
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
