"""One page's simulated life over the period: its creation, mark, followers, posts and inquiries as columns."""

from __future__ import annotations

import datetime as dt
import zlib
from typing import Any

import numpy as np

from etl.demo.columns import HEADERS
from etl.demo.followers import follower_counts
from etl.demo.inquiries import CHANNELS, first_replies, receive, topics
from etl.demo.period import Context, date_of, day_number, stamp
from etl.demo.platforms import OPENED_ON
from etl.demo.posts import publish
from etl.demo.registry import Page
from etl.demo.stories import STORY_DAYS
from etl.demo.tiers import TIERS


def exists_by_end(page: Page, ctx: Context) -> bool:
    """Whether the page is in the data set: a page of a lately opened platform only once it is created."""
    return page.platform not in OPENED_ON or day_number(page.created) <= ctx.end_day


def created_on(page: Page, ctx: Context) -> dt.date:
    """Creation date of a page for this period; never after the end."""
    if page.platform in OPENED_ON:
        return page.created
    if page.story == "new_akim":
        return date_of(ctx.end_day - STORY_DAYS["new_akim"])
    if page.recent_days:
        return date_of(ctx.end_day - page.recent_days)
    if day_number(page.created) > ctx.end_day - 30:
        return date_of(ctx.start_day - 30 - zlib.crc32(page.account_id.encode()) % 700)
    return page.created


def official_mark(page: Page, ctx: Context) -> str:
    """Official mark as of the end: a date in the future is not granted yet."""
    if len(page.mark) == 10 and day_number(dt.date.fromisoformat(page.mark)) > ctx.end_day:
        return "0"
    return page.mark


def simulate(page: Page, ctx: Context) -> tuple[list[list[Any]], list[list[Any]], list[list[Any]]]:
    """Columns of the follower snapshots, posts and inquiries of one page."""
    rng = np.random.default_rng([ctx.seed, zlib.crc32(f"{page.platform}:{page.account_id}".encode())])
    created = day_number(created_on(page, ctx))
    days = np.arange(max(ctx.start_day, created), ctx.end_day + 1, dtype=np.int64)
    followers = follower_counts(page, rng, days, created, ctx)
    posts = publish(page, rng, days, created, followers, ctx)
    received, channel, post_ref = receive(page, rng, days, followers, posts, ctx)
    replied, replied_by = first_replies(page, rng, received, channel, ctx)
    topic = topics(page, rng, received.size)

    keep = ~ctx.outage[days[0] - ctx.start_day :]
    if TIERS[page.tier].weekly and not ctx.every_day:
        keep = ((days + 3) % 7 == 0) & (rng.random(days.size) > 0.05)
    keep[0] |= created >= ctx.start_day
    handle = np.full(days.size, page.handle, dtype=object)
    if page.old_handle:
        handle[days < ctx.end_day - STORY_DAYS["rename"]] = page.old_handle

    n, k, m = int(keep.sum()), posts.published.size, received.size
    follower_cols = {
        "date": np.datetime_as_string(days[keep].astype("datetime64[D]")).tolist(),
        "platform": [page.platform] * n,
        "account_id": [page.account_id] * n,
        "followers": followers[keep].tolist(),
        "posts_total": posts.total[keep].tolist(),
        "handle": handle[keep].tolist(),
    }
    post_cols = {
        "collected_at": stamp(posts.collected).tolist(),
        "platform": [page.platform] * k,
        "account_id": [page.account_id] * k,
        "post_id": posts.ids,
        "published_at": stamp(posts.published).tolist(),
        "post_type": posts.kind.tolist(),
        "likes": posts.likes.tolist(),
        "comments": posts.comments.tolist(),
        "shares": posts.shares.tolist(),
        "views": np.where(posts.views < 0, "", posts.views.astype(str)).tolist(),
    }
    inquiry_base = (zlib.crc32(page.account_id.encode()) % 9000 + 1000) * 10**8
    inquiry_cols = {
        "platform": [page.platform] * m,
        "account_id": [page.account_id] * m,
        "inquiry_id": (inquiry_base + np.arange(m)).astype(str).tolist(),
        "channel": CHANNELS[channel].tolist(),
        "post_id": np.array([*posts.ids, ""], dtype=object)[post_ref].tolist(),
        "received_at": stamp(received).tolist(),
        "first_reply_at": np.where(replied < 0, "", stamp(np.maximum(replied, 0))).tolist(),
        "replied_by": replied_by.tolist(),
        "topic": topic.tolist(),
    }
    return (
        [follower_cols[c] for c in HEADERS["followers"]],
        [post_cols[c] for c in HEADERS["posts"]],
        [inquiry_cols[c] for c in HEADERS["inquiries"]],
    )
