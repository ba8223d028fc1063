"""Links to posts and pages are built from the ids each collector writes, read from its recorded API answers; ids of
another form (the synthetic demo's) give the page's address or no link, never a made-up one."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from dashboard.links import page_url, post_url
from etl.collect import instagram_rows, ok, telegram, tme, vk, x_rows, youtube
from etl.collect import max as max_
from etl.collect.base import Page, Window
from tests.collect.conftest import RESPONSES, recorded
from tests.dashboard.support import demo_database

WINDOW = Window(dt.datetime(2026, 11, 5, tzinfo=dt.UTC), dt.datetime(2026, 12, 5, 12, tzinfo=dt.UTC))
NOW = WINDOW.now


def test_vk_links_the_wall_post_of_the_community() -> None:
    """A VK post id is `{owner_id}_{post}`: the link opens vk.com/wall-OWNER_POST, with or without a page address."""
    item = recorded("vk", "wall.get-page1")["response"]["items"][0]
    page = Page(str(item["owner_id"]), "zarinsky_adm")
    row = vk.post_row(page, item, WINDOW)
    want = f"https://vk.com/wall{item['owner_id']}_{item['id']}"
    assert post_url("vk", page.account_id, page.handle, row["post_id"]) == want
    assert post_url("vk", page.account_id, page.handle, row["post_id"], "https://vk.com/zarinsky_adm") == want


def test_ok_links_the_group_topic_only_for_a_page_with_an_address() -> None:
    """OK's topic ids are bare numbers: ok.ru/group/GROUP/topic/TOPIC once the registry gives the page's address."""
    topic = recorded("ok", "mediatopic_getTopics_page1")["media_topics"][0]
    page = Page("70000001234567", "zarinsky")
    row = ok.post_row(page, topic, WINDOW)
    assert post_url("ok", page.account_id, page.handle, row["post_id"]) is None
    got = post_url("ok", page.account_id, page.handle, row["post_id"], "https://ok.ru/group/70000001234567")
    assert got == f"https://ok.ru/group/70000001234567/topic/{topic['id']}"


def test_telegram_links_the_message_by_the_channel_username() -> None:
    """A Telegram post id is `{chat id}_{message id}`; the link is t.me/USERNAME/ID, the form the preview itself
    names each message by (`data-post`)."""
    html = (RESPONSES / "telegram" / "preview-page1.html").read_text(encoding="utf-8")
    post = tme.parse_preview(html).posts[-1]
    page = Page("-1001234567890", "altai_gov")
    row = telegram.post_row(page, post, 0, WINDOW)
    assert f'data-post="altai_gov/{post.message_id}"' in html
    assert post_url("telegram", page.account_id, "@altai_gov", row["post_id"]) == (
        f"https://t.me/altai_gov/{post.message_id}"
    )
    # Without a public username there is no public link: the page's address when known, else none.
    assert post_url("telegram", page.account_id, "", row["post_id"]) is None
    assert (
        post_url("telegram", page.account_id, "", row["post_id"], "https://t.me/altai_gov") == "https://t.me/altai_gov"
    )


def test_youtube_links_the_video() -> None:
    """A YouTube post id is the video id: youtube.com/watch?v=ID."""
    video = recorded("youtube", "videos")["items"][0]
    channel = recorded("youtube", "channels")["items"][0]
    page = Page(channel["id"], channel["snippet"]["customUrl"])
    row = youtube.post_row(page, video, NOW)
    assert post_url("youtube", page.account_id, page.handle, row["post_id"]) == (
        f"https://www.youtube.com/watch?v={video['id']}"
    )


def test_instagram_links_the_profile() -> None:
    """The Graph API's media id is not the permalink's shortcode: a post opens its account's profile, for a page
    whose address the registry gives."""
    media = recorded("instagram", "media")["data"][0]
    page = Page("17841405309211844", "akim_kostanay_obl")
    row = instagram_rows.post_row(page, media, NOW)
    assert media["permalink"].rstrip("/").rsplit("/", 1)[-1] not in row["post_id"]
    assert post_url("instagram", page.account_id, page.handle, row["post_id"]) is None
    got = post_url("instagram", page.account_id, page.handle, row["post_id"], "https://instagram.com/akim_kostanay_obl")
    assert got == "https://www.instagram.com/akim_kostanay_obl/"


def test_x_links_the_status() -> None:
    """An X post id is the status id: x.com/HANDLE/status/ID (x.com/i/web/status/ID without a usable handle)."""
    tweet = recorded("x", "tweets-page1")["data"][0]
    user = recorded("x", "users")["data"][0]
    page = Page(user["id"], user["username"])
    row = x_rows.post_row(page, tweet, {}, NOW)
    address = f"https://x.com/{user['username']}"
    assert post_url("x", page.account_id, page.handle, row["post_id"], address) == (
        f"https://x.com/{user['username']}/status/{tweet['id']}"
    )
    assert post_url("x", page.account_id, "", row["post_id"], address) == f"https://x.com/i/web/status/{tweet['id']}"
    assert post_url("x", page.account_id, page.handle, row["post_id"]) is None


def test_max_links_the_channel() -> None:
    """A MAX post id is the Bot API's `mid`, which is not the short code of a post's public link: the channel."""
    message = recorded("max", "messages")["messages"][0]
    page = Page("-72345678901234", "altai_gov")
    row = max_.post_row(page, message, 0, WINDOW)
    assert row["post_id"].startswith("mid.")
    assert post_url("max", page.account_id, page.handle, row["post_id"], "https://max.ru/altai_gov") == (
        "https://max.ru/altai_gov"
    )
    assert post_url("max", page.account_id, page.handle, row["post_id"]) is None


def test_a_platform_without_a_known_post_form_links_the_page() -> None:
    """Facebook has no collector: its posts open the page, when the registry gives its address."""
    assert post_url("facebook", "2001", "karasu.akim", "2001_77", "https://facebook.com/karasu.akim") == (
        "https://facebook.com/karasu.akim"
    )
    assert post_url("facebook", "2001", "karasu.akim", "2001_77") is None


def test_ids_of_another_form_never_make_a_link() -> None:
    """A VK id of another page, a Telegram id without its channel, a malformed YouTube id: no link."""
    assert post_url("vk", "3001", "zarinsky", "-3001_12") is None  # the owner part is not the page's id
    assert post_url("vk", "-3001", "zarinsky", "w1") is None
    assert post_url("telegram", "-1001234567890", "altai_gov", "1214") is None
    assert post_url("telegram", "-1009999999999", "altai_gov", "-1001234567890_1214") is None
    assert post_url("youtube", "UCx4Kq8mT2vZbN7wLp3sRj9A", "@karasu", "1701234567") is None
    assert post_url("youtube", "karasu", "@karasu", "Up9cO2mI4nG") is None
    assert post_url("ok", "70000001234567", "g", "t-1", "https://ok.ru/group/70000001234567") == (
        "https://ok.ru/group/70000001234567"
    )


@pytest.mark.parametrize(
    ("url", "want"),
    [
        ("https://vk.com/zarinsky_adm", "https://vk.com/zarinsky_adm"),
        (" http://ok.ru/group/1 ", "http://ok.ru/group/1"),
        ("vk.com/zarinsky_adm", None),
        ("javascript:alert(1)", None),
        ("https://", None),
        ("", None),
        (None, None),
    ],
)
def test_a_page_address_is_a_web_address_or_nothing(url: str | None, want: str | None) -> None:
    """Only http and https addresses are links: anything else in the registry's `url` is left out."""
    assert page_url(url) == want


def test_no_post_of_the_synthetic_demo_gets_a_link(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The demo's pages are invented and have no address: none of its posts, on any platform, gets a link."""
    folder: Path = demo_database(tmp_path_factory)
    engine = create_engine(f"sqlite:///{folder / 'govpulse.db'}")
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT a.platform, a.account_id, a.handle, p.post_id, a.url FROM post p "
                "JOIN account a ON a.id = p.account_pk"
            )
        ).all()
    engine.dispose()
    assert {r.platform for r in rows} >= {"vk", "ok", "telegram", "max", "instagram", "facebook"}
    assert [r for r in rows if post_url(*r) is not None] == []
