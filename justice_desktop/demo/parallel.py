"""Make demo batches in worker processes while the loading process writes.

Generating a case and making its search documents is pure Python and costs about as much as
writing it, so a large load hands both to worker processes: each worker makes whole chunks
(:meth:`DemoGenerator.chunk_batch`, then :func:`justice_desktop.store.bulk.prepare_batch`)
and sends back a picklable :class:`~justice_desktop.store.bulk.ReadyBatch`; the loading
process only writes them, in order. A chunk does not depend on the chunks before it, so the
data is the same, field for field, as when everything runs in one process.

Workers are started with ``spawn`` (never ``fork``: the window's process has Qt threads), at
a lower priority, and ignore Ctrl+C (the loading process decides). ``spawn`` imports the
program's main script in each worker, so a script that loads demo data must start under
``if __name__ == "__main__":`` (the ``justice-desktop`` command, ``ui.launcher``,
``justice_desktop.cli`` and the benchmarks do; ``python -m ui`` runs a package's
``__main__``, which workers do not import). A frozen program never uses workers.

Closing :class:`ReadyBatches` (at the end of a load, a cancelled or a failed one) drops the
chunks not started and waits for the running ones (a second or two), so no process is left
behind.
"""

from __future__ import annotations

import io
import multiprocessing
import os
import pickle
import signal
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date

from justice_desktop.codes.tables import CodeTable
from justice_desktop.demo.generator import CaseChunk, CommitteeRef, DemoGenerator, StaffRef
from justice_desktop.store.bulk import ReadyBatch, prepare_batch

__all__ = ["GeneratorSpec", "ReadyBatches", "default_workers", "make_ready_batch"]

MAX_WORKERS = 4
WORKER_NICENESS = 5


@dataclass(frozen=True)
class GeneratorSpec:
    """What a worker needs to make the same :class:`DemoGenerator` as the loading process."""

    cases: int
    seed: int
    today: date
    tables: Mapping[str, CodeTable]
    committees: Sequence[CommitteeRef]
    staff: Sequence[StaffRef]
    seq_base: Mapping[tuple[str, int], int]
    id_salt: str

    def generator(self) -> DemoGenerator:
        return DemoGenerator(
            cases=self.cases,
            seed=self.seed,
            today=self.today,
            tables=self.tables,
            committees=self.committees,
            staff=self.staff,
            seq_base=self.seq_base,
            id_salt=self.id_salt,
        )


def default_workers() -> int:
    """One worker per core (at most :data:`MAX_WORKERS`): they run at a lower priority, so
    the writing process, the bottleneck, still has a core when it needs one, and the workers
    use every moment it leaves (waiting for the disk, or for a commit)."""
    return max(1, min(MAX_WORKERS, os.cpu_count() or 1))


def make_ready_batch(generator: DemoGenerator, chunk: CaseChunk) -> ReadyBatch:
    """The cases of ``chunk``, ready to write: what a worker makes (and the loading process
    itself, without workers)."""
    return prepare_batch(generator.chunk_batch(chunk), generator.tables)


# -- in the worker -------------------------------------------------------------------------

_worker: DemoGenerator | None = None


def _start_worker(spec: GeneratorSpec) -> None:
    global _worker
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "nice"):  # the writing process is the bottleneck: it goes first
        os.nice(WORKER_NICENESS)
    _worker = spec.generator()


def _make(chunk: CaseChunk) -> bytes:
    if _worker is None:  # pragma: no cover - the pool always runs _start_worker first
        raise RuntimeError("demo data worker not started")
    return _pickle(make_ready_batch(_worker, chunk))


def _pickle(ready: ReadyBatch) -> bytes:
    """``ready`` pickled without the memo: twice as fast for these millions of small tuples
    and strings (shared strings are written once per use: ~20% more bytes). A batch holds
    no reference cycles, which is what the memo is for."""
    out = io.BytesIO()
    pickler = pickle.Pickler(out, pickle.HIGHEST_PROTOCOL)
    pickler.fast = True
    pickler.dump(ready)
    return out.getvalue()


def _unpickle(data: bytes) -> ReadyBatch:
    ready = pickle.loads(data)
    if not isinstance(ready, ReadyBatch):  # pragma: no cover - only _make sends these
        raise TypeError(f"demo data worker sent {type(ready).__name__}")
    return ready


# -- in the loading process ----------------------------------------------------------------


class ReadyBatches:
    """The batches of ``chunks``, in order, made by ``workers`` processes (default:
    :func:`default_workers`), which start at once and each work a chunk ahead at most.
    :meth:`close` (or the ``with`` block's end) drops the chunks not started, waits for the
    running ones and ends the workers."""

    def __init__(
        self, spec: GeneratorSpec, chunks: Iterable[CaseChunk], *, workers: int | None = None
    ) -> None:
        n = workers or default_workers()
        self._ahead = n + 1
        self._todo = iter(chunks)
        self._pending: deque[Future[bytes]] = deque()
        self._pool: ProcessPoolExecutor | None = ProcessPoolExecutor(
            max_workers=n,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(spec,),
        )
        try:
            self._submit()
        except BaseException:
            self.close()
            raise

    def _submit(self) -> None:
        while self._pool is not None and len(self._pending) < self._ahead:
            chunk = next(self._todo, None)
            if chunk is None:
                return
            self._pending.append(self._pool.submit(_make, chunk))

    def __iter__(self) -> Iterator[ReadyBatch]:
        return self

    def __next__(self) -> ReadyBatch:
        if not self._pending:
            self.close()
            raise StopIteration
        try:
            data = self._pending.popleft().result()
            self._submit()
            ready = _unpickle(data)
            del data
        except BaseException:
            self.close()
            raise
        return ready

    def close(self) -> None:
        pool, self._pool = self._pool, None
        self._pending.clear()
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ReadyBatches:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
