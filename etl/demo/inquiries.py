"""Inquiries to a page (questions in comments, direct messages, mentions) and its first replies to them."""

from __future__ import annotations

import numpy as np

from etl.demo.period import DAY_SECONDS, Context
from etl.demo.platforms import NO_DIRECT_MESSAGES
from etl.demo.posts import Posts
from etl.demo.registry import Page
from etl.demo.stories import STORY_DAYS
from etl.demo.tiers import TIERS

_WRITE_HOURS = np.array(
    [0.5, 0.3, 0.2, 0.2, 0.2, 0.4, 0.8, 1.5, 2.5, 3.5, 4, 4, 3.8, 3.5, 3.5, 3.5, 3.5, 3.6, 4, 4.2, 4.2, 3.5, 2.2, 1.2]
)
_WRITE_HOURS /= _WRITE_HOURS.sum()

CHANNELS = np.array(["comment", "direct", "mention"])
_REPLIERS = np.array(["owner", "press_service", "other"])
_TOPICS = np.array(
    [
        "roads",
        "gas",
        "utilities",
        "construction",
        "landscaping",
        "transport",
        "prices",
        "education",
        "health",
        "zoo",
        "",
    ]
)
_TOPICS_RURAL = np.array([0.25, 0.12, 0.2, 0.06, 0.1, 0.06, 0.06, 0.06, 0.06, 0.0, 0.03])
_TOPICS_URBAN = np.array([0.17, 0.04, 0.17, 0.12, 0.14, 0.13, 0.07, 0.05, 0.05, 0.02, 0.04])
_TOPICS_RURAL /= _TOPICS_RURAL.sum()
_TOPICS_URBAN /= _TOPICS_URBAN.sum()


def receive(
    page: Page, rng: np.random.Generator, days: np.ndarray, followers: np.ndarray, posts: Posts, ctx: Context
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Times, channels and commented posts (-1: none) of inquiries: questions in comments, messages, mentions."""
    tier = TIERS[page.tier]
    on_post = np.repeat(np.arange(posts.published.size), rng.binomial(posts.comments, tier.question_share))
    start, span = posts.published[on_post], posts.collected[on_post] - posts.published[on_post]
    delay = rng.exponential(4 * 3600, on_post.size) + 30
    # A comment counted in a post's metrics was written before the metrics were collected.
    delay = np.where(delay < span, delay, span * rng.uniform(0.05, 1.0, on_post.size))
    quiet = days >= ctx.end_day - page.dormant_days if page.dormant_days else np.zeros(days.size, dtype=bool)
    daily = tier.direct_rate * np.sqrt(followers / 1000) * np.where(quiet, 0.3, 1.0)
    directs = rng.poisson(daily * (page.platform not in NO_DIRECT_MESSAGES))
    mentions = rng.poisson(daily * 0.25)
    on_day = np.concatenate([np.repeat(days, directs), np.repeat(days, mentions)])
    written = (
        on_day * DAY_SECONDS + rng.choice(24, on_day.size, p=_WRITE_HOURS) * 3600 + rng.integers(0, 3600, on_day.size)
    )
    received = np.concatenate([start + delay.astype(np.int64), written])
    channel = np.concatenate(
        [np.zeros(on_post.size, np.int64), np.ones(directs.sum(), np.int64), np.full(mentions.sum(), 2)]
    )
    post_ref = np.concatenate([on_post, np.full(on_day.size, -1)])
    order = np.argsort(received, kind="stable")
    return received[order], channel[order], post_ref[order]


def first_replies(
    page: Page, rng: np.random.Generator, received: np.ndarray, channel: np.ndarray, ctx: Context
) -> tuple[np.ndarray, np.ndarray]:
    """First reply times (-1: unanswered by the end) in working hours, and who replied."""
    tier = TIERS[page.tier]
    m = received.size
    share = float(np.clip(rng.beta(8 * tier.reply_rate, 8 * (1 - tier.reply_rate)), 0.05, 0.98))
    chance = np.full(m, share)
    minutes = np.full(m, tier.reply_minutes * rng.lognormal(0.0, 0.5))
    if page.story == "training":
        trained = ctx.end_day - STORY_DAYS["training"]
        chance = np.interp(received // DAY_SECONDS, [trained - 30, trained], [0.3, 0.85])
        minutes = np.interp(received // DAY_SECONDS, [trained - 30, trained], [900.0, 150.0])
    if page.story == "never_answers":
        chance[:] = 0.0
    if page.dormant_days:
        chance *= 0.15
    chance = np.where(channel == 2, chance * 0.6, chance)
    wait = np.maximum(rng.lognormal(np.log(minutes), 1.1, m), 2).astype(np.int64)
    replied = ctx.calendars[page.territory.country].after(received, wait, rng)
    answered = (rng.random(m) < chance) & (replied >= 0) & (replied <= ctx.end_ts)
    who = _REPLIERS[rng.choice(3, m, p=[0.55, 0.4, 0.05] if tier.person else [0.15, 0.75, 0.1])]
    return np.where(answered, replied, -1), np.where(answered, who, "")


def topics(page: Page, rng: np.random.Generator, count: int) -> np.ndarray:
    """Topics of `count` inquiries: towns ask more about transport and building, villages about roads and gas."""
    urban = page.territory.urban or page.territory.level == "region"
    return _TOPICS[rng.choice(_TOPICS.size, count, p=_TOPICS_URBAN if urban else _TOPICS_RURAL)]
