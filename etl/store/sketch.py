"""Log-bucket histograms of reply minutes (DDSketch's buckets): fixed boundaries everywhere, so that the histogram
of any scope is the sum of its parts, and quantiles read from it within ALPHA of the exact ones."""

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

# The relative accuracy: every value a bucket stands for is within 1 % of each value in it.
ALPHA = 0.01
GAMMA = (1 + ALPHA) / (1 - ALPHA)
LOG_GAMMA = math.log(GAMMA)
# The bucket of exactly zero minutes (a reply in the same second, or outside working hours only); bucket i > ZERO
# holds the minutes in (GAMMA ** (i - 1), GAMMA ** i].
ZERO = -100_000


def buckets(minutes: np.ndarray) -> np.ndarray:
    """The bucket of each number of minutes (≥ 0)."""
    values = np.asarray(minutes, dtype="float64")
    positive = values > 0
    out = np.full(values.shape, ZERO, dtype="int64")
    x = values[positive]
    index = np.ceil(np.log(x) / LOG_GAMMA)
    # The logarithm's rounding can put a value on a boundary into its neighbour: the powers themselves decide.
    index += x > GAMMA**index
    index -= x <= GAMMA ** (index - 1)
    out[positive] = np.maximum(index, ZERO + 1).astype("int64")
    return out


def values(bucket: np.ndarray) -> np.ndarray:
    """The minutes each bucket stands for: 2 γ^i / (γ + 1), within ALPHA of every value in it; 0 for ZERO."""
    index = np.asarray(bucket, dtype="int64")
    return np.where(index == ZERO, 0.0, 2 * GAMMA ** index.astype("float64") / (GAMMA + 1))


def quantiles(
    hist: pd.DataFrame, by: list[str], q: float, bucket: str = "bucket", count: str = "inquiries"
) -> pd.Series:
    """The `q` quantile per group of `by` of a histogram (rows: the group, a bucket, its count), as pandas computes it
    from the values themselves (linear between the two order statistics around rank q × (n − 1)): each order
    statistic read as its bucket's value, so the result is within ALPHA of the exact quantile."""
    return quantile_table(hist, by, {"q": q}, bucket, count)["q"].rename(None)


def quantile_table(
    hist: pd.DataFrame, by: list[str], qs: Mapping[str, float], bucket: str = "bucket", count: str = "inquiries"
) -> pd.DataFrame:
    """`quantiles` per group of `by` for each named quantile of `qs` (name: q), the histogram ordered once."""
    rows = hist[hist[count].to_numpy() > 0]
    # Each key as sorted integers and the rows ordered by them and their bucket: a sort of the keys' text (regions,
    # weeks) over a country's million rows took seconds a call.
    keys = [pd.factorize(rows[column], sort=True) for column in by]
    marks = rows[bucket].to_numpy(dtype="int64")
    order = np.lexsort((marks, *(codes for codes, _ in reversed(keys))))
    codes = [k[order] for k, _ in keys]
    starts = np.zeros(len(order), dtype=bool)  # the first row of each group
    starts[:1] = True
    for k in codes:
        starts[1:] |= k[1:] != k[:-1]
    first, ids = np.flatnonzero(starts), np.cumsum(starts) - 1
    columns = [uniques[k[first]] for k, (_, uniques) in zip(codes, keys, strict=True)]
    groups = pd.MultiIndex.from_arrays(columns, names=by) if len(by) > 1 else pd.Index(columns[0], name=by[0])
    marks, counts = marks[order], rows[count].to_numpy(dtype="int64")[order]
    upto = np.cumsum(counts)
    n = np.bincount(ids, weights=counts, minlength=len(groups)).astype("int64")
    start = np.concatenate([[0], np.cumsum(n)[:-1]])
    worth = values(marks)
    out = {}
    for name, q in qs.items():
        rank = (n - 1) * q
        low = np.floor(rank).astype("int64")
        weight = rank - low
        high = np.minimum(low + 1, n - 1)
        below = worth[np.searchsorted(upto, start + low, side="right")]
        above = worth[np.searchsorted(upto, start + high, side="right")]
        out[name] = below + (above - below) * weight
    return pd.DataFrame(out, index=groups, dtype="float64")
