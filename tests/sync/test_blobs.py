"""Attachment contents against real server processes on both backends: chunked upload of a
10 MB file, resuming after a cut, wrong offsets, hash mismatches, ranges, office partitions
and who may read and write."""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from sync.protocol import MAX_BLOB_CHUNK, BlobOffsetError, BlobStatus, ErrorBody, Role
from sync.server import db
from tests.sync.conftest import Account, Office, bearer, login
from tests.sync.server_process import SERVER_SCRIPT

BLOBS = "/api/v1/blobs"
OCTETS = {"Content-Type": "application/octet-stream"}
CHUNK = 1024 * 1024


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _status(client: httpx.Client, token: str, sha: str, **params: int) -> BlobStatus:
    response = client.get(f"{BLOBS}/{sha}", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    return BlobStatus.model_validate(response.json())


def _put(
    client: httpx.Client, token: str, sha: str, offset: int, total: int, data: bytes
) -> httpx.Response:
    return client.put(
        f"{BLOBS}/{sha}",
        params={"offset": offset, "total": total},
        content=data,
        headers={**bearer(token), **OCTETS},
    )


def _upload(
    client: httpx.Client, token: str, data: bytes, start: int = 0, chunk: int = CHUNK
) -> BlobStatus:
    sha, offset, status = _sha(data), start, None
    while offset < len(data) or status is None:
        response = _put(client, token, sha, offset, len(data), data[offset : offset + chunk])
        assert response.status_code == 200, response.text
        status = BlobStatus.model_validate(response.json())
        offset = status.received
        if status.complete:
            break
    return status


def _clerk(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> tuple[Office, str]:
    office = make_office()
    return office, login(client, make_user(Role.CLERK, office))["access_token"]


def test_chunked_upload_and_download(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    _office, token = _clerk(client, make_office, make_user)
    data = os.urandom(10 * 1024 * 1024 + 12345)
    sha = _sha(data)
    unknown = _status(client, token, sha)
    assert unknown == BlobStatus(sha256=sha, size=None, received=0, complete=False)
    assert client.get(f"{BLOBS}/{sha}/content", headers=bearer(token)).status_code == 404

    status = _upload(client, token, data, chunk=3 * 1024 * 1024)
    assert status == BlobStatus(sha256=sha, size=len(data), received=len(data), complete=True)
    assert _status(client, token, sha) == status

    download = client.get(f"{BLOBS}/{sha}/content", headers=bearer(token))
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/octet-stream"
    assert download.headers["accept-ranges"] == "bytes"
    assert int(download.headers["content-length"]) == len(data)
    assert download.content == data

    # Uploading a complete blob again changes nothing, at any offset.
    again = _put(client, token, sha, 0, len(data), data[:CHUNK])
    assert again.status_code == 200
    assert BlobStatus.model_validate(again.json()) == status
    assert client.get(f"{BLOBS}/{sha}/content", headers=bearer(token)).content == data


def test_resume_after_a_cut_and_wrong_offsets(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    _office, token = _clerk(client, make_office, make_user)
    data = os.urandom(5 * CHUNK + 777)
    sha = _sha(data)
    for offset in range(0, 3 * CHUNK, CHUNK):  # half of it, then the connection "drops"
        assert _put(client, token, sha, offset, len(data), data[offset : offset + CHUNK]).is_success
    halfway = _status(client, token, sha)
    assert halfway == BlobStatus(sha256=sha, size=len(data), received=3 * CHUNK, complete=False)

    # A chunk sent again (its response was lost) and one that skips ahead: 409 with received.
    for offset in (2 * CHUNK, 4 * CHUNK):
        refused = _put(client, token, sha, offset, len(data), data[offset : offset + CHUNK])
        assert refused.status_code == 409
        body = BlobOffsetError.model_validate(refused.json())
        assert body.code == "offset_mismatch"
        assert body.received == 3 * CHUNK
        assert "3145728" in body.message
    assert _status(client, token, sha).received == 3 * CHUNK

    too_long = _put(client, token, sha, 3 * CHUNK, len(data), data[3 * CHUNK :] + b"x")
    assert too_long.status_code == 422
    assert _status(client, token, sha).received == 3 * CHUNK

    status = _upload(client, token, data, start=halfway.received)
    assert status.complete
    assert client.get(f"{BLOBS}/{sha}/content", headers=bearer(token)).content == data


def test_hash_mismatch_resets_the_upload(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    _office, token = _clerk(client, make_office, make_user)
    data = os.urandom(2 * CHUNK + 5)
    sha = _sha(data)
    corrupted = data[:CHUNK] + bytes([data[CHUNK] ^ 0xFF]) + data[CHUNK + 1 :]
    assert _put(client, token, sha, 0, len(data), corrupted[:CHUNK]).status_code == 200
    last = _put(client, token, sha, CHUNK, len(data), corrupted[CHUNK:])
    assert last.status_code == 422
    body = ErrorBody.model_validate(last.json())
    assert (body.code, body.message) == ("hash_mismatch", "文件校验失败，请重新上传")
    assert _status(client, token, sha) == BlobStatus(
        sha256=sha, size=len(data), received=0, complete=False
    )
    assert client.get(f"{BLOBS}/{sha}/content", headers=bearer(token)).status_code == 404
    assert _upload(client, token, data).complete
    assert client.get(f"{BLOBS}/{sha}/content", headers=bearer(token)).content == data


def test_limits_and_malformed_requests(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    _office, token = _clerk(client, make_office, make_user)
    data = os.urandom(MAX_BLOB_CHUNK + 1)
    sha = _sha(data)
    too_big = _put(client, token, sha, 0, len(data), data)
    assert too_big.status_code == 413
    assert ErrorBody.model_validate(too_big.json()).code == "chunk_too_large"
    assert _status(client, token, sha).received == 0
    huge_total = _put(client, token, sha, 0, 600 * 1024 * 1024, data[:10])
    assert huge_total.status_code == 413
    assert ErrorBody.model_validate(huge_total.json()).code == "blob_too_large"
    for bad in ("ABC", "A" * 64, "g" * 64, "a" * 63):
        assert client.get(f"{BLOBS}/{bad}", headers=bearer(token)).status_code == 422
        assert _put(client, token, bad, 0, 1, b"x").status_code == 422

    # The empty file is a blob too.
    empty = _put(client, token, _sha(b""), 0, 0, b"")
    assert empty.status_code == 200
    assert BlobStatus.model_validate(empty.json()).complete
    got = client.get(f"{BLOBS}/{_sha(b'')}/content", headers=bearer(token))
    assert (got.status_code, got.content) == (200, b"")


def test_range_downloads(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    _office, token = _clerk(client, make_office, make_user)
    data = os.urandom(3 * CHUNK + 100)
    sha = _sha(data)
    assert _upload(client, token, data, chunk=CHUNK).complete
    size = len(data)
    cases = {
        "bytes=0-9": (0, 9),
        f"bytes={CHUNK - 5}-{2 * CHUNK + 5}": (CHUNK - 5, 2 * CHUNK + 5),  # across chunks
        f"bytes={2 * CHUNK}-": (2 * CHUNK, size - 1),
        "bytes=-50": (size - 50, size - 1),
        f"bytes=10-{size + 1000}": (10, size - 1),
    }
    for header, (start, end) in cases.items():
        response = client.get(f"{BLOBS}/{sha}/content", headers={**bearer(token), "Range": header})
        assert response.status_code == 206, header
        assert response.headers["content-range"] == f"bytes {start}-{end}/{size}", header
        assert response.content == data[start : end + 1], header
    outside = client.get(
        f"{BLOBS}/{sha}/content", headers={**bearer(token), "Range": f"bytes={size}-"}
    )
    assert outside.status_code == 416
    assert outside.headers["content-range"] == f"bytes */{size}"


def _upload_racing(client: httpx.Client, token: str, data: bytes) -> BlobStatus:
    sha, offset = _sha(data), 0
    while True:
        response = _put(client, token, sha, offset, len(data), data[offset : offset + CHUNK])
        if response.status_code == 409:
            offset = BlobOffsetError.model_validate(response.json()).received
            continue
        assert response.status_code == 200, response.text
        status = BlobStatus.model_validate(response.json())
        if status.complete:
            return status
        offset = status.received


def test_concurrent_uploads_of_one_blob(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    """Four machines upload the same attachment at once; a loser of a race gets 409 and goes
    on at ``received``. The stored content is exactly the file."""
    _office, token = _clerk(client, make_office, make_user)
    data = os.urandom(6 * CHUNK + 11)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: _upload_racing(client, token, data), range(4)))
    assert all(result.complete and result.received == len(data) for result in results)
    assert client.get(f"{BLOBS}/{_sha(data)}/content", headers=bearer(token)).content == data


def test_office_partition_and_roles(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office, token = _clerk(client, make_office, make_user)
    data = os.urandom(CHUNK + 1)
    sha = _sha(data)
    assert _upload(client, token, data).complete

    other_office = make_office()
    other = login(client, make_user(Role.CLERK, other_office))["access_token"]
    # The other office's own partition does not hold it; naming this office is refused.
    assert _status(client, other, sha).received == 0
    assert client.get(f"{BLOBS}/{sha}/content", headers=bearer(other)).status_code == 404
    for path in (f"{BLOBS}/{sha}", f"{BLOBS}/{sha}/content"):
        refused = client.get(path, params={"office_id": office.id}, headers=bearer(other))
        assert refused.status_code == 403
        assert refused.json()["message"] == "您的账号无权查看这个司法所的数据"
    wrong_write = client.put(
        f"{BLOBS}/{sha}",
        params={"offset": 0, "total": len(data), "office_id": office.id},
        content=data,
        headers={**bearer(other), **OCTETS},
    )
    assert wrong_write.status_code == 403

    district = login(client, make_user(Role.DISTRICT, district=office.district))["access_token"]
    city = login(client, make_user(Role.CITY))["access_token"]
    far_district = login(client, make_user(Role.DISTRICT, district=other_office.district))[
        "access_token"
    ]
    for reader in (district, city):
        status = _status(client, reader, sha, office_id=office.id)
        assert status.complete
        got = client.get(
            f"{BLOBS}/{sha}/content", params={"office_id": office.id}, headers=bearer(reader)
        )
        assert (got.status_code, got.content) == (200, data)
        # Without office_id a district or city account is refused (it has no office).
        assert client.get(f"{BLOBS}/{sha}", headers=bearer(reader)).status_code == 403
    assert (
        client.get(
            f"{BLOBS}/{sha}", params={"office_id": office.id}, headers=bearer(far_district)
        ).status_code
        == 403
    )

    fresh = os.urandom(100)
    for writer in (district, city):
        refused = client.put(
            f"{BLOBS}/{_sha(fresh)}",
            params={"offset": 0, "total": len(fresh), "office_id": office.id},
            content=fresh,
            headers={**bearer(writer), **OCTETS},
        )
        assert refused.status_code == 403
        assert refused.json()["message"] == "区县和市局账号只能查看，不能修改司法所的数据"
    assert _status(client, token, _sha(fresh)).received == 0
    assert client.get(f"{BLOBS}/{sha}").status_code == 401


def test_old_unfinished_uploads_are_pruned_and_sent_again(
    client: httpx.Client,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
    engine: Engine,
    database_url: str,
) -> None:
    """``admin prune-uploads`` deletes uploads begun more than --days ago and never finished
    (a PC that never came back); a recent unfinished one and finished ones stay, and a PC that
    does come back is told to start over and its file arrives whole."""
    _office, token = _clerk(client, make_office, make_user)
    old, recent, done = (os.urandom(3 * CHUNK + n) for n in (1, 2, 3))
    for data in (old, recent):
        assert _put(client, token, _sha(data), 0, len(data), data[:CHUNK]).is_success
    assert _upload(client, token, done).complete
    forty_days_ago = int(time.time()) - 40 * 86_400
    with engine.begin() as conn:
        conn.execute(
            sa.update(db.blobs)
            .where(db.blobs.c.sha256.in_([_sha(old), _sha(done)]))
            .values(created_at=forty_days_ago)
        )

    def prune(days: str) -> subprocess.CompletedProcess[str]:
        command = ["admin", "prune-uploads", "--days", days, "--database-url", database_url]
        return subprocess.run(
            [str(SERVER_SCRIPT), *command], capture_output=True, text=True, timeout=120
        )

    refused = prune("0")
    assert refused.returncode != 0 and "至少为 1" in refused.stderr
    result = prune("30")
    assert result.returncode == 0, result.stderr
    assert "已删除1个" in result.stdout and "1.0 MB" in result.stdout, result.stdout
    assert _status(client, token, _sha(old)) == BlobStatus(
        sha256=_sha(old), size=None, received=0, complete=False
    )
    assert _status(client, token, _sha(recent)).received == CHUNK
    assert client.get(f"{BLOBS}/{_sha(done)}/content", headers=bearer(token)).content == done
    resumed = _put(client, token, _sha(old), CHUNK, len(old), old[CHUNK : 2 * CHUNK])
    assert resumed.status_code == 409  # the PC resumes where it stopped: told to start over
    assert BlobOffsetError.model_validate(resumed.json()).received == 0
    assert _upload(client, token, old).complete
    assert client.get(f"{BLOBS}/{_sha(old)}/content", headers=bearer(token)).content == old
