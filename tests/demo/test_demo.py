"""The synthetic demo: deterministic, shaped exactly like the data contract, and telling its story lines."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import holidays
import pandas as pd
import pytest

from etl import demo
from etl.demo import stories
from tests.demo.contract_rules import KINDS, fields, keep_to_the_contract, keys_resolve

END = dt.date(2026, 10, 31)
MONTHS = 12
STAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d")


@pytest.fixture(scope="module")
def paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """One demo of 12 months ending 2026-10-31, shared by the module."""
    return demo.write_demo(tmp_path_factory.mktemp("demo"), seed=7, end=END, months=MONTHS)


@pytest.fixture(scope="module")
def data(paths: list[Path]) -> dict[str, pd.DataFrame]:
    """The demo files as text frames."""
    return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths}


def of(frame: pd.DataFrame, account: tuple[str, str]) -> pd.DataFrame:
    """Rows of one account."""
    platform, account_id = account
    return frame[(frame.platform == platform) & (frame.account_id == account_id)]


def daily(data: dict[str, pd.DataFrame], account: tuple[str, str]) -> pd.Series:
    """Followers of one account by day, gaps carried forward."""
    rows = of(data["followers"], account)
    series = pd.Series(rows.followers.astype(int).to_numpy(), index=pd.to_datetime(rows.date))
    return series.asfreq("D").ffill()


def test_files_are_returned_in_contract_order(paths: list[Path]) -> None:
    """write_demo returns territories, accounts, followers, posts, inquiries — the contract's order."""
    assert [p.name for p in paths] == [f"{kind}.csv" for kind in KINDS]


def test_headers_are_the_contract_fields_in_order(paths: list[Path]) -> None:
    """Each file's header row is exactly the contract's field names, in contract order."""
    for path, kind in zip(paths, KINDS, strict=True):
        header = path.read_text(encoding="utf-8").split("\n", 1)[0]
        assert header.split(",") == fields(kind)


def test_same_seed_and_end_give_identical_bytes(tmp_path: Path) -> None:
    """The same seed and end write byte-identical files."""
    first = demo.write_demo(tmp_path / "a", seed=3, end=END, months=2)
    second = demo.write_demo(tmp_path / "b", seed=3, end=END, months=2)
    for a, b in zip(first, second, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_another_seed_changes_the_numbers_but_not_the_registry(tmp_path: Path) -> None:
    """A different seed gives other follower numbers; territories and pages stay the same."""
    first = demo.write_demo(tmp_path / "a", seed=3, end=END, months=2)
    second = demo.write_demo(tmp_path / "b", seed=4, end=END, months=2)
    assert first[2].read_bytes() != second[2].read_bytes()
    assert first[0].read_bytes() == second[0].read_bytes()
    assert first[1].read_bytes() == second[1].read_bytes()


def test_end_defaults_to_yesterday(tmp_path: Path) -> None:
    """Without an end the demo ends yesterday: nothing in the future."""
    followers = pd.read_csv(demo.write_demo(tmp_path, months=1)[2], dtype=str)
    assert followers.date.max() == (dt.date.today() - dt.timedelta(days=1)).isoformat()


def test_nothing_is_dated_after_end(data: dict[str, pd.DataFrame]) -> None:
    """Every date and time is on or before the end day."""
    for kind in KINDS:
        for name in fields(kind, "date") + fields(kind, "datetime"):
            values = data[kind][name]
            values = values[values != ""]
            assert values.str[:10].max() <= END.isoformat(), (kind, name)


def test_snapshots_cover_the_months_asked_for(data: dict[str, pd.DataFrame]) -> None:
    """Follower snapshots start 12 months before the end and reach the end day."""
    dates = data["followers"].date
    assert dates.min() == "2025-11-01"
    assert dates.max() == END.isoformat()


def test_timestamps_are_local_wall_time_without_offset(data: dict[str, pd.DataFrame]) -> None:
    """Datetimes are written YYYY-MM-DDTHH:MM:SS with no offset; dates are ISO."""
    for kind in KINDS:
        for name in fields(kind, "datetime"):
            values = data[kind][name]
            assert values[values != ""].str.fullmatch(STAMP).all(), (kind, name)
        for name in fields(kind, "date"):
            values = data[kind][name]
            assert values[values != ""].str.fullmatch(r"\d{4}-\d\d-\d\d").all(), (kind, name)


def test_values_keep_to_the_contract(data: dict[str, pd.DataFrame]) -> None:
    """Required fields are filled, enums hold, integers are non-negative, flags are 0/1 or a date."""
    keep_to_the_contract(data)


def test_keys_are_unique_and_references_resolve(data: dict[str, pd.DataFrame]) -> None:
    """Primary keys are unique; parents, territories and accounts referred to exist."""
    keys_resolve(data)


def test_comments_point_at_a_post_of_the_same_account(data: dict[str, pd.DataFrame]) -> None:
    """A comment names a real post of that account; direct messages and mentions name none."""
    inquiries = data["inquiries"]
    comments = inquiries[inquiries.channel == "comment"]
    posts = data["posts"][["platform", "account_id", "post_id", "published_at"]]
    joined = comments.merge(posts, on=["platform", "account_id", "post_id"], how="left")
    assert joined.published_at.ne("").all() and joined.published_at.notna().all()
    assert (joined.received_at >= joined.published_at).all()
    assert (inquiries[inquiries.channel != "comment"].post_id == "").all()


def test_registry_looks_like_the_field(data: dict[str, pd.DataFrame]) -> None:
    """1,500–2,200 pages; 639 required Altai settlement pages, 479 with a dated official mark; no links."""
    accounts, territories = data["accounts"], data["territories"]
    assert 1_500 <= len(accounts) <= 2_200
    assert (accounts.url == "").all()
    kz_regions = territories[(territories.level == "region") & (territories.parent_code == "KZ")]
    assert len(kz_regions) == 20
    settlements = territories[(territories.level == "settlement") & territories.code.str.startswith("RU-ALT")]
    pages = accounts[accounts.territory_code.isin(settlements.code)]
    assert len(settlements) == len(pages) == 639
    assert (pages.platform == "vk").all() and (pages.required == "1").all()
    assert pages.official_mark.str.startswith("2023-").sum() == 479
    assert set(pages.official_mark[~pages.official_mark.str.startswith("2023-")]) == {"0"}


def test_owners_are_offices_not_people(data: dict[str, pd.DataFrame]) -> None:
    """A person's page is named by its office (akim, deputy, governor), never by a person's name."""
    people = data["accounts"][data["accounts"].owner_kind == "person"]
    assert people.owner_name.str.match(r"(Аким|Заместитель акима|Губернатор) ").all()


def test_budgets_keep_the_demo_quick_to_load(data: dict[str, pd.DataFrame]) -> None:
    """Even this year-long demo stays within the row budgets of the default one."""
    assert len(data["followers"]) <= 1_000_000
    assert len(data["posts"]) <= 200_000
    assert len(data["inquiries"]) <= 300_000


def test_posts_total_counts_the_posts(data: dict[str, pd.DataFrame]) -> None:
    """posts_total grows between two snapshots by exactly the posts published in between."""
    followers = data["followers"].copy()
    followers["posts_total"] = followers.posts_total.astype(int)
    span = followers.groupby(["platform", "account_id"]).agg(
        first=("date", "min"), last=("date", "max"), grown=("posts_total", lambda s: s.iloc[-1] - s.iloc[0])
    )
    posts = data["posts"].merge(span.reset_index(), on=["platform", "account_id"])
    day = posts.published_at.str[:10]
    inside = posts[(day > posts["first"]) & (day <= posts["last"])]
    counted = inside.groupby(["platform", "account_id"]).size().reindex(span.index, fill_value=0)
    assert (counted == span.grown).all()


def test_posts_are_published_in_daytime_and_collected_later(data: dict[str, pd.DataFrame]) -> None:
    """Posts go out between 08:00 and 22:00 local time and are collected after publication."""
    posts = data["posts"]
    assert posts.published_at.str[11:13].astype(int).between(8, 21).all()
    assert (posts.collected_at > posts.published_at).all()


def test_a_reply_never_precedes_the_inquiry(data: dict[str, pd.DataFrame]) -> None:
    """first_reply_at, where set, is after received_at, and only replies have a replier."""
    inquiries = data["inquiries"]
    answered = inquiries[inquiries.first_reply_at != ""]
    assert (answered.first_reply_at > answered.received_at).all()
    assert (answered.replied_by != "").all()
    assert (inquiries[inquiries.first_reply_at == ""].replied_by == "").all()
    assert 0.4 < len(answered) / len(inquiries) < 0.95


def test_replies_fall_in_working_hours(data: dict[str, pd.DataFrame]) -> None:
    """Replies come Monday–Friday 09:00–18:00 local time, never 13:00–14:00, never on a national holiday."""
    inquiries = data["inquiries"]
    answered = inquiries[inquiries.first_reply_at != ""]
    country = answered.merge(data["accounts"], on=["platform", "account_id"]).territory_code.str[:2]
    at = pd.to_datetime(answered.first_reply_at).reset_index(drop=True)
    assert (at.dt.day_of_week < 5).all()
    assert (at.dt.hour.between(9, 12) | at.dt.hour.between(14, 17)).all()
    for code in ("KZ", "RU"):
        days_off = holidays.country_holidays(code, years=range(END.year - 2, END.year + 1))
        mine = at[(country == code).to_numpy()]
        assert not mine.dt.date.isin(list(days_off)).any(), code


def test_stories_point_at_registered_pages(data: dict[str, pd.DataFrame]) -> None:
    """Every story line names pages that are in the registry."""
    keys = set(zip(data["accounts"].platform, data["accounts"].account_id, strict=True))
    assert set(demo.STORIES) == {
        "new_akim",
        "campaign",
        "never_answers",
        "dormant",
        "training",
        "bought_followers",
        "rename",
    }
    for name, story in demo.STORIES.items():
        assert story.accounts and set(story.accounts) <= keys, name
        assert story.description, name


def test_max_channels_open_in_altai_krai_from_august_2025(data: dict[str, pd.DataFrame]) -> None:
    """MAX channels: the krai's governor and government and about half of its districts, created Aug–Dec 2025."""
    accounts, territories = data["accounts"], data["territories"]
    channels = accounts[accounts.platform == "max"]
    assert channels.territory_code.str.startswith("RU-ALT").all()
    assert sorted(channels[channels.territory_code == "RU-ALT"].owner_role) == ["body", "head"]
    districts = territories[(territories.level == "district") & territories.code.str.startswith("RU-ALT")]
    assert 0.3 <= channels.territory_code.isin(districts.code).sum() / len(districts) <= 0.7
    assert channels.created_on.between("2025-08-01", "2025-12-31").all()
    assert (channels.official_mark == channels.created_on).all()
    followers = data["followers"][data["followers"].platform == "max"]
    first = followers.groupby("account_id").date.min()
    assert (first >= channels.set_index("account_id").created_on[first.index]).all()


def test_max_channels_post_and_are_asked_like_telegram(data: dict[str, pd.DataFrame]) -> None:
    """MAX posts are texts, photos and videos, each with views and few likes; inquiries are comments and mentions."""
    posts = data["posts"][data["posts"].platform == "max"]
    assert len(posts) > 1_000 and set(posts.post_type) == {"text", "photo", "video"}
    assert (posts.views != "").all()
    assert posts.likes.astype(int).sum() * 20 < posts.views.astype(int).sum()
    inquiries = data["inquiries"][data["inquiries"].platform == "max"]
    assert len(inquiries) > 100 and set(inquiries.channel) == {"comment", "mention"}


def test_max_channels_created_after_the_end_are_left_out(tmp_path: Path) -> None:
    """A demo that ends in September 2025 has the MAX channels created by then, and none of the later ones."""
    end = dt.date(2025, 9, 30)
    accounts = pd.read_csv(demo.write_demo(tmp_path, seed=3, end=end, months=1)[1], dtype=str)
    created = accounts[accounts.platform == "max"].created_on
    _, pages = stories.demo_registry()
    assert 0 < len(created) < sum(p.platform == "max" for p in pages)
    assert (created <= end.isoformat()).all()


def test_story_new_akim_reaches_about_a_thousand_in_two_months(data: dict[str, pd.DataFrame]) -> None:
    """A new district akim's Instagram appears ~4 months before the end, has 800–1,300 followers after ~60 days."""
    (account,) = demo.STORIES["new_akim"].accounts
    created = of(data["accounts"], account).created_on.item()
    assert created == (END - dt.timedelta(days=120)).isoformat()
    series = daily(data, account)
    assert series.index[0] == pd.Timestamp(created) and series.iloc[0] < 50
    at_60 = series[pd.Timestamp(created) + pd.Timedelta(days=60)]
    assert 800 <= at_60 <= 1_300
    assert at_60 < series.iloc[-1] < 1.5 * at_60


def test_story_campaign_gains_fifteen_thousand_in_under_three_weeks(data: dict[str, pd.DataFrame]) -> None:
    """A regional akim's Instagram gains ~15,000 followers within 20 days, against a small usual gain."""
    (account,) = demo.STORIES["campaign"].accounts
    gain = (daily(data, account).shift(-20) - daily(data, account)).dropna()
    assert 13_000 <= gain.max() <= 18_000
    assert gain.median() < 1_500
    peak = gain.idxmax().date()
    assert abs((END - peak).days - demo.STORIES["campaign"].days_before_end) <= 20


def test_story_never_answers(data: dict[str, pd.DataFrame]) -> None:
    """Some district pages get inquiries but never answer any."""
    for account in demo.STORIES["never_answers"].accounts:
        rows = of(data["inquiries"], account)
        assert len(rows) > 20
        assert (rows.first_reply_at == "").all()


def test_story_dormant_pages_stop_posting(data: dict[str, pd.DataFrame]) -> None:
    """Dormant pages have no posts in the last 60 days and flat followers."""
    cutoff = (END - dt.timedelta(days=60)).isoformat()
    for account in demo.STORIES["dormant"].accounts:
        posts = of(data["posts"], account)
        assert (posts.published_at < cutoff).all()
        recent = of(data["followers"], account)
        recent = recent[recent.date >= cutoff].followers.astype(int)
        assert recent.max() - recent.min() <= max(10, 0.01 * recent.max())


def test_story_training_lifts_the_response_rate(data: dict[str, pd.DataFrame]) -> None:
    """Settlements of the trained district answer ~30 % before the training month and ~85 % after it."""
    story = demo.STORIES["training"]
    assert story.territory_code.startswith("RU-ALT-")
    inquiries = data["inquiries"]
    keys = pd.MultiIndex.from_tuples(story.accounts)
    mine = inquiries[pd.MultiIndex.from_frame(inquiries[["platform", "account_id"]]).isin(keys)]
    trained = END - dt.timedelta(days=story.days_before_end)
    before = mine[mine.received_at < (trained - dt.timedelta(days=30)).isoformat()]
    after = mine[mine.received_at >= trained.isoformat()]
    assert len(before) > 50 and len(after) > 50
    assert (before.first_reply_at != "").mean() < 0.45
    assert (after.first_reply_at != "").mean() > 0.7


def test_story_bought_followers_spike_then_leak(data: dict[str, pd.DataFrame]) -> None:
    """One page gains ~8,000 followers in a single day, then slowly loses part of them."""
    (account,) = demo.STORIES["bought_followers"].accounts
    series = daily(data, account)
    jump = series.diff()
    day = jump.idxmax()
    assert 7_500 <= jump.max() <= 8_500
    assert abs((END - day.date()).days - demo.STORIES["bought_followers"].days_before_end) <= 1
    later = series[day + pd.Timedelta(days=60)]
    assert series[day] - 5_000 < later < series[day] - 1_000


def test_story_rename_changes_the_handle_once(data: dict[str, pd.DataFrame]) -> None:
    """A page's handle changes once in the snapshots; the registry holds the new handle."""
    (account,) = demo.STORIES["rename"].accounts
    handles = of(data["followers"], account).sort_values("date").handle
    assert handles.nunique() == 2
    assert (handles != handles.shift()).sum() == 2
    assert handles.iloc[-1] == of(data["accounts"], account).handle.item()
