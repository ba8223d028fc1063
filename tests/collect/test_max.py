"""The MAX collector against a local server answering with the Bot API's recorded responses (schema 0.0.33)."""

import datetime as dt

import pytest

from etl.collect import max as max_
from etl.collect.base import Harvest, Page, RunFailed, Window
from etl.collect.http import Client
from tests.collect.conftest import FakeApi, recorded

TOKEN = "f9LHodD0cOKx-max-bot-token-0123"
GOV, GONE, DENIED = "-72345678901234", "-72000000000999", "-72000000000777"
PAGES = [Page(GOV, "altai_gov", "Правительство Алтайского края", "Asia/Barnaul"), Page(GONE), Page(DENIED)]
WINDOW = Window(dt.datetime(2026, 11, 5, tzinfo=dt.UTC), dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC))
POST = "mid.0000000001a2b3c4"


def answer(api: FakeApi) -> None:
    """The recorded answers: a government channel, a deleted channel, one the bot was removed from."""
    api.on(f"/chats/{GOV}", recorded("max", "chat"))
    api.on(f"/chats/{GOV}/members/admins", recorded("max", "admins"))
    api.on("/messages", recorded("max", "messages"), chat_id=GOV)
    api.on(f"/messages/{POST}/comments", recorded("max", "comments"))
    for mid in ("mid.0000000001a2b3b9", "mid.0000000001a2b3a0", "mid.0000000001a2b390"):
        api.on(f"/messages/{mid}/comments", recorded("max", "messages-empty"))
    api.on(f"/chats/{GONE}", recorded("max", "error-404"), status=404)
    api.on(f"/chats/{DENIED}", recorded("max", "error-403"), status=403)


def run(api: FakeApi, pages: list[Page] = PAGES, **options: float) -> Harvest:
    """The collector's harvest through a real client of the test server."""
    settings = {"per_second": 1000.0, "timeout": 2.0, "retries": 1, "backoff": 0.01, **options}
    with Client(api.url, secrets=[TOKEN], **settings) as client:  # type: ignore[arg-type]
        return max_.collect(client, {max_.TOKEN.env: TOKEN}, pages, WINDOW, lambda page: None)


def test_subscribers_posts_and_views_as_the_api_gives_them(api: FakeApi) -> None:
    """participants_count is the snapshot; each post's views, type and UTC time come from the message."""
    answer(api)
    harvest = run(api)
    assert harvest.followers == [
        {"date": "2026-12-05", "platform": "max", "account_id": GOV, "followers": 48210, "posts_total": 412,
         "handle": "altai_gov"}
    ]  # fmt: skip
    posts = {p["post_id"]: p for p in harvest.posts}
    assert posts[POST] == {
        "collected_at": "2026-12-05T12:00:00Z", "platform": "max", "account_id": GOV, "post_id": POST,
        "published_at": "2026-12-04T07:30:00Z", "post_type": "album", "likes": 0, "comments": 6, "shares": 0,
        "views": 15320,
    }  # fmt: skip
    kinds = {p["post_id"][-4:]: (p["post_type"], p["views"]) for p in harvest.posts}
    assert kinds == {
        "b3c4": ("album", 15320),
        "b3b9": ("video", 9874),
        "b3a0": ("link", 6120),
        "b390": ("repost", 4410),
    }


def test_the_token_travels_in_the_header_and_the_window_in_milliseconds(api: FakeApi) -> None:
    """Authorization header on every request, no token in a query; messages asked after the window's start."""
    answer(api)
    run(api, PAGES[:1])
    assert all(c.headers.get("Authorization") == TOKEN for c in api.calls)
    assert not any(TOKEN in str(c.params) for c in api.calls)
    asked = next(c.params for c in api.calls if c.path == "/messages")
    assert asked["after"] == str(int(WINDOW.since.timestamp() * 1000)) and asked["count"] == "100"


def test_citizens_comments_get_the_first_official_reply(api: FakeApi) -> None:
    """A reply on behalf of the channel or by one of its administrators answers; a citizen's reply does not."""
    answer(api)
    inquiries = {i["inquiry_id"][-1]: i for i in run(api).inquiries}
    assert sorted(inquiries) == ["1", "2", "3", "6"]
    assert inquiries["1"]["received_at"] == "2026-12-04T08:02:00Z"
    assert inquiries["1"]["first_reply_at"] == "2026-12-04T11:05:00Z"
    assert inquiries["3"]["first_reply_at"] == "2026-12-04T13:20:00Z"  # the press secretary, an administrator
    assert inquiries["2"]["first_reply_at"] == inquiries["6"]["first_reply_at"] == ""
    assert {i["post_id"] for i in inquiries.values()} == {POST}


def test_channels_the_bot_cannot_read_are_skipped_by_name(api: FakeApi) -> None:
    """404 and 403 on a channel skip it with the API's own error key; the others are collected."""
    answer(api)
    harvest = run(api)
    assert harvest.skipped == {
        GONE: f"channel not found (chats/{GONE}: HTTP 404 (chat.not.found))",
        DENIED: f"the bot has no access to the channel (chats/{DENIED}: HTTP 403 (chat.denied))",
    }


def test_an_empty_channel_has_a_snapshot_and_no_posts(api: FakeApi) -> None:
    """A channel without posts in the window still gets its subscriber count."""
    api.on("/messages", recorded("max", "messages-empty"), chat_id=GOV)
    answer(api)
    harvest = run(api, PAGES[:1])
    assert len(harvest.followers) == 1 and harvest.posts == [] and harvest.inquiries == []


def test_rate_limits_and_server_errors_are_retried(api: FakeApi) -> None:
    """A 429 and a 503 are asked again; the channel is then collected."""
    api.on(f"/chats/{GOV}", {"code": "too.many.requests", "message": "Too many requests"}, status=429, times=1)
    api.on("/messages", {}, status=503, times=1)
    answer(api)
    harvest = run(api, PAGES[:1], retries=2)
    assert harvest.skipped == {} and len(harvest.posts) == 4


def test_a_timeout_or_malformed_json_skips_the_channel(api: FakeApi) -> None:
    """No answer in time, or HTML instead of JSON, skips that channel with the reason."""
    api.on(f"/chats/{GOV}", "<html>maintenance</html>", raw=True)
    harvest = run(api, PAGES[:1])
    assert harvest.skipped == {GOV: f"chats/{GOV}: the answer is not JSON"}
    api.routes.clear()
    api.on(f"/chats/{GOV}", {}, delay=0.5)
    assert run(api, PAGES[:1], timeout=0.2, retries=0).skipped == {GOV: f"chats/{GOV}: no answer within 0.2 s"}


def test_a_refused_token_ends_the_run_without_showing_it(api: FakeApi) -> None:
    """401 ends the run naming the variable, never the token."""
    api.on(f"/chats/{GOV}", recorded("max", "error-401"), status=401)
    with pytest.raises(RunFailed) as caught:
        run(api, PAGES[:1])
    assert "GOVPULSE_MAX_TOKEN" in str(caught.value) and TOKEN not in str(caught.value)
