"""The Telegram collector against a local server answering with recorded Bot API answers and preview pages."""

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from typing import Any

import pytest

from etl.collect import telegram
from etl.collect.base import Harvest, Page, RunFailed, Saved, Window
from etl.collect.http import Client
from etl.collect.tme import count
from tests.collect.conftest import RESPONSES, FakeApi, recorded

TOKEN = "7012345678:AAFq3tgB0tT0ken-govpulse_0123456789"
BOT = f"/bot{TOKEN}"
GOV, GROUP = "-1001234567890", "-1009876543210"
MOVED, GONE, PRIVATE, KICKED = "-1001000000002", "-1001000000003", "-1001000000004", "-1001000000005"
PAGES = [
    Page(GOV, "altai_gov", "Правительство Алтайского края", "Asia/Barnaul"),
    Page(MOVED, "zarinsk_news"),
    Page(GONE, "closed_board"),
    Page(PRIVATE, "novodrach_sovet"),
    Page(KICKED, "kraevoy_sovet"),
]
WINDOW = Window(dt.datetime(2026, 11, 5, tzinfo=dt.UTC), dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC))
HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview's politeness pause would only slow the tests."""
    monkeypatch.setattr(telegram, "PREVIEW_PAUSE", 0.0)


def page(name: str) -> str:
    """A recorded web page of tests/collect/responses/telegram/."""
    return (RESPONSES / "telegram" / name).read_text(encoding="utf-8")


def queue(updates: list[dict[str, Any]]) -> Callable[[dict[str, str]], dict[str, Any]]:
    """getUpdates as Telegram answers it: the updates from `offset` on (the earlier ones confirmed), `limit` of them."""

    def answer(params: dict[str, str]) -> dict[str, Any]:
        offset, limit = int(params.get("offset", 0)), int(params.get("limit", 100))
        return {"ok": True, "result": [u for u in updates if u["update_id"] >= offset][:limit]}

    return answer


def answer(api: FakeApi) -> None:
    """The recorded answers: the government's channel with its discussion group, a username now another chat's, a
    channel that is gone, one without a public preview, one the bot was removed from."""
    api.on(f"{BOT}/getMe", recorded("telegram", "getMe"))
    api.on(f"{BOT}/getChat", recorded("telegram", "getChat"), chat_id="@altai_gov")
    api.on(f"{BOT}/getChatMemberCount", recorded("telegram", "getChatMemberCount"), chat_id=GOV)
    api.on("/s/altai_gov", page("preview-page2.html"), raw=True, headers=HTML, before=1206)
    api.on("/s/altai_gov", page("preview-page1.html"), raw=True, headers=HTML)
    api.on(f"{BOT}/getChatMember", recorded("telegram", "getChatMember"), chat_id=GROUP)
    api.on(f"{BOT}/getChatAdministrators", recorded("telegram", "getChatAdministrators"), chat_id=GROUP)
    api.on(f"{BOT}/getUpdates", queue(recorded("telegram", "getUpdates")["result"]))
    api.on(f"{BOT}/getChat", recorded("telegram", "getChat-moved"), chat_id="@zarinsk_news")
    api.on(f"{BOT}/getChat", recorded("telegram", "error-400"), status=400, chat_id="@closed_board")
    api.on(f"{BOT}/getChat", recorded("telegram", "error-400"), status=400, chat_id=GONE)
    api.on(f"{BOT}/getChat", recorded("telegram", "getChat-private"), chat_id="@novodrach_sovet")
    api.on(f"{BOT}/getChatMemberCount", recorded("telegram", "getChatMemberCount-private"), chat_id=PRIVATE)
    api.on("/s/novodrach_sovet", "", raw=True, status=302, headers={"Location": "/novodrach_sovet", **HTML})
    api.on("/novodrach_sovet", page("page-private.html"), raw=True, headers=HTML)
    api.on(f"{BOT}/getChat", recorded("telegram", "error-403"), status=403, chat_id="@kraevoy_sovet")


def run(api: FakeApi, pages: list[Page] = PAGES, **options: float) -> Harvest:
    """The collector's harvest through a real client of the test server."""
    settings = {"per_second": 1000.0, "timeout": 2.0, "retries": 1, "backoff": 0.01, **options}
    with Client(api.url, secrets=[TOKEN], **settings) as client:  # type: ignore[arg-type]
        return telegram.collect(client, {telegram.TOKEN.env: TOKEN}, pages, WINDOW, lambda page: None)


def test_subscribers_and_the_previews_posts_with_views(api: FakeApi) -> None:
    """getChatMemberCount is the snapshot; the preview, paged back to the window's start, gives each post's time,
    kind and views; the service message and the post before `since` are left out."""
    answer(api)
    harvest = run(api, PAGES[:1])
    assert harvest.followers == [
        {"date": "2026-12-05", "platform": "telegram", "account_id": GOV, "followers": 48210, "posts_total": "",
         "handle": "altai_gov"}
    ]  # fmt: skip
    posts = {p["post_id"].rsplit("_", 1)[1]: p for p in harvest.posts}
    assert posts["1207"] == {
        "collected_at": "2026-12-05T12:00:00Z", "platform": "telegram", "account_id": GOV, "post_id": f"{GOV}_1207",
        "published_at": "2026-12-01T06:00:00Z", "post_type": "photo", "likes": 0, "comments": 0, "shares": 0,
        "views": 15300,
    }  # fmt: skip
    assert {k: (p["post_type"], p["views"]) for k, p in posts.items()} == {
        "1204": ("text", 5000),
        "1205": ("photo", 4400),
        "1207": ("photo", 15300),
        "1208": ("album", 12500),
        "1211": ("video", 9800),
        "1212": ("link", 987),
        "1213": ("repost", 1200),
        "1214": ("text", 21700),
    }
    assert api.count("/s/altai_gov") == 2 and api.count("/s/altai_gov", before=1206) == 1


def test_preview_counters_are_read_as_whole_numbers() -> None:
    """Views above a thousand come rounded, with a point or a comma: 1.2K, 15,3K, 3M."""
    assert [count(t) for t in ("987", "1.2K", "15,3K", "3M", "1.25M", "1,234", "24 comments", "")] == [
        987, 1200, 15300, 3_000_000, 1_250_000, 1234, 24, None,
    ]  # fmt: skip


def test_citizens_comments_get_the_first_official_reply(api: FakeApi) -> None:
    """A reply on behalf of the channel, of the group, or by an administrator answers; a citizen's does not; a bot's
    message, the group's own talk and a service message are no inquiries."""
    answer(api)
    inquiries = {i["inquiry_id"]: i for i in run(api, PAGES[:1]).inquiries}
    assert sorted(inquiries) == [f"{GROUP}_{n}" for n in (4990, 5002, 5004, 5006, 5007, 5009)]
    first = {k.rsplit("_", 1)[1]: (i["received_at"], i["first_reply_at"]) for k, i in inquiries.items()}
    assert first == {
        "5002": ("2026-12-05T03:20:00Z", "2026-12-05T05:05:00Z"),  # on behalf of the channel
        "5004": ("2026-12-05T04:00:00Z", "2026-12-05T06:40:00Z"),  # the press secretary, an administrator
        "5006": ("2026-12-05T07:00:00Z", ""),  # a citizen's reply answers nothing
        "5007": ("2026-12-05T07:10:00Z", ""),
        "5009": ("2026-12-05T02:00:00Z", ""),
        "4990": ("2026-12-03T18:00:00Z", "2026-12-05T08:00:00Z"),  # an anonymous administrator, the group itself
    }
    assert {k.rsplit("_", 1)[1]: i["post_id"] for k, i in inquiries.items()} == {
        "5002": f"{GOV}_1214", "5004": f"{GOV}_1214", "5006": f"{GOV}_1214", "5007": f"{GOV}_1214",
        "5009": f"{GOV}_1211", "4990": f"{GOV}_1211",
    }  # fmt: skip
    assert {i["account_id"] for i in inquiries.values()} == {GOV}


def test_a_reply_seen_on_a_later_run_completes_the_inquiry_it_answers(api: FakeApi) -> None:
    """The citizen's comment of two days ago is only in the reply's reply_to_message: its row still has its time."""
    answer(api)
    (row,) = [i for i in run(api, PAGES[:1]).inquiries if i["inquiry_id"] == f"{GROUP}_4990"]
    assert row == {
        "platform": "telegram", "account_id": GOV, "inquiry_id": f"{GROUP}_4990", "channel": "comment",
        "post_id": f"{GOV}_1211", "received_at": "2026-12-03T18:00:00Z", "first_reply_at": "2026-12-05T08:00:00Z",
        "replied_by": "", "topic": "",
    }  # fmt: skip


def test_comments_counted_from_the_group_unless_the_preview_shows_them(api: FakeApi) -> None:
    """A post's comments are the preview's counter where it shows one, else its thread's messages in the updates."""
    answer(api)
    comments = {p["post_id"].rsplit("_", 1)[1]: p["comments"] for p in run(api, PAGES[:1]).posts}
    assert comments == {"1204": 0, "1205": 0, "1207": 0, "1208": 0, "1211": 2, "1212": 24, "1213": 0, "1214": 6}


def test_no_citizens_text_names_or_ids_reach_the_rows(api: FakeApi) -> None:
    """The updates carry names, user ids and text; the rows keep none of them."""
    answer(api)
    harvest = run(api, PAGES[:1])
    written = json.dumps([harvest.followers, harvest.posts, harvest.inquiries], ensure_ascii=False)
    for personal in ("Иван", "Мария", "Когда включат газ", "111", "222", "777", "Пресс-служба"):
        assert personal not in written


def test_updates_are_read_last_and_their_last_page_stays_unconfirmed(
    api: FakeApi, monkeypatch: pytest.MonkeyPatch
) -> None:
    """getUpdates comes after every preview page; each next page's offset confirms the one before, and the last
    page is never confirmed in the run (the next run reads it again)."""
    monkeypatch.setattr(telegram, "UPDATES_PER_CALL", 5)
    answer(api)
    run(api, PAGES[:1])
    paths = [c.path for c in api.calls]
    asked = [c.params for c in api.calls if c.path == f"{BOT}/getUpdates"]
    assert min(i for i, p in enumerate(paths) if p.endswith("getUpdates")) > max(
        i for i, p in enumerate(paths) if p.startswith("/s/")
    )
    assert [a.get("offset") for a in asked] == [None, "873400106", "873400111", "873400116"]
    assert {a["allowed_updates"] for a in asked} == {'["message","edited_message","channel_post"]'}
    last = max(u["update_id"] for u in recorded("telegram", "getUpdates")["result"])
    assert max(int(a.get("offset", 0)) for a in asked) <= last


def test_channels_that_cannot_be_read_are_skipped_by_name(api: FakeApi) -> None:
    """A username now another chat's, a channel gone, one without a public preview, one the bot was removed from,
    and an account_id that is no channel id are skipped with their reasons; the government's channel is collected."""
    answer(api)
    harvest = run(api, [*PAGES, Page("altai_gov", "altai_gov")])
    assert harvest.skipped == {
        MOVED: "the username @zarinsk_news now belongs to another chat (-1001999999999)",
        GONE: "channel not found (getChat: Bad Request: chat not found (Telegram error 400))",
        PRIVATE: "the channel has no public preview: t.me/s/novodrach_sovet leads to its contact page (a private "
        "channel, or one that hides its posts from the web)",
        KICKED: "the bot has no access to the channel (getChat: Forbidden: bot was kicked from the channel chat "
        "(Telegram error 403))",
        "altai_gov": "account_id must be the channel's id as the Bot API writes it, e.g. -1001234567890",
    }
    assert [f["account_id"] for f in harvest.followers] == [GOV]
    assert api.count(f"{BOT}/getChat", chat_id=GONE) == 1  # by id, once the username found nothing


def test_a_bot_that_cannot_read_the_discussion_group_is_named_in_a_note(api: FakeApi) -> None:
    """The bot a plain member with privacy mode on, or not in the group at all: the channel is collected and a
    note says why its comments are missing."""
    api.on(f"{BOT}/getChatMember", recorded("telegram", "getChatMember-member"), chat_id=GROUP, times=1)
    api.on(f"{BOT}/getChatMember", recorded("telegram", "getChatMember-left"), chat_id=GROUP, times=1)
    answer(api)
    member = run(api, PAGES[:1])
    assert member.skipped == {} and len(member.posts) == 8
    assert member.notices and "privacy mode is on" in member.notices[0] and "/setprivacy" in member.notices[0]
    left = run(api, PAGES[:1])
    assert left.inquiries == [] and left.notices == [
        f"{GOV} (@altai_gov): comments not collected: the bot is not a member of the discussion group {GROUP} (left)"
    ]


def test_a_webhook_leaves_comments_uncollected_with_a_note(api: FakeApi) -> None:
    """getUpdates refused (409: a webhook is set): subscribers and posts are collected, the run says why no
    comments."""
    api.on(f"{BOT}/getUpdates", recorded("telegram", "error-409"), status=409)
    answer(api)
    harvest = run(api, PAGES[:1])
    assert harvest.skipped == {} and harvest.inquiries == [] and len(harvest.posts) == 8
    assert harvest.notices == [
        "Telegram gave no updates (getUpdates: Conflict: can't use getUpdates method while webhook is active; use "
        "deleteWebhook to delete the webhook first (Telegram error 409)); comments not collected"
    ]


def test_updates_failing_halfway_keep_what_was_read(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """The first page of updates is already confirmed when the second fails: its comments are kept, with a note."""
    monkeypatch.setattr(telegram, "UPDATES_PER_CALL", 5)
    api.on(f"{BOT}/getUpdates", {}, status=502, offset=873400106)
    answer(api)
    harvest = run(api, PAGES[:1], retries=0)
    assert sorted(i["inquiry_id"][-4:] for i in harvest.inquiries) == ["5002", "5004", "5009"]
    assert harvest.notices == ["Telegram stopped giving updates (getUpdates: HTTP 502); comments of the 5 read"]


@pytest.mark.parametrize("refusal", ["error-401", "error-404"])
def test_a_refused_token_ends_the_run_without_showing_it(api: FakeApi, refusal: str) -> None:
    """401 (revoked) or 404 (no such bot) ends the run naming the variable, never the token."""
    api.on(f"{BOT}/getMe", recorded("telegram", refusal), status=int(refusal[-3:]))
    with pytest.raises(RunFailed) as caught:
        run(api)
    assert "GOVPULSE_TELEGRAM_TOKEN" in str(caught.value) and TOKEN not in str(caught.value)


def test_flood_control_waits_the_seconds_telegram_asks(api: FakeApi) -> None:
    """429 with parameters.retry_after: the call is repeated after that many seconds and the channel collected."""
    api.on(f"{BOT}/getChat", recorded("telegram", "error-429"), status=429, times=1)
    answer(api)
    start = time.monotonic()
    harvest = run(api, PAGES[:1], retries=0)
    assert time.monotonic() - start >= 1.0
    assert harvest.skipped == {} and api.count(f"{BOT}/getChat") == 2


def test_the_token_in_the_path_reaches_no_message_or_log(api: FakeApi, caplog: pytest.LogCaptureFixture) -> None:
    """A timeout, an HTML error page and urllib3's retry warning all name the request without the token."""
    api.on(f"{BOT}/getChat", {}, delay=0.5, chat_id="@altai_gov")
    api.on(f"{BOT}/getChatMemberCount", "<html>502 Bad Gateway</html>", raw=True, chat_id=PRIVATE)
    answer(api)
    with caplog.at_level(logging.DEBUG, logger="urllib3"):
        harvest = run(api, [PAGES[3], PAGES[0]], timeout=0.2, retries=1)  # the slow one last
    assert harvest.skipped == {
        GOV: "getChat: no answer within 0.2 s",
        PRIVATE: "getChatMemberCount: the answer is not JSON",
    }
    ours = "\n".join(r.getMessage() for r in caplog.records if r.name.startswith("urllib3"))  # not the server's
    assert "Retrying" in ours and "/bot***/getChat" in ours
    assert TOKEN not in ours and TOKEN not in str(harvest)


def test_saved_answers_give_the_collectors_rows(api: FakeApi) -> None:
    """getChat with getChatMemberCount (in one list), getChatAdministrators and getUpdates saved as the API returned
    them give the same followers and inquiries as the run, dated by the saved day; no posts without the preview."""
    answer(api)
    collected = run(api, PAGES[:1])
    documents = [
        ("altai_gov.json", [recorded("telegram", "getChat"), recorded("telegram", "getChatMemberCount")]),
        ("admins.json", recorded("telegram", "getChatAdministrators")),
        ("updates.json", recorded("telegram", "getUpdates")),
        ("me.json", recorded("telegram", "getMe")),
    ]
    saved = Saved(documents, PAGES, dt.date(2026, 12, 5), dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC))
    harvest = telegram.PLATFORM.read_saved(saved)  # type: ignore[misc]
    assert harvest.followers == collected.followers
    assert harvest.inquiries == collected.inquiries and harvest.posts == [] and harvest.notices == []
    moved = Saved([("moved.json", recorded("telegram", "getChat-moved"))], PAGES, saved.day, saved.saved_at)
    assert telegram.read_saved(moved).notices == [
        "1 chats of the answers are not in the registry and were left out: -1001999999999"
    ]


def test_saved_counts_follow_their_chat_by_list_or_by_file_name() -> None:
    """A member count saved alone belongs to the channel its file name names; a count nobody's, or a document of
    another kind, is refused naming the file and the kinds read."""
    day, at = dt.date(2026, 12, 6), dt.datetime(2026, 12, 6, 9, tzinfo=dt.UTC)
    chat, members = recorded("telegram", "getChat"), recorded("telegram", "getChatMemberCount")
    by_name = Saved([("getChat.json", chat), ("getChatMemberCount @altai_gov.json", members)], PAGES, day, at)
    assert [(f["date"], f["followers"]) for f in telegram.read_saved(by_name).followers] == [("2026-12-06", 48210)]
    by_id = Saved([(f"count {GOV}.json", members), ("chat.json", chat)], PAGES, day, at)
    assert [f["account_id"] for f in telegram.read_saved(by_id).followers] == [GOV]
    with pytest.raises(ValueError, match=r"count\.json: a getChatMemberCount answer says not whose it is"):
        telegram.read_saved(Saved([("count.json", members), ("chat.json", chat)], PAGES, day, at))
    with pytest.raises(ValueError, match=r"preview\.json: not a saved Telegram answer .* getChat, getChatMemberCount"):
        telegram.read_saved(Saved([("preview.json", {"html": "<div>"})], PAGES, day, at))
