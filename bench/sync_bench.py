"""City-server sync benchmark on PostgreSQL, with real server processes on 127.0.0.1.

    python -m bench.sync_bench            # the full figures (a few minutes)
    python -m bench.sync_bench --quick    # smaller: 20,000 pulled cases, 50 offices in the rush

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth); every part runs on its own new
database, dropped afterwards. Measures:

1. **push**: 1,000 case changes of one office (80 % inserts of ~20-field case rows, 20 %
   updates) in batches of 500, as the desktop client sends them; median over ``--runs`` fresh
   offices (target ≤ 2 s). Then the same 1,000 again: all ``duplicate``.
2. **first pull**: an office with N cases (seeded through push, timed on its own) pulled from
   ``after=0`` with ``limit=MAX_PULL_LIMIT`` until ``has_more`` is false, every page decoded into
   :class:`sync.protocol.PullPage` (target ≤ 20 s for 100,000, ≥ 5,000 records/s).
2b. **first pull into a desktop** (``--only desktop``): a new desktop database (encrypted
   store, first-run setup 城关司法所) signs in and runs the real :class:`SyncEngine` against an
   office with N cases (plus its office and committee records): the join replaces the local
   setup and every page goes through ``sync_state.apply_pulled``. Whole sync time, the share of
   ``apply_pulled``, the desktop process's CPU (target ≤ 20 s for 100,000); ``--profile``
   prints where the desktop side spends it.
3. **day-end rush**: O offices (default 250), ``--concurrency`` of them syncing at the same
   moment (default 50 client threads, each a new connection per office: one refresh or login,
   200 changes pushed in 2 batches of 100, pull until done), against 2–4 server processes
   started with ``--serve`` options. Per request type p50/p95/p99 from the first attempt to the
   answer (a 503 ``server_busy`` is retried after its ``Retry-After`` and counted as a
   *deferral*, its wait included in the latency), the same for every answered attempt, total
   time, errors (failed after retries), deferrals, and the CPU seconds of the servers, the
   bench client itself (on the same cores) and PostgreSQL. Targets: no errors, p99 ≤ 2 s, all
   done ≤ 60 s. The ``refresh`` rush is the production case (the desktop keeps its tokens; the
   sessions are made in the database beforehand, no argon2); the ``login`` rush verifies the
   password of every office (argon2, ~0.3 CPU-s each).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import resource
import shlex
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from bench.sync_servers import (
    PASSWORD,
    OfficeAccount,
    OutboxWriter,
    PageCallback,
    SyncClient,
    cpu_seconds,
    cpu_used,
    fresh_database,
    issue_tokens_directly,
    make_office_account,
    postgres_cpu,
    register_devices_directly,
    running_servers,
)
from sync.protocol import ChangeStatus, PushResponse
from sync.server.db import make_engine
from sync.server.migrate import upgrade

TARGET_PUSH_S = 2.0
TARGET_PULL_S = 20.0
TARGET_PULL_RATE = 5_000.0
TARGET_RUSH_P99_S = 2.0
TARGET_RUSH_TOTAL_S = 60.0


def _mark(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def _row(label: str, value: str, target: str = "", verdict: str = "") -> None:
    print(f"  {label:<44} {value:>14}  {target:<14} {verdict}")


def _account(engine: Any) -> OfficeAccount:
    return make_office_account(engine, register_devices_directly(engine))


# ---------------------------------------------------------------------------------- 1. push


def bench_push(runs: int, servers: int) -> None:
    print("\n1. push 1,000 changes of one office (batches of 500)")
    with fresh_database() as url, running_servers(url, servers) as urls:
        engine = make_engine(url)
        times, replays = [], []
        for _ in range(runs):
            account = _account(engine)
            writer = OutboxWriter(account.device_id)
            changes = writer.changes(1000)
            with SyncClient(urls[0]) as client:
                client.login(account.username, account.device_id)
                start = time.perf_counter()
                responses = client.push(changes)
                times.append(time.perf_counter() - start)
                statuses = {r.status for resp in responses for r in resp.results}
                assert statuses == {ChangeStatus.APPLIED}, statuses
                start = time.perf_counter()
                responses = client.push(changes)
                replays.append(time.perf_counter() - start)
                statuses = {r.status for resp in responses for r in resp.results}
                assert statuses == {ChangeStatus.DUPLICATE}, statuses
        engine.dispose()
    push = statistics.median(times)
    _row(
        f"push 1,000 (median of {runs})",
        f"{push:.3f} s",
        f"≤ {TARGET_PUSH_S} s",
        _mark(push <= TARGET_PUSH_S),
    )
    _row("  min / max", f"{min(times):.3f}/{max(times):.3f}")
    _row(f"replay 1,000 duplicates (median of {runs})", f"{statistics.median(replays):.3f} s")


# ---------------------------------------------------------------------------------- 2. pull


def bench_pull(cases: int, runs: int, servers: int, on_page: PageCallback | None = None) -> None:
    print(f"\n2. first pull of {cases:,} cases of one office (limit = MAX_PULL_LIMIT)")
    with fresh_database() as url, running_servers(url, servers) as urls:
        engine = make_engine(url)
        account = _account(engine)
        writer = OutboxWriter(account.device_id)
        with SyncClient(urls[0]) as client:
            client.login(account.username, account.device_id)
            start = time.perf_counter()
            for _ in range(0, cases, 500):
                client.push(writer.changes(min(500, cases - len(writer.rows)), update_share=0))
            seeding = time.perf_counter() - start
        _row("seeding through push", f"{seeding:.1f} s", f"{cases / seeding:,.0f} changes/s")
        times = []
        for _ in range(runs):
            with SyncClient(urls[0]) as client:  # a new installation: log in, pull everything
                client.login(account.username)
                start = time.perf_counter()
                pulled = client.pull_all(on_page=on_page)
                times.append(time.perf_counter() - start)
            assert pulled == cases, pulled
        engine.dispose()
    median = statistics.median(times)
    rate = cases / median
    scaled = median * 100_000 / cases
    _row(
        f"first pull (median of {runs})",
        f"{median:.2f} s",
        f"≤ {TARGET_PULL_S * cases / 100_000:.0f} s",
        _mark(scaled <= TARGET_PULL_S),
    )
    _row(
        "  records/s", f"{rate:,.0f}", f"≥ {TARGET_PULL_RATE:,.0f}", _mark(rate >= TARGET_PULL_RATE)
    )


# ------------------------------------------------------------------- 2b. pull into a desktop


def _office_records(writer: OutboxWriter) -> list[dict[str, Any]]:
    """The office's own records as the desktop's setup makes them: an ``offices`` row and the
    ``committees`` row the writer's cases belong to."""
    office_id = os.urandom(16).hex()
    out = []
    for table, record_id, row in (
        ("offices", office_id, {"name": "城关司法所", "region": "津东区"}),
        (
            "committees",
            writer.committee_id,
            {
                "office_id": office_id,
                "name": "城关街道人民调解委员会",
                "number_prefix": "津东城",
                "body_type": "subdistrict",
            },
        ),
    ):
        writer.seq += 1
        out.append(
            {
                "idempotency_key": f"{writer.device_id}:{writer.seq}",
                "table_name": table,
                "record_id": record_id,
                "op": "insert",
                "base_version": 0,
                "changes": {name: [None, value] for name, value in row.items()},
            }
        )
    return out


def bench_desktop_pull(cases: int, profile: bool) -> None:
    """A new desktop joins an office that has ``cases`` cases on the server: the real
    :class:`SyncEngine` (sign in, join, pull every page into the encrypted SQLite store)."""
    import cProfile
    import pstats
    import tempfile
    from pathlib import Path

    from justice_desktop.store import sync_state
    from justice_desktop.store.database import create_store
    from justice_desktop.store.keys import MemoryVault
    from justice_desktop.store.office import OfficeSetup, set_up_office
    from sync.client.engine import SyncEngine, sign_in
    from sync.client.session import ServerSession
    from sync.client.tokens import MemoryTokenStore

    print(f"\n2b. first pull of {cases:,} cases into a new desktop database (SyncEngine.run)")
    with fresh_database() as url, running_servers(url, 1) as urls:
        engine = make_engine(url)
        account = _account(engine)
        writer = OutboxWriter(account.device_id)
        with SyncClient(urls[0]) as client:
            client.login(account.username, account.device_id)
            client.push(_office_records(writer))
            for _ in range(0, cases, 500):
                client.push(writer.changes(min(500, cases - len(writer.rows)), update_share=0))
        engine.dispose()
        applying: list[float] = []
        original = sync_state.apply_pulled

        def timed_apply(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                applying.append(time.perf_counter() - start)

        with tempfile.TemporaryDirectory(prefix="sync-bench-desktop-") as folder:
            store, _recovery = create_store(Path(folder) / "data", MemoryVault({}))
            try:
                set_up_office(store, OfficeSetup("城关司法所", "城关街道人民调解委员会", "津东城"))
                session = ServerSession(urls[0], MemoryTokenStore(), store.machine_id)
                sign_in(session, store, account.username, PASSWORD)
                sync = SyncEngine(store, session)
                profiler = cProfile.Profile() if profile else None
                sync_state.apply_pulled = timed_apply
                cpu = time.process_time()
                start = time.perf_counter()
                try:
                    if profiler is not None:
                        profiler.enable()
                    report = sync.run()
                finally:
                    if profiler is not None:
                        profiler.disable()
                    sync_state.apply_pulled = original
                total = time.perf_counter() - start
                cpu = time.process_time() - cpu
                stored = int(store.scalar("SELECT count(*) FROM cases WHERE deleted = 0"))
            finally:
                store.close()
    assert report.pulled == cases + 2, report.pulled
    assert stored == cases, stored
    apply = sum(applying)
    _row(
        "whole sync (sign-in excluded)",
        f"{total:.1f} s",
        f"≤ {TARGET_PULL_S * cases / 100_000:.0f} s",
        _mark(total * 100_000 / cases <= TARGET_PULL_S),
    )
    _row("  records/s", f"{report.pulled / total:,.0f}")
    _row(f"  apply_pulled ({len(applying)} pages)", f"{apply:.1f} s", f"{cases / apply:,.0f} rec/s")
    _row("  the rest (HTTP, server, decoding)", f"{total - apply:.1f} s")
    _row("  desktop process CPU", f"{cpu:.1f} s")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(15)


# ---------------------------------------------------------------------------------- 3. rush


@dataclass
class RushStats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    """Per request type: from the first attempt to the answer, 503 waits and retries included."""
    errors: list[str] = field(default_factory=list)
    served: list[float] = field(default_factory=list)
    """Every answered attempt that was not a 503 (its own duration)."""
    deferrals: int = 0
    turn_waits: list[float] = field(default_factory=list)
    """Per office: from its first ask for a turn to the turn (the wait between requests)."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_client(self, client: SyncClient) -> None:
        with self.lock:
            self.served.extend(client.served_seconds)
            self.deferrals += client.deferrals

    def timed(self, kind: str, call: Callable[[], Any]) -> Any:
        start = time.perf_counter()
        try:
            return call()
        except (httpx.HTTPError, AssertionError) as exc:
            with self.lock:
                self.errors.append(f"{kind}: {exc!r}"[:300])
            raise
        finally:
            with self.lock:
                self.latencies[kind].append(time.perf_counter() - start)


def _percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _rush_session(
    base_url: str,
    account: OfficeAccount,
    batches: list[bytes],
    refresh: str | None,
    stats: RushStats,
) -> None:
    with SyncClient(base_url, address=f"10.0.{account.office_id % 250}.1") as client:
        try:
            _rush_steps(client, account, batches, refresh, stats)
        finally:
            stats.add_client(client)


def _rush_steps(
    client: SyncClient,
    account: OfficeAccount,
    batches: list[bytes],
    refresh: str | None,
    stats: RushStats,
) -> None:
    if refresh is None:
        stats.timed("login", lambda: client.login(account.username, account.device_id))
    else:
        stats.timed("refresh", partial(client.refresh, refresh))
    start = time.perf_counter()
    while True:  # the office's turn to sync, as the desktop asks for it (each ask is a request)
        turn = stats.timed("turn", partial(client.send, "POST", "/api/v1/sync/turn")).json()
        if turn["granted"]:
            break
        time.sleep(float(turn["retry_after"]) * (1 + random.random()))
    with stats.lock:
        stats.turn_waits.append(time.perf_counter() - start)
    for body in batches:
        response: PushResponse = stats.timed("push", partial(client.push_batch, body))
        bad = [r for r in response.results if r.status != ChangeStatus.APPLIED]
        if bad:
            with stats.lock:
                stats.errors.append(f"push: {bad[0]!r}"[:300])
    stats.timed("pull", partial(_pull_plain, client))
    stats.timed("end turn", partial(client.send, "DELETE", "/api/v1/sync/turn"))


def _pull_plain(client: SyncClient) -> None:
    """Every page of the office, read with the standard JSON parser only: the records' checks
    are the desktop's work, not the server's, and on this shared machine the load generator's
    CPU would be taken from the server."""
    after = 0
    while True:
        response = client.send("GET", "/api/v1/sync/pull", params={"after": after, "limit": 1000})
        page = json.loads(response.content)
        after = page["next_after"]
        if not page["has_more"]:
            return


_RushItem = tuple[str, OfficeAccount, list[bytes], str | None]


def _rush_worker(items: list[_RushItem], threads: int, start_at: float) -> dict[str, Any]:
    """One load-generating process: its share of the offices, ``threads`` at a time, starting
    at ``start_at`` (wall clock) together with the other processes. Several processes keep the
    generator's own interpreter lock from adding to the latencies it measures."""
    stats = RushStats()

    def session(item: _RushItem) -> None:
        with contextlib.suppress(httpx.HTTPError, AssertionError):  # in stats.errors
            _rush_session(*item, stats)

    time.sleep(max(0.0, start_at - time.time()))
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(session, items))
    return {
        "latencies": dict(stats.latencies),
        "errors": stats.errors,
        "served": stats.served,
        "deferrals": stats.deferrals,
        "turn_waits": stats.turn_waits,
    }


def bench_rush(
    offices: int,
    per_office: int,
    concurrency: int,
    servers: int,
    refresh: bool,
    options: Sequence[str] = (),
    processes: int = 4,
) -> None:
    how = "refresh" if refresh else "login"
    print(
        f"\n3. day-end rush ({how}): {offices} offices × {per_office} changes, "
        f"{concurrency} client threads in {processes} processes (offices syncing at the "
        "same moment), "
        f"{servers} server processes {' '.join(options)}"
    )
    with fresh_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        with ThreadPoolExecutor(8) as pool:
            accounts = list(pool.map(lambda _i: _account(engine), range(offices)))
        # the request bodies, encoded before the clock starts (the desktops do that themselves)
        batches = [
            [
                json.dumps({"changes": changes[start : start + 100]}).encode()
                for start in range(0, len(changes), 100)
            ]
            for changes in (OutboxWriter(a.device_id).changes(per_office) for a in accounts)
        ]
        pids: list[int] = []
        with running_servers(url, servers, pids, options) as urls:
            refresh_tokens: list[str | None] = [None] * offices
            if refresh:  # the morning's logins (made in the database: not timed, no argon2)
                refresh_tokens = [issue_tokens_directly(engine, a) for a in accounts]
            stats = RushStats()
            items: list[_RushItem] = [
                (urls[i % servers], accounts[i], batches[i], refresh_tokens[i])
                for i in range(offices)
            ]
            shares = [items[k::processes] for k in range(processes)]
            threads = max(1, -(-concurrency // processes))
            spawn = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(processes, mp_context=spawn) as workers:
                # the workers start (imports) before the clock does
                list(workers.map(time.sleep, [0.0] * processes))
                database = postgres_cpu()
                children = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu_before = (cpu_seconds(pids), time.process_time())
                start_at = time.time() + 1.0
                futures = [workers.submit(_rush_worker, sh, threads, start_at) for sh in shares]
                results = [f.result() for f in futures]
                total = time.time() - start_at
                servers_after = cpu_seconds(pids)
                database_used = cpu_used(database, postgres_cpu())
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            generator = (
                after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
            ) + (time.process_time() - cpu_before[1])
            cpu_after = (servers_after, cpu_before[1] + generator)
            for result in results:
                for kind, values in result["latencies"].items():
                    stats.latencies[kind].extend(values)
                stats.errors.extend(result["errors"])
                stats.served.extend(result["served"])
                stats.deferrals += result["deferrals"]
                stats.turn_waits.extend(result["turn_waits"])
        engine.dispose()
    print("  latency from first attempt to answer (503 waits and retries included):")
    print(f"  {'request':<10} {'count':>6} {'p50 s':>8} {'p95 s':>8} {'p99 s':>8} {'max s':>8}")
    worst = 0.0
    for kind, values in [*stats.latencies.items(), ("attempt*", stats.served)]:
        p99 = _percentile(values, 0.99)
        if kind != "attempt*":
            worst = max(worst, p99)
        print(
            f"  {kind:<10} {len(values):>6} {_percentile(values, 0.5):>8.3f} "
            f"{_percentile(values, 0.95):>8.3f} {p99:>8.3f} {max(values):>8.3f}"
        )
    print("  (* every answered HTTP request that was not a 503, pull pages one by one)")
    _row(
        "total time",
        f"{total:.1f} s",
        f"≤ {TARGET_RUSH_TOTAL_S:.0f} s",
        _mark(total <= TARGET_RUSH_TOTAL_S),
    )
    _row(
        "worst p99", f"{worst:.3f} s", f"≤ {TARGET_RUSH_P99_S} s", _mark(worst <= TARGET_RUSH_P99_S)
    )
    _row("errors (failed after retries)", f"{len(stats.errors)}", "0", _mark(not stats.errors))
    _row("deferrals (503 server_busy, retried)", f"{stats.deferrals}")
    if stats.turn_waits:
        _row(
            "waiting for a turn, median / max",
            f"{statistics.median(stats.turn_waits):.1f}/{max(stats.turn_waits):.1f} s",
        )
    used = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
    used.append(database_used)
    _row(
        "CPU s: servers / bench client / PostgreSQL",
        f"{used[0]:.1f}/{used[1]:.1f}/{used[2]:.1f}",
        f"{2 * total:.0f} s on 2 cores",
    )
    for error in stats.errors[:5]:
        print(f"    {error}")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--runs", type=int, default=5, help="push runs (median)")
    parser.add_argument("--pull-runs", type=int, default=3, help="pull runs (median)")
    parser.add_argument("--cases", type=int, default=None, help="cases in the first pull")
    parser.add_argument("--offices", type=int, default=None, help="offices in the rush")
    parser.add_argument(
        "--concurrency",
        type=int,
        default=None,
        help="offices syncing at the same moment in the rush (default: all of them)",
    )
    parser.add_argument(
        "--client-processes", type=int, default=4, help="load-generating processes in the rush"
    )
    parser.add_argument(
        "--servers", type=int, nargs="+", default=[2, 4], help="server processes in the rush"
    )
    parser.add_argument(
        "--auth",
        choices=("login", "refresh"),
        nargs="+",
        default=["login", "refresh"],
        help="how the rush's clients authenticate",
    )
    parser.add_argument(
        "--serve",
        default="",
        help='options of the rush\'s servers, e.g. --serve="--max-active 4 --queue-timeout 1"',
    )
    parser.add_argument(
        "--only",
        choices=("push", "pull", "desktop", "rush"),
        nargs="+",
        default=["push", "pull", "desktop", "rush"],
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile the desktop side of the first pull"
    )
    args = parser.parse_args(argv)
    cases = args.cases or (20_000 if args.quick else 100_000)
    offices = args.offices or (50 if args.quick else 250)
    print(f"sync benchmark on PostgreSQL, run {uuid.uuid4().hex[:6]}")
    if "push" in args.only:
        bench_push(3 if args.quick else args.runs, 1)
    if "pull" in args.only:
        bench_pull(cases, 1 if args.quick else args.pull_runs, 1)
    if "desktop" in args.only:
        bench_desktop_pull(cases, args.profile)
    if "rush" in args.only:
        for servers in args.servers:
            for auth in args.auth:
                bench_rush(
                    offices,
                    200,
                    args.concurrency or offices,
                    servers,
                    auth == "refresh",
                    shlex.split(args.serve),
                    args.client_processes,
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
