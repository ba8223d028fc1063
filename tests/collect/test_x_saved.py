"""Saved X answers (v2 as the collector asks for them, v1.1 objects) read into the rows a run would give."""

import datetime as dt
from typing import Any

import pytest

from etl.collect import platform
from etl.collect.base import Harvest, Page, Saved
from tests.collect import test_x
from tests.collect.conftest import FakeApi, recorded
from tests.collect.test_x import GONE, GOV, HEAD, PAGES, SUSPENDED, WINDOW

V2 = ["users", "tweets-page1", "tweets-page2", "mentions"]
SAVED_AT = dt.datetime(2021, 1, 8, 9, tzinfo=dt.UTC)
A, REPOST = "1346743306865942570", "1346354494855630889"  # GOV's photo post and its repost, January 2021
CITIZEN = "1347090595355189294"  # a citizen's reply to A, found by a search
REAL = "1346889436626259968"  # X's own example post (created Wed Jan 06 18:40:40 +0000 2021), which GOV answered


def read(documents: list[tuple[str, Any]], pages: list[Page], day: dt.date, saved_at: dt.datetime) -> Harvest:
    """The rows of saved answers through the X platform's read_saved."""
    read_saved = platform("x").read_saved
    assert read_saved is not None
    return read_saved(Saved(documents, pages, day, saved_at))


def v1() -> list[tuple[str, Any]]:
    """The v1.1 answers: users/lookup, GOV's statuses/user_timeline and a search/tweets for @altai_gov."""
    return [(f"{name}.json", recorded("x", name)) for name in ("v1-users", "v1-user-timeline", "v1-search")]


def test_saved_v2_answers_give_the_rows_of_the_run(api: FakeApi) -> None:
    """The collector's own answers, saved file by file or as one list, give its followers, posts, inquiries and
    skipped pages, dated by the day and time they were saved."""
    test_x.answer(api)
    pages = [p for p in PAGES if p.account_id in {GOV, HEAD, SUSPENDED, GONE}]
    run = test_x.run(api, pages)
    files = [(f"{name}.json", recorded("x", name)) for name in V2]
    for documents in (files, [("all.json", [document for _, document in files])]):
        saved = read(documents, pages, dt.date(2026, 12, 5), WINDOW.now)
        assert (saved.followers, saved.posts, saved.inquiries) == (run.followers, run.posts, run.inquiries)
        assert saved.skipped == run.skipped and len(saved.posts) == 8 and len(saved.inquiries) == 6


def test_saved_rows_are_only_the_registry_s_pages() -> None:
    """Answers about other accounts give no rows: only the registry's pages are read."""
    documents = [(f"{name}.json", recorded("x", name)) for name in V2[:3]]
    saved = read(documents, [Page(HEAD, "glava_zarinsk")], dt.date(2026, 12, 5), WINDOW.now)
    assert [r["account_id"] for r in saved.followers] == [HEAD]
    assert saved.posts == saved.inquiries == [] and saved.skipped == {}


def test_v1_users_and_tweets_become_the_same_rows() -> None:
    """statuses_count and followers_count are the snapshot; favorite_count and retweet_count the post's (v1.1 has
    no replies or impressions); an answered post missing from the answers is timed by its id."""
    saved = read(v1(), [Page(GOV, "altai_gov")], SAVED_AT.date(), SAVED_AT)
    assert saved.followers == [
        {"date": "2021-01-08", "platform": "x", "account_id": GOV, "followers": 45870, "posts_total": 4890,
         "handle": "altai_gov"}
    ]  # fmt: skip
    assert saved.posts == [
        {"collected_at": "2021-01-08T09:00:00Z", "platform": "x", "account_id": GOV, "post_id": A,
         "published_at": "2021-01-06T09:00:00Z", "post_type": "photo", "likes": 64, "comments": 0, "shares": 11,
         "views": ""},
        {"collected_at": "2021-01-08T09:00:00Z", "platform": "x", "account_id": GOV, "post_id": REPOST,
         "published_at": "2021-01-05T07:15:00Z", "post_type": "repost", "likes": 0, "comments": 0, "shares": 150,
         "views": ""},
    ]  # fmt: skip
    assert saved.inquiries == [
        {"platform": "x", "account_id": GOV, "inquiry_id": REAL, "channel": "mention", "post_id": "",
         "received_at": "2021-01-06T18:40:40Z", "first_reply_at": "2021-01-06T19:05:00Z", "replied_by": "",
         "topic": ""},
        {"platform": "x", "account_id": GOV, "inquiry_id": CITIZEN, "channel": "comment", "post_id": A,
         "received_at": "2021-01-07T08:00:00Z", "first_reply_at": "2021-01-07T10:30:00Z", "replied_by": "",
         "topic": ""},
    ]  # fmt: skip


def test_v1_ids_are_read_from_id_str_never_the_number() -> None:
    """A reader that went through floats has rounded the numeric ids: the rows keep id_str's every digit."""

    def rounded(value: Any) -> Any:
        if isinstance(value, list):
            return [rounded(v) for v in value]
        if isinstance(value, dict):
            return {k: float(v) if k == "id" and isinstance(v, int) else rounded(v) for k, v in value.items()}
        return value

    documents = [(name, rounded(document)) for name, document in v1()]
    assert documents[2][1]["statuses"][1]["id"] == float(CITIZEN) and str(int(float(CITIZEN))) != CITIZEN
    saved = read(documents, [Page(GOV, "altai_gov")], SAVED_AT.date(), SAVED_AT)
    assert [i["inquiry_id"] for i in saved.inquiries] == [REAL, CITIZEN]
    assert [p["post_id"] for p in saved.posts] == [A, REPOST] and saved.followers[0]["account_id"] == GOV


@pytest.mark.parametrize(
    ("document", "said"),
    [
        ({"response": {"count": 0, "items": []}}, "not an X API answer"),
        ({"statuses": [{"id": 1, "text": "no id_str"}]}, "not an X API v1.1 tweet"),
        ({"data": [{"id": "1", "name": "a list"}]}, "neither users nor posts"),
        ({"data": [{"id": "1", "text": "a post"}], "meta": {"result_count": 1}}, "without author_id"),
    ],
)
def test_an_answer_of_another_kind_names_its_file_and_the_kinds_read(document: Any, said: str) -> None:
    """A document of no known shape raises ValueError with the file's name and what this reader understands."""
    with pytest.raises(ValueError, match=said) as caught:
        read([("night.json", document)], PAGES, dt.date(2026, 12, 5), WINDOW.now)
    assert str(caught.value).startswith("night.json: ")
