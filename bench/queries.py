"""(c) Every query the dashboard pages run, timed on the database (caches cleared before each call).

python -m bench.queries OUT.json   (GOVPULSE_DATABASE_URL names the database)

The functions are found, not listed: every cached function (dashboard.cache.shared, st.cache_resource) of
dashboard.queries and dashboard.queries_posts (the dashboard's database readers) is called with arguments built from
its parameter names, for views of several sizes, plus etl.metrics.kpis.kpi_table at every level. A function whose
parameters are not understood is listed as skipped.
"""

from __future__ import annotations

import cProfile
import datetime as dt
import inspect
import io
import os
import pstats
import sys
import time
import warnings
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import TARGETS, percentile, write_json

TARGET_P95_MS = TARGETS["c_p95_ms"]
# Runs per call (BENCH_QUERY_RUNS: fewer for a quick run), at least three where that many fit.
MAX_RUNS = int(os.environ.get("BENCH_QUERY_RUNS") or 20)
BUDGET_S = 10.0  # per function and view: fewer runs for slow calls


def _quiet() -> None:
    """Streamlit warns about running without a server on every cached call."""
    import streamlit.logger

    warnings.filterwarnings("ignore")
    streamlit.logger.set_log_level("error")


def _views(queries: Any, Scope: type) -> list[dict[str, Any]]:
    """Dashboard views of several sizes: the largest country, the other one, the largest region, a district."""
    first_last = queries.data_range.__wrapped__()
    end = first_last[1]
    start = end - dt.timedelta(days=29)
    accounts = queries.registry.__wrapped__("", "")
    count = accounts["country_code"].value_counts()
    views = []
    for country in count.index.tolist()[:2]:
        views.append({"name": f"country {country}", "scope": Scope(country, "country_code"), "level": "country"})
    regions = accounts["region_code"].value_counts()
    biggest = regions.index[0]
    views.append({"name": f"region {biggest}", "scope": Scope(biggest, "region_code"), "level": "region"})
    districts = accounts[accounts["region_code"] == biggest]["district_code"].value_counts()
    district = districts.index[0]
    views.append({"name": f"district {district}", "scope": Scope(district, "district_code"), "level": "district"})
    below = {"country": "region", "region": "district", "district": "settlement"}
    by = {"country": "region", "region": "district", "district": "territory"}
    for view in views:
        scope = view["scope"]
        mine = accounts[accounts[scope.column] == scope.parent]
        view.update(
            start=start,
            end=end,
            rows_level=below[view["level"]],
            by=by[view["level"]],
            pages=len(mine),
            ids=tuple(int(i) for i in mine["id"].head(5).tolist()),
            account=int(mine["id"].iloc[0]),
            least=queries.settings().min_sample_posts,  # the Growth page's best-time map
        )
    return views


def _arguments(fn: Callable[..., Any], view: dict[str, Any]) -> list[dict[str, Any]] | None:
    """Keyword arguments for one call per variant, from the parameter names; None when a name is not understood."""
    values: dict[str, list[Any]] = {
        "start": [view["start"]],
        "end": [view["end"]],
        "date_from": [view["start"]],
        "date_to": [view["end"]],
        "scope": [view["scope"]],
        "parent": [view["scope"].parent],
        "column": [view["scope"].column],
        "lang": ["ru"],
        "ids": [view["ids"]],
        "account": [view["account"]],
        "by": [view["by"], "total"],
        "level": [view["level"], view["rows_level"], "account"],
        "deadline": ["8wh"],
        "since": [view["end"] - dt.timedelta(days=29)],
        "least": [view["least"]],
    }
    if fn.__name__ == "top_posts":
        # The Overview's two tabs of top posts, ten each.
        values["by"], values["n"] = ["er_pct", "views"], [10]
    if fn.__name__ == "responsiveness":
        # The Responsiveness and Compare pages count their places (the level below the view), pages only by ids.
        values["level"], values["ids"] = [view["rows_level"]], [None]
    params = [p for p in inspect.signature(fn).parameters.values() if p.default is inspect.Parameter.empty]
    if any(p.name not in values for p in params):
        return None
    variants: list[dict[str, Any]] = [{}]
    for p in params:
        variants = [{**v, p.name: choice} for v in variants for choice in values[p.name]]
    return variants


def _profile(call: Callable[[], Any]) -> list[str]:
    """The five functions with the most own time in one call (cProfile), as short text."""
    prof = cProfile.Profile()
    prof.runcall(call)
    stats = pstats.Stats(prof, stream=io.StringIO())
    rows = sorted(stats.stats.items(), key=lambda kv: -kv[1][2])[:5]  # type: ignore[attr-defined]
    total = sum(v[2] for v in stats.stats.values()) or 1.0  # type: ignore[attr-defined]
    out = []
    for (filename, line, name), (_, _, own, _, _) in rows:
        where = name if filename == "~" else f"{filename.rsplit('site-packages/', 1)[-1]}:{line}({name})"
        out.append(f"{100 * own / total:.0f}% {where}")
    return out


def _time(call: Callable[[], Any], clear: Callable[[], None]) -> tuple[list[float], int]:
    """Milliseconds of repeated cold calls (caches cleared before each) and the rows returned."""
    times: list[float] = []
    size = 0
    started = time.perf_counter()
    while len(times) < MAX_RUNS and (len(times) < min(3, MAX_RUNS) or time.perf_counter() - started < BUDGET_S):
        clear()
        t0 = time.perf_counter()
        result = call()
        times.append((time.perf_counter() - t0) * 1000)
        size = len(result) if hasattr(result, "__len__") else 1
    return times, size


def _measure(
    function: str, view: str, pages: int | None, call: Callable[[], Any], clear: Callable[[], None]
) -> dict[str, Any]:
    """Figures of one function in one view; a profile of one call when it misses the target."""
    times, size = _time(call, clear)
    entry: dict[str, Any] = {
        "function": function,
        "view": view,
        "pages_in_view": pages,
        "runs": len(times),
        "p50_ms": percentile(times, 50),
        "p95_ms": percentile(times, 95),
        "rows": size,
    }
    # Fewer than three runs is a quick run (BENCH_QUERY_RUNS): no profile, which would double its time.
    if entry["p95_ms"] > TARGET_P95_MS and MAX_RUNS >= 3:
        clear()
        entry["profile"] = _profile(call)
    print(f"{function} [{view}] p50 {entry['p50_ms']:.0f} ms, p95 {entry['p95_ms']:.0f} ms", file=sys.stderr)
    return entry


def main(out_path: str) -> None:
    """Time every cached query of dashboard.queries and etl.metrics.kpis.kpi_table; write the figures as JSON."""
    _quiet()
    import streamlit as st

    from dashboard import cache, queries, queries_posts
    from dashboard.filters import Scope
    from etl.metrics.kpis import kpi_table

    def clear() -> None:
        # Results are cleared; the server's resources (the engine, the clocks) are built once per process and kept,
        # as in a running server, and timed on their own.
        cache.clear()

    def clear_all() -> None:
        st.cache_data.clear()
        st.cache_resource.clear()

    cached = {
        f"{module.__name__}.{name}": fn
        for module in (queries, queries_posts)
        for name, fn in vars(module).items()
        if not name.startswith("_") and hasattr(fn, "clear") and hasattr(fn, "__wrapped__") and name != "engine"
    }
    plain = sorted(
        name
        for name, fn in vars(queries).items()
        if inspect.isfunction(fn) and fn.__module__ == queries.__name__ and not name.startswith("_")
    )
    views = _views(queries, Scope)
    results: list[dict[str, Any]] = []
    skipped: dict[str, str] = {
        name: "not cached: no database read of its own" for name in plain if f"{queries.__name__}.{name}" not in cached
    }
    for name, fn in sorted(cached.items()):
        seen: set[str] = set()
        for view in views:
            variants = _arguments(fn.__wrapped__, view)
            if variants is None:
                skipped[name] = f"parameters not understood: {list(inspect.signature(fn.__wrapped__).parameters)}"
                break
            for kwargs in variants:
                label = ", ".join(f"{k}={v}" for k, v in kwargs.items() if k in {"level", "by"})
                # A function without a scope reads the same thing for every view: time it once.
                scoped = {"scope", "parent", "ids", "account"} & set(kwargs)
                key = f"{view['name'] if scoped else '*'} {label}"
                if key in seen:
                    continue
                seen.add(key)
                pages = view["pages"] if key[0] != "*" else None
                # The server's own resources (the engine, the clocks) are timed built afresh; the reads, cold.
                resource = not isinstance(fn, cache.Shared) and fn._info.cache_type.name == "RESOURCE"
                cold = clear_all if resource else clear
                results.append(_measure(name, key.strip(), pages, partial(fn, **kwargs), cold))
    engine = queries.engine()
    for view in views[:2]:
        for level in ("region", "district", "settlement", "account"):
            call = partial(kpi_table, engine, level, view["start"], view["end"], parent=view["scope"].parent)
            label = f"{view['name']} level={level}"
            results.append(_measure("etl.metrics.kpis.kpi_table", label, view["pages"], call, clear))
    view_info = [{k: str(v) for k, v in view.items() if k in {"name", "start", "end", "pages"}} for view in views]
    write_json(
        Path(out_path),
        {"target_p95_ms": TARGET_P95_MS, "views": view_info, "results": results, "skipped": skipped},
    )


if __name__ == "__main__":
    main(sys.argv[1])
