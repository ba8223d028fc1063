"""A real HTTP server on 127.0.0.1 that answers collectors with recorded platform responses."""

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from pytest_httpserver.httpserver import URIPattern
from werkzeug import Request, Response

RESPONSES = Path(__file__).parent / "responses"


def recorded(platform: str, name: str) -> Any:
    """A recorded response of a platform, from tests/collect/responses/PLATFORM/NAME.json."""
    return json.loads((RESPONSES / platform / f"{name}.json").read_text(encoding="utf-8"))


@dataclass
class Route:
    """An answer to requests of one path whose parameters include `where`; `times` None answers for ever."""

    path: str
    where: dict[str, str]
    body: Any
    status: int = 200
    delay: float = 0.0
    times: int | None = None
    raw: bool = False  # body is sent as it is (malformed JSON, HTML)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Call:
    """A request the server received: its path, its parameters (query and form merged), headers, a JSON body and
    uploaded files (field → file name and content)."""

    path: str
    params: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    json: Any = None
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)


class FakeApi:
    """Routes of recorded answers, tried in the order added; a one-time route is used up before a lasting one."""

    def __init__(self, server: HTTPServer) -> None:
        self.server = server
        self.routes: list[Route] = []
        self.calls: list[Call] = []
        server.expect_request(_Every()).respond_with_handler(self._answer)

    @property
    def url(self) -> str:
        """The server's base URL, without a trailing slash."""
        return self.server.url_for("/").rstrip("/")

    def on(self, path: str, body: Any, *, status: int = 200, delay: float = 0.0, times: int | None = None,
           raw: bool = False, headers: dict[str, str] | None = None, **where: Any) -> None:  # fmt: skip
        """Answer requests of `path` whose parameters include `where` with `body` (and these response headers)."""
        wanted = {k: str(v) for k, v in where.items()}
        self.routes.append(Route(path, wanted, body, status, delay, times, raw, dict(headers or {})))

    def count(self, path: str, **where: Any) -> int:
        """How many requests of `path` (with these parameters) the server received."""
        wanted = {k: str(v) for k, v in where.items()}
        return sum(c.path == path and wanted.items() <= c.params.items() for c in self.calls)

    def _answer(self, request: Request) -> Response:
        params = {**request.args.to_dict(), **request.form.to_dict()}
        files = {name: (f.filename or "", f.read()) for name, f in request.files.items()}
        self.calls.append(Call(request.path, params, dict(request.headers), request.get_json(silent=True), files))
        candidates = [r for r in self.routes if r.path == request.path and r.where.items() <= params.items()]
        route = next((r for r in candidates if r.times), None) or next((r for r in candidates if r.times is None), None)
        if route is None:
            return Response(json.dumps({"error": f"no recorded answer for {request.path}"}), 404)
        if route.times:
            route.times -= 1
        if route.delay:
            time.sleep(route.delay)
        body = route.body(params) if callable(route.body) else route.body
        text = body if route.raw else json.dumps(body, ensure_ascii=False)
        kind = None if "Content-Type" in route.headers else "application/json; charset=utf-8"
        return Response(text, route.status, headers=route.headers, content_type=kind)


class _Every(URIPattern):
    def match(self, uri: str) -> bool:
        return True


@pytest.fixture
def api(httpserver: HTTPServer) -> Iterator[FakeApi]:
    """A fresh set of recorded answers on the test's HTTP server."""
    fake = FakeApi(httpserver)
    yield fake
    httpserver.clear()
