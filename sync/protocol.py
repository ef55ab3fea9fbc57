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
from typing import Annotated

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
