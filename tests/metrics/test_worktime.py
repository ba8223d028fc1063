"""The working-time clock, as a spec: every expected figure is computed by hand in the test's docstring."""

import datetime as dt
import math
from collections.abc import Sequence
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from etl.metrics.schedules import ScheduleError, Week, read_schedules
from etl.metrics.worktime import (
    Clocks,
    Deadline,
    WorkCalendar,
    backlog_age_working_days,
    backlog_bucket,
    deadline_met,
    working_minutes,
)

KZ = WorkCalendar.for_country("KZ")
RU = WorkCalendar.for_country("RU")
ALMATY, BARNAUL = "Asia/Almaty", "Asia/Barnaul"


def utc(local: str, zone: str) -> pd.Timestamp:
    """The naive UTC time of a local wall-clock time."""
    return pd.Timestamp(local, tz=zone).tz_convert("UTC").tz_localize(None)


def series(times: Sequence[str | None], zone: str) -> pd.Series:
    """Naive-UTC times of local wall-clock times (None for none), as stored in Inquiry."""
    return pd.Series([pd.NaT if t is None else utc(t, zone) for t in times], dtype="datetime64[us]")


def work(received: str, replied: str | None, zone: str = ALMATY, calendar: WorkCalendar = KZ) -> float:
    """Working minutes between two local times of one inquiry."""
    return float(working_minutes(series([received], zone), series([replied], zone), zone, calendar).iloc[0])


# --- the rule ----------------------------------------------------------------------------------------------------


def test_friday_evening_to_monday_morning() -> None:
    """Fri 2025-10-10 17:30 → Mon 09:15: 30 min on Friday (to 18:00), none at the weekend, 15 on Monday = 45."""
    assert work("2025-10-10 17:30", "2025-10-13 09:15") == 45


def test_received_before_work_counts_from_the_start_of_work() -> None:
    """Received 06:00, answered 09:05 on a working Wednesday: the clock starts at 09:00 = 5 min."""
    assert work("2025-10-08 06:00", "2025-10-08 09:05") == 5


def test_answered_in_the_same_off_hours_period_is_zero() -> None:
    """Received 06:00, answered 08:45: no working time has passed = 0 min (Orlo would count 2 h 45 min)."""
    assert work("2025-10-08 06:00", "2025-10-08 08:45") == 0


def test_lunch_break_is_excluded() -> None:
    """12:50 → 14:10: 10 min before lunch (13:00), lunch 13:00–14:00 off, 10 min after = 20."""
    assert work("2025-10-08 12:50", "2025-10-08 14:10") == 20


def test_seconds_are_kept() -> None:
    """10:00:00 → 10:00:30 is half a working minute."""
    assert work("2025-10-08 10:00:00", "2025-10-08 10:00:30") == 0.5


def test_whole_working_week() -> None:
    """Mon 2025-10-06 09:00 → Mon 2025-10-13 09:00: five days of 8 working hours = 2400 min."""
    assert work("2025-10-06 09:00", "2025-10-13 09:00") == 5 * 480


def test_unanswered_is_nan() -> None:
    """An inquiry without a reply has no working duration."""
    assert math.isnan(work("2025-10-08 10:00", None))


def test_reply_before_receipt_is_nan() -> None:
    """A reply stamped before its receipt is inconsistent data, not a negative duration."""
    assert math.isnan(work("2025-10-08 10:00", "2025-10-08 09:00"))


# --- holidays and transferred working days ----------------------------------------------------------------------


def test_kazakhstan_independence_day_is_not_working() -> None:
    """Mon 2025-12-15 17:00 → Wed 12-17 10:00 (Tue 16 Dec is Independence Day): 60 + 0 + 60 = 120 min."""
    assert KZ.hours_on(dt.date(2025, 12, 16)) == ()
    assert work("2025-12-15 17:00", "2025-12-17 10:00") == 120


def test_russian_new_year_break() -> None:
    """Altai Krai, Tue 2025-12-30 17:00 → Mon 2026-01-12 10:00: 31 Dec is a transferred day off, 1–8 Jan are
    holidays, Fri 9 Jan is a day off transferred from Sat 3 Jan: 60 min on 30 Dec + 60 on 12 Jan = 120."""
    assert work("2025-12-30 17:00", "2026-01-12 10:00", BARNAUL, RU) == 120


def test_russian_saturday_made_working() -> None:
    """Sat 2024-12-28 was a working day in Russia (for Mon 30 Dec): Fri 17:00 → Sat 10:00 = 60 + 60 = 120 min,
    while an ordinary Saturday (2024-12-21) adds nothing: Fri 17:00 → Sat 10:00 = 60."""
    assert RU.hours_on(dt.date(2024, 12, 28)) == ((540, 780), (840, 1080))
    assert work("2024-12-27 17:00", "2024-12-28 10:00", BARNAUL, RU) == 120
    assert work("2024-12-20 17:00", "2024-12-21 10:00", BARNAUL, RU) == 60


def test_weekday_made_a_day_off() -> None:
    """Russia swapped Mon 2024-04-29 with Sat 04-27 and Tue 04-30 with Sat 11-02, and 1 May is a holiday.
    Fri 04-26 17:00 → Thu 05-02 09:00 = 60 (Fri) + 480 (Sat 27, working) + 0 (Sun–Wed) = 540 min."""
    assert RU.hours_on(dt.date(2024, 4, 29)) == ()
    assert work("2024-04-26 17:00", "2024-05-02 09:00", BARNAUL, RU) == 540


def test_kazakhstan_transferred_working_days() -> None:
    """Kazakhstan worked Sat 2024-05-04 (for Wed 8 May) and Sun 2025-01-05 (for Fri 3 Jan)."""
    assert KZ.hours_on(dt.date(2024, 5, 4)) == ((540, 780), (840, 1080))
    assert KZ.hours_on(dt.date(2024, 5, 8)) == ()
    assert KZ.hours_on(dt.date(2025, 1, 5)) == ((540, 780), (840, 1080))
    assert KZ.hours_on(dt.date(2025, 1, 3)) == ()


def test_transferred_day_follows_monday_of_a_custom_week() -> None:
    """A week with short Mondays (10:00–12:00) works a transferred Saturday 10:00–12:00 too."""
    week = Week((((600, 720),),) + (((540, 1080),),) * 4 + ((), ()))
    assert WorkCalendar.for_country("RU", week).hours_on(dt.date(2024, 12, 28)) == ((600, 720),)
    assert week.day_minutes == 120


def test_no_holidays_for_an_unknown_country() -> None:
    """A country the holidays library does not know gets the standard week and no holidays."""
    cal = WorkCalendar.for_country("XX")
    assert cal.country is None
    assert cal.hours_on(dt.date(2025, 1, 1)) == ((540, 780), (840, 1080))


# --- time zones --------------------------------------------------------------------------------------------------


def test_kazakhstan_time_zone_change() -> None:
    """Almaty was UTC+6 until 2024-03-01, UTC+5 after. The same UTC times 03:00 → 03:30 are 09:00 → 09:30 local
    on Wed 2024-02-28 (30 working min) but 08:00 → 08:30 on Wed 2024-03-06 (before work: 0 min)."""
    received = pd.Series(pd.to_datetime(["2024-02-28 03:00", "2024-03-06 03:00"]))
    replied = pd.Series(pd.to_datetime(["2024-02-28 03:30", "2024-03-06 03:30"]))
    assert working_minutes(received, replied, ALMATY, KZ).tolist() == [30, 0]


def test_zone_per_row() -> None:
    """UTC 03:00 → 04:00 on Wed 2025-10-08 is 08:00 → 09:00 in Almaty (0 min), 10:00 → 11:00 in Barnaul (60)."""
    received = pd.Series(pd.to_datetime(["2025-10-08 03:00"] * 2))
    replied = pd.Series(pd.to_datetime(["2025-10-08 04:00"] * 2))
    zones = pd.Series([ALMATY, BARNAUL])
    assert working_minutes(received, replied, zones, KZ).tolist() == [0, 60]


def test_aware_and_object_inputs() -> None:
    """Aware times are converted to UTC; Python datetimes straight from SQL rows work too."""
    aware = pd.Series([pd.Timestamp("2025-10-08 09:00", tz=ALMATY)])
    plain = pd.Series([dt.datetime(2025, 10, 8, 5, 0)], dtype=object)
    assert working_minutes(aware, plain, ALMATY, KZ).tolist() == [60]


def test_index_is_kept() -> None:
    """The result is aligned with the input rows."""
    received = series(["2025-10-08 10:00", "2025-10-08 11:00"], ALMATY).set_axis([7, 3])
    replied = series(["2025-10-08 10:30", None], ALMATY).set_axis([7, 3])
    out = working_minutes(received, replied, ALMATY, KZ)
    assert out.index.tolist() == [7, 3]
    assert out.iloc[0] == 30
    assert math.isnan(out.iloc[1])


# --- properties, against a slow reference written day by day ---------------------------------------------------

ZONES = [ALMATY, BARNAUL, "Europe/Moscow"]
moments = st.datetimes(min_value=dt.datetime(2023, 1, 1), max_value=dt.datetime(2026, 12, 31))
delays = st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20))


def local(t: dt.datetime, zone: str) -> dt.datetime:
    """Naive local wall-clock time of a naive UTC time."""
    return t.replace(tzinfo=dt.UTC).astimezone(ZoneInfo(zone)).replace(tzinfo=None)


def reference(received: dt.datetime, replied: dt.datetime, zone: str, calendar: WorkCalendar) -> float:
    """Working minutes summed interval by interval over each local day: slow and obvious."""
    a, b = local(received, zone), local(replied, zone)
    total = dt.timedelta(0)
    day = a.date()
    while day <= b.date():
        midnight = dt.datetime.combine(day, dt.time())
        for s, e in calendar.hours_on(day):
            lo, hi = max(a, midnight + dt.timedelta(minutes=s)), min(b, midnight + dt.timedelta(minutes=e))
            total += max(hi - lo, dt.timedelta(0))
        day += dt.timedelta(days=1)
    return total.total_seconds() / 60


def next_work_start(t: dt.datetime, zone: str, calendar: WorkCalendar) -> dt.datetime:
    """The first local moment at or after `t` (UTC) that is working time, as naive UTC."""
    a = local(t, zone)
    day = a.date()
    while True:
        for s, e in calendar.hours_on(day):
            start, end = (dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=m) for m in (s, e))
            if end > a:
                moment = max(start, a)
                return (
                    moment.replace(tzinfo=ZoneInfo(zone)).astimezone(dt.UTC).replace(tzinfo=None) if moment > a else t
                )
        day += dt.timedelta(days=1)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(moments, delays), min_size=1, max_size=20), st.sampled_from(ZONES))
def test_matches_the_reference_and_never_exceeds_calendar_time(
    pairs: list[tuple[dt.datetime, dt.timedelta]], zone: str
) -> None:
    """Working minutes equal the day-by-day reference and lie between 0 and the calendar minutes."""
    received = pd.Series([r for r, _ in pairs], dtype="datetime64[us]")
    replied = pd.Series([r + d for r, d in pairs], dtype="datetime64[us]")
    calendar = RU if zone != ALMATY else KZ
    got = working_minutes(received, replied, zone, calendar).to_numpy()
    elapsed = np.array([d.total_seconds() / 60 for _, d in pairs])
    want = [reference(r, r + d, zone, calendar) for r, d in pairs]
    assert np.allclose(got, want, atol=1e-6)
    assert (got >= 0).all()
    assert (got <= elapsed + 1e-9).all()


@settings(max_examples=100, deadline=None)
@given(moments, st.floats(0, 1), st.sampled_from(ZONES))
def test_zero_inside_the_same_off_hours_period(received: dt.datetime, share: float, zone: str) -> None:
    """A reply before the next start of work counts 0 working minutes."""
    start = next_work_start(received, zone, RU)
    replied = received + (start - received) * share
    got = working_minutes(pd.Series([received]), pd.Series([replied]), zone, RU).iloc[0]
    assert got == 0


@settings(max_examples=100, deadline=None)
@given(moments, st.lists(delays, min_size=2, max_size=30), st.sampled_from(ZONES))
def test_monotone_in_the_reply_time(received: dt.datetime, offsets: list[dt.timedelta], zone: str) -> None:
    """A later reply never has fewer working minutes."""
    replies = pd.Series(sorted(received + d for d in offsets), dtype="datetime64[us]")
    got = working_minutes(pd.Series([received] * len(replies), dtype="datetime64[us]"), replies, zone, KZ)
    assert (np.diff(got.to_numpy()) >= 0).all()


# --- deadlines ---------------------------------------------------------------------------------------------------


def met(
    received: Sequence[str], replied: Sequence[str | None], deadline: str, as_of: str | None = None
) -> list[object]:
    """deadline_met of Almaty inquiries given in local times, as a plain list (None for <NA>)."""
    out = deadline_met(
        series(received, ALMATY),
        series(replied, ALMATY),
        ALMATY,
        KZ,
        deadline,
        as_of=utc(as_of, ALMATY) if as_of else None,
    )
    return [None if v is pd.NA else bool(v) for v in out]


def test_working_hour_deadlines() -> None:
    """Fri 2025-10-10 17:30 → Mon 16:30 = 30 + 240 + 150 = 420 working min: within 8 wh (480) and 9 wh (540);
    → Tue 10:00 = 30 + 480 + 60 = 570: past both; → Mon 18:30 = 30 + 480 = 510: past 8 wh, within 9 wh."""
    received = ["2025-10-10 17:30"] * 3
    replied: list[str | None] = ["2025-10-13 16:30", "2025-10-14 10:00", "2025-10-13 18:30"]
    assert met(received, replied, "8wh") == [True, False, False]
    assert met(received, replied, "9wh") == [True, False, True]


def test_hootsuite_sla_example() -> None:
    """Hootsuite's documented case: 30-min SLA, hours Mon–Fri 09:00–17:00, message Fri 16:45 → breached after
    Mon 09:15 (15 min on Friday + 15 on Monday)."""
    week = WorkCalendar(Week.office("09:00", "17:00", lunch=None))
    received = series(["2025-10-10 16:45"] * 2, ALMATY)
    replied = series(["2025-10-13 09:15", "2025-10-13 09:16"], ALMATY)
    assert deadline_met(received, replied, ALMATY, week, "0.5wh").tolist() == [True, False]


def test_calendar_hour_deadline() -> None:
    """24h counts every hour: Fri 17:30 → Sat 17:30 is within, → Mon 09:15 (63 h 45 min) is not."""
    assert met(["2025-10-10 17:30"] * 2, ["2025-10-11 17:30", "2025-10-13 09:15"], "24h") == [True, False]


def test_working_day_deadline() -> None:
    """1wd = by the end (local midnight) of the first working day after the day of receipt.
    Mon 10:00 → Tue 23:59 met, → Wed 09:00 missed; Fri 17:30 → Mon 18:30 met (the weekend does not count);
    Sat → Mon met; Mon 2025-12-15 → Wed 12-17 met (Tue 16 Dec is a holiday), → Thu 12-18 missed."""
    received = ["2025-10-06 10:00", "2025-10-06 10:00", "2025-10-10 17:30", "2025-10-11 12:00"]
    replied: list[str | None] = ["2025-10-07 23:59", "2025-10-08 09:00", "2025-10-13 18:30", "2025-10-13 17:00"]
    assert met(received, replied, "1wd") == [True, False, True, True]
    assert met(["2025-12-15 10:00"] * 2, ["2025-12-17 17:00", "2025-12-18 09:00"], "1wd") == [True, False]


def test_unanswered_is_missed_or_pending() -> None:
    """Unanswered inquiries are missed once the deadline has passed at `as_of`, pending (<NA>) before it, and
    missed when no `as_of` is given. Received Mon 10:00; 8 wh end Tue 10:00."""
    assert met(["2025-10-06 10:00"], [None], "8wh", as_of="2025-10-07 09:59") == [None]
    assert met(["2025-10-06 10:00"], [None], "8wh", as_of="2025-10-07 10:01") == [False]
    assert met(["2025-10-06 10:00"], [None], "8wh") == [False]


def test_deadline_parsing() -> None:
    """Presets and custom deadlines parse; anything else is refused with the accepted forms."""
    assert Deadline.parse("8wh") == Deadline(8, "wh")
    assert Deadline.parse(" 2.5 H ") == Deadline(2.5, "h")
    assert str(Deadline.parse("1wd")) == "1wd"
    for bad in ["8", "0wh", "1.5wd", "wh", "-1h", "8 days"]:
        with pytest.raises(ValueError, match="Nwh"):
            Deadline.parse(bad)


# --- backlog -----------------------------------------------------------------------------------------------------


def test_backlog_age_and_buckets() -> None:
    """Received Mon 2025-10-06 09:00, as of Wed 13:00: 480 + 480 + 240 = 1200 working min = 2.5 working days."""
    age = backlog_age_working_days(series(["2025-10-06 09:00"], ALMATY), utc("2025-10-08 13:00", ALMATY), ALMATY, KZ)
    assert age.tolist() == [2.5]
    buckets = backlog_bucket(pd.Series([0.0, 0.5, 1.0, 2.9, 3.0, 7.0, 10.0, np.nan]))
    assert buckets.astype(object).tolist()[:-1] == ["<1", "<1", "1-3", "1-3", "3-7", ">7", ">7"]
    assert pd.isna(buckets.iloc[-1])


# --- schedule file -----------------------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    """A schedules.csv with the given content."""
    path = tmp_path / "schedules.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_schedule_file(tmp_path: Path) -> None:
    """Rows give a territory's hours per weekday or weekday range; unlisted weekdays are days off."""
    path = write(
        tmp_path,
        "territory_code,weekday,start,end,lunch_start,lunch_end\n"
        "RU-ALT,mon-thu,09:00,18:00,13:00,13:45\n"
        "RU-ALT,5,09:00,16:45,13:00,13:45\n"
        "KZ-KUS,сб,10:00,14:00,,\n",
    )
    weeks = read_schedules(path)
    assert weeks["RU-ALT"].days[0] == ((540, 780), (825, 1080))
    assert weeks["RU-ALT"].days[4] == ((540, 780), (825, 1005))
    assert weeks["RU-ALT"].days[5:] == ((), ())
    assert weeks["KZ-KUS"].days == ((), (), (), (), (), ((600, 840),), ())


def test_schedule_file_semicolons_and_bom(tmp_path: Path) -> None:
    """A spreadsheet export with a BOM, semicolons and without lunch columns is read too."""
    path = tmp_path / "schedules.csv"
    path.write_text("territory_code;weekday;start;end\nKZ;1-5;08:30;17:30\n", encoding="utf-8-sig")
    assert read_schedules(path)["KZ"].days[0] == ((510, 1050),)


@pytest.mark.parametrize("encoding", ["cp1251", "utf-16", "utf-8"])
def test_schedule_file_encodings(tmp_path: Path, encoding: str) -> None:
    """Russian weekday names survive every encoding a spreadsheet saves CSV in."""
    path = tmp_path / "schedules.csv"
    path.write_text("territory_code,weekday,start,end\nRU,пн-пт,09:00,18:00\n", encoding=encoding)
    assert read_schedules(path)["RU"].days[4] == ((540, 1080),)


def test_missing_schedule_file_means_defaults(tmp_path: Path) -> None:
    """No schedules.csv: no overrides."""
    assert read_schedules(tmp_path / "schedules.csv") == {}


def test_schedule_errors_name_line_column_and_value(tmp_path: Path) -> None:
    """Every bad cell is reported with its line, column and value."""
    path = write(
        tmp_path,
        "territory_code,weekday,start,end,lunch_start,lunch_end\n"
        "RU-ALT,mon,9:00,18:00,13:00,14:00\n"
        "RU-ALT,funday,09:00,18:00,,\n"
        "RU-ALT,2,09:00,25:00,,\n"
        "RU-ALT,3,18:00,09:00,,\n"
        "RU-ALT,4,09:00,18:00,13:00,\n"
        "RU-ALT,5,09:00,18:00,12:00,19:00\n"
        "RU-ALT,1,10:00,18:00,,\n"
        "XX-NOPE,6,10:00,12:00,,\n"
        ",7,10:00,12:00,,\n",
    )
    with pytest.raises(ScheduleError) as caught:
        read_schedules(path, known_territories={"RU-ALT"})
    found = {(line, column, value) for line, column, value, _ in caught.value.errors}
    assert found == {
        (3, "weekday", "funday"),
        (4, "end", "25:00"),
        (5, "end", "09:00"),
        (6, "lunch_end", ""),
        (7, "lunch_end", "19:00"),
        (8, "weekday", "1"),
        (9, "territory_code", "XX-NOPE"),
        (10, "territory_code", ""),
    }
    assert "line 8, column weekday: '1' — weekday 1 of RU-ALT is already given on line 2" in str(caught.value)


def test_schedule_header_errors(tmp_path: Path) -> None:
    """Missing and unknown columns are reported on line 1."""
    path = write(tmp_path, "territory,weekday,start\nRU,1,09:00\n")
    with pytest.raises(ScheduleError) as caught:
        read_schedules(path)
    assert {(c, v) for _, c, v, _ in caught.value.errors} == {
        ("territory_code", ""),
        ("end", ""),
        ("territory", "territory"),
    }


# --- territories -------------------------------------------------------------------------------------------------

TERRITORIES = pd.DataFrame(
    [
        ("KZ", None, "Asia/Almaty", "KZ"),
        ("KZ-KUS", "KZ", "Asia/Qostanay", "KZ"),
        ("KZ-KUS-KRS", "KZ-KUS", "Asia/Qostanay", "KZ"),
        ("RU", None, "Europe/Moscow", "RU"),
        ("RU-ALT", "RU", BARNAUL, "RU"),
        ("RU-ALT-ZAR", "RU-ALT", BARNAUL, "RU"),
        ("RU-ALT-ZAR-01", "RU-ALT-ZAR", BARNAUL, "RU"),
    ],
    columns=["code", "parent_code", "timezone", "country_code"],
)


def test_territories_inherit_the_nearest_schedule() -> None:
    """A settlement without its own schedule takes its district's, else its region's, else its country's week;
    holidays always come from its country."""
    region_week = Week.office("08:00", "17:00")
    clocks = Clocks.from_frame(TERRITORIES, {"RU-ALT": region_week})
    assert clocks.calendars["RU-ALT-ZAR-01"] == WorkCalendar(region_week, "RU")
    assert clocks.calendars["RU"] == RU
    assert clocks.calendars["KZ-KUS-KRS"] == KZ


def test_clocks_time_many_territories_at_once() -> None:
    """UTC 01:00 → 02:00 on Wed 2025-10-08 is 06:00 → 07:00 in Karasu (UTC+5) and 04:00 → 05:00 in Moscow: 0 min;
    in an Altai village (UTC+7) it is 08:00 → 09:00, inside the 08:00–17:00 week of its region: 60 min.
    As of 11:00 UTC the ages are Karasu 06:00 → 16:00 = 240 + 120 = 360 min = 0.75 working days; Altai
    08:00 → 18:00 = 300 + 180 = 480 = 1.0; Moscow 04:00 → 14:00 = 240 = 0.5."""
    clocks = Clocks.from_frame(TERRITORIES, {"RU-ALT": Week.office("08:00", "17:00")})
    territory = pd.Series(["KZ-KUS-KRS", "RU-ALT-ZAR-01", "RU"], index=[10, 20, 30])
    received = pd.Series(pd.to_datetime(["2025-10-08 01:00"] * 3), index=territory.index)
    replied = pd.Series(pd.to_datetime(["2025-10-08 02:00"] * 3), index=territory.index)
    assert clocks.working_minutes(received, replied, territory).to_dict() == {10: 0, 20: 60, 30: 0}
    assert clocks.deadline_met(received, replied, territory, "8wh").tolist() == [True] * 3
    age = clocks.backlog_age_working_days(received, pd.Timestamp("2025-10-08 11:00"), territory)
    assert age.to_dict() == {10: 0.75, 20: 1.0, 30: 0.5}


def test_clocks_refuse_unknown_territories() -> None:
    """A territory code missing from the registry is an error, not a silent NaN."""
    clocks = Clocks.from_frame(TERRITORIES)
    with pytest.raises(ValueError, match="XX"):
        clocks.working_minutes(pd.Series([pd.Timestamp("2025-01-01")]), pd.Series([pd.NaT]), pd.Series(["XX"]))


def test_clocks_load_from_the_database(loaded: Engine, tmp_path: Path) -> None:
    """The registry in the database plus <data_dir>/schedules.csv make the clocks."""
    write(tmp_path, "territory_code,weekday,start,end,lunch_start,lunch_end\nRU-ALT,1-5,08:00,17:00,12:00,13:00\n")
    with loaded.connect() as conn:
        clocks = Clocks.load(conn, tmp_path)
    assert clocks.zones["RU-ALT-ZAR-01"] == BARNAUL
    assert clocks.calendars["RU-ALT-ZAR-01"].week.days[0] == ((480, 720), (780, 1020))
    assert clocks.calendars["KZ-KUS-KST"] == KZ


def test_clocks_keep_row_order_with_duplicate_index_and_per_row_as_of() -> None:
    """Rows of several calendars come back in their own order, even with a repeated index label; `as_of` may be
    given per row. Wed 2025-10-08 UTC 01:00 received; as of 02:00 UTC: Altai village 08:00 → 09:00 = 60 min of a
    480-min day = 0.125; as of 06:00 UTC: Moscow 04:00 → 09:00 = 0."""
    clocks = Clocks.from_frame(TERRITORIES, {"RU-ALT": Week.office("08:00", "17:00")})
    territory = pd.Series(["RU-ALT-ZAR-01", "RU"], index=[5, 5])
    received = pd.Series(pd.to_datetime(["2025-10-08 01:00"] * 2), index=territory.index)
    as_of = pd.Series(pd.to_datetime(["2025-10-08 02:00", "2025-10-08 06:00"]), index=territory.index)
    age = clocks.backlog_age_working_days(received, as_of, territory)
    assert age.index.tolist() == [5, 5]
    assert age.tolist() == [0.125, 0.0]
