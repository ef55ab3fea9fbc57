"""A transport that misbehaves like a bad office network: it drops requests, loses answers after
the server handled them, sends requests twice, delivers old requests again out of order, delays,
and cuts answers in the middle of the body. Seeded, so hypothesis can shrink what it found."""

from __future__ import annotations

import contextlib
import random
import time
from typing import Any

import requests

from tests.sync.conftest import random_address


class ChaosTransport(requests.Session):
    def __init__(self, rng: random.Random) -> None:
        super().__init__()
        self.headers["X-Forwarded-For"] = random_address()
        self.rng = rng
        self.faults = True
        self.sent_writes: list[requests.PreparedRequest] = []
        self.counts: dict[str, int] = {}

    def _count(self, what: str) -> None:
        self.counts[what] = self.counts.get(what, 0) + 1

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        path = str(request.path_url)
        if not self.faults or "/auth/" in path:
            return super().send(request, **kwargs)
        roll = self.rng.random()
        if roll < 0.08:
            self._count("dropped")
            raise requests.ConnectionError("dropped before sending")
        if self.sent_writes and self.rng.random() < 0.15:
            # An older write arrives again, late and out of order.
            self._count("replayed")
            old = self.rng.choice(self.sent_writes)
            with contextlib.suppress(requests.RequestException):
                super().send(old.copy(), **kwargs)
        if self.rng.random() < 0.05:
            self._count("delayed")
            time.sleep(self.rng.random() * 0.02)
        response = super().send(request, **kwargs)
        if request.method in ("POST", "PUT") and "/sync/" in path:
            self.sent_writes.append(request.copy())
        roll = self.rng.random()
        if roll < 0.08:
            self._count("duplicated")
            response = super().send(request.copy(), **kwargs)
        elif roll < 0.16:
            self._count("answer lost")
            raise requests.ConnectionError("connection cut after the server answered")
        elif roll < 0.22 and response.content:
            self._count("cut mid-body")
            cut = requests.Response()
            cut.status_code = response.status_code
            cut.headers = response.headers
            cut._content = response.content[: len(response.content) // 2]
            cut.url = response.url
            cut.request = response.request
            return cut
        return response
