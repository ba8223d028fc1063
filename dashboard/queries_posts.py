"""Reads beside queries.py, which is at its length limit: a scope's posts with their audience, and how far back its
data reach; scoped and cached the same way."""

import datetime as dt

import pandas as pd

from dashboard import posts
from dashboard.cache import shared
from dashboard.filters import Scope

# The scoped-read helpers of queries.py, shared rather than copied.
from dashboard.queries import TTL, _dates, _day, _frame, _rollup, _scalar, _where
from etl.store.scope import utc_times

# A post's columns and whence they come: territory, then its pages, then each page's posts of the period off the
# (page, day) index, as queries.py reads a scope, so that SQLite never starts from a platform's pages or from every
# post of the period.
_POSTS = (
    "SELECT a.id, p.post_id, p.published_at, p.post_type, p.likes, p.comments, p.shares, p.views, d.followers, "
    "t.timezone FROM territory t CROSS JOIN account a CROSS JOIN post p LEFT JOIN accountday d "
    "ON d.account_pk = p.account_pk AND d.day = p.published_on WHERE a.territory_code = t.code "
    "AND p.account_pk = a.id AND p.published_on BETWEEN :a AND :b"
)
# The orders of `posts.top`, counted by the database: engagement (interactions over the followers on the day, in the
# same floating point division as pandas, so that ties stay ties) or views, then interactions, page and post.
_INTERACTIONS = "(p.likes + p.comments + p.shares)"
_TOP = {
    "er_pct": f"d.followers > 0 ORDER BY CAST({_INTERACTIONS} AS DOUBLE PRECISION) / d.followers DESC",
    "views": "p.views IS NOT NULL ORDER BY p.views DESC",
}


def scope_posts(start: dt.date, end: dt.date, scope: Scope) -> pd.DataFrame:
    """The scope's posts published in the period (local days): page `id`, post id, UTC time, type, likes, comments,
    shares, views, the page's followers on the day of posting and the time zone of the page's territory."""
    where, params, expanding = _where(scope)
    return _posts(_frame(f"{_POSTS} AND {where}", params | {"a": start, "b": end}, expanding))


@shared(TTL, max_entries=8)
def best_time(start: dt.date, end: dt.date, scope: Scope, least: int) -> tuple[pd.DataFrame, pd.DataFrame, int, int]:
    """The best-time map of the scope's posts of the period (`posts.best_time`, hours of fewer than `least` posts
    empty), and the posts and pages it rates: a country's month of posts is read and timed once, the map kept."""
    rated = posts.engagement(scope_posts(start, end, scope)).dropna(subset=["er_pct"])
    medians, counts = posts.best_time(rated, least)
    return medians, counts, len(rated), int(rated["id"].nunique())


@shared(TTL)
def top_posts(start: dt.date, end: dt.date, scope: Scope, by: str, n: int) -> pd.DataFrame:
    """The `n` posts of `scope_posts` with the highest `by` (`er_pct` or `views`) in the order of `posts.top`,
    chosen by the database: a country's month has a million and a half posts."""
    where, params, expanding = _where(scope)
    order = f"{_TOP[by]}, {_INTERACTIONS} DESC, a.id, p.post_id LIMIT :n"
    return _posts(_frame(f"{_POSTS} AND {where} AND {order}", params | {"a": start, "b": end, "n": n}, expanding))


def _posts(frame: pd.DataFrame) -> pd.DataFrame:
    """Posts as the driver gives them, with UTC times, float views and followers, and categories."""
    return frame.assign(
        published_at=utc_times(frame["published_at"]),
        views=frame["views"].astype("float64"),
        followers=frame["followers"].astype("float64"),
    ).astype({"post_type": "category", "timezone": "category"})


@shared(TTL)
def first_day(scope: Scope) -> dt.date | None:
    """The first day with data of the scope's pages; None when they have none."""
    where, params, expanding = _where(scope, "td.platform", "td.owner_role")
    rollup, code = _rollup(scope)
    return _day(
        _scalar(
            f"SELECT min(td.day) FROM {rollup} td JOIN territory t ON t.code = td.{code} WHERE {where}",
            params,
            expanding,
        )
    )


@shared(TTL)
def account_posts(ids: tuple[int, ...], start: dt.date, end: dt.date) -> pd.DataFrame:
    """Posts of some accounts published in the period, with their interactions."""
    frame = _frame(
        "SELECT account_pk AS id, post_type, published_on, likes + comments + shares AS interactions, views "
        "FROM post WHERE account_pk IN :ids AND published_on BETWEEN :a AND :b",
        {"ids": list(ids) or [-1], "a": start, "b": end},
        ["ids"],
    )
    return frame.assign(published_on=_dates(frame["published_on"]))
