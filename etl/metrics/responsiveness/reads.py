"""Reading a scope's inquiries: timed one by one, or counted by the database from the stored timing."""

import datetime as dt
from collections.abc import Collection
from typing import Any

import pandas as pd
from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.engine import Connection

from etl.metrics.responsiveness.asof import data_times, delivery_column, kept_data_times, raw_column
from etl.metrics.responsiveness.cutoffs import cutoff_frame, cutoff_rows, drop_rows
from etl.metrics.responsiveness.sketched import read_judged
from etl.metrics.responsiveness.sums import ANSWERERS, PART_COUNTS, summarise_parts
from etl.metrics.responsiveness.timing import time_rows
from etl.metrics.worktime import Clocks, Deadline
from etl.settings import Settings
from etl.store.histograms import count_buckets
from etl.store.scope import (
    ACCOUNT,
    INQUIRY,
    SUBTREE_COLUMN,
    TERRITORY,
    Scope,
    account_existed,
    read_frame,
    utc_times,
    with_territory,
)


def place_column(level: str) -> ColumnElement[str]:
    """The territory of `level` an inquiry's page belongs to ("" for pages attached above that level), or its page's
    key as text."""
    t = TERRITORY.c
    if level == "account":
        return cast(ACCOUNT.c.id, String)
    if level == "settlement":
        return case((t.level == "settlement", t.code), else_="")
    return func.coalesce(t[SUBTREE_COLUMN[level]], "")


def key_column(level: str) -> ColumnElement[Any]:
    """The column that groups inquiries into the rows of `level`."""
    if level == "account":
        return ACCOUNT.c.id
    if level == "all":
        return literal("all")
    return TERRITORY.c[SUBTREE_COLUMN[level]]


def table_keys(
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
    back: dt.timedelta | None = None,
) -> pd.DataFrame:
    """The scope's inquiries received in the period, grouped by `key`, with their times on the working clock."""
    a, i = ACCOUNT.c, INQUIRY.c
    stmt = in_scope(
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
            delivery_column(),
            raw_column(i.received_at),
            raw_column(i.received_on),
            raw_column(i.first_reply_at),
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
        found = data_times(conn, rows["delivery"].unique(), scope.date_from)
        rows["as_of"] = rows["delivery"].map(found)
    else:
        rows["as_of"] = utc_times(pd.Series(as_of, index=rows.index))
    rows["as_of"] = rows["as_of"].astype("datetime64[us]")
    if back is not None:
        # As the data stood `back` earlier: later replies are not in yet.
        rows["as_of"] = rows["as_of"] - pd.Timedelta(back)
        late = rows["first_reply_at"] > rows["as_of"]
        rows.loc[late, ["first_reply_at", "stored_reply_min", "stored_work_min", "stored_work_days"]] = None
    if clocks is None:
        clocks = Clocks.load(conn, settings.data_dir)
    return time_rows(rows, deadline, clocks)


def summarise_stored(
    conn: Connection,
    scope: Scope,
    key: ColumnElement[Any],
    deadline: Deadline,
    settings: Settings,
    clocks: Clocks | None = None,
    back: dt.timedelta | None = None,
    sketch: bool = False,
) -> pd.DataFrame | None:
    """`summarise` per `key` of the scope's inquiries, counted by the database from the stored timing (only the
    unanswered are judged here, at their as-of time), the reply times from the histograms with `sketch`; None while
    an answered inquiry in scope is still untimed or a delivery's data time is not kept."""
    parts = stored_parts(conn, scope, {"key": key}, deadline, settings, clocks, back=back, sketch=sketch)
    return None if parts is None else summarise_parts(*parts, ["key"], settings)


def stored_parts(
    conn: Connection,
    scope: Scope,
    groups: dict[str, ColumnElement[Any]],
    deadline: Deadline,
    settings: Settings,
    clocks: Clocks | None = None,
    accounts: Collection[int] | None = None,
    back: dt.timedelta | None = None,
    sketch: bool = False,
) -> tuple[pd.DataFrame, pd.DataFrame] | None:
    """The scope's inquiries (of `accounts` only, if given) counted per `groups` (name: column; rows where the
    first is empty are left out) by the database from the stored timing, with their as-of time, and the answered
    ones' calendar and working reply minutes per `groups`: what `summarise_parts` needs for any coarser grouping.
    `met` and `decided` count answered inquiries, `missed` the unanswered already past the deadline. None while an
    answered inquiry in scope is still untimed or a delivery's data time is not kept. With `back`, the inquiries
    are judged as the data stood that long before their as-of time (replies after it not yet in). With `sketch`
    (groups of regions or countries, their days of receipt), the reply minutes are histogram rows per `groups`,
    `unit` and `bucket`, and the judged days are counted from the rollups (`read_judged`)."""
    i = INQUIRY.c
    replied = i.first_reply_at.is_not(None)
    measure = {"wh": i.work_min, "h": i.reply_min, "wd": i.work_days}[deadline.unit]
    within = measure < deadline.amount if deadline.unit == "wd" else measure <= deadline.amount * 60
    first = next(iter(groups.values()))
    labelled = [column.label(name) for name, column in groups.items()]

    def scoped(stmt: Any) -> Any:
        stmt = in_scope(stmt, scope, first)
        return stmt if accounts is None else stmt.where(i.account_pk.in_(list(accounts)))

    as_of, seen, cut = _judging(conn, scope, deadline, settings, clocks, back)
    judged = hist = None
    if sketch and cut is not None:
        judged, hist = read_judged(conn, scope, groups, cut, str(deadline))
    cutoffs = None if cut is None else cutoff_rows(conn, cut)
    # Inquiries received up to their territory's cutoff are past the deadline at their as-of time: old enough to judge.
    mature = i.received_at <= cutoffs.c.cutoff if cutoffs is not None else literal(False)
    answered = replied if back is None or cutoffs is None else and_(replied, i.first_reply_at <= cutoffs.c.seen)
    waiting = ~answered
    delivery = delivery_column()
    stmt = scoped(
        select(
            *labelled,
            delivery,
            *_judged_counts(mature, answered),
            _count(mature, answered, within).label("met"),
            _count(mature, answered, measure.is_not(None)).label("decided"),
            _count(replied, or_(i.work_min.is_(None), i.work_days.is_(None))).label("untimed"),
            *(_count(mature, answered, i.replied_by == who).label(f"answered_{who}") for who in ANSWERERS[:-1]),
            _count(mature, answered, i.replied_by.is_(None)).label("answered_unstated"),
            _count(mature, waiting).label("missed"),
        )
    ).group_by(*groups.values(), delivery)
    if cutoffs is not None:
        stmt = stmt.outerjoin(cutoffs, cutoffs.c.territory_code == ACCOUNT.c.territory_code)
    times_stmt = scoped(select(*labelled, i.reply_min, i.work_min)).where(answered, mature)
    if cutoffs is not None:
        times_stmt = times_stmt.join(cutoffs, cutoffs.c.territory_code == ACCOUNT.c.territory_code)
    names = list(groups)
    uncut = None
    try:
        if sketch and cut is not None and cutoffs is not None:  # both or neither: the second is made of the first
            judged_to, counted_to = cutoffs.c.judged_to, cutoffs.c.counted_to
            stmt = stmt.where(or_(counted_to.is_(None), i.received_on > counted_to))
            times_stmt = times_stmt.where(or_(judged_to.is_(None), i.received_on > judged_to))
            judged_days, counted_days = cut["judged_to"].dropna(), cut["counted_to"].dropna()
            # Every territory with a cutoff has its judged days: the pages' (account, day) index starts at the last
            # few; the earlier days of territories without a cutoff (none judged: few pages, if any) apart.
            if len(judged_days) and len(judged_days) == len(cut):
                times_stmt = times_stmt.where(i.received_on > min(judged_days))
            if len(counted_days) and len(counted_days) == len(cut):
                first_counted = min(counted_days)
                uncut = stmt.where(
                    i.received_on <= first_counted, ACCOUNT.c.territory_code.not_in(select(cutoffs.c.territory_code))
                )
                stmt = stmt.where(i.received_on > first_counted)
        sums = read_frame(conn, stmt)
        if uncut is not None:
            sums = pd.concat([sums, read_frame(conn, uncut)], ignore_index=True)
        times = read_frame(conn, times_stmt, raw=True)
    finally:
        if cutoffs is not None:
            drop_rows(conn, cutoffs)
    if judged is not None and len(judged):
        sums = pd.concat([sums, judged[sums.columns]], ignore_index=True)
    # A database not loaded since data times were kept is summed row by row, like untimed inquiries.
    if sums["untimed"].sum() > 0 or not sums["delivery"].isin(as_of).all():
        return None
    sums["as_of"] = sums["delivery"].map(seen).astype("datetime64[us]")
    sums[PART_COUNTS] = sums[PART_COUNTS].astype("int64")
    sums = sums.groupby(names, as_index=False).agg({**dict.fromkeys(PART_COUNTS, "sum"), "as_of": "max"})
    times = times.astype({"reply_min": "float64", "work_min": "float64"})
    if hist is not None and len(hist):
        # The last days, read reply by reply, join the histograms in their buckets (without any histogram row,
        # every judged reply was read: the figures stay exact).
        hist = pd.concat([hist, count_buckets(times, names)])
        times = hist.groupby([*names, "unit", "bucket"], as_index=False, sort=False).agg(inquiries=("inquiries", "sum"))
    return sums, times


def page_counts(
    conn: Connection, scope: Scope, deadline: Deadline, settings: Settings, clocks: Clocks | None = None
) -> pd.DataFrame | None:
    """The scope's inquiries counted per page (`key`) by the database, with their as-of time: received, answered,
    judged (old enough: past the deadline at the as-of time) and judged answered, as `stored_parts` counts them, and
    nothing else (no reply times, no deadline verdicts). None while a delivery's data time is not kept."""
    i = INQUIRY.c
    as_of, _, cut = _judging(conn, scope, deadline, settings, clocks, None)
    cutoffs = None if cut is None else cutoff_rows(conn, cut)
    mature = i.received_at <= cutoffs.c.cutoff if cutoffs is not None else literal(False)
    # Grouped by the inquiries' own page key, the scope's pages as a list: SQLite walks the (page, day) index in page
    # order, where grouping by the account's key sorts a country's month of inquiries first.
    stmt = (
        select(
            i.account_pk.label("key"),
            func.min(delivery_column()).label("delivery"),
            *_judged_counts(mature, i.first_reply_at.is_not(None)),
        )
        .select_from(with_territory(INQUIRY))
        .where(i.received_on.between(scope.date_from, scope.date_to), i.account_pk.in_(scope.pages()))
        .group_by(i.account_pk)
    )
    if cutoffs is not None:
        stmt = stmt.outerjoin(cutoffs, cutoffs.c.territory_code == ACCOUNT.c.territory_code)
    try:
        counts = read_frame(conn, stmt)
    finally:
        if cutoffs is not None:
            drop_rows(conn, cutoffs)
    if not counts["delivery"].isin(as_of).all():
        return None
    return counts.assign(as_of=counts.pop("delivery").map(as_of).astype("datetime64[us]"))


def _judging(
    conn: Connection,
    scope: Scope,
    deadline: Deadline,
    settings: Settings,
    clocks: Clocks | None,
    back: dt.timedelta | None,
) -> tuple[dict[str, pd.Timestamp], dict[str, pd.Timestamp], pd.DataFrame | None]:
    """The data time of each delivery in scope that has one kept, the time its inquiries are judged at (`back`
    earlier), and each territory's deadline cutoff then (`cutoff_frame`)."""
    places = read_frame(conn, select(TERRITORY.c.code, delivery_column()).where(*scope.territory_where()))
    as_of = kept_data_times(conn, places["delivery"].unique())
    seen = as_of if back is None else {d: t - pd.Timedelta(back) for d, t in as_of.items()}
    clocks = clocks or Clocks.load(conn, settings.data_dir)
    return as_of, seen, cutoff_frame(places, seen, scope.date_from, deadline, clocks)


def _count(*conditions: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet every condition."""
    return func.sum(case((and_(*conditions), 1), else_=0))


def _judged_counts(mature: ColumnElement[bool], answered: ColumnElement[bool]) -> list[ColumnElement[int]]:
    """Inquiries, answered, judged and judged answered: the counts of a response rate."""
    return [
        func.count().label("inquiries"),
        _count(answered).label("answered"),
        _count(mature).label("judged"),
        _count(mature, answered).label("judged_answered"),
    ]


def in_scope(stmt: Any, scope: Scope, key: ColumnElement[Any]) -> Any:
    """`stmt` over the scope's inquiries received in the period, with their account and territory."""
    return (
        stmt.select_from(with_territory(INQUIRY))
        .where(INQUIRY.c.received_on.between(scope.date_from, scope.date_to), key.is_not(None))
        .where(*scope.where(ACCOUNT.c.platform, ACCOUNT.c.owner_role))
    )
