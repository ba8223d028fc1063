"""SQLite and PostgreSQL side by side in the benchmark's markdown: a national deployment's targets, the national
database's build and daily load, each query and each page, from the sections national, b, c, d and their PostgreSQL
twins (national_pg, b_pg, c_pg, d_pg, measured when BENCH_POSTGRES_URL is set)."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial
from typing import Any

from bench.common import TARGETS
from bench.report import _mb, _n, _s, md, rest_of

NOT_MEASURED = "not measured (`BENCH_POSTGRES_URL` was not set)"
SIDES = (("SQLite", ""), ("PostgreSQL", "_pg"))
Figure = Callable[[dict[str, Any]], str]  # one section's figure as a table cell


def _target(r: dict[str, Any], name: str) -> float:
    """A target as the run stored it; runs stored before it had one take today's."""
    return float((r.get("targets") or {}).get(name, TARGETS[name]))


def _mark(ok: bool) -> str:
    return "✅" if ok else "❌"


def _timed(d: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in d["pages"] if isinstance(p.get("seconds"), float) and not math.isnan(p["seconds"])]


def _cell(r: dict[str, Any], key: str, needs: str, figure: Figure) -> str:
    """One database's figure: `not measured` where it was not, `failed` where the section failed."""
    data = r.get(key)
    if data is None:
        return NOT_MEASURED if key.endswith("_pg") else "not measured"
    if needs not in data:
        return "not measured: " + data["skipped"] if "skipped" in data else "failed"
    return figure(data)


def _pages_within(limit: float) -> Figure:
    def figure(d: dict[str, Any]) -> str:
        timed = _timed(d)
        within = sum(1 for p in timed if p["seconds"] <= limit and not p["exceptions"])
        out = f"{_mark(within == len(d['pages']))} {within} of {len(d['pages'])} pages"
        if timed:
            slowest = max(timed, key=lambda p: p["seconds"])
            out += f"; slowest {slowest['page']} [{slowest.get('view', 'default')}] {_s(slowest['seconds'])}"
        return out

    return figure


def _calls_within(limit: float, country: bool) -> Figure:
    def figure(c: dict[str, Any]) -> str:
        calls = [e for e in c["results"] if e["view"].startswith("country") == country]
        within = sum(1 for e in calls if e["p95_ms"] <= limit)
        out = f"{_mark(within == len(calls))} {within} of {len(calls)} calls"
        if calls:
            worst = max(calls, key=lambda e: e["p95_ms"])
            name = worst["function"].rsplit(".", 1)[-1]
            out += f"; slowest `{name}` [{worst['view']}] {worst['p95_ms']:,.0f} ms"
        return out

    return figure


def _together(d: dict[str, Any], limit: float) -> str:
    """The server's most memory while the readers were all open, and the page they waited longest for."""
    if not d.get("sessions"):
        return "not measured (the run came before this measure)"
    top = max(d["sessions"], key=lambda s: s["rss_mb"])
    slowest = max(d["sessions"], key=lambda s: s["seconds"])
    done = sum(s["finished"] for s in d["sessions"]) == sum(s["sessions"] for s in d["sessions"])
    held = [s["db_connections"] for s in d["sessions"] if s.get("db_connections") is not None]
    return (
        f"{_mark(top['rss_mb'] <= limit and done)} {_mb(top['rss_mb'])} (on {top['page']}); all finished "
        f"{'' if done else 'not '}within 300 s, the slowest {slowest['page']} in {_s(slowest['seconds'])}"
        + (f"; at most {max(held)} database connections" if held else "")
    )


def _packs(f: dict[str, Any], limit: float) -> str:
    """The slower of the country's two packs."""
    slowest = max(f["packs"], key=lambda p: p["median_s"])
    return f"{_mark(slowest['median_s'] <= limit)} {slowest['median_s']:.1f} s ({slowest['format'].upper()})"


def targets(r: dict[str, Any]) -> list[str]:
    """A national deployment's targets, with a column per database."""
    page_s, rss = _target(r, "national_page_s"), _target(r, "national_rss_mb")
    readers, readers_rss = _target(r, "national_sessions"), _target(r, "national_sessions_rss_mb")
    region, country = _target(r, "national_region_p95_ms"), _target(r, "national_country_p95_ms")
    increment, brief = _target(r, "national_increment_s"), _target(r, "brief_s")
    rows: list[tuple[str, str, str, str, Figure]] = [
        ("first render of every page, in every view", f"≤ {page_s:.0f} s", "d", "pages", _pages_within(page_s)),
        ("p95 of each query of a region's or a district's view, and of the reads of no scope", f"≤ {region:.0f} ms",
         "c", "results", _calls_within(region, country=False)),
        ("p95 of each query of a country's view", f"≤ {country:.0f} ms", "c", "results",
         _calls_within(country, country=True)),
        ("daily increment: one new day for every page", f"≤ {increment:.0f} s", "b", "seconds",
         lambda b: f"{_mark(b['seconds'] <= increment)} {_s(b['seconds'])}"),
        ("dashboard server RSS after every page", f"≤ {_mb(rss)}", "d", "pages",
         lambda d: f"{_mark(d['rss_mb_after_all_pages'] <= rss)} {_mb(d['rss_mb_after_all_pages'])}"),
        (f"dashboard server RSS with {readers:.0f} readers at once on each page of a country", f"≤ {_mb(readers_rss)}",
         "d", "pages", partial(_together, limit=readers_rss)),
        ("briefing pack of the largest country, PPTX and PDF, the whole command (median)", f"≤ {_s(brief)}", "f",
         "packs", partial(_packs, limit=brief)),
    ]  # fmt: skip
    table = [
        [what, limit, *(_cell(r, key + suffix, needs, figure) for _, suffix in SIDES)]
        for what, limit, key, needs, figure in rows
    ]
    return [
        "",
        "**A national deployment's targets, SQLite and PostgreSQL** (each from its database's sections of the "
        "national bench above: d, c, b and f, and their PostgreSQL twins):",
        "",
        md(["measure", "target", "SQLite", "PostgreSQL"], table),
    ]


def _server(nat: dict[str, Any]) -> str:
    server = nat.get("server") or {}
    settings = ", ".join(f"{k} {v}" for k, v in (server.get("settings") or {}).items())
    return f"PostgreSQL {server.get('version', '')}".strip() + (f" ({settings})" if settings else "")


def _sqlite(r: dict[str, Any]) -> str:
    stamp = (r.get("national") or {}).get("measured") or r.get("machine") or {}
    return f"SQLite {stamp.get('sqlite_library', '')}".strip()


def builds(r: dict[str, Any]) -> list[str]:
    """The national database on each side: the server, its size, its build, `VACUUM ANALYZE`, the daily load."""

    def load(nat: dict[str, Any]) -> str:
        if "load" not in nat:
            return "not timed: a database built before (`BENCH_NATIONAL_DB`)"
        m = nat["load"]
        return f"{_s(m['seconds'])} (start-up + rollups {_s(m['rest_s'])}), peak RSS {_mb(m['peak_rss_mb'])}"

    def day(b: dict[str, Any]) -> str:
        return f"{b['day']}: {_s(b['seconds'])} ({rest_of(b)} {_s(b['rest_s'])}), peak RSS {_mb(b['peak_rss_mb'])}"

    rows: list[tuple[str, str, str, Figure]] = [
        ("database", "national", "account_rows", lambda nat: _server(nat) if "server" in nat else _sqlite(r)),
        ("its content", "national", "account_rows",
         lambda nat: f"{_n(nat['account_rows'])} pages, {_n(nat['followersnapshot_rows'])} snapshots, "
         f"{_n(nat['inquiry_rows'])} inquiries ({nat['first_day'][:10]} – {nat['last_day'][:10]})"),
        ("built by `govpulse load` of the national files", "national", "account_rows", load),
        ("`VACUUM ANALYZE` after the build (docs/deploy.md)", "national", "account_rows",
         lambda nat: _s(nat["vacuum_analyze_s"]) if "vacuum_analyze_s" in nat else "—"),
        ("size on disk", "national", "db_mb", lambda nat: _mb(nat["db_mb"])),
        ("daily increment", "b", "seconds", day),
    ]  # fmt: skip
    table = [
        [what, *(_cell(r, key + suffix, needs, figure) for _, suffix in SIDES)] for what, key, needs, figure in rows
    ]
    return [
        "",
        "**The national database on each side**, built from the same generated files when both were measured in "
        "one run:",
        "",
        md(["", "SQLite", "PostgreSQL"], table),
    ]


def queries(r: dict[str, Any]) -> list[str]:
    """(c) each call's p50 and p95 on SQLite, and on PostgreSQL where it was measured."""
    c, pg = r.get("c") or {}, r.get("c_pg") or {}
    if "results" not in c:
        return []
    target = c["target_p95_ms"]
    theirs = {(e["function"], e["view"]): e for e in pg.get("results", [])}
    rows = []
    for e in c["results"]:
        row = [f"`{e['function'].replace('dashboard.queries.', '')}`", e["view"], f"{e['p50_ms']:,.0f}",
               f"{e['p95_ms']:,.0f}", str(e["runs"]), f"{e['rows']:,}",
               "✅" if e["p95_ms"] <= target else "❌ " + "; ".join(e.get("profile", [])[:3])]  # fmt: skip
        if theirs:
            other = theirs.get((e["function"], e["view"]))
            row += [f"{other['p50_ms']:,.0f}", f"{other['p95_ms']:,.0f}"] if other else ["—", "—"]
        rows.append(row)
    header = ["function", "view", "p50 ms", "p95 ms", "runs", "rows", f"≤ {target:.0f} ms p95"]
    if theirs:
        header += ["PostgreSQL p50 ms", "PostgreSQL p95 ms"]
    views = "; ".join(f"{v['name']}: {v['pages']} pages" for v in c["views"])
    pg_says = (
        "The last two columns are PostgreSQL's (c_pg, same views and calls; its profiles are in the JSON)."
        if theirs
        else f"PostgreSQL: {NOT_MEASURED}."
    )
    parts = [
        "",
        f"**(c) Queries**, {c['views'][0]['start']} – {c['views'][0]['end']} (30 days); views: {views}. "
        "Every call is cold: the cached reads are cleared before it (the engine and the clocks, built once per "
        "server, are kept; `clocks` is timed on its own). Where missed, the "
        f"three functions with the most own time in one profiled call (on SQLite). {pg_says}",
        "",
        md(header, rows),
    ]
    if c.get("skipped"):
        parts += ["", "Not measured: " + "; ".join(f"`{k}` ({v})" for k, v in sorted(c["skipped"].items()))]
    return parts


def _render(p: dict[str, Any], target_s: float) -> str:
    """A page's first render, marked as in SQLite's column."""
    if p.get("note"):
        return "—"
    ok = p["finished"] and p["seconds"] <= target_s and not p["exceptions"]
    problems = "; ".join(p["exceptions"] + p["browser_errors"])[:200]
    return ("✅ " if ok else "❌ ") + _s(p["seconds"]) + (f" {problems}" if problems else "")


def pages(r: dict[str, Any]) -> list[str]:
    """(d) each page's first render and the server's memory after it on SQLite, and on PostgreSQL and a read replica
    of it where measured."""
    d, pg, rep = r.get("d") or {}, r.get("d_pg") or {}, r.get("d_replica") or {}
    if "pages" not in d:
        return []
    theirs = {(p["page"], p.get("view")): p for p in pg.get("pages", [])}
    replica = {(p["page"], p.get("view")): p for p in rep.get("pages", [])}
    warm = {(p["page"], p.get("view")): p for p in (d.get("warmed") or {}).get("pages", [])}
    warm_pg = {(p["page"], p.get("view")): p for p in (pg.get("warmed") or {}).get("pages", [])}
    rows = []
    for p in d["pages"]:
        key = (p["page"], p.get("view"))
        if p.get("note"):
            rows.append([p["page"], p.get("view", "default"), "—", "—", "—", p["note"],
                         *(["—", "—"] * bool(theirs)), *(["—"] * bool(replica)), *(["—"] * bool(warm)),
                         *(["—"] * bool(warm_pg))])  # fmt: skip
            continue
        problems = "; ".join(p["exceptions"] + p["browser_errors"])[:200]
        ok = p["finished"] and p["seconds"] <= d["target_page_s"] and not p["exceptions"]
        started = next((t / 1000 for t, state in p.get("states", []) if state == "running"), None)
        row = [p["page"], p.get("view", "default"), _s(started), _s(p["seconds"]), _mb(p["rss_mb_after"]),
               ("✅" if ok else "❌ ") + problems]  # fmt: skip
        if theirs:
            other = theirs.get(key)
            row += [_render(other, d["target_page_s"]), _mb(other["rss_mb_after"])] if other else ["—", "—"]
        if replica:
            row.append(_render(replica[key], d["target_page_s"]) if key in replica else "—")
        for warmed in (warm, warm_pg):
            if warmed:
                row.append(_render(warmed[key], d["target_page_s"]) if key in warmed else "—")
        rows.append(row)
    header = ["page", "view", "script started", "first render", "server RSS after",
              f"≤ {d['target_page_s']:.0f} s, no exception"]  # fmt: skip
    if theirs:
        header += ["PostgreSQL first render", "PostgreSQL server RSS after"]
    if replica:
        header.append("read replica first render")
    if warm:
        header.append("after warm-up")
    if warm_pg:
        header.append("PostgreSQL after warm-up")
    pg_says = (
        f"The next two columns are PostgreSQL's (d_pg: a server of its own, healthy after {_s(pg['startup_s'])})."
        if theirs
        else f"PostgreSQL: {NOT_MEASURED}."
    )
    if replica:
        standby = rep["standby"]
        pg_says += (
            " The last is a read replica's (d_replica: a hot standby of that server, copied in "
            f"{_s(standby['copy_s'])} and started in {_s(standby['start_s'])}, with its memory settings; a dashboard "
            f"of its own, healthy after {_s(rep['startup_s'])})."
        )
    if warm:
        pg_says += (
            " The columns after warm-up are a second server's, its warm-up on: it read every page of the default view"
            f" and of each country itself ({_s(d['warmed']['warm_s'])} after start"
            + (f"; PostgreSQL {_s(pg['warmed']['warm_s'])}" if warm_pg else "")
            + "), then every page was opened again in a fresh context."
        )
    return [
        "",
        f"**(d) Pages**: the dashboard served as by `govpulse serve` (healthy after {_s(d['startup_s'])}), each "
        "page opened in a fresh browser context, timed from navigation start to its script's start and to the end "
        "of its run; first the default view, then the largest region's (URL `?region=`), then the largest "
        f"country's (URL `?country=`), all in one server process. {pg_says}",
        "",
        md(header, rows),
    ]
