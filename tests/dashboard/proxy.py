"""A reverse proxy for the browser tests: it signs every request in by a header, the websocket's too, as a
deployment's proxy does (a browser's own extra headers do not reach the websocket in every Chromium)."""

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import uvicorn
import websockets
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket

# Headers of one hop, not passed on; the body comes whole, so its length and encoding are the proxy's own.
HOP = {"host", "connection", "keep-alive", "transfer-encoding", "upgrade", "content-length", "content-encoding"}
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def app(upstream: str, header: str, who: str) -> Starlette:
    """Pass every request and websocket to `upstream` with `header: who` added."""
    client = httpx.AsyncClient(base_url=upstream, timeout=300)

    async def http(request: Request) -> Response:
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP} | {header: who}
        answer = await client.request(
            request.method, request.url.path, params=request.url.query, headers=headers, content=await request.body()
        )
        kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP}
        return Response(answer.content, answer.status_code, kept)

    async def ws(browser: WebSocket) -> None:
        offered = [p.strip() for p in browser.headers.get("sec-websocket-protocol", "").split(",") if p.strip()]
        query = f"?{browser.url.query}" if browser.url.query else ""
        url = upstream.replace("http", "ws", 1) + browser.url.path + query
        async with websockets.connect(
            url,
            additional_headers={header: who},
            subprotocols=offered or None,
            max_size=None,  # type: ignore[arg-type]
        ) as server:
            await browser.accept(subprotocol=server.subprotocol)

            async def down() -> None:
                async for message in server:
                    await (browser.send_bytes(message) if isinstance(message, bytes) else browser.send_text(message))

            task = asyncio.create_task(down())
            try:
                while True:
                    message = await browser.receive()
                    if message["type"] == "websocket.disconnect":
                        break
                    await server.send(message["bytes"] if message.get("bytes") is not None else message["text"])
            finally:
                task.cancel()

    return Starlette(routes=[WebSocketRoute("/{path:path}", ws), Route("/{path:path}", http, methods=METHODS)])


@contextmanager
def signing_in(upstream: str, header: str, who: str) -> Iterator[str]:
    """The URL of a proxy in front of `upstream` that signs every request in as `who`, for the block's length."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(app(upstream, header, who), host="127.0.0.1", port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(10)
