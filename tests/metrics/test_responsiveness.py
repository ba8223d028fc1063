"""The responsiveness engine on the hand-checked region of tests/metrics/test_kpis.py: every figure worked out."""

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy.engine import Engine

from etl.ingest.load import load_paths
from etl.metrics.kpis import kpi_table
from etl.metrics.responsiveness.query import responsiveness, timed_inquiries
from etl.metrics.responsiveness.sums import COUNTS, METRICS, SAMPLE_OF, summarise
from etl.store.db import make_engine
from tests.metrics.test_kpis import AS_OF, INQUIRIES, SETTINGS, D, postgres, same, seed, write_csvs

EMPTY = None


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest) -> Engine:
    """The scenario of tests/metrics/test_kpis.py, written as rows into SQLite, and into PostgreSQL when configured."""
    return seed(make_engine("sqlite://") if request.param == "sqlite" else postgres())


def region(db: Engine, first: int = 1, last: int = 10, **kwargs: Any) -> dict[str, Any]:
    """The responsiveness of the whole region for days first..last, as one dict."""
    result = responsiveness(db, D(first), D(last), level="region", **{"settings": SETTINGS, **kwargs})
    assert len(result.table) == 1
    return dict(result.table.iloc[0])


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    """Naive UTC of a local time in Karaganda (UTC+5) on day `day` of March 2025."""
    return dt.datetime.combine(D(day), dt.time(hour, minute)) - dt.timedelta(hours=5)


def test_region_figures(db: Engine) -> None:
    """Ten inquiries, eight answered; as of Sun D9 20:00 both unanswered (Thu D6 10:00) are 900 working minutes
    = 1.875 working days old, past 8 working hours. Inquiries 3, 5 and 8 (Sat D8, Fri D7, Sun D9) are too young to
    judge: their 8 working hours end on Tue D11. Of the 7 judged, first replies: owner 0, 6; press service 1, 4;
    not stated 7; nobody 2 and 9."""
    row = region(db)
    assert same(
        row,
        {
            "inquiries": 10,
            "answered": 8,
            "judged": 7,
            "judged_answered": 5,
            "inquiries_young": 3,
            "met": 5,
            "missed": 2,
            "pending": 3,
            "decided": 7,
            "backlog_open": 2,
            "backlog_lt1": 0,
            "backlog_1_3": 2,
            "backlog_3_7": 0,
            "backlog_gt7": 0,
            "answered_owner": 2,
            "answered_press_service": 2,
            "answered_other": 0,
            "answered_unstated": 1,
            "response_rate_pct": 71.4,
            "reply_median_min": 30.0,  # 5 15 30 90 120
            "reply_p90_min": 108.0,
            "reply_median_work_min": 15.0,  # 0 0 15 90 120
            "reply_p90_work_min": 108.0,
            "within_deadline_pct": 71.4,
            "share_owner_pct": 28.6,
            "share_press_service_pct": 28.6,
            "share_other_pct": 0.0,
            "share_unstated_pct": 14.3,
            "share_nobody_pct": 28.6,
        },
    )
    assert row["as_of"] == pd.Timestamp(AS_OF)


def test_each_inquiry_is_timed(db: Engine) -> None:
    """Working minutes, verdict and backlog age per inquiry, in the order of INQUIRIES."""
    rows = timed_inquiries(db, D(1), D(10), settings=SETTINGS).set_index("inquiry_id")
    rows = rows.loc[[f"i{n}" for n in range(len(INQUIRIES))]]
    assert rows["district_code"].fillna("-").tolist()[4:7] == ["KZ-KAR-A", "KZ-KAR-A", "KZ-KAR-A"]
    assert set(rows["region_code"]) == {"KZ-KAR"}
    work = [0, 90, None, 0, 120, 60, 0, 15, 0, None]
    assert rows["work_min"].tolist() == pytest.approx([math.nan if w is None else w for w in work], nan_ok=True)
    assert rows["reply_min"].tolist() == pytest.approx(
        [math.nan if m is None else m for _, _, m in INQUIRIES], nan_ok=True
    )
    assert rows["met"].tolist() == [True, True, False, True, True, True, True, True, True, False]
    assert rows["age_wd"].dropna().tolist() == [1.875, 1.875]
    assert rows["backlog"].dropna().astype(str).tolist() == ["1-3", "1-3"]
    assert rows["answerer"].fillna("-").tolist() == [
        "owner",
        "press_service",
        "-",
        "owner",
        "press_service",
        "press_service",
        "owner",
        "unstated",
        "other",
        "-",
    ]


@pytest.mark.parametrize(
    ("deadline", "met", "missed", "pending", "pct"),
    [
        # One working hour has passed for Fri D7's inquiry too (not for Sat D8's and Sun D9's): 8 judged. Working
        # minutes 0 90 120 60 0 15: 90 and 120 are past one working hour, and so are the two unanswered.
        ("1wh", 4, 4, 2, 50.0),
        # Two calendar hours have passed for all ten. Calendar minutes 30 90 10 120 60 5 15 600: only 600 is past
        # two hours; the unanswered waited 82 h.
        ("2h", 7, 3, 0, 70.0),
        # Every reply came the day it was asked. The unanswered were asked on Thu D6: the first working day after
        # it (Fri D7) is over by Sun D9, so 1wd is missed; Fri D7's and later inquiries have until Tue D11 (Mon D10
        # is a holiday): too young. For 2wd only those up to Wed D5 (days Thu D6 and Fri D7) can be judged.
        ("1wd", 5, 2, 3, 71.4),
        ("2wd", 5, 0, 5, 100.0),
    ],
)
def test_deadlines(db: Engine, deadline: str, met: int, missed: int, pending: int, pct: float) -> None:
    """The share within the deadline counts met and missed inquiries and leaves the pending ones out."""
    row = region(db, deadline=deadline)
    assert same(row, {"met": met, "missed": missed, "pending": pending, "within_deadline_pct": pct})


def test_as_of_given(db: Engine) -> None:
    """Judged at a later time, the unanswered age and may become missed.
    As of Tue D11 18:00: Thu 420 + Fri 480 + Tue 480 (Mon D10 is the observed Women's Day) = 1380 min = 2.875 wd;
    2wd still pending (Fri D7 and Tue D11 are the two working days; Tue is not over).
    As of Wed D12 09:00: 2wd missed, and the 7 received up to Thu D6 are judged; as of Fri D14 18:00: + Wed, Thu,
    Fri 480 each = 2820 min = 5.875 wd."""
    late = region(db, deadline="2wd", as_of=local(11, 18))
    assert same(late, {"pending": 5, "judged": 5, "within_deadline_pct": 100.0, "backlog_1_3": 2})
    later = region(db, deadline="2wd", as_of=local(12, 9))
    assert same(later, {"pending": 3, "missed": 2, "within_deadline_pct": 71.4, "backlog_1_3": 2})
    aware = pd.Timestamp(dt.datetime.combine(D(14), dt.time(18)), tz="Asia/Almaty")
    latest = region(db, as_of=aware)
    assert same(latest, {"backlog_1_3": 0, "backlog_3_7": 2})
    assert latest["as_of"] == pd.Timestamp(local(14, 18))


def test_weekly_trend(db: Engine) -> None:
    """Weeks start on Monday: D1–D2 (Sat, Sun) close the week of Feb 24, D3–D9 are one week, D10 opens the next.
    Week of Feb 24: the two inquiries of D2, both answered (2 < 3: not rated). Week of Mar 3: 8, 6 answered; 5
    judged (those of D7–D9 are too young), 3 answered (working minutes 15 90 120), 2 missed: 60 %. Week of Mar 10:
    none."""
    weekly = responsiveness(db, D(1), D(10), level="region", settings=SETTINGS).weekly
    assert weekly["week"].tolist() == [dt.date(2025, 2, 24), dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
    assert weekly["days"].tolist() == [2, 7, 1]
    assert weekly["inquiries"].tolist() == [2, 8, 0]
    assert weekly["answered"].tolist() == [2, 6, 0]
    rows = weekly.to_dict("records")
    assert same(rows[0], {"response_rate_pct": EMPTY, "within_deadline_pct": EMPTY})
    assert same(rows[1], {"response_rate_pct": 60.0, "within_deadline_pct": 60.0, "reply_median_work_min": 90.0})
    assert same(rows[2], {"response_rate_pct": EMPTY, "backlog_open": 0})


def test_agrees_with_the_report_at_every_level(db: Engine) -> None:
    """The report's inquiry columns are the engine's, row by row, at every level."""
    columns = [
        "inquiries",
        "answered",
        "response_rate_pct",
        "reply_median_min",
        "reply_p90_min",
        "within_deadline_pct",
        "reply_median_work_min",
        "reply_p90_work_min",
        "backlog_open",
    ]
    for level in ("country", "region", "district", "settlement", "account"):
        engine = responsiveness(db, D(1), D(10), level=level, settings=SETTINGS).table
        report = kpi_table(db, level, D(1), D(10), settings=SETTINGS)
        key = "handle" if level == "account" else "territory_code"
        got = report.set_index(key)[columns].sort_index()
        want = engine.set_index(key)[columns].sort_index()
        pd.testing.assert_frame_equal(got, want, check_dtype=False)


def test_every_account_and_a_chosen_set(db: Engine) -> None:
    """At account level every page that existed has a row, with zeros when nobody wrote; `accounts` narrows."""
    table = responsiveness(db, D(1), D(10), level="account", settings=SETTINGS).table
    assert table["handle"].tolist() == ["akim_karaganda", "abay_akimat", "topar_akim", "bukhar_akimat"]
    assert table["inquiries"].tolist() == [4, 2, 3, 1]
    chosen = responsiveness(db, D(1), D(10), level="all", accounts=[1, 3], settings=SETTINGS).table
    # Accounts 1 and 3: 7 inquiries, 6 answered; judged replies (Sat D8's and Sun D9's are too young) 0 0 15 90.
    assert same(dict(chosen.iloc[0]), {"key": "all", "inquiries": 7, "answered": 6, "reply_median_work_min": 7.5})


def test_roles_and_platforms(db: Engine) -> None:
    """Owner roles and several platforms cut the scope: heads (accounts 1 and 3) answered 6 of 7; of the 5 judged,
    one missed; judged working minutes 0 0 15 90 -> p90 at rank 2.7 = 15 + 0.7 × 75."""
    heads = region(db, roles=["head"])
    assert same(heads, {"inquiries": 7, "within_deadline_pct": 80.0, "reply_p90_work_min": 67.5})
    both = region(db, platform=["instagram", "telegram"])
    assert same(both, {"inquiries": 10, "within_deadline_pct": 71.4})
    report = kpi_table(db, "region", D(1), D(10), settings=SETTINGS, roles=["head"]).iloc[0]
    assert same(dict(report), {"accounts": 2, "followers_start": 1200, "posts": 7, "inquiries": 7, "answered": 6})
    pooled = kpi_table(db, "region", D(1), D(10), settings=SETTINGS, platform=["vk", "telegram"]).iloc[0]
    assert same(dict(pooled), {"accounts": 1, "posts": 3, "inquiries": 3, "within_deadline_pct": EMPTY})  # 2 judged


def test_all_level_and_period_part(db: Engine) -> None:
    """`all` pools the scope into one row; a part of the period keeps its own inquiries (D3–D7: 6)."""
    assert same(
        dict(responsiveness(db, D(1), D(10), settings=SETTINGS).table.iloc[0]),
        {"key": "all", "inquiries": 10, "within_deadline_pct": 71.4},
    )
    part = region(db, 3, 7)
    assert same(part, {"inquiries": 6, "answered": 4, "within_deadline_pct": 60.0, "reply_median_work_min": 90.0})


def test_schedule_file_changes_working_minutes(db: Engine, tmp_path: Path) -> None:
    """District A lunches 11:00–12:00, and its rural district inherits that: account 2's Tue 10:00 -> 12:00 reply
    takes 60 working minutes, not 120. Region's judged replies: 0 0 15 60 90 -> median 15, p90 at 3.6 = 60 + 0.6 × 30;
    district A's: 0 15 60 -> p90 at 1.8 = 15 + 0.8 × 45."""
    (tmp_path / "schedules.csv").write_text(
        "territory_code,weekday,start,end,lunch_start,lunch_end\nKZ-KAR-A,1-5,09:00,18:00,11:00,12:00\n",
        encoding="utf-8",
    )
    settings = SETTINGS.model_copy(update={"data_dir": tmp_path})
    row = region(db, settings=settings)
    assert same(row, {"reply_median_work_min": 15.0, "reply_p90_work_min": 78.0})
    report = kpi_table(db, "district", D(1), D(10), settings=settings).iloc[0]
    assert same(dict(report), {"territory_code": "KZ-KAR-A", "reply_median_work_min": 15.0, "reply_p90_work_min": 51.0})


def test_loaded_files_give_the_same_figures(tmp_path: Path) -> None:
    """The scenario's CSV files, loaded by the real loader, give the same row as the rows written directly."""
    engine = make_engine(f"sqlite:///{tmp_path / 'scenario.db'}")
    folder = tmp_path / "csv"
    folder.mkdir()
    assert all(r.ok for r in load_paths(engine, [write_csvs(folder)]))
    loaded = responsiveness(engine, D(1), D(10), level="region", settings=SETTINGS).table
    direct = responsiveness(seed(make_engine("sqlite://")), D(1), D(10), level="region", settings=SETTINGS).table
    pd.testing.assert_frame_equal(loaded, direct, check_dtype=False)


def test_empty_scope() -> None:
    """No inquiries: zero counts, empty rates, no `as_of`; the weekly grid is still there."""
    result = responsiveness(make_engine("sqlite://"), D(1), D(10), settings=SETTINGS)
    row = dict(result.table.iloc[0])
    assert all(row[c] == 0 for c in COUNTS)
    assert all(pd.isna(row[c]) for c in SAMPLE_OF)
    assert result.as_of is None
    assert len(result.weekly) == 3
    assert list(result.table.columns) == ["key", *METRICS]


def test_refuses_unknown_levels_and_deadlines(db: Engine) -> None:
    """An unknown level or a malformed deadline is an error, not an empty table."""
    with pytest.raises(ValueError, match="unknown level"):
        responsiveness(db, D(1), D(10), level="oblast", settings=SETTINGS)
    with pytest.raises(ValueError, match="Nwh"):
        responsiveness(db, D(1), D(10), deadline="8 days", settings=SETTINGS)


def test_summarise_any_grouping(db: Engine) -> None:
    """The same metrics for any grouping of the timed rows, e.g. per platform: Instagram 7 inquiries, 5 judged (3
    answered within, 2 missed), Telegram 3 (2 judged: not rated)."""
    rows = timed_inquiries(db, D(1), D(10), settings=SETTINGS)
    table = summarise(rows, "platform", SETTINGS).set_index("platform")
    assert table.loc["instagram", "inquiries"] == 7
    assert table.loc["instagram", "within_deadline_pct"] == pytest.approx(60.0)
    assert pd.isna(table.loc["telegram", "within_deadline_pct"])
