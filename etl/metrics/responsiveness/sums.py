"""Responsiveness metrics summed from timed inquiries or their counts: rates, reply-time quantiles, weeks."""

import datetime as dt

import numpy as np
import pandas as pd

from etl.metrics.responsiveness.sketched import is_sketch
from etl.metrics.worktime import BACKLOG_BUCKETS
from etl.settings import Settings, get_settings
from etl.store.replycounts import ANSWERERS
from etl.store.sketch import quantile_table

BACKLOG_COLUMNS = dict(zip(BACKLOG_BUCKETS, ("backlog_lt1", "backlog_1_3", "backlog_3_7", "backlog_gt7"), strict=True))


COUNTS = [
    "inquiries",
    "answered",
    "judged",
    "judged_answered",
    "inquiries_young",
    "met",
    "missed",
    "pending",
    "decided",
    "backlog_open",
    *BACKLOG_COLUMNS.values(),
    *(f"answered_{who}" for who in ANSWERERS),
]


RATES = [
    "response_rate_pct",
    "reply_median_min",
    "reply_p90_min",
    "reply_median_work_min",
    "reply_p90_work_min",
    "within_deadline_pct",
    *(f"share_{who}_pct" for who in (*ANSWERERS, "nobody")),
]


METRICS = [*COUNTS, *RATES, "as_of"]


# The count each rate is computed from: below `min_sample_inquiries` of it the rate is "not rated (n = …)".
SAMPLE_OF = {
    "response_rate_pct": "judged",
    "reply_median_min": "judged_answered",
    "reply_p90_min": "judged_answered",
    "reply_median_work_min": "judged_answered",
    "reply_p90_work_min": "judged_answered",
    "within_deadline_pct": "decided",
    **{f"share_{who}_pct": "judged" for who in (*ANSWERERS, "nobody")},
}


# The counts of `stored_parts`, added up over any grouping; `summarise_parts` derives the rest.
PART_COUNTS = [
    "inquiries",
    "answered",
    "judged",
    "judged_answered",
    "met",
    "decided",
    "missed",
    *(f"answered_{who}" for who in ANSWERERS),
]


def summarise(rows: pd.DataFrame, by: str | list[str], settings: Settings | None = None) -> pd.DataFrame:
    """The responsiveness metrics of timed inquiry rows per group of the `by` column(s), one row per group."""
    settings = settings or get_settings()
    keys = [by] if isinstance(by, str) else list(by)
    # Counted with bincount over group numbers: one pass per count instead of a groupby over many columns.
    ids, index = _group_ids(rows, keys)
    kept = ids >= 0
    answered = rows["first_reply_at"].notna().to_numpy()
    mature = rows["mature"].to_numpy(dtype=bool)
    met = rows["met"].astype("boolean")
    met_true = met.to_numpy(dtype=bool, na_value=False) & mature
    decided = met.notna().to_numpy() & mature
    bucket = pd.Categorical(rows["backlog"], categories=BACKLOG_BUCKETS).codes
    answerer = pd.Categorical(rows["answerer"], categories=ANSWERERS).codes
    flags = {
        "inquiries": np.ones(len(rows), bool),
        "answered": answered,
        "judged": mature,
        "judged_answered": mature & answered,
        "inquiries_young": ~mature,
        "met": met_true,
        "missed": decided & ~met_true,
        "pending": ~decided,
        "decided": decided,
        "backlog_open": ~answered,
        **{col: bucket == i for i, col in enumerate(BACKLOG_COLUMNS.values())},
        **{f"answered_{who}": (answerer == i) & mature for i, who in enumerate(ANSWERERS)},
    }
    counts = pd.DataFrame(
        {col: np.bincount(ids[kept & flag], minlength=len(index)) for col, flag in flags.items()}, index=index
    )
    timed = kept & answered & mature
    times = pd.DataFrame({"reply": rows["reply_min"].to_numpy()[timed], "work": rows["work_min"].to_numpy()[timed]})
    grouped = times.groupby(ids[timed])
    quantiles = grouped.quantile(0.5).add_suffix("_median").join(grouped.quantile(0.9).add_suffix("_p90"))
    latest = pd.Series(rows["as_of"].to_numpy()[kept]).groupby(ids[kept]).max().rename("as_of")
    stats = counts.reset_index().join(quantiles.join(latest, how="outer").reindex(range(len(index))))
    return _rates(stats, settings)[[*keys, *METRICS]]


def _group_ids(rows: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, pd.Index]:
    """The number of each row's group (-1 where a key is missing) and the groups, sorted by key."""
    parts = [pd.factorize(rows[k], sort=True) for k in keys]
    if len(parts) == 1:
        return parts[0][0], pd.Index(parts[0][1], name=keys[0])
    codes = np.stack([c for c, _ in parts])
    missing = (codes < 0).any(axis=0)
    # Each key's codes are in key order, so the combined number sorts like the keys themselves.
    flat = np.asarray(np.ravel_multi_index(np.where(missing, 0, codes), [len(u) for _, u in parts]), dtype="int64")
    seen, ids = np.unique(flat[~missing], return_inverse=True)
    out = np.full(len(rows), -1)
    out[~missing] = ids
    levels = np.unravel_index(seen, [len(u) for _, u in parts])
    arrays = [pd.Index(u).take(level) for (_, u), level in zip(parts, levels, strict=True)]
    return out, pd.MultiIndex.from_arrays(arrays, names=keys)


def _rates(frame: pd.DataFrame, settings: Settings) -> pd.DataFrame:
    """The rates of summed counts and reply-time statistics; empty below the minimum sample."""
    floor = settings.min_sample_inquiries

    def pct(num: str, den: str) -> pd.Series:
        return rate(frame, num, den, settings)

    def minutes(col: str) -> pd.Series:
        return frame[col].where(frame["judged_answered"] >= floor).astype("float64").round(1)

    frame = frame.assign(judged_open=frame["judged"] - frame["judged_answered"])
    return frame.assign(
        response_rate_pct=pct("judged_answered", "judged"),
        reply_median_min=minutes("reply_median"),
        reply_p90_min=minutes("reply_p90"),
        reply_median_work_min=minutes("work_median"),
        reply_p90_work_min=minutes("work_p90"),
        within_deadline_pct=pct("met", "decided"),
        **{f"share_{who}_pct": pct(f"answered_{who}", "judged") for who in ANSWERERS},
        share_nobody_pct=pct("judged_open", "judged"),
    )


def rate(frame: pd.DataFrame, num: str, den: str, settings: Settings) -> pd.Series:
    """num / den as a percentage, rounded; empty below the minimum sample of `den`."""
    rated = frame[den] >= settings.min_sample_inquiries
    return (frame[num] / frame[den].where(rated & (frame[den] > 0)) * 100).astype("float64").round(1)


def fill_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Counts of groups without inquiries as 0 (their rates stay empty)."""
    present = [c for c in COUNTS if c in frame.columns]
    frame[present] = frame[present].fillna(0).astype("int64")
    return frame


def weekly(
    rows: pd.DataFrame,
    by: str | list[str],
    date_from: dt.date,
    date_to: dt.date,
    settings: Settings | None = None,
    keys: pd.Series | pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The metrics per group and week of receipt (weeks start on Monday), every week of the period for every group."""
    group = [by] if isinstance(by, str) else list(by)
    stats = summarise(rows, [*group, "week"], settings)
    first = pd.Timestamp(date_from) - pd.Timedelta(days=date_from.weekday())
    weeks = pd.DataFrame({"week": pd.date_range(first, pd.Timestamp(date_to), freq="7D")})
    first_day, last_day = pd.Timestamp(date_from), pd.Timestamp(date_to)
    start = weeks["week"].where(weeks["week"] >= first_day, first_day)
    end = (weeks["week"] + pd.Timedelta(days=6)).where(lambda d: d <= last_day, last_day)
    weeks["days"] = (end - start).dt.days + 1
    known = rows[group].drop_duplicates() if keys is None else pd.DataFrame(keys).set_axis(group, axis=1)
    grid = known.merge(weeks, how="cross")
    out = fill_counts(grid.merge(stats, on=[*group, "week"], how="left"))
    out["week"] = out["week"].dt.date
    return out.sort_values([*group, "week"], ignore_index=True)


def parts_of(rows: pd.DataFrame, groups: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """`stored_parts` of timed inquiry rows (`read_timed`), per `groups` (columns of the rows)."""
    answered, mature = rows["first_reply_at"].notna(), rows["mature"].astype(bool)
    met = rows["met"].astype("boolean")
    flags = pd.DataFrame(
        {
            "inquiries": 1,
            "answered": answered,
            "judged": mature,
            "judged_answered": mature & answered,
            "met": mature & answered & met.fillna(False),
            "decided": mature & answered & met.notna(),
            "missed": ~answered & met.eq(False).fillna(False),
            **{f"answered_{who}": mature & rows["answerer"].eq(who).fillna(False) for who in ANSWERERS},
        },
        index=rows.index,
    ).astype("int64")
    keyed = pd.concat([rows[groups], flags, rows[["as_of"]]], axis=1)
    sums = keyed.groupby(groups, as_index=False, observed=True).agg(
        {**dict.fromkeys(PART_COUNTS, "sum"), "as_of": "max"}
    )
    times = rows.loc[answered & mature, [*groups, "reply_min", "work_min"]].reset_index(drop=True)
    return sums, times.astype({"reply_min": "float64", "work_min": "float64"})


def summarise_parts(sums: pd.DataFrame, times: pd.DataFrame, by: list[str], settings: Settings) -> pd.DataFrame:
    """The responsiveness metrics per group of `by` from `stored_parts` (counted per `by` or finer), one row per
    group with inquiries."""
    stats = sums.groupby(by, observed=True).agg({**dict.fromkeys(PART_COUNTS, "sum"), "as_of": "max"})
    # Unanswered inquiries are never met: past the deadline at their as-of time they are missed, else pending.
    stats["decided"] += stats["missed"]
    stats["missed"] = stats["decided"] - stats["met"]
    stats["pending"] = stats["inquiries"] - stats["decided"]
    stats["inquiries_young"] = stats["inquiries"] - stats["judged"]
    stats["backlog_open"] = stats["inquiries"] - stats["answered"]
    out = _rates(stats.join(reply_quantiles(times, by)).reset_index(), settings)
    out = out[[*by, *(c for c in METRICS if c in out.columns)]]
    # Read from histograms, the reply-time statistics are within 1 % of the exact ones: said with the figures.
    out.attrs["approximate"] = is_sketch(times)
    return out


def reply_quantiles(times: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    """The median and 90th percentile of the calendar and working reply minutes per group of `by`: of the replies
    themselves, or of their histograms (`is_sketch`)."""
    if not is_sketch(times):
        grouped = times.groupby(by, observed=True)
        columns = {"reply": grouped["reply_min"], "work": grouped["work_min"]}
        return pd.concat(
            {f"{unit}_{name}": minutes.quantile(q) for unit, minutes in columns.items() for name, q in QUANTILES},
            axis=1,
        )
    parts = [
        quantile_table(times[times["unit"] == unit], by, {f"{unit}_{name}": q for name, q in QUANTILES})
        for unit in ("reply", "work")
    ]
    return pd.concat(parts, axis=1)


QUANTILES = (("median", 0.5), ("p90", 0.9))
