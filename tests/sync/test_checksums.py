"""Checksums and targeted repair against real server processes on both backends: the server's
bucket digests equal the ones computed from the pulled records, one changed record changes
only its bucket, and the bucket listing and the records endpoint name and return it. Plus the
pure digest functions."""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Callable
from typing import Any

import httpx

from sync.checksum import NUM_BUCKETS, BucketDigests, bucket_of, record_hash
from sync.protocol import (
    BucketListing,
    ChangeStatus,
    OfficeChecksums,
    PullPage,
    PushResponse,
    RecordsResponse,
    Role,
)
from tests.sync.conftest import Account, Office, bearer, login

CHECKSUMS = "/api/v1/sync/checksums"
RECORDS = "/api/v1/sync/records"


class Machine:
    def __init__(self, client: httpx.Client, token: str) -> None:
        self.client, self.token = client, token
        self.name, self.seq = f"pc-{uuid.uuid4().hex[:12]}", 0

    def push(self, *changes: tuple[str, str, int, dict[str, list[Any]]]) -> None:
        body = []
        for record_id, op, base_version, fields in changes:
            self.seq += 1
            body.append(
                {
                    "idempotency_key": f"{self.name}:{self.seq}",
                    "table_name": "cases",
                    "record_id": record_id,
                    "op": op,
                    "base_version": base_version,
                    "changes": fields,
                }
            )
        response = self.client.post(
            "/api/v1/sync/push", json={"changes": body}, headers=bearer(self.token)
        )
        assert response.status_code == 200, response.text
        for result in PushResponse.model_validate(response.json()).results:
            assert result.status is ChangeStatus.APPLIED, result

    def pull_all(self) -> PullPage:
        response = self.client.get(
            "/api/v1/sync/pull", params={"limit": 2000}, headers=bearer(self.token)
        )
        assert response.status_code == 200, response.text
        page = PullPage.model_validate(response.json())
        assert not page.has_more
        return page

    def checksums(self, **params: int) -> OfficeChecksums:
        response = self.client.get(CHECKSUMS, params=params, headers=bearer(self.token))
        assert response.status_code == 200, response.text
        return OfficeChecksums.model_validate(response.json())


def _digests(page: PullPage) -> BucketDigests:
    digests = BucketDigests()
    for record in page.records:
        digests.add(record.table_name, record.record_id, record.version, record.deleted)
    return digests


def _server_digests(checksums: OfficeChecksums) -> BucketDigests:
    return BucketDigests.from_hex(checksums.buckets, checksums.counts)


def _office_with_records(
    client: httpx.Client,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
    count: int = 60,
) -> tuple[Office, Machine, list[str]]:
    office = make_office()
    machine = Machine(client, login(client, make_user(Role.CLERK, office))["access_token"])
    ids = [uuid.uuid4().hex for _ in range(count)]
    machine.push(
        *[
            (rid, "insert", 0, {"summary": [None, f"纠纷 {n}"], "village": [None, "东村"]})
            for n, rid in enumerate(ids)
        ]
    )
    machine.push((ids[0], "delete", 1, {}))  # a tombstone counts too
    return office, machine, ids


def test_server_checksums_match_pulled_records(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    _office, machine, ids = _office_with_records(client, make_office, make_user)
    page = machine.pull_all()
    checksums = machine.checksums()
    local = _digests(page)
    assert checksums.office_id == page.office_id
    assert checksums.last_seq == max(record.server_seq for record in page.records)
    assert checksums.record_count == len(ids)
    assert checksums.buckets == {str(b): d for b, d in local.hexdigests().items()}
    assert checksums.counts == {str(b): c for b, c in local.nonempty_counts().items()}
    assert all(len(digest) == 32 for digest in checksums.buckets.values())
    assert sum(checksums.counts.values()) == len(ids)
    assert _server_digests(checksums).differing_buckets(local) == []


def test_one_changed_record_changes_only_its_bucket(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office, machine, ids = _office_with_records(client, make_office, make_user)
    local = _digests(machine.pull_all())
    before = machine.checksums()
    changed = ids[7]
    machine.push((changed, "update", 1, {"summary": ["纠纷 7", "借款纠纷"]}))
    after = machine.checksums()
    bucket = bucket_of(changed)
    assert _server_digests(after).differing_buckets(_server_digests(before)) == [bucket]
    assert _server_digests(after).differing_buckets(local) == [bucket]
    assert after.counts == before.counts
    assert after.last_seq == before.last_seq + 1

    listing = machine.client.get(f"{CHECKSUMS}/{bucket}", headers=bearer(machine.token))
    assert listing.status_code == 200, listing.text
    entries = BucketListing.model_validate(listing.json())
    assert (entries.office_id, entries.bucket) == (office.id, bucket)
    in_bucket = {rid for rid in ids if bucket_of(rid) == bucket}
    assert {entry.record_id for entry in entries.entries} == in_bucket
    (entry,) = [entry for entry in entries.entries if entry.record_id == changed]
    assert (entry.table_name, entry.version, entry.deleted) == ("cases", 2, False)
    rebuilt = BucketDigests()
    for item in entries.entries:
        rebuilt.add(item.table_name, item.record_id, item.version, item.deleted)
    assert rebuilt.hexdigests() == {bucket: after.buckets[str(bucket)]}

    # Targeted repair: fetch the changed record, a tombstone and an unknown key.
    keys = [
        {"table_name": "cases", "record_id": changed},
        {"table_name": "cases", "record_id": "no-such-record"},
        {"table_name": "parties", "record_id": changed},
        {"table_name": "cases", "record_id": ids[0]},
    ]
    response = machine.client.post(RECORDS, json={"keys": keys}, headers=bearer(machine.token))
    assert response.status_code == 200, response.text
    fetched = RecordsResponse.model_validate(response.json())
    assert fetched.office_id == office.id
    assert [record.record_id for record in fetched.records] == [changed, ids[0]]
    repaired, tombstone = fetched.records
    assert (repaired.version, repaired.deleted) == (2, False)
    assert repaired.data["summary"] == "借款纠纷"
    assert repaired.server_seq == after.last_seq
    assert tombstone.deleted
    local_after = _digests(machine.pull_all())
    assert _server_digests(after).differing_buckets(local_after) == []


def test_offices_and_roles(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office, machine, ids = _office_with_records(client, make_office, make_user, count=5)
    other_office = make_office()
    other = Machine(client, login(client, make_user(Role.CLERK, other_office))["access_token"])
    assert other.checksums().record_count == 0
    assert other.checksums().buckets == {}
    key = {"table_name": "cases", "record_id": ids[1]}
    own_records = client.post(RECORDS, json={"keys": [key]}, headers=bearer(other.token))
    assert own_records.status_code == 200
    assert own_records.json()["records"] == []
    bucket = bucket_of(ids[1])
    for method, path, kwargs in (
        ("GET", CHECKSUMS, {"params": {"office_id": office.id}}),
        ("GET", f"{CHECKSUMS}/{bucket}", {"params": {"office_id": office.id}}),
        ("POST", RECORDS, {"json": {"office_id": office.id, "keys": [key]}}),
    ):
        refused = client.request(method, path, headers=bearer(other.token), **kwargs)
        assert refused.status_code == 403, path
        assert refused.json()["message"] == "您的账号无权查看这个司法所的数据"

    district = login(client, make_user(Role.DISTRICT, district=office.district))["access_token"]
    city = login(client, make_user(Role.CITY))["access_token"]
    expected = machine.checksums()
    for reader in (district, city):
        got = client.get(CHECKSUMS, params={"office_id": office.id}, headers=bearer(reader))
        assert OfficeChecksums.model_validate(got.json()) == expected
        fetched = client.post(
            RECORDS, json={"office_id": office.id, "keys": [key]}, headers=bearer(reader)
        )
        assert [r["record_id"] for r in fetched.json()["records"]] == [ids[1]]
        assert client.get(CHECKSUMS, headers=bearer(reader)).status_code == 403


def test_malformed_requests(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    token = login(client, make_user(Role.CLERK, make_office()))["access_token"]
    for bucket in ("256", "-1", "x"):
        assert client.get(f"{CHECKSUMS}/{bucket}", headers=bearer(token)).status_code == 422
    assert client.get(f"{CHECKSUMS}/255", headers=bearer(token)).status_code == 200
    keys = [{"table_name": "cases", "record_id": f"r{n}"} for n in range(2001)]
    too_many = client.post(RECORDS, json={"keys": keys}, headers=bearer(token))
    assert too_many.status_code == 422
    enough = client.post(RECORDS, json={"keys": keys[:2000]}, headers=bearer(token))
    assert enough.status_code == 200
    assert enough.json()["records"] == []


def test_digest_functions() -> None:
    record_id = "3f2a9c"
    assert bucket_of(record_id) == hashlib.sha256(b"3f2a9c").digest()[0]
    expected = int.from_bytes(hashlib.sha256(b"cases\x1f3f2a9c\x1f4\x1f1").digest()[:16], "big")
    assert record_hash("cases", record_id, 4, True) == expected
    assert record_hash("cases", record_id, 4, False) != expected
    assert bucket_of("调解案件-甲") == hashlib.sha256("调解案件-甲".encode()).digest()[0]

    items = [
        (random.choice(["cases", "parties"]), uuid.uuid4().hex, n % 5, n % 7 == 0)
        for n in range(3000)
    ]
    forward, backward = BucketDigests(), BucketDigests()
    for item in items:
        forward.add(*item)
    for item in reversed(items):
        backward.add(*item)
    assert forward.hexdigests() == backward.hexdigests()
    bulk = BucketDigests()
    bulk.add_many(items)
    assert (bulk.hexdigests(), bulk.counts) == (forward.hexdigests(), forward.counts)
    assert forward.record_count == 3000
    assert len(forward.hexdigests()) == NUM_BUCKETS  # 3000 random ids fill every bucket
    assert all(len(digest) == 32 for digest in forward.hexdigests().values())
    # A version bump changes exactly its bucket.
    table, rid, version, deleted = items[0]
    backward = BucketDigests()
    for item in [(table, rid, version + 1, deleted), *items[1:]]:
        backward.add(*item)
    assert forward.differing_buckets(backward) == [bucket_of(rid)]
    backward.remove(table, rid, version + 1, deleted)
    backward.add(table, rid, version, deleted)
    assert backward.differing_buckets(forward) == []
    assert backward.hexdigests() == forward.hexdigests()
    lone = BucketDigests()
    lone.add("cases", rid, 1, False)
    lone.remove("cases", rid, 1, False)
    assert (lone.hexdigests(), lone.record_count, lone.differing_buckets(BucketDigests())) == (
        {},
        0,
        [],
    )
    restored = BucketDigests.from_hex(
        {str(b): d for b, d in forward.hexdigests().items()},
        {str(b): c for b, c in forward.nonempty_counts().items()},
    )
    assert restored.differing_buckets(forward) == []
