"""The benchmark: sections run and stamped, results carried over, the report written from the stored results only,
and every figure of docs/performance.md (and of the sentences citing it) one of theirs."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from bench import compare, figures, report
from bench.common import RESULTS, Config, Run, Section, percentile, scrub
from tests.conftest import CI, postgres_url

ROOT = Path(__file__).parent.parent


def results(ratio_seconds: float, started: str = "2026-11-23T10:00:00") -> dict[str, Any]:
    """A run with only section (a): a floor of 20 s and a load of `ratio_seconds`."""
    return {
        "started": started,
        "finished": "2026-11-23T11:00:00",
        "results_file": "run.json",
        "config": {"rows": 10_000_000, "accounts": 100_000, "months": 3},
        "machine": {
            "cpus": 2,
            "memory_gib": 23.5,
            "python": "3.11.7",
            "sqlite_library": "3.40.1",
            "commit": "abc1234",
            "uncommitted_changes_in_etl_or_dashboard": False,
            "load_average_at_start": [1.0, 1.0, 1.0],
            "load_average_at_end": [2.0, 2.0, 2.0],
        },
        "a": {
            "accounts": 27_398,
            "days": 365,
            "generation": {"seconds": 60.0, "peak_rss_mb": 300.0, "rows": {"followers": 10_000_270}, "rows_per_s": 1e5},
            "floor": {"import_s": 12.0, "index_s": 8.0, "seconds": 20.0, "rows": 10_000_270},
            "load": {"seconds": ratio_seconds, "peak_rss_mb": 700.0, "files_s": {"followers": 50.0}, "rest_s": 5.0},
            "ratio": ratio_seconds / 20.0,
            "target_ratio": 1.5,
            "target_peak_rss_mb": 1024.0,
        },
    }


def store(folder: Path, *runs: dict[str, Any]) -> Path:
    """Runs written as bench/results/ holds them: each under its file name, the last one also as latest.json."""
    folder.mkdir(exist_ok=True)
    for run in runs:
        (folder / run["results_file"]).write_text(json.dumps(run), encoding="utf-8")
    (folder / "latest.json").write_text(json.dumps(runs[-1]), encoding="utf-8")
    return folder


def test_a_missed_target_says_so() -> None:
    """A load at 3× the floor is marked missed; within 1.5× it is met; the peak RSS has its own row."""
    missed = report.table(results(60.0), {"run.json": results(60.0)})
    assert "**3.0× the floor**" in missed and "❌ missed" in missed
    met = report.table(results(25.0), {"run.json": results(25.0)})
    load_row = next(line for line in met.splitlines() if "into an empty database" in line)
    assert "✅ met" in load_row
    assert "700 MB" in met and "`bench/results/run.json`" in met


def test_update_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    """Only the block between the markers changes; rows above and text below stay; a second run replaces it."""
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\n| someone's | row |\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nNotes.\n")
    report.update(doc, store(tmp_path / "results", results(60.0)))
    report.update(doc, store(tmp_path / "results", results(25.0)))
    text = doc.read_text()
    assert text.startswith("# Performance\n\n| someone's | row |\n") and text.endswith("<!-- bench:end -->\n\nNotes.\n")
    assert text.count(report.START) == 1 and "old" not in text and "1.2× the floor" in text


def test_update_appends_the_block_when_there_is_none(tmp_path: Path) -> None:
    """A performance.md without markers gets the block at its end."""
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nrows\n")
    report.update(doc, store(tmp_path / "results", results(60.0)))
    assert doc.read_text().startswith("# Performance\n\nrows\n\n<!-- bench:start -->\n")


def test_percentile_interpolates_like_numpy() -> None:
    """p50 and p95 of 1..20 as numpy's default linear interpolation gives them."""
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 50) == 10.5
    assert abs(percentile(values, 95) - 19.05) < 1e-9


def test_skipped_sections_keep_their_figures_and_name_their_run(tmp_path: Path) -> None:
    """A run without (a), at any scale, takes (a) from the latest run and the table names that run's time, commit,
    machine, scale and file."""
    from bench.run import _carry_over

    first = results(60.0)
    folder = store(tmp_path / "results", first)
    rerun = {k: v for k, v in results(60.0).items() if k != "a"} | {
        "started": "2026-11-24T09:00:00",
        "results_file": "rerun.json",
        "config": {"rows": 1_000_000, "accounts": 10_000, "months": 12},
        "machine": first["machine"] | {"commit": "def5678"},
    }
    _carry_over(rerun, folder / "latest.json")
    assert rerun["a"]["ratio"] == 3.0 and rerun["carried"] == {"a": "2026-11-23T10:00:00"}
    text = report.table(rerun, {"run.json": first, "rerun.json": rerun})
    row = next(line for line in text.splitlines() if line.startswith("| a | 2026-11-23 10:00 |"))
    assert "abc1234" in row and "BENCH_ROWS=10,000,000" in row and "`bench/results/run.json`" in row
    assert "2 cores, 23.5 GiB, Python 3.11.7, SQLite 3.40.1" in row and "1.0 → 2.0" in row


def test_a_reused_postgresql_database_keeps_the_figures_of_its_build(tmp_path: Path) -> None:
    """A run on the PostgreSQL database a run before built (BENCH_POSTGRES_REUSE) carries that run's load and
    VACUUM ANALYZE figures, and the table names the run they come from."""
    from bench.run import _carry_over

    built = {"database": "postgresql 15.18", "load": {"seconds": 577.0}, "vacuum_analyze_s": 2.39, "account_rows": 9}
    first = results(60.0) | {"national_pg": built}
    folder = store(tmp_path / "results", first)
    rerun = results(60.0) | {"started": "2026-11-24T09:00:00", "results_file": "rerun.json"}
    rerun["national_pg"] = {"database": "postgresql 15.18", "reused": "the database", "account_rows": 9}
    _carry_over(rerun, folder / "latest.json")
    assert rerun["national_pg"]["load"] == {"seconds": 577.0} and rerun["national_pg"]["vacuum_analyze_s"] == 2.39
    assert rerun["carried"] == {"national_pg build": "2026-11-23T10:00:00"}


def test_a_section_is_stamped_with_when_where_and_at_what_scale(tmp_path: Path) -> None:
    """Each section's figures carry the time, wall time, load average, scale, commit, machine and file of its run."""
    from bench.run import measure

    machine = results(1.0)["machine"]
    run = Run(Config(collect_pages=7), tmp_path, {"results_file": "2026-12-06-0100.json"})
    out = measure(Section("x", lambda r: {"figure_s": 1.0}, ("collect_pages",)), run, machine)
    stamp = out["measured"]
    assert out["figure_s"] == 1.0 and stamp["scale"] == {"collect_pages": 7} and stamp["commit"] == "abc1234"
    assert stamp["results_file"] == "2026-12-06-0100.json" and stamp["cpus"] == 2 and len(stamp["load_average"]) == 2
    assert stamp["wall_s"] >= 0 and "load_average_at_start" not in stamp


def test_a_run_measures_the_sections_not_skipped_and_their_databases_only_when_needed() -> None:
    """BENCH_SKIP leaves sections out; the national and demo databases are built only for a section measuring on
    them; an unknown name is refused in one line naming the sections."""
    from bench.run import chosen

    def names(skip: str) -> list[str]:
        return [s.name for s in chosen(frozenset(skip.split(",")) - {""})]

    assert names("gen,a,profile,national,b,c,d,f,kill") == ["e", "demo", "brief", "collect"]
    assert names("b,c,d,f,brief") == ["a", "profile", "e", "demo", "collect", "kill"]
    assert names("demo") == ["a", "profile", "national", "b", "c", "d", "f", "e", "kill"]
    assert names("a,profile,b,c,d,e,demo,brief,collect,kill") == ["national", "f"]
    with pytest.raises(SystemExit, match=r"BENCH_SKIP: no section kil \(the sections: gen,a,profile,national"):
        names("kil")


def test_the_tables_of_the_performance_doc_are_the_stored_results() -> None:
    """The block of docs/performance.md is exactly what the report writes from bench/results/ (run
    `python -m bench.report` after changing a stored result or the report)."""
    text = (ROOT / "docs" / "performance.md").read_text(encoding="utf-8")
    block = text.split(report.START + "\n", 1)[1].split("\n" + report.END, 1)[0]
    assert block == report.render()


def test_every_stored_section_names_a_kept_run() -> None:
    """Each section of bench/results/latest.json says the run it was measured in, and that run's file is kept."""
    latest = json.loads((RESULTS / "latest.json").read_text(encoding="utf-8"))
    runs = report.stored()
    sections = [s for s in report.ROWS if s in latest]
    assert {"a", "c", "d", "e", "brief", "collect"} <= set(sections)
    assert {s: report.origin(latest, s, runs)["results_file"] for s in sections if
            report.origin(latest, s, runs)["results_file"] not in runs} == {}  # fmt: skip


def test_every_figure_of_the_documents_is_a_stored_one() -> None:
    """Each figure of docs/performance.md, and of the sentences of README.md and docs/ citing it, is written by the
    report from the latest run or from a stored run its paragraph names (`python -m bench.figures` lists them)."""
    checked = figures.checked()
    assert sum(len(figures.figures(text)) for _, text in checked) > 20
    assert [str(f) for f in figures.unstored(checked)] == []


def test_a_figure_nobody_stored_is_found() -> None:
    """A hand-typed figure fails: the generator's 241 s at 280,000 rows/s is in no stored run, while the stored
    projection and speed pass; an older run's figure passes only in a paragraph naming that run."""
    planted = "Generating the full year took 241 s (about 280,000 rows/s), well inside the 10 minutes."
    found = [f"{f.number} {f.unit}" for f in figures.unstored([("planted", planted)])]
    assert found == ["241 s", "280,000 rows/s", "10 minutes"]
    stored = "The run of 2026-11-23 17:54 generated 80,117 rows/s: a year would take 831 s, against 600 s."
    assert figures.unstored([("stored", stored)]) == []
    older = "`kpis` of Kazakhstan took 665 ms"
    assert [f.number for f in figures.unstored([("older", older + ".")])] == ["665"]
    assert figures.unstored([("named", older + " in the run of 2026-11-23 19:01.")]) == []


def test_figures_are_read_with_their_units() -> None:
    """Ranges and lists share their unit; shares, ratios, millions, counts of calls and "N of M" are figures;
    versions, dates, commits and counts of pages are not."""
    text = "0.17–0.38 s, 665 / 808 ms, 3.0, 2.6 and 2.3 s; 41 %, 6.5×, 36.5 M rows, 2,204 calls, 12 of 24 pages; "
    text += "Python 3.11.7, 2026-11-23 17:54, commit 46f0781, 27,398 pages, BENCH_ROWS=1000000, utf-8"
    found = [f"{f.number}{f.unit}" for f in figures.figures(text)]
    assert found == ["0.17s", "0.38s", "665ms", "808ms", "3.0s", "2.6s", "2.3s", "41%", "6.5×", "36.5M",
                     "2,204calls", "12 of 24"]  # fmt: skip


def test_sentences_citing_the_performance_doc_are_found() -> None:
    """A sentence of README.md or docs/ linking to performance.md is checked; its neighbours are not."""
    doc = textwrap.dedent("""\
        Intro with 5 s that cites nothing. A pack takes 7 s ([docs/performance.md](docs/performance.md)).
        Next one, 9 s, cites nothing.

        - a list item citing [performance.md](../performance.md): 3 ms
        """)
    assert figures.cited(doc, "README.md") == [
        ("README.md:1", "A pack takes 7 s ([docs/performance.md](docs/performance.md))."),
        ("README.md:4", "- a list item citing [performance.md](../performance.md): 3 ms"),
    ]


def test_a_night_of_a_region_makes_the_calls_vk_would_answer(tmp_path: Path) -> None:
    """The collector runs against a local VK serving a region's pages of a database: one groups.getById, one
    wall.get per page, one wall.getComments per commented post of the 30-day window; the citizens' comments come
    back as inquiries."""
    from bench.collect_bench import region
    from etl.ingest.load import load_paths
    from etl.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'night.db'}")
    (tmp_path / "territories.csv").write_text(
        "code,name_ru,name_en,name_kk,level,parent_code,population,timezone\n"
        "RU,Россия,Russia,,country,,1,Europe/Moscow\nRU-ALT,Алтайский край,Altai Krai,,region,RU,1,Asia/Barnaul\n"
        "RU-ALT-ZAR,Заринский район,Zarinsky District,,district,RU-ALT,1,Asia/Barnaul\n"
    )
    (tmp_path / "accounts.csv").write_text(
        "platform,account_id,handle,display_name,territory_code,owner_kind,owner_role,owner_name,required,official_mark\n"
        "vk,-11,a,A,RU-ALT,body,body,A,1,0\nvk,-12,b,B,RU-ALT-ZAR,body,body,B,1,0\nok,13,c,C,RU-ALT,body,body,C,1,0\n"
    )
    (tmp_path / "followers.csv").write_text(
        "date,platform,account_id,followers\n2026-11-30,vk,-11,100\n2026-11-30,vk,-12,50\n"
    )
    (tmp_path / "posts.csv").write_text(
        "collected_at,platform,account_id,post_id,published_at,post_type,likes,comments,shares,views\n"
        "2026-11-30T12:00:00,vk,-11,-11_1,2026-09-01T10:00:00,photo,1,4,0,\n"  # before the window
        "2026-11-30T12:00:00,vk,-11,-11_2,2026-11-20T10:00:00,photo,1,2,0,\n"
        "2026-11-30T12:00:00,vk,-11,-11_3,2026-11-25T10:00:00,photo,1,0,0,\n"
        "2026-11-30T12:00:00,vk,-12,-12_1,2026-11-28T10:00:00,photo,1,1,0,\n"
    )
    (tmp_path / "inquiries.csv").write_text(
        "platform,account_id,inquiry_id,channel,post_id,received_at,first_reply_at,replied_by,topic\n"
        "vk,-11,q1,comment,-11_2,2026-11-20T11:00:00,2026-11-20T12:00:00,owner,\n"
        "vk,-11,q2,comment,-11_2,2026-11-21T11:00:00,,,\n"
        "vk,-12,q3,comment,-12_1,2026-11-28T11:00:00,2026-11-29T09:00:00,owner,\n"
    )
    loaded = load_paths(engine, [tmp_path])
    assert all(r.ok for r in loaded), [(r.path, r.message, r.errors) for r in loaded]
    night = region("RU-ALT", engine=engine)
    assert (night["pages"], night["window_posts"], night["commented_posts"]) == (2, 3, 2)
    assert night["requests"] == 1 + 2 + 2 and night["posts"] == 3 and night["inquiries"] == 3
    assert (night["since"], night["until"]) == ("2026-11-01", "2026-11-30")


def killed(converged: int) -> dict[str, Any]:
    """A kill section of 20 moments, `converged` of them giving the clean report after loading again."""
    kills = [{"at_s": 0.5 + i, "converged": i < converged} for i in range(20)]
    return {
        "rows": 1_000_270,
        "accounts": 2_740,
        "days": 365,
        "clean_load_s": 24.0,
        "moments": 20,
        "kill_moments_s": [k["at_s"] for k in kills],
        "integrity_ok": 20,
        "all_or_nothing": 20,
        "committed_before_the_kill": 9,
        "rollups_behind": 3,
        "converged": converged,
        "rerun_s": {"median": 14.0, "min": 6.0, "max": 25.0},
        "kills": kills,
    }


def test_the_kill_row_counts_each_check() -> None:
    """The kill -9 section's row gives each count of 20 and the moments; one kill that did not converge misses it."""
    met = report.table(results(25.0) | {"kill": killed(20)}, {"run.json": results(25.0)})
    row = next(line for line in met.splitlines() if line.startswith("| kill | `govpulse load`"))
    assert "integrity_check ok 20 of 20; all or nothing 20 of 20 (9 committed, 3 of them" in row
    assert "after loading again 20 of 20" in row and "Killed at 0.50 s–20 s of a 24 s clean load" in row
    assert "1,000,270 follower rows (2,740 pages × 365 days)" in row and "✅ met" in row
    missed = report.table(results(25.0) | {"kill": killed(19)}, {"run.json": results(25.0)})
    row = next(line for line in missed.splitlines() if line.startswith("| kill | `govpulse load`"))
    assert "after loading again 19 of 20" in row and "❌ missed" in row and "each kill in the JSON" in row


def test_the_kill_section_scales_with_the_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """The killed load is a tenth of BENCH_ROWS (1 M rows in a full run), or BENCH_KILL_ROWS when set."""
    for name in ("BENCH_ROWS", "BENCH_KILL_ROWS"):
        monkeypatch.delenv(name, raising=False)
    assert Config.from_env().kill_rows == 1_000_000
    monkeypatch.setenv("BENCH_ROWS", "1_000_000")
    assert Config.from_env().kill_rows == 100_000
    monkeypatch.setenv("BENCH_KILL_ROWS", "5000")
    assert Config.from_env().kill_rows == 5_000


def test_the_national_sections_run_on_postgresql_from_the_same_files_and_never_show_its_password(
    tmp_path: Path,
) -> None:
    """With BENCH_POSTGRES_URL, a small run loads the files it generated once into SQLite and into PostgreSQL (emptied
    first, then VACUUM ANALYZE), stores national_pg with the server's version and settings, b_pg on the same day's
    files, c_pg and d_pg beside SQLite's sections, and prints the report with them; the database's password is in
    neither the JSON nor the output."""
    from bench.browser import screenshots

    url = make_url(postgres_url())
    if not os.access(screenshots.CHROMIUM, os.X_OK):
        missing = f"d_pg needs Chromium at {screenshots.CHROMIUM}: apt-get install -y chromium fonts-dejavu-core"
        if CI:
            pytest.fail(missing)
        pytest.skip(missing)
    # The test server trusts local connections: a URL without a password is given one, to be looked for.
    secret = url.password or "Bench-pw-5521"
    with_secret = url.set(password=secret).render_as_string(hide_password=False)
    env = os.environ | {
        "BENCH_POSTGRES_URL": with_secret,
        "BENCH_ACCOUNTS": "300",
        "BENCH_MONTHS": "1",
        "BENCH_SKIP": "a,profile,c,d,f,e,demo,brief,collect,kill",
        "BENCH_QUERY_RUNS": "1",
        "BENCH_BRIEF_RUNS": "1",
        "BENCH_PAGES": "overview",
        "BENCH_DIR": str(tmp_path / "work"),
        "BENCH_RESULTS": str(tmp_path / "results"),
    }
    done = subprocess.run([sys.executable, "-m", "bench"], env=env, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    stored = [p.read_text(encoding="utf-8") for p in sorted((tmp_path / "results").glob("*.json"))]
    assert len(stored) == 2 and list((tmp_path / "work").iterdir()) == []
    for text in [*stored, done.stdout, done.stderr]:
        assert secret not in text and url.render_as_string(hide_password=True) not in text
    r = json.loads(stored[-1])
    nat, pg = r["national"], r["national_pg"]
    assert r["config"]["postgres"] is True and "postgres_url" not in r["config"]
    assert pg["database"] == "postgresql " + pg["server"]["version"].split()[0]
    assert {"shared_buffers", "work_mem", "maintenance_work_mem", "fsync", "synchronous_commit"} <= set(
        pg["server"]["settings"]
    )
    assert pg["files"] == "generated by the section national" and "generation" not in pg and pg["vacuum_analyze_s"] > 0
    counts = ("account_rows", "followersnapshot_rows", "post_rows", "inquiry_rows", "last_day")
    assert [pg[k] for k in counts] == [nat[k] for k in counts] and pg["account_rows"] == 300
    assert pg["load"]["files_s"].keys() == nat["load"]["files_s"].keys() and pg["db_mb"] > 0
    assert (r["b_pg"]["day"], r["b_pg"]["rows"]) == (r["b"]["day"], r["b"]["rows"]) and r["b_pg"]["files_s"]
    calls = r["c_pg"]["results"]
    assert {"dashboard.queries.kpis", "etl.metrics.kpis.kpi_table"} <= {e["function"] for e in calls}
    assert all(e["runs"] == 1 and e["p95_ms"] > 0 and "profile" not in e for e in calls)
    pages = r["d_pg"]["pages"]
    assert {p["page"] for p in pages} == {"overview"} and len(pages) >= 2
    assert all(p["finished"] and not p["exceptions"] for p in pages) and r["d_pg"]["rss_mb_after_all_pages"] > 0
    [together] = r["d_pg"]["sessions"]  # the overview of the last view, opened by ten readers at once
    assert together["page"] == "overview" and together["sessions"] == together["finished"] == 10
    assert together["exceptions"] == 0 and together["rss_mb"] >= r["d_pg"]["rss_mb_after_all_pages"] * 0.9
    assert isinstance(together["db_connections"], int) and together["db_connections"] > 0
    replica = r["d_replica"]  # the same pages from a hot standby of the database's server
    assert replica["standby"]["copy_s"] > 0 and replica["standby"]["settings"].keys() == {
        "shared_buffers",
        "work_mem",
        "effective_cache_size",
    }
    assert [p["url"] for p in replica["pages"]] == [p["url"] for p in pages]
    assert all(p["finished"] and not p["exceptions"] for p in replica["pages"])
    packs = r["f_pg"]["packs"]  # the largest country's briefing pack, from the national database
    assert [(p["territory"], p["format"]) for p in packs] == [("RU", "pptx"), ("RU", "pdf")]
    assert all(p["median_s"] > 0 and p["file_mb"] > 0 for p in packs) and r["f_pg"]["pages"] > 150
    assert all(r[k]["measured"]["scale"]["accounts"] == 300 for k in ("national_pg", "b_pg", "c_pg", "d_pg"))
    assert f"| national_pg | {pg['measured']['at'][:16].replace('T', ' ')} |" in done.stdout
    assert "PostgreSQL " + pg["server"]["version"].split()[0] in done.stdout
    assert "| dashboard server RSS with 10 readers at once on each page of a country | ≤ 1,536 MB |" in done.stdout


def side(pg: bool) -> dict[str, Any]:
    """A run with the national sections on SQLite, and on PostgreSQL when `pg`: one query, one page."""

    def c(p95: float) -> dict[str, Any]:
        view = {"name": "country RU", "start": "2026-11-01", "end": "2026-11-30", "pages": "100"}
        call = {"function": "dashboard.queries.kpis", "view": "country RU", "p50_ms": p95 / 2, "p95_ms": p95,
                "runs": 20, "rows": 1}  # fmt: skip
        return {"target_p95_ms": 150.0, "views": [view], "results": [call], "skipped": {}}

    def d(seconds: float, rss: float) -> dict[str, Any]:
        page = {"page": "overview", "view": "default (KZ, 10 pages)", "seconds": seconds, "finished": True,
                "states": [[900, "running"]], "exceptions": [], "browser_errors": [], "rss_mb_after": rss}  # fmt: skip
        return {"target_page_s": 3.0, "target_rss_mb": 600.0, "startup_s": 4.0, "rss_mb_idle": 150.0,
                "rss_mb_after_all_pages": rss, "rss_mb_peak": rss, "pages": [page]}  # fmt: skip

    def b(seconds: float) -> dict[str, Any]:
        return {"day": "2026-11-29", "rows": {"followers": 100}, "seconds": seconds, "peak_rss_mb": 200.0,
                "files_s": {"followers": 1.0}, "rest_s": 2.0, "target_s": 2.0}  # fmt: skip

    nat = {"account_rows": 100, "followersnapshot_rows": 3_100, "post_rows": 50, "inquiry_rows": 70,
           "first_day": "2026-10-29", "last_day": "2026-11-28", "db_mb": 40.0,
           "load": {"seconds": 7.0, "peak_rss_mb": 300.0, "files_s": {"followers": 0.7}, "rest_s": 3.4}}  # fmt: skip

    def f(seconds: float) -> dict[str, Any]:
        packs = [
            {
                "territory": "RU",
                "format": fmt,
                "runs_s": [seconds],
                "best_s": seconds,
                "median_s": seconds,
                "cpu_median_s": seconds,
                "file_mb": 0.2,
                "load_average_after": 1.0,
            }
            for fmt in ("pptx", "pdf")
        ]
        return {"territory": "RU", "pages": 90, "from": "2026-11-01", "to": "2026-11-28", "runs": 1,
                "target_s": 10.0, "peak_rss_mb": 400.0, "packs": packs}  # fmt: skip

    r = results(25.0) | {"national": nat, "c": c(700.0), "d": d(2.5, 1_100.0), "b": b(12.0), "f": f(12.0)}
    if pg:
        server = {"version": "15.18 (Debian)", "settings": {"shared_buffers": "128MB", "fsync": "off"}}
        nat = nat | {"db_mb": 74.0, "vacuum_analyze_s": 0.93, "database": "postgresql 15.18", "server": server}
        r |= {"national_pg": nat, "c_pg": c(420.0), "d_pg": d(4.5, 900.0), "b_pg": b(8.0), "f_pg": f(8.0)}
    return r


def test_the_tables_set_postgresql_beside_sqlite() -> None:
    """The targets table gives each database its verdicts (a country's query within 500 ms on one side, not on the
    other); the queries and pages tables add PostgreSQL's columns; the build table its server and VACUUM ANALYZE."""
    text = report.table(side(pg=True), {})
    row = next(line for line in text.splitlines() if line.startswith("| p95 of each query of a country's view"))
    assert row.endswith("| ❌ 0 of 1 calls; slowest `kpis` [country RU] 700 ms | ✅ 1 of 1 calls; slowest `kpis` "
                        "[country RU] 420 ms |")  # fmt: skip
    row = next(line for line in text.splitlines() if line.startswith("| daily increment: one new day"))
    assert row.endswith("| ≤ 10 s | ❌ 12 s | ✅ 8.00 s |")
    row = next(line for line in text.splitlines() if line.startswith("| dashboard server RSS after every page |"))
    assert row.endswith("| ≤ 1,024 MB | ❌ 1,100 MB | ✅ 900 MB |")
    row = next(line for line in text.splitlines() if line.startswith("| briefing pack of the largest country"))
    assert row.endswith("| ≤ 10 s | ❌ 12.0 s (PPTX) | ✅ 8.0 s (PPTX) |")
    pack = "| f_pg | `govpulse brief` of RU, PDF, the whole command | 90 pages, 2026-11-01 – 2026-11-28, peak RSS 400"
    assert pack in text
    assert "| `kpis` | country RU | 350 | 700 | 20 | 1 | ❌  | 210 | 420 |" in text
    assert "| overview | default (KZ, 10 pages) | 0.90 s | 2.50 s | 1,100 MB | ✅ | ❌ 4.50 s | 900 MB |" in text
    assert "| database | SQLite 3.40.1 | PostgreSQL 15.18 (Debian) (shared_buffers 128MB, fsync off) |" in text
    assert "| `VACUUM ANALYZE` after the build (docs/deploy.md) | — | 0.93 s |" in text
    assert compare.NOT_MEASURED not in text


def test_without_postgresql_the_tables_say_it_was_not_measured() -> None:
    """A run without PostgreSQL (as every run stored before it) renders; each PostgreSQL cell and paragraph says it
    was not measured, and the per-call and per-page tables keep SQLite's columns alone."""
    text = report.table(side(pg=False), {})
    row = next(line for line in text.splitlines() if line.startswith("| first render of every page"))
    assert row.endswith(
        f"| ✅ 1 of 1 pages; slowest overview [default (KZ, 10 pages)] 2.50 s | {compare.NOT_MEASURED} |"
    )
    assert text.count(compare.NOT_MEASURED) == 7 + 6 + 2 and "PostgreSQL p95 ms" not in text
    # A stored run from before the PostgreSQL sections renders so too.
    runs = report.stored()
    assert compare.NOT_MEASURED in report.table(runs["2026-12-06-0530.json"], runs)


def test_the_postgresql_sections_run_only_with_a_postgresql_database() -> None:
    """Without BENCH_POSTGRES_URL no PostgreSQL section is measured; with it, each follows its SQLite twin, and its
    database section runs only when one of them is wanted."""
    from bench.run import chosen

    def names(skip: str) -> list[str]:
        return [s.name for s in chosen(frozenset(skip.split(",")) - {""}, postgres=True)]

    rest = "a,profile,e,demo,brief,collect,kill,f,f_pg"
    assert names(rest) == ["national", "national_pg", "b", "b_pg", "c", "c_pg", "d", "d_pg", "d_replica"]
    assert names("a,profile,b,c,d,e,demo,brief,collect,kill,f,b_pg,c_pg,d_pg,d_replica") == ["national_pg", "f_pg"]
    assert names(f"{rest},b,c,d") == ["national_pg", "b_pg", "c_pg", "d_pg", "d_replica"]
    assert names(f"{rest},b_pg,c_pg,d_pg,d_replica") == ["national", "b", "c", "d"]


def test_the_password_is_masked_in_what_the_bench_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """The password of BENCH_POSTGRES_URL, as written in the URL or decoded, becomes *** in logs, errors and JSON;
    a password equal to the user's name is masked only where it follows the user."""
    monkeypatch.setenv("BENCH_POSTGRES_URL", "postgresql+psycopg://bench:s%40lt-42@db:5432/nat")
    assert scrub("failed: s@lt-42 and postgresql+psycopg://bench:s%40lt-42@db") == (
        "failed: *** and postgresql+psycopg://bench:***@db"
    )
    monkeypatch.setenv("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres:postgres@db/nat")
    assert (
        scrub("postgresql 15.18 at postgresql://postgres:postgres@db")
        == "postgresql 15.18 at postgresql://postgres:***@db"
    )
