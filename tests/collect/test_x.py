"""The X collector against a local server answering with X API v2's recorded responses (OpenAPI spec 2.160)."""

import datetime as dt
import time
from typing import Any

import pytest

from etl.collect import x
from etl.collect.base import Harvest, Page, RunFailed, Window, stamp
from etl.collect.http import Client
from etl.collect.x_rows import Found, inquiry_rows, posted
from tests.collect.conftest import FakeApi, recorded

TOKEN = "AAAAAAAAAAAAAAAAAAAAAGovPulseTest0%2Bx9YqLm%3DbEaReRtOkEn0123456789"
GOV, HEAD = "1318497381264687104", "2891456723"  # the first beyond 2**53: a float would lose its last digits
PROTECTED, SUSPENDED, GONE = "1455018327744659456", "1500192841167486976", "1599931224480710657"
PAGES = [
    Page(GOV, "altai_gov", "Правительство Алтайского края", "Asia/Barnaul"),
    Page(HEAD, "glava_zarinsk", "Глава Заринского района", "Asia/Barnaul"),
    Page(PROTECTED, "novodrach_sovet", "Совет депутатов", "Asia/Barnaul"),
    Page(SUSPENDED),
    Page(GONE),
]
WINDOW = Window(dt.datetime(2026, 11, 5, tzinfo=dt.UTC), dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC))
P1, P2, OLD = "2128753670885056530", "2128051544306921487", "2115337769638469634"  # OLD: a post of October
UNEXPANDED = "2127315569725018125"  # the page answered it; X did not expand it (deleted or protected since)


def answer(api: FakeApi) -> None:
    """The recorded answers: GOV's posts in two pages and its mentions; HEAD's empty timelines."""
    first = recorded("x", "tweets-page1")
    api.on("/2/users", recorded("x", "users"))
    api.on(f"/2/users/{GOV}/tweets", recorded("x", "tweets-page2"), pagination_token=first["meta"]["next_token"])
    api.on(f"/2/users/{GOV}/tweets", first)
    api.on(f"/2/users/{GOV}/mentions", recorded("x", "mentions"))
    api.on(f"/2/users/{HEAD}/tweets", recorded("x", "timeline-empty"))
    api.on(f"/2/users/{HEAD}/mentions", recorded("x", "timeline-empty"))


def run(api: FakeApi, pages: list[Page] = PAGES, **options: float) -> Harvest:
    """The collector's harvest through a real client of the test server (X's /2 in its base URL)."""
    settings = {"per_second": 1000.0, "timeout": 2.0, "retries": 0, "backoff": 0.01, **options}
    with Client(f"{api.url}/2", secrets=[TOKEN], **settings) as client:  # type: ignore[arg-type]
        return x.collect(client, {x.TOKEN.env: TOKEN}, pages, WINDOW, lambda page: None)


def post(post_id: str, published: str, kind: str, likes: int, comments: int, shares: int, views: int) -> dict[str, Any]:
    """A posts row of GOV as the contract writes it, collected at the run's time."""
    return {"collected_at": "2026-12-05T12:00:00Z", "platform": "x", "account_id": GOV, "post_id": post_id,
            "published_at": published, "post_type": kind, "likes": likes, "comments": comments, "shares": shares,
            "views": views}  # fmt: skip


def inquiry(inquiry_id: str, channel: str, post_id: str, received: str, replied: str) -> dict[str, Any]:
    """An inquiries row of GOV; replied_by is empty because a page answers as itself."""
    return {"platform": "x", "account_id": GOV, "inquiry_id": inquiry_id, "channel": channel, "post_id": post_id,
            "received_at": received, "first_reply_at": replied, "replied_by": "", "topic": ""}  # fmt: skip


def test_followers_come_a_hundred_ids_a_call_on_the_page_s_day(api: FakeApi) -> None:
    """One users lookup gives followers_count, tweet_count and username; the 19-digit id keeps every digit."""
    answer(api)
    harvest = run(api)
    assert api.count("/2/users") == 1
    asked = next(c.params for c in api.calls if c.path == "/2/users")
    assert asked == {"ids": ",".join(p.account_id for p in PAGES), "user.fields": "public_metrics,username,protected"}
    assert harvest.followers == [
        {"date": "2026-12-05", "platform": "x", "account_id": GOV, "followers": 48210, "posts_total": 5120,
         "handle": "altai_gov"},
        {"date": "2026-12-05", "platform": "x", "account_id": HEAD, "followers": 8513, "posts_total": 1402,
         "handle": "glava_zarinsk"},
    ]  # fmt: skip


def test_posts_are_the_page_s_own_with_their_public_metrics(api: FakeApi) -> None:
    """Originals, quotes and reposts are posts (likes, replies, reposts + quotes, impressions); replies are not."""
    answer(api)
    posts = run(api).posts
    assert posts == [
        post(P1, "2026-12-04T07:30:00Z", "album", 120, 6, 14 + 3, 15320),
        post(P2, "2026-12-02T09:00:00Z", "video", 85, 3, 9 + 1, 9874),
        post("2123793486768074763", "2026-11-20T15:00:00Z", "repost", 0, 0, 212, 0),
        post("2122963014517051401", "2026-11-18T08:00:00Z", "repost", 30, 2, 4, 4410),
        post("2120033712544428039", "2026-11-10T06:00:00Z", "link", 19, 0, 6, 2400),
        post("2118550187160604677", "2026-11-06T03:45:00Z", "text", 5, 1, 2, 1333),
        post("2118221773127892996", "2026-11-05T06:00:00Z", "photo", 48, 0, 3, 1520),
        post("2118146275626381315", "2026-11-05T01:00:00Z", "video", 7, 0, 1, 610),  # an animated GIF
    ]
    timeline = recorded("x", "tweets-page1")["data"] + recorded("x", "tweets-page2")["data"]
    replies = {t["id"] for t in timeline if t.get("in_reply_to_user_id")}
    assert len(replies) == 7 and not replies & {p["post_id"] for p in posts}


def test_citizens_posts_get_the_page_s_first_reply(api: FakeApi) -> None:
    """Mentions and replies to the page, and the posts it answered, each with its earliest reply not before it; the
    page's own posts, its thread, another official page and a citizen's repost are no inquiries."""
    answer(api)
    assert run(api).inquiries == [
        inquiry("2116953415509757953", "comment", OLD, "2026-11-01T18:00:00Z", "2026-11-06T09:00:00Z"),
        inquiry("2125646949735186444", "mention", "", "2026-11-25T17:45:00Z", ""),
        inquiry(UNEXPANDED, "mention", "", "2026-11-30T08:15:30Z", "2026-11-30T10:00:00Z"),
        inquiry("2128074193578033168", "comment", P2, "2026-12-02T10:30:00Z", "2026-12-02T12:00:00Z"),
        inquiry("2128761724007759892", "mention", "", "2026-12-04T08:02:00Z", "2026-12-04T11:05:00Z"),
        # The page's reply to it is stamped 12:50, before the post itself: no answer of it.
        inquiry("2128836718310838297", "comment", P1, "2026-12-04T13:00:00Z", ""),
    ]


def test_a_post_x_did_not_expand_is_timed_by_its_id() -> None:
    """An X id holds its time: X's own example post 1346889436626259968 was created Wed Jan 06 18:40:40 +0000 2021."""
    assert posted("1346889436626259968") == dt.datetime(2021, 1, 6, 18, 40, 40, 344000, tzinfo=dt.UTC)
    page1 = recorded("x", "tweets-page1")
    assert UNEXPANDED not in {t["id"] for t in page1["includes"]["tweets"]}
    assert [e["resource_id"] for e in page1["errors"]] == [UNEXPANDED]
    assert posted(UNEXPANDED).replace(microsecond=0) == dt.datetime(2026, 11, 30, 8, 15, 30, tzinfo=dt.UTC)


def test_a_reply_in_the_page_s_own_thread_answers_no_one() -> None:
    """The page replying to itself continues its thread: no inquiry, even when X did not expand the post it follows;
    the same reply to a citizen makes that post an inquiry."""
    thread = {"id": "2128753922572808211", "author_id": GOV, "created_at": "2026-12-04T07:31:00.000Z",
              "in_reply_to_user_id": GOV, "referenced_tweets": [{"type": "replied_to", "id": UNEXPANDED}]}  # fmt: skip
    reply = {**thread, "in_reply_to_user_id": "1600003703703673033"}
    assert inquiry_rows(PAGES[0], [thread], [], Found(), {GOV}) == []
    assert [r["inquiry_id"] for r in inquiry_rows(PAGES[0], [reply], [], Found(), {GOV})] == [UNEXPANDED]


def test_the_token_travels_as_a_bearer_header_and_the_window_as_start_time(api: FakeApi) -> None:
    """Authorization: Bearer on every request and never in a query; timelines from --since, a hundred a page."""
    answer(api)
    run(api, PAGES[:1])
    assert all(c.headers.get("Authorization") == f"Bearer {TOKEN}" for c in api.calls)
    assert not any(TOKEN in str(c.params) or TOKEN in c.path for c in api.calls)
    timeline = [c.params for c in api.calls if c.path == f"/2/users/{GOV}/tweets"]
    assert [c.get("pagination_token") for c in timeline] == [None, recorded("x", "tweets-page1")["meta"]["next_token"]]
    assert {(c["start_time"], c["max_results"]) for c in timeline} == {("2026-11-05T00:00:00Z", "100")}
    assert timeline[0]["expansions"] == "referenced_tweets.id,attachments.media_keys"
    assert set(timeline[0]["tweet.fields"].split(",")) >= {"created_at", "public_metrics", "referenced_tweets"}
    assert api.count(f"/2/users/{GOV}/mentions", start_time="2026-11-05T00:00:00Z") == 1


def test_suspended_unknown_protected_and_malformed_pages_are_skipped_with_x_s_reason(api: FakeApi) -> None:
    """Users X refuses are skipped with its words, a protected account and a handle given as id too; no timeline
    is asked for them."""
    answer(api)
    harvest = run(api, [*PAGES, Page("altai_gov")])
    assert harvest.skipped == {
        SUSPENDED: f"User has been suspended: [{SUSPENDED}]. (X Forbidden)",
        GONE: f"Could not find user with ids: [{GONE}]. (X Not Found Error)",
        PROTECTED: "protected account: X shows its posts to approved followers only",
        "altai_gov": "account_id must be the numeric X user id (such as 1318497381264687104), not a handle",
    }
    assert {c.path for c in api.calls} == {"/2/users", *(f"/2/users/{p}/{t}" for p in (GOV, HEAD)
                                                          for t in ("tweets", "mentions"))}  # fmt: skip


def test_a_page_x_closes_after_its_profile_or_a_failing_server_skips_that_page_only(api: FakeApi) -> None:
    """A timeline answered with errors alone, or a 503 that does not clear, skips the page; the others go on."""
    api.on(f"/2/users/{GOV}/tweets", recorded("x", "error-not-authorized"))
    api.on(f"/2/users/{HEAD}/mentions", {"title": "Service Unavailable"}, status=503)
    answer(api)
    harvest = run(api, PAGES[:2], retries=1)
    assert harvest.skipped == {
        GOV: f"Sorry, you are not authorized to see the user with id: [{PROTECTED}]. (X Authorization Error)",
        HEAD: f"users/{HEAD}/mentions: HTTP 503",
    }
    assert harvest.followers == harvest.posts == harvest.inquiries == [] and harvest.notices == []


def test_a_refused_token_ends_the_run_without_showing_it(api: FakeApi) -> None:
    """401 ends the run naming the variable and X's words, never the token."""
    api.on("/2/users", recorded("x", "error-401"), status=401)
    with pytest.raises(RunFailed) as caught:
        run(api)
    assert str(caught.value) == "X refused GOVPULSE_X_TOKEN: Unauthorized (HTTP 401)"


def reset_in(seconds: float) -> dict[str, str]:
    """X's rate-limit headers of a window that resets in `seconds` (epoch seconds, as X sends them)."""
    reset = str(int(time.time() + seconds))
    return {"x-rate-limit-limit": "450", "x-rate-limit-remaining": "0", "x-rate-limit-reset": reset}


def test_a_rate_limit_that_resets_within_the_wait_is_waited_out(api: FakeApi) -> None:
    """A 429 whose window has reset by now is asked again at once; the pages are collected in full."""
    api.on(f"/2/users/{GOV}/mentions", recorded("x", "error-429"), status=429, times=1, headers=reset_in(-1))
    answer(api)
    harvest = run(api, PAGES[:2])
    assert api.count(f"/2/users/{GOV}/mentions") == 2
    assert (harvest.skipped, harvest.notices, len(harvest.inquiries)) == ({}, [], 6)


def test_a_rate_limit_beyond_the_wait_stops_the_run_with_a_note(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """A reset further away than GOVPULSE_X_RATE_WAIT stops the run at once: the page and those left are skipped,
    nothing more is asked, and a note says why and how many pages wait for the next run."""
    monkeypatch.setenv(x.WAIT, "0.5")
    headers = reset_in(120)
    api.on(f"/2/users/{GOV}/mentions", recorded("x", "error-429"), status=429, headers=headers)
    answer(api)
    start = time.monotonic()
    harvest = run(api, PAGES[:2])
    assert time.monotonic() - start < 2
    why = f"X's rate limit of users/:id/mentions resets at {stamp(int(headers['x-rate-limit-reset']))}"
    assert set(harvest.skipped) == {GOV, HEAD}
    assert all(r.startswith(f"not collected: {why}") and r.endswith("beyond the 0.5 s a run waits")
               for r in harvest.skipped.values())  # fmt: skip
    assert harvest.notices == [f"X stopped the run: {harvest.skipped[GOV][15:]}; 2 pages left for the next run"]
    assert api.count(f"/2/users/{GOV}/mentions") == 1 and api.count(f"/2/users/{HEAD}/tweets") == 0
    assert harvest.followers == harvest.posts == []


def test_a_rate_limit_that_keeps_coming_back_stops_the_run_after_three_waits(api: FakeApi) -> None:
    """However soon each reset, a request refused four times in a row stops the run rather than looping."""
    api.on(f"/2/users/{GOV}/tweets", recorded("x", "error-429"), status=429, headers=reset_in(-1))
    answer(api)
    harvest = run(api, PAGES[:1])
    assert api.count(f"/2/users/{GOV}/tweets") == 4
    assert harvest.skipped[GOV].startswith("not collected: X's rate limit of users/:id/tweets resets at ")
    assert harvest.skipped[GOV].endswith(", after 3 waits")


@pytest.mark.parametrize(
    ("status", "name", "said"),
    [
        (429, "error-usage-capped", "X's usage cap is reached on users/:id/tweets (UsageCapExceeded Usage cap "
                                    "exceeded: Monthly product cap): the plan's post reads are used up"),
        (402, "error-credits-depleted", "X has no credits left for the app (Payment Required credits depleted, "
                                        "HTTP 402): top them up in the Developer Console"),
        (403, "error-client-not-enrolled", "X refused users/:id/tweets: Client Forbidden When authenticating"),
    ],
)  # fmt: skip
def test_the_plan_s_cap_no_credits_or_no_access_stop_the_run_cleanly(
    api: FakeApi, status: int, name: str, said: str
) -> None:
    """X's usage cap (even as a 429 that names a reset), spent credits and an endpoint outside the app's plan stop
    the run with a note: no waiting, no further request; the pages are skipped as not collected."""
    api.on(f"/2/users/{GOV}/tweets", recorded("x", name), status=status, headers=reset_in(-1))
    answer(api)
    harvest = run(api, PAGES[:2])
    assert len(harvest.notices) == 1 and harvest.notices[0].startswith(f"X stopped the run: {said}")
    assert harvest.notices[0].endswith("; 2 pages left for the next run")
    assert set(harvest.skipped) == {GOV, HEAD}
    assert all(reason.startswith("not collected: ") for reason in harvest.skipped.values())
    assert api.count(f"/2/users/{GOV}/tweets") == 1 and len(api.calls) == 2
    assert TOKEN not in str(harvest.notices) + str(harvest.skipped)


def test_a_wait_that_is_not_a_number_of_seconds_ends_the_run(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """GOVPULSE_X_RATE_WAIT must be seconds: anything else stops the run before its first request."""
    monkeypatch.setenv(x.WAIT, "a minute")
    with pytest.raises(RunFailed, match="GOVPULSE_X_RATE_WAIT must be a number of seconds, not 'a minute'"):
        run(api)
    assert api.calls == []


def test_a_hundred_ids_a_users_lookup(api: FakeApi) -> None:
    """150 pages take two lookups, of 100 and 50 ids, and every page is answered (here: all protected)."""
    pages = [Page(str(1318497381264687104 + n)) for n in range(150)]

    def users(params: dict[str, str]) -> dict[str, Any]:
        return {"data": [{"id": i, "name": "—", "username": f"u{i[-3:]}", "protected": True,
                          "public_metrics": {"followers_count": 10, "following_count": 1, "tweet_count": 2,
                                             "listed_count": 0}} for i in params["ids"].split(",")]}  # fmt: skip

    api.on("/2/users", users)
    harvest = run(api, pages)
    batches = [c.params["ids"].split(",") for c in api.calls]
    assert [len(b) for b in batches] == [100, 50]
    assert [i for batch in batches for i in batch] == [p.account_id for p in pages]
    assert set(harvest.skipped) == {p.account_id for p in pages}
