"""The benchmark's report: figures against targets, written between markers without touching other rows."""

import json
from pathlib import Path
from typing import Any

from bench import report
from bench.common import percentile


def results(ratio_seconds: float) -> dict[str, Any]:
    """A run with only section (a): a floor of 20 s and a load of `ratio_seconds`."""
    return {
        "started": "2026-11-23T10:00:00",
        "finished": "2026-11-23T11:00:00",
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


def test_a_missed_target_says_so() -> None:
    """A load at 3× the floor is marked missed; within 1.5× it is met; the peak RSS has its own row."""
    missed = report.table(results(60.0), "run.json")
    assert "**3.0× the floor**" in missed and "❌ missed" in missed
    met = report.table(results(25.0), "run.json")
    load_row = next(line for line in met.splitlines() if "into an empty database" in line)
    assert "✅ met" in load_row
    assert "700 MB" in met and "bench/results/run.json" in met


def test_update_keeps_the_rest_of_the_file(tmp_path: Path) -> None:
    """Only the block between the markers changes; rows above and text below stay; a second run replaces it."""
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\n| someone's | row |\n\n<!-- bench:start -->\nold\n<!-- bench:end -->\n\nNotes.\n")
    report.update(results(60.0), "run.json", doc)
    report.update(results(25.0), "run.json", doc)
    text = doc.read_text()
    assert text.startswith("# Performance\n\n| someone's | row |\n") and text.endswith("<!-- bench:end -->\n\nNotes.\n")
    assert text.count(report.START) == 1 and "old" not in text and "1.2× the floor" in text


def test_update_appends_the_block_when_there_is_none(tmp_path: Path) -> None:
    """A performance.md without markers gets the block at its end."""
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nrows\n")
    report.update(results(60.0), "run.json", doc)
    assert doc.read_text().startswith("# Performance\n\nrows\n\n<!-- bench:start -->\n")


def test_percentile_interpolates_like_numpy() -> None:
    """p50 and p95 of 1..20 as numpy's default linear interpolation gives them."""
    values = [float(v) for v in range(1, 21)]
    assert percentile(values, 50) == 10.5
    assert abs(percentile(values, 95) - 19.05) < 1e-9


def test_skipped_sections_keep_the_latest_figures_at_the_same_scale(tmp_path: Path) -> None:
    """A run without (a) takes (a) from the latest run of the same scale and names that run; another scale does not."""
    from bench.run import _carry_over

    latest = tmp_path / "latest.json"
    latest.write_text(json.dumps(results(60.0)))
    rerun = {k: v for k, v in results(60.0).items() if k != "a"} | {"started": "2026-11-24T09:00:00"}
    _carry_over(rerun, latest)
    assert rerun["a"]["ratio"] == 3.0 and rerun["carried"] == {"a": "2026-11-23T10:00:00"}
    assert "figures from the earlier run named: a (2026-11-23 10:00)" in report.table(rerun, "run.json")
    other = {k: v for k, v in results(60.0).items() if k != "a"} | {"config": {"rows": 1_000_000}}
    _carry_over(other, latest)
    assert "a" not in other and "carried" not in other
