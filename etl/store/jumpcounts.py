"""Follower changes counted for the normal range of follower jumps (FollowerChange): per day, region, platform and
basis point of the count the day before, kept by the loads for the last WEEKS weeks of data. A country's range is
then read from thousands of counts, where it took two snapshots of each of its pages on each day of the range."""

import datetime as dt
from collections.abc import Collection, Mapping

import pandas as pd
from sqlalchemy import Date, bindparam, select, text
from sqlalchemy.engine import Connection

from etl.store.models import REGION, ChangeDay, FollowerChange, table_of
from etl.store.scope import read_frame

WEEKS = 8  # the normal range: one-day changes of the region's pages in the eight weeks to the last day judged
PER = 10_000  # changes are counted in basis points (hundredths of a per cent) of the count before
LEAST = 100  # of pages with at least this many followers the day before
CHANGE = table_of(FollowerChange)
COUNTED = table_of(ChangeDay)
COLUMNS = ["region", "platform", "bp", "n"]

# CROSS JOIN keeps SQLite on the regions' pages first, then their two days by the (page, day) key: a day's
# snapshots of the whole country, read through the index on the day, cost a region's Overview seconds.
_CHANGES = (
    f"SELECT {REGION} AS region, a.platform, "
    f"CAST(round((w.followers - p.followers) * {float(PER)} / p.followers) AS INTEGER) AS bp, count(*) AS n "
    "FROM territory t CROSS JOIN account a CROSS JOIN accountday w CROSS JOIN accountday p "
    f"WHERE {REGION} IN :regions AND a.territory_code = t.code AND w.account_pk = a.id AND w.day = :day "
    "AND p.account_pk = a.id AND p.day = :before AND w.observed AND p.observed AND p.followers >= :least "
    f"GROUP BY {REGION}, a.platform, bp"
)


def _params(day: dt.date, regions: Collection[str]) -> dict[str, object]:
    return {"regions": list(regions), "day": day, "before": day - dt.timedelta(days=1), "least": LEAST}


def count_changes(conn: Connection, day: dt.date, regions: Collection[str]) -> pd.DataFrame:
    """The one-day changes to `day` of the regions' pages snapshotted on both days (of LEAST or more the day before),
    counted per region, platform and basis point of the count before (`n`), from the snapshots."""
    stmt = text(_CHANGES).bindparams(bindparam("regions", expanding=True))
    return read_frame(conn, stmt, params=_params(day, regions))


def kept_changes(
    conn: Connection, days: Collection[dt.date], regions: Collection[str]
) -> tuple[pd.DataFrame, set[tuple[dt.date, str]]]:
    """The counts kept for `days` and `regions`, as `count_changes` gives them, and the (day, region) pairs they
    cover."""
    c = CHANGE.c
    stmt = select(c.region_code.label("region"), c.platform, c.bp, c.n).where(
        c.day.in_(list(days)), c.region_code.in_(list(regions))
    )
    return read_frame(conn, stmt, raw=True).astype({"bp": "int64", "n": "int64"}), _covered(conn, days, regions)


def _covered(conn: Connection, days: Collection[dt.date], regions: Collection[str]) -> set[tuple[dt.date, str]]:
    """The (day, region) pairs among `days` and `regions` whose counts are kept."""
    k = COUNTED.c
    rows = conn.execute(select(k.day, k.region_code).where(k.day.in_(list(days)), k.region_code.in_(list(regions))))
    return {(day, region) for day, region in rows}


def forget(conn: Connection, since: Mapping[str, dt.date] | None = None) -> None:
    """Drop the kept counts of each region from its day on (`since`), or every count."""
    if since is None:
        conn.execute(CHANGE.delete())
        conn.execute(COUNTED.delete())
        return
    rows = [{"r": region, "d": day} for region, day in since.items()]
    for table in ("followerchange", "changeday") if rows else ():
        stmt = text(f"DELETE FROM {table} WHERE region_code = :r AND day >= :d").bindparams(bindparam("d", type_=Date))
        conn.execute(stmt, rows)


def keep_counts(conn: Connection) -> None:
    """Count the changes of every region with pages on each day of the last WEEKS weeks loaded that no count covers
    yet."""
    first, last = (
        conn.execute(text(f"SELECT {agg}(day) AS day FROM accountday").columns(day=Date)).scalar()
        for agg in ("min", "max")  # two statements: SQLite reads either off an index only when it is the only one
    )
    if first is None or last is None:
        return
    days = [last - dt.timedelta(days=k) for k in range(7 * WEEKS)]
    regions = list(
        conn.execute(text(f"SELECT DISTINCT {REGION} FROM account a JOIN territory t ON t.code = a.territory_code"))
        .scalars()
        .all()
    )
    covered = _covered(conn, days, regions)
    insert = text(
        f"INSERT INTO followerchange (region_code, platform, bp, n, day) SELECT *, :day FROM ({_CHANGES}) x"
    ).bindparams(bindparam("regions", expanding=True), bindparam("day", type_=Date))
    for day in days:
        missing = [region for region in regions if (day, region) not in covered]
        if missing and day > first:  # no change reaches the data's first day
            conn.execute(insert, _params(day, missing))
        if missing:
            conn.execute(COUNTED.insert(), [{"day": day, "region_code": region} for region in missing])
