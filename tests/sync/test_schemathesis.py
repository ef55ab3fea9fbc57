"""Every operation of the city server's OpenAPI description, fuzzed by schemathesis against the
real server process (both backends): with a valid login and the protocol header, no answer is a
5xx, and every answer conforms to the description — a documented status code, the documented
content type, a body and headers that match the documented schema.

The generated requests are both valid and invalid ones (schemathesis's positive and negative
modes); each operation gets a few examples, so the whole file stays well under a minute.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import APIOperation, BaseSchema, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from sync.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION, Role
from tests.sync.conftest import Account, Office, bearer, login, random_address
from tests.sync.server_process import ServerProcess

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture
def api_schema(server: ServerProcess) -> BaseSchema:
    return schemathesis.openapi.from_url(f"{server.base_url}/openapi.json")


class Caller:
    """A logged-in clerk of a new office (with a registered device), from an address of its
    own: ``headers`` for every request; :meth:`fresh_headers` logs in anew (for logout)."""

    def __init__(self, client: httpx.Client, clerk: Account, address: str) -> None:
        self.client = client
        self.clerk = clerk
        self.address = address
        self.headers = self.fresh_headers()

    def fresh_headers(self) -> dict[str, str]:
        tokens = login(self.client, self.clerk)
        return {
            PROTOCOL_HEADER: str(PROTOCOL_VERSION),
            "X-Forwarded-For": self.address,
            **bearer(tokens["access_token"]),
        }


@pytest.fixture
def caller(
    server: ServerProcess,
    make_office: Callable[..., Office],
    make_user: Callable[..., Account],
) -> Iterator[Caller]:
    office = make_office()
    clerk = make_user(Role.CLERK, office)
    address = random_address()
    with server.client(address) as client:
        caller = Caller(client, clerk, address)
        response = client.post(
            "/api/v1/devices",
            json={"device_id": f"device-{office.id}-schemathesis", "office_id": office.id},
            headers=caller.headers,
        )
        assert response.status_code == 200, response.text
        yield caller


EXAMPLES = 5
"""Examples per operation and generation mode (positive: valid requests; negative: invalid)."""


def _fuzz(
    operation: APIOperation[Any, Any, Any, Any],
    mode: GenerationMode,
    caller: Caller,
    failures: dict[str, str],
) -> None:
    logout = operation.path.endswith("/auth/logout")

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case: schemathesis.Case[Any]) -> None:
        headers = caller.fresh_headers() if logout else caller.headers
        case.call_and_validate(headers=headers, checks=CHECKS, timeout=30)

    try:
        run()
    except Unsatisfiable:
        pass  # no invalid request exists (an operation without parameters or body)
    except (Exception, BaseExceptionGroup) as exc:  # FailureGroup is a BaseExceptionGroup
        failures[f"{operation.method.upper()} {operation.path}"] = f"({mode.value}) {exc}"


def test_every_operation_conforms_to_the_description(
    api_schema: BaseSchema, caller: Caller, database_url: str
) -> None:
    failures: dict[str, str] = {}
    operations = []
    for result in api_schema.get_all_operations():
        assert isinstance(result, Ok), result  # every operation's description is usable
        operations.append(result.ok())
    assert len(operations) >= 10
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _fuzz(operation, mode, caller, failures)
    assert not failures, "\n\n".join(f"{name}: {text}" for name, text in failures.items())


def test_the_description_lists_the_sync_operations(server: ServerProcess) -> None:
    """The fuzzing above covers what the description lists: the sync routes must be in it."""
    paths = httpx.get(f"{server.base_url}/openapi.json", timeout=10).json()["paths"]
    for path in ("/api/v1/sync/push", "/api/v1/sync/pull", "/api/v1/auth/login"):
        assert path in paths


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/sync/checksums?office_id=3316199379138138079232",
        "/api/v1/sync/conflicts?office_id=35184372088832",
        "/api/v1/offices/1172108066589646/settings",
        "/api/v1/blobs/" + "0" * 64 + "/content?office_id=-59055245135629648",
    ],
)
def test_ids_beyond_the_database_range_are_refused_not_crashed(
    server: ServerProcess, caller: Caller, path: str
) -> None:
    """Found by the fuzzing above: an id beyond 32 bits (PostgreSQL) or 64 bits (SQLite)."""
    response = caller.client.get(path, headers=caller.headers)
    assert response.status_code in (403, 422), response.text
    assert response.json()["message"]
