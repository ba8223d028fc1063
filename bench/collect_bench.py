"""Time the VK collector against a local server: python -m bench.collect_bench [--json OUT] [--pages N] [--region CODE].

The server (the standard library's ThreadingHTTPServer on 127.0.0.1) answers every VK method at once, so the time
measured is the client's: requests, JSON, paging, thread joins, rows. Pace is lifted to measure that; a real run is
held at VK's three requests a second, so its time is calls / 3 seconds. Two runs:

- overhead: N made-up pages (default 1,000), each with 60 posts in the 30-day window, every third commented;
- region: a nightly run of one region of the database govpulse is set to (the demo's in `make bench`), its VK
  pages served as communities with their posts of the 30 days up to the data's last day, each post's comment count,
  and its citizens' comments with the page's reply: the calls such a night makes.
"""

import argparse
import datetime as dt
import json
import platform
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from sqlalchemy.engine import Engine

from bench.common import write_json
from etl.collect import vk
from etl.collect.base import Page, Window
from etl.collect.http import Client

NOW = dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC)
SINCE = NOW - dt.timedelta(days=30)
POSTS = 60  # two a day for the 30-day window
COMMENTED = 3  # every third post has comments
COMMENTS = 8  # per commented post, each with a thread of two (a citizen, then the page)
PACE = 3.0  # VK's requests a second
TARGET_MS = 1000 / PACE / 10  # the client's own work: a tenth of VK's pace
Answer = Callable[[str, dict[str, str]], Any]


def _made_up(method: str, q: dict[str, str]) -> Any:
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
        answer: Answer = self.server.answer  # type: ignore[attr-defined]
        data = json.dumps({"response": answer(self.path.strip("/"), q)}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@contextmanager
def _server(answer: Answer) -> Iterator[str]:
    """A local VK answering with `answer`, at its address."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.answer = answer  # type: ignore[attr-defined]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def _collect(answer: Answer, pages: list[Page], window: Window) -> dict[str, Any]:
    """One VK collection of `pages` against a local server: requests, the client's own seconds, rows."""
    with _server(answer) as url, Client(url, per_second=1e6, secrets=["bench-token"]) as client:
        started = time.perf_counter()
        harvest = vk.collect(client, {vk.TOKEN.env: "bench-token"}, pages, window, lambda page: None)
        seconds = time.perf_counter() - started
        calls = client.requests
    return {
        "pages": len(pages),
        "skipped": len(harvest.skipped),
        "requests": calls,
        "client_s": seconds,
        "ms_per_request": 1000 * seconds / max(calls, 1),
        "posts": len(harvest.posts),
        "inquiries": len(harvest.inquiries),
        "at_pace_h": calls / PACE / 3600,
        "at_pace_min": calls / PACE / 60,
    }


def overhead(pages: int) -> dict[str, Any]:
    """The client's own work on `pages` made-up pages."""
    registry = [Page(f"-{10_000_000 + i}", timezone="Asia/Barnaul") for i in range(pages)]
    out = _collect(_made_up, registry, Window(SINCE, NOW))
    return out | {"posts_per_page": POSTS, "commented_every": COMMENTED, "comments_per_post": COMMENTS}


def _wall(territory: str, engine: Engine | None) -> tuple[list[Page], dict[int, list[dict[str, Any]]], dt.date]:
    """The VK pages of a territory's subtree, each one's posts newest first with its comments, and the last day."""
    from sqlalchemy import bindparam, text

    from etl.store.db import get_engine

    scope = "(t.code = :code OR t.region_code = :code OR t.district_code = :code OR t.country_code = :code)"
    pages_sql = text(
        f"SELECT a.id, a.account_id, t.timezone FROM account a JOIN territory t ON t.code = a.territory_code "
        f"WHERE a.platform = 'vk' AND {scope} ORDER BY a.id"
    )
    posts_sql = text(
        "SELECT account_pk, post_id, published_at, likes, comments, shares, views FROM post "
        "WHERE account_pk IN :ids ORDER BY account_pk, published_at DESC"
    ).bindparams(bindparam("ids", expanding=True))
    comments_sql = text(
        "SELECT post_id, received_at, first_reply_at FROM inquiry WHERE account_pk IN :ids AND channel = 'comment' "
        "ORDER BY received_at"
    ).bindparams(bindparam("ids", expanding=True))
    with (engine or get_engine()).connect() as conn:
        last = conn.execute(text("SELECT max(day) FROM accountday")).scalar()
        accounts = conn.execute(pages_sql, {"code": territory}).all()
        ids = [a.id for a in accounts]
        posts = conn.execute(posts_sql, {"ids": ids}).all()
        inquiries = conn.execute(comments_sql, {"ids": ids}).all()
    walls: dict[int, list[dict[str, Any]]] = {}
    for p in posts:
        owner, number = p.post_id.rsplit("_", 1)
        walls.setdefault(int(owner), []).append(
            {"id": int(number), "owner_id": int(owner), "from_id": int(owner), "date": _unix(p.published_at),
             "likes": {"count": p.likes}, "comments": {"count": p.comments, "items": []},
             "reposts": {"count": p.shares}, "views": {"count": p.views or 0}, "attachments": [{"type": "photo"}]}
        )  # fmt: skip
    comments: dict[str, list[tuple[int, int | None]]] = {}
    for i in inquiries:
        reply = _unix(i.first_reply_at) if i.first_reply_at else None
        comments.setdefault(i.post_id, []).append((_unix(i.received_at), reply))
    for wall in walls.values():
        for post in wall:
            post["comments"]["items"] = comments.get(f"{post['owner_id']}_{post['id']}", [])
    pages = [Page(f"-{a.account_id.lstrip('-')}", timezone=a.timezone) for a in accounts]
    return pages, walls, dt.date.fromisoformat(str(last)[:10])


def _unix(value: Any) -> int:
    when = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    return int(when.replace(tzinfo=when.tzinfo or dt.UTC).timestamp())


def region(territory: str, days: int = 30, engine: Engine | None = None) -> dict[str, Any]:
    """The calls of a nightly VK run over a territory of the demo: its pages, the window's posts and comments."""
    pages, walls, last = _wall(territory, engine)
    now = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(), dt.UTC)
    window = Window(now - dt.timedelta(days=days), now)

    def answer(method: str, q: dict[str, str]) -> Any:
        if method == "groups.getById":
            ids = q["group_ids"].split(",")
            return {"groups": [{"id": int(i), "screen_name": f"club{i}", "members_count": 1000} for i in ids]}
        wall = walls.get(int(q["owner_id"]), [])
        if method == "wall.get":
            offset, count = int(q["offset"]), int(q["count"])
            items = [{**p, "comments": {"count": p["comments"]["count"]}} for p in wall[offset : offset + count]]
            return {"count": len(wall), "items": items}
        post = next(p for p in wall if p["id"] == int(q["post_id"]))
        owner = int(q["owner_id"])
        items = [
            {"id": k, "from_id": 500_000 + k, "date": received, "text": "",
             "thread": {"count": int(reply is not None),
                        "items": [] if reply is None else [{"id": 10_000 + k, "from_id": owner, "date": reply}]}}
            for k, (received, reply) in enumerate(post["comments"]["items"])
        ]  # fmt: skip
        offset, count = int(q.get("offset", 0)), int(q["count"])
        return {"count": len(items), "current_level_count": len(items), "items": items[offset : offset + count]}

    since = window.since.timestamp()
    in_window = [p for wall in walls.values() for p in wall if p["date"] >= since]
    out = _collect(answer, pages, window)
    return out | {
        "territory": territory,
        "since": window.since.date().isoformat(),
        "until": last.isoformat(),
        "window_posts": len(in_window),
        "commented_posts": sum(1 for p in in_window if p["comments"]["count"]),
    }


def main() -> None:
    """Run the overhead and, with --region, the region's night; print them, write JSON with --json."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=1000)
    parser.add_argument("--region", default="")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    out: dict[str, Any] = {"pace_per_s": PACE, "target_per_request_ms": TARGET_MS, "overhead": overhead(args.pages)}
    o = out["overhead"]
    print(f"{platform.processor() or platform.machine()}, Python {platform.python_version()}")
    print(
        f"VK collector, {o['pages']:,} pages × {POSTS} posts in 30 days, every {COMMENTED}rd commented: "
        f"{o['requests']:,} requests in {o['client_s']:.1f} s of the client's own time "
        f"({o['ms_per_request']:.2f} ms a request); {o['posts']:,} posts, {o['inquiries']:,} inquiries; "
        f"at VK's 3 requests a second the run takes {o['at_pace_h']:.1f} h"
    )
    if args.region:
        r = out["region"] = region(args.region)
        print(
            f"VK night of {args.region} ({r['since']} – {r['until']}): {r['pages']:,} pages, {r['window_posts']:,} "
            f"posts, {r['commented_posts']:,} commented → {r['requests']:,} requests, "
            f"{r['at_pace_min']:.0f} min at VK's pace"
        )
    if args.json:
        write_json(args.json, out)


if __name__ == "__main__":
    main()
