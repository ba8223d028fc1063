"""Headline sentences from the numbers: "Подписчики выросли на 12 % до 84 300; доля ответов упала на 6 п. п."."""

import math
from collections.abc import Mapping
from typing import Any

from dashboard.i18n import Tr

# metric → how its change is told: relative % ("count"), percentage points ("pp"; "pp2" with two decimals, as the
# engagement card) or a duration ("minutes")
HEADLINE_KINDS: dict[str, str] = {
    "followers": "count",
    "response": "pp",
    "within": "pp",
    "reply_median": "minutes",
    "posts_per_week": "ratio",
    "active": "pp",
    "coverage": "pp",
    "er": "pp2",
}
# Sentences of the KPI slide: pairs of clauses joined by a semicolon.
SENTENCES = (("followers", "response"), ("within", "reply_median"), ("posts_per_week", "active"), ("coverage",))


def number(value: Any) -> float | None:
    """A finite float, or None for empty values and what is not a number."""
    try:
        found = float(value)
    except (TypeError, ValueError):
        return None
    return found if math.isfinite(found) else None


def _digits(value: float) -> int:
    """Decimals a headline shows: one, as the cards do, unless the number is whole (6.2 pp, 12.3 %, 6 pp)."""
    return 0 if round(value, 1) == round(value) else 1


def _nb(text: str) -> str:
    """Keep a number and its unit on one line ('6,2 п. п.', '71 %')."""
    return text.replace(" ", "\u00a0")


def clause(tr: Tr, metric: str, now: Any, before: Any, growth: Any = None, approximate: bool = False) -> str | None:
    """One clause about a metric's change: 'followers grew 12% to 84,300', 'доля ответов упала на 6 п. п. до 71 %'.

    Counts change in % of the previous value (or by `growth`, a % already known: the Growth card's), shares in
    percentage points, durations in time; None when the metric has no value now; only the value when there is
    nothing to compare with. An `approximate` duration (a median read from histograms) is marked "≈", as on its
    card."""
    kind = HEADLINE_KINDS[metric]
    current, previous = number(now), number(before)
    known = number(growth)
    if known is not None and kind == "count":
        previous = current / (1 + known / 100) if known > -100 and current is not None else previous
    if current is None:
        return None
    if kind == "count":
        value = tr.compact(current)
    elif kind == "minutes":
        value = tr.approx(tr.minutes(current)) if approximate else tr.minutes(current)
    elif kind == "ratio":
        value = tr.num(current, 1 if current >= 1 else 2)
    elif kind == "pp2":
        value = tr.pct(current, 2)
    else:
        value = tr.pct(current, 0 if round(current, 1) == round(current) else 1)
    if previous is None or (kind in ("count", "ratio") and previous == 0):
        return tr(f"headline.{metric}.now", value=_nb(value))
    if kind in ("count", "ratio"):
        delta = known if known is not None and kind == "count" else (current / previous - 1) * 100
        change = tr.pct(abs(delta), _digits(delta))
    elif kind == "minutes":
        delta = current - previous if abs(current - previous) >= 1 else 0
        change = tr.minutes(abs(delta))
    else:
        delta = current - previous
        change = f"{tr.num(abs(delta), 2 if kind == 'pp2' else _digits(delta))} {tr('unit.pp')}"
    if round(delta, 2 if kind == "pp2" else 1) == 0:
        return tr(f"headline.{metric}.same", value=_nb(value))
    return tr(f"headline.{metric}.{'up' if delta > 0 else 'down'}", change=_nb(change), value=_nb(value))


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def headlines(
    tr: Tr, now: Mapping[str, Any], before: Mapping[str, Any], sentences: tuple[tuple[str, ...], ...] = SENTENCES
) -> list[str]:
    """The KPI slide's sentences (or `sentences`) from this period's and the previous period's values (keys of
    HEADLINE_KINDS)."""
    out = []
    for group in sentences:
        # Followers are told by the period's growth, the figure of the Growth card beside them.
        told = [
            clause(tr, m, now.get(m), before.get(m), now.get("growth"), bool(now.get("approximate"))) for m in group
        ]
        parts = [c for c in told if c]
        if parts:
            out.append(_capital(tr("headline.joiner").join(parts)) + ".")
    return out


def kpi_values(row: Mapping[str, Any] | None) -> dict[str, float | None]:
    """The headline metrics of one KPI-table row (empty when there is no row)."""
    if row is None:
        return {}

    def share(part: str, whole: str) -> float | None:
        den = number(row.get(whole))
        num = number(row.get(part))
        return num / den * 100 if den and num is not None else None

    return {
        "followers": number(row.get("followers_end")),
        "growth": number(row.get("growth_pct")),
        "response": number(row.get("response_rate_pct")),
        "within": number(row.get("within_deadline_pct")),
        "reply_median": number(row.get("reply_median_min")),
        "posts_per_week": number(row.get("posts_per_week")),
        "active": share("accounts_active", "accounts"),
        "coverage": share("pages_verified", "pages_required"),
        "er": number(row.get("er_followers_pct")),
        # 1 when the reply times were read from histograms (a region's or a country's), told with "≈".
        "approximate": 1.0 if row.get("approximate") else None,
    }
