"""The composite index of the rankings: components, adjustable weights, rank change and its explanation."""

import numpy as np
import pandas as pd

from dashboard.i18n import Tr

# component → (KPI column, +1 when higher is better / −1 when lower is, how a change is told: "pp" or "%")
COMPONENTS: dict[str, tuple[str, int, str]] = {
    "response": ("response_rate_pct", 1, "pp"),
    "reply": ("reply_median_min", -1, "%"),
    "posts": ("posts_per_week", 1, "%"),
    "er": ("er_followers_pct", 1, "pp"),
    "growth": ("growth_pct", 1, "pp"),
    "reach": ("followers_per_1000", 1, "%"),
}
DEFAULT_WEIGHTS = {"response": 30, "reply": 20, "posts": 20, "er": 10, "growth": 10, "reach": 10}


def parse_weights(text: str | None) -> dict[str, int]:
    """Weights from the URL form `response:30,reply:20`; unknown or malformed parts keep their defaults."""
    weights = dict(DEFAULT_WEIGHTS)
    for part in (text or "").split(","):
        name, _, value = part.partition(":")
        if name in weights and value.strip().isdigit():
            weights[name] = min(int(value), 100)
    return weights


def dump_weights(weights: dict[str, int]) -> str:
    """The URL form of weights; empty when they are the defaults."""
    if weights == DEFAULT_WEIGHTS:
        return ""
    return ",".join(f"{k}:{weights.get(k, 0)}" for k in COMPONENTS)


def score(table: pd.DataFrame, weights: dict[str, int], min_sample: int) -> pd.DataFrame:
    """Each territory's component scores (percentile within the rated peer group, 0–100; an empty value scores 0),
    the weighted index, and its rank; territories below the minimum sample of inquiries are not rated."""
    out = table.copy()
    out["rated"] = (out["inquiries"] >= min_sample) & (out["accounts"] > 0)
    rated = out[out["rated"]]
    total = sum(weights.values()) or 1
    out["score"] = np.nan
    index = pd.Series(0.0, index=rated.index)
    for name, (col, direction, _) in COMPONENTS.items():
        values = rated[col].astype("float64") * direction
        ranks = values.rank(method="average")
        valid = int(values.notna().sum())
        part = ((ranks - 1) / (valid - 1) * 100 if valid > 1 else ranks * 0 + 100).fillna(0.0)
        out[f"s_{name}"] = part
        index += part * weights.get(name, 0) / total
    out.loc[rated.index, "score"] = index.round(1)
    out["rank"] = out["score"].rank(ascending=False, method="min").astype("Int64")
    return out


def compare(now: pd.DataFrame, before: pd.DataFrame) -> pd.DataFrame:
    """The scored table of this period with last period's rank, the change (positive = up) and component scores."""
    keep = ["territory_code", "rank", "score", *(f"s_{c}" for c in COMPONENTS), *(v[0] for v in COMPONENTS.values())]
    prev = before[keep].rename(columns={c: f"{c}_prev" for c in keep if c != "territory_code"})
    out = now.merge(prev, on="territory_code", how="left")
    out["change"] = (out["rank_prev"] - out["rank"]).astype("Int64")
    return out.sort_values(["rank", "territory_name"], na_position="last", ignore_index=True)


def explain(row: pd.Series, weights: dict[str, int], tr: Tr, parts: int = 2) -> str:
    """Why the rank moved, by the components that moved the index most: '−4 places: response rate −12 pp, …'."""
    change = row.get("change")
    if not row.get("rated", False):
        return tr("rank.not_rated", n=tr.num(row["inquiries"]))
    if change is None or pd.isna(change):
        return tr("rank.new")
    if change == 0:
        return tr("rank.same")
    total = sum(weights.values()) or 1
    effects = {
        name: weights.get(name, 0) / total * (row[f"s_{name}"] - row[f"s_{name}_prev"])
        for name, (col, _, _) in COMPONENTS.items()
        if pd.notna(row.get(f"s_{name}_prev")) and pd.notna(row.get(col)) and pd.notna(row.get(f"{col}_prev"))
    }
    sign = 1 if change > 0 else -1
    # Only a component that itself moved the way the rank did explains it: posts up 52 % do not explain a fall,
    # even when the peers' posts rose more and its score fell.
    own = {n: e for n, e in effects.items() if e * sign > 0.05 and _moved(row, n) * sign > 0}
    ranked = sorted(own, key=lambda n: -abs(own[n]))[:parts]
    told = [f"{tr(f'component.{n}')} {d}" for n in ranked if not (d := _delta(row, n, tr)).startswith("±")]
    head = f"{tr.signed(int(change))} {tr.plural('rank.places', abs(int(change)))}"
    return f"{head}: {', '.join(told) if told else tr('rank.peers_' + ('up' if sign < 0 else 'down'))}"


def _moved(row: pd.Series, name: str) -> float:
    """The change of a component's value, positive when it is better now."""
    col, direction, _ = COMPONENTS[name]
    return float(row[col] - row[f"{col}_prev"]) * direction


def _delta(row: pd.Series, name: str, tr: Tr) -> str:
    col, _, unit = COMPONENTS[name]
    now, before = row[col], row[f"{col}_prev"]
    if pd.isna(now) or pd.isna(before):
        return tr("rank.no_value")
    if unit == "pp":
        return tr.signed(round(float(now - before), 1), 1 if abs(now - before) < 10 else 0, tr("unit.pp"))
    if before == 0:
        return tr("rank.from_zero")
    return tr.signed(round(float(now / before - 1) * 100), 0, "%")
