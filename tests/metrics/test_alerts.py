"""Alerts on the hand-readable data and a next day's delivery: each rule finds its pages, episodes open, hold, clear
and reopen, and each open alert is owed once to every channel subscribed with alerts to its page's territory or an
ancestor of it."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from etl.ingest.load import load_paths
from etl.metrics import alerts
from etl.metrics.responsiveness.query import waiting_inquiries
from etl.metrics.worktime import Clocks, Deadline
from etl.settings import Settings, get_settings
from etl.store.changes import version
from etl.store.subscriptions import add
from tests.conftest import copy_data, dump
from tests.store.test_reply_histograms import ACCOUNTS, Replies
from tests.store.test_rollups import DAY0

T1, T2, T3, T4 = (dt.datetime(2026, 3, 7, hour, tzinfo=dt.UTC) for hour in (6, 7, 8, 9))
# 6 March: Kostanay's head gains 2,600 followers in a day (25 %), Zarinsky's page loses 560 (36 %).
FOLLOWERS = """date,platform,account_id,followers,posts_total,handle
2026-03-06,instagram,1001,13000,503,akim_kostanay_obl
2026-03-06,vk,-3001,1000,304,zarinsky_adm
"""
# Three comments to the Kostanay head on Monday morning, still unanswered: far past the 8 working hours by the data's
# latest time (4 March, 12:00 UTC).
INQUIRIES = """platform,account_id,inquiry_id,channel,post_id,received_at,first_reply_at,replied_by,topic
instagram,1001,w1,comment,p1,2026-03-02T04:00:00Z,,,roads
instagram,1001,w2,comment,p1,2026-03-02T04:10:00Z,,,gas
instagram,1001,w3,comment,p1,2026-03-02T04:20:00Z,,,roads
"""


def conf(**values: int) -> Settings:
    """The settings with a page silent after 4 days and an alert from 3 citizens waiting past the deadline."""
    return get_settings().model_copy(update={"active_days": 4, "alert_overdue": 2, **values})


@pytest.fixture
def data(engine: Engine, tmp_path: Path) -> Iterator[Engine]:
    """tests/data with the next day's followers and the waiting comments, loaded by the real loader."""
    folder = copy_data(tmp_path)
    (folder / "z_followers.csv").write_text(FOLLOWERS, encoding="utf-8")
    (folder / "z_inquiries.csv").write_text(INQUIRIES, encoding="utf-8")
    results = load_paths(engine, [folder])
    assert all(r.ok for r in results), [(r.path, r.message) for r in results]
    yield engine


def pages(engine: Engine) -> dict[int, str]:
    with engine.connect() as conn:
        return {int(i): str(a) for i, a in conn.execute(text("SELECT id, account_id FROM account"))}


def named(frame: pd.DataFrame, engine: Engine, *columns: str) -> set[tuple[object, ...]]:
    """Rows of alerts as (kind, account_id, *columns)."""
    ids = pages(engine)
    return {(r["kind"], ids[int(r["account_pk"])], *(r[c] for c in columns)) for _, r in frame.iterrows()}


def data_version(engine: Engine) -> int:
    with engine.connect() as conn:
        return version(conn)


def stored(engine: Engine) -> pd.DataFrame:
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(text("SELECT * FROM alert ORDER BY id")).mappings().all())
    for col in ("first_seen", "last_seen", "cleared_at"):
        frame[col] = pd.to_datetime(frame[col], utc=True, format="ISO8601")
    return frame


def test_each_rule_finds_its_pages(data: Engine) -> None:
    """At 6 March: the page that never posted is silent for the 4 days since its first, the head has 3 citizens
    waiting past the deadline, the head's gain is a spike and Zarinsky's loss a drop; nothing else."""
    found = alerts.current(data, conf())
    day = dt.date(2026, 3, 6)
    assert named(found, data, "figure", "day") == {
        ("silent", "-3002", 4.0, day),
        ("overdue", "1001", 3.0, day),
        ("spike", "1001", 2600.0, day),
        ("drop", "-3001", -560.0, day),
    }
    assert named(found, data, "territory_code") == {
        ("silent", "-3002", "RU-ALT-ZAR-01"),
        ("overdue", "1001", "KZ-KUS"),
        ("spike", "1001", "KZ-KUS"),
        ("drop", "-3001", "RU-ALT-ZAR"),
    }
    # At the thresholds' other side nothing is raised: 3 waiting is not more than 3, 10 days is not silent.
    assert set(alerts.current(data, conf(active_days=10, alert_overdue=3))["kind"]) == {"spike", "drop"}


def test_episodes_open_hold_clear_and_reopen(data: Engine) -> None:
    """A second run keeps the episodes (last seen moves on); a rule that stops holding clears its episode; when it
    holds again a new episode opens; a dry run reports the same and stores nothing. The data's version (what the
    dashboard keeps its reads by) moves with each run that opened or cleared an episode, and with no other."""
    loaded = data_version(data)
    first = alerts.evaluate(data, T1, settings=conf())
    assert (len(first.opened), first.kept, first.cleared, first.day) == (4, 0, 0, dt.date(2026, 3, 6))
    opened = data_version(data)
    assert opened > loaded
    second = alerts.evaluate(data, T2, settings=conf())
    assert (second.opened, second.kept, second.cleared) == ([], 4, 0)
    assert data_version(data) == opened
    rows = stored(data)
    assert set(rows["state"]) == {"open"} and set(rows["first_seen"]) == {pd.Timestamp(T1)}
    assert set(rows["last_seen"]) == {pd.Timestamp(T2)}

    before = dump(data)
    dry = alerts.evaluate(data, T3, settings=conf(active_days=10), dry_run=True)
    assert (dry.opened, dry.kept, dry.cleared) == ([], 3, 1)
    assert dump(data) == before

    third = alerts.evaluate(data, T3, settings=conf(active_days=10))
    assert (third.opened, third.kept, third.cleared) == ([], 3, 1)
    assert data_version(data) > opened  # PostgreSQL's ids may skip the one the dry run took
    silent = stored(data).query("kind == 'silent'")
    assert silent[["state", "cleared_at"]].values.tolist() == [["cleared", pd.Timestamp(T3)]]
    fourth = alerts.evaluate(data, T4, settings=conf())
    assert (len(fourth.opened), fourth.kept, fourth.cleared) == (1, 3, 0)
    silent = stored(data).query("kind == 'silent'")
    assert silent["state"].tolist() == ["cleared", "open"] and silent["id"].tolist()[1] == fourth.opened[0]
    assert silent["first_seen"].tolist()[1] == pd.Timestamp(T4)


def test_open_alerts_are_owed_once_to_each_channel_subscribed_with_alerts(data: Engine) -> None:
    """Kazakhstan's subscriber hears of Kostanay's alerts once though subscribed twice (in the language of its first
    subscription); the Zarinsky district's subscriber hears of its settlement's; an address without alerts hears
    nothing; told alerts are owed no more, until one clears and reopens."""
    add(data, "telegram:-100", "KZ", "week", "kk", True, T1)
    add(data, "telegram:-100", "KZ-KUS", "month", "ru", True, T1)
    add(data, "email:press@altai.example.ru", "RU-ALT", "week", "ru", False, T1)
    add(data, "max:-5", "RU-ALT-ZAR", "week", "ru", True, T1)
    pending = alerts.evaluate(data, T1, settings=conf()).pending
    assert named(pending, data, "channel", "language") == {
        ("overdue", "1001", "telegram:-100", "kk"),
        ("spike", "1001", "telegram:-100", "kk"),
        ("silent", "-3002", "max:-5", "ru"),
        ("drop", "-3001", "max:-5", "ru"),
    }
    told = pending[pending["channel"] == "telegram:-100"]
    alerts.mark_sent(data, [(int(i), "telegram:-100") for i in told["id"]], T1)
    alerts.mark_sent(data, [(int(i), "telegram:-100") for i in told["id"]], T2)  # a run at the same time: no error
    pending = alerts.evaluate(data, T2, settings=conf()).pending
    assert set(pending["channel"]) == {"max:-5"}
    alerts.mark_sent(data, [(int(i), "max:-5") for i in pending["id"]], T2)
    assert alerts.evaluate(data, T2, settings=conf()).pending.empty
    alerts.evaluate(data, T3, settings=conf(active_days=10))
    pending = alerts.evaluate(data, T4, settings=conf()).pending
    assert named(pending, data, "channel") == {("silent", "-3002", "max:-5")}


def test_open_alerts_of_a_subtree(data: Engine) -> None:
    """The Overview's list: the open alerts of the pages under a territory."""
    alerts.evaluate(data, T1, settings=conf())
    kostanay = alerts.open_alerts(data, "KZ-KUS", "region_code")
    assert sorted(kostanay["kind"]) == ["overdue", "spike"]
    assert sorted(alerts.open_alerts(data, "RU", "country_code")["kind"]) == ["drop", "silent"]


def waiting_past_deadline(engine: Engine, end: dt.date, settings: Settings) -> dict[int, int]:
    """Overdue pages by definition: every inquiry still waiting at the end of `end`, timed one by one."""
    rows = waiting_inquiries(engine, end, settings=settings)
    with engine.connect() as conn:
        clocks = Clocks.load(conn, settings.data_dir)
    never = pd.Series(pd.NaT, index=rows.index, dtype="datetime64[us]")
    rule = Deadline.parse(settings.deadline)
    met = clocks.deadline_met(rows["received_at"], never, rows["territory_code"], rule, rows["as_of"])
    late = rows[met.eq(False).fillna(False).to_numpy()]
    return {int(k): int(n) for k, n in late.groupby("account_pk").size().items()}


@pytest.mark.parametrize("deadline", ["8wh", "1wd", "24h"])
def test_overdue_pages_are_counted_as_if_each_inquiry_were_timed(engine: Engine, tmp_path: Path, deadline: str) -> None:
    """The database's count of overdue inquiries per page (below each territory's cutoff) equals the inquiries still
    waiting, each timed against the deadline, on every end day of forty days of replies after minutes to weeks."""
    load = Replies(engine, tmp_path, seed=5)
    load.territories()
    load.accounts(ACCOUNTS)
    load.days(ACCOUNTS, range(0, 40), "a")
    load.load()
    settings = get_settings().model_copy(update={"deadline": deadline})
    with engine.connect() as conn:
        clocks = Clocks.load(conn, settings.data_dir)
    overdue = 0
    for day in range(0, 41, 3):
        end = DAY0 + dt.timedelta(days=day)
        found = alerts.overdue_pages(engine, end, settings, clocks, above=0)
        assert dict(zip(found["account_pk"], found["figure"].astype(int), strict=True)) == waiting_past_deadline(
            engine, end, settings
        ), end
        overdue += int(found["figure"].sum())
    assert overdue > 0
