"""The daily follower counts of a page, its story lines included."""

from __future__ import annotations

import numpy as np

from etl.demo.period import Context
from etl.demo.platforms import GROWTH
from etl.demo.registry import Page
from etl.demo.stories import STORY_DAYS
from etl.demo.tiers import PROFILES, TIERS


def follower_counts(page: Page, rng: np.random.Generator, days: np.ndarray, created: int, ctx: Context) -> np.ndarray:
    """Daily followers of a page from its first day in the period to the end."""
    tier = TIERS[page.tier]
    n = days.size
    t = np.arange(n, dtype=float)
    median, _ = PROFILES[(page.tier, page.platform)]
    scale = float(np.clip((page.territory.population / tier.ref_population) ** 0.4, 0.3, 3.0))
    size = median * scale * rng.lognormal(0.0, 0.5)
    growth = tier.growth * rng.lognormal(0.0, 0.5) - 0.03 + GROWTH.get(page.platform, 0.0)
    if created >= ctx.start_day:
        # A page created in the period fills quickly from zero, then grows slowly.
        level, tau, slope = (950.0, 18.0, 1.2) if page.story == "new_akim" else (size * 0.4, 30.0, size / 365 * 0.2)
        curve = level * (1 - np.exp(-t / tau)) + slope * t
        inc = np.diff(curve, prepend=0.0) + rng.normal(0.0, 0.5 + 0.01 * np.sqrt(level), n)
        start = 0.0
    else:
        start = size
        g = size * growth / 365
        weekday = (days + 3) % 7
        inc = g * np.where(weekday < 5, 1.1, 0.75) + rng.normal(0.0, 0.3 + 0.8 * np.sqrt(abs(g)) + size * 3e-4, n)
        viral = rng.random(n) < 0.01
        inc[viral] += (abs(g) + 1) * rng.uniform(5, 20, int(viral.sum()))
    event = ctx.end_day - STORY_DAYS.get(page.story, 0) - days[0]
    if page.story == "campaign" and event >= 0 and event + 18 <= n:
        bell = np.hanning(20)[1:-1]
        inc[event : event + 18] += 14_500 * bell / bell.sum()
    if page.story == "bought_followers" and 0 <= event < n:
        inc[event] += 8_000
        tail = np.exp(-np.arange(min(90, n - event - 1)) / 25)
        inc[event + 1 : event + 1 + tail.size] -= 2_800 * tail / max(tail.sum(), 1e-9)
    if page.dormant_days:
        quiet = days >= ctx.end_day - page.dormant_days
        inc[quiet] = -(rng.random(int(quiet.sum())) < 0.08).astype(float)
    return np.maximum(np.round(start + np.cumsum(inc)), 0).astype(np.int64)
