"""The wire protocol between the desktop program and the city server.

Request and response bodies as pydantic models, shared by the server (``sync.server``) and the
client engine. Field names are English; every ``message`` is Simplified Chinese because the
client shows it to the user as it is.

Versioning: the client sends its protocol version in the ``X-Protocol-Version`` header on every
``/api/v1`` request. The server accepts versions from ``MIN_CLIENT_PROTOCOL`` up to
``PROTOCOL_VERSION``; anything else gets HTTP 426 with an :class:`ErrorBody` whose ``code`` says
which side must be updated (``client_too_old`` or ``server_too_old``). ``GET /api/v1/version``
answers without the header and without a login, so a client can check before it does anything.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

PROTOCOL_VERSION = 1
"""The protocol version this code speaks."""

MIN_CLIENT_PROTOCOL = 1
"""The oldest client protocol version the server still serves."""

PROTOCOL_HEADER = "X-Protocol-Version"
API_PREFIX = "/api/v1"


class Role(StrEnum):
    """A user's role. Office roles belong to one office; ``district`` to a district (reads its
    offices); ``city`` to no office (reads every office). Only office roles write."""

    CLERK = "clerk"
    LAWYER = "lawyer"
    ADVISER = "adviser"
    HEAD = "head"
    DISTRICT = "district"
    CITY = "city"

    @property
    def is_office_role(self) -> bool:
        return self not in (Role.DISTRICT, Role.CITY)


ROLE_LABELS: dict[Role, str] = {
    Role.CLERK: "司法所工作人员",
    Role.LAWYER: "派驻律师",
    Role.ADVISER: "法律顾问",
    Role.HEAD: "司法所所长",
    Role.DISTRICT: "区县司法局",
    Role.CITY: "市司法局",
}

NonEmpty = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
DeviceId = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=8, max_length=64, pattern=r"^[\w-]+$")
]


class _Model(BaseModel):
    # Unknown fields are ignored, so a newer client's extra fields do not break an older server.
    model_config = ConfigDict(extra="ignore", frozen=True)


class ErrorBody(_Model):
    """Every error response. ``code`` is for programs, ``message`` (Chinese) for people."""

    code: str
    message: str
    details: list[str] = Field(default_factory=list)


class VersionInfo(_Model):
    protocol_version: int
    min_client_protocol: int
    server_version: str


class VersionErrorBody(ErrorBody):
    """HTTP 426: ``client_too_old``, ``server_too_old`` or ``protocol_missing``."""

    protocol_version: int
    min_client_protocol: int


class LoginRequest(_Model):
    username: NonEmpty
    password: Annotated[str, StringConstraints(min_length=1, max_length=1024)]
    device_id: DeviceId | None = None
    """The installation logging in; when given it must be registered to the user's office."""


class RefreshRequest(_Model):
    refresh_token: Annotated[str, StringConstraints(min_length=1, max_length=200)]


class TokenPair(_Model):
    access_token: str
    refresh_token: str
    token_type: str = "bearer"
    access_expires_in: int
    """Seconds until the access token expires."""
    refresh_expires_in: int


class OfficeInfo(_Model):
    id: int
    name: str
    district: str


class Me(_Model):
    id: int
    username: str
    full_name: str
    role: Role
    office: OfficeInfo | None
    district: str | None
    """The district the account reads: its office's district, or a district account's own."""


class DeviceRegistration(_Model):
    device_id: DeviceId
    office_id: int
    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""


class DeviceInfo(_Model):
    device_id: str
    office_id: int
    name: str
    registered_by: int
    registered_at: int
    """Unix seconds (server clock)."""


CommitteeKey = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]

DEFAULT_NUMBER_BLOCK_SIZE = 500
MAX_NUMBER_BLOCK_SIZE = 5000


class NumberBlockRequest(_Model):
    """Ask for the next block of case numbers of one committee and year for this device."""

    committee_id: CommitteeKey
    """The committee's id as the desktop program knows it."""
    year: Annotated[int, Field(ge=2000, le=2100)]
    size: Annotated[int, Field(ge=1, le=MAX_NUMBER_BLOCK_SIZE)] = DEFAULT_NUMBER_BLOCK_SIZE
    office_id: int | None = None
    """Defaults to the caller's office; another office is refused."""
    device_id: DeviceId | None = None
    """Only needed when the login session is not bound to a device; it must then be a device
    registered to the caller's office (and, when the session has one, the same device)."""


class NumberBlockGrant(_Model):
    """A block granted to one device: numbers ``first``–``last`` (inclusive) are its alone."""

    office_id: int
    committee_id: str
    year: int
    first: int
    last: int
    device_id: str
    granted_at: int
    """Unix seconds (server clock)."""


class CodeEntryInfo(_Model):
    code: str
    label: str
    parent: str | None
    """The parent entry's code; None for a top-level entry."""


class CodeTableInfo(_Model):
    table: str
    title: str
    version: int
    entries: list[CodeEntryInfo]
    """Every entry in table order; a parent always comes before its children."""


class CodeTables(_Model):
    """The code tables the city bureau publishes. ``version`` changes whenever any table's
    content changes (it is also the response's ETag)."""

    version: str
    tables: list[CodeTableInfo]


MAX_PUSH_CHANGES = 500
MAX_PULL_LIMIT = 2000
DEFAULT_PULL_LIMIT = 1000


class ChangeStatus(StrEnum):
    """What the server did with one pushed change."""

    APPLIED = "applied"
    CONFLICT = "conflict"
    """Applied as far as it merges; the rest is a stored conflict waiting for a person."""
    REJECTED = "rejected"
    """Not applied (unknown table or field, malformed); ``reason`` says why. Not stored, so
    the same change may be sent again once a newer server accepts it."""
    DUPLICATE = "duplicate"
    """This idempotency key was applied before: nothing changed; ``first_status`` and the
    versions are the stored result of the first time."""


class PushChange(_Model):
    """One outbox entry of the desktop program (see ``justice_desktop/store/records.py``)."""

    idempotency_key: Annotated[str, StringConstraints(min_length=3, max_length=200)]
    """``<device id>:<outbox seq>``: the same change always carries the same key."""
    table_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    record_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    op: Annotated[str, StringConstraints(max_length=16)]
    """``insert``, ``update`` or ``delete`` (anything else is rejected, not refused)."""
    base_version: Annotated[int, Field(ge=0)] = 0
    """The record's version on the client before this change; 0 for an insert."""
    changes: dict[str, Any] = Field(default_factory=dict)
    """Field → ``[old, new]``."""
    created_at: str | None = None
    """The client's clock when the change was made: informational, never used for ordering."""


class PushRequest(_Model):
    changes: Annotated[list[PushChange], Field(max_length=MAX_PUSH_CHANGES)]
    office_id: int | None = None
    """Defaults to the caller's office; another office is refused."""


class ChangeResult(_Model):
    idempotency_key: str
    status: ChangeStatus
    server_version: int | None = None
    """The record's version on the server after this change (None when rejected)."""
    server_seq: int | None = None
    reason: str = ""
    """Chinese, for people: why a change was rejected or which fields conflict."""
    conflict_fields: list[str] = Field(default_factory=list)
    """Fields that became conflicts (empty for a delete against an edit)."""
    first_status: ChangeStatus | None = None
    """For ``duplicate``: the status the change got the first time."""


class PushResponse(_Model):
    office_id: int
    results: list[ChangeResult]


class PulledRecord(_Model):
    table_name: str
    record_id: str
    version: int
    deleted: bool
    server_seq: int
    data: dict[str, Any]
    """The whole current row (without bookkeeping columns)."""
    updated_at: int
    """Unix seconds (server clock)."""


class PullPage(_Model):
    office_id: int
    records: list[PulledRecord]
    next_after: int
    """Pass as ``after`` for the next page (the last record's ``server_seq``)."""
    has_more: bool


class ConflictInfo(_Model):
    id: int
    table_name: str
    record_id: str
    field: str | None
    """None: a delete against an edit."""
    base: Any
    server: Any
    incoming: Any
    provisional: Any
    """The value every machine shows until a person resolves the conflict."""
    created_at: int
    resolved_at: int | None = None
    """Unix seconds (server clock) when a person resolved it; None while open."""
    resolved_by: int | None = None
    """The id of the user who resolved it."""
    resolution: Any = None
    """The chosen field value, or ``{"keep": true|false}`` for a delete against an edit."""


class ConflictList(_Model):
    office_id: int
    conflicts: list[ConflictInfo]


class ResolveRequest(_Model):
    """Resolve one conflict. A field conflict needs ``value`` (any JSON, ``null`` included); a
    delete against an edit needs ``keep`` (true: keep the record, false: delete it)."""

    idempotency_key: Annotated[str, StringConstraints(min_length=3, max_length=200)]
    """The same resolve always carries the same key: a replay returns the stored result."""
    value: Any = None
    keep: bool | None = None


class ResolveResult(_Model):
    conflict_id: int
    table_name: str
    record_id: str
    server_version: int
    """The record's version after the resolution (one more than before it)."""
    server_seq: int
    """The resolution's server sequence: every machine pulls it."""
    deleted: bool
    resolved_at: int
    resolved_by: int
    resolution: Any
    replayed: bool = False
    """True when this resolution had been applied before: nothing changed this time."""


# --- Attachments (blobs), checksums with targeted repair, office settings --------------------

MAX_BLOB_CHUNK = 4 * 1024 * 1024
"""The largest body of one ``PUT /api/v1/blobs/{sha256}`` (bytes); a larger one gets 413."""

MAX_BLOB_SIZE = 512 * 1024 * 1024
"""The largest attachment the server accepts (bytes)."""

MAX_RECORD_KEYS = 2000
"""The most keys one ``POST /api/v1/sync/records`` may ask for."""

Sha256Hex = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class BlobStatus(_Model):
    """How much of an attachment's content (by SHA-256, in one office) the server holds."""

    sha256: str
    size: int | None
    """The total size declared by the first upload; None while the server knows nothing."""
    received: int
    """Bytes received so far: the offset the next chunk must start at."""
    complete: bool
    """All bytes received and their SHA-256 verified."""


class BlobOffsetError(ErrorBody):
    """HTTP 409 ``offset_mismatch``: the chunk does not start where the upload stands; resume
    at ``received``."""

    received: int
    size: int | None = None


class RecordKey(_Model):
    table_name: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    record_id: Annotated[str, StringConstraints(min_length=1, max_length=64)]


class OfficeChecksums(_Model):
    """Digests of every record of an office on the server (tombstones included), in 256 buckets
    by the first byte of SHA-256(record_id); see :mod:`sync.checksum`."""

    office_id: int
    last_seq: int
    """The office's current server sequence: the digests describe the records up to it."""
    buckets: dict[str, str]
    """Bucket number (``"0"``–``"255"``) → 32 hex digits; empty buckets are absent."""
    counts: dict[str, int]
    """Bucket number → how many records it holds; empty buckets are absent."""
    record_count: int


class BucketEntry(_Model):
    table_name: str
    record_id: str
    version: int
    deleted: bool


class BucketListing(_Model):
    office_id: int
    bucket: int
    entries: list[BucketEntry]
    """Ordered by table name, then record id."""


class RecordsRequest(_Model):
    office_id: int | None = None
    """Defaults to the caller's office (district and city accounts must name one)."""
    keys: Annotated[list[RecordKey], Field(max_length=MAX_RECORD_KEYS)]


class RecordsResponse(_Model):
    office_id: int
    records: list[PulledRecord]
    """The records asked for that the server has (unknown keys are simply absent)."""


class SyncTurn(_Model):
    """The answer to ``POST /sync/turn``: whether this session may sync now. When not, ask
    again after ``retry_after`` seconds (the other requests are not refused meanwhile: the turn
    spreads the day-end rush, it guards nothing)."""

    granted: bool
    retry_after: float = Field(ge=0, le=3600, allow_inf_nan=False)
    syncing: int
    """Sessions syncing now, this one included when granted."""
    limit: int
    """Sessions the server lets sync at once (0: no limit)."""


class OfficeSettings(_Model):
    """Settings the city bureau manages: city-wide defaults overlaid by the office's own."""

    office_id: int
    version: int
    """Grows whenever any setting that applies to this office changes (0: none set)."""
    settings: dict[str, str]


class StatColumnInfo(_Model):
    key: str
    label: str
    """The header with its unit, e.g. 调解成功（件）."""
    unit: str
    decimals: int


class StatRowInfo(_Model):
    label: str
    level: int
    """0: a row; 1: a sub-row (indented)."""
    code: str | None
    total: bool
    values: list[float | int | None]


class StatTableInfo(_Model):
    key: str
    title: str
    note: str
    columns: list[StatColumnInfo]
    rows: list[StatRowInfo]


class OfficeStatInfo(_Model):
    office_id: int
    name: str
    district: str
    registered: int
    succeeded: int
    success_rate: float | None
    """调解成功 ÷ 受理 in percent; None when nothing was registered."""


class StatisticsReport(_Model):
    """The 人民调解 statistics of a period, rolled up over the offices the caller may read."""

    scope: str
    """全市, a district's name, or an office's name."""
    title: str
    period_label: str
    first_day: str
    last_day: str
    tables: list[StatTableInfo]
    offices: list[OfficeStatInfo]
