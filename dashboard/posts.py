"""Pure computations on posts: local times, each post's engagement, the top posts, and the best time to post."""

import numpy as np
import pandas as pd

TOP = 10
# The best-time map needs this many times the minimum sample of posts in all: with fewer, nearly every one of its
# 7 × 24 hours stays under its own minimum.
BEST_TIME_FACTOR = 20


def local_times(utc: pd.Series, zones: pd.Series) -> pd.Series:
    """Naive UTC times as naive local times, each in its own time zone (the zone's history applied)."""
    out = pd.Series(pd.NaT, index=utc.index, dtype="datetime64[us]")
    for zone, part in utc.groupby(zones.astype("str"), sort=False):
        local = part.dt.tz_localize("UTC").dt.tz_convert(str(zone)).dt.tz_localize(None)
        out.loc[part.index] = local.astype("datetime64[us]")
    return out


def engagement(posts: pd.DataFrame) -> pd.DataFrame:
    """Posts with `interactions` (likes + comments + shares), `er_pct` (interactions as % of the page's followers on
    the day of posting; empty without followers) and `local` (the time in the page's territory)."""
    interactions = posts["likes"] + posts["comments"] + posts["shares"]
    followers = posts["followers"].where(posts["followers"] > 0)
    return posts.assign(
        interactions=interactions,
        er_pct=interactions / followers * 100,
        local=local_times(posts["published_at"], posts["timezone"]),
    )


def top(posts: pd.DataFrame, by: str, n: int = TOP) -> pd.DataFrame:
    """The `n` posts with the highest `by` (`er_pct` or `views`), ties by interactions; posts without it left out."""
    rated = posts[posts[by].notna()]
    if len(rated) > n > 0:
        # Only the posts at or above the n-th highest value are sorted: a country's year has 80,000 of them.
        values = rated[by].to_numpy()
        rated = rated[values >= np.partition(values, len(values) - n)[len(values) - n]]
    order = [by, "interactions", "id", "post_id"]
    return rated.sort_values(order, ascending=[False, False, True, True]).head(n)


def best_time_needs(min_sample: int) -> int:
    """The posts the best-time map needs in all before it is shown."""
    return BEST_TIME_FACTOR * max(min_sample, 1)


def best_time(posts: pd.DataFrame, min_sample: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The median engagement of the posts of each local weekday (rows, 0 = Monday) and hour (columns), 7 × 24, and
    the number of posts of each; an hour with fewer than `min_sample` posts has no median."""
    rated = posts.dropna(subset=["er_pct"])
    cells = pd.MultiIndex.from_product([range(7), range(24)], names=["weekday", "hour"])
    grouped = rated["er_pct"].groupby(
        [rated["local"].dt.weekday.rename("weekday"), rated["local"].dt.hour.rename("hour")]
    )
    counts = grouped.size().reindex(cells, fill_value=0).astype("int64")
    medians = grouped.median().reindex(cells).astype("float64").where(counts >= max(min_sample, 1))
    return medians.unstack("hour"), counts.unstack("hour")


def rated_cells(matrix: pd.DataFrame) -> int:
    """The hours of a best-time map that have a value."""
    return int(np.isfinite(matrix.to_numpy()).sum())
