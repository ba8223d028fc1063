"""Responsiveness of a scope and period, from the database: the entry points the report and dashboard call."""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine

from etl.metrics.responsiveness.asof import data_times, delivery_column, raw_column
from etl.metrics.responsiveness.cutoffs import cutoff_frame, cutoff_rows, drop_rows
from etl.metrics.responsiveness.reads import in_scope, key_column, place_column, read_timed, stored_parts, table_keys
from etl.metrics.responsiveness.sketched import sketchable
from etl.metrics.responsiveness.sums import fill_counts, parts_of, summarise, weekly
from etl.metrics.worktime import Clocks, Deadline, backlog_bucket
from etl.settings import Settings, get_settings
from etl.store.scope import (
    ACCOUNT,
    INQUIRY,
    LEVELS,
    TERRITORY,
    read_frame,
    resolve_scope,
    utc_times,
)

LEVELS_AND_ALL = (*LEVELS, "all")


@dataclass(frozen=True)
class Responsiveness:
    """Responsiveness of a scope: one row per key, one row per key and week, and what they were judged by."""

    table: pd.DataFrame
    weekly: pd.DataFrame
    deadline: Deadline
    as_of: pd.Timestamp | None


def parse_deadline(deadline: "str | Deadline | None", settings: Settings) -> Deadline:
    """The deadline given, or the `deadline` setting."""
    if isinstance(deadline, Deadline):
        return deadline
    return Deadline.parse(deadline if deadline is not None else settings.deadline)


def responsiveness(
    engine: Engine,
    date_from: dt.date,
    date_to: dt.date,
    *,
    level: str = "all",
    parent: str | None = None,
    platform: str | Collection[str] | None = None,
    roles: Collection[str] | None = None,
    accounts: Collection[int] | None = None,
    deadline: "str | Deadline | None" = None,
    as_of: dt.datetime | pd.Timestamp | None = None,
    settings: Settings | None = None,
    clocks: Clocks | None = None,
) -> Responsiveness:
    """Responsiveness metrics of the period's inquiries per territory of `level`, per account, or for `all`."""
    settings = settings or get_settings()
    if level not in LEVELS_AND_ALL:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS_AND_ALL)}")
    rule = parse_deadline(deadline, settings)
    with engine.connect() as conn:
        scope = resolve_scope(conn, level, date_from, date_to, parent, platform, roles)
        keys = table_keys(conn, scope, level, accounts, settings)
        rows = read_timed(conn, scope, key_column(level), rule, settings, accounts=accounts, as_of=as_of, clocks=clocks)
    table = fill_counts(keys.merge(summarise(rows, "key", settings), on="key", how="left"))
    trend = weekly(rows, "key", date_from, date_to, settings, keys=keys["key"])
    latest = rows["as_of"].max() if len(rows) else None
    return Responsiveness(table, trend, rule, None if pd.isna(latest) else pd.Timestamp(latest))


def timed_inquiries(
    engine: Engine,
    date_from: dt.date,
    date_to: dt.date,
    *,
    level: str = "all",
    parent: str | None = None,
    platform: str | Collection[str] | None = None,
    roles: Collection[str] | None = None,
    accounts: Collection[int] | None = None,
    deadline: "str | Deadline | None" = None,
    as_of: dt.datetime | pd.Timestamp | None = None,
    settings: Settings | None = None,
    clocks: Clocks | None = None,
) -> pd.DataFrame:
    """The period's inquiries in scope, one row each, timed: working minutes, deadline verdict, backlog age."""
    settings = settings or get_settings()
    if level not in LEVELS_AND_ALL:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS_AND_ALL)}")
    rule = parse_deadline(deadline, settings)
    with engine.connect() as conn:
        scope = resolve_scope(conn, level, date_from, date_to, parent, platform, roles)
        return read_timed(conn, scope, key_column(level), rule, settings, accounts=accounts, as_of=as_of, clocks=clocks)


def responsiveness_parts(
    engine: Engine,
    date_from: dt.date,
    date_to: dt.date,
    *,
    level: str,
    parent: str | None = None,
    platform: str | Collection[str] | None = None,
    roles: Collection[str] | None = None,
    accounts: Collection[int] | None = None,
    deadline: "str | Deadline | None" = None,
    settings: Settings | None = None,
    clocks: Clocks | None = None,
    exact: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`stored_parts` of the period's inquiries in scope (of `accounts` only, if given) per `place` (see
    `place_column`) and `day` of receipt: counted by the database, or from the inquiries timed one by one while the
    stored timing is incomplete. Places that are regions or countries get their reply times as histograms
    (`is_sketch`), unless `exact`."""
    settings = settings or get_settings()
    rule = parse_deadline(deadline, settings)
    with engine.connect() as conn:
        scope = resolve_scope(conn, level, date_from, date_to, parent, platform, roles)
        place = place_column(level)
        groups = {"place": place, "day": INQUIRY.c.received_on}
        sketch = sketchable(conn, level, accounts, None, exact)
        parts = stored_parts(conn, scope, groups, rule, settings, clocks, accounts, sketch=sketch)
        if parts is None:
            rows = read_timed(conn, scope, place, rule, settings, accounts=accounts, clocks=clocks)
            parts = parts_of(rows.assign(place=rows["key"], day=rows["received_on"]), ["place", "day"])
    sums, times = parts
    days = {"day": lambda part: pd.to_datetime(part["day"]).astype("datetime64[us]")}
    return sums.assign(**days), times.assign(**days)


def waiting_inquiries(
    engine: Engine,
    date_to: dt.date,
    *,
    parent: str | None = None,
    platform: str | Collection[str] | None = None,
    roles: Collection[str] | None = None,
    settings: Settings | None = None,
    clocks: Clocks | None = None,
) -> pd.DataFrame:
    """The inquiries in scope still unanswered at the end of `date_to` (local midnight after it, or the data's time
    if that is earlier), whenever they were received: page, territory, receipt (UTC) and as-of time, age in working
    days and backlog bucket."""
    settings = settings or get_settings()
    i, a = INQUIRY.c, ACCOUNT.c
    # Local midnights after date_to fall within a day of UTC's: replies from a day before it may still be late.
    late = dt.datetime.combine(date_to, dt.time(), dt.UTC) - dt.timedelta(days=1)
    with engine.connect() as conn:
        scope = resolve_scope(conn, "account", FIRST_DAY, date_to, parent, platform, roles)
        columns = (i.account_pk, a.territory_code, raw_column(i.received_at), raw_column(i.first_reply_at))
        stmt = in_scope(select(*columns, delivery_column()), scope, i.account_pk)
        rows = read_frame(conn, stmt.where(or_(i.first_reply_at.is_(None), i.first_reply_at >= late)), raw=True)
        as_of = data_times(conn, rows["delivery"].unique(), scope.date_from)
        clocks = clocks or Clocks.load(conn, settings.data_dir)
    rows["received_at"], replied = utc_times(rows["received_at"]), utc_times(rows.pop("first_reply_at"))
    rows["as_of"] = judged_at(rows["delivery"], rows["territory_code"], date_to, as_of, clocks)
    rows = rows[replied.isna() | (replied > rows["as_of"])].reset_index(drop=True)
    rows["age_wd"] = clocks.backlog_age_working_days(rows["received_at"], rows["as_of"], rows["territory_code"])
    rows["backlog"] = backlog_bucket(rows["age_wd"])
    return rows.drop(columns="delivery")


def overdue_counts(
    engine: Engine, date_to: dt.date, deadline: Deadline, clocks: Clocks, above: int = 0
) -> pd.DataFrame:
    """Per page (`account_pk`, `territory_code`) with more than `above` of them, the inquiries received by `date_to`
    and still unanswered at the end of it (as `waiting_inquiries` judges it) whose deadline has passed then
    (`overdue`), counted by the database below each territory's cutoff."""
    i, a = INQUIRY.c, ACCOUNT.c
    with engine.connect() as conn:
        places = read_frame(conn, select(TERRITORY.c.code, delivery_column()))
        times = data_times(conn, places["delivery"].unique(), FIRST_DAY)
        # Each territory is a delivery of its own here, judged at its own as-of time.
        as_of = dict(
            zip(places["code"], judged_at(places["delivery"], places["code"], date_to, times, clocks), strict=True)
        )
        cut = cutoff_frame(places.assign(delivery=places["code"]), as_of, FIRST_DAY, deadline, clocks)
        if cut is None:
            return pd.DataFrame({"account_pk": [], "territory_code": [], "overdue": []})
        cutoffs = cutoff_rows(conn, cut)
        try:
            stmt = (
                select(i.account_pk, a.territory_code, func.count().label("overdue"))
                .select_from(INQUIRY.join(ACCOUNT, a.id == i.account_pk))
                .join(cutoffs, cutoffs.c.territory_code == a.territory_code)
                .where(i.received_on <= date_to, i.received_at <= cutoffs.c.cutoff)
                .where(or_(i.first_reply_at.is_(None), i.first_reply_at > cutoffs.c.seen))
                .group_by(i.account_pk, a.territory_code)
                .having(func.count() > above)
            )
            return read_frame(conn, stmt)
        finally:
            drop_rows(conn, cutoffs)


# Before any data: the backlog at a period's end reaches back to the first inquiry.
FIRST_DAY = dt.date(2000, 1, 1)


def judged_at(
    delivery: pd.Series, territories: pd.Series, date_to: dt.date, times: dict[str, pd.Timestamp], clocks: Clocks
) -> pd.Series:
    """When the unanswered are judged at the end of `date_to`: the delivery's data time (`times`), capped at the
    territory's local midnight after `date_to` (that midnight for a delivery without one)."""
    end = period_end(territories, date_to, clocks)
    return delivery.map(times).astype("datetime64[us]").where(lambda t: t <= end, end)


def period_end(territories: pd.Series, day: dt.date, clocks: Clocks) -> pd.Series:
    """The local midnight after `day` in each territory's time zone, as naive UTC."""
    zones = territories.map(clocks.zones)
    out = pd.Series(pd.NaT, index=territories.index, dtype="datetime64[us]")
    midnight = pd.Timestamp(day + dt.timedelta(days=1))
    for zone in zones.dropna().unique():
        at = midnight.tz_localize(zone).tz_convert("UTC").tz_localize(None)
        out[zones == zone] = at
    return out
