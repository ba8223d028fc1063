"""Right-censoring: a district whose true response rate is flat shows a flat rate, today as last month."""

import csv
import datetime as dt
import random
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from etl.ingest.load import load_paths
from etl.metrics.kpis import kpi_table
from etl.settings import Settings
from etl.store.db import make_engine

SETTINGS = Settings(min_sample_inquiries=20, deadline="8wh", data_dir=Path(__file__).parent / "no-data")
LAST = dt.date(2026, 11, 30)  # a Monday: the data end at 17:00 local, within working hours
DAYS = 120
TRUE_RATE = 0.7


@pytest.fixture(scope="module")
def flat(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The flat district, loaded into SQLite."""
    return build(tmp_path_factory.mktemp("flat"))


def build(folder: Path, lag_days: tuple[float, float] | None = None) -> Engine:
    """Four months of a district's inquiries, every half hour: 70 % get a reply within 3–7 working hours of the
    next working morning at the latest, the rest never; replies after the data's last moment are not in the data."""
    rng = random.Random(7)
    end = dt.datetime.combine(LAST, dt.time(17))
    rows = []
    start = end - dt.timedelta(days=DAYS)
    for n in range(DAYS * 48):
        received = start + dt.timedelta(minutes=30 * n + rng.randrange(30))
        if received > end:
            break
        reply = ""
        if n % 10 < 10 * TRUE_RATE:  # 7 of every 10 in turn: the rate of any week is 70 % to within a reply
            # A reply the same working day or the next morning: always within 8 working hours, often days later
            # in calendar time (a Friday evening's comes on Monday).
            replied = next_working_morning(received) + dt.timedelta(hours=rng.uniform(0.2, 4))
            if received.weekday() < 5 and 9 <= received.hour < 14:
                replied = received + dt.timedelta(hours=rng.uniform(0.2, 3.5))
            if lag_days:  # the lags in turn, like the 7 in 10: every week holds the same mix
                low, high = lag_days
                replied = received + dt.timedelta(days=low + (high - low) * (n % 7) / 6)
            reply = replied.isoformat() if replied <= end else ""
        rows.append(["vk", "-1001", f"c{n}", "comment", received.isoformat(), reply])
    # The data's last moment is 17:00 on the last day: an event at that time.
    rows.append(["vk", "-1001", "last", "comment", (end - dt.timedelta(hours=1)).isoformat(), end.isoformat()])
    write(folder / "territories.csv", "code,name_ru,name_en,level,parent_code,population,timezone",
          [["KZ", "Казахстан", "Kazakhstan", "country", "", "", "Asia/Almaty"],
           ["KZ-KAR", "Карагандинская область", "Karaganda", "region", "KZ", "", "Asia/Almaty"],
           ["KZ-KAR-A", "Абайский район", "Abay", "district", "KZ-KAR", "", "Asia/Almaty"]])  # fmt: skip
    write(folder / "accounts.csv", "platform,account_id,handle,display_name,territory_code,owner_kind,owner_role,"
          "owner_name,required,official_mark,created_on", [["vk", "-1001", "abay", "Abay", "KZ-KAR-A", "body",
          "body", "Акимат", "1", "0", "2025-01-01"]])  # fmt: skip
    write(folder / "inquiries.csv", "platform,account_id,inquiry_id,channel,received_at,first_reply_at", rows)
    engine = make_engine(f"sqlite:///{folder / 'flat.db'}")
    results = load_paths(engine, [folder])
    assert all(r.ok for r in results), [r.errors for r in results]
    return engine


def next_working_morning(when: dt.datetime) -> dt.datetime:
    """09:00 of the next weekday after `when`'s day."""
    day = when.date() + dt.timedelta(days=1)
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return dt.datetime.combine(day, dt.time(9))


def write(path: Path, header: str, rows: list[list[str]]) -> None:
    """A CSV file with a header."""
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(header.split(","))
        out.writerows(rows)


def rate(engine: Engine, first: dt.date, last: dt.date, column: str = "response_rate_pct") -> float:
    """A column of the district's KPI row for the period."""
    table = kpi_table(engine, "district", first, last, parent="KZ-KAR", settings=SETTINGS)
    return float(table.iloc[0][column])


@pytest.mark.parametrize("days", [7, 30])
def test_a_flat_rate_stays_flat_to_the_last_day(flat: Engine, days: int) -> None:
    """The last period, the one before it and the same window a week back all read the true 70 %: the inquiries of
    the last hours, not yet answered, are too young to judge and are left out instead of counted as unanswered."""
    span = dt.timedelta(days=days - 1)
    now = rate(flat, LAST - span, LAST)
    before = rate(flat, LAST - span - dt.timedelta(days=days), LAST - dt.timedelta(days=days))
    week_back = rate(flat, LAST - span - dt.timedelta(days=7), LAST - dt.timedelta(days=7))
    assert now == pytest.approx(70.0, abs=0.6)
    assert before == pytest.approx(70.0, abs=0.6) and week_back == pytest.approx(70.0, abs=0.6)
    # Counting every inquiry of the period, answered or not yet, would show a fall that is not there.
    table = kpi_table(flat, "district", LAST - span, LAST, parent="KZ-KAR", settings=SETTINGS).iloc[0]
    assert 100 * table["answered"] / table["inquiries"] < now - (3.0 if days == 7 else 1.0)


def test_the_young_are_counted_apart(flat: Engine) -> None:
    """The last day's inquiries, whose deadline is still ahead, are counted as too young rather than unanswered:
    the day is not rated instead of reading as a collapse."""
    table = kpi_table(flat, "district", LAST, LAST, parent="KZ-KAR", settings=SETTINGS)
    row = table.iloc[0]
    assert row["inquiries_young"] == row["inquiries"] > row["answered"] > 0
    assert row["response_rate_pct"] != row["response_rate_pct"]  # NaN: nothing judged yet


@pytest.fixture(scope="module")
def slow(tmp_path_factory: pytest.TempPathFactory) -> Engine:
    """The district answering 7 of every 10 as before, but as slowly as the demo's: many replies days past the
    deadline, so that even judged inquiries of the last days have not all their replies yet."""
    return build(tmp_path_factory.mktemp("slow"), lag_days=(0.1, 6.0))


def test_the_previous_period_is_judged_at_the_same_age(slow: Engine) -> None:
    """Judged at the data's time, the last week still reads lower than the week before when replies come days late;
    judged as the data stood a week earlier, the week before shows the same shortfall: the change is flat."""
    week = dt.timedelta(days=6)
    start, before_end = LAST - week, LAST - dt.timedelta(days=7)
    now = rate(slow, start, LAST)
    later = rate(slow, before_end - week, before_end)
    same_age = kpi_table(
        slow, "district", before_end - week, before_end, parent="KZ-KAR", settings=SETTINGS,
        back=dt.timedelta(days=7),
    ).iloc[0]["response_rate_pct"]  # fmt: skip
    assert later - now > 2  # what a plain comparison would show as a fall
    assert abs(now - same_age) < 1.5


def test_both_engines_judge_the_past_alike(tmp_path: Path) -> None:
    """The database's counts and the row-by-row engine give the same table as the data stood a week earlier."""
    engine = build(tmp_path, lag_days=(0.1, 6.0))
    end = LAST - dt.timedelta(days=7)

    def table() -> pd.DataFrame:
        return kpi_table(engine, "district", end - dt.timedelta(days=29), end, parent="KZ-KAR", settings=SETTINGS,
                         back=dt.timedelta(days=7))  # fmt: skip

    stored = table()
    with engine.begin() as conn:
        conn.execute(text("UPDATE inquiry SET work_min = NULL, work_days = NULL"))  # untimed: read row by row
    pd.testing.assert_frame_equal(table(), stored)
    assert stored.iloc[0]["answered"] < stored.iloc[0]["inquiries"] * 0.7  # replies after a week ago left out
