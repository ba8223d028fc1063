"""Per territory, the latest receipt time already past the deadline: how the database counts the missed."""

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Column, Date, DateTime, FromClause, MetaData, String, Table, text
from sqlalchemy.engine import Connection

from etl.metrics.worktime import Clocks, Deadline
from etl.store.scope import (
    utc_times,
)


def cutoff_frame(
    places: pd.DataFrame,
    as_of: dict[str, pd.Timestamp],
    since: dt.date,
    deadline: Deadline,
    clocks: Clocks,
) -> pd.DataFrame | None:
    """Each territory's cutoff (`COLUMNS`): the latest receipt time already past the deadline at its delivery's as-of
    time (`seen`; the later the receipt, the less time has passed, so the missed unanswered inquiries are exactly
    those received up to it); None when no territory has one. With its delivery (`region_code`) and the last day
    of receipt from `since` on whose every inquiry in the delivery is judged (`judged_to`; none before `since`):
    the days the reply histograms can stand for; `counted_to` the same, for the kept counts."""
    spans = places.assign(as_of=places["delivery"].map(as_of).astype("datetime64[us]")).dropna(subset=["as_of"])
    # Every receipt of the period is at most a day before its local first day.
    spans = spans.assign(first=pd.Timestamp(since) - pd.Timedelta(days=1)).rename(columns={"code": "territory_code"})
    cutoffs = cutoffs_at(spans, deadline, clocks) if len(spans) else pd.Series(dtype="datetime64[us]")
    judged_to = judged_days(spans.assign(cutoff=cutoffs.to_numpy()), since)
    kept = spans.assign(cutoff=cutoffs.to_numpy())[cutoffs.notna().to_numpy()]
    if kept.empty:
        return None
    judged = kept["delivery"].map(judged_to).astype(object)
    judged = judged.where(judged.notna(), None)
    return pd.DataFrame(
        {
            "territory_code": kept["territory_code"].to_numpy(),
            "cutoff": kept["cutoff"].to_numpy("datetime64[us]"),
            "seen": kept["as_of"].to_numpy("datetime64[us]"),
            "region_code": kept["delivery"].to_numpy(),
            "judged_to": judged.to_numpy(),
            "counted_to": judged.to_numpy(),
        }
    )


COLUMNS = {
    "territory_code": String,
    "cutoff": DateTime,
    "seen": DateTime,  # the as-of time: replies after it are not yet in the data
    "region_code": String,
    "judged_to": Date,
    "counted_to": Date,  # judged_to, unless the region's counts are not kept (read_judged)
}


def cutoff_rows(conn: Connection, cutoffs: pd.DataFrame) -> FromClause:
    """The cutoffs as rows a statement joins: on SQLite a temporary table (`drop_rows` drops it), on PostgreSQL its
    columns bound as arrays and unnested, so that a read replica, where no table can be created (not even a
    temporary one), answers too."""
    # Whole columns to Python values at once: 20,000 territories one Timestamp at a time took a second a table.
    columns = {
        name: (
            cutoffs[name].to_numpy("datetime64[us]").astype(object).tolist()
            if kind is DateTime
            else cutoffs[name].astype(object).where(cutoffs[name].notna(), None).tolist()
        )
        for name, kind in COLUMNS.items()
    }
    if conn.dialect.name == "postgresql":
        arrays = ", ".join(f"CAST(:{name} AS {_PG_ARRAY[kind]}[])" for name, kind in COLUMNS.items())
        rows = text(f"SELECT * FROM unnest({arrays}) AS c({', '.join(COLUMNS)})").bindparams(**columns)
        return rows.columns(**{name: kind() for name, kind in COLUMNS.items()}).subquery(TABLE)
    table = Table(
        TABLE,
        MetaData(),
        *(Column(name, kind, primary_key=name == "territory_code") for name, kind in COLUMNS.items()),
        prefixes=["TEMPORARY"],
    )
    # A rolled-back transaction can bring back a dropped temporary table: start from a clean one.
    conn.execute(text(f"DROP TABLE IF EXISTS {TABLE}"))
    table.create(conn)
    conn.execute(table.insert(), [dict(zip(columns, row, strict=True)) for row in zip(*columns.values(), strict=True)])
    return table


def drop_rows(conn: Connection, rows: FromClause) -> None:
    """Drop the temporary table of `cutoff_rows`, if it made one."""
    if isinstance(rows, Table):
        conn.execute(text(f"DROP TABLE {TABLE}"))


TABLE = "deadline_cutoff"
_PG_ARRAY = {String: "text", DateTime: "timestamp", Date: "date"}


# A local day of receipt ends within 14 hours of UTC's midnight after it; with the cutoff's own day, two days before
# the cutoff's day every inquiry of a local day was received before the cutoff.
MARGIN = pd.Timedelta(days=2)


def judged_days(spans: pd.DataFrame, since: dt.date) -> dict[str, dt.date]:
    """Per delivery, the last local day of receipt whose every inquiry in each of its territories (`cutoff`, NaT:
    none judged) is received before its cutoff; deliveries with no such day from `since` on are left out."""
    by = spans.groupby("delivery")["cutoff"]
    earliest = by.min()[~spans["cutoff"].isna().groupby(spans["delivery"]).any()].dropna()
    last = (pd.to_datetime(earliest).dt.normalize() - MARGIN).dt.date
    return {str(d): day for d, day in last.items() if day >= since}


# Receipt times tried per group and round of the cutoff search.
SEARCH_POINTS = 63


# How far before its as-of time the cutoff is searched (and further back, if a territory's inquiries are older).
SEARCH_BACK = pd.Timedelta(days=400)


# Cutoffs found, by time zone, calendar, as-of time and deadline: the KPI tables of one delivery share them.
_FOUND: dict[tuple[str, Any, pd.Timestamp, Deadline], int] = {}


_NONE = np.iinfo(np.int64).min  # NaT


def cutoffs_at(spans: pd.DataFrame, deadline: Deadline, clocks: Clocks) -> pd.Series:
    """Per territory (`territory_code`), the latest receipt time already past the deadline at `as_of`, or NaT (none
    since `first`)."""
    codes = spans["territory_code"].tolist()
    # Territories of one time zone, calendar and as-of time share a cutoff: a country's 20,000 territories have a few
    # hundred such keys, each looked up (and searched) once.
    calendars: dict[Any, int] = {}
    clock = pd.DataFrame(
        {
            "zone": [clocks.zones[c] for c in codes],
            "calendar": [calendars.setdefault(clocks.calendars[c], len(calendars)) for c in codes],
            "as_of": spans["as_of"].to_numpy("datetime64[us]"),
        }
    )
    ids, distinct = pd.MultiIndex.from_frame(clock).factorize()
    by_id = list(calendars)
    keys = [(zone, by_id[calendar], pd.Timestamp(t), deadline) for zone, calendar, t in distinct]
    firsts = utc_times(spans["first"]).to_numpy("datetime64[us]").view("int64")
    earliest = pd.Series(firsts).groupby(ids).min().to_numpy()
    cut = np.array([_FOUND.get(key, _NONE) for key in keys], dtype="int64")
    # The rest is searched once per key, from the earliest receipt of its territories.
    todo = np.flatnonzero(cut == _NONE)
    if todo.size:
        first_code = pd.Series(codes).groupby(ids).first().to_numpy()
        found = _search(
            pd.Series([keys[k][2] for k in todo]), earliest[todo], first_code[todo].tolist(), deadline, clocks
        )
        cut[todo] = found
        if len(_FOUND) > 100_000:
            _FOUND.clear()
        # Only cutoffs found are kept: "none since the first" holds for that first only.
        _FOUND.update((keys[k], int(v)) for k, v in zip(todo, found.tolist(), strict=True) if v != _NONE)
    return pd.Series(cut[ids].view("datetime64[us]"), index=codes, dtype="datetime64[us]")


def _search(as_of: pd.Series, first: np.ndarray, codes: list[str], deadline: Deadline, clocks: Clocks) -> np.ndarray:
    """The cutoff of each territory's clock at `as_of` (µs since the epoch; `_NONE` when none is past it since
    `first`, µs since the epoch)."""
    rep = pd.Series(codes)
    times = as_of.reset_index(drop=True).astype("datetime64[us]")
    unanswered = pd.Series(pd.NaT, index=rep.index, dtype="datetime64[us]")

    def missed(at: np.ndarray, rows: np.ndarray) -> np.ndarray:
        received = pd.Series(at.view("datetime64[us]"))
        verdict = clocks.deadline_met(
            received, unanswered.iloc[rows].reset_index(drop=True), rep.iloc[rows].reset_index(drop=True),
            deadline, as_of=times.iloc[rows].reset_index(drop=True),
        )  # fmt: skip
        return verdict.eq(False).to_numpy(dtype=bool, na_value=False)

    hi = times.to_numpy("datetime64[us]").view("int64").copy()
    lo = np.minimum(hi - SEARCH_BACK.value // 1000, first)
    every = np.arange(len(rep))
    cut = np.full(len(rep), _NONE)
    all_missed = missed(hi, every)
    cut[all_missed] = hi[all_missed]
    # A search in SEARCH_POINTS steps per round keeps lo past the deadline and hi not past it, until they are one
    # microsecond apart: about 8 rounds for a year, where halving takes 45 (each round is one call of the engine).
    search = ~all_missed & missed(lo, every)
    steps = np.arange(1, SEARCH_POINTS + 1)
    while (active := np.flatnonzero(search & (hi - lo > 1))).size:
        points = lo[active, None] + ((hi[active] - lo[active])[:, None] * steps) // (SEARCH_POINTS + 1)
        past = missed(points.ravel(), np.repeat(active, SEARCH_POINTS)).reshape(points.shape)
        # Past the deadline is monotone in the receipt time: the points past it come first.
        n = past.sum(axis=1)
        rows = np.arange(len(active))
        lo[active] = np.where(n > 0, points[rows, np.maximum(n - 1, 0)], lo[active])
        hi[active] = np.where(n < SEARCH_POINTS, points[rows, np.minimum(n, SEARCH_POINTS - 1)], hi[active])
    cut[search] = lo[search]
    return cut
