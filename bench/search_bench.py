"""Search index benchmark: bulk indexing time, size, and query latency per kind of term.

    python -m bench.search_bench --docs 1000000
    python -m bench.search_bench --docs 200000 --db /tmp/search.db   # build once, then reuse
    python -m bench.search_bench --docs 200000 --key secret --baseline
    python -m bench.search_bench --docs 1000000 --commit-every 0     # one transaction

Indexing is timed the way the demo loader does it (a transaction per 20,000 cases);
``--baseline`` also times a plain insert of one row per case into an ordinary table, for
the "bulk index ≤ 3× a plain insert" comparison.

Documents are realistic case documents generated deterministically from (seed, number):
two parties with common-surname names, 18-digit ID numbers with a valid check digit,
11-digit mobile phones, a case number （2025）津河人调字第123号 and a ~40-character summary.
Because document ``i`` can be regenerated alone, query terms are drawn from random documents
of an existing database too.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlcipher3

from justice_desktop.store.search import (
    SEARCH_DDL,
    SearchDoc,
    index_documents_bulk,
    mask_id_number,
    mask_phone,
    name_initials,
    search,
)

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃"
    "武戴莫孔向汤单解欧阳"
)
GIVEN = (
    "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬建国建华志强海燕文斌"
    "宇浩然子轩欣怡梓涵一诺雨泽思远佳琪晨阳俊杰嘉怡梦琪晓东春梅立新永刚德明淑珍桂兰凤英金凤"
    "丹丹亮辉鹏飞雪梅小红宏伟振华光明国庆"
)
DISTRICTS = "河南西东北红和津滨宝静蓟武"
PLACES = (
    "幸福村",
    "柳林村",
    "新华社区",
    "东风村",
    "张家窝",
    "杨柳青",
    "大寺镇",
    "北仓村",
    "西营门",
)
THINGS = (
    ("借款", "归还借款五万元"),
    ("房屋漏水", "修复漏水并赔偿损失"),
    ("宅基地边界", "拆除越界围墙"),
    ("噪音扰民", "停止夜间施工"),
    ("拖欠工资", "支付拖欠的工资"),
    ("交通事故", "赔偿医疗费和误工费"),
    ("物业费", "减免部分物业费"),
    ("赡养老人", "每月支付赡养费"),
    ("离婚财产", "分割共同财产"),
    ("装修质量", "返工并退还部分款项"),
    ("土地承包", "按合同继续承包"),
    ("宠物伤人", "赔偿疫苗费"),
)
TEMPLATES = (
    "{a}与{b}因{t}问题发生纠纷，{a}要求{b}{d}，双方多次协商未果。",
    "{p}居民{a}反映{b}{t}一事，要求{d}，经调解员现场查看。",
    "申请人{a}称被申请人{b}因{t}产生矛盾，请求{d}，调委会受理。",
    "{a}、{b}系邻居，因{t}长期不和，{a}申请调解，要求{d}。",
)
REGIONS = ("120101", "120102", "120103", "120104", "120105", "120106", "120110", "120111", "120112")
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
SUMMARY_WORDS = tuple(t for t, _ in THINGS) + ("调解", "协商", "邻居", "赔偿", "工资", "漏水")


@dataclass(frozen=True, slots=True)
class Party:
    name: str
    id_number: str
    phone: str


@dataclass(frozen=True, slots=True)
class Case:
    ref_id: str
    case_number: str
    seq: int
    parties: tuple[Party, Party]
    summary: str
    registered_on: str


def _name(rng: random.Random) -> str:
    surname = "欧阳" if rng.random() < 0.005 else rng.choice(SURNAMES[:-2])
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return surname + given


def _id_number(rng: random.Random) -> str:
    body = (
        rng.choice(REGIONS)
        + f"{rng.randint(1940, 2005)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        + f"{rng.randint(0, 999):03d}"
    )
    check = ID_CHECK[sum(int(c) * w for c, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
    return body + check


def make_case(seed: int, i: int, total: int) -> Case:
    """Case ``i`` of ``total`` (oldest first), the same for the same seed."""
    rng = random.Random(seed * 1_000_003 + i)
    year = 2010 + (i * 16) // max(total, 1)
    per_year = max(total // 16, 1)
    district = DISTRICTS[i % len(DISTRICTS)]
    seq = (i % per_year) // len(DISTRICTS) + 1
    case_number = f"（{year}）津{district}人调字第{seq}号"
    parties = tuple(
        Party(
            _name(rng),
            _id_number(rng),
            f"1{rng.choice('3456789')}{rng.randint(0, 999_999_999):09d}",
        )
        for _ in range(2)
    )
    a, b = parties[0], parties[1]
    thing, demand = rng.choice(THINGS)
    summary = rng.choice(TEMPLATES).format(
        a=a.name, b=b.name, t=thing, d=demand, p=rng.choice(PLACES)
    )
    ref = uuid.UUID(int=rng.getrandbits(128), version=4).hex
    day = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
    return Case(ref, case_number, seq, (a, b), summary, day)


def case_doc(case: Case) -> SearchDoc:
    a, b = case.parties
    return SearchDoc(
        kind="case",
        ref_id=case.ref_id,
        title=f"{case.case_number} {a.name}与{b.name}纠纷",
        subtitle=f"受理于{case.registered_on} · {mask_id_number(a.id_number)} · {mask_phone(a.phone)}",
        names=[a.name, b.name],
        numbers=[case.case_number, a.id_number, a.phone, b.id_number, b.phone],
        text=[case.summary],
    )


def connect(path: Path, key: str | None) -> Any:
    conn = sqlcipher3.connect(str(path), isolation_level=None)
    if key:
        conn.execute("PRAGMA key = " + "'" + key.replace("'", "''") + "'")
    # The pragmas the application's store sets (justice_desktop/store/connection.py).
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = NORMAL")
    conn.execute("PRAGMA temp_store = MEMORY")
    conn.execute("PRAGMA cache_size = -32000")
    return conn


def _db_size(path: Path) -> int:
    return sum(p.stat().st_size for p in (path, Path(f"{path}-wal")) if p.exists())


def build(conn: Any, seed: int, docs: int, batch: int, commit_every: int) -> float:
    """Index ``docs`` documents, committing every ``commit_every`` (0: one transaction), the
    way the demo loader does.  Returns the seconds spent indexing and committing; making
    the documents is not counted."""
    for sql in SEARCH_DDL:
        conn.execute(sql)
    step = commit_every if commit_every > 0 else docs
    indexing = making = 0.0
    for start in range(0, docs, step):
        t0 = time.perf_counter()
        chunk = [case_doc(make_case(seed, i, docs)) for i in range(start, min(docs, start + step))]
        t1 = time.perf_counter()
        conn.execute("BEGIN")
        n = index_documents_bulk(conn, chunk, batch_size=batch)
        conn.execute("COMMIT")
        t2 = time.perf_counter()
        assert n == len(chunk)
        making += t1 - t0
        indexing += t2 - t1
    print(f"made {docs:,} documents in {making:.1f} s (not counted)", flush=True)
    return indexing


def baseline(path: Path, key: str | None, seed: int, docs: int) -> float:
    """A plain executemany insert of the same cases (one row each, one transaction)."""
    conn = connect(path, key)
    conn.execute(
        "CREATE TABLE plain(id TEXT PRIMARY KEY, case_number TEXT, a_name TEXT, a_id TEXT,"
        " a_phone TEXT, b_name TEXT, b_id TEXT, b_phone TEXT, summary TEXT, registered_on TEXT)"
    )
    rows = []
    for i in range(docs):
        c = make_case(seed, i, docs)
        a, b = c.parties
        rows.append(
            (c.ref_id, c.case_number, a.name, a.id_number, a.phone, b.name, b.id_number, b.phone)
            + (c.summary, c.registered_on)
        )
    t0 = time.perf_counter()
    conn.execute("BEGIN")
    for k in range(0, len(rows), 1000):
        conn.executemany("INSERT INTO plain VALUES (?,?,?,?,?,?,?,?,?,?)", rows[k : k + 1000])
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def _term_makers() -> dict[str, Callable[[Case, random.Random], str]]:
    def name1(c: Case, r: random.Random) -> str:
        return r.choice(c.parties).name[0]

    def name2(c: Case, r: random.Random) -> str:
        n = r.choice(c.parties).name
        return n[:2]

    def name3(c: Case, r: random.Random) -> str:
        names = [p.name for p in c.parties if len(p.name) >= 3]
        return names[0][:3] if names else c.parties[0].name

    def pinyin(c: Case, r: random.Random) -> str:
        return name_initials(r.choice(c.parties).name)[0]

    def id_fragment(c: Case, r: random.Random) -> str:
        return r.choice(c.parties).id_number[6:12]

    def phone_fragment(c: Case, r: random.Random) -> str:
        return r.choice(c.parties).phone[-4:]

    def case_number(c: Case, r: random.Random) -> str:
        return c.case_number if r.random() < 0.5 else f"人调字第{c.seq}号"

    def summary_word(c: Case, r: random.Random) -> str:
        return r.choice([w for w in SUMMARY_WORDS if w in c.summary] or ["调解"])

    def name_and_word(c: Case, r: random.Random) -> str:
        return f"{c.parties[0].name} {r.choice([w for w in SUMMARY_WORDS if w in c.summary] or ['调解'])}"

    def surname_and_phone(c: Case, r: random.Random) -> str:
        p = r.choice(c.parties)
        return f"{p.name[0]} {p.phone[-4:]}"

    def miss(c: Case, r: random.Random) -> str:
        return r.choice(("龘靐", "齉", "qxzj", "98765432101", "饕餮鼂")) + str(r.randint(0, 9))

    return {
        "1-char name": name1,
        "2-char name": name2,
        "3-char name": name3,
        "pinyin initials": pinyin,
        "ID fragment (6)": id_fragment,
        "phone last 4": phone_fragment,
        "case number": case_number,
        "summary word": summary_word,
        "name + word": name_and_word,
        "surname + phone4": surname_and_phone,
        "no match": miss,
    }


def measure(
    conn: Any, seed: int, docs: int, queries: int
) -> list[tuple[str, float, float, float, float]]:
    rng = random.Random(seed + 7)
    out = []
    makers = _term_makers()
    for _ in range(20):  # warm the page cache a little, as a running program would have
        search(conn, makers["2-char name"](make_case(seed, rng.randrange(docs), docs), rng))
    for label, make in makers.items():
        times: list[float] = []
        hits = 0
        for _ in range(queries):
            term = make(make_case(seed, rng.randrange(docs), docs), rng)
            t0 = time.perf_counter()
            found = search(conn, term, limit=50)
            times.append((time.perf_counter() - t0) * 1000)
            hits += len(found)
        times.sort()
        p50 = statistics.median(times)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        out.append((label, p50, p95, times[-1], hits / queries))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--docs", type=int, default=1_000_000, help="documents to index (default 1,000,000)"
    )
    ap.add_argument("--db", type=Path, help="database file; reused when it already holds the index")
    ap.add_argument("--key", help="SQLCipher passphrase (default: unencrypted)")
    ap.add_argument(
        "--queries", type=int, default=200, help="queries per kind of term (default 200)"
    )
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=5000, help="documents per executemany batch")
    ap.add_argument(
        "--commit-every",
        type=int,
        default=20_000,
        help="documents per transaction, as the demo loader (default 20,000; 0: one transaction)",
    )
    ap.add_argument(
        "--baseline", action="store_true", help="also time a plain insert of the same rows"
    )
    args = ap.parse_args(argv)

    tmp: tempfile.TemporaryDirectory[str] | None = None
    if args.db is None:
        tmp = tempfile.TemporaryDirectory(prefix="search-bench-")
        path = Path(tmp.name) / "search.db"
    else:
        path = args.db
    try:
        conn = connect(path, args.key)
        exists = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE name = 'search_docs'"
        ).fetchone()[0]
        if exists:
            docs = int(conn.execute("SELECT count(*) FROM search_docs").fetchone()[0])
            print(f"reusing {path}: {docs:,} documents (seed must match the build)")
        else:
            docs = args.docs
            elapsed = build(conn, args.seed, docs, args.batch, args.commit_every)
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            print(
                f"bulk index: {docs:,} documents in {elapsed:.1f} s ({docs / elapsed:,.0f} docs/s,"
                f" commit every {args.commit_every or docs:,})"
            )
        print(f"database size: {_db_size(path) / 1e6:,.0f} MB ({path})")
        if args.baseline:
            base_path = path.with_name(path.name + ".baseline")
            for p in (base_path, Path(f"{base_path}-wal"), Path(f"{base_path}-shm")):
                p.unlink(missing_ok=True)
            print(
                f"plain insert of {docs:,} rows: {baseline(base_path, args.key, args.seed, docs):.1f} s"
            )
            for p in (base_path, Path(f"{base_path}-wal"), Path(f"{base_path}-shm")):
                p.unlink(missing_ok=True)
        print(f"\n{'term kind':<18} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'hits/query':>11}")
        for label, p50, p95, worst, hits in measure(conn, args.seed, docs, args.queries):
            print(f"{label:<18} {p50:8.2f} {p95:8.2f} {worst:8.2f} {hits:11.1f}")
        conn.close()
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
