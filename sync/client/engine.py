"""The client sync engine: one day-end sync of this machine's database with the city server.

A run, in order (each step resumes where an interrupted run stopped):

1. **Checks**: a demo database never syncs; the logged-in account must belong to the office this
   database already synced with (another office's account is refused, nothing is touched); one
   sync at a time per database (a file lock shared by the window and the command line).
2. **Joining**: the first sync of a machine whose office already has data on the server, while
   nothing but the first-run setup was recorded here, replaces that setup with the office's own
   records (a new machine in an existing office). With records of its own here, the first sync
   is refused with an explanation rather than merging two different offices' data.
3. **Push**: the outbox in batches of 500. Attachment contents go first, in chunks, resuming
   at the server's byte count. Each answer marks exactly the confirmed entries pushed and parks
   the rejected ones (``justice_desktop.store.sync_state``). A cut connection loses nothing:
   unconfirmed entries are sent again with the same idempotency keys and the server returns the
   stored result.
4. **Pull**: pages after the checkpoint; each page is written with the checkpoint in one
   transaction. Records kept aside earlier that this program can store now (an update added
   the field a newer server sent) are fetched again. Attachment contents that arrived as
   records are downloaded in chunks, the parts kept in the encrypted database so a cut
   download resumes.
5. **Conflicts**: the office's open conflicts are copied for the conflicts list.
6. **Case numbers**: a server-numbered office keeps at least ``LOW_WATER`` free numbers per
   committee for the current year, asked from the server in blocks.
7. **Office settings** and **code tables** from the server (the day-end time and others; a
   code table the city bureau publishes in a newer version replaces the shipped one, keeping
   codes it no longer lists so older records still read right).
8. **Verify** (when asked, and only with nothing pending): per-bucket checksums compared with
   the server's; only records of differing buckets are fetched again or re-sent.

Ordering never depends on clocks; a local clock far from the server's is reported as a warning.
Progress goes to a callback; a cancel flag is checked between batches, pages and chunks.
"""

from __future__ import annotations

import queue
import random
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

import filelock
import pydantic
import requests

from justice_desktop.domain.numbering import NumberBlock
from justice_desktop.store import code_tables, numbers, sync_state
from justice_desktop.store.bulk import is_demo_database
from justice_desktop.store.connection import disk_full
from justice_desktop.store.database import Store
from justice_desktop.store.office import committees
from justice_desktop.store.session import is_demo
from justice_desktop.validation import ValidationError
from sync.checksum import BucketDigests, bucket_of
from sync.client.session import (
    BUSY_WAIT_LIMIT_SECONDS,
    ServerSession,
    SyncError,
    error_from_response,
    give_up_waiting,
)
from sync.protocol import (
    MAX_BLOB_CHUNK,
    MAX_PULL_LIMIT,
    MAX_PUSH_CHANGES,
    MAX_RECORD_KEYS,
    BlobOffsetError,
    BlobStatus,
    BucketListing,
    ChangeStatus,
    CodeTables,
    ConflictList,
    Me,
    NumberBlockGrant,
    OfficeChecksums,
    OfficeSettings,
    PulledRecord,
    PullPage,
    PushChange,
    PushRequest,
    PushResponse,
    RecordsResponse,
    ResolveRequest,
    ResolveResult,
    SyncTurn,
)

PULL_GROUP = 20_000
"""Pulled records written in one transaction, at most, about (pages come whole)."""
PULL_GROUP_FIRST = 5_000
"""The first transaction's records, before this PC's writing speed is known."""
PULL_GROUP_SECONDS = 1.5
"""A transaction of pulled records should hold the database about this long: the program's
own saves wait for it (up to the connection's busy timeout, 5 s), even on a slow old PC."""


def next_group(done: int, seconds: float) -> int:
    """Records for the next pull transaction, from how fast the last one was written."""
    if done <= 0 or seconds <= 0:
        return PULL_GROUP
    return max(1_000, min(PULL_GROUP, int(done / seconds * PULL_GROUP_SECONDS)))


PULL_AHEAD = 10
"""Pull pages fetched ahead of the writer, at most."""


TURN_RENEW_SECONDS = 30.0
"""Ask again for the turn held this often (the server keeps a turn two minutes)."""


def _last_page(page: PullPage) -> bool:
    return not page.has_more or not page.records


class _PageReader:
    """Fetches pull pages on its own thread, at most ``PULL_AHEAD`` pages ahead of the thread
    that writes them; an error on the reader reaches the writer with the page it stopped at.
    Leaving the ``with`` block stops the reader and waits for it, so the server session is
    never used by two threads once the pull is over."""

    def __init__(self, fetch: Callable[[int], PullPage], after: int, stop: threading.Event) -> None:
        self._fetch = fetch
        self._after = after
        self._queue: queue.Queue[PullPage | BaseException] = queue.Queue(maxsize=PULL_AHEAD)
        self._stop = stop
        """Set on leaving: also ends a wait on a busy server the reader may be in."""
        self._failed: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="sync-pull-reader", daemon=True)

    def __enter__(self) -> _PageReader:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        while self._thread.is_alive():
            with suppress(queue.Empty):
                self._queue.get_nowait()  # frees a reader blocked on a full queue
            self._thread.join(timeout=0.05)

    def _run(self) -> None:
        after = self._after
        try:
            while not self._stop.is_set():
                page = self._fetch(after)
                self._put(page)
                if _last_page(page):
                    return
                after = page.next_after
        except BaseException as exc:  # handed to the writer, which raises it
            self._put(exc)

    def _put(self, item: PullPage | BaseException) -> None:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return
            except queue.Full:
                continue

    def _get(self, check: Callable[[], None] | None) -> PullPage | None:
        while True:
            try:
                item = self._queue.get(timeout=0.2) if check else self._queue.get_nowait()
            except queue.Empty:
                if check is None:
                    return None
                check()  # a cancel is noticed while the next page is on its way
                continue
            if isinstance(item, BaseException):
                raise item
            return item

    def take(self, limit: int, check: Callable[[], None]) -> list[PullPage]:
        """The next page (waiting for it, calling ``check`` meanwhile) and the pages already
        fetched behind it, while they hold fewer than ``limit`` records; the last page ends
        the list."""
        if self._failed is not None:
            raise self._failed
        first = self._get(check)
        assert first is not None
        pages = [first]
        count = len(first.records)
        while count < limit and not _last_page(pages[-1]):
            try:
                page = self._get(None)
            except BaseException as exc:  # the pages in hand are written first
                self._failed = exc
                break
            if page is None:
                break
            pages.append(page)
            count += len(page.records)
        return pages


LOW_WATER = 250
"""Ask for a new block of case numbers when fewer remain for a committee this year."""
BLOCK_SIZE = 500
"""Numbers asked for at a time; a new block is asked for once fewer than half a block remain."""
SKEW_WARNING_SECONDS = 300
SETTING_DAY_END = "day_end_sync_time"

M = TypeVar("M", bound=pydantic.BaseModel)


class SyncCancelled(Exception):
    """The user cancelled: everything confirmed so far is kept."""


@dataclass(frozen=True)
class SyncProgress:
    phase: str
    """What is happening, in Chinese (shown as it is)."""
    done: int
    total: int | None = None


@dataclass
class SyncReport:
    pushed: int = 0
    parked: int = 0
    pulled: int = 0
    incoming_problems: int = 0
    conflicts: int = 0
    uploaded_files: int = 0
    downloaded_files: int = 0
    files_not_on_server: int = 0
    blocks_granted: int = 0
    repaired: int = 0
    requeued: int = 0
    joined: bool = False
    verified: bool = False
    clock_skew_seconds: float | None = None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line for the status bar, in Chinese."""
        parts = [f"上传 {self.pushed} 条", f"下载 {self.pulled} 条"]
        if self.joined:
            parts.insert(0, "已加入本所数据")
        if self.conflicts:
            parts.append(f"{self.conflicts} 处冲突待处理")
        if self.parked:
            parts.append(f"{self.parked} 条被服务器拒收")
        if self.incoming_problems:
            parts.append(f"{self.incoming_problems} 条服务器记录无法保存")
        if self.files_not_on_server:
            parts.append(f"{self.files_not_on_server} 个附件文件尚未上传到服务器")
        if self.repaired or self.requeued:
            parts.append(f"校验修复 {self.repaired + self.requeued} 条")
        return "同步完成：" + "，".join(parts)


def _bad_reply() -> SyncError:
    return SyncError(
        "市局服务器的答复与协议不符，本次同步已停止，本机数据未受影响",
        retryable=True,
        code="bad_reply",
    )


def _parse(model: type[M], value: Any) -> M:
    """A server answer as the protocol says, or a clear error (a broken or hostile server)."""
    try:
        return model.model_validate(value)
    except pydantic.ValidationError as exc:
        raise _bad_reply() from exc


def _reply(model: type[M], response: requests.Response) -> M:
    """A raw answer decoded straight from its bytes as the protocol says: the server's error
    for a failure status, a clear error for a broken or hostile reply."""
    if not response.ok:
        raise error_from_response(response)
    try:
        return model.model_validate_json(response.content)
    except (pydantic.ValidationError, ValueError) as exc:
        raise _bad_reply() from exc


def lock_path(store: Store) -> str:
    return str(store.data_dir / "sync.lock")


class SyncEngine:
    """Sync one database with the server ``session`` is logged in to."""

    def __init__(
        self,
        store: Store,
        session: ServerSession,
        *,
        progress: Callable[[SyncProgress], None] | None = None,
        cancelled: Callable[[], bool] | None = None,
        push_batch: int = MAX_PUSH_CHANGES,
        pull_page: int = MAX_PULL_LIMIT,
        chunk_size: int = MAX_BLOB_CHUNK,
    ) -> None:
        self.store = store
        self.session = session
        self._progress = progress or (lambda _p: None)
        self._cancelled = cancelled or (lambda: False)
        self.push_batch = push_batch
        self.pull_page = pull_page
        self._jitter = random.Random()
        self._reader_stop = threading.Event()
        self._pulling = False
        self._turn_asked_at: float | None = None
        self.chunk_size = chunk_size

    # -- public -------------------------------------------------------------------------------

    def run(self, *, verify: bool = False) -> SyncReport:
        """One whole sync. Raises :class:`SyncError` (nothing lost; run again later) or
        :class:`SyncCancelled`."""
        self._refuse_demo()
        with self._damage_reported(), self._locked():
            report = SyncReport()
            office_id = self._check_account()
            with self._turn():
                self._first_sync(office_id, report)
                self._push(report)
                self._pull(report)
                self._retry_problems()
                if sync_state.local_office_record_id(self.store) is None:
                    # Joining (perhaps resumed after a cut): the office's record is here now.
                    sync_state.adopt_office(self.store)
                    report.joined = True
                self._download_files(report)
            self._refresh_conflicts(report)
            self._number_blocks(report)
            self._office_settings()
            self._code_tables(report)
            if verify:
                self._verify(report)
            self._note_clock(report)
            report.parked = sync_state.parked_count(self.store)
            report.incoming_problems = len(sync_state.incoming_problems(self.store))
            stamp = datetime.now().astimezone().isoformat(timespec="seconds")
            self.store.set_meta(sync_state.LAST_SYNC_META, stamp)
            self.store.set_meta(sync_state.LAST_RESULT_META, report.summary())
            return report

    def resolve_conflict(
        self, conflict_id: int, *, value: Any = None, keep: bool | None = None
    ) -> ResolveResult:
        """A person's decision on one conflict; the resolution is then pulled like any change."""
        self._refuse_demo()
        key = f"{self.store.machine_id}:resolve:{conflict_id}"
        body = ResolveRequest(idempotency_key=key, value=value, keep=keep)
        with self._damage_reported(), self._locked():
            answer = self.session.request(
                "POST",
                f"/sync/conflicts/{conflict_id}/resolve",
                json=body.model_dump(mode="json"),
            )
            result = _parse(ResolveResult, answer)
            sync_state.drop_conflict(self.store, conflict_id)
            self._pull(SyncReport())
            return result

    @contextmanager
    def _damage_reported(self) -> Iterator[None]:
        """A damaged page of this database met on the way stops the sync with a message
        saying so and how to restore (a transaction in progress is rolled back; nothing is
        deleted, here or on the server)."""
        try:
            yield
        except Exception as exc:
            if disk_full(exc):
                raise SyncError(
                    "本机磁盘空间不足，同步已停止，已同步的部分保留，本机和市局服务器上的数据"
                    "都没有删除。请清理磁盘空间（或把备份移到其他磁盘）后再同步。",
                    retryable=True,
                    code="disk_full",
                ) from exc
            damaged = sync_state.damage_found(self.store, exc)
            if damaged is None:
                raise
            raise SyncError(
                f"{damaged}同步已停止，本机和市局服务器上的数据都没有删除。",
                retryable=False,
                code="damaged_database",
            ) from exc

    @contextmanager
    def _locked(self) -> Iterator[None]:
        lock = filelock.FileLock(lock_path(self.store), timeout=0)
        try:
            lock.acquire()
        except filelock.Timeout as exc:
            raise SyncError(
                "已有一次同步正在进行，请等它结束", retryable=True, code="busy"
            ) from exc
        pause = self.session.pause
        self.session.pause = self._wait_busy
        try:
            yield
        finally:
            self.session.pause = pause
            lock.release()

    @contextmanager
    def _turn(self) -> Iterator[None]:
        """Wait for a turn to sync (the server lets a few offices sync at once at the day-end
        rush), and give it back afterwards. A server without turns is synced at once."""
        started = time.monotonic()  # the waits inside each ask count too
        while True:
            response = self.session.request_raw("POST", "/sync/turn")
            if response.status_code in (404, 405):
                yield  # an older server: no turns
                return
            turn = _reply(SyncTurn, response)
            if turn.granted:
                self._turn_asked_at = time.monotonic()
                break
            if time.monotonic() - started >= BUSY_WAIT_LIMIT_SECONDS:
                raise SyncError(
                    "市局服务器正忙，排队太久，请稍后再同步；本机数据不受影响",
                    retryable=True,
                    code="server_busy",
                )
            pause = min(max(turn.retry_after, 0.2), 60.0) * (1 + self._jitter.random())
            self._progress(
                SyncProgress(f"市局服务器正忙（{turn.syncing} 个所正在同步），正在排队等候…", 0)
            )
            self._sleep_checking(pause)
        try:
            yield
        finally:
            self._turn_asked_at = None
            waiting = self.session.pause
            self.session.pause = give_up_waiting  # never wait on a busy server for this
            try:
                with suppress(SyncError):  # the turn expires by itself on the server
                    self.session.request_raw("DELETE", "/sync/turn")
            finally:
                self.session.pause = waiting

    def _wait_busy(self, seconds: float) -> None:
        """The server said it is busy: wait as told, still noticing a cancel."""
        self._progress(SyncProgress("市局服务器正忙，正在排队等候…", 0, None))
        self._sleep_checking(seconds)

    def _sleep_checking(self, seconds: float) -> None:
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            self._check()
            if self._pulling and self._reader_stop.is_set():
                raise SyncCancelled()  # the pull is over: its reader stops waiting
            time.sleep(min(0.2, left))

    # -- steps --------------------------------------------------------------------------------

    def _refuse_demo(self) -> None:
        if is_demo(self.store.data_dir) or is_demo_database(self.store):
            raise SyncError(
                "这是演示数据库，不能与市局服务器同步（演示数据不会发送给服务器）",
                retryable=False,
                code="demo",
            )

    def _check(self) -> None:
        if self._cancelled():
            raise SyncCancelled()

    def _report(self, phase: str, done: int, total: int | None = None) -> None:
        self._progress(SyncProgress(phase, done, total))
        self._check()
        if not self._pulling:  # while pulling, the reader thread alone uses the session
            self._keep_turn()

    def _keep_turn(self) -> None:
        """Ask again for the turn held, now and then, so a long sync keeps it."""
        held = self._turn_asked_at
        if held is None or time.monotonic() - held < TURN_RENEW_SECONDS:
            return
        if self._pulling and self._reader_stop.is_set():
            return  # the pull is over: the writer gives the turn back now
        self._turn_asked_at = time.monotonic()
        with suppress(SyncError):  # a lost renewal only lets another office in sooner
            self.session.request_raw("POST", "/sync/turn")

    def _check_account(self) -> int:
        self._report("正在连接市局服务器…", 0)
        me = _parse(Me, self.session.request("GET", "/me"))
        if me.office is None:
            raise SyncError(
                "这个账号不属于任何司法所（区县、市局账号只能查看数据），不能用来同步本机数据",
                retryable=False,
                code="not_office_account",
            )
        known = self.store.meta(sync_state.SERVER_OFFICE_META)
        if known is not None and int(known) != me.office.id:
            raise SyncError(
                f"本机数据属于另一个司法所，不能用“{me.office.name}”的账号同步。"
                "本机数据未作任何改动；请用本所的账号登录",
                retryable=False,
                code="other_office",
            )
        return me.office.id

    def _first_sync(self, office_id: int, report: SyncReport) -> None:
        if self.store.meta(sync_state.SERVER_OFFICE_META) is not None:
            return
        page = _parse(
            PullPage, self.session.request("GET", "/sync/pull", params={"after": 0, "limit": 1})
        )
        if page.records:
            if sync_state.business_record_count(self.store):
                raise SyncError(
                    "市局服务器上已有本所的数据，而本机也记录了自己的案件或名册。为免两份数据"
                    "混在一起，本次没有同步，本机数据未作任何改动。请联系市局管理员处理",
                    retryable=False,
                    code="both_have_data",
                )
            sync_state.drop_local_setup(self.store)
            report.joined = True
        numbers.close_local_blocks(self.store.conn)
        self.store.set_meta("numbering_authority", "server")
        self.store.set_meta(sync_state.SERVER_OFFICE_META, str(office_id))

    def _push(self, report: SyncReport) -> None:
        total = sync_state.pending_count(self.store)
        after = 0
        while True:
            batch = sync_state.pending_batch(self.store, self.push_batch, after)
            if not batch:
                return
            self._report("正在上传本机的修改…", report.pushed, total)
            self._upload_files(batch, report)
            request = PushRequest(
                changes=[
                    PushChange(
                        idempotency_key=c.idempotency_key,
                        table_name=c.table_name,
                        record_id=c.record_id,
                        op=c.op,
                        base_version=c.base_version,
                        changes=c.changes,
                        created_at=c.created_at,
                    )
                    for c in batch
                ]
            )
            answer = _parse(
                PushResponse,
                self.session.request("POST", "/sync/push", json=request.model_dump(mode="json")),
            )
            by_key = {c.idempotency_key: c for c in batch}
            outcomes = []
            for result in answer.results:
                change = by_key.pop(result.idempotency_key, None)
                if change is None:
                    continue  # not ours: a broken answer must not mark anything
                accepted = result.status is not ChangeStatus.REJECTED
                outcomes.append(
                    sync_state.PushOutcome(
                        seq=change.seq,
                        record_id=change.record_id,
                        table_name=change.table_name,
                        accepted=accepted,
                        server_version=result.server_version,
                        reason=result.reason,
                    )
                )
            sync_state.record_push_results(self.store, outcomes)
            report.pushed += sum(1 for o in outcomes if o.accepted)
            # Entries the server did not answer for stay pending for the next run; this run
            # goes on after them so it cannot loop on them.
            after = batch[-1].seq

    def _pull(self, report: SyncReport) -> None:
        """Pull every page after the checkpoint. A reader thread fetches and decodes the next
        pages while this thread writes the ones in hand (the server and the disk work at the
        same time), and the pages waiting are written together in one transaction (fewer
        commits: the index pages they share are written once), as many as this PC writes in
        about ``PULL_GROUP_SECONDS``."""
        after = sync_state.pull_after(self.store)
        group = PULL_GROUP_FIRST
        self._reader_stop.clear()
        self._pulling = True
        try:
            with _PageReader(self._fetch_page, after, self._reader_stop) as reader:
                while True:
                    self._report("正在下载本所的数据…", report.pulled)
                    pages = reader.take(group, self._check)
                    full = [page for page in pages if page.records]
                    if full:  # an empty page's cursor was never checked: it moves nothing
                        records = [_incoming(r) for page in full for r in page.records]
                        started = time.monotonic()
                        result = sync_state.apply_pulled(self.store, records, full[-1].next_after)
                        group = next_group(len(records), time.monotonic() - started)
                        report.pulled += len(records)
                        report.incoming_problems += result.problems
                    if _last_page(pages[-1]):
                        return
        finally:
            self._pulling = False

    def _retry_problems(self) -> None:
        """Pulled records kept aside (a field this program did not know, say) that it may
        store now — after an update of the program — are fetched again and written; the
        pull's checkpoint went past them long ago."""
        keys = sync_state.problems_to_retry(self.store)
        for chunk in _chunks(keys, MAX_RECORD_KEYS):
            self._report("正在重新下载上次无法保存的记录…", 0, len(keys))
            try:
                answer = self.session.request(
                    "POST",
                    "/sync/records",
                    json={"keys": [{"table_name": t, "record_id": r} for t, r in chunk]},
                )
            except SyncError as exc:
                if exc.status == 404:
                    return  # an older server: they stay kept aside, shown as before
                raise
            records = _parse(RecordsResponse, answer).records
            sync_state.apply_records(self.store, [_incoming(r) for r in records])

    def _fetch_page(self, after: int) -> PullPage:
        """One page after ``after``, checked (runs on the reader thread)."""
        self._keep_turn()
        if self._reader_stop.is_set():  # the pull ended while the turn was renewed
            raise SyncCancelled()
        response = self.session.request_raw(
            "GET", "/sync/pull", params={"after": after, "limit": self.pull_page}
        )
        page = _reply(PullPage, response)
        if page.records and page.next_after <= after:
            raise SyncError(
                "市局服务器的答复与协议不符（同步序号倒退），本次同步已停止，本机数据未受影响",
                retryable=True,
                code="bad_reply",
            )
        return page

    def _upload_files(self, batch: Sequence[sync_state.PendingChange], report: SyncReport) -> None:
        for change in batch:
            if change.table_name != "attachments" or change.op == "delete":
                continue
            pair = change.changes.get("sha256")
            if not isinstance(pair, list) or len(pair) != 2 or not isinstance(pair[1], str):
                continue
            data = sync_state.blob_data(self.store, pair[1])
            if data is None:
                continue  # the row goes up anyway; the file follows when it is here
            if self._upload(pair[1], data):
                report.uploaded_files += 1

    def _upload(self, sha256: str, data: bytes) -> bool:
        """Send one file in chunks, resuming at the server's count; True when sent now."""
        status = _parse(BlobStatus, self.session.request("GET", f"/blobs/{sha256}"))
        if status.complete:
            return False
        offset = status.received
        while offset < len(data):
            self._report("正在上传附件…", offset, len(data))
            chunk = data[offset : offset + self.chunk_size]
            response = self.session.request_raw(
                "PUT",
                f"/blobs/{sha256}",
                data=chunk,
                params={"offset": offset, "total": len(data)},
                headers={"Content-Type": "application/octet-stream"},
            )
            if response.status_code == 409:
                try:
                    offset = BlobOffsetError.model_validate_json(response.content).received
                except (pydantic.ValidationError, ValueError) as exc:
                    raise error_from_response(response) from exc
                continue
            if not response.ok:
                raise error_from_response(response)
            status = _parse(BlobStatus, response.json())
            if status.complete:
                return True
            offset = status.received
        return True

    def _download_files(self, report: SyncReport) -> None:
        missing = sync_state.missing_blobs(self.store)
        sync_state.drop_unneeded_parts(self.store, missing)
        for index, sha256 in enumerate(missing):
            self._report("正在下载附件…", index, len(missing))
            status = _parse(BlobStatus, self.session.request("GET", f"/blobs/{sha256}"))
            if not status.complete or status.size is None:
                report.files_not_on_server += 1
                continue
            offset = sync_state.download_parts(self.store, sha256)
            while offset < status.size:
                self._check()
                end = min(offset + self.chunk_size, status.size) - 1
                response = self.session.request_raw(
                    "GET", f"/blobs/{sha256}/content", headers={"Range": f"bytes={offset}-{end}"}
                )
                if not response.ok:
                    raise error_from_response(response)
                part = response.content
                if response.status_code == 200:
                    part = part[offset : end + 1]  # a server that ignores ranges
                if not part:
                    raise SyncError(
                        "下载附件时市局服务器的答复不完整，请稍后再试",
                        retryable=True,
                        code="bad_reply",
                    )
                sync_state.save_download_part(self.store, sha256, offset, part)
                offset += len(part)
            if sync_state.finish_download(self.store, sha256):
                report.downloaded_files += 1
            else:
                report.warnings.append("有一个附件下载后校验不符，下次同步时重新下载")

    def _refresh_conflicts(self, report: SyncReport) -> None:
        answer = _parse(ConflictList, self.session.request("GET", "/sync/conflicts"))
        rows = [
            sync_state.ConflictRow(
                c.id,
                c.table_name,
                c.record_id,
                c.field,
                c.base,
                c.server,
                c.incoming,
                c.provisional,
                c.created_at,
            )
            for c in answer.conflicts
        ]
        sync_state.replace_conflicts(self.store, rows)
        report.conflicts = len(rows)

    def _number_blocks(self, report: SyncReport) -> None:
        if self.store.meta("numbering_authority") != "server":
            return
        today = datetime.now()
        # In December, next year's numbers too: a case registered offline on 2 January needs
        # a block for the new year before the next sync.
        years = (today.year, today.year + 1) if today.month == 12 else (today.year,)
        conn = self.store.conn
        for cid, year in ((c["id"], y) for c in committees(self.store) for y in years):
            for _ in range(20):
                if numbers.remaining(conn, cid, year) >= LOW_WATER:
                    break
                self._check()
                answer = self.session.request(
                    "POST",
                    "/number-blocks",
                    json={
                        "committee_id": cid,
                        "year": year,
                        "size": BLOCK_SIZE,
                        "device_id": self.store.machine_id,
                    },
                )
                grant = _parse(NumberBlockGrant, answer)
                used = numbers.highest_used(conn, cid, year)
                if grant.last <= used:
                    continue  # numbers taken before the office synced: skip the block
                block = NumberBlock(max(grant.first, used + 1), grant.last)
                numbers.add_block(conn, cid, year, block, "server", datetime.now().astimezone())
                report.blocks_granted += 1

    def _office_settings(self) -> None:
        try:
            answer = self.session.request("GET", f"/offices/{self._office_id()}/settings")
        except SyncError as exc:
            if exc.status == 404:
                return  # an older server without central settings
            raise
        settings = _parse(OfficeSettings, answer)
        day_end = settings.settings.get(SETTING_DAY_END)
        if day_end:
            self.store.set_meta(sync_state.DAY_END_META, day_end)
        self.store.set_meta(sync_state.SETTINGS_VERSION_META, str(settings.version))

    def _code_tables(self, report: SyncReport) -> None:
        """The code tables the city bureau publishes; only fetched when they changed."""
        held = self.store.meta(code_tables.CENTRAL_VERSION_META)
        headers = {"If-None-Match": f'"{held}"'} if held else {}
        response = self.session.request_raw("GET", "/code-tables", headers=headers)
        if response.status_code == 304:
            return
        if response.status_code == 404:
            return  # an older server
        published = _reply(CodeTables, response)
        try:
            code_tables.save_central_tables(
                self.store,
                published.version,
                [t.model_dump(mode="json") for t in published.tables],
            )
        except ValidationError as exc:
            report.warnings.append(f"市局发布的代码表有误，本机继续使用原有代码表：{exc}")

    def _office_id(self) -> int:
        return int(self.store.meta(sync_state.SERVER_OFFICE_META) or 0)

    def _verify(self, report: SyncReport) -> None:
        if sync_state.pending_count(self.store):
            return
        self._report("正在核对本机与服务器的数据…", 0)
        server = _parse(OfficeChecksums, self.session.request("GET", "/sync/checksums"))
        if server.last_seq != sync_state.pull_after(self.store):
            return  # the server changed meanwhile: verify at the next sync
        local = BucketDigests()
        local.add_many(sync_state.record_versions(self.store))
        mine = {str(b): h for b, h in local.hexdigests().items()}
        differing = sorted(
            int(b) for b in set(mine) | set(server.buckets) if mine.get(b) != server.buckets.get(b)
        )
        report.verified = True
        if not differing:
            return
        wanted = set(differing)
        here: dict[tuple[str, str], tuple[int, bool]] = {}
        for table, rid, version, deleted in sync_state.record_versions(self.store):
            if bucket_of(rid) in wanted:
                here[(table, rid)] = (version, deleted)
        fetch: list[tuple[str, str]] = []
        for index, bucket in enumerate(differing):
            self._report("正在修复不一致的数据…", index, len(differing))
            listing = _parse(
                BucketListing, self.session.request("GET", f"/sync/checksums/{bucket}")
            )
            for entry in listing.entries:
                key = (entry.table_name, entry.record_id)
                if here.pop(key, None) != (entry.version, entry.deleted):
                    fetch.append(key)
        for chunk in _chunks(fetch, MAX_RECORD_KEYS):
            answer = self.session.request(
                "POST",
                "/sync/records",
                json={"keys": [{"table_name": t, "record_id": r} for t, r in chunk]},
            )
            records = _parse(RecordsResponse, answer).records
            sync_state.apply_records(self.store, [_incoming(r) for r in records])
            report.repaired += len(records)
        # Records here that the server does not have at all: send them again.
        report.requeued = sync_state.requeue_records(self.store, sorted(here))
        if report.requeued:
            self._push(report)

    def _note_clock(self, report: SyncReport) -> None:
        server, local = self.session.server_time, self.session.local_time_at_answer
        if server is None or local is None:
            return
        skew = local - server
        report.clock_skew_seconds = skew
        if abs(skew) > SKEW_WARNING_SECONDS:
            hours, rest = divmod(int(abs(skew)), 3600)
            way = "快" if skew > 0 else "慢"
            report.warnings.append(
                f"本机时钟比市局服务器{way}约 {hours} 小时 {rest // 60} 分钟，请校准本机时间"
                "（同步的先后不依赖时钟，数据不受影响）"
            )


def _incoming(record: PulledRecord) -> sync_state.IncomingRecord:
    return sync_state.IncomingRecord(
        table_name=record.table_name,
        record_id=record.record_id,
        version=record.version,
        deleted=record.deleted,
        data=record.data,
        updated_at=record.updated_at,
    )


def _chunks(items: Sequence[tuple[str, str]], size: int) -> Iterable[Sequence[tuple[str, str]]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def sign_in(session: ServerSession, store: Store, username: str, password: str) -> Me:
    """Log in, registering this machine to the account's office the first time (a login bound
    to an unregistered machine is refused, so the first login is made without it)."""
    session.device_id = store.machine_id
    try:
        session.login(username, password)
    except SyncError as exc:
        if exc.code != "device_not_registered":
            raise
        session.device_id = None
        session.login(username, password)
        me = _parse(Me, session.request("GET", "/me"))
        if me.office is None:
            raise SyncError(
                "这个账号不属于任何司法所，不能用来同步本机数据",
                retryable=False,
                code="not_office_account",
            ) from exc
        session.request(
            "POST",
            "/devices",
            json={
                "device_id": store.machine_id,
                "office_id": me.office.id,
                "name": f"本机 {store.machine_id[:8]}",
            },
        )
        session.logout()
        session.device_id = store.machine_id
        session.login(username, password)
    store.set_meta(sync_state.SERVER_USER_META, username)
    store.set_meta(sync_state.SERVER_URL_META, session.base_url)
    return _parse(Me, session.request("GET", "/me"))
