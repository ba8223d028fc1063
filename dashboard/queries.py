"""The only module that reads the database: SQL over the rollups with bound parameters, cached results."""

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st
from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.engine import Engine

from dashboard import analysis, cache
from dashboard.cache import shared
from dashboard.filters import Scope
from dashboard.i18n import territory_names
from etl.ingest.headers import Mapping
from etl.ingest.load import FileResult, load_paths
from etl.metrics.jumps import jumps as follower_jumps
from etl.metrics.kpis import kpi_table, page_status
from etl.metrics.responsiveness.query import responsiveness_parts, timed_inquiries, waiting_inquiries
from etl.metrics.worktime import BACKLOG_BUCKETS, Clocks
from etl.settings import Settings, get_settings
from etl.store import changes
from etl.store.db import get_engine, without_jit
from etl.store.scope import Scope as StoreScope
from etl.store.scope import read_frame, utc_times

# Reads are kept until the data change (`follow_changes`); the day only bounds a write made by other means.
TTL = 24 * 3600
_SUBTREE = {"country_code", "region_code", "district_code"}
# The pages of a scope, read territory by territory (then `_where`): led by a platform's index instead, SQLite
# would visit every page of the platform in the country, row by row.
_PAGES = "territory t CROSS JOIN account a WHERE a.territory_code = t.code"
_KEYS = {
    "total": "'total'",
    "region": "t.region_code",
    "district": "t.district_code",
    "territory": "t.code",
    "platform": "td.platform",
    "role": "td.owner_role",
}
_REGION_KEYS = {"total", "region", "platform", "role"}
_REGION_SCOPES = {"country_code", "region_code"}


@st.cache_resource
def engine() -> Engine:
    """The database engine of this process (opened on first use, never at import), compiling no statement (JIT)."""
    return without_jit(get_engine())


def settings(lang: str = "ru") -> Settings:
    """The settings in effect, with territory names in `lang` (Russian names for other languages, Kazakh included:
    the dashboard puts its own names in, dashboard.i18n.territory_names)."""
    return get_settings().model_copy(update={"language": "en" if lang == "en" else "ru"})


def _statement(sql: str, expanding: Sequence[str]) -> TextClause:
    """`sql` with the named parameters bound as lists (expanding IN parameters)."""
    stmt = text(sql)
    return stmt.bindparams(*(bindparam(name, expanding=True) for name in expanding)) if expanding else stmt


def _frame(sql: str, params: dict[str, Any] | None = None, expanding: Sequence[str] = ()) -> pd.DataFrame:
    """Rows of `sql` with bound parameters (lists bound through expanding IN parameters), as the driver gives them."""
    with engine().connect() as conn:
        return read_frame(conn, _statement(sql, expanding), raw=True, params=params)


def _scalar(sql: str, params: dict[str, Any] | None = None, expanding: Sequence[str] = ()) -> Any:
    """The single value of `sql`."""
    with engine().connect() as conn:
        return conn.execute(_statement(sql, expanding), params or {}).scalar()


def _where(
    scope: Scope, platform: str = "a.platform", role: str = "a.owner_role"
) -> tuple[str, dict[str, Any], list[str]]:
    """SQL conditions of a scope on territory `t` and the given platform / role columns, with their parameters."""
    if scope.column not in _SUBTREE:
        raise ValueError(f"not a subtree column: {scope.column}")
    clauses = [f"t.{scope.column} = :parent"]
    params: dict[str, Any] = {"parent": scope.parent}
    expanding: list[str] = []
    if scope.platforms:
        clauses.append(f"{platform} IN :platforms")
        params["platforms"] = list(scope.platforms)
        expanding.append("platforms")
    if scope.roles:
        clauses.append(f"{role} IN :roles")
        params["roles"] = list(scope.roles)
        expanding.append("roles")
    return " AND ".join(clauses), params, expanding


def _rollup(scope: Scope | None) -> tuple[str, str]:
    """The daily rollup to sum for a scope, and its territory column: RegionDay for a country or a region (its
    territory `t` is then the region, or the country for its own pages), else TerritoryDay."""
    return (
        ("regionday", "region_code") if scope and scope.column in _REGION_SCOPES else ("territoryday", "territory_code")
    )


def _day(value: Any) -> dt.date | None:
    return None if value is None else pd.Timestamp(value).date()


def _dates(values: pd.Series) -> pd.Series:
    """`datetime.date` objects of dates (NaT where missing), one object per distinct day."""
    # One object per day, not per row: a country's cached frames hold a few hundred dates instead of millions.
    codes, uniques = pd.factorize(values)
    days = np.array([*pd.to_datetime(pd.Series(uniques, dtype=object)).dt.date, pd.NaT], dtype=object)
    return pd.Series(days[codes], index=values.index, name=values.name)


@shared(TTL)
def data_range() -> tuple[dt.date, dt.date] | None:
    """First and last day with data, or None for an empty database."""
    # Two subqueries: SQLite reads a lone min() or max() off the day index, both in one query scan the table.
    first, last = _frame(
        "SELECT (SELECT min(day) FROM accountday) AS first, (SELECT max(day) FROM accountday) AS last"
    ).iloc[0]
    if first is None:
        return None
    return _day(first) or dt.date.min, _day(last) or dt.date.min


@shared(TTL)
def complete_range(scope: Scope) -> tuple[dt.date, dt.date, int, int] | None:
    """The scope's last day that is complete enough to end the default period (`analysis.complete_day`), the latest
    day with any data, and the pages that reported on each (None for an empty database)."""
    span = data_range()
    if span is None:
        return None
    last = span[1]
    since = last - dt.timedelta(days=7 * (analysis.WEEKS + 1))
    where, params, expanding = _where(scope, "td.platform", "td.owner_role")
    rollup, code = _rollup(scope)
    counts = _frame(
        f"SELECT td.day, sum(td.accounts_observed) AS n FROM {rollup} td JOIN territory t ON t.code = td.{code} "
        f"WHERE td.day >= :since AND {where} GROUP BY td.day",
        params | {"since": since},
        expanding,
    )
    daily = pd.Series(counts["n"].astype("int64").to_numpy(), index=_dates(counts["day"]), dtype="int64")
    daily = daily.reindex([since + dt.timedelta(days=k) for k in range((last - since).days + 1)], fill_value=0)
    day = analysis.complete_day(daily)
    return day, last, int(daily[last]), int(daily[day])


@shared(TTL)
def territories() -> pd.DataFrame:
    """The territory registry, indexed by code."""
    return (
        _frame(
            "SELECT code, name_ru, name_en, name_kk, level, parent_code, population, timezone, country_code, "
            "region_code, district_code FROM territory ORDER BY code"
        )
        .set_index("code", drop=False)
        .rename_axis(None)
    )


@shared(TTL)
def registry(parent: str, column: str) -> pd.DataFrame:
    """The account registry of `parent`'s subtree (`column` names its ancestor column; no parent: every page) with
    each page's territory ancestors, indexed by govpulse's account key."""
    where, params, _ = _where(Scope(parent, column)) if parent else ("1 = 1", {}, [])
    frame = _frame(
        "SELECT a.id, a.platform, a.account_id, a.handle, a.display_name, a.territory_code, a.owner_kind, "
        "a.owner_role, a.owner_name, a.sphere, a.required, a.official_mark, a.official_mark_on, a.created_on, "
        f"a.url, t.country_code, t.region_code, t.district_code FROM {_PAGES} AND {where} "
        "ORDER BY a.territory_code, a.platform, a.handle",
        params,
    )
    for col in ("official_mark_on", "created_on"):
        frame[col] = _dates(frame[col])
    # SQLite stores flags as 0/1, PostgreSQL as booleans: the same integers on both.
    for col in ("required", "official_mark"):
        frame[col] = frame[col].astype("int64")
    return frame.set_index("id", drop=False).rename_axis(None)


@shared(TTL)
def platforms() -> list[str]:
    """The platforms of the registered pages, sorted."""
    # Off the (platform, account_id) key: the filters need no page of the registry.
    return sorted(_frame("SELECT DISTINCT platform FROM account")["platform"])


def in_scope(scope: Scope) -> pd.DataFrame:
    """The registry rows inside a scope."""
    accounts = registry(scope.parent, scope.column)
    if not scope.platforms and not scope.roles:
        return accounts  # the shared registry itself: a filter would copy a country's pages for every reader
    keep = pd.Series(True, index=accounts.index)
    if scope.platforms:
        keep &= accounts["platform"].isin(scope.platforms)
    if scope.roles:
        keep &= accounts["owner_role"].isin(scope.roles)
    return accounts[keep]


@shared(TTL)
def kpis(level: str, start: dt.date, end: dt.date, scope: Scope, lang: str, back_days: int = 0) -> pd.DataFrame:
    """The KPI table of `govpulse report` for the scope; pages carry their key `id`. With `back_days` (the days to the
    current period's end), a previous period's inquiries are judged as the data stood at the current one's age."""
    back = dt.timedelta(days=back_days) if back_days > 0 else None
    table = kpi_table(
        engine(), level, start, end, parent=scope.parent, platform=scope.platforms or None,
        roles=scope.roles or None, settings=settings(lang), clocks=clocks(), back=back,
    )  # fmt: skip
    return _named(table.reset_index() if level == "account" else table, lang)


@shared(TTL)
def pages(start: dt.date, end: dt.date, scope: Scope, lang: str) -> pd.DataFrame:
    """The scope's pages with the columns of their KPI rows that lists of pages use (`page_status`), with `id`."""
    table = page_status(
        engine(), start, end, parent=scope.parent, platform=scope.platforms or None, roles=scope.roles or None,
        settings=settings(lang), clocks=clocks(),
    )  # fmt: skip
    return _named(table.reset_index(), lang)


def _named(table: pd.DataFrame, lang: str) -> pd.DataFrame:
    """A table's territory names in `lang`: etl names them in Russian or English, the others (Kazakh) come here."""
    if settings(lang).language == lang or not {"territory_code", "territory_name"} <= set(table.columns):
        return table
    names = table["territory_code"].map(territory_names(territories(), lang))
    return table.assign(territory_name=names.fillna(table["territory_name"]))


@shared(TTL)
def series(by: str, start: dt.date, end: dt.date, scope: Scope) -> pd.DataFrame:
    """Daily sums of the rollup per key (`total`, `region`, `district`, `territory`, `platform` or `role`)."""
    key = _KEYS[by]
    group = "td.day" if by == "total" else f"td.day, {key}"
    # Missing keys first on both databases (PostgreSQL sorts NULL last by default, SQLite first).
    order = "td.day" if by == "total" else f"td.day, {key} IS NOT NULL, {key}"
    where, params, expanding = _where(scope, "td.platform", "td.owner_role")
    # Keys no finer than a region are summed from RegionDay (its territory `t` is the region or the country).
    rollup, code = _rollup(scope if by in _REGION_KEYS else None)
    frame = _frame(
        f"SELECT td.day, {key} AS key, sum(td.accounts) AS accounts, sum(td.accounts_observed) AS observed, "
        "sum(td.followers) AS followers, sum(td.posts) AS posts, sum(td.likes + td.comments + td.shares) "
        f"AS interactions, sum(td.inquiries) AS inquiries, sum(td.answered) AS answered FROM {rollup} td "
        f"JOIN territory t ON t.code = td.{code} WHERE td.day BETWEEN :a AND :b AND {where} "
        f"GROUP BY {group} ORDER BY {order}",
        params | {"a": start, "b": end},
        expanding,
    )
    frame["day"] = utc_times(frame["day"])
    return frame


@shared(TTL)
def account_days(ids: tuple[int, ...], start: dt.date, end: dt.date) -> pd.DataFrame:
    """The daily rollup rows of some accounts."""
    frame = _frame(
        "SELECT account_pk AS id, day, followers, observed, posts, likes + comments + shares AS interactions, "
        "inquiries, answered FROM accountday WHERE account_pk IN :ids AND day BETWEEN :a AND :b "
        "ORDER BY account_pk, day",
        {"ids": list(ids) or [-1], "a": start, "b": end},
        ["ids"],
    )
    # SQLite stores flags as 0/1, PostgreSQL as booleans: the same integers on both.
    return frame.assign(day=utc_times(frame["day"]), observed=frame["observed"].astype("int64"))


@shared(TTL)
def last_posts(end: dt.date, scope: Scope) -> pd.DataFrame:
    """Each page in scope with the day of its latest post on or before `end` (empty if it never posted)."""
    where, params, expanding = _where(scope)
    frame = _frame(
        "SELECT a.id, (SELECT max(d.day) FROM accountday d WHERE d.account_pk = a.id AND d.posts > 0 "
        "AND d.day <= :end) AS last_post, (SELECT min(d.day) FROM accountday d WHERE d.account_pk = a.id) "
        f"AS first_day FROM {_PAGES} AND {where}",
        params | {"end": end},
        expanding,
    )
    for col in ("last_post", "first_day"):
        frame[col] = _dates(frame[col])
    return frame


@shared(TTL)
def jumps(start: dt.date, end: dt.date, scope: Scope) -> pd.DataFrame:
    """The follower spikes and drops of the scope's pages in the period (`etl.metrics.jumps`), oldest first."""
    with engine().connect() as conn:
        found = follower_jumps(conn, StoreScope(start, end, scope.platforms, (scope.column, scope.parent), scope.roles))
    return found.rename(columns={"account_pk": "id"})


# The daily facts of the rollups that mark a follower snapshot, a post and an inquiry of some page on a day.
_MARKS = {"snapshot": "accounts_observed", "post": "posts", "inquiry": "inquiries"}


@shared(TTL)
def freshness(start: dt.date, end: dt.date, scope: Scope) -> dict[str, Any]:
    """Latest snapshot, post and inquiry day of the scope up to `end`, and the pages with a snapshot in the period."""
    where, params, expanding = _where(scope)
    params |= {"a": start, "b": end, "since": min(start, end - dt.timedelta(days=90))}
    # One seek per page on the snapshot key (account, day), instead of reading the period's rollup rows.
    reporting = _scalar(
        "SELECT sum(CASE WHEN EXISTS (SELECT 1 FROM followersnapshot f WHERE f.account_pk = a.id "
        f"AND f.day BETWEEN :a AND :b) THEN 1 ELSE 0 END) FROM {_PAGES} AND {where}",
        params,
        expanding,
    )
    where, _, _ = _where(scope, "td.platform", "td.owner_role")
    cases = ", ".join(f"max(CASE WHEN td.{col} > 0 THEN td.day END) AS {name}" for name, col in _MARKS.items())
    rollup, code = _rollup(scope)
    latest = _frame(
        f"SELECT {cases} FROM {rollup} td JOIN territory t ON t.code = td.{code} "
        f"WHERE td.day BETWEEN :since AND :b AND {where}",
        params,
        expanding,
    ).iloc[0]
    days = {name: _day(latest[name]) for name in _MARKS}
    # Per card, the pages with a follower snapshot on the very day the card shows: a day one page has delivered
    # says so, instead of "all pages" for the period.
    shown = sorted({d for d in days.values() if d is not None})
    observed = _frame(
        f"SELECT td.day, sum(td.accounts_observed) AS n FROM {rollup} td JOIN territory t ON t.code = td.{code} "
        f"WHERE td.day IN :days AND {where} GROUP BY td.day",
        params | {"days": shown or [dt.date.min]},
        [*expanding, "days"],
    )
    on_day = dict(zip(_dates(observed["day"]), observed["n"].astype("int64"), strict=True))
    reported = {f"reporting_{name}": int(on_day.get(day, 0)) if day else 0 for name, day in days.items()}
    return days | {"reporting": int(reporting or 0)} | reported


@st.cache_resource(ttl=TTL)
def clocks() -> Clocks:
    """Every territory's time zone and working calendar (schedules.csv applied)."""
    with engine().connect() as conn:
        return Clocks.load(conn, get_settings().data_dir)


@shared(TTL)
def as_of() -> pd.Timestamp | None:
    """When data was last loaded (UTC): unanswered inquiries are aged and judged at this time."""
    value = _frame("SELECT max(loaded_at) AS t FROM loadlog").iloc[0]["t"]
    return None if value is None else pd.Timestamp(value).tz_localize(None)


# The columns of inquiry rows that repeat a few labels.
_INQUIRY_LABELS = (
    *("territory_code", "region_code", "district_code", "platform", "owner_role"),
    *("channel", "topic", "replied_by", "answerer"),
)


@shared(TTL, max_entries=8)
def inquiries(start: dt.date, end: dt.date, scope: Scope, deadline: str, level: str = "all") -> pd.DataFrame:
    """The period's inquiries in scope, timed by the responsiveness engine: working minutes, the deadline's verdict
    (`met`), the backlog age and bucket; `key` is the territory of `level` (or the page, or "all"), `id` the page."""
    rows = timed_inquiries(
        engine(), start, end, level=level, parent=scope.parent, platform=scope.platforms or None,
        roles=scope.roles or None, deadline=deadline, settings=get_settings(), clocks=clocks(),
    )  # fmt: skip
    # Repeated labels as categories: a country's million inquiries are cached in a fraction of the memory their
    # text takes.
    labels = {c: "category" for c in _INQUIRY_LABELS if c in rows.columns}
    return rows.astype(labels).rename(columns={"account_pk": "id"})


@shared(TTL, max_entries=8)
def responsiveness(
    start: dt.date, end: dt.date, scope: Scope, deadline: str, level: str, ids: tuple[int, ...] | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The period's inquiries in scope (of the pages `ids` only, unless None) counted per place (territory of `level`,
    "" for pages above it; the page's key as text for `account`) and day of receipt by the database, and the
    answered ones' reply minutes per place and day (their histograms for regions and countries: `is_sketch`)."""
    sums, times = responsiveness_parts(
        engine(), start, end, level=level, parent=scope.parent, platform=scope.platforms or None,
        roles=scope.roles or None, accounts=ids, deadline=deadline, settings=get_settings(), clocks=clocks(),
    )  # fmt: skip
    return sums, times.astype({"place": "category"})


# Rows of the longest-waiting inquiries' table.
OLDEST = 50


@shared(TTL, max_entries=8)
def backlog(end: dt.date, scope: Scope) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The inquiries in scope still unanswered at the end of `end`, received then or at any time before, per age
    bucket (`bucket`, `count`), and the `OLDEST` longest waiting of them with their page `id`, id, channel and
    topic."""
    rows = waiting_inquiries(
        engine(), end, parent=scope.parent, platform=scope.platforms or None, roles=scope.roles or None,
        settings=get_settings(), clocks=clocks(),
    )  # fmt: skip
    counts = rows["backlog"].value_counts().reindex(list(BACKLOG_BUCKETS), fill_value=0).astype("int64")
    buckets = pd.DataFrame({"bucket": counts.index.astype("str"), "count": counts.to_numpy()})
    oldest = rows.nlargest(OLDEST, "age_wd")[["account_pk", "received_at", "age_wd"]]
    late = dt.datetime.combine(end, dt.time(), dt.UTC) - dt.timedelta(days=1)  # replies after a local end of `end`
    details = _frame(
        "SELECT account_pk, inquiry_id, channel, topic, received_at FROM inquiry WHERE account_pk IN :ids "
        "AND received_on <= :b AND (first_reply_at IS NULL OR first_reply_at >= :late)",
        {"ids": sorted(set(oldest["account_pk"].tolist())) or [-1], "b": end, "late": late},
        ["ids"],
    )
    details["received_at"] = utc_times(details["received_at"])
    # Inquiries of one page received at the same moment match each other's details: each is listed once.
    key = ["account_pk", "received_at"]
    oldest = oldest.drop_duplicates(key).merge(details, on=key).nlargest(OLDEST, "age_wd")
    return buckets, oldest.rename(columns={"account_pk": "id"}).reset_index(drop=True)


@shared(TTL)
def handles(account: int) -> pd.DataFrame:
    """Every handle an account was seen with, oldest first: a second row is a rename."""
    frame = _frame(
        "SELECT handle, first_seen, last_seen FROM handlehistory WHERE account_pk = :id ORDER BY first_seen",
        {"id": account},
    )
    for col in ("first_seen", "last_seen"):
        frame[col] = _dates(frame[col])
    return frame


@shared(TTL)
def load_log() -> pd.DataFrame:
    """Every loaded file, newest first."""
    frame = _frame(
        "SELECT loaded_at, sha256, source_path, kind, encoding, delimiter, rows_read, rows_inserted, rows_updated, "
        "rows_unchanged, rows_rejected, duration_s FROM loadlog ORDER BY loaded_at DESC, id DESC"
    )
    return frame.assign(loaded_at=utc_times(frame["loaded_at"]))


@shared(TTL)
def collections() -> pd.DataFrame:
    """The latest collection run of each platform: when, pages collected and skipped (with why), requests."""
    frame = _frame(
        "SELECT c.platform, c.finished_at, c.pages, c.collected, c.skipped, c.skipped_detail, c.notices, c.requests, "
        "c.errors, c.posts, c.inquiries FROM collectionrun c WHERE c.id = (SELECT max(l.id) FROM collectionrun l "
        "WHERE l.platform = c.platform) ORDER BY c.platform"
    )
    return frame.assign(finished_at=utc_times(frame["finished_at"]))


# Each platform's latest day with each kind of data, when it is not the last day: one seek per page where an index
# on (account, day) exists, else a scan of the platform's posts.
_SOURCE_LATEST = {
    "followers": "SELECT max((SELECT max(f.day) FROM followersnapshot f WHERE f.account_pk = a.id)) FROM account a "
    "WHERE a.platform = :p",
    "posts": "SELECT max(p.published_on) FROM post p JOIN account a ON a.id = p.account_pk WHERE a.platform = :p",
    "inquiries": "SELECT max((SELECT max(i.received_on) FROM inquiry i WHERE i.account_pk = a.id)) FROM account a "
    "WHERE a.platform = :p",
}
_SOURCE_MARKS = dict(zip(("followers", "posts", "inquiries"), _MARKS.values(), strict=True))


@shared(TTL)
def sources(since: dt.date) -> pd.DataFrame:
    """Per platform: pages, the latest follower snapshot, post and inquiry, and pages with a snapshot since `since`."""
    # Pages in key order: the seeks on the snapshot key then move forward through it (about twice as fast).
    frame = _frame(
        "SELECT platform, count(*) AS pages, sum(r) AS recent FROM (SELECT a.platform, CASE WHEN EXISTS "
        "(SELECT 1 FROM followersnapshot f WHERE f.account_pk = a.id AND f.day >= :since) THEN 1 ELSE 0 END AS r "
        "FROM account a ORDER BY a.id) x GROUP BY platform ORDER BY platform",
        {"since": since},
    )
    last = _scalar("SELECT max(day) FROM territoryday")
    # Every page's rollup reaches the last day, so a platform with data that day has its latest right there. One read
    # of that day's rows: a LIMIT 1 per platform and source led PostgreSQL through the whole table from its start.
    marks = ", ".join(f"max({mark}) AS {col}" for col, mark in _SOURCE_MARKS.items())
    that_day = _frame(f"SELECT platform, {marks} FROM territoryday WHERE day = :last GROUP BY platform", {"last": last})
    there = {col: set(that_day.loc[that_day[col].astype("int64") > 0, "platform"]) for col in _SOURCE_MARKS}
    for col in _SOURCE_MARKS:
        days = [last if p in there[col] else _scalar(_SOURCE_LATEST[col], {"p": p}) for p in frame["platform"]]
        frame[col] = _dates(pd.Series(days, index=frame.index, dtype=object))
    frame["recent"] = frame["recent"].astype("int64")
    return frame[["platform", "pages", "followers", "posts", "inquiries", "recent"]]


def data_version() -> int:
    """The data's version: it changes with every load, refresh, evaluation of alerts and collector's run."""
    with engine().connect() as conn:
        return changes.version(conn)


def follow_changes(at_once: bool = False) -> object:
    """Drop the cached reads and the clocks if the data changed since this server last looked (`at_once`: look now)."""
    return cache.follow(data_version, also=(clocks.clear,), at_once=at_once)


def load_files(paths: list[Path], mapping: Mapping | None = None, **options: Any) -> list[FileResult]:
    """Load files through the ETL (validation, rollups; `mapping` gives their own headers, `options` the loading's own:
    the actor); a load that changed anything has noted it, and the cached results are dropped at once."""
    results = load_paths(engine(), paths, mapping=mapping, **options)
    follow_changes(at_once=True)
    return results
