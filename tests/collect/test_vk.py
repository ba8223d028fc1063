"""The VK collector against a local server answering with VK's recorded responses (API 5.199)."""

import datetime as dt
from typing import Any

import pytest

from etl.collect import vk
from etl.collect.base import Harvest, Page, RunFailed, Window
from etl.collect.http import Client
from tests.collect.conftest import FakeApi, recorded

TOKEN = "vk1.a.SeRvIcE-kEy-0123456789"
COMMUNITY, PERSON, DELETED, PRIVATE = "-186543210", "236298625", "-200000001", "-200000002"
PAGES = [
    Page(COMMUNITY, "zarinsky_adm", "Администрация Заринского района", "Asia/Barnaul"),
    Page(PERSON, "glava_zarinsk", "Глава Заринского района", "Asia/Barnaul"),
    Page(DELETED, "", "Закрытая страница", "Asia/Barnaul"),
    Page(PRIVATE, "novodrach_sovet", "Совет депутатов", "Asia/Barnaul"),
]
WINDOW = Window(dt.datetime(2026, 11, 5, tzinfo=dt.UTC), dt.datetime(2026, 12, 5, 12, 0, tzinfo=dt.UTC))


def answer(api: FakeApi, *, comments: Any = None) -> None:
    """VK's recorded answers for the four pages: a community, a person, a deleted and a private community."""
    api.on("/groups.getById", recorded("vk", "groups.getById"))
    api.on("/users.get", recorded("vk", "users.get"))
    api.on("/wall.get", recorded("vk", "wall.get-page1"), owner_id=COMMUNITY, offset=0)
    api.on("/wall.get", recorded("vk", "wall.get-page2"), owner_id=COMMUNITY, offset=2)
    api.on("/wall.get", recorded("vk", "wall.get-empty"), owner_id=PERSON)
    api.on("/wall.get", recorded("vk", "error-15"), owner_id=PRIVATE)
    api.on("/wall.getComments", recorded("vk", "wall.getComments-thread"), comment_id=5010)
    api.on("/wall.getComments", comments or recorded("vk", "wall.getComments"), post_id=1950)


def run(api: FakeApi, pages: list[Page] = PAGES, **options: float) -> Harvest:
    """The collector's harvest of `pages` through a real client of the test server."""
    settings = {"per_second": 1000.0, "timeout": 2.0, "retries": 2, "backoff": 0.01, **options}
    with Client(api.url, secrets=[TOKEN], **settings) as client:  # type: ignore[arg-type]
        return vk.collect(client, {vk.TOKEN.env: TOKEN}, pages, WINDOW, lambda page: None)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Two posts a page of wall.get, so that the recorded wall takes two requests."""
    monkeypatch.setattr(vk, "PAGE_SIZE", 2)


def test_followers_are_asked_in_one_batch_per_kind_of_page(api: FakeApi) -> None:
    """Communities in one groups.getById, people in one users.get; the snapshot is the page's local day."""
    answer(api)
    harvest = run(api)
    assert api.count("/groups.getById") == 1 and api.count("/users.get") == 1
    assert api.calls[0].params["group_ids"] == "186543210,200000001,200000002"
    assert harvest.followers == [
        {"date": "2026-12-05", "platform": "vk", "account_id": COMMUNITY, "followers": 12450, "posts_total": 235,
         "handle": "zarinsky_adm"},
        {"date": "2026-12-05", "platform": "vk", "account_id": PERSON, "followers": 8513, "posts_total": 0,
         "handle": "glava_zarinsk"},
    ]  # fmt: skip


def test_every_call_carries_the_pinned_version_and_the_token_in_the_body(api: FakeApi) -> None:
    """v=5.199 on every request; the token is a form field, never in a URL."""
    answer(api)
    run(api)
    assert {c.params["v"] for c in api.calls} == {"5.199"}
    assert all(c.params["access_token"] == TOKEN for c in api.calls)
    assert not any(TOKEN in c.headers.get("Referer", "") for c in api.calls)


def test_posts_are_paged_to_the_window_past_an_old_pinned_post(api: FakeApi) -> None:
    """The pinned June post does not stop the paging; the October post does; metrics and UTC times as VK gave them."""
    answer(api)
    posts = {p["post_id"]: p for p in run(api).posts}
    assert api.count("/wall.get", owner_id=COMMUNITY) == 2
    assert list(posts) == [f"{COMMUNITY}_1950", f"{COMMUNITY}_1949", f"{COMMUNITY}_1948"]
    assert posts[f"{COMMUNITY}_1950"] == {
        "collected_at": "2026-12-05T12:00:00Z", "platform": "vk", "account_id": COMMUNITY,
        "post_id": f"{COMMUNITY}_1950", "published_at": "2026-12-04T09:15:00Z", "post_type": "photo",
        "likes": 41, "comments": 6, "shares": 3, "views": 1804,
    }  # fmt: skip
    assert (posts[f"{COMMUNITY}_1949"]["post_type"], posts[f"{COMMUNITY}_1949"]["views"]) == ("live", 6733)
    assert (posts[f"{COMMUNITY}_1948"]["post_type"], posts[f"{COMMUNITY}_1948"]["views"]) == ("repost", 402)
    assert posts[f"{COMMUNITY}_1949"]["published_at"] == "2026-11-20T03:30:00Z"


def test_citizens_comments_get_the_pages_first_reply(api: FakeApi) -> None:
    """A reply by the page in the thread or addressed to the comment answers it; another community's does not."""
    answer(api)
    inquiries = {i["inquiry_id"].rsplit("_", 1)[1]: i for i in run(api).inquiries}
    assert sorted(inquiries) == ["5001", "5010", "5030", "5040"]  # the page's own comment and a deleted one are not
    assert inquiries["5001"]["received_at"] == "2026-12-04T10:02:11Z"
    assert inquiries["5001"]["first_reply_at"] == "2026-12-04T11:47:30Z"
    assert inquiries["5010"]["first_reply_at"] == "2026-12-05T03:15:00Z"  # the 11th reply, fetched from the thread
    assert api.count("/wall.getComments", comment_id=5010) == 1
    assert inquiries["5030"]["first_reply_at"] == ""
    assert inquiries["5040"]["first_reply_at"] == "2026-12-04T16:30:00Z"
    assert {i["replied_by"] for i in inquiries.values()} == {""}  # a community answers as itself
    assert inquiries["5001"]["inquiry_id"] == f"{COMMUNITY}_1950_5001"
    assert inquiries["5001"]["post_id"] == f"{COMMUNITY}_1950"
    assert set(inquiries["5001"]) == {"platform", "account_id", "inquiry_id", "channel", "post_id", "received_at",
                                      "first_reply_at", "replied_by", "topic"}  # fmt: skip


def test_deleted_and_private_pages_are_skipped_by_name(api: FakeApi) -> None:
    """A deleted community and a members-only wall are skipped with VK's reason; the others are collected."""
    answer(api)
    harvest = run(api)
    assert harvest.skipped == {
        DELETED: "page deleted on VK",
        PRIVATE: "access denied (VK error 15 in wall.get)",
    }
    assert {r["account_id"] for r in harvest.posts} == {COMMUNITY}


def test_a_name_instead_of_an_owner_id_is_skipped_with_what_is_expected(api: FakeApi) -> None:
    """account_id must be VK's numeric owner_id."""
    answer(api)
    harvest = run(api, [Page("zarinsky_adm")])
    assert "owner_id" in harvest.skipped["zarinsky_adm"]
    assert api.calls == []


def test_too_many_requests_is_waited_out(api: FakeApi) -> None:
    """VK's error 6 makes the client wait and ask again; the page is then collected."""
    api.on("/wall.get", recorded("vk", "error-6"), owner_id=PERSON, times=2)
    answer(api)
    harvest = run(api, [PAGES[1]])
    assert harvest.skipped == {} and len(harvest.followers) == 1
    assert api.count("/wall.get", owner_id=PERSON) == 3


def test_an_internal_error_of_vk_is_asked_again(api: FakeApi) -> None:
    """VK's error 10 (internal server error) is repeated after a pause like error 6; the page is collected."""
    api.on("/wall.get", recorded("vk", "error-10"), owner_id=PERSON, times=1)
    answer(api)
    harvest = run(api, [PAGES[1]])
    assert harvest.skipped == {} and len(harvest.followers) == 1
    assert api.count("/wall.get", owner_id=PERSON) == 2


def test_a_server_error_is_retried_and_a_lasting_one_skips_only_that_page(api: FakeApi) -> None:
    """A 500 then success collects the page; a page whose wall keeps failing is skipped with the HTTP status."""
    api.on("/wall.get", {}, status=500, times=1, owner_id=PERSON)
    api.on("/wall.get", {}, status=502, owner_id=COMMUNITY)
    answer(api)
    harvest = run(api, PAGES[:2])
    assert harvest.skipped == {COMMUNITY: "wall.get: HTTP 502"}
    assert [f["account_id"] for f in harvest.followers] == [PERSON]


def test_a_timeout_and_malformed_json_skip_the_page(api: FakeApi) -> None:
    """A wall that never answers in time, or answers with HTML, skips that page by name."""
    api.on("/wall.get", {}, delay=0.6, owner_id=COMMUNITY)
    api.on("/wall.get", "<html><body>502 Bad Gateway</body></html>", raw=True, owner_id=PERSON)
    answer(api)
    harvest = run(api, [PAGES[1], PAGES[0]], timeout=0.2, retries=0)  # the slow one last: the server answers in turn
    assert harvest.skipped == {
        COMMUNITY: "wall.get: no answer within 0.2 s",
        PERSON: "wall.get: the answer is not JSON",
    }


def test_a_method_closed_for_the_day_stops_for_the_run_with_a_notice(api: FakeApi) -> None:
    """Error 29 on wall.getComments: pages keep followers and posts; the notice says what is missing."""
    answer(api, comments=recorded("vk", "error-29"))
    harvest = run(api, PAGES[:2])
    assert harvest.skipped == {}
    assert len(harvest.posts) == 3 and harvest.inquiries == []
    assert harvest.notices == ["VK closed wall.getComments for this run: Rate limit reached (VK error 29); pages "
                               "collected without it"]  # fmt: skip


def test_closed_comments_of_one_post_are_noted(api: FakeApi) -> None:
    """Error 212 on one post's comments: a note, and the page is still collected."""
    answer(api, comments=recorded("vk", "error-212"))
    harvest = run(api, PAGES[:1])
    assert harvest.skipped == {} and harvest.notices == [f"{COMMUNITY}_1950: comments not readable (Access to post "
                                                          "comments denied)"]  # fmt: skip


def test_a_refused_token_ends_the_run_without_showing_it(api: FakeApi) -> None:
    """Error 5: RunFailed names the variable, never the token."""
    api.on("/groups.getById", recorded("vk", "error-5"))
    with pytest.raises(RunFailed) as caught:
        run(api)
    assert "GOVPULSE_VK_TOKEN" in str(caught.value) and TOKEN not in str(caught.value)


def test_the_token_appears_nowhere_in_what_a_run_returns(api: FakeApi) -> None:
    """No row, skip reason or notice carries the token."""
    api.on("/wall.get", {}, status=503, owner_id=PERSON)
    answer(api)
    harvest = run(api)
    assert TOKEN not in repr((harvest.followers, harvest.posts, harvest.inquiries, harvest.skipped, harvest.notices))
