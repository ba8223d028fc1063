"""Follower jumps: a page's change of followers in a day beyond the normal range of its region's pages on the same
platform (the way bought audiences arrive and leave); a fixed rule judges new pages and regions with few changes."""

import datetime as dt
from collections.abc import Collection

import numpy as np
import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.engine import Connection

from etl.store.jumpcounts import COLUMNS, LEAST, PER, WEEKS, count_changes, kept_changes
from etl.store.rollups import behind
from etl.store.scope import ACCOUNT, ACCOUNT_DAY, REGION_OF_TERRITORY, TERRITORY, Scope, read_frame

# The normal range: one-day changes of the region's pages in the WEEKS weeks to the last day judged, counted in basis
# points (PER: hundredths of a per cent) of the count before (etl/store/jumpcounts.py) …
QUANTILE = 0.01  # … between their 1st and 99th percentile …
WIDEN = 2  # … widened on each side by twice that width …
FLOOR = 0.05  # … and at least 5 % a day either way: viral days are no jumps, a fast-growing platform's normal is wide
MIN_CHANGES = 200  # fewer one-day changes of a region's pages on a platform: the fixed rule judges them
MIN_FOLLOWERS = LEAST  # a jump is at least this many followers, on a page of at least this many before it
FIXED_GAIN = 500  # the fixed rule: a change of at least this many followers …
FIXED_RATIO = 0.2  # … and this share of the count before it
MIN_AGE = 56  # days since a page's first follower before the range judges it (new pages grow fast): the fixed rule
MAX_GAP = 7  # days between two snapshots beyond which their change is growth, not a jump
EVERY = 4  # days between the days whose changes make the normal range
JUMPS = ["account_pk", "territory_code", "day", "before", "followers", "change", "kind", "low", "high", "rule"]


def normal_ranges(counted: pd.DataFrame) -> pd.DataFrame:
    """The normal range of each region and platform's one-day changes (`low`, `high`, shares of the count before) from
    counts of changes per basis point (`region`, `platform`, `bp`, `n`), and the number of changes it is made of."""
    rows = []
    for (region, platform), group in counted.groupby(["region", "platform"], sort=True):
        counts = group.groupby("bp")["n"].sum().sort_index()
        total = int(counts.sum())
        if total < MIN_CHANGES:
            continue
        reached = counts.cumsum().to_numpy()
        marks = counts.index.to_numpy()
        low = marks[np.searchsorted(reached, QUANTILE * total)] / PER
        high = marks[np.searchsorted(reached, (1 - QUANTILE) * total)] / PER
        width = high - low
        rows.append((region, platform, low - WIDEN * width, high + WIDEN * width, total))
    return pd.DataFrame(rows, columns=["region", "platform", "low", "high", "changes"])


def judge(judged: pd.DataFrame, ranges: pd.DataFrame) -> pd.DataFrame:
    """The changes that are jumps: beyond their region and platform's normal range, or by the fixed rule where
    there is none or the page is younger than MIN_AGE; each with its kind (spike, drop), the range and the rule."""
    rows = judged.merge(ranges, on=["region", "platform"], how="left")
    rate = rows["change"] / rows["before"] / rows["gap"]
    big = (rows["change"].abs() >= MIN_FOLLOWERS) & (rows["before"] >= MIN_FOLLOWERS)
    low, high = rows["low"].clip(upper=-FLOOR), rows["high"].clip(lower=FLOOR)
    beyond = (rate > high.fillna(np.inf)) | (rate < low.fillna(-np.inf))
    fixed = (rows["change"].abs() >= FIXED_GAIN) & (rows["change"].abs() >= FIXED_RATIO * rows["before"])
    by_range = rows["changes"].notna() & (rows["age"] >= MIN_AGE)
    found = rows[big & np.where(by_range, beyond, fixed)]
    ranged = by_range[found.index]
    return found.assign(
        kind=np.where(found["change"] > 0, "spike", "drop"),
        low=low[found.index].where(ranged),
        high=high[found.index].where(ranged),
        rule=np.where(ranged, "range", "fixed"),
    )[JUMPS].reset_index(drop=True)


def daily_changes(conn: Connection, end: dt.date, regions: Collection[str]) -> pd.DataFrame:
    """Counts of the one-day changes of the regions' pages snapshotted on both days (of MIN_FOLLOWERS or more the
    day before) per region, platform and basis point of the count before, on every EVERY-th day of the WEEKS weeks
    to `end`: those the loads keep (FollowerChange), the rest counted from the snapshots."""
    days = [end - dt.timedelta(days=k) for k in range(0, 7 * WEEKS, EVERY)]
    # Rollups waiting for their refresh may be newer than the counts kept: then every day is counted afresh.
    kept, covered = (pd.DataFrame(columns=COLUMNS), set()) if behind(conn) else kept_changes(conn, days, regions)
    parts = [kept]
    for day in days:
        if missing := [region for region in regions if (day, region) not in covered]:
            parts.append(count_changes(conn, day, missing))
    return pd.concat(parts, ignore_index=True).astype({"bp": "int64", "n": "int64"})


def moved(conn: Connection, scope: Scope) -> pd.DataFrame:
    """The scope's snapshots in its period that changed by MIN_FOLLOWERS or more and FLOOR of the count at the
    page's snapshot before (at most MAX_GAP days earlier), with that count, its day and the page's region."""
    d, a = ACCOUNT_DAY.c, ACCOUNT.c
    # Only pages whose count moved enough from a week before the period to its end take the window function,
    # which would otherwise sort every snapshot of the scope.
    first = scope.date_from - dt.timedelta(days=MAX_GAP)
    spread = select(func.max(d.followers) - func.min(d.followers)).where(
        d.account_pk == a.id, d.day.between(first, scope.date_to)
    )
    pages = scope.pages().where(spread.scalar_subquery() >= MIN_FOLLOWERS)
    series = (
        select(d.account_pk, d.day, d.followers)
        .add_columns(
            func.lag(d.followers).over(partition_by=d.account_pk, order_by=d.day).label("before"),
            func.lag(d.day).over(partition_by=d.account_pk, order_by=d.day).label("since"),
        )
        .where(d.observed.is_(True), d.day.between(first, scope.date_to), d.account_pk.in_(pages))
        .subquery()
    )
    s = series.c
    change = s.followers - s.before
    stmt = (
        select(
            s.account_pk,
            s.day,
            s.since,
            s.before,
            s.followers,
            a.platform,
            a.territory_code,
            REGION_OF_TERRITORY.label("region"),
        )
        .select_from(series.join(ACCOUNT, a.id == s.account_pk).join(TERRITORY, TERRITORY.c.code == a.territory_code))
        .where(s.day >= scope.date_from, s.before >= MIN_FOLLOWERS, func.abs(change) >= MIN_FOLLOWERS)
        # Below both rules' narrowest bound no change is a jump.
        .where(func.abs(change) >= s.before * min(FLOOR, FIXED_RATIO))
    )
    rows = read_frame(conn, stmt)
    births = select(d.account_pk, func.min(d.day).label("born")).group_by(d.account_pk)
    births = births.where(d.account_pk.in_(rows["account_pk"].unique().tolist()), d.followers > 0)
    rows = rows.merge(read_frame(conn, births), on="account_pk")
    day, since, born = (pd.to_datetime(rows[c]) for c in ("day", "since", "born"))
    rows = rows.assign(age=(day - born).dt.days, gap=(day - since).dt.days)
    rows = rows[rows["gap"] <= MAX_GAP]
    return rows.assign(
        day=pd.to_datetime(rows["day"]).dt.date,
        before=rows["before"].astype("float64"),
        followers=rows["followers"].astype("float64"),
        change=(rows["followers"] - rows["before"]).astype("float64"),
    )


def regions_of(conn: Connection, scope: Scope) -> list[str]:
    """The regions of the scope's pages."""
    a = ACCOUNT.c
    stmt = select(REGION_OF_TERRITORY).select_from(ACCOUNT.join(TERRITORY, TERRITORY.c.code == a.territory_code))
    return list(conn.execute(stmt.where(*scope.where(a.platform, a.owner_role)).distinct()).scalars())


def jumps(conn: Connection, scope: Scope) -> pd.DataFrame:
    """Every jump of the scope's pages in its period, oldest first."""
    ranges = normal_ranges(daily_changes(conn, scope.date_to, regions_of(conn, scope)))
    found = judge(moved(conn, scope), ranges)
    return found.sort_values(["day", "account_pk"], ignore_index=True)
