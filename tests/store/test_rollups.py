"""Incremental rollups: after every kind of load they equal a rebuild from scratch and their definition in pandas."""

import datetime as dt
import random
import threading
import time
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import bindparam, select, text
from sqlalchemy.engine import Connection, Engine

from etl.ingest.load import load_paths
from etl.store import models, rollups
from etl.store.db import make_engine
from etl.store.models import table_of
from etl.store.scope import write_lock

DAY0 = dt.date(2026, 3, 1)
TERRITORIES = [
    ("KZ", "country", ""),
    ("KZ-A", "region", "KZ"),
    ("KZ-A-1", "district", "KZ-A"),
    ("KZ-A-2", "district", "KZ-A"),
]
# platform, account_id, territory, owner_role: pages 2, 4 and 6 share a territory, platform and role.
ACCOUNTS = [
    ("instagram", "1", "KZ-A", "head"),
    ("instagram", "2", "KZ-A-1", "body"),
    ("facebook", "3", "KZ-A-1", "body"),
    ("instagram", "4", "KZ-A-1", "body"),
    ("vk", "5", "KZ-A-2", "press_service"),
]
NEW_ACCOUNT = ("instagram", "6", "KZ-A-1", "body")
FACT_QUERIES = {
    "snapshots": "SELECT account_pk, day, followers FROM followersnapshot",
    "posts": "SELECT account_pk, published_on AS day, likes, comments, shares, views FROM post",
    "inquiries": "SELECT account_pk, received_on AS day, first_reply_at FROM inquiry",
}


class Deliveries:
    """Writes small CSV files of one step and loads them through the normal load path."""

    def __init__(self, engine: Engine, folder: Path, seed: int) -> None:
        self.engine, self.folder, self.rng = engine, folder, random.Random(seed)
        self.step = 0
        self.files: dict[str, list[str]] = {}

    def add(self, kind: str, *rows: str) -> None:
        self.files.setdefault(kind, []).extend(rows)

    def load(self) -> None:
        results = load_paths(self.engine, self.write())
        assert all(r.ok for r in results), [(r.path.name, r.message, r.errors) for r in results]

    def write(self) -> list[Path]:
        """The step's files written, to be loaded."""
        self.step += 1
        headers = {
            "territories": "code,name_ru,name_en,name_kk,level,parent_code,population,timezone",
            "accounts": "platform,account_id,handle,display_name,territory_code,owner_kind,owner_role,owner_name,"
            "sphere,required,official_mark,created_on,url",
            "followers": "date,platform,account_id,followers,posts_total,handle",
            "posts": "collected_at,platform,account_id,post_id,published_at,post_type,likes,comments,shares,views",
            "inquiries": "platform,account_id,inquiry_id,channel,post_id,received_at,first_reply_at,replied_by,topic",
        }
        paths = []
        for kind, rows in self.files.items():
            path = self.folder / f"step{self.step}_{kind}.csv"
            path.write_text("\n".join([headers[kind], *rows]) + "\n", encoding="utf-8")
            paths.append(path)
        self.files = {}
        return paths

    def territories(self, territories: list[tuple[str, str, str]] = TERRITORIES) -> None:
        for code, level, parent in territories:
            self.add("territories", f"{code},{code},{code},,{level},{parent},1000,Asia/Almaty")

    def accounts(self, accounts: list[tuple[str, str, str, str]]) -> None:
        for platform, account_id, territory, role in accounts:
            # Some dated marks and creation days: the loader fails on a registry whose date columns are all empty.
            mark = "2024-01-01" if account_id == "1" else "1"
            self.add(
                "accounts",
                f"{platform},{account_id},h{account_id},Page {account_id},{territory},body,{role},Owner,,1,{mark},"
                "2020-01-01,",
            )

    def snapshot(self, account: tuple[str, ...], day: int, followers: int | None = None) -> None:
        value = followers if followers is not None else self.rng.randint(100, 5000)
        self.add("followers", f"{DAY0 + dt.timedelta(days=day)},{account[0]},{account[1]},{value},,")

    def post(self, account: tuple[str, ...], post_id: str, day: int, collected: int | None = None) -> None:
        when = DAY0 + dt.timedelta(days=day)
        seen = DAY0 + dt.timedelta(days=collected if collected is not None else day + 1)
        likes, comments, shares = (self.rng.randint(0, 300) for _ in range(3))
        views = self.rng.choice(["", str(self.rng.randint(100, 9000))])
        self.add(
            "posts",
            f"{seen}T20:00:00,{account[0]},{account[1]},{post_id},{when}T12:00:00,photo,{likes},{comments},{shares},"
            f"{views}",
        )

    def inquiry(self, account: tuple[str, ...], inquiry_id: str, day: int, answered: bool | None = None) -> None:
        when = DAY0 + dt.timedelta(days=day)
        replied = answered if answered is not None else self.rng.random() < 0.5
        reply = f"{when}T15:00:00" if replied else ""
        who = "owner" if replied else ""
        self.add("inquiries", f"{account[0]},{account[1]},{inquiry_id},comment,,{when}T11:00:00,{reply},{who},")

    def history(self, accounts: list[tuple[str, ...]], days: range, tag: str) -> None:
        """Random snapshots (some days missing), posts and inquiries (some on days without a snapshot)."""
        for account in accounts:
            for day in days:
                if self.rng.random() < 0.7:
                    self.snapshot(account, day)
                for k in range(self.rng.choice([0, 0, 1, 2])):
                    self.post(account, f"{tag}p{account[1]}_{day}_{k}", day)
                for k in range(self.rng.choice([0, 1, 1, 3])):
                    self.inquiry(account, f"{tag}i{account[1]}_{day}_{k}", day)


def frame(conn: Connection, sql: str) -> pd.DataFrame:
    result = conn.execute(text(sql))
    out = pd.DataFrame([tuple(r) for r in result], columns=list(result.keys()))
    if "day" in out:
        out["day"] = pd.to_datetime(out["day"]).dt.date
    return out


Rows = list[tuple[Any, ...]]


def stored(conn: Connection) -> tuple[Rows, Rows, Rows]:
    """AccountDay, TerritoryDay and RegionDay as sorted plain tuples (days as dates, flags as bools)."""
    tables = []
    for model in (models.AccountDay, models.TerritoryDay, models.RegionDay):
        rows = conn.execute(select(table_of(model))).all()
        tables.append(sorted(tuple(plain(v) for v in r) for r in rows))
    return tables[0], tables[1], tables[2]


def plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def expected(conn: Connection) -> tuple[Rows, Rows, Rows]:
    """The rollups by their definition, computed in pandas from the stored facts."""
    facts = {name: frame(conn, sql) for name, sql in FACT_QUERIES.items()}
    accounts = frame(conn, "SELECT id AS account_pk, territory_code, platform, owner_role FROM account")
    days = pd.concat([f[["account_pk", "day"]] for f in facts.values()])
    if days.empty:
        return [], [], []
    end = days["day"].max()
    snaps = facts["snapshots"].set_index(["account_pk", "day"])["followers"]
    posts = facts["posts"].assign(views=lambda f: f["views"].fillna(0)).groupby(["account_pk", "day"])
    post_sums = posts[["likes", "comments", "shares", "views"]].sum().assign(posts=posts.size())
    inquiries = facts["inquiries"].groupby(["account_pk", "day"])
    inquiry_sums = pd.DataFrame({"inquiries": inquiries.size(), "answered": inquiries["first_reply_at"].count()})
    rows = []
    for pk, first in days.groupby("account_pk")["day"].min().items():
        followers = 0
        for day in pd.date_range(first, end).date:
            observed = (pk, day) in snaps.index
            followers = int(snaps[(pk, day)]) if observed else followers
            p = post_sums.loc[(pk, day)] if (pk, day) in post_sums.index else None
            i = inquiry_sums.loc[(pk, day)] if (pk, day) in inquiry_sums.index else None
            counts = [0 if p is None else int(p[c]) for c in ["posts", "likes", "comments", "shares", "views"]]
            counts += [0 if i is None else int(i[c]) for c in ["inquiries", "answered"]]
            rows.append((int(pk), day, followers, observed, *counts))
    account_days = pd.DataFrame(rows, columns=rollups.ACCOUNT_DAY)
    summed = (
        account_days.assign(post_followers=account_days["posts"] * account_days["followers"])
        .merge(accounts, on="account_pk")
        .groupby(["territory_code", "platform", "owner_role", "day"])
        .agg(
            accounts=("account_pk", "size"),
            accounts_observed=("observed", "sum"),
            **{c: (c, "sum") for c in ["followers", *rollups.FACTS, "post_followers"]},
        )
        .reset_index()
    )
    places = frame(conn, "SELECT code AS territory_code, region_code, country_code FROM territory")
    region = places["region_code"].fillna(places["country_code"]).fillna(places["territory_code"])
    by_region = (
        summed.merge(places.assign(region_code=region)[["territory_code", "region_code"]], on="territory_code")
        .groupby(["region_code", "platform", "owner_role", "day"])[list(summed.columns[4:])]
        .sum()
        .reset_index()
    )
    return sorted(rows), *(
        sorted((*r[:4], *(int(v) for v in r[4:])) for r in table.itertuples(index=False))
        for table in (summed, by_region)
    )


def rebuilt(engine: Engine) -> tuple[Rows, Rows, Rows]:
    """The rollups rebuilt from scratch (every account queued from its first fact) in a transaction rolled back."""
    with pytest.MonkeyPatch.context() as patch, engine.connect() as conn:
        # Everything is rewritten: the bulk path, with batches of a few accounts and rows.
        patch.setattr(rollups, "BULK_ROWS", 0)
        patch.setattr(rollups, "BATCH_ACCOUNTS", 2)
        patch.setattr(rollups, "BATCH_ROWS", 5)
        trans = conn.begin()
        conn.execute(text("DELETE FROM accountday"))
        conn.execute(text("DELETE FROM territoryday"))
        conn.execute(text("DELETE FROM regionday"))
        union = " UNION ALL ".join(f"SELECT account_pk, day FROM ({sql}) q" for sql in FACT_QUERIES.values())
        conn.execute(
            text(
                "INSERT INTO rollupdirty (account_pk, from_day) SELECT account_pk, min(day) "
                f"FROM ({union}) u GROUP BY account_pk"
            )
        )
        rollups.refresh_rollups(conn)
        result = stored(conn)
        trans.rollback()
    return result


def check(engine: Engine) -> None:
    with engine.connect() as conn:
        now = stored(conn)
        truth = expected(conn)
        queued = conn.execute(text("SELECT count(*) FROM rollupdirty")).scalar_one()
    assert queued == 0
    assert now[0] == truth[0], "AccountDay differs from its definition"
    assert now[1] == truth[1], "TerritoryDay differs from the sum of AccountDay"
    assert now[2] == truth[2], "RegionDay differs from the sum of TerritoryDay"
    assert rebuilt(engine) == truth


@pytest.mark.parametrize(("seed", "batch_accounts"), [(1, rollups.BATCH_ACCOUNTS), (2, 2)])
def test_incremental_rollups_equal_a_full_rebuild(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int, batch_accounts: int
) -> None:
    """New days, back-filled and changed days, a new account, moved facts and a moved account: as if rebuilt."""
    monkeypatch.setattr(rollups, "BATCH_ACCOUNTS", batch_accounts)
    load = Deliveries(engine, tmp_path, seed)
    one, two, three, four, five = ACCOUNTS
    load.territories()
    load.accounts(ACCOUNTS)
    load.history([one, two, three, four], range(2, 10), "a")
    # Page 5 starts with a post, before its first snapshot.
    load.post(five, "early", 0, collected=1)
    load.history([five], range(3, 10), "a")
    load.load()
    check(engine)

    # The next day: every page but page 4 (carried forward), with that day's posts and inquiries.
    load.history([one, two, three, five], range(10, 11), "b")
    load.load()
    check(engine)

    # A back-filled old day, and a snapshot before page 2's first day.
    load.snapshot(one, 4)
    load.snapshot(two, 1)
    load.post(three, "late", 3, collected=10)
    load.load()
    check(engine)

    # A corrected snapshot value, a reply to an old inquiry and a post collected again with new figures.
    load.snapshot(three, 5, followers=12345)
    load.inquiry(four, "answered-later", 6, answered=False)
    load.load()
    load.inquiry(four, "answered-later", 6, answered=True)
    load.post(one, "recollected", 7, collected=8)
    load.load()
    load.post(one, "recollected", 7, collected=10)
    load.load()
    check(engine)

    # A new page in a territory with other pages: posts and inquiries on days without its snapshots.
    load.accounts([*ACCOUNTS, NEW_ACCOUNT])
    load.post(NEW_ACCOUNT, "n1", 4)
    load.inquiry(NEW_ACCOUNT, "n2", 7)
    load.snapshot(NEW_ACCOUNT, 8)
    load.load()
    check(engine)

    # Only posts and inquiries two days on: the last day comes from them, the day between is carried forward.
    load.post(two, "only-post", 12)
    load.inquiry(five, "only-inquiry", 12)
    load.load()
    check(engine)

    # Page 5's first post collected again with a later day: its rows before its first snapshot go.
    load.post(five, "early", 6, collected=12)
    load.load()
    check(engine)

    # Page 4 moves to another district, and the next day arrives.
    load.accounts([*ACCOUNTS[:3], ("instagram", "4", "KZ-A-2", "body"), five, NEW_ACCOUNT])
    load.history([one, two, three, four, five, NEW_ACCOUNT], range(13, 14), "c")
    load.load()
    check(engine)

    # A page of the country itself, and district 2 moved to a new region: RegionDay counts it there from then on.
    country_page = ("telegram", "7", "KZ", "head")
    load.accounts([*ACCOUNTS[:3], ("instagram", "4", "KZ-A-2", "body"), five, NEW_ACCOUNT, country_page])
    load.history([country_page], range(12, 14), "d")
    load.load()
    check(engine)
    load.territories([*TERRITORIES[:3], ("KZ-B", "region", "KZ"), ("KZ-A-2", "district", "KZ-B")])
    load.history([four, five], range(14, 15), "e")
    load.load()
    check(engine)


def test_a_database_from_before_region_rollups_gets_them(engine: Engine, tmp_path: Path) -> None:
    """Opening a database without RegionDay and post audiences fills them as the loads would have."""
    load = Deliveries(engine, tmp_path, seed=3)
    load.territories()
    load.accounts(ACCOUNTS)
    load.history(ACCOUNTS, range(0, 6), "a")
    load.load()
    with engine.connect() as conn:
        before = stored(conn)
    assert any(row[-1] for row in before[1]), "some page-days with posts"
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE regionday"))
        conn.execute(text("ALTER TABLE territoryday DROP COLUMN post_followers"))
    reopened = make_engine(engine.url.render_as_string(hide_password=False))
    with reopened.connect() as conn:
        assert stored(conn) == before
    reopened.dispose()


def test_a_load_waits_for_another_writer_instead_of_failing(tmp_path: Path) -> None:
    """On SQLite, a load that starts while another process writes (a server's catch-up, another load) waits for its
    commit and ends well: a transaction that read before that commit could not write after it ("database is
    locked")."""
    url = f"sqlite:///{tmp_path / 'govpulse.db'}"
    engine = make_engine(url)
    load = Deliveries(engine, tmp_path, 3)
    load.territories()
    load.accounts(ACCOUNTS)
    load.history(list(ACCOUNTS), range(2, 6), "a")
    load.load()
    held = threading.Event()

    def other_writer() -> None:
        with make_engine(url).begin() as conn:
            write_lock(conn)
            held.set()
            time.sleep(1.5)  # the load reads meanwhile, and would write after this commit
            conn.execute(text("INSERT INTO rollupdirty (account_pk, from_day) VALUES (1, :d)"), {"d": DAY0})

    writer = threading.Thread(target=other_writer)
    writer.start()
    held.wait()
    load.history(list(ACCOUNTS), range(6, 8), "b")
    load.load()
    writer.join()
    check(engine)


def test_a_load_that_writes_brings_postgresql_statistics_to_its_newest_day(tmp_path: Path) -> None:
    """After a load that wrote rows, PostgreSQL's planner knows the day-keyed tables up to the newest day (its
    autovacuum would wait for a tenth of each table to change); a load that changed nothing leaves them."""
    from etl.ingest.load import load_paths as load
    from tests.conftest import DATA, postgres_url

    engine = make_engine(postgres_url())
    models.SQLModel.metadata.drop_all(engine)
    models.SQLModel.metadata.create_all(engine)

    def analysed() -> dict[str, Any]:
        with engine.connect() as conn:
            rows = conn.execute(
                text("SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname IN :t").bindparams(
                    bindparam("t", expanding=True)
                ),
                {"t": list(rollups.DAY_TABLES)},
            )
            return dict(rows.all())

    try:
        assert all(r.ok for r in load(engine, [DATA]))
        first = analysed()
        assert sorted(first) == sorted(rollups.DAY_TABLES) and all(first.values()), first
        with engine.connect() as conn:
            newest = conn.execute(text("SELECT max(day) FROM accountday")).scalar_one()
            # The newest day is among the values the statistics have seen.
            seen = conn.execute(
                text("SELECT most_common_vals::text, histogram_bounds::text FROM pg_stats "
                     "WHERE tablename = 'accountday' AND attname = 'day'")
            ).one()  # fmt: skip
        assert str(newest) in " ".join(filter(None, seen)), seen
        assert all(r.ok for r in load(engine, [DATA]))  # already loaded: nothing written, nothing analysed
        assert analysed() == first
    finally:
        engine.dispose()
