"""The KPI table behind `govpulse report`: one row per territory or account, read from the daily rollups."""

import datetime as dt
import io
import json
from collections.abc import Collection
from typing import Any, Literal

import numpy as np
import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text
from sqlalchemy import ColumnElement, Table, and_, case, func, literal, or_, select
from sqlalchemy.engine import Connection, Engine

from etl.metrics.responsiveness.query import parse_deadline
from etl.metrics.responsiveness.reads import page_counts, read_timed, summarise_stored
from etl.metrics.responsiveness.sketched import sketchable
from etl.metrics.responsiveness.sums import fill_counts, rate, summarise
from etl.metrics.worktime import Clocks, Deadline
from etl.settings import Settings, get_settings
from etl.store.scope import (
    ACCOUNT,
    ACCOUNT_DAY,
    LEVELS,
    REGION_DAY,
    SUBTREE_COLUMN,
    TERRITORY,
    TERRITORY_DAY,
    TERRITORY_LEVELS,
    Scope,
    account_existed,
    read_frame,
    resolve_scope,
)

__all__ = [
    "FORMULA_START",
    "LEVELS",
    "METRICS",
    "TERRITORY_LEVELS",
    "columns_for",
    "format_table",
    "kpi_table",
    "neutralise",
    "page_status",
]
# A cell starting with one of these is read as a formula by spreadsheets (OWASP "CSV injection"); names and handles
# come from the internet, so every table that leaves for a spreadsheet (this report's CSV, the dashboard's exports)
# neutralises them.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

TERRITORY_HEAD = [
    "territory_code",
    "territory_name",
    "accounts",
    "pages_required",
    "pages_verified",
    "accounts_active",
]
ACCOUNT_HEAD = [
    "platform",
    "account_id",
    "handle",
    "territory_code",
    "territory_name",
    "required",
    "verified",
    "active",
]
METRICS = [
    "followers_start",
    "followers_end",
    "growth_abs",
    "growth_pct",
    "followers_per_1000",
    "posts",
    "posts_per_week",
    "er_followers_pct",
    "inquiries",
    "answered",
    "inquiries_young",
    "response_rate_pct",
    "reply_median_min",
    "reply_p90_min",
    "within_deadline_pct",
    "reply_median_work_min",
    "reply_p90_work_min",
    "backlog_open",
]
# The columns taken from the responsiveness engine, so that they agree with the dashboard's Responsiveness page.
RESPONSIVENESS = [
    "inquiries",
    "answered",
    "inquiries_young",
    "response_rate_pct",
    "reply_median_min",
    "reply_p90_min",
    "within_deadline_pct",
    "reply_median_work_min",
    "reply_p90_work_min",
    "backlog_open",
]
_SUMS = [
    "followers_start",
    "followers_end",
    "posts",
    "interactions",
    "post_followers",
]
_COUNTS = ["accounts", "pages_required", "pages_verified", "accounts_active", *_SUMS]


def columns_for(level: str) -> list[str]:
    """The columns of the KPI table at `level`, in order."""
    return [*(ACCOUNT_HEAD if level == "account" else TERRITORY_HEAD), *METRICS]


def kpi_table(
    engine: Engine,
    level: str,
    date_from: dt.date,
    date_to: dt.date,
    *,
    parent: str | None = None,
    platform: str | Collection[str] | None = None,
    settings: Settings | None = None,
    roles: Collection[str] | None = None,
    deadline: str | Deadline | None = None,
    clocks: Clocks | None = None,
    back: dt.timedelta | None = None,
    exact: bool = False,
) -> pd.DataFrame:
    """KPIs of the period per territory of `level` (its subtree) or per account (indexed by its key `id`); `attrs`
    has deadline, as_of and whether the reply-time statistics are `approximate`: of regions and countries they are
    read from the reply histograms (within 1 %), unless `exact`. With `back`, inquiries are judged as the data
    stood that long before their as-of time: a previous period seen at the age the current one has now ("Old
    enough to judge", docs/metrics.md), and counted exactly."""
    settings = settings or get_settings()
    if level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")
    rule = parse_deadline(deadline, settings)
    name_col = TERRITORY.c["name_en" if settings.language == "en" else "name_ru"]
    with engine.connect() as conn:
        scope = resolve_scope(conn, level, date_from, date_to, parent, platform, roles)
        key = ACCOUNT.c.id if level == "account" else TERRITORY.c[SUBTREE_COLUMN[level]]
        sums = _account_sums(conn, scope) if level == "account" else _territory_sums(conn, scope, level, key)
        sketch = sketchable(conn, level, None, back, exact)
        replies = summarise_stored(conn, scope, key, rule, settings, clocks, back, sketch)
        if replies is None:
            timed = read_timed(conn, scope, key, rule, settings, clocks=clocks, back=back)
            replies = summarise(timed, "key", settings)
        if level == "account":
            rows = _accounts(conn, scope, name_col).assign(accounts=1, population=np.nan)
        else:
            rows = _territories(conn, scope, level, name_col).merge(_pages(conn, scope, key), on="key", how="left")
    latest = replies["as_of"].max() if len(replies) else None
    approximate = bool(replies.attrs.get("approximate", False))
    replies = replies[["key", *RESPONSIVENESS]]
    rows = rows.merge(sums, on="key", how="left").merge(replies, on="key", how="left")
    rows = rows.reindex(columns=[*rows.columns, *(c for c in _COUNTS if c not in rows.columns)])
    rows[_COUNTS] = rows[_COUNTS].fillna(0).astype("int64")
    table = _derive(fill_counts(rows), (date_to - date_from).days + 1, settings)
    table = _by_page(table) if level == "account" else table.sort_values("territory_code", ignore_index=True)
    table = table[columns_for(level)]
    # Plain text, so that the attrs survive JSON (Streamlit serialises them with the frame).
    table.attrs = {
        "deadline": str(rule),
        "as_of": None if pd.isna(latest) else pd.Timestamp(latest).isoformat(),
        "approximate": approximate,
    }
    return table


# The page columns of the KPI table that lists of pages need: who they are, whether they post, how many followers
# they end with, and their response rate.
PAGE_STATUS = [*ACCOUNT_HEAD, "followers_end", "posts", "inquiries", "answered", "response_rate_pct"]


def page_status(
    engine: Engine,
    date_from: dt.date,
    date_to: dt.date,
    *,
    parent: str | None = None,
    platform: str | Collection[str] | None = None,
    settings: Settings | None = None,
    roles: Collection[str] | None = None,
    deadline: str | Deadline | None = None,
    clocks: Clocks | None = None,
) -> pd.DataFrame:
    """The `PAGE_STATUS` columns of `kpi_table` at the account level, the same figures, indexed by the account key
    `id`: without the reply times, deadline verdicts and follower growth, a country's pages are counted in a
    fraction of the time."""
    settings = settings or get_settings()
    rule = parse_deadline(deadline, settings)
    name_col = TERRITORY.c["name_en" if settings.language == "en" else "name_ru"]
    with engine.connect() as conn:
        scope = resolve_scope(conn, "account", date_from, date_to, parent, platform, roles)
        sums = _account_sums(conn, scope, ["followers_end", "posts"])
        counts = page_counts(conn, scope, rule, settings, clocks)
        if counts is None:
            timed = read_timed(conn, scope, ACCOUNT.c.id, rule, settings, clocks=clocks)
            counts = summarise(timed, "key", settings)
        rows = _accounts(conn, scope, name_col)
    counted = ["inquiries", "answered", "judged", "judged_answered", "followers_end", "posts"]
    rows = rows.merge(sums, on="key", how="left").merge(counts[["key", *counted[:4]]], on="key", how="left")
    rows[counted] = rows[counted].fillna(0).astype("int64")
    rows["response_rate_pct"] = rate(rows, "judged_answered", "judged", settings)
    table = _by_page(rows)[PAGE_STATUS]
    table.attrs = {"deadline": str(rule)}
    return table


def _by_page(rows: pd.DataFrame) -> pd.DataFrame:
    """Page rows with their active flag (posted in the period: their posts are summed already), in the report's
    order, indexed by govpulse's account key, so that callers join them without reading the registry."""
    rows = rows.assign(active=rows["posts"].gt(0).astype("int64"))
    rows = rows.sort_values(["territory_code", "platform", "handle", "account_id"], ignore_index=True)
    rows.index = pd.Index(rows["key"].astype("int64"), name="id")
    return rows


def _territories(conn: Connection, scope: Scope, level: str, name_col: ColumnElement[str]) -> pd.DataFrame:
    """The territories of `level` in the scope's subtree, with name and population."""
    t = TERRITORY.c
    stmt = select(
        t.code.label("key"), t.code.label("territory_code"), name_col.label("territory_name"), t.population
    ).where(t.level == level, *scope.territory_where())
    rows = read_frame(conn, stmt)
    rows["population"] = pd.to_numeric(rows["population"]).astype("float64")
    return rows


def _flags(scope: Scope) -> dict[str, ColumnElement[int]]:
    """A page's required, verified and active flags as 0/1: verified by the period's end, posting in the period."""
    a, ad = ACCOUNT.c, ACCOUNT_DAY.c
    in_period = ad.day.between(scope.date_from, scope.date_to)
    # A first posting day looked up page by page: PostgreSQL would answer EXISTS by hashing every page's posting days.
    first = select(literal(1)).where(ad.account_pk == a.id, in_period, ad.posts > 0).limit(1)
    posted = first.scalar_subquery().is_not(None)
    verified = and_(a.official_mark, or_(a.official_mark_on.is_(None), a.official_mark_on <= scope.date_to))
    return {
        "required": case((a.required, 1), else_=0),
        "verified": case((verified, 1), else_=0),
        "active": case((posted, 1), else_=0),
    }


def _existing(stmt: Any, scope: Scope) -> Any:
    """`stmt` over the accounts in scope that existed by the period's end, with their territory."""
    return stmt.select_from(ACCOUNT.join(TERRITORY, TERRITORY.c.code == ACCOUNT.c.territory_code)).where(
        account_existed(scope), *scope.where(ACCOUNT.c.platform, ACCOUNT.c.owner_role)
    )


def _accounts(conn: Connection, scope: Scope, name: ColumnElement[str]) -> pd.DataFrame:
    """Accounts in scope that existed by the period's end, keyed by `id`, with their required and verified flags."""
    a = ACCOUNT.c
    head = [a.platform, a.account_id, a.handle, a.territory_code, name.label("territory_name")]
    # Whether a page is active comes from its summed posts: PostgreSQL would answer a per-page EXISTS by hashing
    # every page's days of the period in the database (1.2 M rows for a country of 10,000 pages).
    flags = [flag.label(col) for col, flag in _flags(scope).items() if col != "active"]
    return read_frame(conn, _existing(select(a.id.label("key"), *head, *flags), scope), raw=True)


def _pages(conn: Connection, scope: Scope, key: ColumnElement[Any]) -> pd.DataFrame:
    """Accounts and required, verified and active pages per territory key, counted by the database."""
    flags = _flags(scope)
    columns = {"pages_required": "required", "pages_verified": "verified", "accounts_active": "active"}
    counts = [func.count().label("accounts"), *(func.sum(flags[f]).label(col) for col, f in columns.items())]
    return read_frame(conn, _existing(select(key.label("key"), *counts), scope).group_by(key))


def _sum_columns(day: Table, scope: Scope) -> list[ColumnElement[Any]]:
    """Followers on the first and last day, the period's totals and the audience of its posts, over a rollup table."""
    d = day.c
    return [
        func.sum(case((d.day == scope.date_from, d.followers), else_=0)).label("followers_start"),
        func.sum(case((d.day == scope.date_to, d.followers), else_=0)).label("followers_end"),
        func.sum(d.posts).label("posts"),
        func.sum(d.likes + d.comments + d.shares).label("interactions"),
        func.sum(d.post_followers if "post_followers" in d else d.posts * d.followers).label("post_followers"),
    ]


def _territory_sums(conn: Connection, scope: Scope, level: str, key: ColumnElement[Any]) -> pd.DataFrame:
    """The period's sums per territory key, from RegionDay for countries and regions, else from TerritoryDay."""
    wide = level in ("country", "region")  # and so is the scope's parent, if any
    td, code = (REGION_DAY, REGION_DAY.c.region_code) if wide else (TERRITORY_DAY, TERRITORY_DAY.c.territory_code)
    stmt = (
        select(key.label("key"), *_sum_columns(td, scope))
        .select_from(td.join(TERRITORY, TERRITORY.c.code == code))
        .where(td.c.day.between(scope.date_from, scope.date_to), *scope.where(td.c.platform, td.c.owner_role))
        .group_by(key)
    )
    return read_frame(conn, stmt)


def _account_sums(conn: Connection, scope: Scope, wanted: Collection[str] = tuple(_SUMS)) -> pd.DataFrame:
    """The period's sums per account (those `wanted`), from AccountDay."""
    ad = ACCOUNT_DAY
    sums = [column for column in _sum_columns(ad, scope) if column.name in wanted]
    # The scope's pages as a list that SQLite walks in key order: its rows come grouped by page, where a join from the
    # territories would sort a country's month of rows (millions) before grouping them.
    stmt = (
        select(ad.c.account_pk.label("key"), *sums)
        .where(ad.c.day.between(scope.date_from, scope.date_to), ad.c.account_pk.in_(scope.pages()))
        .group_by(ad.c.account_pk)
    )
    return read_frame(conn, stmt)


def _ratio(
    num: pd.Series,
    den: pd.Series,
    scale: float,
    digits: int,
    rated: pd.Series | None = None,
) -> pd.Series:
    """num / den × scale, rounded; empty where den is not positive or the row is not `rated`."""
    ok = den > 0 if rated is None else rated & (den > 0)
    return (num.astype("float64") / den.where(ok).astype("float64") * scale).round(digits)


def _derive(rows: pd.DataFrame, days: int, settings: Settings) -> pd.DataFrame:
    """The derived follower and post columns from the counts and sums."""
    growth = rows["followers_end"] - rows["followers_start"]
    return rows.assign(
        growth_abs=growth,
        growth_pct=_ratio(growth, rows["followers_start"], 100, 1),
        followers_per_1000=_ratio(rows["followers_end"], rows["population"], 1000, 1),
        posts_per_week=_ratio(rows["posts"], rows["accounts"], 7 / days, 2),
        er_followers_pct=_ratio(
            rows["interactions"], rows["post_followers"], 100, 2, rows["posts"] >= settings.min_sample_posts
        ),
    )


def _plain(value: Any) -> Any:
    """A cell as a plain Python value, None when empty."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if isinstance(value, np.generic) else value


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet would read as a formula, prefixed with `'`; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def format_table(df: pd.DataFrame, fmt: Literal["table", "csv", "json"]) -> str:
    """The KPI table as aligned text, CSV with a header (text that a spreadsheet would run neutralised) or a JSON list
    of records; empty stays empty."""
    if fmt == "csv":
        text = [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]
        return df.assign(**{c: df[c].map(neutralise) for c in text}).to_csv(index=False, lineterminator="\n")
    if fmt == "json":
        records = [dict(zip(df.columns, map(_plain, row), strict=True)) for row in df.itertuples(index=False)]
        return json.dumps(records, ensure_ascii=False, indent=2) + "\n"
    if fmt != "table":
        raise ValueError(f"unknown format {fmt!r}; expected table, csv or json")
    table = RichTable(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for col in df.columns:
        numeric = pd.api.types.is_numeric_dtype(df[col])
        table.add_column(str(col), justify="right" if numeric else "left", no_wrap=True)
    for row in df.itertuples(index=False):
        # Text cells, so that brackets in a handle or name are not read as rich markup.
        table.add_row(*(Text("" if (v := _plain(value)) is None else str(v)) for value in row))
    out = io.StringIO()
    Console(file=out, width=100_000, color_system=None, emoji=False, highlight=False).print(table)
    return "\n".join(line.rstrip() for line in out.getvalue().strip("\n").splitlines()) + "\n"
