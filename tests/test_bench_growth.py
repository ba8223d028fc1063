"""The growth table of the benchmark: national runs of one commit at several sizes, with exponents and a year."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from bench import growth, report


def run(pages: int, months: int, commit: str = "abc1234", started: str = "") -> dict[str, Any]:
    """A national run whose load time grows as pages × days, `kpis` of Russia as √pages and the server not at all."""
    days = 31 * months
    name = f"{pages}-{months}-{commit}.json"
    measured = {"at": started or f"2026-12-06T{pages // 100:02d}:{months:02d}:00", "results_file": name,
                "scale": {"accounts": pages, "months": months}, "commit": commit}  # fmt: skip
    nat = {"account_rows": pages, "followersnapshot_rows": pages * days, "db_mb": pages * days / 100,
           "load": {"seconds": pages * days / 1000, "peak_rss_mb": 700.0}, "measured": measured}  # fmt: skip
    call = {"function": "dashboard.queries.kpis", "view": "country RU level=country", "p50_ms": 10 * pages**0.5}
    page = {"page": "overview", "view": f"?country=RU ({pages:,} pages)", "seconds": 2.0 + months}
    return {
        "started": measured["at"],
        "results_file": name,
        "national": nat,
        "c": {"results": [call], "skipped": {}, "measured": measured},  # (c) names the calls it could not make
        "d": {"pages": [page], "rss_mb_after_all_pages": 900.0, "measured": measured},
    }


def runs(*some: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["results_file"]: r for r in some}


def test_exponent_is_the_slope_in_log_log() -> None:
    assert growth.exponent([(1, 3), (10, 30), (100, 300)]) == pytest.approx(1.0)
    assert growth.exponent([(100, 5), (400, 10)]) == pytest.approx(0.5)
    assert growth.exponent([(100, 5)]) is None


def test_the_table_gives_each_cost_its_exponents_and_a_year() -> None:
    """Three sizes by pages and two lengths of history: the load grows as pages and as days, `kpis` as √pages and
    not with days, the server not at all; a year at the largest size scales by (365 / 31)^k(days)."""
    older = run(3200, 1, commit="old0000", started="2026-12-05T00:00:00")
    # A later run on the largest database reused (its pages re-measured by a newer commit) is no build of its own.
    reused = run(1600, 1, commit="new0000", started="2026-12-07T00:00:00")
    reused["national"]["reused"] = "/tmp/national.db"
    stored = runs(run(100, 1), run(400, 1), run(1600, 1), run(100, 3), older, reused)
    text = "\n".join(growth.growth(stored))
    assert "| SQLite | national database built (`govpulse load`) | 3.10 s | 12 s | 50 s | 1.00 |" in text
    assert "| 3.10 s | 9.30 s | 1.00 | 584 s |" in text  # 49.6 s × 365 / 31
    kpis = "| SQLite | `kpis` of Russia by country, p50 | 100 ms | 200 ms | 400 ms | 0.50 | 100 ms | 100 ms | 0.00 |"
    assert kpis + " 400 ms |" in text
    assert "| SQLite | server RSS after every page | 900 MB | 900 MB | 900 MB | 0.00 |" in text
    assert "3200 pages" not in text and "old0000" not in text and "new0000" not in text and "PostgreSQL" not in text
    assert "| database | measure | 100 pages | 400 pages | 1,600 pages | k (pages) | 31 days | 93 days |" in text


def test_no_table_without_two_sizes_of_the_latest_commit() -> None:
    stored = runs(run(100, 1, commit="old0000"), run(400, 1))
    assert growth.growth(stored) == []
    # A run that only carried the national section from an earlier one is no size of its own.
    carried = run(100, 1) | {"carried": {"national": "2026-12-01T00:00:00"}}
    stored = runs(carried, run(400, 1))
    assert growth.growth(stored) == []


def test_the_report_shows_the_growth_table_and_the_trend_of_the_latest_size() -> None:
    """A run at a smaller size of the same commit, stored after the latest one, neither replaces the latest size's
    runs side by side nor hides the growth table."""
    stored = report.stored()
    latest = stored["2026-12-06-0839.json"]
    smaller = copy.deepcopy(latest) | {"started": "2026-12-06T23:00:00", "results_file": "smaller.json"}
    for section in ("national", "national_pg", "b", "b_pg", "c", "c_pg", "d", "d_pg"):
        smaller[section]["measured"] |= {"results_file": "smaller.json", "scale": {"accounts": 50_000, "months": 1}}
    smaller["national"]["account_rows"] = smaller["national_pg"]["account_rows"] = 50_000
    text = report.table(latest, stored | {"smaller.json": smaller})
    assert "**How each cost grows**" in text and "| 50,000 pages | 200,000 pages | k (pages) |" in text
    assert "on the national database of 200,000 pages" in text
