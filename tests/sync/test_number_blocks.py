"""Case-number blocks handed out to devices — against real server processes on both backends:
consecutive disjoint blocks per office, committee and year, bound to a registered device, and no
overlap when many requests from several devices reach two server processes at once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from justice_desktop.domain.numbering import NumberBlock
from sync.protocol import NumberBlockGrant, Role
from sync.server.db import number_blocks
from tests.sync.conftest import Account, Office, bearer, login, random_address
from tests.sync.server_process import ServerProcess, running_server

BLOCKS = "/api/v1/number-blocks"


def _register(client: httpx.Client, token: str, office: Office) -> str:
    device = f"pc-{uuid.uuid4().hex}"
    response = client.post(
        "/api/v1/devices",
        json={"device_id": device, "office_id": office.id, "name": "办公室电脑"},
        headers=bearer(token),
    )
    assert response.status_code == 200, response.text
    return device


def _device_login(
    client: httpx.Client, make_user: Callable[..., Account], office: Office
) -> tuple[str, str]:
    """A clerk of ``office`` logged in on a newly registered device: (access token, device)."""
    clerk = make_user(Role.CLERK, office)
    device = _register(client, login(client, clerk)["access_token"], office)
    return login(client, clerk, device_id=device)["access_token"], device


def _grant(client: httpx.Client, token: str, **body: object) -> NumberBlockGrant:
    response = client.post(BLOCKS, json=body, headers=bearer(token))
    assert response.status_code == 200, response.text
    return NumberBlockGrant.model_validate(response.json())


def test_consecutive_blocks_per_committee_and_year(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office = make_office()
    token, device = _device_login(client, make_user, office)
    first = _grant(client, token, committee_id="c-1", year=2025)
    assert (first.first, first.last) == (1, 500)  # the default size
    assert (first.office_id, first.device_id, first.committee_id) == (office.id, device, "c-1")
    second = _grant(client, token, committee_id="c-1", year=2025, size=20)
    assert (second.first, second.last) == (501, 520)
    other_committee = _grant(client, token, committee_id="c-2", year=2025, size=10)
    assert (other_committee.first, other_committee.last) == (1, 10)
    other_year = _grant(client, token, committee_id="c-1", year=2026, size=5000)
    assert (other_year.first, other_year.last) == (1, 5000)
    # the block is the desktop's NumberBlock shape
    assert NumberBlock(second.first, second.last).overlaps(NumberBlock(1, 600))


def test_offices_count_separately(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    a, _ = _device_login(client, make_user, make_office())
    b, _ = _device_login(client, make_user, make_office())
    assert _grant(client, a, committee_id="c-1", year=2025, size=7).first == 1
    assert _grant(client, b, committee_id="c-1", year=2025, size=7).first == 1
    assert _grant(client, a, committee_id="c-1", year=2025, size=7).first == 8


def test_sizes_out_of_range_are_refused(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    token, _ = _device_login(client, make_user, make_office())
    for size in (0, -1, 5001):
        response = client.post(
            BLOCKS, json={"committee_id": "c", "year": 2025, "size": size}, headers=bearer(token)
        )
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_request"
    empty = client.post(BLOCKS, json={"committee_id": " ", "year": 2025}, headers=bearer(token))
    assert empty.status_code == 422


def test_device_from_the_body_when_the_session_has_none(
    client: httpx.Client,
    engine: Engine,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    office, elsewhere = make_office(), make_office()
    token = login(client, make_user(Role.LAWYER, office))["access_token"]
    no_device = client.post(BLOCKS, json={"committee_id": "c", "year": 2025}, headers=bearer(token))
    assert no_device.status_code == 403
    assert no_device.json()["code"] == "device_not_registered"
    assert no_device.json()["message"] == "这台电脑没有登记在您的司法所名下，请先登记本机"

    foreign = _register(
        client, login(client, make_user(Role.CLERK, elsewhere))["access_token"], elsewhere
    )
    refused = client.post(
        BLOCKS,
        json={"committee_id": "c", "year": 2025, "device_id": foreign},
        headers=bearer(token),
    )
    assert refused.status_code == 403
    unknown = client.post(
        BLOCKS,
        json={"committee_id": "c", "year": 2025, "device_id": "never-registered-1"},
        headers=bearer(token),
    )
    assert unknown.status_code == 403

    device = _register(client, token, office)
    grant = _grant(client, token, committee_id="c", year=2025, size=3, device_id=device)
    assert (grant.first, grant.last, grant.device_id) == (1, 3, device)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(number_blocks.c.device_id, number_blocks.c.first, number_blocks.c.last).where(
                number_blocks.c.office_id == office.id
            )
        ).all()
    assert [tuple(row) for row in rows] == [(device, 1, 3)]  # refusals granted nothing


def test_a_device_bound_session_only_gets_blocks_for_its_device(
    client: httpx.Client, make_office: Callable[..., Office], make_user: Callable[..., Account]
) -> None:
    office = make_office()
    token, device = _device_login(client, make_user, office)
    other = _register(client, token, office)
    refused = client.post(
        BLOCKS,
        json={"committee_id": "c", "year": 2025, "device_id": other},
        headers=bearer(token),
    )
    assert refused.status_code == 403
    assert refused.json()["message"] == "编号段只能发给当前登录的这台电脑"
    same = _grant(client, token, committee_id="c", year=2025, size=2, device_id=device)
    assert (same.first, same.device_id) == (1, device)


def test_concurrent_requests_on_two_server_processes_never_overlap(
    server: ServerProcess,
    database_url: str,
    engine: Engine,
    tmp_path: Path,
    client: httpx.Client,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> None:
    office = make_office()
    tokens = [_device_login(client, make_user, office)[0] for _ in range(4)]
    sizes = [1 + (i * 37) % 120 for i in range(60)]

    with running_server(database_url, tmp_path) as second:
        servers = [server, second]

        def ask(index: int) -> NumberBlockGrant:
            with servers[index % 2].client(random_address()) as own_client:
                return _grant(
                    own_client,
                    tokens[index % len(tokens)],
                    committee_id="c-rush",
                    year=2025,
                    size=sizes[index],
                )

        with ThreadPoolExecutor(max_workers=12) as pool:
            grants = list(pool.map(ask, range(len(sizes))))

    spans = sorted((g.first, g.last) for g in grants)
    for (_, last), (next_first, _) in zip(spans, spans[1:], strict=False):
        assert last < next_first, f"overlapping blocks: {spans}"
    # no gaps either: together the blocks are exactly 1..sum(sizes)
    assert spans[0][0] == 1
    assert spans[-1][1] == sum(sizes)
    assert sorted(g.last - g.first + 1 for g in grants) == sorted(sizes)
    with engine.connect() as conn:
        stored = conn.execute(
            sa.select(number_blocks.c.first, number_blocks.c.last)
            .where(
                number_blocks.c.office_id == office.id, number_blocks.c.committee_key == "c-rush"
            )
            .order_by(number_blocks.c.first)
        ).all()
    assert [tuple(row) for row in stored] == spans
