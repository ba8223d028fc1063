"""Time the VK collector's own work on 1,000 pages against a local server: bench/collect_bench.py [PAGES].

The server (the standard library's ThreadingHTTPServer on 127.0.0.1) answers every VK method at once from data it
makes up, so the time measured is the client's: requests, JSON, paging, thread joins, rows. Pace is lifted to
measure that; a real run is held at VK's three requests a second, so its time is calls / 3 seconds.
"""

import datetime as dt
import json
import platform
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

from etl.collect import vk
from etl.collect.base import Page, Window
from etl.collect.http import Client

NOW = dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC)
SINCE = NOW - dt.timedelta(days=30)
POSTS = 60  # two a day for the 30-day window
COMMENTED = 3  # every third post has comments
COMMENTS = 8  # per commented post, each with a thread of two (a citizen, then the page)


def _answer(method: str, q: dict[str, str]) -> Any:
    """A VK answer for one request of the benchmark's made-up pages."""
    if method == "groups.getById":
        ids = q["group_ids"].split(",")
        return {
            "groups": [{"id": int(i), "screen_name": f"club{i}", "members_count": 1000 + int(i) % 977} for i in ids]
        }
    owner = int(q["owner_id"])
    if method == "wall.get":
        offset, count = int(q["offset"]), int(q["count"])
        step = (NOW - SINCE).total_seconds() / (POSTS + 1)
        items = [
            {"id": n, "owner_id": owner, "from_id": owner, "date": int(NOW.timestamp() - step * (n + 1)),
             "likes": {"count": n % 50}, "comments": {"count": COMMENTS if n % COMMENTED == 0 else 0},
             "reposts": {"count": n % 7}, "views": {"count": 300 + n}, "attachments": [{"type": "photo"}]}
            for n in range(offset, min(offset + count, POSTS + 5))
        ]  # fmt: skip
        return {"count": 400, "items": items}
    post = int(q["post_id"])
    base = int(NOW.timestamp()) - 86_400 * (post % 28 + 1)
    comments = [
        {"id": k, "from_id": 500_000 + k, "date": base + 60 * k, "text": "",
         "thread": {"count": 2, "items": [{"id": 100 + k, "from_id": 600_000 + k, "date": base + 60 * k + 30},
                                          {"id": 200 + k, "from_id": owner, "date": base + 3600 + 60 * k}]}}
        for k in range(COMMENTS)
    ]  # fmt: skip
    return {"count": COMMENTS * 3, "current_level_count": COMMENTS, "items": comments}


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        q = {k: v[0] for k, v in parse_qs(body).items()}
        data = json.dumps({"response": _answer(self.path.strip("/"), q)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


def main(pages: int) -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}"
    registry = [Page(f"-{10_000_000 + i}", timezone="Asia/Barnaul") for i in range(pages)]
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    with Client(url, per_second=1e6, secrets=["bench-token"]) as client:
        started = time.perf_counter()
        harvest = vk.collect(client, {vk.TOKEN.env: "bench-token"}, registry, Window(SINCE, NOW), lambda page: None)
        seconds = time.perf_counter() - started
        calls = client.requests
    server.shutdown()
    print(
        f"VK collector, {pages:,} pages × {POSTS} posts in 30 days, every {COMMENTED}rd commented: "
        f"{calls:,} requests in {seconds:.1f} s of the client's own time ({seconds / calls * 1000:.2f} ms a request); "
        f"{len(harvest.posts):,} posts, {len(harvest.inquiries):,} inquiries; "
        f"at VK's 3 requests a second the run takes {calls / 3 / 3600:.1f} h"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1000)
