"""The national runs kept in bench/results/ side by side: how the queries (c) and pages (d) moved commit by commit."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import partial
from typing import Any

from bench.report import _mb, _s, _when, md, pages_within, queries_within

RUNS_SHOWN = 6
SLOWEST = 10


def _own(run: dict[str, Any], section: str) -> bool:
    """The run measured the section itself (not carried over from an earlier run, nor left out)."""
    # A section left out says why in `skipped` (a text); (c) keeps there the calls it could not make (a mapping).
    data = run.get(section)
    return data is not None and section not in (run.get("carried") or {}) and not isinstance(data.get("skipped"), str)


def size_of(run: dict[str, Any]) -> Any:
    """The national database's pages and months of history (runs of one size are side by side)."""
    national = run.get("national") or {}
    scale = (national.get("measured") or {}).get("scale") or {}
    return national.get("account_rows"), scale.get("months")


def _months(months: Any) -> str:
    """A length of history in words ("1 month", "4 months")."""
    return "? months" if months is None else f"{months} month" + ("" if months == 1 else "s")


def _cells(shown: list[dict[str, Any]], section: str, key: str, figure: Callable[[Any], str]) -> list[str]:
    """One figure per run: blank where the run did not measure the section, `failed` where it failed."""
    return [(figure(run[section]) if key in run[section] else "failed") if _own(run, section) else "" for run in shown]


def _render(d: dict[str, Any], key: tuple[str, Any]) -> str:
    """The first render of one page in one view, blank where the run did not open it."""
    found = next((p for p in d["pages"] if (p["page"], p.get("view")) == key), None)
    return "" if found is None else _s(found.get("seconds"))


def _p50(c: dict[str, Any], key: tuple[str, str]) -> str:
    """The p50 of one query in one view (the function by its last name: modules were renamed), blank if not timed."""
    found = next((e for e in c["results"] if (e["function"].rsplit(".", 1)[-1], e["view"]) == key), None)
    return "" if found is None else f"{found['p50_ms']:,.0f} ms"


def trend(runs: Mapping[str, dict[str, Any]], size: Any = None) -> list[str]:
    """The markdown of the latest runs that measured (c) or (d) on a national database of one size (by default that
    of the newest such run), side by side."""
    measured = sorted((r for r in runs.values() if _own(r, "c") or _own(r, "d")), key=lambda r: r["started"])
    if not measured:
        return []
    size = size or size_of(measured[-1])
    shown = [r for r in measured if size_of(r) == size][-RUNS_SHOWN:]
    if len(shown) < 2:
        return []
    rows = [
        [
            "queries within target (p95)",
            *_cells(shown, "c", "results", lambda c: "{} of {}".format(*queries_within(c))),
        ],
        ["pages within target", *_cells(shown, "d", "pages", lambda d: "{} of {}".format(*pages_within(d)))],
        ["server RSS after every page", *_cells(shown, "d", "pages", lambda d: _mb(d["rss_mb_after_all_pages"]))],
    ]
    last_d = next((r["d"] for r in reversed(shown) if _own(r, "d") and "pages" in r["d"]), None)
    for page in (last_d or {}).get("pages", []):
        key = (page["page"], page.get("view"))
        label = f"{page['page']}, {page.get('view', 'default')}"
        rows.append([label, *_cells(shown, "d", "pages", partial(_render, key=key))])
    last_c = next((r["c"] for r in reversed(shown) if _own(r, "c") and "results" in r["c"]), None)
    slowest = sorted((last_c or {}).get("results", []), key=lambda e: -e["p50_ms"])[:SLOWEST]
    for entry in slowest:
        key = (entry["function"].rsplit(".", 1)[-1], entry["view"])
        label = f"`{key[0]}` [{key[1]}] p50"
        rows.append([label, *_cells(shown, "c", "results", partial(_p50, key=key))])
    header = ["measure", *(f"{_when(r['started'])} ({r['machine']['commit']})" for r in shown)]
    return [
        "",
        f"**The national runs side by side**: the last {len(shown)} runs kept in `bench/results/` that measured "
        f"(c) or (d) on the national database of {size[0]:,} pages × {_months(size[1])}, oldest first (a blank "
        "cell: not measured in that "
        f"run)" + (f"; the queries are the {len(slowest)} slowest of the latest run, by p50." if slowest else "."),
        "",
        md(header, rows),
    ]
