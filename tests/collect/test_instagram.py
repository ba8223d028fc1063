"""The Instagram collector against a local server answering with the Graph API's recorded responses (v25.0)."""

import datetime as dt
import json
from typing import Any

import pytest

from etl.collect import instagram, platform
from etl.collect.base import Harvest, Page, RunFailed, Saved, Window
from etl.collect.http import Client
from etl.collect.instagram_rows import read_saved
from tests.collect.conftest import FakeApi, recorded

TOKEN = "EAAGm0PX4ZCpsBAInstagramPageToken0123"
OWN, DISTRICT, PERSONAL, RENAMED = "17841405309211844", "17841401441775531", "17841400000007777", "17841400000008888"
PAGES = [
    Page(DISTRICT, "zarinsky_adm", "Администрация Заринского района", "Asia/Barnaul"),
    Page(OWN, "altai_gov", "Правительство Алтайского края", "Asia/Barnaul"),
    Page(PERSONAL, "glava_zarinsk", "Глава Заринского района", "Asia/Barnaul"),
    Page(RENAMED, "oldname_adm", "Совет депутатов", "Asia/Barnaul"),
]
WINDOW = Window(dt.datetime(2026, 11, 5, tzinfo=dt.UTC), dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC))
CURSOR = "QVFIUmRkY2x4TVh2RnBxTnJfZAk9PU0x"  # business discovery's `after` of the first page of media
POST, REEL, OLD = "17951234567890123", "17951234567890124", "17887766554433221"
THREAD = "17870913679156917"  # a comment whose replies run past the first page
ANSWERS = ("business_discovery-page1", "business_discovery-page2", "profile", "media", "comments-page1",
           "comments-page2", "replies")  # fmt: skip


def ig(name: str) -> Any:
    """A recorded Graph API answer."""
    return recorded("instagram", name)


def answer(api: FakeApi) -> None:
    """The recorded answers: a district found by business discovery in two pages of media, the office's own account
    with comments, a personal account and a username that now belongs to another account."""
    discovery = instagram.discovery_fields
    api.on(f"/{OWN}", ig("business_discovery-page1"), fields=discovery("zarinsky_adm"))
    api.on(f"/{OWN}", ig("business_discovery-page2"), fields=discovery("zarinsky_adm", CURSOR))
    api.on(f"/{OWN}", ig("error-110"), status=400, fields=discovery("glava_zarinsk"))
    api.on(f"/{OWN}", ig("business_discovery-another-account"), fields=discovery("oldname_adm"))
    api.on(f"/{OWN}", ig("profile"), fields=instagram.PROFILE_FIELDS)
    api.on(f"/{OWN}/media", ig("media"))
    api.on(f"/{POST}/comments", ig("comments-page2"), after="QVFIUmNvbW1lbnRzMg")
    api.on(f"/{POST}/comments", ig("comments-page1"))
    api.on(f"/{THREAD}/replies", ig("replies"))


def run(api: FakeApi, pages: list[Page] = PAGES, user_id: str = OWN, **options: float) -> Harvest:
    """The collector's harvest through a real client of the test server."""
    settings = {"per_second": 1000.0, "timeout": 2.0, "retries": 1, "backoff": 0.01, **options}
    creds = {instagram.TOKEN.env: TOKEN, instagram.USER_ID.env: user_id}
    with Client(api.url, secrets=[TOKEN], **settings) as client:  # type: ignore[arg-type]
        return instagram.collect(client, creds, pages, WINDOW, lambda page: None)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two posts a page of business discovery, so that the recorded district takes two requests."""
    monkeypatch.setattr(instagram, "PAGE_SIZE", 2)


def test_followers_come_from_business_discovery_and_the_own_profile(api: FakeApi) -> None:
    """followers_count and media_count of each account, dated by the page's local day, the username as handle."""
    answer(api)
    assert run(api, PAGES[:2]).followers == [
        {"date": "2026-12-05", "platform": "instagram", "account_id": DISTRICT, "followers": 12450,
         "posts_total": 235, "handle": "zarinsky_adm"},
        {"date": "2026-12-05", "platform": "instagram", "account_id": OWN, "followers": 48210, "posts_total": 412,
         "handle": "altai_gov"},
    ]  # fmt: skip


def test_business_discovery_is_asked_on_the_own_account_and_paged_to_since(api: FakeApi) -> None:
    """The documented field expansion; the second page by the media edge's `after` cursor; the October post ends it."""
    answer(api)
    run(api, PAGES[:1])
    asked = [c.params["fields"] for c in api.calls]
    assert [c.path for c in api.calls] == [f"/{OWN}", f"/{OWN}"]
    assert asked == [
        "business_discovery.username(zarinsky_adm){id,username,followers_count,media_count,media.limit(2)"
        "{id,timestamp,media_type,media_product_type,like_count,comments_count,permalink}}",
        f"business_discovery.username(zarinsky_adm){{id,username,followers_count,media_count,media.after({CURSOR})"
        ".limit(2){id,timestamp,media_type,media_product_type,like_count,comments_count,permalink}}",
    ]


def test_posts_have_their_type_likes_comments_and_utc_time(api: FakeApi) -> None:
    """Carousel → album, reel → reel, image → photo; +0000 times in UTC; no views or shares in the API."""
    answer(api)
    posts = {p["post_id"]: p for p in run(api, PAGES[:2]).posts}
    assert posts["18044563210987654"] == {
        "collected_at": "2026-12-05T12:00:00Z", "platform": "instagram", "account_id": DISTRICT,
        "post_id": "18044563210987654", "published_at": "2026-11-28T09:15:22Z", "post_type": "reel", "likes": 931,
        "comments": 40, "shares": 0, "views": "",
    }  # fmt: skip
    kinds = {i: (p["account_id"], p["post_type"], p["likes"], p["comments"]) for i, p in posts.items()}
    assert kinds == {
        "17918195224117851": (DISTRICT, "album", 184, 12),
        "18044563210987654": (DISTRICT, "reel", 931, 40),
        "17999887766554433": (DISTRICT, "photo", 0, 3),
        POST: (OWN, "photo", 320, 5),
        REEL: (OWN, "reel", 1500, 0),
    }
    assert OLD not in posts


def test_hidden_likes_are_written_as_zero_with_a_notice(api: FakeApi) -> None:
    """A post whose owner hides its likes comes without like_count: 0 in the row, and the run says so."""
    answer(api)
    harvest = run(api, PAGES[:1])
    assert harvest.notices == ["zarinsky_adm: 1 of 3 posts hide their like count (likes written as 0)"]


def test_the_token_travels_in_the_bearer_header_never_in_a_url(api: FakeApi) -> None:
    """Authorization: Bearer on every request and in no query; the own media asked from the window's start."""
    answer(api)
    run(api)
    assert api.calls and all(c.headers.get("Authorization") == f"Bearer {TOKEN}" for c in api.calls)
    assert not any(TOKEN in json.dumps(c.params) or TOKEN in c.path for c in api.calls)
    media = next(c.params for c in api.calls if c.path == f"/{OWN}/media")
    assert media["since"] == str(int(WINDOW.since.timestamp())) and "owner" in media["fields"].split(",")


def test_citizens_comments_get_the_own_account_s_first_reply(api: FakeApi) -> None:
    """A reply from the account (by id, or by its username under an Instagram-scoped id) answers; a citizen's does not;
    the account's own comment is no inquiry; a thread past its first page is read to the end."""
    answer(api)
    harvest = run(api, PAGES[1:2])
    inquiries = {i["inquiry_id"]: i for i in harvest.inquiries}
    assert sorted(inquiries) == ["17870913679156914", "17870913679156915", THREAD]
    assert inquiries["17870913679156914"] == {
        "platform": "instagram", "account_id": OWN, "inquiry_id": "17870913679156914", "channel": "comment",
        "post_id": POST, "received_at": "2026-12-03T08:02:00Z", "first_reply_at": "2026-12-03T11:05:00Z",
        "replied_by": "", "topic": "",
    }  # fmt: skip
    assert inquiries["17870913679156915"]["first_reply_at"] == ""
    assert inquiries[THREAD]["first_reply_at"] == "2026-12-04T12:40:00Z"
    assert api.count(f"/{POST}/comments") == 2 and api.count(f"/{THREAD}/replies") == 1
    assert api.count(f"/{REEL}/comments") == 0  # a post without comments costs no request


def test_no_commenter_names_or_ids_reach_the_rows(api: FakeApi) -> None:
    """`from` serves only to tell the account from citizens: no username or id of a commenter is kept."""
    answer(api)
    harvest = run(api)
    everything = json.dumps([harvest.followers, harvest.posts, harvest.inquiries, harvest.skipped, harvest.notices])
    for trace in ("zarinsk_resident", "roads_watch", "driver_kz", "17841400000001111", "17841400000004444"):
        assert trace not in everything


def test_accounts_business_discovery_cannot_find_are_skipped_with_meta_s_reason(api: FakeApi) -> None:
    """A personal account or unknown username (110/2207013), a username now of another account, a bad registry row:
    each skipped by name, the others collected."""
    answer(api)
    pages = [*PAGES, Page("zarinsky_adm", "zarinsky_adm"), Page("17841400000006666", "")]
    harvest = run(api, pages)
    assert harvest.skipped == {
        PERSONAL: "no business or creator account has this username (personal accounts cannot be looked up): "
        "Invalid user id (Graph error 110/2207013)",
        RENAMED: "the username oldname_adm now belongs to another account: put the account's current username in "
        "the registry",
        "zarinsky_adm": "account_id must be the Instagram user id, a number such as 17841405309211844",
        "17841400000006666": "handle must be the account's Instagram username: business discovery finds accounts by it",
    }
    assert {f["account_id"] for f in harvest.followers} == {DISTRICT, OWN}


def test_an_expired_token_ends_the_run_naming_the_variable(api: FakeApi) -> None:
    """Graph error 190 stops the run with Meta's words and the variable, never the token."""
    api.on(f"/{OWN}", ig("error-190"), status=400)
    with pytest.raises(RunFailed) as caught:
        run(api)
    message = str(caught.value)
    assert "Meta refused GOVPULSE_INSTAGRAM_TOKEN: Error validating access token: Session has expired" in message
    assert "(Graph error 190/463)" in message and TOKEN not in message
    assert len(api.calls) == 1


def test_an_own_account_id_meta_does_not_know_ends_the_run(api: FakeApi) -> None:
    """100/33 on the own account's id names GOVPULSE_INSTAGRAM_USER_ID; a non-numeric one stops before any request."""
    wrong = "17841400000000000"
    api.on(f"/{wrong}", ig("error-100"), status=400)
    with pytest.raises(RunFailed, match="GOVPULSE_INSTAGRAM_USER_ID's account: Unsupported get request"):
        run(api, PAGES[:1], user_id=wrong)
    api.calls.clear()
    with pytest.raises(RunFailed, match="GOVPULSE_INSTAGRAM_USER_ID must be the numeric id"):
        run(api, PAGES[:1], user_id="altai_gov")
    assert api.calls == []


def test_throttling_is_waited_out_and_the_request_repeated(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """(#4) Application request limit reached: the request is sent again after a pause and the page collected."""
    monkeypatch.setattr(instagram, "PAUSES", (0.0, 0.0, 0.0))
    api.on(f"/{OWN}", ig("error-4"), status=403, times=1)
    answer(api)
    harvest = run(api, PAGES[:1])
    assert harvest.skipped == {} and len(harvest.posts) == 3
    assert len(api.calls) == 3


def test_throttling_that_does_not_clear_stops_the_run_cleanly(api: FakeApi, monkeypatch: pytest.MonkeyPatch) -> None:
    """After the pauses the run sends nothing more: every page left is skipped by name, with one notice."""
    monkeypatch.setattr(instagram, "PAUSES", (0.0, 0.0))
    api.on(f"/{OWN}", ig("error-4"), status=403, fields=instagram.discovery_fields("zarinsky_adm"))
    answer(api)
    harvest = run(api, PAGES[:2])
    why = "Meta throttles the requests: (#4) Application request limit reached (Graph error 4)"
    assert harvest.skipped == {DISTRICT: f"left for the next run: {why}", OWN: f"left for the next run: {why}"}
    assert harvest.notices == [f"the run stopped early, 2 pages left for the next run: {why}"]
    assert len(api.calls) == 3 and harvest.followers == []


@pytest.mark.parametrize(
    ("header", "value", "stops"),
    [
        ("X-App-Usage", {"call_count": 96, "total_cputime": 12, "total_time": 30}, True),
        ("X-Business-Use-Case-Usage", {OWN: [{"type": "instagram", "call_count": 20, "total_cputime": 14,
                                              "total_time": 95, "estimated_time_to_regain_access": 0}]}, True),
        ("X-App-Usage", {"call_count": 94, "total_cputime": 94, "total_time": 94}, False),
    ],
)  # fmt: skip
def test_the_run_stops_when_meta_reports_95_percent_used(api: FakeApi, header: str, value: Any, stops: bool) -> None:
    """Once an answer's usage header says 95 % of a rate limit is used, no further request is sent."""
    api.on(f"/{OWN}", ig("business_discovery-page1"), fields=instagram.discovery_fields("zarinsky_adm"),
           headers={header: json.dumps(value)})  # fmt: skip
    answer(api)
    harvest = run(api, PAGES[:2])
    if stops:
        assert len(api.calls) == 1
        assert set(harvest.skipped) == {DISTRICT, OWN} and harvest.posts == []
        assert harvest.notices[0].startswith("the run stopped early, 2 pages left for the next run: Meta reports")
        assert f"% of a rate limit used ({header})" in harvest.notices[0]
    else:
        assert harvest.skipped == {} and len(harvest.posts) == 5


def test_a_timeout_or_malformed_json_skips_only_that_page(api: FakeApi) -> None:
    """No answer in time, or HTML instead of JSON, skips the account with the client's reason."""
    api.on(f"/{OWN}", "<html>maintenance</html>", raw=True, fields=instagram.discovery_fields("zarinsky_adm"))
    answer(api)
    harvest = run(api, PAGES[:2])
    assert harvest.skipped == {DISTRICT: f"{OWN}: the answer is not JSON"} and len(harvest.followers) == 1
    api.routes.clear()
    api.on(f"/{OWN}", {}, delay=0.5)
    harvest = run(api, PAGES[:1], timeout=0.2, retries=0)
    assert harvest.skipped == {DISTRICT: f"{OWN}: no answer within 0.2 s"}


def test_saved_answers_give_the_rows_of_a_run(api: FakeApi) -> None:
    """The same recorded answers saved as files give the run's rows; the saved ones hold no window, so the October
    post the run left out is there too."""
    answer(api)
    harvest = run(api, PAGES[:2])
    saved = read_saved(Saved([(f"{n}.json", ig(n)) for n in ANSWERS], PAGES[:2], dt.date(2026, 12, 5), WINDOW.now))
    assert saved.followers == harvest.followers
    assert [p for p in saved.posts if p["post_id"] != OLD] == harvest.posts
    assert next(p for p in saved.posts if p["post_id"] == OLD)["published_at"] == "2026-10-30T12:00:00Z"
    assert saved.inquiries == harvest.inquiries
    assert saved.notices == ["zarinsky_adm: 1 of 4 posts hide their like count (likes written as 0)"]


def test_saved_answers_keep_only_the_registry_s_accounts() -> None:
    """A list of answers in one file is read answer by answer; an account not in the registry gives no rows."""
    documents = [("all.json", [ig(n) for n in ANSWERS]), ("other.json", ig("business_discovery-another-account"))]
    saved = read_saved(Saved(documents, PAGES[1:2], dt.date(2026, 12, 5), WINDOW.now))
    assert {f["account_id"] for f in saved.followers} == {OWN}
    assert {p["account_id"] for p in saved.posts} == {OWN} and len(saved.inquiries) == 3


def test_saved_comments_without_their_media_list_are_noted() -> None:
    """Comments are an account's through the saved media list that holds their post; without it they are skipped."""
    saved = read_saved(Saved([("c.json", ig("comments-page1"))], PAGES[:2], dt.date(2026, 12, 5), WINDOW.now))
    assert saved.inquiries == [] and saved.notices == ["3 saved comments are on posts of no saved media list: skipped"]


@pytest.mark.parametrize(
    "document",
    [
        {"note": "exported by hand"},
        ig("error-190"),
        [{"data": "x"}],
        {"business_discovery": {"id": DISTRICT, "media": {"data": [{"id": "17918195224117851"}]}}, "id": OWN},
    ],
)
def test_an_unknown_saved_document_is_refused_naming_the_file(document: Any) -> None:
    """Anything but the answers understood raises ValueError naming the file and what is read."""
    with pytest.raises(ValueError, match=r"notes\.json: not an Instagram Graph API answer .* business_discovery"):
        read_saved(Saved([("notes.json", document)], PAGES, dt.date(2026, 12, 5), WINDOW.now))


def test_instagram_is_a_platform_with_a_saved_answers_reader() -> None:
    """`govpulse collect instagram` finds the collector; its credentials are the token and the own account's id."""
    spec = platform("instagram")
    assert spec is instagram.PLATFORM and spec.read_saved is read_saved
    assert [c.env for c in spec.credentials] == ["GOVPULSE_INSTAGRAM_TOKEN", "GOVPULSE_INSTAGRAM_USER_ID"]
    assert spec.api_base == "https://graph.facebook.com/v25.0"
