"""The Overview's KPI cards as plain values: label, value, change against the previous period and against the same
period a year earlier, freshness."""

import datetime as dt
import math
from typing import Any

import pandas as pd

from dashboard.filters import Period
from dashboard.i18n import SHORT_FROM, Tr

# key → (how the value is shown, how the change is told, lower is better, the source whose latest day is shown)
CARDS: dict[str, tuple[str, str, bool, str]] = {
    "followers": ("int", "int", False, "snapshot"),
    "growth": ("pct", "pp", False, "snapshot"),
    "active": ("pct", "pp", False, "post"),
    "posts_per_week": ("num2", "num2", False, "post"),
    "er": ("pct2", "pp2", False, "post"),
    "response": ("pct", "pp", False, "inquiry"),
    "reply_median": ("min", "min", True, "inquiry"),
    "coverage": ("pct", "pp", False, "snapshot"),
}


def _share(part: Any, whole: Any) -> float:
    return float(part) / float(whole) * 100 if whole else math.nan


def values(row: pd.Series) -> dict[str, float]:
    """The card values of one KPI-table row (a territory row, or a page row with its 0/1 flags)."""
    accounts = row.get("accounts", 1)
    active = row.get("accounts_active", row.get("active", 0))
    verified = row.get("pages_verified", row.get("verified", 0))
    required = row.get("pages_required", row.get("required", 0))
    return {
        "followers": float(row["followers_end"]),
        "growth": float(row["growth_pct"]),
        "active": _share(active, accounts),
        "posts_per_week": float(row["posts_per_week"]),
        "er": float(row["er_followers_pct"]),
        "response": float(row["response_rate_pct"]),
        "reply_median": float(row["reply_median_min"]),
        "coverage": _share(verified, required),
    }


def _show(tr: Tr, kind: str, value: float) -> str:
    if kind == "int":
        return tr.short(value)
    if kind == "num2":
        return tr.num(value, 2)
    if kind in ("pct", "pct2"):
        return tr.pct(value, 2 if kind == "pct2" else 1)
    return tr.minutes(value)


def _change(tr: Tr, kind: str, delta: float) -> str:
    if kind == "int":
        return tr.short(delta, sign=True)
    if kind == "num2":
        return tr.signed(round(delta, 2), 2)
    if kind in ("pp", "pp2"):
        return tr.signed(round(delta, 2), 2 if kind == "pp2" else 1, tr("unit.pp"))
    return tr.signed_minutes(delta)


def covered(period: Period, first: dt.date | None) -> Period | None:
    """`period` when the data (from `first` on) cover it whole, else None."""
    return period if first is not None and first <= period.start else None


def year_earlier(period: Period, first: dt.date | None) -> Period | None:
    """The same period a year earlier when the data (from `first` on) cover it whole, else None."""
    return covered(period.year_before(), first)


def uncovered(tr: Tr, period: Period, first: dt.date | None) -> list[str]:
    """The sentences under the cards naming the periods they are not compared with, as the data (from `first` on)
    do not cover them whole: the previous period, a year earlier."""
    before, year = period.previous(), period.year_before()
    out = [] if covered(before, first) else [tr("kpi.no_before", span=tr.span(*before), first=tr.date(first))]
    if not covered(year, first):
        out.append(tr("kpi.no_year", first=tr.date(first), start=tr.date(year.start)))
    return out


def _exact(tr: Tr, value: float, before: float, year: float) -> str:
    """The card's count and changes in full when any of them is shown short ("10,1 млн"); else ''."""
    figures = {"value": value, "before": before, "year": year}
    if all(math.isnan(v) or abs(round(v)) < SHORT_FROM for v in figures.values()):
        return ""
    told = [tr.num(value)] + [
        tr(f"kpi.exact_{key}", delta=tr.signed(change))
        for key, change in figures.items()
        if key != "value" and not math.isnan(change)
    ]
    return tr("kpi.exact", figures="; ".join(told))


def _year_line(tr: Tr, kind: str, inverse: bool, now: float, then: float) -> str:
    """The change against a year earlier as a line of Markdown, green when better and red when worse."""
    delta = now - then
    if math.isnan(delta):
        return tr("kpi.yoy", delta="—")
    text = _change(tr, kind, delta)
    better = text.startswith("+") != inverse
    colour = "gray" if text.startswith("±") else "green" if better else "red"
    # The change and its unit on one line: a narrow card breaks the line before it, never inside ("−0,3 п." / "п.").
    return tr("kpi.yoy", delta=f":{colour}[{text.replace(' ', chr(0xA0))}]")


def kpi_cards(
    now: pd.Series,
    before: pd.Series | None,
    fresh: dict[str, Any],
    tr: Tr,
    year: pd.Series | None = None,
    approximate: bool = False,
) -> list[dict[str, Any]]:
    """Arguments of `ui.card` for each KPI: label, value, delta (none without `before`), inverse, the change
    against `year` (the same period a year earlier; none without it), foot (as of, pages reporting), help (with a
    count shown short in full). The median reply time is marked "≈" when it was read from the reply-time histograms
    (`approximate`)."""
    current, previous = values(now), values(before) if before is not None else {}
    ago = values(year) if year is not None else {}
    pages = tr.num(now.get("accounts", 1))
    young = int(now.get("inquiries_young", 0) or 0)
    out = []
    for key, (kind, change, inverse, source) in CARDS.items():
        delta = current[key] - previous.get(key, math.nan)
        reporting = tr("kpi.reporting", n=tr.num(fresh.get(f"reporting_{source}", 0)), of=pages)
        foot = tr("kpi.foot", day=tr.date(fresh.get(source)), reporting=reporting)
        if source == "inquiry" and young:
            foot += " · " + tr("kpi.young", n=tr.num(young))
        marked = approximate and key == "reply_median"
        value = _show(tr, kind, current[key])
        notes = [tr(f"kpi.{key}_help")] + [tr("resp.approx_help")] * marked
        if kind == "int":  # a count from a million is shown short: the tooltip keeps it whole
            notes.append(_exact(tr, current[key], delta, current[key] - ago.get(key, math.nan)))
        out.append(
            {
                "label": tr(f"kpi.{key}"),
                "value": tr.approx(value) if marked else value,
                "delta": None if math.isnan(delta) else _change(tr, change, delta),
                "inverse": inverse,
                "year": _year_line(tr, change, inverse, current[key], ago[key]) if ago else "",
                "foot": foot,
                "help": "\n\n".join(n for n in notes if n),
            }
        )
    return out
