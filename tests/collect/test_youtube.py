"""The YouTube collector against a local server answering with the Data API v3's recorded responses."""

import datetime as dt
import json
from typing import Any

import pytest

from etl.collect import youtube
from etl.collect.base import Harvest, Page, RunFailed, Saved, Window
from etl.collect.http import Client
from tests.collect.conftest import RESPONSES, FakeApi, recorded

KEY = "AIzaSyD-govpulse-test-key-0123456789ab"
AKIMAT, SMALL, HIDDEN, GONE = (
    "UCx4Kq8mT2vZbN7wLp3sRj9A", "UCk9Tz1Pq6HwVb3Ym0Lc5Xn2", "UCa7Jd2Rs4Gf8Hk1Lm3Nq5Pw", "UCzz0000000000000000000Q"
)  # fmt: skip
KARASU = Page(AKIMAT, "@karasu_akimat", "Акимат Карасуского района", "Asia/Qostanay")
PAGES = [
    KARASU,
    Page(SMALL, "@karasu_maslihat", "Маслихат Карасуского района", "Asia/Qostanay"),
    Page(HIDDEN, "@karasu_bilim", "Отдел образования", "Asia/Qostanay"),
    Page(GONE, "", "Удалённый канал", "Asia/Qostanay"),
    Page("@karasu_akimat", "", "Канал с handle вместо id", "Asia/Qostanay"),
]
WINDOW = Window(dt.datetime(2026, 11, 5, tzinfo=dt.UTC), dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC))
V1, V2, V3, V4, V5, VH1 = "Xk3pQ9rT2wA", "Lv7mN4bC8zE", "Hd2sF6gJ1kQ", "Pq8wE3rT5yU", "Up9cO2mI4nG", "Hh4iD6dE8nC"
T4 = "UgyT4aBcD5eFgH6iJkL8AaABAg"  # the thread with more replies than it shows


def answers(name: str) -> Any:
    """A recorded answer of the YouTube Data API."""
    return recorded("youtube", name)


def only(answer: dict[str, Any], ids: str) -> dict[str, Any]:
    """A list answer holding just the asked ids, as channels.list and videos.list answer."""
    asked = ids.split(",")
    return {**answer, "items": [item for item in answer["items"] if item["id"] in asked]}


def serve(api: FakeApi) -> None:
    """The recorded answers: the akimat (two pages of uploads, threads over two pages, a long thread, a live stream,
    a video whose comments are off), a council without uploads and a channel that hides its subscribers."""
    channels, videos = answers("channels"), answers("videos")
    uploads, threads = answers("playlistItems-page1"), answers("commentThreads-page1")
    api.on("/channels", lambda p: only(channels, p["id"]))
    api.on("/playlistItems", answers("playlistItems-page2"), playlistId="UU" + AKIMAT[2:],
           pageToken=uploads["nextPageToken"])  # fmt: skip
    api.on("/playlistItems", uploads, playlistId="UU" + AKIMAT[2:])
    api.on("/playlistItems", answers("error-playlistNotFound"), status=404, playlistId="UU" + SMALL[2:])
    api.on("/playlistItems", answers("playlistItems-education"), playlistId="UU" + HIDDEN[2:])
    api.on("/videos", lambda p: only(videos, p["id"]))
    api.on("/commentThreads", answers("commentThreads-page2"), videoId=V1, pageToken=threads["nextPageToken"])
    api.on("/commentThreads", threads, videoId=V1)
    api.on("/commentThreads", answers("commentThreads-live"), videoId=V2)
    api.on("/commentThreads", answers("error-commentsDisabled"), status=403, videoId=V4)
    api.on("/comments", answers("comments-replies"), parentId=T4)


def run(api: FakeApi, pages: list[Page] = PAGES, **options: float) -> Harvest:
    """The collector's harvest of `pages` through a real client of the test server."""
    settings = {"per_second": 1000.0, "timeout": 2.0, "retries": 1, "backoff": 0.01, **options}
    with Client(api.url, secrets=[KEY], **settings) as client:  # type: ignore[arg-type]
        return youtube.collect(client, {youtube.KEY.env: KEY}, pages, WINDOW, lambda page: None)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Three uploads a page, so that the recorded uploads take two requests; short pauses; the default quota."""
    monkeypatch.setattr(youtube, "PAGE_SIZE", 3)
    monkeypatch.setattr(youtube, "PAUSES", (0.01, 0.01, 0.01))
    monkeypatch.delenv(youtube.QUOTA_ENV, raising=False)


def post(video: str, published: str, kind: str, likes: int, comments: int, views: int) -> dict[str, Any]:
    """A posts row of the akimat as the contract writes it, collected at the run's time."""
    return {
        "collected_at": "2026-12-05T12:00:00Z", "platform": "youtube", "account_id": AKIMAT, "post_id": video,
        "published_at": published, "post_type": kind, "likes": likes, "comments": comments, "shares": 0,
        "views": views,
    }  # fmt: skip


def test_subscribers_are_stored_as_given_with_a_notice_where_youtube_rounds_or_hides_them(api: FakeApi) -> None:
    """One channels.list for every id; counts parsed exactly from strings; 12,400 is flagged as YouTube's rounded
    estimate, 873 is exact, a hidden count gives no row but a notice; customUrl is the handle."""
    serve(api)
    harvest = run(api)
    asked = [c.params for c in api.calls if c.path == "/channels"]
    assert asked == [{"part": "statistics,contentDetails,snippet", "id": f"{AKIMAT},{SMALL},{HIDDEN},{GONE}"}]
    assert harvest.followers == [
        {"date": "2026-12-05", "platform": "youtube", "account_id": AKIMAT, "followers": 12400, "posts_total": 418,
         "handle": "@karasu_akimat"},
        {"date": "2026-12-05", "platform": "youtube", "account_id": SMALL, "followers": 873, "posts_total": 0,
         "handle": "@karasu_maslihat"},
    ]  # fmt: skip
    assert f"{AKIMAT}: 12,400 subscribers is YouTube's rounded estimate (three significant figures), stored as " \
           "given" in harvest.notices  # fmt: skip
    assert not any(n.startswith(SMALL) for n in harvest.notices)
    assert f"{HIDDEN}: YouTube hides the channel's subscriber count; no follower figure" in harvest.notices
    assert HIDDEN not in harvest.skipped and [p["post_id"] for p in harvest.posts if p["account_id"] == HIDDEN] == [VH1]


def test_uploads_are_paged_back_to_since_and_each_video_s_metrics_are_exact(api: FakeApi) -> None:
    """The second page of uploads is asked with the first one's token, and its upload older than since ends the
    paging though a token follows; one videos.list for the window's ids; a broadcast is live, a scheduled stream no
    post yet, hidden likes are 0, a channel without uploads has no posts."""
    serve(api)
    harvest = run(api, [KARASU, PAGES[1]])
    pages = [c.params for c in api.calls if c.path == "/playlistItems" and c.params["playlistId"] == "UU" + AKIMAT[2:]]
    assert [p.get("pageToken") for p in pages] == [None, answers("playlistItems-page1")["nextPageToken"]]
    assert {p["part"] for p in pages} == {"contentDetails"} and {p["maxResults"] for p in pages} == {"3"}
    videos = [c.params for c in api.calls if c.path == "/videos"]
    assert videos == [
        {"part": "statistics,snippet,contentDetails,liveStreamingDetails", "id": f"{V5},{V1},{V2},{V3},{V4}"}
    ]
    assert harvest.posts == [
        post(V1, "2026-11-19T12:00:00Z", "video", 321, 15, 15234),
        post(V2, "2026-11-17T05:58:30Z", "live", 58, 3, 4410),
        post(V3, "2026-11-12T09:30:00Z", "video", 0, 0, 987),
        post(V4, "2026-11-08T10:00:00Z", "video", 12, 3, 640),
    ]
    assert harvest.skipped == {}


def test_citizens_comments_get_the_channel_s_first_reply(api: FakeApi) -> None:
    """A top-level comment not by the channel is an inquiry; the channel's earliest reply answers it, found among the
    replies comments.list pages when the thread shows only five; a citizen's or another channel's reply does not."""
    serve(api)
    inquiries = {i["inquiry_id"]: i for i in run(api, [KARASU]).inquiries}
    answered = {i: (row["post_id"], row["received_at"], row["first_reply_at"]) for i, row in inquiries.items()}
    assert answered == {
        "UgzT1kLmN8pQr5sTuVw4AaABAg": (V1, "2026-11-20T08:15:00Z", "2026-11-20T10:40:00Z"),
        "UgxT2hJk3LmNoPq7RsTu9AaABAg": (V1, "2026-11-20T07:00:00Z", ""),
        T4: (V1, "2026-11-19T18:05:00Z", "2026-11-21T09:00:00Z"),
        "Ugw5TpQrS7tUvW9xYz1AaABAg": (V1, "2026-11-19T17:00:00Z", ""),  # answered by another channel
        "UgwL6iVeStReAm1QuEsT2AaABAg": (V2, "2026-11-17T06:20:00Z", "2026-11-17T06:45:10Z"),
        "UgxL7aNoThEr3QuEsTiOn4AaABAg": (V2, "2026-11-17T07:10:00Z", ""),
    }  # the channel's own comment on V1 is no inquiry
    assert {(row["channel"], row["replied_by"], row["topic"]) for row in inquiries.values()} == {("comment", "", "")}
    threads = [c.params for c in api.calls if c.path == "/commentThreads"]
    assert [(t["videoId"], t.get("pageToken")) for t in threads] == [
        (V1, None),
        (V1, answers("commentThreads-page1")["nextPageToken"]),
        (V2, None),
        (V4, None),
    ]  # videos without comments are not asked
    assert {(t["part"], t["maxResults"], t["order"]) for t in threads} == {("snippet,replies", "100", "time")}
    assert [c.params["parentId"] for c in api.calls if c.path == "/comments"] == [T4]


def test_no_comment_text_or_commenter_is_asked_for_or_kept(api: FakeApi) -> None:
    """Comments are asked for ids, authors' channel ids and times only; even an answer with text and names (the
    live stream's) leaves none of them, nor any commenter's id, in a row."""
    serve(api)
    harvest = run(api, [KARASU])
    asked = [c.params["fields"] for c in api.calls if c.path in ("/commentThreads", "/comments")]
    assert asked and not any(word in f for f in asked for word in ("text", "authorDisplayName", "authorChannelUrl"))
    written = json.dumps([harvest.followers, harvest.posts, harvest.inquiries], ensure_ascii=False)
    live = answers("commentThreads-live")["items"]
    names = [t["snippet"]["topLevelComment"]["snippet"][k] for t in live for k in ("textDisplay", "authorDisplayName")]
    commenters = {"UCc1Vb7Nm2Qw8Er4Ty6Ui0Op", "UCd2Fg4Hj6Kl8Zx0Cv2Bn4Mq", "UCe3Rt5Yu7Io9Pa1Sd3Fg5Hj"}
    assert len(names) == 4 and not any(value in written for value in [*names, *commenters])


def test_a_video_with_comments_off_keeps_its_post_and_the_channel_is_collected(api: FakeApi) -> None:
    """403 commentsDisabled closes that video's comments only: a notice names it, the page is not skipped."""
    serve(api)
    harvest = run(api, [KARASU])
    assert harvest.skipped == {} and V4 in {p["post_id"] for p in harvest.posts}
    assert f"{AKIMAT} video {V4}: comments not readable (commentThreads: HTTP 403 (commentsDisabled))" in (
        harvest.notices
    )
    assert not any(i["post_id"] == V4 for i in harvest.inquiries)


def test_channels_youtube_does_not_know_are_skipped_by_name(api: FakeApi) -> None:
    """A channel missing from channels.list's items, and a handle where the id belongs, are skipped with the reason;
    a batch YouTube refuses as not found is asked again channel by channel, so that the known ones are collected."""
    serve(api)
    assert run(api).skipped == {
        GONE: "not found on YouTube (channels.list returned no such channel)",
        "@karasu_akimat": "account_id must be the channel id (UC and 22 more characters); the @handle is handle",
    }
    api.routes.clear()
    api.calls.clear()
    api.on("/channels", answers("error-channelNotFound"), status=404, id=f"{AKIMAT},{GONE}")
    api.on("/channels", answers("error-channelNotFound"), status=404, id=GONE)
    serve(api)
    harvest = run(api, [KARASU, PAGES[3]])
    assert harvest.skipped == {GONE: "channel not found (channels: HTTP 404 (channelNotFound))"}
    assert [c.params["id"] for c in api.calls if c.path == "/channels"] == [f"{AKIMAT},{GONE}", AKIMAT, GONE]
    assert [f["account_id"] for f in harvest.followers] == [AKIMAT]


@pytest.mark.parametrize(
    ("answer", "status", "said"),
    [
        ("error-keyInvalid", 400, "channels: HTTP 400 (badRequest, API_KEY_INVALID)"),
        ("error-forbidden", 403, "channels: HTTP 403 (forbidden)"),
        ("error-accessNotConfigured", 403, "(accessNotConfigured, SERVICE_DISABLED); enable the YouTube Data API v3"),
    ],
)
def test_a_refused_key_ends_the_run_without_showing_it(api: FakeApi, answer: str, status: int, said: str) -> None:
    """An invalid key, a missing one, or one whose project has not enabled the API ends the run naming the
    variable and YouTube's reason, never the key."""
    api.on("/channels", answers(answer), status=status)
    with pytest.raises(RunFailed) as caught:
        run(api)
    message = str(caught.value)
    assert message.startswith("YouTube refused GOVPULSE_YOUTUBE_KEY: ") and said in message and KEY not in message


def test_the_key_travels_in_a_header_never_in_a_url(api: FakeApi) -> None:
    """Every request carries X-Goog-Api-Key; no query holds the key; no reason or notice shows it, even of requests
    that failed."""
    api.on("/videos", {}, status=503)
    serve(api)
    harvest = run(api)
    assert api.calls and all(
        {k.lower(): v for k, v in c.headers.items()}.get("x-goog-api-key") == KEY for c in api.calls
    )
    assert not any("key" in c.params or KEY in json.dumps(c.params) for c in api.calls)
    assert harvest.skipped[AKIMAT] == "videos: HTTP 503"
    assert KEY not in json.dumps([harvest.skipped, harvest.notices])


def test_a_run_counts_its_quota_units(api: FakeApi) -> None:
    """Every call is one unit: 1 channels + 2 + 1 uploads + 1 videos + 4 threads + 1 replies for the akimat, 1 for
    the council's uploads, 2 for the school channel: twelve, reported against the default budget."""
    serve(api)
    harvest = run(api)
    assert len(api.calls) == 12
    assert "YouTube Data API: 12 quota units spent of the run's 10,000" in harvest.notices


def test_the_run_stops_before_passing_its_quota_budget(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """With 5 units the akimat's comments are not reached: no call past the budget, the unfinished channel and the
    others are skipped as "daily quota reached" with none of their rows, and a notice tells the units spent."""
    serve(api)
    monkeypatch.setenv(youtube.QUOTA_ENV, "5")
    harvest = run(api, PAGES[:3])
    assert len(api.calls) == 5
    reason = "daily quota reached: the next call would pass the budget of 5 units"
    assert harvest.skipped == {AKIMAT: reason, SMALL: reason, HIDDEN: reason}
    assert (harvest.followers, harvest.posts, harvest.inquiries) == ([], [], [])
    assert harvest.notices == [
        "YouTube Data API: 5 quota units spent of the run's 5",
        f"the run stopped early, {reason}; 3 pages skipped, to collect again",
    ]
    api.calls.clear()
    monkeypatch.setenv(youtube.QUOTA_ENV, "10")
    harvest = run(api, PAGES[:3])
    assert list(harvest.skipped) == [HIDDEN] and {f["account_id"] for f in harvest.followers} == {AKIMAT, SMALL}


def test_youtube_s_quota_exceeded_stops_the_run_cleanly(api: FakeApi) -> None:
    """403 quotaExceeded skips the page it hit and every page after it, asks nothing more and fails nothing."""
    api.on("/commentThreads", answers("error-quotaExceeded"), status=403)
    serve(api)
    harvest = run(api, PAGES[:3])
    reason = (
        "daily quota reached: YouTube says the project's quota is used up (commentThreads: HTTP 403 (quotaExceeded))"
    )
    assert harvest.skipped == {AKIMAT: reason, SMALL: reason, HIDDEN: reason}
    assert api.calls[-1].path == "/commentThreads" and api.count("/commentThreads") == 1
    assert f"the run stopped early, {reason}; 3 pages skipped, to collect again" in harvest.notices


def test_too_many_requests_a_minute_are_waited_out(api: FakeApi) -> None:
    """403 rateLimitExceeded is asked again after a pause; the retry is counted as a unit."""
    api.on("/channels", answers("error-rateLimitExceeded"), status=403, times=1)
    serve(api)
    harvest = run(api, [KARASU])
    assert api.count("/channels") == 2 and harvest.skipped == {} and len(harvest.followers) == 1
    assert "YouTube Data API: 10 quota units spent of the run's 10,000" in harvest.notices


def test_a_quota_setting_that_is_not_a_number_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """GOVPULSE_YOUTUBE_QUOTA must be a whole number of units; empty means the default 10,000."""
    assert youtube.budget({}) == 10_000 and youtube.budget({youtube.QUOTA_ENV: "2_500"}) == 2500
    for wrong in ("lots", "0", "-5", "1e4"):
        with pytest.raises(RunFailed, match="GOVPULSE_YOUTUBE_QUOTA must be a whole number"):
            youtube.budget({youtube.QUOTA_ENV: wrong})


SAVED = [
    "channels", "playlistItems-page1", "playlistItems-page2", "videos", "commentThreads-live", "comments-replies",
    "error-commentsDisabled",
]  # fmt: skip


def saved(names: list[str], pages: list[Page], extra: list[tuple[str, Any]] | None = None) -> Saved:
    """Recorded answers as files saved on the run's day; the two pages of V1's threads saved as one list."""
    documents = [(f"{name}.json", answers(name)) for name in names]
    threads = [answers("commentThreads-page1"), answers("commentThreads-page2")]
    return Saved([*documents, ("threads.json", threads), *(extra or [])], pages, dt.date(2026, 12, 5), WINDOW.now)


def by_key(rows: list[dict[str, Any]], *key: str) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: tuple(row[k] for k in key))


def test_saved_answers_give_the_collector_s_rows(api: FakeApi) -> None:
    """Saved answers (one a file, or a list of answers) read into the same followers, posts and inquiries as the run
    that fetched them, through the same row functions; error answers and playlistItems carry no rows."""
    serve(api)
    collected = run(api, PAGES[:3])
    read = youtube.read_saved(saved(SAVED, PAGES[:3]))
    assert read.followers == collected.followers
    assert by_key(read.posts, "post_id") == by_key(collected.posts, "post_id")
    assert by_key(read.inquiries, "inquiry_id") == by_key(collected.inquiries, "inquiry_id")
    assert [n for n in read.notices if "subscriber" in n] == [n for n in collected.notices if "subscriber" in n]


def test_saved_answers_keep_only_the_registry_s_pages() -> None:
    """Channels, videos and threads of a channel not in the registry give no rows."""
    read = youtube.read_saved(saved(SAVED, [PAGES[2]]))
    assert [f["account_id"] for f in read.followers] == []
    assert [p["post_id"] for p in read.posts] == [VH1] and read.inquiries == []


def test_an_unrecognised_saved_document_names_its_file_and_what_is_read() -> None:
    """A document that is no answer of the read methods is refused by name, with the kinds understood."""
    stray = ("search.json", {"kind": "youtube#searchListResponse", "items": [{"id": {"videoId": V1}}]})
    with pytest.raises(ValueError, match=r"search\.json: not an answer .* channels\.list, playlistItems\.list"):
        youtube.read_saved(saved(SAVED, PAGES, [stray]))
    with pytest.raises(ValueError, match=r"notes\.json"):
        youtube.read_saved(saved([], PAGES, [("notes.json", [{"items": "none"}])]))


def test_every_recorded_answer_is_recognised_as_its_method() -> None:
    """The kind of each recorded answer, and of the same answer without its kind field."""
    expected = {"channels": "channels", "playlistItems": "playlistItems", "videos": "videos",
                "commentThreads": "commentThreads", "comments": "comments", "error": "error"}  # fmt: skip
    for path in sorted((RESPONSES / "youtube").glob("*.json")):
        answer = json.loads(path.read_text(encoding="utf-8"))
        want = expected[path.stem.split("-")[0]]
        assert youtube.kind_of(answer) == want, path.name
        if want != "error":
            assert youtube.kind_of({k: v for k, v in answer.items() if k != "kind"}) == want, path.name
