"""The benchmark's markdown: a table of figures against targets, written into docs/performance.md between markers."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from bench.common import PERFORMANCE_MD

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
FULL_FOLLOWER_ROWS = 36_500_000
# Wrappers whose cumulative time is the whole load: not an answer to "where does the time go".
_WRAPPERS = ("cli.py", "load.py:load_paths", "load.py:load_source", "load.py:_load", "__main__", "etl/cli.py")


def _n(value: float) -> str:
    return f"{value:,.0f}"


def _s(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.2f} s" if value < 10 else f"{value:.0f} s"


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


def _verdict(ok: bool | None) -> str:
    return "—" if ok is None else "✅ met" if ok else "❌ missed"


def _where(profile: dict[str, Any] | None, n: int = 5) -> str:
    """The loader's functions with the most cumulative time, from a cProfile section."""
    if not profile:
        return ""
    total = profile["profiled_s"] or 1.0
    rows = [(name, s) for name, s in profile["etl_cumulative_s"] if not any(w in name for w in _WRAPPERS)]
    parts = [f"`{name.split(':', 1)[1]}` {100 * s / total:.0f} %" for name, s in rows[:n]]
    what = f"{_n(profile['rows'])} rows" if "rows" in profile else f"the load of {profile['day']}"
    return f"cProfile of {what} ({_s(total)}): " + ", ".join(parts)


def _main_rows(r: dict[str, Any]) -> list[list[str]]:
    rows: list[list[str]] = []
    gen = (r.get("national") or {}).get("generation") or (r.get("a") or {}).get("generation")
    if gen:
        followers = gen["rows"].get("followers", 0)
        projected = gen["seconds"] * FULL_FOLLOWER_ROWS / max(followers, 1)
        scale = ", ".join(f"{_n(v)} {k}" for k, v in gen["rows"].items() if k in {"followers", "posts", "inquiries"})
        result = f"{_s(gen['seconds'])} ({_n(gen['rows_per_s'])} rows/s), peak RSS {_mb(gen['peak_rss_mb'])}"
        if followers < FULL_FOLLOWER_ROWS * 0.95:
            result += f"; 36.5 M follower rows ≈ {_s(projected)}"
        rows.append(
            [
                "gen",
                "`demo --scale national` writes the CSV files",
                scale,
                result,
                "≤ 600 s for 36.5 M",
                _verdict(projected <= 600),
                "",
            ]
        )
    a = r.get("a")
    if a:
        flo, load = a["floor"], a["load"]
        scale = f"{_n(flo['rows'])} follower rows ({_n(a['accounts'])} pages × {a['days']} days)"
        rows.append(["a", "floor: sqlite3 CLI `.import` in one transaction + `CREATE UNIQUE INDEX`", scale,
                     f"{_s(flo['import_s'])} + {_s(flo['index_s'])} = {_s(flo['seconds'])}", "—", "—", ""])  # fmt: skip
        files = ", ".join(f"{k} {_s(v)}" for k, v in load["files_s"].items())
        rest = _s(load["rest_s"])
        result = f"{_s(load['seconds'])} = **{a['ratio']:.1f}× the floor** ({files}; start-up + rollups {rest})"
        ok = a["ratio"] <= a["target_ratio"]
        why = "" if ok else _where(r.get("profile"))
        rows.append(["a", "`govpulse load` territories + accounts + followers into an empty database", scale, result,
                     f"≤ {a['target_ratio']}× floor", _verdict(ok), why])  # fmt: skip
        ok = load["peak_rss_mb"] <= a["target_peak_rss_mb"]
        rows.append(["a", "… its peak RSS", scale, _mb(load["peak_rss_mb"]), "≤ 1,024 MB", _verdict(ok), ""])
    nat = r.get("national")
    if nat and "load" in nat:
        load = nat["load"]
        files = ", ".join(f"{k} {_s(v)}" for k, v in load["files_s"].items())
        counts = (nat["followersnapshot_rows"], nat["post_rows"], nat["inquiry_rows"])
        scale = "{} snapshots, {} posts, {} inquiries".format(*map(_n, counts))
        rows.append(["b–d", "building the national database (`govpulse load` of the national files)", scale,
                     f"{_s(load['seconds'])} ({files}; start-up + rollups {_s(load['rest_s'])}), peak RSS "
                     f"{_mb(load['peak_rss_mb'])}, {_n(nat['db_mb'])} MB on disk", "—", "—", ""])  # fmt: skip
    b = r.get("b")
    if b and "skipped" not in b:
        files = ", ".join(f"{k} {_s(v)}" for k, v in b["files_s"].items())
        scale = ", ".join(f"{_n(v)} {k}" for k, v in b["rows"].items())
        ok = b["seconds"] <= b["target_s"]
        why = "" if ok else f"start-up and imports alone {_s(b.get('startup_s'))}; " + _where(b.get("profile"))
        rows.append(["b", f"daily increment: one new day ({b['day']}) for every page", scale,
                     f"{_s(b['seconds'])} ({files}; start-up + rollups {_s(b['rest_s'])})",
                     f"≤ {b['target_s']:.0f} s", _verdict(ok), why])  # fmt: skip
    c = r.get("c")
    if c and "results" in c:
        res = c["results"]
        within = sum(1 for e in res if e["p95_ms"] <= c["target_p95_ms"])
        worst = max(res, key=lambda e: e["p95_ms"]) if res else None
        result = f"{within} of {len(res)} calls within target"
        if worst:
            result += (
                f"; slowest `{worst['function'].rsplit('.', 1)[-1]}` [{worst['view']}] p95 {worst['p95_ms']:,.0f} ms"
            )
        ok = within == len(res)
        rows.append(["c", "every dashboard query and `kpi_table`, cold (caches cleared): p95", "see below", result,
                     f"≤ {c['target_p95_ms']:.0f} ms", _verdict(ok), "" if ok else "per call below"])  # fmt: skip
    elif c:
        rows.append(
            ["c", "dashboard queries", "", "failed: " + c.get("error", "")[-200:].replace("\n", " "), "", "", ""]
        )
    d = r.get("d")
    if d and "pages" in d:
        timed = [p for p in d["pages"] if isinstance(p.get("seconds"), float) and not math.isnan(p["seconds"])]
        within = sum(1 for p in timed if p["seconds"] <= d["target_page_s"] and not p["exceptions"])
        slowest = max(timed, key=lambda p: p["seconds"]) if timed else None
        result = f"{within} of {len(d['pages'])} pages rendered within target"
        if slowest:
            result += f"; slowest {slowest['page']} {_s(slowest['seconds'])}"
        ok = within == len(d["pages"])
        rows.append(["d", "first render of each dashboard page in Chromium", "see below", result,
                     f"≤ {d['target_page_s']:.0f} s", _verdict(ok), "" if ok else "per page below"])  # fmt: skip
        ok = d["rss_mb_after_all_pages"] <= d["target_rss_mb"]
        rows.append(["d", "dashboard server RSS after visiting every page", "", f"{_mb(d['rss_mb_after_all_pages'])} "
                     f"(idle {_mb(d['rss_mb_idle'])}, peak {_mb(d['rss_mb_peak'])})", f"≤ {d['target_rss_mb']:.0f} MB",
                     _verdict(ok), ""])  # fmt: skip
    elif d:
        rows.append(["d", "dashboard pages", "", "failed: " + d.get("error", "")[-200:].replace("\n", " "), "", "", ""])
    e = r.get("e")
    if e:
        for step in e["steps"] or [{"step": "failed", "rows": e["inquiries"], "first_s": None, "best_s": None}]:
            result = f"first {_s(step['first_s'])}, best of 3 {_s(step['best_s'])}"
            # The engine's own target (the table above): about 10 s for 10 M inquiries' working minutes.
            limit = 10.0 * step["rows"] / 10_000_000 if "working_minutes" in step["step"] else None
            target = f"≤ {_s(limit)}" if limit else "—"
            ok = None if limit is None or step["best_s"] is None else step["best_s"] <= limit
            rows.append(["e", f"working-time engine: {step['step']}", f"{_n(step['rows'])} rows", result, target,
                         _verdict(ok), ""])  # fmt: skip
        rows.append(["e", "… `bench/worktime_bench.py` in all", f"{_n(e['inquiries'])} inquiries",
                     f"{_s(e['wall_s'])}, peak RSS {_mb(e['peak_rss_mb'])}", "—", "—", e["reference"]])  # fmt: skip
    return rows


def _md(header: list[str], rows: list[list[str]]) -> str:
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in row) + " |" for row in rows]
    return "\n".join(out)


def _carried(r: dict[str, Any]) -> str:
    """A sentence naming the sections taken over from earlier runs, if any."""
    carried = r.get("carried") or {}
    if not carried:
        return ""
    runs = ", ".join(f"{name} ({when[:16].replace('T', ' ')})" for name, when in carried.items())
    return f" Not run this time, figures from the earlier run named: {runs}."


def table(r: dict[str, Any], json_name: str) -> str:
    """The whole markdown block: the figures table, then the per-query and per-page tables."""
    m = r["machine"]
    cfg = r["config"]
    parts = [
        f"Measured {r['started'][:16].replace('T', ' ')} – {r['finished'][11:16]} on {m['cpus']} cores, "
        f"{m['memory_gib']} GiB, Python {m['python']}, SQLite {m['sqlite_library']}, commit {m['commit']}"
        f"{' + uncommitted changes' if m['uncommitted_changes_in_etl_or_dashboard'] else ''}; load average "
        f"{m['load_average_at_start'][0]:.1f} at the start, {m['load_average_at_end'][0]:.1f} at the end. "
        f"Scale: BENCH_ROWS={cfg['rows']:,}, national database {cfg['accounts']:,} pages × {cfg['months']} months. "
        f"Raw figures: `bench/results/{json_name}`.{_carried(r)}",
        "",
        _md(["", "measure", "scale", "result", "target", "", "why (where missed)"], _main_rows(r)),
    ]
    c = r.get("c")
    if c and c.get("results"):
        rows = [
            [
                f"`{e['function'].replace('dashboard.queries.', '')}`",
                e["view"],
                f"{e['p50_ms']:,.0f}",
                f"{e['p95_ms']:,.0f}",
                str(e["runs"]),
                f"{e['rows']:,}",
                "✅" if e["p95_ms"] <= c["target_p95_ms"] else "❌ " + "; ".join(e.get("profile", [])[:3]),
            ]
            for e in c["results"]
        ]
        views = "; ".join(f"{v['name']}: {v['pages']} pages" for v in c["views"])
        parts += [
            "",
            f"**(c) Queries**, {c['views'][0]['start']} – {c['views'][0]['end']} (30 days); views: {views}. "
            "Every call is cold: `st.cache_data` is cleared before it (the engine and the clocks, built once per "
            "server, are kept; `clocks` is timed on its own). Where missed, the "
            "three functions with the most own time in one profiled call.",
            "",
            _md(["function", "view", "p50 ms", "p95 ms", "runs", "rows", "≤ 150 ms p95"], rows),
        ]
        if c.get("skipped"):
            parts += ["", "Not measured: " + "; ".join(f"`{k}` ({v})" for k, v in sorted(c["skipped"].items()))]
    d = r.get("d")
    if d and d.get("pages"):
        rows = []
        for p in d["pages"]:
            if p.get("note"):
                rows.append([p["page"], p.get("view", "default"), "—", "—", p["note"]])
                continue
            problems = "; ".join(p["exceptions"] + p["browser_errors"])[:200]
            ok = p["finished"] and p["seconds"] <= d["target_page_s"] and not p["exceptions"]
            verdict = ("✅" if ok else "❌ ") + problems
            rows.append([p["page"], p.get("view", "default"), _s(p["seconds"]), _mb(p["rss_mb_after"]), verdict])
        parts += [
            "",
            f"**(d) Pages**: the dashboard served as by `govpulse serve` (healthy after {_s(d['startup_s'])}), each "
            "page opened in a fresh browser context, timed from navigation start to the end of its script run; first "
            "the default view, then the largest region's (URL `?region=`), then the largest country's (URL "
            "`?country=`), all in one server process.",
            "",
            _md(["page", "view", "first render", "server RSS after", "≤ 3 s, no exception"], rows),
        ]
    prof = r.get("profile")
    if prof:
        hot = ", ".join(f"`{name}` {s:.1f} s" for name, s in prof["hot_own_time_s"][:8])
        parts += ["", f"**Loader profile** ({_where(prof, 8)}). Most own time: {hot}."]
    return "\n".join(parts)


def update(r: dict[str, Any], json_name: str, path: Path = PERFORMANCE_MD) -> None:
    """Replace the block between the markers (other sections and rows of the file are kept)."""
    block = f"{START}\n{table(r, json_name)}\n{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
