"""The working-time clock: holidays and transferred working days, vectorised working durations, deadlines."""

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Literal, cast, overload

import holidays
import numpy as np
import pandas as pd
from sqlalchemy.engine import Connection
from sqlmodel import select

from etl.metrics.schedules import COUNTRY_WEEKS, STANDARD_WEEK, DayHours, Week, read_schedules
from etl.store.models import Territory
from etl.store.scope import read_frame

DAY_US = 86_400_000_000
MINUTE_US = 60_000_000
_NAT = np.iinfo(np.int64).min
_EPOCH = dt.date(1970, 1, 1)
_OFF, _TRANSFERRED = 7, 8

Times = pd.Series | pd.Timestamp | dt.datetime | str


@dataclass(frozen=True)
class DayTable:
    """A calendar laid out day by day over whole years: per-day intervals and working minutes before each midnight."""

    day0: int
    starts: np.ndarray
    lengths: np.ndarray
    cum: np.ndarray
    workdays_before: np.ndarray

    def hours(self, day: dt.date) -> DayHours:
        """The working intervals of one local date."""
        i = (day - _EPOCH).days - self.day0
        pairs = zip(self.starts[:, i], self.lengths[:, i], strict=True)
        return tuple((int(s), int(s + n)) for s, n in pairs if n > 0)


@dataclass(frozen=True)
class WorkCalendar:
    """A working week plus the public holidays and transferred working days of a country (`None`: no holidays)."""

    week: Week = STANDARD_WEEK
    country: str | None = None

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        # Calendars group the rows of every engine call by territory: hash the week once.
        return hash((self.week, self.country))

    @classmethod
    def for_country(cls, country: str | None, week: Week | None = None) -> "WorkCalendar":
        """A country's calendar: `week` or the country's default week, and its holidays if the library has them."""
        default = COUNTRY_WEEKS.get(country or "", STANDARD_WEEK)
        return cls(week if week is not None else default, country if country in _holiday_countries() else None)

    def table(self, first_year: int, last_year: int) -> DayTable:
        """The day table of the years `first_year`…`last_year` (cached)."""
        return _day_table(self, first_year, last_year)

    def hours_on(self, day: dt.date) -> DayHours:
        """The working intervals of one local date."""
        return self.table(day.year, day.year).hours(day)


@lru_cache(maxsize=1)
def _holiday_countries() -> frozenset[str]:
    """Country codes the holidays library knows."""
    return frozenset(holidays.list_supported_countries())


@lru_cache(maxsize=128)
def _day_table(calendar: WorkCalendar, first_year: int, last_year: int) -> DayTable:
    days = np.arange(np.datetime64(f"{first_year:04d}-01-01"), np.datetime64(f"{last_year + 1:04d}-01-01"))
    weekday = (days.view("int64") + 3) % 7
    kind = weekday.copy()
    if calendar.country:
        # A decree of the next year can make a late-December weekend a working day, so read one year more.
        hol = holidays.country_holidays(calendar.country, years=range(first_year, last_year + 2))
        dates = days.astype(object)
        is_holiday = np.fromiter((d in hol for d in dates), bool, len(dates))
        is_swapped = np.fromiter((d in hol.weekend_workdays for d in dates), bool, len(dates))
        has_hours = np.array([bool(h) for h in calendar.week.days])
        kind = np.where(is_holiday, _OFF, np.where(is_swapped & ~has_hours[weekday], _TRANSFERRED, weekday))
    patterns = [*calendar.week.days, (), calendar.week.transferred_day]
    width = max(len(p) for p in patterns) or 1
    starts, lengths = np.zeros((width, len(patterns))), np.zeros((width, len(patterns)))
    for k, pattern in enumerate(patterns):
        for j, (s, e) in enumerate(pattern):
            starts[j, k], lengths[j, k] = s, e - s
    per_day = lengths[:, kind].sum(axis=0)
    return DayTable(
        day0=int(days[0].view("int64")),
        starts=np.ascontiguousarray(starts[:, kind]),
        lengths=np.ascontiguousarray(lengths[:, kind]),
        cum=np.concatenate([[0.0], np.cumsum(per_day)]),
        workdays_before=np.concatenate([[0], np.cumsum(per_day > 0)]),
    )


def _utc_us(values: Times, index: pd.Index) -> np.ndarray:
    """Microseconds since the epoch (UTC) of naive-UTC or aware times; NaT as int64 min."""
    s = values if isinstance(values, pd.Series) else pd.Series(values, index=index)
    if not pd.api.types.is_datetime64_any_dtype(s):
        s = pd.to_datetime(s)
    if isinstance(s.dtype, pd.DatetimeTZDtype):
        s = s.dt.tz_convert("UTC").dt.tz_localize(None)
    return s.to_numpy("datetime64[us]").view("int64")


def _local_us(utc_us: np.ndarray, zone: str) -> np.ndarray:
    """Local wall-clock microseconds of UTC microseconds in an IANA zone."""
    idx = pd.DatetimeIndex(utc_us.view("datetime64[us]")).tz_localize("UTC").tz_convert(zone)
    return idx.tz_localize(None).asi8


def _zone_groups(zone: "pd.Series | str", n: int) -> Iterator[tuple[str, slice | np.ndarray]]:
    """Each time zone with the positions of its rows."""
    if isinstance(zone, str):
        yield zone, slice(None)
        return
    if len(zone) != n:
        raise ValueError(f"zone has {len(zone)} rows, the times have {n}")
    codes, uniques = pd.factorize(zone)
    if (codes < 0).any():
        raise ValueError(f"zone: {(codes < 0).sum()} row(s) have no time zone")
    if len(uniques) == 1:
        yield str(uniques[0]), slice(None)
        return
    for i, name in enumerate(uniques):
        yield str(name), np.flatnonzero(codes == i)


def _clock(local_us: np.ndarray, calendar: WorkCalendar) -> tuple[np.ndarray, np.ndarray, DayTable]:
    """Working minutes since the table's start at each local time, the local day indexes, and the table."""
    day = local_us // DAY_US
    lo, hi = day.min(), day.max()
    table = calendar.table(_year(lo), _year(hi))
    idx = day - table.day0
    minute = (local_us - day * DAY_US) / MINUTE_US
    total = table.cum[idx]
    for starts, lengths in zip(table.starts, table.lengths, strict=True):
        part = minute - starts[idx]
        np.maximum(part, 0.0, out=part)
        np.minimum(part, lengths[idx], out=part)
        total += part
    return total, idx, table


def _year(day: np.int64) -> int:
    """The year of a day number since the epoch."""
    return (_EPOCH + dt.timedelta(days=int(day))).year


Measure = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, WorkCalendar], np.ndarray]


def _pairwise(
    received_utc: Times, later_utc: Times, zone: "pd.Series | str", calendar: WorkCalendar, measure: Measure
) -> pd.Series:
    """`measure` of every (receipt, later time) pair with both times present and in order; NaN for the others."""
    index = received_utc.index if isinstance(received_utc, pd.Series) else pd.RangeIndex(1)
    start, end = _utc_us(received_utc, index), _utc_us(later_utc, index)
    out = np.full(len(start), np.nan)
    for name, rows in _zone_groups(zone, len(start)):
        a, b = start[rows], end[rows]
        ok = (a != _NAT) & (b != _NAT) & (b >= a)
        if ok.any():
            a, b = a[ok], b[ok]
            part = out[rows]
            part[ok] = measure(a, b, _local_us(a, name), _local_us(b, name), calendar)
            out[rows] = part
    return pd.Series(out, index=index)


def _working(a: np.ndarray, b: np.ndarray, la: np.ndarray, lb: np.ndarray, calendar: WorkCalendar) -> np.ndarray:
    """Working minutes between the local times."""
    clock = _clock(np.concatenate([la, lb]), calendar)[0]
    # A clock set back inside working hours would replay minutes: working time never exceeds elapsed time.
    return np.clip(clock[len(la) :] - clock[: len(la)], 0.0, (b - a) / MINUTE_US)


def _elapsed(a: np.ndarray, b: np.ndarray, la: np.ndarray, lb: np.ndarray, calendar: WorkCalendar) -> np.ndarray:
    """Calendar minutes between the UTC times."""
    return (b - a) / MINUTE_US


def _workdays_between(
    a: np.ndarray, b: np.ndarray, la: np.ndarray, lb: np.ndarray, calendar: WorkCalendar
) -> np.ndarray:
    """Working days strictly after the local day of the receipt and strictly before the local day of the end."""
    _, idx, table = _clock(np.concatenate([la, lb]), calendar)
    first, last = idx[: len(la)], idx[len(la) :]
    return (table.workdays_before[last] - table.workdays_before[np.minimum(first + 1, last)]).astype("float64")


def working_minutes(
    received_utc: pd.Series, replied_utc: pd.Series, zone: "pd.Series | str", calendar: WorkCalendar
) -> pd.Series:
    """Working minutes from receipt to first reply, on local clocks of `zone`; NaN when unanswered."""
    return _pairwise(received_utc, replied_utc, zone, calendar, _working).rename("working_min")


def working_days_between(
    received_utc: pd.Series, replied_utc: pd.Series, zone: "pd.Series | str", calendar: WorkCalendar
) -> pd.Series:
    """Whole working days between the local day of receipt and that of the first reply; NaN when unanswered."""
    return _pairwise(received_utc, replied_utc, zone, calendar, _workdays_between).rename("working_days")


Unit = Literal["wh", "h", "wd"]
DEADLINE_PRESETS = ("8wh", "9wh", "24h", "1wd")
BACKLOG_BUCKETS = ("<1", "1-3", "3-7", ">7")


@dataclass(frozen=True)
class Deadline:
    """An answer deadline: `amount` working hours ("wh"), calendar hours ("h") or working days ("wd")."""

    amount: float
    unit: Unit

    @classmethod
    def parse(cls, text: str) -> "Deadline":
        """A deadline written like "8wh", "9wh", "24h", "1wd", "2.5h"."""
        m = re.fullmatch(r"(\d+(?:\.\d+)?)(wh|h|wd)", text.strip().lower().replace(" ", ""))
        if not m or float(m[1]) <= 0 or (m[2] == "wd" and not float(m[1]).is_integer()):
            raise ValueError(
                f"deadline {text!r}: write N working hours as 'Nwh' (8wh), N calendar hours as 'Nh' (24h), "
                "or N whole working days as 'Nwd' (1wd); N > 0"
            )
        return cls(float(m[1]), cast(Unit, m[2]))

    def __str__(self) -> str:
        """The deadline as written: "8wh"."""
        return f"{self.amount:g}{self.unit}"

    def within_timed(self, elapsed_min: pd.Series, work_min: pd.Series, work_days: pd.Series) -> pd.Series:
        """`_within` of replies already timed: 1.0 within the deadline, 0.0 past it, NaN where not timed."""
        if self.unit == "wd":
            return (work_days < self.amount).astype("float64").where(work_days.notna())
        minutes = work_min if self.unit == "wh" else elapsed_min
        return (minutes <= self.amount * 60).astype("float64").where(minutes.notna())

    def _within(self, received: Times, later: Times, zone: "pd.Series | str", calendar: WorkCalendar) -> pd.Series:
        """1.0 where `later` is within the deadline of the receipt, 0.0 where past it, NaN where not comparable."""
        if self.unit == "wd":
            passed = _pairwise(received, later, zone, calendar, _workdays_between)
            return (passed < self.amount).astype("float64").where(passed.notna())
        measure = _working if self.unit == "wh" else _elapsed
        minutes = _pairwise(received, later, zone, calendar, measure)
        return (minutes <= self.amount * 60).astype("float64").where(minutes.notna())


def deadline_met(
    received_utc: pd.Series,
    replied_utc: pd.Series,
    zone: "pd.Series | str",
    calendar: WorkCalendar,
    deadline: "str | Deadline",
    as_of: Times | None = None,
) -> pd.Series:
    """Whether each inquiry was answered within the deadline; <NA> while unanswered with the deadline still ahead."""
    rule = deadline if isinstance(deadline, Deadline) else Deadline.parse(deadline)
    index = received_utc.index
    met = rule._within(received_utc, replied_utc, zone, calendar).to_numpy()
    answered = _utc_us(replied_utc, index) != _NAT
    unknown = (_utc_us(received_utc, index) == _NAT) | (answered & np.isnan(met))
    if as_of is not None:
        # Only unanswered inquiries are judged at `as_of`: timing the others again would double the work.
        waiting = np.flatnonzero(~answered)
        now = np.full(len(index), np.nan)
        if len(waiting):
            rows = received_utc.iloc[waiting]
            zones = zone if isinstance(zone, str) else zone.iloc[waiting]
            now[waiting] = rule._within(rows, _take(as_of, waiting), zones, calendar).to_numpy()
        unknown |= ~answered & (now != 0.0)
    return pd.Series(pd.arrays.BooleanArray(met == 1.0, unknown), index=index, name=f"met_{rule}")


def backlog_age_working_days(
    received_utc: pd.Series, as_of: Times, zone: "pd.Series | str", calendar: WorkCalendar
) -> pd.Series:
    """Age of each inquiry at `as_of` in standard working days (working minutes ÷ `Week.day_minutes`)."""
    minutes = _pairwise(received_utc, as_of, zone, calendar, _working)
    return (minutes / calendar.week.day_minutes).rename("age_wd")


def backlog_bucket(age_working_days: pd.Series) -> pd.Series:
    """The backlog bucket of each age: <1, 1-3, 3-7 or >7 working days (lower bound included)."""
    bins = [0.0, 1.0, 3.0, 7.0, np.inf]
    return pd.cut(age_working_days, bins, right=False, labels=list(BACKLOG_BUCKETS))


def territory_calendars(territories: pd.DataFrame, schedules: Mapping[str, Week]) -> dict[str, WorkCalendar]:
    """Each territory's calendar: its country's holidays, the week of its nearest self-or-ancestor in `schedules`."""
    codes = territories["code"].tolist()
    parent = dict(zip(codes, territories["parent_code"].tolist(), strict=True))
    country = dict(zip(codes, territories["country_code"].tolist(), strict=True))
    # Each node's week is found once: the walk up stops at the first node already resolved.
    week_of: dict[str, Week | None] = {}
    shared: dict[tuple[str | None, Week | None], WorkCalendar] = {}
    out = {}
    for code in codes:
        path: list[str] = []
        node, week, seen = code, None, set()
        while isinstance(node, str) and node not in seen:
            if node in week_of:
                week = week_of[node]
                break
            if node in schedules:
                week = schedules[node]
                break
            path.append(node)
            seen.add(node)
            node = parent.get(node)
        for step in path:
            week_of[step] = week
        cc = country.get(code)
        key = (cc if isinstance(cc, str) else None, week)
        if key not in shared:
            shared[key] = WorkCalendar.for_country(*key)
        out[code] = shared[key]
    return out


@overload
def _take(times: None, rows: np.ndarray) -> None: ...
@overload
def _take(times: Times, rows: np.ndarray) -> Times: ...
def _take(times: Times | None, rows: np.ndarray) -> Times | None:
    """The given rows of per-row times; a single time as it is."""
    return times.iloc[rows] if isinstance(times, pd.Series) else times


@dataclass(frozen=True)
class Clocks:
    """Every territory's time zone and work calendar, to time inquiries of many territories at once."""

    zones: Mapping[str, str]
    calendars: Mapping[str, WorkCalendar] = field(default_factory=dict)

    @classmethod
    def from_frame(cls, territories: pd.DataFrame, schedules: Mapping[str, Week] | None = None) -> "Clocks":
        """Clocks of a territory frame (code, parent_code, timezone, country_code) and schedule overrides."""
        # Lists, not the columns: iterating pandas' string arrays value by value is slow for 20,000 territories.
        zones = dict(zip(territories["code"].tolist(), territories["timezone"].tolist(), strict=True))
        return cls(zones, territory_calendars(territories, schedules or {}))

    @classmethod
    def load(cls, conn: Connection, data_dir: Path) -> "Clocks":
        """Clocks of the registry in the database, with `<data_dir>/schedules.csv` applied."""
        t = Territory
        frame = read_frame(conn, select(t.code, t.parent_code, t.timezone, t.country_code), raw=True)
        return cls.from_frame(frame, read_schedules(data_dir / "schedules.csv", set(frame["code"].tolist())))

    def _split(self, territory: pd.Series) -> Iterator[tuple[np.ndarray, pd.Series, WorkCalendar]]:
        """Positions, time zones and calendar of the rows of each distinct calendar."""
        codes, codes_of = pd.factorize(territory)
        unknown = set(codes_of) - set(self.calendars) | ({"(none)"} if (codes < 0).any() else set())
        if unknown:
            raise ValueError(f"territory codes without a registry entry: {sorted(map(str, unknown))[:10]}")
        # Calendars and zones are looked up once per distinct territory, then spread to the rows by its code.
        ids: dict[WorkCalendar, int] = {}
        calendar_of = np.array([ids.setdefault(self.calendars[c], len(ids)) for c in codes_of], dtype="int64")
        zones = pd.Index(sorted({self.zones[c] for c in codes_of}))
        zone_of = zones.get_indexer(pd.Index([self.zones[c] for c in codes_of]))
        group = calendar_of[codes]
        for i, cal in enumerate(ids):
            rows = np.flatnonzero(group == i)
            if len(rows):
                yield rows, pd.Series(pd.Categorical.from_codes(zone_of[codes[rows]], zones)), cal

    def _each(
        self,
        territory: pd.Series,
        fn: Callable[[np.ndarray, pd.Series, WorkCalendar], pd.Series],
        boolean: bool = False,
    ) -> pd.Series:
        """`fn` applied to the rows of each calendar, put back in row order by position (nullable if `boolean`)."""
        values = np.zeros(len(territory), bool) if boolean else np.full(len(territory), np.nan)
        missing = np.ones(len(territory), bool)
        for rows, zone, cal in self._split(territory):
            part = fn(rows, zone, cal)
            values[rows] = part.to_numpy(dtype=bool, na_value=False) if boolean else part.to_numpy(dtype="float64")
            missing[rows] = part.isna().to_numpy()
        if boolean:
            return pd.Series(pd.arrays.BooleanArray(values, missing), index=territory.index)
        return pd.Series(values, index=territory.index)

    def working_minutes(self, received_utc: pd.Series, replied_utc: pd.Series, territory: pd.Series) -> pd.Series:
        """Working minutes from receipt to first reply of inquiries of the given territories."""
        return self._each(
            territory,
            lambda rows, zone, cal: working_minutes(received_utc.iloc[rows], replied_utc.iloc[rows], zone, cal),
        )

    def working_days_between(self, received_utc: pd.Series, replied_utc: pd.Series, territory: pd.Series) -> pd.Series:
        """Whole working days from the day of receipt to the day of first reply of inquiries of the territories."""
        return self._each(
            territory,
            lambda rows, zone, cal: working_days_between(received_utc.iloc[rows], replied_utc.iloc[rows], zone, cal),
        )

    def deadline_met(
        self,
        received_utc: pd.Series,
        replied_utc: pd.Series,
        territory: pd.Series,
        deadline: "str | Deadline",
        as_of: Times | None = None,
    ) -> pd.Series:
        """`deadline_met` for inquiries of the given territories."""
        rule = deadline if isinstance(deadline, Deadline) else Deadline.parse(deadline)
        return self._each(
            territory,
            lambda rows, zone, cal: deadline_met(
                received_utc.iloc[rows], replied_utc.iloc[rows], zone, cal, rule, _take(as_of, rows)
            ),
            boolean=True,
        )

    def backlog_age_working_days(self, received_utc: pd.Series, as_of: Times, territory: pd.Series) -> pd.Series:
        """`backlog_age_working_days` for inquiries of the given territories."""
        return self._each(
            territory,
            lambda rows, zone, cal: backlog_age_working_days(received_utc.iloc[rows], _take(as_of, rows), zone, cal),
        )
