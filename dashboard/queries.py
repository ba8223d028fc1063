"""The only module that reads the database: SQL over the rollups with bound parameters, cached results."""

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st
from sqlalchemy import bindparam, text
from sqlalchemy.engine import Engine

from dashboard.filters import Scope
from etl.db import get_engine
from etl.load import FileResult, load_paths
from etl.report import kpi_table
from etl.responsiveness import timed_inquiries
from etl.settings import Settings, get_settings
from etl.worktime import Clocks

TTL = 600
_SUBTREE = {"country_code", "region_code", "district_code"}
_KEYS = {
    "total": "'total'",
    "region": "t.region_code",
    "district": "t.district_code",
    "territory": "t.code",
    "platform": "td.platform",
    "role": "td.owner_role",
}


@st.cache_resource
def engine() -> Engine:
    """The database engine of this process (opened on first use, never at import)."""
    return get_engine()


def settings(lang: str = "ru") -> Settings:
    """The settings in effect, with territory names in `lang` (Russian names for languages without their own)."""
    return get_settings().model_copy(update={"language": "en" if lang == "en" else "ru"})


def _frame(sql: str, params: dict[str, Any] | None = None, expanding: Sequence[str] = ()) -> pd.DataFrame:
    """Rows of `sql` with bound parameters (lists bound through expanding IN parameters)."""
    stmt = text(sql)
    if expanding:
        stmt = stmt.bindparams(*(bindparam(name, expanding=True) for name in expanding))
    with engine().connect() as conn:
        result = conn.execute(stmt, params or {})
        # Plain tuples: pandas probes each SQLAlchemy Row for `_fields`, which costs more than the query.
        return pd.DataFrame([tuple(r) for r in result], columns=list(result.keys()))


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


def _day(value: Any) -> dt.date | None:
    return None if value is None else pd.Timestamp(value).date()


@st.cache_data(ttl=TTL)
def data_range() -> tuple[dt.date, dt.date] | None:
    """First and last day with data, or None for an empty database."""
    first, last = _frame("SELECT min(day) AS first, max(day) AS last FROM accountday").iloc[0]
    if first is None:
        return None
    return _day(first) or dt.date.min, _day(last) or dt.date.min


@st.cache_data(ttl=TTL)
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


@st.cache_data(ttl=TTL)
def registry() -> pd.DataFrame:
    """The account registry with each page's territory ancestors, indexed by govpulse's account key."""
    frame = _frame(
        "SELECT a.id, a.platform, a.account_id, a.handle, a.display_name, a.territory_code, a.owner_kind, "
        "a.owner_role, a.owner_name, a.sphere, a.required, a.official_mark, a.official_mark_on, a.created_on, "
        "a.url, t.country_code, t.region_code, t.district_code FROM account a "
        "JOIN territory t ON t.code = a.territory_code ORDER BY a.territory_code, a.platform, a.handle"
    )
    for col in ("official_mark_on", "created_on"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame.set_index("id", drop=False).rename_axis(None)


def in_scope(accounts: pd.DataFrame, scope: Scope) -> pd.DataFrame:
    """The registry rows inside a scope."""
    keep = accounts[scope.column] == scope.parent
    if scope.platforms:
        keep &= accounts["platform"].isin(scope.platforms)
    if scope.roles:
        keep &= accounts["owner_role"].isin(scope.roles)
    return accounts[keep]


@st.cache_data(ttl=TTL)
def kpis(level: str, start: dt.date, end: dt.date, scope: Scope, lang: str) -> pd.DataFrame:
    """The KPI table of `govpulse report` for the scope (platforms and owner roles cut by the report itself)."""
    return kpi_table(
        engine(), level, start, end, parent=scope.parent, platform=scope.platforms or None,
        roles=scope.roles or None, settings=settings(lang), clocks=clocks(),
    )  # fmt: skip


@st.cache_data(ttl=TTL)
def series(by: str, start: dt.date, end: dt.date, scope: Scope) -> pd.DataFrame:
    """Daily sums of the rollup per key (`total`, `region`, `district`, `territory`, `platform` or `role`)."""
    key = _KEYS[by]
    where, params, expanding = _where(scope, "td.platform", "td.owner_role")
    frame = _frame(
        f"SELECT td.day, {key} AS key, sum(td.accounts) AS accounts, sum(td.accounts_observed) AS observed, "
        "sum(td.followers) AS followers, sum(td.posts) AS posts, sum(td.likes + td.comments + td.shares) "
        "AS interactions, sum(td.inquiries) AS inquiries, sum(td.answered) AS answered FROM territoryday td "
        f"JOIN territory t ON t.code = td.territory_code WHERE td.day BETWEEN :a AND :b AND {where} "
        f"GROUP BY td.day, {key} ORDER BY td.day",
        params | {"a": start, "b": end},
        expanding,
    )
    frame["day"] = pd.to_datetime(frame["day"])
    return frame


@st.cache_data(ttl=TTL)
def account_days(ids: tuple[int, ...], start: dt.date, end: dt.date) -> pd.DataFrame:
    """The daily rollup rows of some accounts."""
    frame = _frame(
        "SELECT account_pk AS id, day, followers, observed, posts, likes + comments + shares AS interactions, "
        "inquiries, answered FROM accountday WHERE account_pk IN :ids AND day BETWEEN :a AND :b "
        "ORDER BY account_pk, day",
        {"ids": list(ids) or [-1], "a": start, "b": end},
        ["ids"],
    )
    frame["day"] = pd.to_datetime(frame["day"])
    return frame


@st.cache_data(ttl=TTL)
def last_posts(end: dt.date, scope: Scope) -> pd.DataFrame:
    """Each page in scope with the day of its latest post on or before `end` (empty if it never posted)."""
    where, params, expanding = _where(scope)
    frame = _frame(
        "SELECT a.id, (SELECT max(d.day) FROM accountday d WHERE d.account_pk = a.id AND d.posts > 0 "
        "AND d.day <= :end) AS last_post, (SELECT min(d.day) FROM accountday d WHERE d.account_pk = a.id) "
        f"AS first_day FROM account a JOIN territory t ON t.code = a.territory_code WHERE {where}",
        params | {"end": end},
        expanding,
    )
    for col in ("last_post", "first_day"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame


@st.cache_data(ttl=TTL)
def jumps(start: dt.date, end: dt.date, scope: Scope, min_gain: int, min_ratio: float) -> pd.DataFrame:
    """Days on which a page gained at least `min_gain` followers and `min_ratio` of its (non-zero) count the day before
    (a page's first snapshot after days counted as 0 is not a jump)."""
    where, params, expanding = _where(scope)
    frame = _frame(
        "SELECT id, day, before, followers FROM (SELECT d.account_pk AS id, d.day, d.followers, "
        "lag(d.followers) OVER (PARTITION BY d.account_pk ORDER BY d.day) AS before FROM accountday d "
        "JOIN account a ON a.id = d.account_pk JOIN territory t ON t.code = a.territory_code "
        f"WHERE d.day BETWEEN :a AND :b AND {where}) j "
        "WHERE before > 0 AND followers - before >= :gain AND followers - before >= :ratio * before ORDER BY day",
        params | {"a": start - dt.timedelta(days=1), "b": end, "gain": min_gain, "ratio": min_ratio},
        expanding,
    )
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame[frame["day"] >= start]


@st.cache_data(ttl=TTL)
def freshness(start: dt.date, end: dt.date, scope: Scope) -> dict[str, Any]:
    """Latest snapshot, post and inquiry day of the scope up to `end`, and the pages with a snapshot in the period."""
    where, params, expanding = _where(scope)
    row = _frame(
        "SELECT max(CASE WHEN d.observed THEN d.day END) AS snapshot, max(CASE WHEN d.posts > 0 THEN d.day END) "
        "AS post, max(CASE WHEN d.inquiries > 0 THEN d.day END) AS inquiry, count(DISTINCT CASE WHEN "
        "d.observed AND d.day >= :a THEN d.account_pk END) AS reporting FROM accountday d JOIN account a "
        f"ON a.id = d.account_pk JOIN territory t ON t.code = a.territory_code WHERE d.day <= :b "
        f"AND d.day >= :since AND {where}",
        params | {"a": start, "b": end, "since": min(start, end - dt.timedelta(days=90))},
        expanding,
    ).iloc[0]
    return {k: _day(row[k]) for k in ("snapshot", "post", "inquiry")} | {"reporting": int(row["reporting"] or 0)}


@st.cache_resource(ttl=TTL)
def clocks() -> Clocks:
    """Every territory's time zone and working calendar (schedules.csv applied)."""
    with engine().connect() as conn:
        return Clocks.load(conn, get_settings().data_dir)


@st.cache_data(ttl=TTL)
def as_of() -> pd.Timestamp | None:
    """When data was last loaded (UTC): unanswered inquiries are aged and judged at this time."""
    value = _frame("SELECT max(loaded_at) AS t FROM loadlog").iloc[0]["t"]
    return None if value is None else pd.Timestamp(value).tz_localize(None)


@st.cache_data(ttl=TTL, max_entries=8)
def inquiries(start: dt.date, end: dt.date, scope: Scope, deadline: str, level: str = "all") -> pd.DataFrame:
    """The period's inquiries in scope, timed by the responsiveness engine: working minutes, the deadline's verdict
    (`met`), the backlog age and bucket; `key` is the territory of `level` (or the page, or "all"), `id` the page."""
    rows = timed_inquiries(
        engine(), start, end, level=level, parent=scope.parent, platform=scope.platforms or None,
        roles=scope.roles or None, deadline=deadline, settings=get_settings(), clocks=clocks(),
    )  # fmt: skip
    rows = rows.rename(columns={"account_pk": "id"}).assign(bucket=lambda r: r["backlog"])
    missing = [c for c in ("region_code", "district_code") if c not in rows]
    if missing:
        rows = rows.join(registry()[missing], on="id")
    for col in ("topic", "post_id"):
        if col not in rows:
            rows[col] = None
    return rows


@st.cache_data(ttl=TTL)
def posts(ids: tuple[int, ...], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Posts of some accounts published in the period, with their interactions."""
    return _frame(
        "SELECT account_pk AS id, post_type, published_on, likes + comments + shares AS interactions, views "
        "FROM post WHERE account_pk IN :ids AND published_on BETWEEN :a AND :b",
        {"ids": list(ids) or [-1], "a": start, "b": end},
        ["ids"],
    )


@st.cache_data(ttl=TTL)
def handles(account: int) -> pd.DataFrame:
    """Every handle an account was seen with, oldest first: a second row is a rename."""
    frame = _frame(
        "SELECT handle, first_seen, last_seen FROM handlehistory WHERE account_pk = :id ORDER BY first_seen",
        {"id": account},
    )
    for col in ("first_seen", "last_seen"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame


@st.cache_data(ttl=TTL)
def load_log() -> pd.DataFrame:
    """Every loaded file, newest first."""
    return _frame(
        "SELECT loaded_at, source_path, kind, encoding, delimiter, rows_read, rows_inserted, rows_updated, "
        "rows_unchanged, rows_rejected, duration_s FROM loadlog ORDER BY loaded_at DESC, id DESC"
    )


@st.cache_data(ttl=TTL)
def sources(since: dt.date) -> pd.DataFrame:
    """Per platform: pages, the latest follower snapshot, post and inquiry, and pages with a snapshot since `since`."""
    frame = _frame(
        "SELECT a.platform, count(*) AS pages, max(f.last) AS followers, max(p.last) AS posts, "
        "max(i.last) AS inquiries, sum(CASE WHEN f.last >= :since THEN 1 ELSE 0 END) AS recent FROM account a "
        "LEFT JOIN (SELECT account_pk, max(day) AS last FROM followersnapshot GROUP BY account_pk) f "
        "ON f.account_pk = a.id "
        "LEFT JOIN (SELECT account_pk, max(published_on) AS last FROM post GROUP BY account_pk) p "
        "ON p.account_pk = a.id "
        "LEFT JOIN (SELECT account_pk, max(received_on) AS last FROM inquiry GROUP BY account_pk) i "
        "ON i.account_pk = a.id GROUP BY a.platform ORDER BY a.platform",
        {"since": since},
    )
    for col in ("followers", "posts", "inquiries"):
        frame[col] = pd.to_datetime(frame[col]).dt.date
    return frame


def load_files(paths: list[Path]) -> list[FileResult]:
    """Load files through the ETL (validation, rollups) and drop every cached result if anything changed."""
    results = load_paths(engine(), paths)
    if any(r.inserted or r.updated for r in results):
        st.cache_data.clear()
        clocks.clear()
    return results
