"""The benchmark's markdown, written from the stored results only: where each section's figures come from, the
figures against their targets, the queries, the pages, and the national runs side by side; between markers in
docs/performance.md."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import PERFORMANCE_MD, RESULTS

START, END = "<!-- bench:start -->", "<!-- bench:end -->"
# What runs stored before the generator stored its own target used.
FULL_FOLLOWER_ROWS, GENERATION_TARGET_S = 36_500_000, 600.0
# Wrappers whose cumulative time is the whole load: not an answer to "where does the time go".
_WRAPPERS = ("cli.py", "load.py:load_paths", "load.py:load_source", "load.py:_load", "__main__", "etl/cli.py")
# The knobs of each section's scale, for runs stored before each section carried its own.
_SCALE = {"a": ("rows",), "profile": ("profile_rows",), "e": ("inquiries",)}
_NATIONAL = ("accounts", "months")
_KNOBS = {"rows": "BENCH_ROWS", "profile_rows": "BENCH_PROFILE_ROWS", "accounts": "BENCH_ACCOUNTS",
          "months": "BENCH_MONTHS", "inquiries": "BENCH_INQUIRIES", "brief_runs": "BENCH_BRIEF_RUNS",
          "collect_pages": "BENCH_COLLECT_PAGES", "kill_rows": "BENCH_KILL_ROWS",
          "query_runs": "BENCH_QUERY_RUNS"}  # fmt: skip
Rows = list[list[str]]


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


def _when(iso: str) -> str:
    return iso[:16].replace("T", " ")


def stored(results: Path = RESULTS) -> dict[str, dict[str, Any]]:
    """Every run kept in bench/results/ (latest.json aside), by file name."""
    return {
        p.name: json.loads(p.read_text(encoding="utf-8"))
        for p in sorted(results.glob("*.json"))
        if p.name != "latest.json"
    }


def _run_at(runs: Mapping[str, dict[str, Any]], started: str) -> tuple[str | None, dict[str, Any]]:
    """The stored run that started at `started`, and its file name."""
    return next(((name, run) for name, run in runs.items() if run.get("started") == started), (None, {}))


def origin(r: dict[str, Any], section: str, runs: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
    """When, on what, at what scale and into which file a section of `r` was measured."""
    data = r.get(section) or {}
    if "measured" in data:
        return dict(data["measured"])
    when = (r.get("carried") or {}).get(section, r["started"])
    name, run = _run_at(runs, when)
    if not run and when == r["started"]:
        name, run = r.get("results_file"), r
    machine, config = run.get("machine", {}), run.get("config", {})
    keys = _SCALE.get(section.split()[0], _NATIONAL)
    return {
        "at": when,
        "results_file": name,
        "load_average": [
            machine.get("load_average_at_start", [None])[0],
            machine.get("load_average_at_end", [None])[0],
        ],
        "scale": {k: config[k] for k in keys if k in config},
        **{k: v for k, v in machine.items() if not k.startswith("load_average")},
    }


def _provenance(r: dict[str, Any], runs: Mapping[str, dict[str, Any]], sections: list[str]) -> Rows:
    rows = []
    for section in sections:
        o = origin(r, section, runs)
        # A section on PostgreSQL names its server instead of the SQLite library.
        server = (r.get(section) or {}).get("database", "").replace("postgresql", "PostgreSQL")
        machine = (
            f"{o['cpus']} cores, {o['memory_gib']} GiB, Python {o['python']}, {server or 'SQLite'}"
            + ("" if server else f" {o['sqlite_library']}")
            if "cpus" in o
            else "—"
        )
        commit = (o.get("commit") or "—") + (
            " + uncommitted changes" if o.get("uncommitted_changes_in_etl_or_dashboard") else ""
        )
        load = " → ".join("—" if v is None else f"{v:.1f}" for v in o.get("load_average", [None, None]))
        scale = ", ".join(f"{_KNOBS.get(k, k)}={v:,}" for k, v in o.get("scale", {}).items()) or "—"
        file = f"`bench/results/{o['results_file']}`" if o.get("results_file") in runs else "not kept"
        took = _s(o["wall_s"]) if "wall_s" in o else "—"
        rows.append([section, _when(o["at"]), took, commit, machine, load, scale, file])
    return rows


def _where(profile: dict[str, Any] | None, n: int = 5) -> str:
    """The loader's functions with the most cumulative time, from a cProfile section."""
    if not profile:
        return ""
    total = profile["profiled_s"] or 1.0
    rows = [(name, s) for name, s in profile["etl_cumulative_s"] if not any(w in name for w in _WRAPPERS)]
    parts = [f"`{name.split(':', 1)[1]}` {100 * s / total:.0f} %" for name, s in rows[:n]]
    what = f"{_n(profile['rows'])} rows" if "rows" in profile else f"the load of {profile['day']}"
    return f"cProfile of {what} ({_s(total)}): " + ", ".join(parts)


def _gen(r: dict[str, Any]) -> Rows:
    gen = (r.get("national") or {}).get("generation") or (r.get("a") or {}).get("generation")
    if not gen:
        return []
    full, target = gen.get("target_follower_rows", FULL_FOLLOWER_ROWS), gen.get("target_s", GENERATION_TARGET_S)
    followers = gen["rows"].get("followers", 0)
    projected = gen["seconds"] * full / max(followers, 1)
    scale = ", ".join(f"{_n(v)} {k}" for k, v in gen["rows"].items() if k in {"followers", "posts", "inquiries"})
    result = f"{_s(gen['seconds'])} ({_n(gen['rows_per_s'])} rows/s), peak RSS {_mb(gen['peak_rss_mb'])}"
    if "csv_mb" in gen:
        result += f", {_mb(gen['csv_mb'])} of CSV"
    if followers < full * 0.95:
        result += f"; {full / 1e6:.1f} M follower rows ≈ {_s(projected)}"
    goal = f"≤ {_s(target)} for {full / 1e6:.1f} M"
    return [
        ["gen", "`demo --scale national` writes the CSV files", scale, result, goal, _verdict(projected <= target), ""]
    ]


def _a(r: dict[str, Any]) -> Rows:
    a = r["a"]
    flo, load = a["floor"], a["load"]
    scale = f"{_n(flo['rows'])} follower rows ({_n(a['accounts'])} pages × {a['days']} days)"
    rows = [["a", "floor: sqlite3 CLI `.import` in one transaction + `CREATE UNIQUE INDEX`", scale,
             f"{_s(flo['import_s'])} + {_s(flo['index_s'])} = {_s(flo['seconds'])}", "—", "—", ""]]  # fmt: skip
    files = ", ".join(f"{k} {_s(v)}" for k, v in load["files_s"].items())
    result = (
        f"{_s(load['seconds'])} = **{a['ratio']:.1f}× the floor** ({files}; start-up + rollups {_s(load['rest_s'])})"
    )
    if "followers_file_ratio" in a:
        result += f"; the followers file alone {a['followers_file_ratio']:.1f}× the floor"
    ok = a["ratio"] <= a["target_ratio"]
    why = "" if ok else _where(r.get("profile"))
    rows.append(["a", "`govpulse load` territories + accounts + followers into an empty database", scale, result,
                 f"≤ {a['target_ratio']}× floor", _verdict(ok), why])  # fmt: skip
    ok = load["peak_rss_mb"] <= a["target_peak_rss_mb"]
    limit = f"≤ {_mb(a['target_peak_rss_mb'])}"
    rows.append(["a", "… its peak RSS", scale, _mb(load["peak_rss_mb"]), limit, _verdict(ok), ""])
    return rows


def _on(key: str) -> str:
    """The measure column's prefix of a section on PostgreSQL (`b_pg`; `d_replica` on a read replica of it): the
    national sections run on both."""
    return "PostgreSQL: " if key.endswith("_pg") else "PostgreSQL read replica: " if key.endswith("_replica") else ""


def _national(r: dict[str, Any], key: str = "national") -> Rows:
    nat = r[key]
    if "load" not in nat:
        return []
    load = nat["load"]
    files = ", ".join(f"{k} {_s(v)}" for k, v in load["files_s"].items())
    counts = (nat["followersnapshot_rows"], nat["post_rows"], nat["inquiry_rows"])
    scale = "{} snapshots, {} posts, {} inquiries".format(*map(_n, counts))
    result = f"{_s(load['seconds'])} ({files}; start-up + rollups {_s(load['rest_s'])}), peak RSS "
    result += f"{_mb(load['peak_rss_mb'])}, {_n(nat['db_mb'])} MB on disk"
    if "vacuum_analyze_s" in nat:
        result += f"; then `VACUUM ANALYZE` {_s(nat['vacuum_analyze_s'])}"
    section = "b–d" if key == "national" else key
    what = f"{_on(key)}building the national database (`govpulse load` of the national files)"
    return [[section, what, scale, result, "—", "—", ""]]


def _b(r: dict[str, Any], key: str = "b") -> Rows:
    b = r[key]
    if "skipped" in b:
        return [[key, f"{_on(key)}daily increment", "", "not measured: " + b["skipped"], "", "", ""]]
    files = ", ".join(f"{k} {_s(v)}" for k, v in b["files_s"].items())
    scale = ", ".join(f"{_n(v)} {k}" for k, v in b["rows"].items())
    ok = b["seconds"] <= b["target_s"]
    why = "" if ok else f"start-up and imports alone {_s(b.get('startup_s'))}; " + _where(b.get("profile"))
    return [[key, f"{_on(key)}daily increment: one new day ({b['day']}) for every page", scale,
             f"{_s(b['seconds'])} ({files}; {rest_of(b)} {_s(b['rest_s'])})",
             f"≤ {b['target_s']:.0f} s", _verdict(ok), why]]  # fmt: skip


def rest_of(b: dict[str, Any]) -> str:
    """What a daily increment's time outside its files is: since (b) runs `govpulse load` itself, the alerts too."""
    return "start-up, rollups and alerts" if b.get("alerts") else "start-up + rollups"


def _failed(section: str, what: str, data: dict[str, Any]) -> Rows:
    return [[section, what, "", "failed: " + data.get("error", "")[-200:].replace("\n", " "), "", "", ""]]


def queries_within(c: dict[str, Any]) -> tuple[int, int]:
    """Calls of (c) within their p95 target, and all of them."""
    return sum(1 for e in c["results"] if e["p95_ms"] <= c["target_p95_ms"]), len(c["results"])


def _slowest(pages: list[dict[str, Any]]) -> dict[str, Any] | None:
    """The page of (d) that took longest among those timed (not those left unwritten or unfinished)."""
    timed = [p for p in pages if isinstance(p.get("seconds"), float) and not math.isnan(p["seconds"])]
    return max(timed, key=lambda p: p["seconds"]) if timed else None


def pages_within(d: dict[str, Any]) -> tuple[int, int]:
    """Pages of (d) rendered within their target and without an exception, and all of them."""
    timed = [p for p in d["pages"] if isinstance(p.get("seconds"), float) and not math.isnan(p["seconds"])]
    return sum(1 for p in timed if p["seconds"] <= d["target_page_s"] and not p["exceptions"]), len(d["pages"])


def _c(r: dict[str, Any], key: str = "c") -> Rows:
    c = r[key]
    if "results" not in c:
        return _failed(key, f"{_on(key)}dashboard queries", c)
    within, total = queries_within(c)
    worst = max(c["results"], key=lambda e: e["p95_ms"]) if c["results"] else None
    result = f"{within} of {total} calls within target"
    if worst:
        result += f"; slowest `{worst['function'].rsplit('.', 1)[-1]}` [{worst['view']}] p95 {worst['p95_ms']:,.0f} ms"
    ok = within == total
    return [[key, f"{_on(key)}every dashboard query and `kpi_table`, cold (caches cleared): p95", "see below", result,
             f"≤ {c['target_p95_ms']:.0f} ms", _verdict(ok), "" if ok else "per call below"]]  # fmt: skip


def _d(r: dict[str, Any], key: str = "d") -> Rows:
    d = r[key]
    if "pages" not in d:
        return _failed(key, f"{_on(key)}dashboard pages", d)
    within, total = pages_within(d)
    slowest = _slowest(d["pages"])
    result = f"{within} of {total} pages rendered within target"
    if slowest:
        result += f"; slowest {slowest['page']} {_s(slowest['seconds'])}"
    ok = within == total
    rows = [[key, f"{_on(key)}first render of each dashboard page in Chromium", "see below", result,
             f"≤ {d['target_page_s']:.0f} s", _verdict(ok), "" if ok else "per page below"]]  # fmt: skip
    ok = d["rss_mb_after_all_pages"] <= d["target_rss_mb"]
    rows.append([key, f"{_on(key)}dashboard server RSS after visiting every page", "",
                 f"{_mb(d['rss_mb_after_all_pages'])} (idle {_mb(d['rss_mb_idle'])}, peak {_mb(d['rss_mb_peak'])})",
                 f"≤ {d['target_rss_mb']:.0f} MB", _verdict(ok), ""])  # fmt: skip
    return rows + _warmed(d, key)


def _warmed(d: dict[str, Any], key: str) -> Rows:
    """(d)'s second server, its warm-up on: the warm-up, and every page after it."""
    w = d.get("warmed")
    what = f"{_on(key)}first render of each page after the server's warm-up (`dashboard/warm.py`)"
    if not w:
        return []
    if "pages" not in w:
        return _failed(key, what, w)
    within, total = pages_within(w | {"target_page_s": d["target_page_s"]})
    slowest = _slowest(w["pages"])
    result = f"{within} of {total} pages rendered within target"
    if slowest:
        result += f"; slowest {slowest['page']} [{slowest['view']}] {_s(slowest['seconds'])}"
    done = f"warm-up {_s(w['warm_s'])} after start, server RSS then {_mb(w['rss_mb_warmed'])}"
    ok = within == total and not w["failed"]
    return [[key, what, done, result, f"≤ {d['target_page_s']:.0f} s", _verdict(ok), "" if ok else "per page below"]]


def _e(r: dict[str, Any]) -> Rows:
    e, rows = r["e"], []
    per_10m = e.get("target_per_10m_rows_s", 10.0)
    for step in e["steps"] or [{"step": "failed", "rows": e["inquiries"], "first_s": None, "best_s": None}]:
        result = f"first {_s(step['first_s'])}, best of 3 {_s(step['best_s'])}"
        limit = per_10m * step["rows"] / 10_000_000 if "working_minutes" in step["step"] else None
        ok = None if limit is None or step["best_s"] is None else step["best_s"] <= limit
        rows.append(["e", f"working-time engine: {step['step']}", f"{_n(step['rows'])} rows", result,
                     f"≤ {_s(limit)}" if limit else "—", _verdict(ok), ""])  # fmt: skip
    result = f"{_s(e['wall_s'])}, peak RSS {_mb(e['peak_rss_mb'])}"
    if e.get("returncode"):
        last = [line for line in e.get("output", "").splitlines() if line.strip()][-1:]
        result = f"failed (exit {e['returncode']}) after the steps above: {' '.join(last)}"
    rows.append(["e", "… `bench/worktime_bench.py` in all", f"{_n(e['inquiries'])} inquiries", result, "—",
                 "—" if not e.get("returncode") else "❌ failed",
                 f"working minutes: about {per_10m:.0f} s for 10,000,000 inquiries"])  # fmt: skip
    return rows


def _demo(r: dict[str, Any]) -> Rows:
    m = r["demo"]
    scale = f"{_n(m['account_rows'])} pages, {_n(m['followersnapshot_rows'])} snapshots, {_n(m['post_rows'])} posts, "
    scale += f"{_n(m['inquiry_rows'])} inquiries ({m['first_day'][:10]} – {m['last_day'][:10]})"
    result = f"{_s(m['seconds'])}, peak RSS {_mb(m['peak_rss_mb'])}, {_mb(m['db_mb'])} on disk"
    return [
        ["demo", "`govpulse demo` builds the demo database (generation, load, alerts)", scale, result, "—", "—", ""]
    ]


def _brief(r: dict[str, Any], key: str = "brief") -> Rows:
    b = r[key]
    if "packs" not in b:
        return _failed(key, "`govpulse brief`", b)
    # The demo's packs (brief), or the largest country's on the national database (f, f_pg).
    scale = f"the demo, {b['from']} – {b['to']}"
    if "pages" in b:
        scale = f"{_n(b['pages'])} pages, {b['from']} – {b['to']}, peak RSS {_mb(b['peak_rss_mb'])}"
    rows = []
    for p in b["packs"]:
        # Tenths of a second: the target is 10 s, and "10 s" would hide which side of it a pack is.
        result = (
            f"median {p['median_s']:.1f} s, best {p['best_s']:.1f} s of {b['runs']}; CPU {p['cpu_median_s']:.1f} s; "
        )
        result += f"{p['file_mb']:.1f} MB"
        what = f"`govpulse brief` of {p['territory']}, {p['format'].upper()}, the whole command"
        ok = p["median_s"] <= b["target_s"]
        goal = f"≤ {_s(b['target_s'])} (median)"
        rows.append([key, what, scale, result, goal, _verdict(ok), ""])
    return rows


def _collect(r: dict[str, Any]) -> Rows:
    c = r["collect"]
    if "overhead" not in c:
        return _failed("collect", "VK collector", c)
    o, pace = c["overhead"], c["pace_per_s"]
    scale = f"{_n(o['pages'])} made-up pages × {o['posts_per_page']} posts, every {o['commented_every']}rd commented"
    result = f"{_n(o['requests'])} requests in {_s(o['client_s'])}: {o['ms_per_request']:.2f} ms a request "
    result += f"({_n(o['posts'])} posts, {_n(o['inquiries'])} inquiries)"
    limit = c.get("target_per_request_ms", 1000 / pace / 10)
    goal = f"≤ {limit:.0f} ms a request (a tenth of VK's pace)"
    rows = [["collect", "VK collector's own work, against a local server answering at once", scale, result, goal,
             _verdict(o["ms_per_request"] <= limit), ""]]  # fmt: skip
    g = c.get("region")
    if g:
        scale = f"{_n(g['pages'])} pages, {_n(g['window_posts'])} posts ({g['since']} – {g['until']}), "
        scale += f"{_n(g['commented_posts'])} of them commented"
        result = f"{_n(g['requests'])} calls: {g['at_pace_min']:.0f} min at VK's {pace:.0f} requests a second "
        result += f"(the client's own work {_s(g['client_s'])})"
        rows.append(["collect", f"a nightly `govpulse collect vk` of the demo's {g['territory']}", scale, result,
                     "—", "—", ""])  # fmt: skip
    return rows


def _kill(r: dict[str, Any]) -> Rows:
    """How many of the kills left a whole database, the file loaded all or nothing, and a second load that gives the
    clean report."""
    k = r["kill"]
    n, again, moments = k["moments"], k["rerun_s"], k["kill_moments_s"]
    scale = f"{_n(k['rows'])} follower rows ({_n(k['accounts'])} pages × {k['days']} days)"
    result = (
        f"integrity_check ok {k['integrity_ok']} of {n}; all or nothing {k['all_or_nothing']} of {n} "
        f"({k['committed_before_the_kill']} committed, {k['rollups_behind']} of them with the rollups still to do); "
        f"report equal to the clean load's after loading again {k['converged']} of {n}. Killed at "
        f"{_s(min(moments))}–{_s(max(moments))} of a {_s(k['clean_load_s'])} clean load; loading again "
        f"{_s(again['median'])} (median, {_s(again['min'])}–{_s(again['max'])})"
    )
    ok = k["integrity_ok"] == k["all_or_nothing"] == k["converged"] == n
    return [["kill", f"`govpulse load` killed with SIGKILL at {n} random moments of its run, then loaded again",
             scale, result, f"{n} of {n} each", _verdict(ok), "" if ok else "each kill in the JSON"]]  # fmt: skip


# Each section's rows of the main table, in the order of `make bench`; a new section adds its function here.
ROWS: dict[str, Callable[[dict[str, Any]], Rows]] = {
    "a": _a, "national": _national, "national_pg": partial(_national, key="national_pg"), "b": _b,
    "b_pg": partial(_b, key="b_pg"), "c": _c, "c_pg": partial(_c, key="c_pg"), "d": _d,
    "d_pg": partial(_d, key="d_pg"), "d_replica": partial(_d, key="d_replica"), "f": partial(_brief, key="f"),
    "f_pg": partial(_brief, key="f_pg"),
    "e": _e, "demo": _demo, "brief": _brief, "collect": _collect, "kill": _kill,
}  # fmt: skip


def md(header: list[str], rows: Rows) -> str:
    """A markdown table."""
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    out += ["| " + " | ".join(cell.replace("|", "\\|").replace("\n", " ") for cell in row) + " |" for row in rows]
    return "\n".join(out)


def table(r: dict[str, Any], runs: Mapping[str, dict[str, Any]] | None = None) -> str:
    """The whole markdown block of `r` (latest.json): where each section comes from, its figures, the queries, the
    pages, the loader's profile, and the national runs of `runs` side by side."""
    from bench import compare
    from bench.growth import growth
    from bench.run import SECTIONS
    from bench.trend import size_of, trend

    runs = runs or {}
    carried = r.get("carried") or {}
    sections = [
        name for s in SECTIONS if s.name in r for name in (s.name, *(k for k in carried if k.startswith(f"{s.name} ")))
    ]
    own = r.get("results_file") or _run_at(runs, r["started"])[0]
    rows = _gen(r)
    rows += [row for s in ROWS if s in r for row in ROWS[s](r)]
    provenance = _provenance(r, runs, sections)
    parts = [
        f"Written by `make bench` from `bench/results/latest.json`: the run of {_when(r['started'])}"
        f"{f' (`bench/results/{own}`)' if own in runs else ''} and, for the sections it left out, the runs before "
        "it. Where each section's figures come from:",
        "",
        md(["section", "measured", "took", "commit", "machine", "load average", "scale", "raw figures"], provenance),
        "",
        md(["", "measure", "scale", "result", "target", "", "why (where missed)"], rows),
    ]
    parts += compare.targets(r) + compare.builds(r) + compare.queries(r) + compare.pages(r)
    for title, prof in (
        ("Loader profile", r.get("profile")),
        ("Daily increment profile", (r.get("b") or {}).get("profile")),
        ("Daily increment profile, PostgreSQL", (r.get("b_pg") or {}).get("profile")),
    ):
        if prof:
            hot = ", ".join(f"`{name}` {s:.1f} s" for name, s in prof["hot_own_time_s"][:8])
            parts += ["", f"**{title}** ({_where(prof, 8)}). Most own time: {hot}."]
    parts += trend(runs, size_of(r)) + growth(runs)
    return "\n".join(parts)


def render(results: Path = RESULTS) -> str:
    """The block of the stored results: latest.json and every run kept beside it."""
    latest = json.loads((results / "latest.json").read_text(encoding="utf-8"))
    return table(latest, stored(results))


def update(path: Path = PERFORMANCE_MD, results: Path = RESULTS) -> None:
    """Replace the block between the markers with the stored results' (the rest of the file is kept)."""
    block = f"{START}\n{render(results)}\n{END}"
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n"
    if START in text and END in text:
        head, rest = text.split(START, 1)
        text = head + block + rest.split(END, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    update()
    print(f"{PERFORMANCE_MD}: the block between {START} and {END} written from {RESULTS}")
