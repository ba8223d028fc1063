"""Responsiveness of regions and countries from the rollups the loads keep: the days of receipt whose every inquiry
is judged are read from the counts (ReplyCount, exact) and reply-time histograms (ReplyHistogram), the last few days
counted from the inquiries (their reply times into the same buckets); medians and 90th percentiles are within 1 %
of the exact ones (etl/store/sketch.py)."""

import datetime as dt
from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import ColumnElement, Table, and_, false, func, or_, select
from sqlalchemy.engine import Connection

from etl.store.histograms import UNITS
from etl.store.models import ReplyCount, ReplyHistogram, table_of
from etl.store.replycounts import COUNTS
from etl.store.rollups import behind
from etl.store.scope import INQUIRY, REGION_DAY, TERRITORY, Scope, read_frame

HISTOGRAM = table_of(ReplyHistogram)
COUNT = table_of(ReplyCount)
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


def read_judged(
    conn: Connection, scope: Scope, groups: dict[str, ColumnElement[Any]], cutoffs: pd.DataFrame, deadline: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The scope's counts (ReplyCount for `deadline`) per `groups` and delivery, as `stored_parts` counts them, and
    its histograms per `groups`, unit and bucket, over each region's judged days (`judged_to` of the cutoffs; the
    inquiry's day of receipt read as the rollups' day). A region whose histograms do not add up to RegionDay's
    replies, or whose counts to its inquiries and replies (a database filled by other means than the loads, counts
    kept for another deadline), is left out of them, its days marked in `cutoffs` not judged (`judged_to`) or not
    counted (`counted_to`), so that they are read from the inquiries."""
    last = cutoffs.dropna(subset=["judged_to"]).groupby("region_code")["judged_to"].max()
    # Regions share their last judged day by the dozen (a delivery's data time): one condition per day.
    ends = {end: sorted(regions) for end, regions in last.groupby(last).groups.items()}

    def over(table: Table) -> tuple[Any, list[Any], Any]:
        """The table's rows with their region's territory, `groups` on it, and the filter of its judged days and
        of the scope."""
        joined = table.join(TERRITORY, TERRITORY.c.code == table.c.region_code)
        judged = [
            and_(table.c.region_code.in_(regions), table.c.day.between(scope.date_from, end))
            for end, regions in ends.items()
        ]
        mapped = [(table.c.day if col is INQUIRY.c.received_on else col).label(name) for name, col in groups.items()]
        where = and_(
            or_(false(), *judged), mapped[0].element.is_not(None), *scope.where(table.c.platform, table.c.owner_role)
        )
        return joined, mapped, where

    names = list(groups)
    h, n, rd = HISTOGRAM.c, COUNT.c, REGION_DAY.c
    joined, mapped, where = over(HISTOGRAM)
    hist = read_frame(
        conn,
        select(*mapped, h.region_code, h.unit, h.bucket, func.sum(h.inquiries).label("inquiries"))
        .select_from(joined)
        .where(where)
        .group_by(*(m.element for m in mapped), h.region_code, h.unit, h.bucket),
        raw=True,
    )
    joined, mapped, where = over(COUNT)
    counts = read_frame(
        conn,
        select(*mapped, n.region_code.label("delivery"), *(func.sum(n[k]).label(k) for k in COUNTS))
        .select_from(joined)
        .where(where, n.deadline == deadline)
        .group_by(*(m.element for m in mapped), n.region_code),
    )
    joined, _, where = over(REGION_DAY)
    totals = select(rd.region_code, func.sum(rd.inquiries).label("inquiries"), func.sum(rd.answered).label("answered"))
    expected = read_frame(conn, totals.select_from(joined).where(where).group_by(rd.region_code))
    expected = expected.set_index("region_code").astype("int64")
    regions = expected.index.union(pd.Index(hist["region_code"].unique())).union(pd.Index(counts["delivery"].unique()))

    def wrong(*sides: tuple[pd.Series, pd.Series]) -> list[str]:
        """The regions where any of the sums differs from its truth."""
        differs = [
            part.reindex(regions, fill_value=0).ne(truth.reindex(regions, fill_value=0)) for part, truth in sides
        ]
        return sorted(regions[pd.concat(differs, axis=1).any(axis=1).to_numpy()])

    replies = [(hist[hist["unit"] == u].groupby("region_code")["inquiries"].sum(), expected["answered"]) for u in UNITS]
    if untrusted := wrong(*replies):
        cutoffs.loc[cutoffs["region_code"].isin(untrusted), "judged_to"] = None
        hist = hist[~hist["region_code"].isin(untrusted)]
    kept = counts.groupby("delivery")[["inquiries", "answered"]].sum()
    if untrusted := wrong((kept["inquiries"], expected["inquiries"]), (kept["answered"], expected["answered"])):
        cutoffs.loc[cutoffs["region_code"].isin(untrusted), "counted_to"] = None
        counts = counts[~counts["delivery"].isin(untrusted)]
    counts = counts.astype(dict.fromkeys(COUNTS, "int64"))
    # Every inquiry of a judged day is judged: the unanswered ones are past the deadline.
    counts = counts.assign(
        judged=counts["inquiries"], judged_answered=counts["answered"], missed=counts["inquiries"] - counts["answered"]
    )
    hist = hist.groupby([*names, "unit", "bucket"], as_index=False, sort=False).agg(inquiries=("inquiries", "sum"))
    return counts, hist
