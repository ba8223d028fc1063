"""Follower jumps judged against the normal range of the region's pages on the same platform, on a region of 60
VK pages that grow a little every day, loaded by the real loader."""

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from pandas.testing import assert_frame_equal
from sqlalchemy import func, select, text
from sqlalchemy.engine import Connection, Engine

from etl.ingest.load import load_paths
from etl.metrics import jumps
from etl.store import jumpcounts, rollups
from etl.store.jumpcounts import COUNTED
from etl.store.scope import Scope

FIRST, LAST = dt.date(2026, 1, 1), dt.date(2026, 4, 30)
DAYS = pd.date_range(FIRST, LAST).date
TERRITORIES = """code,name_ru,name_en,name_kk,level,parent_code,population,timezone
RU,Россия,Russia,Ресей,country,,146000000,Europe/Moscow
RU-TVE,Тверская область,Tver Oblast,Тверь облысы,region,RU,1200000,Europe/Moscow
RU-TVE-01,Район 1,District 1,Аудан 1,district,RU-TVE,20000,Europe/Moscow
RU-KOS,Костромская область,Kostroma Oblast,Кострома облысы,region,RU,580000,Europe/Moscow
"""
ACCOUNT = "{platform},{id},p{id},Страница {id},{territory},body,body,Администрация {id},,1,0,,"


def page(account: str, followers: list[float], days: list[dt.date], platform: str = "vk") -> list[str]:
    """Follower rows of one page."""
    return [f"{d},{platform},{account},{int(f)},0,p{account}" for d, f in zip(days, followers, strict=True)]


def growing(
    rng: np.random.Generator, start: float, low: float, high: float, jumps: dict[dt.date, float]
) -> list[float]:
    """A page growing by `low`–`high` a day, its count multiplied from each day of `jumps` on."""
    counts = start * np.cumprod(1 + rng.uniform(low, high, len(DAYS)))
    return [c * np.prod([f for d, f in jumps.items() if day >= d]) for day, c in zip(DAYS, counts, strict=True)]


@pytest.fixture
def region(engine: Engine, tmp_path: Path) -> Engine:
    """Tver on VK: 60 pages growing 0.1–0.3 % a day; 101 gains 6 % on 10 April (beyond the 5 % floor), 102 loses 8 %
    on 12 April and gains 4 % on 20 April (within); 161 (born on 1 April) gains 30 % on 20 April: too young for the
    range, judged by the fixed rule; 162 is collected weekly and gains 2 % a week; 163's snapshots are a month apart
    (10 % a month is growth). Tver on MAX: 40 channels growing 2–6 % a day, whose normal range is wider than the
    floor: 301's 10 % is normal, 302's 40 % is not. Kostroma: 5 VK pages, too few changes for a range; 201's 6 % is
    no jump by the fixed rule (under 500 and 20 %)."""
    rng = np.random.default_rng(7)
    rows, accounts = [], []
    april = {k: dt.date(2026, 4, k) for k in (10, 12, 20)}
    special = {1: {april[10]: 1.06}, 2: {april[12]: 0.92, april[20]: 1.04}}
    for k in range(1, 61):
        rows += page(str(100 + k), growing(rng, 2_000 + 100 * k, 0.001, 0.003, special.get(k, {})), list(DAYS))
        accounts.append(ACCOUNT.format(platform="vk", id=100 + k, territory="RU-TVE-01"))
    young = [d for d in DAYS if d >= dt.date(2026, 4, 1)]
    rows += page("161", [3_000 * (1.3 if d >= april[20] else 1) for d in young], young)
    weekly = list(DAYS[::7])
    rows += page("162", [5_000 * 1.02**i for i in range(len(weekly))], weekly)
    monthly = [dt.date(2026, m, 1) for m in (1, 2, 3, 4)]
    rows += page("163", [5_000 * 1.1**i for i in range(4)], monthly)
    accounts += [ACCOUNT.format(platform="vk", id=k, territory="RU-TVE-01") for k in (161, 162, 163)]
    fast = {1: {april[10]: 1.10 / 1.04}, 2: {april[10]: 1.40}}
    for k in range(1, 41):
        rows += page(str(300 + k), growing(rng, 200, 0.02, 0.06, fast.get(k, {})), list(DAYS), "max")
        accounts.append(ACCOUNT.format(platform="max", id=300 + k, territory="RU-TVE-01"))
    for k in range(1, 6):
        rows += page(str(200 + k), growing(rng, 4_000, 0.001, 0.003, {april[10]: 1.06} if k == 1 else {}), list(DAYS))
        accounts.append(ACCOUNT.format(platform="vk", id=200 + k, territory="RU-KOS"))
    folder = tmp_path / "region"
    folder.mkdir()
    (folder / "territories.csv").write_text(TERRITORIES, encoding="utf-8")
    head = "platform,account_id,handle,display_name,territory_code,owner_kind,owner_role,owner_name,sphere,required,"
    (folder / "accounts.csv").write_text(head + "official_mark,created_on,url\n" + "\n".join(accounts) + "\n")
    (folder / "followers.csv").write_text("date,platform,account_id,followers,posts_total,handle\n" + "\n".join(rows))
    results = load_paths(engine, [folder])
    assert all(r.ok for r in results), [(r.path, r.message) for r in results]
    return engine


def found(engine: Engine, start: dt.date, end: dt.date, parent: tuple[str, str] | None = None) -> pd.DataFrame:
    """The jumps of the scope, with the pages' account ids."""
    with engine.connect() as conn:
        ids = {int(k): str(a) for k, a in conn.execute(text("SELECT id, account_id FROM account"))}
        rows = jumps.jumps(conn, Scope(start, end, (), parent))
    return rows.assign(account=rows["account_pk"].map(ids))


def test_jumps_beyond_the_regions_range(region: Engine) -> None:
    """April: 101's gain and 102's loss pass the floor of Tver's VK range, 302's gain Tver's wide MAX range, 161's
    young gain the fixed rule; 102's 4 %, 301's 10 %, the weekly page's 2 %, the monthly page's growth and
    Kostroma's 6 % are no jumps."""
    april = found(region, dt.date(2026, 4, 1), LAST)
    got = {(r.account, r.day, r.kind, r.rule) for r in april.itertuples()}
    assert got == {
        ("101", dt.date(2026, 4, 10), "spike", "range"),
        ("102", dt.date(2026, 4, 12), "drop", "range"),
        ("302", dt.date(2026, 4, 10), "spike", "range"),
        ("161", dt.date(2026, 4, 20), "spike", "fixed"),
    }
    rows = april.set_index("account")
    # VK's range is the floor (its pages move under 1 % a day); MAX's is wider: 2–6 % widened by twice its width.
    assert (rows.loc["101", "low"], rows.loc["101", "high"]) == (-0.05, 0.05)
    assert 0.1 < rows.loc["302", "high"] < 0.2 and rows.loc["302", "low"] < -0.05
    assert rows.loc["101", "change"] == rows.loc["101", "followers"] - rows.loc["101", "before"] > 100
    assert pd.isna(rows.loc["161", "high"])


def test_jumps_follow_the_scope_and_period(region: Engine) -> None:
    """Kostroma alone has none; a period before the jumps has none; the district's are Tver's; VK alone has no MAX
    channel's."""
    assert found(region, dt.date(2026, 4, 1), LAST, ("region_code", "RU-KOS")).empty
    assert found(region, dt.date(2026, 3, 1), dt.date(2026, 4, 9)).empty
    district = found(region, dt.date(2026, 4, 1), LAST, ("district_code", "RU-TVE-01"))
    assert set(district["account"]) == {"101", "102", "161", "302"}
    with region.connect() as conn:
        vk = jumps.jumps(conn, Scope(dt.date(2026, 4, 1), LAST, ("vk",), None))
    assert len(vk) == 3


def test_normal_range_from_counts() -> None:
    """The range's bounds are the 1st and 99th percentile of the counted changes, widened by twice their distance."""
    counted = pd.DataFrame({"region": "R", "platform": "vk", "bp": [-50, 0, 10, 20, 400], "n": [2, 100, 296, 100, 2]})
    row = jumps.normal_ranges(counted).iloc[0]
    # 500 changes: the 1st percentile falls on the 5th (0 bp), the 99th on the 495th (20 bp); width 20 bp.
    assert (row["low"], row["high"], row["changes"]) == (-0.004, 0.006, 500)
    assert jumps.normal_ranges(counted.assign(n=counted["n"] // 3)).empty, "under 200 changes: no range"


def counted_afresh(conn: Connection, end: dt.date, regions: list[str]) -> pd.DataFrame:
    """The changes `daily_changes` reads for `end`, all counted from the snapshots, summed per region, platform and
    basis point."""
    days = [end - dt.timedelta(days=k) for k in range(0, 7 * jumps.WEEKS, jumps.EVERY)]
    return summed(pd.concat([jumpcounts.count_changes(conn, day, regions) for day in days]))


def summed(counts: pd.DataFrame) -> pd.DataFrame:
    return counts.groupby(["region", "platform", "bp"], as_index=False)["n"].sum().astype({"n": "int64"})


def assert_kept_right(engine: Engine, last: dt.date, regions: tuple[str, ...] = ("RU-KOS", "RU-TVE")) -> None:
    """The last eight weeks to `last` are kept for the regions with pages, and the normal range reads, for every
    last day of its eight weeks up to `last` (each day of the four), counts equal to those counted from the
    snapshots."""
    with engine.connect() as conn:
        first = last - dt.timedelta(days=7 * jumps.WEEKS - 1)
        kept = select(func.count(), func.max(COUNTED.c.day)).where(COUNTED.c.day >= first)
        assert tuple(conn.execute(kept).one()) == (7 * jumps.WEEKS * len(regions), last)
        assert not rollups.behind(conn)
        for end in (last - dt.timedelta(days=k) for k in range(4)):
            got = summed(jumps.daily_changes(conn, end, ["RU-KOS", "RU-TVE"]))
            assert_frame_equal(got, counted_afresh(conn, end, ["RU-KOS", "RU-TVE"]))


def load_rows(engine: Engine, folder: Path, name: str, text_: str) -> None:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text_, encoding="utf-8")
    results = load_paths(engine, [folder / name])
    assert all(r.ok for r in results), [(r.path, r.message) for r in results]


def test_loads_keep_the_counts_of_changes(region: Engine, tmp_path: Path) -> None:
    """Loads keep every region's counts of one-day changes for the last eight weeks, and keep them right after a late
    correction of a snapshot, a new day, a page moved to another region and a district moved to another; counts the
    loads did not keep (an earlier end) are counted from the snapshots."""
    assert_kept_right(region, LAST)
    # A post of an earlier day changes no follower count: the counts from then on are kept as they are.
    with region.begin() as conn:
        conn.execute(text("UPDATE followerchange SET n = n + 1000 WHERE day = '2026-04-21' AND region_code = 'RU-TVE'"))
    posts = "collected_at,platform,account_id,post_id,published_at,post_type,likes,comments,shares,views\n"
    posts += "2026-04-25T10:00:00,vk,105,9,2026-04-18T09:00:00,text,5,1,0,\n"
    load_rows(region, tmp_path / "post", "posts.csv", posts)
    with region.connect() as conn:
        kept = "SELECT sum(n) FROM followerchange WHERE day = '2026-04-21' AND region_code = 'RU-TVE'"
        assert conn.execute(text(kept)).scalar() > 1000
    with region.connect() as conn:
        before = summed(jumps.daily_changes(conn, dt.date(2026, 4, 24), ["RU-TVE"]))
    head = "date,platform,account_id,followers,posts_total,handle\n"
    load_rows(region, tmp_path / "late", "followers.csv", head + "2026-04-20,vk,105,900000,0,p105\n")
    assert_kept_right(region, LAST)
    with region.connect() as conn:
        assert not summed(jumps.daily_changes(conn, dt.date(2026, 4, 24), ["RU-TVE"])).equals(before)
        assert not jumps.daily_changes(conn, dt.date(2026, 2, 1), ["RU-TVE"]).empty, "before the eight weeks kept"
    new = "".join(f"2026-05-01,vk,{k},{3_000 + 7 * k},0,p{k}\n" for k in (*range(101, 161), 201))
    load_rows(region, tmp_path / "new", "followers.csv", head + new)
    assert_kept_right(region, dt.date(2026, 5, 1))
    head = "platform,account_id,handle,display_name,territory_code,owner_kind,owner_role,owner_name,sphere,required,"
    moved = ACCOUNT.format(platform="vk", id=201, territory="RU-TVE-01")
    load_rows(region, tmp_path / "moved", "accounts.csv", f"{head}official_mark,created_on,url\n{moved}\n")
    assert_kept_right(region, dt.date(2026, 5, 1))
    regrouped = TERRITORIES.replace("district,RU-TVE,", "district,RU-KOS,")
    load_rows(region, tmp_path / "regrouped", "territories.csv", regrouped)
    assert_kept_right(region, dt.date(2026, 5, 1), ("RU-KOS",))
