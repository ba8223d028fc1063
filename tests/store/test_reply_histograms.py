"""Reply-time histograms and inquiry counts kept by the loads: after every kind of load, a re-timing, a move and a
changed deadline, they equal their definition (the inquiries bucketed and counted in pandas) and a rebuild from
scratch."""

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from etl.ingest.extract import open_source, order_sources
from etl.ingest.load import load_source
from etl.ingest.timing import retime
from etl.metrics.schedules import Week
from etl.metrics.worktime import Clocks
from etl.settings import get_settings
from etl.store import histograms, replycounts, sketch
from etl.store.rollups import behind, refresh_rollups
from tests.store.test_rollups import DAY0, Deliveries, frame

TERRITORIES = [
    ("KZ", "country", ""),
    ("KZ-A", "region", "KZ"),
    ("KZ-A-1", "district", "KZ-A"),
    ("KZ-A-2", "district", "KZ-A"),
    ("KZ-B", "region", "KZ"),
    ("KZ-B-1", "district", "KZ-B"),
]
# platform, account_id, territory, owner_role: pages 2 and 3 share a region, platform and role in two districts.
ACCOUNTS = [
    ("instagram", "1", "KZ-A", "head"),
    ("instagram", "2", "KZ-A-1", "body"),
    ("instagram", "3", "KZ-A-2", "body"),
    ("vk", "4", "KZ-B-1", "press_service"),
    ("telegram", "5", "KZ", "head"),  # a page of the country itself: counted under the country
]
Rows = list[tuple[Any, ...]]


class Replies(Deliveries):
    """Deliveries whose inquiries are answered after any number of minutes, from none to weeks."""

    def territories(self, territories: list[tuple[str, str, str]] = TERRITORIES) -> None:
        super().territories(territories)

    def asked(self, account: tuple[str, ...], inquiry_id: str, day: int, minutes: float | None, hour: int = 11) -> None:
        received = dt.datetime.combine(DAY0 + dt.timedelta(days=day), dt.time(hour))
        reply = "" if minutes is None else (received + dt.timedelta(minutes=minutes)).isoformat()
        # Answered by the page's owner, its press service, someone else, or not stated.
        who = ("owner", "press_service", "other", "")[sum(map(ord, inquiry_id)) % 4]
        self.add("inquiries", f"{account[0]},{account[1]},{inquiry_id},comment,,{received.isoformat()},{reply},{who},")

    def days(self, accounts: list[tuple[str, ...]], days: range, tag: str) -> None:
        """A snapshot every day and 0–5 inquiries, some unanswered, some answered the same second, at any hour."""
        for account in accounts:
            for day in days:
                self.snapshot(account, day)
                for k in range(self.rng.randint(0, 5)):
                    minutes = self.rng.choice([None, 0.0, 1.0, 15.0, round(self.rng.lognormvariate(5, 1.5), 2)])
                    self.asked(account, f"{tag}{account[1]}_{day}_{k}", day, minutes, self.rng.randint(0, 23))


def stored(conn: Connection) -> Rows:
    """ReplyHistogram as sorted plain tuples."""
    rows = frame(conn, f"SELECT {', '.join(histograms.KEY)}, inquiries FROM replyhistogram")
    return sorted((r[0], r[1], r[2], r[3], r[4], int(r[5]), int(r[6])) for r in rows.itertuples(index=False))


def expected(conn: Connection) -> Rows:
    """The histograms by their definition: every answered inquiry's minutes bucketed, counted per region (its
    country for the country's own pages), day of receipt, platform, owner role and unit."""
    replies = frame(
        conn,
        "SELECT coalesce(t.region_code, t.country_code, t.code) AS region_code, i.received_on AS day, a.platform, "
        "a.owner_role, i.reply_min, i.work_min FROM inquiry i JOIN account a ON a.id = i.account_pk "
        "JOIN territory t ON t.code = a.territory_code WHERE i.first_reply_at IS NOT NULL",
    )
    assert replies["work_min"].notna().all(), "every answered inquiry is timed"
    rows = []
    for unit, column in histograms.UNITS.items():
        keyed = replies.assign(unit=unit, bucket=sketch.buckets(replies[column].astype(float).to_numpy()))
        counts = keyed.groupby(histograms.KEY).size()
        rows += [(*key, int(n)) for key, n in counts.items()]
    return sorted(rows)


def stored_counts(conn: Connection) -> Rows:
    """ReplyCount as sorted plain tuples."""
    rows = frame(conn, f"SELECT {', '.join(replycounts.KEY)}, {', '.join(replycounts.COUNTS)} FROM replycount")
    return sorted((*r[:3], *r[3:5], *map(int, r[5:])) for r in rows.itertuples(index=False))


def expected_counts(conn: Connection) -> Rows:
    """The counts by their definition for the `deadline` setting: every inquiry per region, day of receipt,
    platform and owner role; the answered, those within the deadline (on its clock), those timed on it, the
    untimed, and the answered per answerer."""
    deadline = get_settings().deadline
    rows = frame(
        conn,
        "SELECT coalesce(t.region_code, t.country_code, t.code) AS region_code, i.received_on AS day, a.platform, "
        "a.owner_role, i.first_reply_at, i.replied_by, i.reply_min, i.work_min, i.work_days FROM inquiry i "
        "JOIN account a ON a.id = i.account_pk JOIN territory t ON t.code = a.territory_code",
    )
    answered = rows["first_reply_at"].notna()
    minutes = {"8wh": rows["work_min"], "2h": rows["reply_min"], "1wd": rows["work_days"]}[deadline].astype(float)
    within = minutes < 1 if deadline == "1wd" else minutes <= (480 if deadline == "8wh" else 120)
    flags = rows.assign(
        inquiries=1,
        answered=answered,
        met=answered & within,
        decided=answered & minutes.notna(),
        untimed=answered & (rows["work_min"].isna() | rows["work_days"].isna()),
        answered_owner=answered & (rows["replied_by"] == "owner"),
        answered_press_service=answered & (rows["replied_by"] == "press_service"),
        answered_other=answered & (rows["replied_by"] == "other"),
        answered_unstated=answered & rows["replied_by"].isna(),
    )
    sums = flags.groupby(replycounts.KEY[1:])[replycounts.COUNTS].sum()
    return sorted((deadline, *key, *map(int, counts)) for key, counts in zip(sums.index, sums.to_numpy(), strict=True))


def rebuilt(engine: Engine) -> tuple[Rows, Rows]:
    """The histograms and counts counted again from scratch (every region queued) in a transaction rolled back."""
    with engine.connect() as conn:
        trans = conn.begin()
        conn.execute(text("DELETE FROM replyhistogram"))
        conn.execute(text("DELETE FROM replycount"))
        histograms.mark_everything(conn)
        refresh_rollups(conn)
        result = stored(conn), stored_counts(conn)
        trans.rollback()
    return result


def check(engine: Engine) -> Rows:
    with engine.connect() as conn:
        now, truth = stored(conn), expected(conn)
        counts, counted = stored_counts(conn), expected_counts(conn)
        assert not behind(conn)
    assert now == truth, "ReplyHistogram differs from its definition"
    assert counts == counted, "ReplyCount differs from its definition"
    assert rebuilt(engine) == (truth, counted)
    return now


def test_histograms_follow_every_load(engine: Engine, tmp_path: Path) -> None:
    """New days, replies arriving later, changed and moved inquiries, a page moved to another region and role, a
    district moved to another region, a time zone changed and a new working week: as if counted from scratch."""
    load = Replies(engine, tmp_path, seed=5)
    one, two, three, four, five = ACCOUNTS
    load.territories()
    load.accounts(ACCOUNTS)
    load.days(list(ACCOUNTS), range(0, 8), "a")
    load.load()
    first = check(engine)
    assert {r[4] for r in first} == {"reply", "work"} and any(r[5] == sketch.ZERO for r in first)
    assert {r[0] for r in first} == {"KZ-A", "KZ-B", "KZ"}
    with engine.connect() as conn:
        totals = [sum(column) for column in list(zip(*stored_counts(conn), strict=True))[5:]]
    # inquiries, answered, met, decided, untimed, and answered by each of the four.
    assert totals[0] > totals[1] > totals[2] > 0 and totals[3] == totals[1] and totals[4] == 0
    assert all(n > 0 for n in totals[5:]) and sum(totals[5:]) == totals[1]

    # The next day, and a reply to an inquiry of day 2 that was waiting, another one's reply corrected.
    load.days(list(ACCOUNTS), range(8, 9), "b")
    load.asked(two, "late", 2, None)
    load.asked(three, "corrected", 3, 30.0)
    load.load()
    check(engine)
    load.asked(two, "late", 2, 4000.0)
    load.asked(three, "corrected", 3, 45.5)
    load.load()
    check(engine)

    # An inquiry delivered again with another day of receipt: it leaves the old day's histogram.
    load.asked(one, "moved-day", 4, 20.0)
    load.load()
    load.asked(one, "moved-day", 6, 20.0)
    load.load()
    check(engine)

    # Page 3 moves to region B and becomes a press service's; page 2 changes role only.
    load.accounts([one, ("instagram", "2", "KZ-A-1", "deputy"), ("instagram", "3", "KZ-B-1", "press_service"),
                   four, five])  # fmt: skip
    load.days([one, four], range(9, 10), "c")
    load.load()
    moved = check(engine)
    assert not any(r[0] == "KZ-A" and r[2] == "instagram" and r[3] == "body" for r in moved)

    # District B-1 moves to region A: its pages' inquiries count there from then on, its old region has none.
    load.territories([*TERRITORIES[:5], ("KZ-B-1", "district", "KZ-A")])
    load.asked(one, "lonely", 20, 30.0)  # the one reply of its day
    load.load()
    regrouped = check(engine)
    assert "KZ-B" not in {r[0] for r in regrouped}

    # Region A moves to another time zone: its pages' inquiries are timed again and counted again, one of them
    # delivered again in the same load with another reply (timed on the new clock as it is written, the only
    # reply of its day).
    load.add("territories", "KZ-A,KZ-A,KZ-A,,region,KZ,1000,Asia/Kamchatka")
    load.asked(one, "lonely", 20, 600.0)
    load.load()
    retimed = check(engine)
    assert retimed != regrouped


def test_a_new_working_week_counts_the_histograms_again(engine: Engine, tmp_path: Path) -> None:
    """`retime` (what `govpulse refresh` runs after schedules.csv changed) times every reply again; the refresh that
    follows counts their histograms again."""
    load = Replies(engine, tmp_path, seed=6)
    load.territories()
    load.accounts(ACCOUNTS)
    load.days(list(ACCOUNTS), range(0, 10), "a")
    load.load()
    before = check(engine)
    with engine.connect() as conn:
        registry = frame(conn, "SELECT code, parent_code, timezone, country_code FROM territory")
    every_day = Week.office("06:00", "22:00", None, range(1, 8))
    clocks = Clocks.from_frame(registry, {code: every_day for code in registry["country_code"].dropna().unique()})
    with engine.begin() as conn:
        assert retime(conn, clocks) > 0
        assert behind(conn)
        refresh_rollups(conn)
    after = check(engine)
    assert [r for r in after if r[4] == "reply"] == [r for r in before if r[4] == "reply"]
    assert [r for r in after if r[4] == "work"] != [r for r in before if r[4] == "work"]


@pytest.mark.parametrize("queue", ["none", "by region"])
def test_an_older_database_gets_its_histograms(engine: Engine, tmp_path: Path, queue: str) -> None:
    """Opening a database made before the histograms were kept counts them, as the loads would have; one whose
    queue of regions to count again was kept by region from a day on gets the queue by day, and what it held
    counted."""
    from etl.store.db import make_engine

    load = Replies(engine, tmp_path, seed=7)
    load.territories()
    load.accounts(ACCOUNTS)
    load.days(list(ACCOUNTS), range(0, 5), "a")
    load.load()
    before = check(engine)
    with engine.begin() as conn:
        if queue == "none":
            conn.execute(text("DELETE FROM replyhistogram"))
        else:
            conn.execute(text("DELETE FROM replyhistogram WHERE region_code = 'KZ-A'"))
            conn.execute(text("DROP TABLE replydirty"))
            conn.execute(text("CREATE TABLE replydirty (region_code VARCHAR PRIMARY KEY, from_day DATE NOT NULL)"))
            conn.execute(text("INSERT INTO replydirty VALUES ('KZ-A', :d)"), {"d": DAY0})
    reopened = make_engine(engine.url.render_as_string(hide_password=False))
    assert check(reopened) == before
    reopened.dispose()


@pytest.mark.parametrize("stage", ["files", "timing"])
def test_a_load_stopped_before_its_refresh_is_behind(engine: Engine, tmp_path: Path, stage: str) -> None:
    """A load stopped after its files (or after timing them) leaves its regions queued: the rollups are behind
    until a catch-up counts them."""
    load = Replies(engine, tmp_path, seed=8)
    load.territories()
    load.accounts(ACCOUNTS)
    load.days(list(ACCOUNTS), range(0, 3), "a")
    load.load()
    with engine.begin() as conn:
        if stage == "files":
            histograms.mark_everything(conn)
        else:
            conn.execute(text("UPDATE inquiry SET work_min = NULL, work_days = NULL"))
            from etl.ingest.timing import time_untimed

            assert time_untimed(conn) > 0
        conn.execute(text("DELETE FROM replyhistogram WHERE region_code = 'KZ-A'"))
    with engine.connect() as conn:
        assert behind(conn)
    from etl.store.rollups import catch_up

    assert catch_up(engine)
    check(engine)


@pytest.mark.parametrize("deadline", ["2h", "1wd"])
def test_a_changed_deadline_counts_every_day_again(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, deadline: str
) -> None:
    """The counts are kept for the `deadline` setting: the first load after it changed counts every day again for
    the new one, and the next loads add to those."""
    load = Replies(engine, tmp_path, seed=9)
    load.territories()
    load.accounts(ACCOUNTS)
    load.days(list(ACCOUNTS), range(0, 6), "a")
    load.load()
    before = check(engine)
    monkeypatch.setenv("GOVPULSE_DEADLINE", deadline)
    get_settings.cache_clear()
    try:
        for day in (6, 7):
            load.days([ACCOUNTS[0]], range(day, day + 1), f"b{day}")
            load.load()
            assert check(engine) != before
            with engine.connect() as conn:
                assert {r[0] for r in stored_counts(conn)} == {deadline}
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()


def queued(conn: Connection) -> set[tuple[str, str]]:
    """The days of regions ReplyDirty holds."""
    return {(str(r), str(d)[:10]) for r, d in conn.execute(text("SELECT region_code, day FROM replydirty"))}


def days_of(conn: Connection, where: str = "true") -> set[tuple[str, str]]:
    """The days of regions the stored inquiries (`where` of inquiry `i`) are counted in."""
    found = conn.execute(
        text(
            "SELECT coalesce(t.region_code, t.country_code, t.code), i.received_on FROM inquiry i "
            f"JOIN account a ON a.id = i.account_pk JOIN territory t ON t.code = a.territory_code WHERE {where}"
        )
    )
    return {(str(r), str(d)[:10]) for r, d in found}


def written(load: Replies) -> None:
    """The step's files written in their own transactions, without the rollup refresh that ends a load."""
    for src in order_sources([open_source(path) for path in load.write()]):
        assert load_source(load.engine, src, skip_bad_rows=False, chunk_rows=100_000).ok


def test_a_file_of_many_inquiries_queues_their_days(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file bringing more new or changed inquiries than `MANY_CHANGES` (a first load) is not counted in one frame:
    the days they were and are in are queued, and the refresh counts them as if from scratch; a smaller file moves
    its own inquiries as it is written, read and counted a few at a time, with nothing queued."""
    monkeypatch.setattr(histograms, "MANY_CHANGES", 25)
    monkeypatch.setattr(histograms, "CHUNK", 7)
    load = Replies(engine, tmp_path, seed=10)
    load.territories()
    load.accounts(ACCOUNTS)
    load.load()
    load.days(list(ACCOUNTS), range(0, 6), "a")
    for account in ACCOUNTS:
        for k in range(6):
            load.asked(account, f"m{k}", 1 + k % 2, 30.0 * k)
    written(load)
    with engine.connect() as conn:
        assert queued(conn) == days_of(conn) and {r for r, _ in queued(conn)} == {"KZ-A", "KZ-B", "KZ"}
        assert stored(conn) == [] and stored_counts(conn) == []
    with engine.begin() as conn:
        refresh_rollups(conn)
    first = check(engine)

    # The same 30 inquiries delivered again on day 7 with other replies: days 1 and 2 lose them.
    for account in ACCOUNTS:
        for k in range(6):
            load.asked(account, f"m{k}", 7, 45.0 * k + 1)
    written(load)
    with engine.connect() as conn:
        regions = {r for r, _ in days_of(conn)}
        assert queued(conn) == {(r, str(DAY0 + dt.timedelta(days=d))) for r in regions for d in (1, 2, 7)}
    with engine.begin() as conn:
        refresh_rollups(conn)
    moved = check(engine)
    assert moved != first

    # A delivery of a few (22, read 7 at a time): counted as it is written, nothing queued.
    load.asked(ACCOUNTS[0], "m0", 3, 5.0)
    load.asked(ACCOUNTS[3], "small", 8, 12.0)
    for account in ACCOUNTS:
        for k in range(4):
            load.asked(account, f"f{k}", 8 + k % 2, 10.0 * k)
    written(load)
    with engine.connect() as conn:
        assert queued(conn) == set()
        assert stored(conn) == expected(conn) != moved
        assert stored_counts(conn) == expected_counts(conn)
