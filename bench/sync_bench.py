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
3. **day-end rush**: O offices at once (each: log in with its device, push 200 changes, pull),
   ``--concurrency`` client threads, against 2–4 server processes; p50/p95/p99 per request
   type, total time, errors (targets: no errors, p99 ≤ 2 s, all done ≤ 60 s). The same rush is
   also run with ``refresh`` instead of ``login`` (a client whose morning login is still valid
   refreshes its token: no argon2), to separate the password hashing's share.
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import httpx

from bench.sync_servers import (
    OfficeAccount,
    OutboxWriter,
    PageCallback,
    SyncClient,
    cpu_seconds,
    fresh_database,
    make_office_account,
    postgres_pids,
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


# ---------------------------------------------------------------------------------- 3. rush


@dataclass
class RushStats:
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

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
    changes: list[dict[str, Any]],
    refresh: str | None,
    stats: RushStats,
) -> None:
    with SyncClient(base_url, address=f"10.0.{account.office_id % 250}.1") as client:
        if refresh is None:
            stats.timed("login", lambda: client.login(account.username, account.device_id))
        else:

            def do_refresh() -> None:
                response = client.http.post("/api/v1/auth/refresh", json={"refresh_token": refresh})
                response.raise_for_status()
                client.http.headers["Authorization"] = f"Bearer {response.json()['access_token']}"

            stats.timed("refresh", do_refresh)
        for start in range(0, len(changes), 100):
            batch = changes[start : start + 100]
            response: PushResponse = stats.timed("push", partial(client.push_batch, batch))
            bad = [r for r in response.results if r.status != ChangeStatus.APPLIED]
            if bad:
                with stats.lock:
                    stats.errors.append(f"push: {bad[0]!r}"[:300])
        stats.timed("pull", lambda: client.pull_all(limit=1000))


def bench_rush(
    offices: int, per_office: int, concurrency: int, servers: int, refresh: bool
) -> None:
    how = "refresh" if refresh else "login"
    print(
        f"\n3. day-end rush ({how}): {offices} offices × {per_office} changes, "
        f"{concurrency} client threads, {servers} server processes"
    )
    with fresh_database() as url:
        engine = make_engine(url)
        upgrade(engine)
        with ThreadPoolExecutor(8) as pool:
            accounts = list(pool.map(lambda _i: _account(engine), range(offices)))
        batches = [OutboxWriter(a.device_id).changes(per_office) for a in accounts]
        pids: list[int] = []
        with running_servers(url, servers, pids) as urls:
            refresh_tokens: list[str | None] = [None] * offices
            if refresh:  # the morning's logins, not timed

                def morning(index: int) -> str:
                    with SyncClient(urls[index % servers]) as client:
                        response = client.http.post(
                            "/api/v1/auth/login",
                            json={
                                "username": accounts[index].username,
                                "password": "bench-password-1",
                                "device_id": accounts[index].device_id,
                            },
                        )
                        response.raise_for_status()
                        token: str = response.json()["refresh_token"]
                        return token

                with ThreadPoolExecutor(4) as pool:
                    refresh_tokens = list(pool.map(morning, range(offices)))
            stats = RushStats()

            def session(index: int) -> None:
                with contextlib.suppress(httpx.HTTPError, AssertionError):  # in stats.errors
                    _rush_session(
                        urls[index % servers],
                        accounts[index],
                        batches[index],
                        refresh_tokens[index],
                        stats,
                    )

            database = postgres_pids()
            cpu_before = (cpu_seconds(pids), time.process_time(), cpu_seconds(database))
            start = time.perf_counter()
            with ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(session, range(offices)))
            total = time.perf_counter() - start
            cpu_after = (cpu_seconds(pids), time.process_time(), cpu_seconds(database))
        engine.dispose()
    print(f"  {'request':<10} {'count':>6} {'p50 s':>8} {'p95 s':>8} {'p99 s':>8} {'max s':>8}")
    worst = 0.0
    for kind, values in stats.latencies.items():
        p99 = _percentile(values, 0.99)
        worst = max(worst, p99)
        print(
            f"  {kind:<10} {len(values):>6} {_percentile(values, 0.5):>8.3f} "
            f"{_percentile(values, 0.95):>8.3f} {p99:>8.3f} {max(values):>8.3f}"
        )
    _row(
        "total time",
        f"{total:.1f} s",
        f"≤ {TARGET_RUSH_TOTAL_S:.0f} s",
        _mark(total <= TARGET_RUSH_TOTAL_S),
    )
    _row(
        "worst p99", f"{worst:.3f} s", f"≤ {TARGET_RUSH_P99_S} s", _mark(worst <= TARGET_RUSH_P99_S)
    )
    _row("errors", f"{len(stats.errors)}", "0", _mark(not stats.errors))
    used = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
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
    parser.add_argument("--concurrency", type=int, default=50, help="client threads in the rush")
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
        "--only", choices=("push", "pull", "rush"), nargs="+", default=["push", "pull", "rush"]
    )
    args = parser.parse_args(argv)
    cases = args.cases or (20_000 if args.quick else 100_000)
    offices = args.offices or (50 if args.quick else 250)
    print(f"sync benchmark on PostgreSQL, run {uuid.uuid4().hex[:6]}")
    if "push" in args.only:
        bench_push(3 if args.quick else args.runs, 1)
    if "pull" in args.only:
        bench_pull(cases, 1 if args.quick else args.pull_runs, 1)
    if "rush" in args.only:
        for servers in args.servers:
            for auth in args.auth:
                bench_rush(offices, 200, args.concurrency, servers, auth == "refresh")
    return 0


if __name__ == "__main__":
    sys.exit(main())
