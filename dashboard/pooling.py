"""Territory KPIs pooled from page rows, for the cuts `kpi_table` does not make (owner roles, several platforms).

Follows docs/metrics.md exactly; tests/test_dashboard_pooling.py checks it against `kpi_table` on the same pages.
"""

import pandas as pd

from etl.report import columns_for
from etl.settings import Settings

KEY = {"country": "country_code", "region": "region_code", "district": "district_code", "settlement": "territory_code"}
_SUMS = ["followers_start", "followers_end", "follower_days", "posts", "interactions", "inquiries", "answered"]
_COUNTS = ["accounts", "pages_required", "pages_verified", "accounts_active", "reply_n", *_SUMS]


def _ratio(num: pd.Series, den: pd.Series, scale: float, digits: int, rated: pd.Series | None = None) -> pd.Series:
    ok = den > 0 if rated is None else rated & (den > 0)
    return (num.astype("float64") / den.where(ok).astype("float64") * scale).round(digits)


def pool(
    pages: pd.DataFrame,
    sums: pd.DataFrame,
    replies: pd.DataFrame,
    places: pd.DataFrame,
    level: str,
    days: int,
    settings: Settings,
) -> pd.DataFrame:
    """The KPI table at a territory level from its pages' rows (`kpi_table` at account level, with `id` and
    ancestor codes), their follower-days and interactions (`sums`), their reply minutes (`replies`) and the
    territories of the level (`places`: code, name, population)."""
    pages = pages.merge(sums, on="id", how="left").assign(key=lambda f: f[KEY[level]])
    grouped = pages.groupby("key").agg(
        accounts=("id", "size"),
        pages_required=("required", "sum"),
        pages_verified=("verified", "sum"),
        accounts_active=("active", "sum"),
        **{col: (col, "sum") for col in _SUMS},
    )
    minutes = replies.merge(pages[["id", "key"]], on="id").groupby("key")["reply_min"]
    stats = pd.DataFrame(
        {"reply_n": minutes.size(), "reply_median": minutes.quantile(0.5), "reply_p90": minutes.quantile(0.9)}
    )
    rows = pd.DataFrame(
        {
            "territory_code": places["code"].to_numpy(),
            "territory_name": places["name"].to_numpy(),
            "population": pd.to_numeric(places["population"]).astype("float64").to_numpy(),
        }
    )
    rows = rows.join(grouped, on="territory_code").join(stats, on="territory_code")
    rows = rows.reindex(columns=[*rows.columns, *(c for c in [*_COUNTS, "reply_median", "reply_p90"] if c not in rows)])
    rows[_COUNTS] = rows[_COUNTS].fillna(0).astype("int64")
    rated_replies = rows["reply_n"] >= settings.min_sample_inquiries
    growth = rows["followers_end"] - rows["followers_start"]
    per_post = rows["interactions"] / rows["posts"].where(rows["posts"] > 0)
    table = rows.assign(
        growth_abs=growth,
        growth_pct=_ratio(growth, rows["followers_start"], 100, 1),
        followers_per_1000=_ratio(rows["followers_end"], rows["population"], 1000, 1),
        posts_per_week=_ratio(rows["posts"], rows["accounts"], 7 / days, 2),
        er_followers_pct=_ratio(
            per_post, rows["follower_days"] / days, 100, 2, rows["posts"] >= settings.min_sample_posts
        ),
        response_rate_pct=_ratio(
            rows["answered"], rows["inquiries"], 100, 1, rows["inquiries"] >= settings.min_sample_inquiries
        ),
        reply_median_min=rows["reply_median"].where(rated_replies).astype("float64").round(1),
        reply_p90_min=rows["reply_p90"].where(rated_replies).astype("float64").round(1),
    )
    return table.sort_values("territory_code", ignore_index=True)[[c for c in columns_for(level) if c in table]]
