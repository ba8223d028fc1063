"""How each national cost grows with the pages and the days: the runs of one commit at several sizes, side by side,
with the growth exponent k of each figure (figure ∝ pages^k, or days^k) and what a year of history would take."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from typing import Any

from bench.report import _mb, _s, md
from bench.trend import _own

YEAR_DAYS = 365
Figure = Callable[[dict[str, Any]], float | None]  # one run's figure, None where the run has none


def _scale(run: dict[str, Any]) -> tuple[int, int]:
    """The national database's pages and months."""
    scale = run["national"]["measured"]["scale"]
    return int(scale["accounts"]), int(scale["months"])


def _days(run: dict[str, Any]) -> int:
    """Days of history in the national database."""
    nat = run["national"]
    return round(nat["followersnapshot_rows"] / max(nat["account_rows"], 1))


def _query(function: str, view: str) -> Callable[[str], Figure]:
    """The p50 of one call; `view` is a view's first word or its whole name ("region" is the largest region)."""

    def per(key: str) -> Figure:
        def figure(run: dict[str, Any]) -> float | None:
            if not _own(run, key) or "results" not in run[key]:
                return None
            for e in run[key]["results"]:
                name, label = e["function"].rsplit(".", 1)[-1], e["view"]
                if name == function and (label == view or label.startswith(view + " ")):
                    return float(e["p50_ms"])
            return None

        return figure

    return per


def _page(page: str, view: str) -> Callable[[str], Figure]:
    """The first render of a page in a view (by the view's opening, "?country=RU")."""

    def per(key: str) -> Figure:
        def figure(run: dict[str, Any]) -> float | None:
            if not _own(run, key) or "pages" not in run[key]:
                return None
            found = [p for p in run[key]["pages"] if p["page"] == page and str(p.get("view", "")).startswith(view)]
            seconds = found[0].get("seconds") if found else None
            return None if seconds is None or math.isnan(seconds) else float(seconds)

        return figure

    return per


def _field(section: str, *path: str) -> Callable[[str], Figure]:
    """A number stored in a section (`national`, `b`, `d`), on the side's twin for PostgreSQL."""

    def per(suffix: str) -> Figure:
        def figure(run: dict[str, Any]) -> float | None:
            key = section + suffix
            if not _own(run, key):
                return None
            value: Any = run[key]
            for step in path:
                value = value.get(step) if isinstance(value, dict) else None
            return None if value is None else float(value)

        return figure

    return per


# (measure, unit, figure of a side: "" for SQLite, "_pg" for PostgreSQL)
MEASURES: list[tuple[str, str, Callable[[str], Figure]]] = [
    ("national database built (`govpulse load`)", "s", _field("national", "load", "seconds")),
    ("… its peak RSS", "MB", _field("national", "load", "peak_rss_mb")),
    ("… its size on disk", "MB", _field("national", "db_mb")),
    ("daily increment", "s", _field("b", "seconds")),
    ("`kpis` of Russia by country, p50", "ms", lambda s: _query("kpis", "country RU level=country")("c" + s)),
    ("`kpis` of Russia, a row per page, p50", "ms", lambda s: _query("kpis", "country RU level=account")("c" + s)),
    ("`kpis` of the largest region, p50", "ms", lambda s: _query("kpis", "region")("c" + s)),
    ("`responsiveness` of Russia, p50", "ms", lambda s: _query("responsiveness", "country RU")("c" + s)),
    ("`jumps` of Russia, p50", "ms", lambda s: _query("jumps", "country RU")("c" + s)),
    ("`registry` of Russia, p50", "ms", lambda s: _query("registry", "country RU")("c" + s)),
    ("Overview of Russia, first render", "s", lambda s: _page("overview", "?country=RU")("d" + s)),
    ("Responsiveness of Russia, first render", "s", lambda s: _page("responsiveness", "?country=RU")("d" + s)),
    ("Overview of the largest region, first render", "s", lambda s: _page("overview", "?region=")("d" + s)),
    ("server RSS after every page", "MB", _field("d", "rss_mb_after_all_pages")),
]


def exponent(points: list[tuple[float, float]]) -> float | None:
    """The least-squares slope of log(figure) over log(size): figure ∝ size^k."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len({x for x, _ in pts}) < 2:
        return None
    mx, my = sum(x for x, _ in pts) / len(pts), sum(y for _, y in pts) / len(pts)
    return sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return ""
    return _s(value) if unit == "s" else _mb(value) if unit == "MB" else f"{value:,.0f} {unit}"


def _k(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


def series(runs: Mapping[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The runs of the newest commit that built national databases of two sizes or more, one per size: by pages,
    those of the history length measured at the most page counts; by days, those of the page count measured with the
    most lengths (either empty when fewer than two sizes)."""
    built = sorted((run for run in runs.values() if _own(run, "national") and "load" in run["national"]
                    and "measured" in run["national"] and "reused" not in run["national"]),
                   key=lambda run: run["started"])  # fmt: skip
    sizes: dict[str, dict[tuple[int, int], dict[str, Any]]] = {}
    for run in built:  # in order of their start: the commit of the newest run comes last
        commit = run["national"]["measured"]["commit"]
        sizes[commit] = sizes.pop(commit, {}) | {_scale(run): run}
    measured = [of for of in sizes.values() if len(of) > 1]
    if not measured:
        return [], []
    latest = measured[-1]
    pages_at: dict[int, list[int]] = {}
    months_at: dict[int, list[int]] = {}
    for pages, months in latest:
        pages_at.setdefault(months, []).append(pages)
        months_at.setdefault(pages, []).append(months)
    months = max(sorted(pages_at), key=lambda m: len(pages_at[m]))
    pages = max(sorted(months_at), key=lambda p: len(months_at[p]))
    by_pages = sorted((latest[p, months] for p in pages_at[months]), key=_scale)
    by_days = sorted((latest[pages, m] for m in months_at[pages]), key=_scale)
    return (by_pages if len(by_pages) > 1 else []), (by_days if len(by_days) > 1 else [])


def growth(runs: Mapping[str, dict[str, Any]]) -> list[str]:
    """The markdown of the growth table, or nothing if no commit built national databases of two sizes."""
    by_pages, by_days = series(runs)
    if not by_pages:
        return []
    pages = [_scale(r)[0] for r in by_pages]
    days_measured = _days(by_pages[-1])
    header = ["database", "measure", *(f"{p:,} pages" for p in pages), "k (pages)"]
    if by_days:
        header += [f"{_days(r)} days" for r in by_days] + ["k (days)", f"{pages[-1]:,} pages × {YEAR_DAYS} days"]
    rows = []
    for side, suffix in (("SQLite", ""), ("PostgreSQL", "_pg")):
        for label, unit, measure in MEASURES:
            figure = measure(suffix)
            values = [figure(r) for r in by_pages]
            if all(v is None for v in values):
                continue
            k = exponent([(p, v) for p, v in zip(pages, values, strict=True) if v is not None])
            row = [side, label, *(_fmt(v, unit) for v in values), _k(k)]
            if by_days:
                day_values = [figure(r) for r in by_days]
                kd = exponent([(_days(r), v) for r, v in zip(by_days, day_values, strict=True) if v is not None])
                last = values[-1]
                year = None if last is None or kd is None else last * (YEAR_DAYS / days_measured) ** kd
                row += [*(_fmt(v, unit) for v in day_values), _k(kd), _fmt(year, unit)]
            rows.append(row)
    run = by_pages[-1]
    named = dict.fromkeys(r["national"]["measured"]["results_file"] for r in (*by_pages, *by_days))
    files = ", ".join(f"`bench/results/{name}`" for name in named)
    text = (
        f"**How each cost grows** (commit {run['national']['measured']['commit']}; runs {files}): the same "
        f"generator at {len(pages)} sizes of {days_measured} days of history"
    )
    if by_days:
        text += (
            f", and at {by_days[0]['national']['account_rows']:,} pages with {len(by_days)} lengths of history; "
            f"k is the exponent of the least-squares line through log(figure) over log(pages), or over log(days). "
            f"The last column scales the largest size's figure by ({YEAR_DAYS} / {days_measured})^k(days): what a "
            "year of history would take if the exponent holds"
        )
    else:
        text += "; k is the exponent of the least-squares line through log(figure) over log(pages)"
    return ["", text + ". A blank cell: not measured in that run.", "", md(header, rows)]
