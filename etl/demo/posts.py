"""The posts of a page: when they go out, their types, ids and metrics."""

from __future__ import annotations

import zlib
from typing import NamedTuple

import numpy as np

from etl.demo.period import DAY_SECONDS, Context
from etl.demo.platforms import COMMENT_FACTOR, LIKE_RATE, POST_TYPES, TYPE_LIKES, VIEWS
from etl.demo.registry import Page
from etl.demo.stories import STORY_DAYS
from etl.demo.tiers import PROFILES, TIERS

_PUBLISH_HOURS = np.array([0] * 8 + [2, 4, 5, 4, 3, 3, 3, 3, 3, 4, 5, 4, 3, 2] + [0, 0], dtype=float)
_PUBLISH_HOURS /= _PUBLISH_HOURS.sum()


def post_ids(page: Page, ordinal: np.ndarray) -> list[str]:
    """Platform-looking post ids from the post's ordinal number on the page."""
    h = zlib.crc32(page.account_id.encode())
    if page.platform == "vk":
        return [f"-{page.account_id}_{n}" for n in ordinal.tolist()]
    if page.platform == "facebook":
        return [f"{page.account_id}_{n}" for n in (ordinal + 10**15).tolist()]
    if page.platform in ("telegram", "max"):
        return ordinal.astype(str).tolist()
    return (ordinal + 17_000_000_000_000_000 + (h % 10**9) * 10**6).astype(str).tolist()


class Posts(NamedTuple):
    """The posts of one page in publication order."""

    published: np.ndarray
    collected: np.ndarray
    kind: np.ndarray
    likes: np.ndarray
    comments: np.ndarray
    shares: np.ndarray
    views: np.ndarray
    ids: list[str]
    total: np.ndarray


def publish(
    page: Page, rng: np.random.Generator, days: np.ndarray, created: int, followers: np.ndarray, ctx: Context
) -> Posts:
    """Posts: a daily Poisson count, fewer at weekends, none once a page goes dormant; metrics follow reach."""
    tier = TIERS[page.tier]
    _, rate = PROFILES[(page.tier, page.platform)]
    lam = rate * rng.lognormal(0.0, 0.35) * np.where((days + 3) % 7 >= 5, 0.45, 1.0)
    if page.story == "campaign":
        event = ctx.end_day - STORY_DAYS["campaign"] - int(days[0])
        lam[max(event, 0) : max(event + 18, 0)] *= 3
    if page.dormant_days:
        lam[days >= ctx.end_day - page.dormant_days] = 0
    counts = rng.poisson(lam)
    before = int(rate * (days[0] - created) * rng.uniform(0.4, 0.9)) if created < days[0] else 0

    day = np.repeat(np.arange(days.size), counts)
    k = day.size
    seconds = rng.choice(24, k, p=_PUBLISH_HOURS) * 3600 + rng.integers(0, 3600, k)
    published = days[day] * DAY_SECONDS + seconds[np.lexsort((seconds, day))]
    names, weights = POST_TYPES[page.platform]
    kinds = rng.choice(len(names), k, p=weights)
    kind = np.array(names)[kinds]
    reach = followers[day].astype(float)
    appeal = np.array([TYPE_LIKES[x] for x in names])[kinds]
    likes = rng.poisson(reach * LIKE_RATE[page.platform] * appeal * rng.lognormal(0.0, 0.5, k))
    comments = rng.poisson(reach * tier.comment_rate * COMMENT_FACTOR[page.platform] * rng.lognormal(0.0, 0.7, k))
    shares = rng.poisson(likes * 0.05 * rng.lognormal(0.0, 0.5, k))
    view_rate, view_types = VIEWS[page.platform]
    views = rng.poisson(reach * view_rate * appeal * rng.lognormal(0.0, 0.5, k))
    if view_types is not None:
        views[~np.isin(kind, list(view_types))] = -1
    collected = (days[day] + rng.integers(1, 3, k)) * DAY_SECONDS + rng.integers(2 * 3600, 7 * 3600, k)
    late = collected > ctx.end_ts
    collected[late] = ctx.end_ts - rng.integers(0, 1800, int(late.sum()))
    ids = post_ids(page, before + 1 + np.arange(k))
    return Posts(published, collected, kind, likes, comments, shares, views, ids, before + np.cumsum(counts))
