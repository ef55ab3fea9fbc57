"""Load generated demo data into an office database (``justice-desktop demo-data``).

The generator (:mod:`justice_desktop.demo.generator`) makes the records; the bulk writer
(:mod:`justice_desktop.store.bulk`) inserts them fast, without outbox entries. A database with
demo data is marked ``meta.demo_data = 1`` and is never synced.

Large loads (:data:`SUBPROCESS_MIN_CASES` cases or more) generate the cases and their search
documents in worker processes (:mod:`justice_desktop.demo.parallel`) while this process writes
them; smaller ones, and a frozen (PyInstaller) program, do everything here, generating the next
chunk while the previous one is committed (see :func:`justice_desktop.store.bulk.load_batches`).
Both ways give the same data.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import date

from justice_desktop.demo.generator import CommitteeRef, DemoBatch, DemoGenerator, StaffRef
from justice_desktop.demo.parallel import GeneratorSpec, ReadyBatches
from justice_desktop.store import bulk
from justice_desktop.store.code_tables import load_tables
from justice_desktop.store.database import Store
from justice_desktop.store.office import SYSTEM_USER, committees, users
from justice_desktop.store.records import new_id
from justice_desktop.validation import ValidationError

__all__ = ["DEFAULT_CHUNK_CASES", "SUBPROCESS_MIN_CASES", "DemoReport", "load_demo_data"]

DEFAULT_CHUNK_CASES = 20_000
#: From this many cases on, worker processes generate them (starting one costs about a second).
SUBPROCESS_MIN_CASES = 50_000


@dataclass(frozen=True)
class DemoReport:
    """What :func:`load_demo_data` wrote."""

    cases: int
    parties: int
    mediators: int
    investigations: int
    sessions: int
    extensions: int
    agreements: int
    follow_ups: int
    judicial_confirmations: int
    understanders: int
    trainings: int
    training_attendance: int
    assessments: int
    consultations: int
    adviser_logs: int
    search_docs: int
    rows: int
    seconds: float
    cancelled: bool = False

    def __str__(self) -> str:
        text = (
            f"案件 {self.cases} 件，当事人 {self.parties} 人，调查记录 {self.investigations} 份，"
            f"调解记录 {self.sessions} 份，调解协议 {self.agreements} 份，回访 {self.follow_ups} 次，"
            f"司法确认 {self.judicial_confirmations} 件，延期 {self.extensions} 件，"
            f"法律明白人 {self.understanders} 人，培训 {self.trainings} 次（签到 {self.training_attendance} 人次），"
            f"年度考核 {self.assessments} 条，法律咨询 {self.consultations} 条，顾问工作日志 {self.adviser_logs} 条；"
            f"共写入 {self.rows} 行，用时 {self.seconds:.1f} 秒"
        )
        return text + ("（已取消，已写入的数据完整可用）" if self.cancelled else "")


def load_demo_data(
    store: Store,
    *,
    cases: int,
    seed: int = 1,
    progress: Callable[[int, int], bool] | None = None,
    today: date | None = None,
    chunk_cases: int = DEFAULT_CHUNK_CASES,
    subprocess_generator: bool | None = None,
    workers: int | None = None,
) -> DemoReport:
    """Generate ``cases`` demo cases (and the office's other records) and write them.

    The same ``seed`` and ``today`` (default: the store's clock) give the same data.
    ``progress(done, total)`` is called after each committed chunk of cases; returning False
    stops there, leaving whole cases only. Outbox entries are not written: see
    :mod:`justice_desktop.store.bulk`. ``subprocess_generator``: generate in worker
    processes (``workers`` of them, default: one per core; see
    :mod:`justice_desktop.demo.parallel`); by default for :data:`SUBPROCESS_MIN_CASES` cases or
    more, unless the program is frozen or has one core only. It does not change the data.
    """
    if cases < 0:
        raise ValidationError("cases", "案件数量不能为负数。")
    started = time.perf_counter()
    committee_rows = committees(store)
    if not committee_rows:
        raise ValidationError("committee", "请先设置司法所和调委会，再生成演示数据。")
    refs = [
        CommitteeRef(c["id"], c["name"], c["number_prefix"], 3.0 if i == 0 else 1.0)
        for i, c in enumerate(committee_rows)
    ]
    user_rows = users(store)
    staff = [StaffRef(u["name"], u["id"]) for u in user_rows]
    acting = user_rows[0]["id"] if user_rows else SYSTEM_USER
    tables = load_tables(store)
    probe = DemoGenerator(
        cases=cases,
        seed=seed,
        today=today or store.clock().date(),
        tables=tables,
        committees=refs,
        staff=staff,
    )
    bases = bulk.committee_seq_bases(store, [c.id for c in refs], probe.registration_years())
    generator = DemoGenerator(
        cases=cases,
        seed=seed,
        today=probe.today,
        tables=tables,
        committees=refs,
        staff=staff,
        seq_base=bases,
        id_salt=new_id()[:16],
    )

    chunks = generator.case_chunks(chunk_cases)
    if subprocess_generator is None:
        subprocess_generator = (
            cases >= SUBPROCESS_MIN_CASES
            and not getattr(sys, "frozen", False)
            and (os.cpu_count() or 1) > 1
        )
    producer: ReadyBatches | None = None
    if subprocess_generator and chunks:
        spec = GeneratorSpec(
            cases=cases,
            seed=seed,
            today=generator.today,
            tables=tables,
            committees=refs,
            staff=staff,
            seq_base=bases,
            id_salt=generator.id_salt,
        )
        producer = ReadyBatches(spec, chunks, workers=workers)  # starts working at once

    def batches() -> Generator[DemoBatch | bulk.ReadyBatch, None, None]:
        yield generator.office_batch()
        if producer is not None:
            yield from producer
        else:
            for chunk in chunks:
                yield generator.chunk_batch(chunk)

    try:
        stream = batches()
        try:
            result = bulk.load_batches(
                store,
                stream,
                tables=tables,
                user_id=acting,
                total_cases=cases,
                progress=progress,
                note=lambda r: f"seed={seed},{bulk.default_note(r)}",
            )
        finally:
            stream.close()
    finally:
        if producer is not None:
            producer.close()
    c = result.counts
    return DemoReport(
        cases=result.cases,
        parties=c.get("parties", 0),
        mediators=c.get("case_mediators", 0),
        investigations=c.get("investigations", 0),
        sessions=c.get("sessions", 0),
        extensions=c.get("extensions", 0),
        agreements=c.get("agreements", 0),
        follow_ups=c.get("follow_ups", 0),
        judicial_confirmations=c.get("judicial_confirmations", 0),
        understanders=c.get("understanders", 0),
        trainings=c.get("trainings", 0),
        training_attendance=c.get("training_attendance", 0),
        assessments=c.get("assessments", 0),
        consultations=c.get("consultations", 0),
        adviser_logs=c.get("adviser_logs", 0),
        search_docs=result.search_docs,
        rows=result.rows,
        seconds=time.perf_counter() - started,
        cancelled=result.cancelled,
    )
