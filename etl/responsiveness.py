"""Responsiveness to citizens: answers, reply times in calendar and working time, deadlines, backlog, who answers."""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import (
    Column,
    ColumnElement,
    DateTime,
    MetaData,
    String,
    Table,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
    text,
    type_coerce,
)
from sqlalchemy.engine import Connection, Engine

from etl.scope import (
    ACCOUNT,
    DATA_TIME,
    INQUIRY,
    LEVELS,
    SUBTREE_COLUMN,
    TERRITORY,
    Scope,
    account_existed,
    read_frame,
    resolve_scope,
    utc_times,
    with_territory,
)
from etl.settings import Settings, get_settings
from etl.worktime import BACKLOG_BUCKETS, Clocks, Deadline, backlog_bucket

LEVELS_AND_ALL = (*LEVELS, "all")
ANSWERERS = ("owner", "press_service", "other", "unstated")
BACKLOG_COLUMNS = dict(zip(BACKLOG_BUCKETS, ("backlog_lt1", "backlog_1_3", "backlog_3_7", "backlog_gt7"), strict=True))
COUNTS = [
    "inquiries",
    "answered",
    "met",
    "missed",
    "pending",
    "decided",
    "backlog_open",
    *BACKLOG_COLUMNS.values(),
    *(f"answered_{who}" for who in ANSWERERS),
]
RATES = [
    "response_rate_pct",
    "reply_median_min",
    "reply_p90_min",
    "reply_median_work_min",
    "reply_p90_work_min",
    "within_deadline_pct",
    *(f"share_{who}_pct" for who in (*ANSWERERS, "nobody")),
]
METRICS = [*COUNTS, *RATES, "as_of"]
# The count each rate is computed from: below `min_sample_inquiries` of it the rate is "not rated (n = …)".
SAMPLE_OF = {
    "response_rate_pct": "inquiries",
    "reply_median_min": "answered",
    "reply_p90_min": "answered",
    "reply_median_work_min": "answered",
    "reply_p90_work_min": "answered",
    "within_deadline_pct": "decided",
    **{f"share_{who}_pct": "inquiries" for who in (*ANSWERERS, "nobody")},
}
TIMED_COLUMNS = [
    "key",
    "account_pk",
    "inquiry_id",
    "territory_code",
    "region_code",
    "district_code",
    "platform",
    "owner_role",
    "channel",
    "post_id",
    "topic",
    "received_at",
    "received_on",
    "week",
    "first_reply_at",
    "replied_by",
    "answerer",
    "reply_min",
    "work_min",
    "as_of",
    "met",
    "age_wd",
    "backlog",
]


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
        keys = _keys(conn, scope, level, accounts, settings)
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


def place_column(level: str) -> ColumnElement[str]:
    """The territory of `level` an inquiry's page belongs to ("" for pages attached above that level), or its page's
    key as text."""
    t = TERRITORY.c
    if level == "account":
        return cast(ACCOUNT.c.id, String)
    if level == "settlement":
        return case((t.level == "settlement", t.code), else_="")
    return func.coalesce(t[SUBTREE_COLUMN[level]], "")


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
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`stored_parts` of the period's inquiries in scope (of `accounts` only, if given) per `place` (see
    `place_column`) and `day` of receipt: counted by the database, or from the inquiries timed one by one while the
    stored timing is incomplete."""
    settings = settings or get_settings()
    rule = parse_deadline(deadline, settings)
    with engine.connect() as conn:
        scope = resolve_scope(conn, level, date_from, date_to, parent, platform, roles)
        place = place_column(level)
        groups = {"place": place, "day": INQUIRY.c.received_on}
        parts = stored_parts(conn, scope, groups, rule, settings, clocks, accounts)
        if parts is None:
            rows = read_timed(conn, scope, place, rule, settings, accounts=accounts, clocks=clocks)
            parts = parts_of(rows.assign(place=rows["key"], day=rows["received_on"]), ["place", "day"])
    sums, times = parts
    days = {"day": lambda part: pd.to_datetime(part["day"]).astype("datetime64[us]")}
    return sums.assign(**days), times.assign(**days)


def waiting_inquiries(
    engine: Engine,
    date_from: dt.date,
    date_to: dt.date,
    *,
    parent: str | None = None,
    platform: str | Collection[str] | None = None,
    roles: Collection[str] | None = None,
    settings: Settings | None = None,
    clocks: Clocks | None = None,
) -> pd.DataFrame:
    """The period's unanswered inquiries in scope: page, territory, receipt (UTC) and as-of time, age in working
    days and backlog bucket."""
    settings = settings or get_settings()
    i, a = INQUIRY.c, ACCOUNT.c
    with engine.connect() as conn:
        scope = resolve_scope(conn, "account", date_from, date_to, parent, platform, roles)
        stmt = _in_scope(
            select(i.account_pk, a.territory_code, _raw(i.received_at), _delivery()), scope, i.account_pk
        ).where(i.first_reply_at.is_(None))
        rows = read_frame(conn, stmt, raw=True)
        as_of = _data_times(conn, rows["delivery"].unique(), scope.date_from)
        clocks = clocks or Clocks.load(conn, settings.data_dir)
    rows["received_at"] = utc_times(rows["received_at"])
    rows["as_of"] = rows["delivery"].map(as_of).astype("datetime64[us]")
    rows["age_wd"] = clocks.backlog_age_working_days(rows["received_at"], rows["as_of"], rows["territory_code"])
    rows["backlog"] = backlog_bucket(rows["age_wd"])
    return rows.drop(columns="delivery")


def key_column(level: str) -> ColumnElement[Any]:
    """The column that groups inquiries into the rows of `level`."""
    if level == "account":
        return ACCOUNT.c.id
    if level == "all":
        return literal("all")
    return TERRITORY.c[SUBTREE_COLUMN[level]]


def _keys(
    conn: Connection, scope: Scope, level: str, accounts: Collection[int] | None, settings: Settings
) -> pd.DataFrame:
    """The rows a table has even without inquiries: the territories of `level`, the accounts, or `all`."""
    t, a = TERRITORY.c, ACCOUNT.c
    name = t.name_en if settings.language == "en" else t.name_ru
    if level == "all":
        return pd.DataFrame({"key": ["all"]})
    if level == "account":
        stmt = (
            select(
                a.id.label("key"),
                a.platform,
                a.account_id,
                a.handle,
                a.owner_role,
                a.territory_code,
                name.label("territory_name"),
            )
            .select_from(ACCOUNT.join(TERRITORY, t.code == a.territory_code))
            .where(account_existed(scope), *scope.where(a.platform, a.owner_role))
            .order_by(a.territory_code, a.platform, a.handle, a.account_id)
        )
        if accounts is not None:
            stmt = stmt.where(a.id.in_(list(accounts)))
        return read_frame(conn, stmt)
    stmt = (
        select(t.code.label("key"), t.code.label("territory_code"), name.label("territory_name"))
        .where(t.level == level, *scope.territory_where())
        .order_by(t.code)
    )
    return read_frame(conn, stmt)


def read_timed(
    conn: Connection,
    scope: Scope,
    key: ColumnElement[Any],
    deadline: Deadline,
    settings: Settings,
    *,
    accounts: Collection[int] | None = None,
    as_of: dt.datetime | pd.Timestamp | None = None,
    clocks: Clocks | None = None,
) -> pd.DataFrame:
    """The scope's inquiries received in the period, grouped by `key`, with their times on the working clock."""
    a, i = ACCOUNT.c, INQUIRY.c
    stmt = _in_scope(
        select(
            key.label("key"),
            i.account_pk,
            i.inquiry_id,
            a.territory_code,
            TERRITORY.c.region_code,
            TERRITORY.c.district_code,
            a.platform,
            a.owner_role,
            i.channel,
            i.post_id,
            i.topic,
            _delivery(),
            _raw(i.received_at),
            _raw(i.received_on),
            _raw(i.first_reply_at),
            i.replied_by,
            i.reply_min.label("stored_reply_min"),
            i.work_min.label("stored_work_min"),
            i.work_days.label("stored_work_days"),
        ),
        scope,
        key,
    )
    if accounts is not None:
        stmt = stmt.where(i.account_pk.in_(list(accounts)))
    # Read as objects: inferring text columns costs more than reading them, and most are converted anyway.
    rows = read_frame(conn, stmt, dtype="object", raw=True)
    rows["key"], rows["account_pk"] = rows["key"].infer_objects(), rows["account_pk"].astype("int64")
    rows["received_at"], rows["first_reply_at"] = utc_times(rows["received_at"]), utc_times(rows["first_reply_at"])
    rows["received_on"] = pd.to_datetime(rows["received_on"])
    if as_of is None:
        found = _data_times(conn, rows["delivery"].unique(), scope.date_from)
        rows["as_of"] = rows["delivery"].map(found)
    else:
        rows["as_of"] = utc_times(pd.Series(as_of, index=rows.index))
    rows["as_of"] = rows["as_of"].astype("datetime64[us]")
    if clocks is None:
        clocks = Clocks.load(conn, settings.data_dir)
    return _time(rows, deadline, clocks)


def summarise_stored(
    conn: Connection,
    scope: Scope,
    key: ColumnElement[Any],
    deadline: Deadline,
    settings: Settings,
    clocks: Clocks | None = None,
) -> pd.DataFrame | None:
    """`summarise` per `key` of the scope's inquiries, counted by the database from the stored timing (only the
    unanswered are judged here, at their as-of time); None while an answered inquiry in scope is still untimed or a
    delivery's data time is not kept."""
    parts = stored_parts(conn, scope, {"key": key}, deadline, settings, clocks)
    return None if parts is None else summarise_parts(*parts, ["key"], settings)


# The counts of `stored_parts`, added up over any grouping; `summarise_parts` derives the rest.
PART_COUNTS = [
    "inquiries",
    "answered",
    "met",
    "decided",
    "missed",
    *(f"answered_{who}" for who in ANSWERERS),
]


def stored_parts(
    conn: Connection,
    scope: Scope,
    groups: dict[str, ColumnElement[Any]],
    deadline: Deadline,
    settings: Settings,
    clocks: Clocks | None = None,
    accounts: Collection[int] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The scope's inquiries (of `accounts` only, if given) counted per `groups` (name: column; rows where the
    first is empty are left out) by the database from the stored timing, with their as-of time, and the answered
    ones' calendar and working reply minutes per `groups`: what `summarise_parts` needs for any coarser grouping.
    `met` and `decided` count answered inquiries, `missed` the unanswered already past the deadline. None while an
    answered inquiry in scope is still untimed or a delivery's data time is not kept."""
    i = INQUIRY.c
    answered, waiting = i.first_reply_at.is_not(None), i.first_reply_at.is_(None)
    measure = {"wh": i.work_min, "h": i.reply_min, "wd": i.work_days}[deadline.unit]
    within = measure < deadline.amount if deadline.unit == "wd" else measure <= deadline.amount * 60
    first = next(iter(groups.values()))
    labelled = [column.label(name) for name, column in groups.items()]

    def count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((and_(*conditions), 1), else_=0))

    def scoped(stmt: Any) -> Any:
        stmt = _in_scope(stmt, scope, first)
        return stmt if accounts is None else stmt.where(i.account_pk.in_(list(accounts)))

    places = read_frame(conn, select(TERRITORY.c.code, _delivery()).where(*scope.territory_where()))
    as_of = _kept_data_times(conn, places["delivery"].unique())
    clocks = clocks or Clocks.load(conn, settings.data_dir)
    cutoffs = _cutoff_table(conn, places, as_of, scope.date_from, deadline, clocks)
    delivery = _delivery()
    stmt = scoped(
        select(
            *labelled,
            delivery,
            func.count().label("inquiries"),
            func.count(i.first_reply_at).label("answered"),
            count(answered, within).label("met"),
            count(answered, measure.is_not(None)).label("decided"),
            count(answered, or_(i.work_min.is_(None), i.work_days.is_(None))).label("untimed"),
            *(count(answered, i.replied_by == who).label(f"answered_{who}") for who in ANSWERERS[:-1]),
            count(answered, i.replied_by.is_(None)).label("answered_unstated"),
            # Unanswered inquiries received up to their territory's cutoff are past the deadline at their as-of time.
            (count(waiting, i.received_at <= cutoffs.c.cutoff) if cutoffs is not None else literal(0)).label("missed"),
        )
    ).group_by(*groups.values(), delivery)
    if cutoffs is not None:
        stmt = stmt.outerjoin(cutoffs, cutoffs.c.territory_code == ACCOUNT.c.territory_code)
    try:
        sums = read_frame(conn, stmt)
    finally:
        if cutoffs is not None:
            conn.execute(text("DROP TABLE deadline_cutoff"))
    # A database not loaded since data times were kept is summed row by row, like untimed inquiries.
    if sums["untimed"].sum() > 0 or not sums["delivery"].isin(as_of).all():
        return None
    sums["as_of"] = sums["delivery"].map(as_of).astype("datetime64[us]")
    sums[PART_COUNTS] = sums[PART_COUNTS].astype("int64")
    names = list(groups)
    sums = sums.groupby(names, as_index=False).agg({**dict.fromkeys(PART_COUNTS, "sum"), "as_of": "max"})
    times = read_frame(conn, scoped(select(*labelled, i.reply_min, i.work_min)).where(answered), raw=True)
    return sums, times.astype({"reply_min": "float64", "work_min": "float64"})


def parts_of(rows: pd.DataFrame, groups: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`stored_parts` of timed inquiry rows (`read_timed`), per `groups` (columns of the rows)."""
    answered = rows["first_reply_at"].notna()
    met = rows["met"].astype("boolean")
    flags = pd.DataFrame(
        {
            "inquiries": 1,
            "answered": answered,
            "met": answered & met.fillna(False),
            "decided": answered & met.notna(),
            "missed": ~answered & met.eq(False).fillna(False),
            **{f"answered_{who}": rows["answerer"].eq(who).fillna(False) for who in ANSWERERS},
        },
        index=rows.index,
    ).astype("int64")
    keyed = pd.concat([rows[groups], flags, rows[["as_of"]]], axis=1)
    sums = keyed.groupby(groups, as_index=False, observed=True).agg(
        {**dict.fromkeys(PART_COUNTS, "sum"), "as_of": "max"}
    )
    times = rows.loc[answered, [*groups, "reply_min", "work_min"]].reset_index(drop=True)
    return sums, times.astype({"reply_min": "float64", "work_min": "float64"})


def summarise_parts(sums: pd.DataFrame, times: pd.DataFrame, by: list[str], settings: Settings) -> pd.DataFrame:
    """The responsiveness metrics per group of `by` from `stored_parts` (counted per `by` or finer), one row per
    group with inquiries."""
    stats = sums.groupby(by, observed=True).agg({**dict.fromkeys(PART_COUNTS, "sum"), "as_of": "max"})
    # Unanswered inquiries are never met: past the deadline at their as-of time they are missed, else pending.
    stats["decided"] += stats["missed"]
    stats["missed"] = stats["decided"] - stats["met"]
    stats["pending"] = stats["inquiries"] - stats["decided"]
    stats["backlog_open"] = stats["inquiries"] - stats["answered"]
    grouped = times.groupby(by, observed=True)
    quantiles = pd.concat(
        {
            "reply_median": grouped["reply_min"].quantile(0.5),
            "reply_p90": grouped["reply_min"].quantile(0.9),
            "work_median": grouped["work_min"].quantile(0.5),
            "work_p90": grouped["work_min"].quantile(0.9),
        },
        axis=1,
    )
    out = _rates(stats.join(quantiles).reset_index(), settings)
    return out[[*by, *(c for c in METRICS if c in out.columns)]]


def _in_scope(stmt: Any, scope: Scope, key: ColumnElement[Any]) -> Any:
    """`stmt` over the scope's inquiries received in the period, with their account and territory."""
    return (
        stmt.select_from(with_territory(INQUIRY))
        .where(INQUIRY.c.received_on.between(scope.date_from, scope.date_to), key.is_not(None))
        .where(*scope.where(ACCOUNT.c.platform, ACCOUNT.c.owner_role))
    )


def _cutoff_table(
    conn: Connection,
    places: pd.DataFrame,
    as_of: dict[str, pd.Timestamp],
    since: dt.date,
    deadline: Deadline,
    clocks: Clocks,
) -> Table | None:
    """A temporary table of each territory's cutoff: the latest receipt time already past the deadline at its
    delivery's as-of time (the later the receipt, the less time has passed, so the missed unanswered inquiries are
    exactly those received up to it); None when no territory has one."""
    spans = places.assign(as_of=places["delivery"].map(as_of).astype("datetime64[us]")).dropna(subset=["as_of"])
    # Every receipt of the period is at most a day before its local first day.
    spans = spans.assign(first=pd.Timestamp(since) - pd.Timedelta(days=1)).rename(columns={"code": "territory_code"})
    cutoffs = _cutoffs(spans, deadline, clocks).dropna() if len(spans) else pd.Series(dtype="datetime64[us]")
    if cutoffs.empty:
        return None
    table = Table(
        "deadline_cutoff",
        MetaData(),
        Column("territory_code", String, primary_key=True),
        Column("cutoff", DateTime),
        prefixes=["TEMPORARY"],
    )
    # A rolled-back transaction can bring back a dropped temporary table: start from a clean one.
    conn.execute(text("DROP TABLE IF EXISTS deadline_cutoff"))
    table.create(conn)
    conn.execute(table.insert(), [{"territory_code": c, "cutoff": t.to_pydatetime()} for c, t in cutoffs.items()])
    return table


# Receipt times tried per group and round of the cutoff search.
SEARCH_POINTS = 63
# How far before its as-of time the cutoff is searched (and further back, if a territory's inquiries are older).
SEARCH_BACK = pd.Timedelta(days=400)
# Cutoffs found, by time zone, calendar, as-of time and deadline: the KPI tables of one delivery share them.
_FOUND: dict[tuple[str, Any, pd.Timestamp, Deadline], int] = {}
_NONE = np.iinfo(np.int64).min  # NaT


def _cutoffs(spans: pd.DataFrame, deadline: Deadline, clocks: Clocks) -> pd.Series:
    """Per territory, the latest receipt time already past the deadline at `as_of`, or NaT (none since `first`)."""
    codes = spans["territory_code"].tolist()
    keys = [(clocks.zones[c], clocks.calendars[c], t, deadline) for c, t in zip(codes, spans["as_of"], strict=True)]
    known = {k: v for k in dict.fromkeys(keys) if (v := _FOUND.get(k)) is not None}
    # The rest is searched once per key, from the earliest receipt of its territories.
    todo: dict[tuple[str, Any, pd.Timestamp, Deadline], tuple[str, int]] = {}
    firsts = utc_times(spans["first"]).to_numpy("datetime64[us]").view("int64")
    for key, code, first in zip(keys, codes, firsts, strict=True):
        if key not in known and (key not in todo or first < todo[key][1]):
            todo[key] = (code, int(first))
    if todo:
        found = _search(
            pd.Series([k[2] for k in todo]), np.array([f for _, f in todo.values()]), [c for c, _ in todo.values()],
            deadline, clocks,
        )  # fmt: skip
        searched = dict(zip(todo, found.tolist(), strict=True))
        known |= searched
        if len(_FOUND) > 100_000:
            _FOUND.clear()
        # Only cutoffs found are kept: "none since the first" holds for that first only.
        _FOUND.update((k, v) for k, v in searched.items() if v != _NONE)
    cut = np.array([known[k] for k in keys], dtype="int64").view("datetime64[us]")
    return pd.Series(cut, index=codes, dtype="datetime64[us]")


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


def _raw(column: ColumnElement[Any]) -> ColumnElement[Any]:
    """A date or time column as the driver returns it (ISO text in SQLite), parsed in bulk by pandas instead."""
    return type_coerce(column, String).label(column.key)


def _delivery() -> ColumnElement[str]:
    """The unit of delivery of an inquiry's data: its account's region (the country for a national page)."""
    t = TERRITORY.c
    return func.coalesce(t.region_code, t.country_code, t.code).label("delivery")


def _data_times(conn: Connection, deliveries: Collection[str], since: dt.date) -> dict[str, pd.Timestamp]:
    """The latest receipt or reply in the data of each delivery unit: the moment its data describe."""
    known = _kept_data_times(conn, deliveries)
    missing = [d for d in deliveries if d not in known]
    return known | (_scan_data_times(conn, missing, since) if missing else {})


def _kept_data_times(conn: Connection, deliveries: Collection[str]) -> dict[str, pd.Timestamp]:
    """`_data_times` as kept up to date by every load (a delivery without inquiries has none)."""
    if not len(deliveries):
        return {}
    kept = read_frame(
        conn, select(DATA_TIME.c.delivery, DATA_TIME.c.latest).where(DATA_TIME.c.delivery.in_(list(deliveries)))
    )
    return dict(zip(kept["delivery"], utc_times(kept["latest"]), strict=True))


def _scan_data_times(conn: Connection, deliveries: Collection[str], since: dt.date) -> dict[str, pd.Timestamp]:
    """`_data_times` worked out from the inquiries."""
    i, a, delivery = INQUIRY.c, ACCOUNT.c, _delivery()
    pages = select(a.id).select_from(ACCOUNT.join(TERRITORY, TERRITORY.c.code == a.territory_code))
    # Receipts from a month before the period on: every later receipt counts, and the (account, day) index
    # keeps the scan short; only a reply stamped after all of them to an older inquiry would be missed.
    stmt = (
        select(delivery, func.max(_raw(i.received_at)).label("received"), func.max(_raw(i.first_reply_at)))
        .select_from(with_territory(INQUIRY))
        .where(
            i.account_pk.in_(pages.where(delivery.in_(list(deliveries))).correlate(None)),
            i.received_on >= since - dt.timedelta(days=31),
        )
        .group_by(delivery)
    )
    found = read_frame(conn, stmt).set_axis(["delivery", "received", "replied"], axis=1)
    latest = utc_times(found["received"]).combine(utc_times(found["replied"]), _later)
    return dict(zip(found["delivery"], latest, strict=True))


def _later(a: pd.Timestamp, b: pd.Timestamp) -> pd.Timestamp:
    """The later of two times, ignoring a missing one."""
    return a if pd.isna(b) or (not pd.isna(a) and a >= b) else b


def reply_timing(
    received_utc: pd.Series, replied_utc: pd.Series, territory: pd.Series, clocks: Clocks
) -> tuple[pd.Series, pd.Series]:
    """Working minutes and whole working days from receipt to first reply (NaN when unanswered): the stored timing."""
    if received_utc.empty:
        empty = pd.Series(np.nan, index=received_utc.index)
        return empty, empty.copy()
    return (
        clocks.working_minutes(received_utc, replied_utc, territory),
        clocks.working_days_between(received_utc, replied_utc, territory),
    )


def _time(rows: pd.DataFrame, deadline: Deadline, clocks: Clocks) -> pd.DataFrame:
    """Inquiry rows with calendar and working reply minutes, the deadline's verdict and the backlog age."""
    received, replied, territory = rows["received_at"], rows["first_reply_at"], rows["territory_code"]
    answered = replied.notna()
    rows["week"] = rows["received_on"] - pd.to_timedelta(rows["received_on"].dt.day_of_week, unit="D")
    rows["answerer"] = rows["replied_by"].where(rows["replied_by"].notna(), "unstated").where(answered)
    elapsed = (replied - received).dt.total_seconds() / 60
    rows["reply_min"] = pd.to_numeric(rows["stored_reply_min"]).astype("float64").fillna(elapsed)
    work = pd.to_numeric(rows["stored_work_min"]).astype("float64")
    days = pd.to_numeric(rows["stored_work_days"]).astype("float64")
    # Timing is stored at load; only inquiries whose clock changed since (or loaded before that) are timed here.
    untimed = answered & (work.isna() | days.isna())
    if untimed.any():
        work[untimed], days[untimed] = reply_timing(received[untimed], replied[untimed], territory[untimed], clocks)
    rows["work_min"] = work
    within = deadline.within_timed(rows["reply_min"], work, days).to_numpy()
    met = pd.arrays.BooleanArray(within == 1.0, np.isnan(within))
    open_ = (~answered).to_numpy()
    rows["age_wd"] = np.nan
    if open_.any():
        waiting = rows[open_]
        judged = clocks.deadline_met(
            waiting["received_at"], waiting["first_reply_at"], waiting["territory_code"], deadline, waiting["as_of"]
        )
        met[open_] = judged.array
        age = clocks.backlog_age_working_days(waiting["received_at"], waiting["as_of"], waiting["territory_code"])
        rows.loc[open_, "age_wd"] = age.to_numpy()
    rows["met"] = met
    rows["backlog"] = backlog_bucket(rows["age_wd"])
    return rows[TIMED_COLUMNS]


def summarise(rows: pd.DataFrame, by: str | list[str], settings: Settings | None = None) -> pd.DataFrame:
    """The responsiveness metrics of timed inquiry rows per group of the `by` column(s), one row per group."""
    settings = settings or get_settings()
    keys = [by] if isinstance(by, str) else list(by)
    # Counted with bincount over group numbers: one pass per count instead of a groupby over many columns.
    ids, index = _group_ids(rows, keys)
    kept = ids >= 0
    answered = rows["first_reply_at"].notna().to_numpy()
    met = rows["met"].astype("boolean")
    met_true, decided = met.to_numpy(dtype=bool, na_value=False), met.notna().to_numpy()
    bucket = pd.Categorical(rows["backlog"], categories=BACKLOG_BUCKETS).codes
    answerer = pd.Categorical(rows["answerer"], categories=ANSWERERS).codes
    flags = {
        "inquiries": np.ones(len(rows), bool),
        "answered": answered,
        "met": met_true,
        "missed": decided & ~met_true,
        "pending": ~decided,
        "decided": decided,
        "backlog_open": ~answered,
        **{col: bucket == i for i, col in enumerate(BACKLOG_COLUMNS.values())},
        **{f"answered_{who}": answerer == i for i, who in enumerate(ANSWERERS)},
    }
    counts = pd.DataFrame(
        {col: np.bincount(ids[kept & flag], minlength=len(index)) for col, flag in flags.items()}, index=index
    )
    timed = kept & answered
    times = pd.DataFrame({"reply": rows["reply_min"].to_numpy()[timed], "work": rows["work_min"].to_numpy()[timed]})
    grouped = times.groupby(ids[timed])
    quantiles = grouped.quantile(0.5).add_suffix("_median").join(grouped.quantile(0.9).add_suffix("_p90"))
    latest = pd.Series(rows["as_of"].to_numpy()[kept]).groupby(ids[kept]).max().rename("as_of")
    stats = counts.reset_index().join(quantiles.join(latest, how="outer").reindex(range(len(index))))
    return _rates(stats, settings)[[*keys, *METRICS]]


def _group_ids(rows: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.Index]:
    """The number of each row's group (-1 where a key is missing) and the groups, sorted by key."""
    parts = [pd.factorize(rows[k], sort=True) for k in keys]
    if len(parts) == 1:
        return parts[0][0], pd.Index(parts[0][1], name=keys[0])
    codes = np.stack([c for c, _ in parts])
    missing = (codes < 0).any(axis=0)
    # Each key's codes are in key order, so the combined number sorts like the keys themselves.
    flat = np.asarray(np.ravel_multi_index(np.where(missing, 0, codes), [len(u) for _, u in parts]), dtype="int64")
    seen, ids = np.unique(flat[~missing], return_inverse=True)
    out = np.full(len(rows), -1)
    out[~missing] = ids
    levels = np.unravel_index(seen, [len(u) for _, u in parts])
    arrays = [pd.Index(u).take(level) for (_, u), level in zip(parts, levels, strict=True)]
    return out, pd.MultiIndex.from_arrays(arrays, names=keys)


def _rates(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The rates of summed counts and reply-time statistics; empty below the minimum sample."""
    floor = settings.min_sample_inquiries

    def pct(num: str, den: str) -> pd.Series:
        rated = frame[den] >= floor
        return (frame[num] / frame[den].where(rated & (frame[den] > 0)) * 100).astype("float64").round(1)

    def minutes(col: str) -> pd.Series:
        return frame[col].where(frame["answered"] >= floor).astype("float64").round(1)

    return frame.assign(
        response_rate_pct=pct("answered", "inquiries"),
        reply_median_min=minutes("reply_median"),
        reply_p90_min=minutes("reply_p90"),
        reply_median_work_min=minutes("work_median"),
        reply_p90_work_min=minutes("work_p90"),
        within_deadline_pct=pct("met", "decided"),
        **{f"share_{who}_pct": pct(f"answered_{who}", "inquiries") for who in ANSWERERS},
        share_nobody_pct=pct("backlog_open", "inquiries"),
    )


def fill_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts of groups without inquiries as 0 (their rates stay empty)."""
    present = [c for c in COUNTS if c in frame.columns]
    frame[present] = frame[present].fillna(0).astype("int64")
    return frame


def weekly(
    rows: pd.DataFrame,
    by: str | list[str],
    date_from: dt.date,
    date_to: dt.date,
    settings: Settings | None = None,
    keys: pd.Series | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The metrics per group and week of receipt (weeks start on Monday), every week of the period for every group."""
    group = [by] if isinstance(by, str) else list(by)
    stats = summarise(rows, [*group, "week"], settings)
    first = pd.Timestamp(date_from) - pd.Timedelta(days=date_from.weekday())
    weeks = pd.DataFrame({"week": pd.date_range(first, pd.Timestamp(date_to), freq="7D")})
    first_day, last_day = pd.Timestamp(date_from), pd.Timestamp(date_to)
    start = weeks["week"].where(weeks["week"] >= first_day, first_day)
    end = (weeks["week"] + pd.Timedelta(days=6)).where(lambda d: d <= last_day, last_day)
    weeks["days"] = (end - start).dt.days + 1
    known = rows[group].drop_duplicates() if keys is None else pd.DataFrame(keys).set_axis(group, axis=1)
    grid = known.merge(weeks, how="cross")
    out = fill_counts(grid.merge(stats, on=[*group, "week"], how="left"))
    out["week"] = out["week"].dt.date
    return out.sort_values([*group, "week"], ignore_index=True)
