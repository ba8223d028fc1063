"""Reply times of regions and countries from the histograms the loads keep (ReplyHistogram): the days of receipt
whose every inquiry is judged are read from them, the last few days counted from the inquiries into the same
buckets; their medians and 90th percentiles are within 1 % of the exact ones (etl/store/sketch.py)."""

import datetime as dt
from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Table, and_, func, select, update
from sqlalchemy.engine import Connection

from etl.store.histograms import UNITS
from etl.store.models import ReplyHistogram, table_of
from etl.store.rollups import behind
from etl.store.scope import INQUIRY, REGION_DAY, TERRITORY, Scope, read_frame

HISTOGRAM = table_of(ReplyHistogram)
# The rows whose reply times are read from the histograms unless asked for exactly: a region's or a country's.
SKETCH_LEVELS = ("country", "region")


def sketchable(
    conn: Connection, level: str, accounts: Collection[int] | None, back: dt.timedelta | None, exact: bool
) -> bool:
    """Whether reply times of `level` are read from the histograms: rows of regions or countries, not asked for
    exactly, of every page (not a chosen set), judged as the data stand now, with the rollups up to date."""
    return not exact and level in SKETCH_LEVELS and accounts is None and back is None and not behind(conn)


def is_sketch(times: pd.DataFrame) -> bool:
    """Whether reply times are histogram rows (`unit`, `bucket`, `inquiries`) rather than one row per reply."""
    return "bucket" in times.columns


def read_histograms(
    conn: Connection, scope: Scope, groups: dict[str, ColumnElement[Any]], cutoffs: Table
) -> pd.DataFrame:
    """The scope's histograms over each region's judged days (`judged_to` of the cutoff table) per `groups` (the
    inquiry's day of receipt read as the histogram's day), unit and bucket. A region whose histograms do not count
    as many replies as RegionDay (a database filled by other means than the loads) is left out, its days marked
    not judged in the cutoff table, so that its replies are read from the inquiries."""
    h, c = HISTOGRAM.c, cutoffs.c
    ends = (
        select(c.region_code, func.max(c.judged_to).label("last"))
        .where(c.judged_to.is_not(None))
        .group_by(c.region_code)
        .subquery()
    )
    mapped = {name: h.day if column is INQUIRY.c.received_on else column for name, column in groups.items()}
    first = next(iter(mapped.values()))

    def over(table: Table) -> Any:
        days = table.c.day.between(scope.date_from, ends.c.last)
        return ends.join(table, and_(table.c.region_code == ends.c.region_code, days)).join(
            TERRITORY, TERRITORY.c.code == table.c.region_code
        )

    keys = [*mapped.values(), h.region_code, h.unit, h.bucket]
    stmt = (
        select(*(column.label(name) for name, column in mapped.items()), h.region_code, h.unit, h.bucket)
        .add_columns(func.sum(h.inquiries).label("inquiries"))
        .select_from(over(HISTOGRAM))
        .where(first.is_not(None), *scope.where(h.platform, h.owner_role))
        .group_by(*keys)
    )
    rd = REGION_DAY.c
    answered = (
        select(rd.region_code, func.sum(rd.answered).label("answered"))
        .select_from(over(REGION_DAY))
        .where(first.is_not(None), *scope.where(rd.platform, rd.owner_role))
        .group_by(rd.region_code)
    )
    hist = read_frame(conn, stmt, raw=True)
    expected = read_frame(conn, answered).set_index("region_code")["answered"].astype("int64")
    counted = {unit: hist[hist["unit"] == unit].groupby("region_code")["inquiries"].sum() for unit in UNITS}
    regions = expected.index.union(pd.Index(hist["region_code"].unique()))
    wrong = sorted(
        {
            r
            for part in counted.values()
            for r in regions[part.reindex(regions, fill_value=0).ne(expected.reindex(regions, fill_value=0)).to_numpy()]
        }
    )
    if wrong:
        conn.execute(update(cutoffs).where(c.region_code.in_(wrong)).values(judged_to=None))
        hist = hist[~hist["region_code"].isin(wrong)]
    names = list(groups)
    return hist.groupby([*names, "unit", "bucket"], as_index=False, sort=False).agg(inquiries=("inquiries", "sum"))
