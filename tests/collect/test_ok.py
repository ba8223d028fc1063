"""The OK collector against recorded answers of OK's REST API served by a real local HTTP server."""

import datetime as dt
import hashlib
import json
from typing import Any

import pytest

from etl.collect import ok
from etl.collect.base import Harvest, Page, RunFailed, Window
from etl.collect.http import Client
from tests.collect.conftest import FakeApi, recorded

KEY, SECRET, TOKEN = "CBAFJLMNOPQRSTUVW", "6C1D3A2B9E8F7A6B5C4D3E2F", "tkn1.ok-9f8e7d6c5b4a3f2e1d0c-777"
CREDS = {ok.APP_KEY: KEY, ok.APP_SECRET: SECRET, ok.TOKEN: TOKEN}
WINDOW = Window(since=dt.datetime(2024, 10, 1, tzinfo=dt.UTC), now=dt.datetime(2024, 10, 7, 21, 30, tzinfo=dt.UTC))
G1, G2, CLOSED, GONE = "70000001234567", "70000007654321", "70000005550001", "70000009990002"
T1, T5 = "155384729103847", "155384729101540"  # the topics with comments
KARASU = Page(G1, "akimatkarasu", "Акимат Карасуского района", "Asia/Almaty")
KOSTANAY = Page(G2, "kostanayakimat", "Акимат Костанайской области", "Asia/Qostanay")
FB = "/fb.do"


def answers(name: str) -> Any:
    """A recorded OK answer."""
    return recorded("ok", name)


def serve(api: FakeApi) -> None:
    """The recorded answers of a run over KARASU (two pages of topics, threads) and KOSTANAY (one page)."""
    page1, page2 = answers("mediatopic_getTopics_page1"), answers("mediatopic_getTopics_page2")
    comments1 = answers("discussions_getComments_page1")
    api.on(FB, answers("group_getInfo"), method="group.getInfo")
    api.on(FB, answers("group_getCounters"), method="group.getCounters")
    api.on(FB, lambda p: page2 if p.get("anchor") == page1["anchor"] else page1, method="mediatopic.getTopics", gid=G1)
    api.on(FB, answers("mediatopic_getTopics_other"), method="mediatopic.getTopics", gid=G2)
    api.on(FB, comments1, method="discussions.getComments", discussionId=T1, anchor="FIRST")
    api.on(
        FB,
        answers("discussions_getComments_page2"),
        method="discussions.getComments",
        discussionId=T1,
        anchor=comments1["anchor"],
    )
    api.on(FB, answers("discussions_getComments_poll"), method="discussions.getComments", discussionId=T5)


def run(api: FakeApi, pages: list[Page], **options: float) -> tuple[Harvest, list[str]]:
    """The harvest of a run through a real client of the test server, and the pages reported done in order."""
    done: list[str] = []
    settings = {"timeout": 2.0, "retries": 2, **options}
    with Client(api.url, per_second=1000, secrets=[TOKEN], backoff=0.01, **settings) as client:  # type: ignore[arg-type]
        harvest = ok.collect(client, CREDS, pages, WINDOW, lambda page: done.append(page.account_id))
    return harvest, done


def post(
    account: str, post_id: str, published: str, kind: str, likes: int, comments: int, shares: int, views: int | str
) -> dict[str, Any]:
    """A posts row as the contract writes it, collected at the run's time."""
    return {
        "collected_at": "2024-10-07T21:30:00Z",
        "platform": "ok",
        "account_id": account,
        "post_id": post_id,
        "published_at": published,
        "post_type": kind,
        "likes": likes,
        "comments": comments,
        "shares": shares,
        "views": views,
    }


def inquiry(post_id: str, comment_id: str, received: str, replied: str) -> dict[str, Any]:
    """An inquiries row of KARASU; replied_by is empty because a group answers as itself."""
    return {
        "platform": "ok",
        "account_id": G1,
        "inquiry_id": f"{G1}_{post_id}_{comment_id}",
        "channel": "comment",
        "post_id": post_id,
        "received_at": received,
        "first_reply_at": replied,
        "replied_by": "",
        "topic": "",
    }


def test_a_run_gives_every_row_exactly_as_the_responses_say(api: FakeApi) -> None:
    """Followers, every post's likes/comments/shares/views, its kind and UTC publication time, every inquiry."""
    serve(api)
    harvest, done = run(api, [KARASU, KOSTANAY])
    assert harvest.followers == [
        {
            "date": "2024-10-08",
            "platform": "ok",
            "account_id": G1,
            "followers": 12873,
            "posts_total": 1843,
            "handle": "akimatkarasu",
        },
        {
            "date": "2024-10-08",
            "platform": "ok",
            "account_id": G2,
            "followers": 40512,
            "posts_total": 1843,
            "handle": "kostanayakimat",
        },
    ]
    assert harvest.posts == [
        post(G1, T1, "2024-10-07T09:30:00Z", "photo", 48, 7, 3, 1520),
        post(G1, "155384729103112", "2024-10-05T14:05:10Z", "video", 112, 0, 14, 4310),
        post(G1, "155384729102001", "2024-10-03T06:00:00Z", "repost", 7, 0, 0, ""),
        post(G1, T5, "2024-10-01T00:00:00Z", "text", 21, 2, 1, 890),
        post(G2, "155400000000310", "2024-10-06T08:00:00Z", "album", 310, 0, 25, 9800),
        post(G2, "155400000000221", "2024-10-04T10:15:00Z", "link", 19, 0, 6, 2400),
        post(G2, "155400000000108", "2024-10-02T03:45:00Z", "text", 5, 0, 2, 1333),
    ]
    assert harvest.inquiries == [
        inquiry(T1, "MTcyODI5NTMzMTAwMDoyMDE", "2024-10-07T10:02:11Z", "2024-10-07T11:47:05Z"),
        inquiry(T1, "MTcyODI5NjE0MDAwMDoyMDI", "2024-10-07T10:15:40Z", "2024-10-07T13:05:30Z"),
        inquiry(T1, "MTcyODMwNDIwMDAwMDoyMDU", "2024-10-07T12:30:00Z", "2024-10-07T13:05:30Z"),
        inquiry(T1, "MTcyODMwOTYwMDAwMDoyMDc", "2024-10-07T14:00:00Z", ""),
        inquiry(T5, "MTcyNzc2Njc0MDAwMDozMDE", "2024-10-01T07:12:00Z", "2024-10-02T05:00:00Z"),
    ]
    assert (harvest.skipped, harvest.notices, done) == ({}, [], [G1, G2])


def test_the_first_reply_is_the_group_s_own_and_no_one_else_s(api: FakeApi) -> None:
    """A citizen answering a citizen, or another community answering, is no official reply; the group's reply to
    the comment is, and so is the group's first comment answering no one in particular, for all before it."""
    serve(api)
    first = run(api, [KARASU])[0].inquiries[0]
    thread = answers("discussions_getComments_page1")["comments"]
    assert [c["author_ref"] for c in thread[1:]] == ["user:573300112233", "group:70000004445556"]
    assert {c["reply_to_comment_id"] for c in thread[1:]} == {thread[0]["id"]}
    assert (first["received_at"], first["first_reply_at"]) == ("2024-10-07T10:02:11Z", "2024-10-07T11:47:05Z")


def test_topics_are_paged_back_to_since_and_no_further(api: FakeApi) -> None:
    """The second page is asked with the first one's anchor; its topic older than since ends the paging, while the
    pinned old topic heading the first page neither counts nor stops it; comments are read page after page."""
    serve(api)
    harvest, _ = run(api, [KARASU])
    calls = [c.params for c in api.calls if c.params["method"] == "mediatopic.getTopics"]
    assert [c.get("anchor") for c in calls] == [None, answers("mediatopic_getTopics_page1")["anchor"]]
    assert {c["direction"] for c in calls} == {"FORWARD"} and {c["gid"] for c in calls} == {G1}
    assert "155384729100115" not in {p["post_id"] for p in harvest.posts}  # pinned, from September
    assert "155384729100977" not in {p["post_id"] for p in harvest.posts}  # a second before since
    assert api.count(FB, method="discussions.getComments", discussionId=T1) == 2
    assert api.count(FB, method="discussions.getComments") == 3  # topics without comments are not asked


def test_followers_of_a_hundred_groups_come_in_one_call(api: FakeApi) -> None:
    """150 groups take two group.getInfo calls (100 and 50 uids); each page gets its snapshot."""
    pages = [Page(str(70000001000000 + n)) for n in range(150)]

    def groups(params: dict[str, str]) -> list[dict[str, Any]]:
        return [
            {"uid": uid, "shortname": f"g{uid}", "members_count": 10, "access_type": "OPEN"}
            for uid in params["uids"].split(",")
        ]

    api.on(FB, groups, method="group.getInfo")
    api.on(FB, answers("group_getCounters"), method="group.getCounters")
    api.on(FB, answers("mediatopic_getTopics_empty"), method="mediatopic.getTopics")
    harvest, _ = run(api, pages)
    batches = [c.params["uids"].split(",") for c in api.calls if c.params["method"] == "group.getInfo"]
    assert [len(b) for b in batches] == [100, 50]
    assert [r["account_id"] for r in harvest.followers] == [p.account_id for p in pages]
    assert harvest.skipped == {}


def test_one_bad_id_does_not_sink_its_batch(api: FakeApi) -> None:
    """A batch OK rejects as a whole is asked again group by group; only the bad id is skipped."""
    group = answers("group_getInfo")[0]
    api.on(
        FB,
        lambda p: answers("error_not_found") if "," in p["uids"] or p["uids"] == "x1" else [group],
        method="group.getInfo",
    )
    api.on(FB, answers("group_getCounters"), method="group.getCounters")
    api.on(FB, answers("mediatopic_getTopics_empty"), method="mediatopic.getTopics")
    harvest, _ = run(api, [KARASU, Page("x1")])
    assert harvest.skipped == {"x1": "not found (OK error 300 NOT_FOUND)"}
    assert [r["account_id"] for r in harvest.followers] == [G1]


def test_closed_missing_and_restricted_groups_are_skipped_by_name(api: FakeApi) -> None:
    """A closed group, one OK does not return and one whose topics OK refuses are skipped with the reason;
    the others are collected in full, and every page is reported done once."""
    serve(api)
    api.on(FB, answers("error_group_restriction"), method="mediatopic.getTopics", gid=G2, times=1)
    pages = [Page(CLOSED), KARASU, Page(GONE), KOSTANAY]
    harvest, done = run(api, pages)
    assert harvest.skipped == {
        CLOSED: "closed group (OK access_type CLOSED)",
        GONE: "not found (OK group.getInfo returned no such group)",
        G2: "closed by the group (OK error 456 GROUP_RESTRICTION)",
    }
    assert {r["account_id"] for r in harvest.followers + harvest.posts + harvest.inquiries} == {G1}
    assert (len(harvest.posts), len(harvest.inquiries)) == (4, 5)
    assert done == [CLOSED, G1, GONE, G2]


def test_flood_control_is_waited_out_and_retried(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """FLOOD_BLOCKED (error 8) holds the client back and the call is made again; nothing is lost."""
    monkeypatch.setattr(ok, "PAUSES", (0.2,))
    serve(api)
    api.on(FB, answers("error_flood_blocked"), method="mediatopic.getTopics", gid=G2, times=1)
    harvest, _ = run(api, [KOSTANAY])
    assert api.count(FB, method="mediatopic.getTopics") == 2
    assert (len(harvest.posts), harvest.skipped) == (3, {})


def test_flood_control_that_never_clears_skips_only_that_page(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """When every try is refused the page is skipped naming the error; the other page is collected."""
    monkeypatch.setattr(ok, "PAUSES", (0.0, 0.0))
    serve(api)
    api.on(FB, answers("error_flood_blocked"), method="mediatopic.getTopics", gid=G2, times=3)
    harvest, _ = run(api, [KOSTANAY, KARASU])
    assert harvest.skipped == {G2: "failed (OK error 8 FLOOD_BLOCKED)"}
    assert len(harvest.posts) == 4


def test_a_used_up_method_stops_for_the_run_with_one_notice(api: FakeApi) -> None:
    """LIMIT_REACHED (error 11) on comments: no more comment calls, one notice; followers and posts remain."""
    serve(api)
    api.on(FB, answers("error_limit_reached"), method="discussions.getComments", times=1)
    harvest, _ = run(api, [KARASU, KOSTANAY])
    assert api.count(FB, method="discussions.getComments") == 1
    assert harvest.notices == [
        "OK discussions.getComments: the day's calls are used up (OK error 11 LIMIT_REACHED); stopped for this run"
    ]
    assert (len(harvest.followers), len(harvest.posts), harvest.inquiries, harvest.skipped) == (2, 7, [], {})


def test_a_server_error_is_retried_then_answered(api: FakeApi) -> None:
    """An HTTP 500 of group.getInfo is retried by the client and the run goes on as usual."""
    serve(api)
    api.on(FB, {"error": "Internal Server Error"}, status=500, method="group.getInfo", times=1)
    harvest, _ = run(api, [KARASU, KOSTANAY])
    assert api.count(FB, method="group.getInfo") == 2
    assert (len(harvest.followers), harvest.skipped) == (2, {})


def test_a_timeout_skips_only_that_page(api: FakeApi) -> None:
    """A topics call slower than the timeout skips its page with the client's message (last, as the test server
    answers one request at a time)."""
    serve(api)
    api.on(FB, answers("mediatopic_getTopics_other"), method="mediatopic.getTopics", gid=G2, delay=1.0, times=1)
    harvest, _ = run(api, [KARASU, KOSTANAY], timeout=0.3, retries=0)
    assert harvest.skipped == {G2: "fb.do: no answer within 0.3 s"}
    assert {r["account_id"] for r in harvest.followers + harvest.posts} == {G1}


def test_malformed_json_skips_only_that_page(api: FakeApi) -> None:
    """An answer that is not JSON skips its page; the other page is collected."""
    serve(api)
    api.on(FB, '{"media_topics": [{"id": "1554', raw=True, method="mediatopic.getTopics", gid=G1, times=1)
    harvest, _ = run(api, [KARASU, KOSTANAY])
    assert harvest.skipped == {G1: "fb.do: the answer is not JSON"}
    assert len(harvest.posts) == 3


def test_an_empty_group_gives_only_its_follower_snapshot(api: FakeApi) -> None:
    """A group without topics: its snapshot, no posts, no inquiries, not skipped."""
    serve(api)
    api.on(FB, answers("mediatopic_getTopics_empty"), method="mediatopic.getTopics", gid=G2, times=1)
    harvest, done = run(api, [KOSTANAY])
    assert [r["account_id"] for r in harvest.followers] == [G2]
    assert (harvest.posts, harvest.inquiries, harvest.skipped, done) == ([], [], {}, [G2])


def test_a_topic_deleted_before_its_comments_are_read_is_dropped(api: FakeApi) -> None:
    """NOT_FOUND for a topic's comments drops that topic only."""
    serve(api)
    api.on(FB, answers("error_not_found"), method="discussions.getComments", discussionId=T1, times=1)
    harvest, _ = run(api, [KARASU])
    assert T1 not in {p["post_id"] for p in harvest.posts} and len(harvest.posts) == 3
    assert {i["post_id"] for i in harvest.inquiries} == {T5}


def test_a_comment_without_date_ms_is_read_in_ok_server_time(api: FakeApi) -> None:
    """Without date_ms a comment's text date is Moscow time, written in UTC."""
    serve(api)
    thread = answers("discussions_getComments_poll")
    for comment in thread["comments"]:
        del comment["date_ms"]
    api.on(FB, thread, method="discussions.getComments", discussionId=T5, times=1)
    rows = [i for i in run(api, [KARASU])[0].inquiries if i["post_id"] == T5]
    assert [(r["received_at"], r["first_reply_at"]) for r in rows] == [("2024-10-01T07:12:00Z", "2024-10-02T05:00:00Z")]


@pytest.mark.parametrize(
    ("name", "method", "variable"),
    [
        ("error_session_expired", "group.getInfo", ok.TOKEN),
        ("error_signature", "mediatopic.getTopics", ok.APP_SECRET),
        ("error_permission_denied", "group.getInfo", ok.APP_KEY),
    ],
)
def test_refused_credentials_end_the_run_naming_the_variable(
    api: FakeApi, name: str, method: str, variable: str
) -> None:
    """An expired token, a refused signature or an application without group access end the run in one line
    that names the environment variable and the error, never a value."""
    serve(api)
    api.on(FB, answers(name), method=method, times=1)
    with pytest.raises(RunFailed) as caught:
        run(api, [KARASU])
    message = str(caught.value)
    assert variable in message and f"OK error {answers(name)['error_code']} " in message and "\n" not in message
    assert not any(secret in message for secret in (KEY, SECRET, TOKEN))


def test_every_call_is_signed_as_ok_documents(api: FakeApi) -> None:
    """Every call is a POST of application_key, format=json, method, access_token and sig: the md5 of the sorted
    key=value pairs except access_token, followed by md5(access_token + secret key)."""
    serve(api)
    run(api, [KARASU])
    session_secret = hashlib.md5((TOKEN + SECRET).encode()).hexdigest()
    for call in api.calls:
        params = dict(call.params)
        sig, token = params.pop("sig"), params.pop("access_token")
        text = "".join(f"{k}={params[k]}" for k in sorted(params)) + session_secret
        assert (sig, token) == (hashlib.md5(text.encode()).hexdigest(), TOKEN)
        assert (params["application_key"], params["format"]) == (KEY, "json")
        assert call.params["method"] in {
            "group.getInfo",
            "group.getCounters",
            "mediatopic.getTopics",
            "discussions.getComments",
        }
    assert len(api.calls) == 7  # group info, counters, two pages of topics, two pages of one thread, one of another


def test_no_comment_text_or_commenter_ids_reach_the_rows(api: FakeApi) -> None:
    """Comments are asked without text or names, and no commenter's id is written anywhere."""
    serve(api)
    harvest, _ = run(api, [KARASU])
    fields = {c.params["fields"] for c in api.calls if c.params["method"] == "discussions.getComments"}
    assert fields == {ok.COMMENT_FIELDS} and "TEXT" not in ok.COMMENT_FIELDS and "NAME" not in ok.COMMENT_FIELDS
    written = json.dumps([harvest.followers, harvest.posts, harvest.inquiries])
    for user in ("571234567890", "573300112233", "578800001111", "574455667788", "70000004445556"):
        assert user not in written


def test_the_token_never_appears_in_rows_notices_or_reasons(api: FakeApi) -> None:
    """Whatever fails, neither the token, the secret nor the key is in a row, notice or skip reason."""
    serve(api)
    api.on(FB, {}, status=503, method="mediatopic.getTopics", gid=G2, times=3)
    api.on(FB, answers("error_limit_reached"), method="discussions.getComments", times=1)
    harvest, _ = run(api, [KARASU, KOSTANAY, Page(GONE)])
    assert set(harvest.skipped) == {G2, GONE}
    everything = json.dumps([harvest.followers, harvest.posts, harvest.inquiries, harvest.skipped, harvest.notices])
    assert not any(secret in everything for secret in (KEY, SECRET, TOKEN))


def test_a_withheld_topic_count_leaves_posts_total_empty(api: FakeApi) -> None:
    """When OK refuses group.getCounters the snapshot has posts_total "" and the page is still collected."""
    serve(api)
    api.on(FB, answers("error_permission_denied"), method="group.getCounters", group_id=G2, times=1)
    harvest, _ = run(api, [KOSTANAY])
    assert [(r["followers"], r["posts_total"]) for r in harvest.followers] == [(40512, "")]
    assert (len(harvest.posts), harvest.skipped) == (3, {})
