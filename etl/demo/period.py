"""Day numbers, periods and working calendars: the time the simulation runs in."""

from __future__ import annotations

import calendar
import datetime as dt
import functools
from dataclasses import dataclass

import holidays
import numpy as np

EPOCH = dt.date(1970, 1, 1)
DAY_SECONDS = 86_400


def day_number(d: dt.date) -> int:
    """Days since 1970-01-01."""
    return (d - EPOCH).days


def date_of(day: int) -> dt.date:
    """Date of a day number."""
    return EPOCH + dt.timedelta(days=int(day))


def months_before(end: dt.date, months: int) -> dt.date:
    """First day of the period of `months` months that ends on `end`."""
    y, m = divmod(end.year * 12 + end.month - 1 - months, 12)
    day = min(end.day, calendar.monthrange(y, m + 1)[1])
    return dt.date(y, m + 1, day) + dt.timedelta(days=1)


def stamp(seconds: np.ndarray) -> np.ndarray:
    """ISO local wall time without offset."""
    return np.datetime_as_string(seconds.astype("datetime64[s]"), unit="s")


def date_between(rng: np.random.Generator, first: str, last: str) -> dt.date:
    """A date drawn uniformly between two ISO dates."""
    a, days = _span(first, last)
    return a + dt.timedelta(days=int(rng.integers(0, days)))


@functools.cache
def _span(first: str, last: str) -> tuple[dt.date, int]:
    """The first date and the number of dates from one ISO date to another."""
    a, b = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    return a, (b - a).days + 1


def granted_mark(rng: np.random.Generator, share: float) -> str:
    """An official mark granted in 2023–2024 to `share` of pages, else none."""
    return date_between(rng, "2023-01-15", "2024-06-30").isoformat() if rng.random() < share else "0"


class WorkCalendar:
    """Working minutes of a country (Mon–Fri 09:00–18:00, lunch 13–14, no holidays) over the period."""

    def __init__(self, country: str, first_day: int, last_day: int) -> None:
        day_numbers = np.arange(first_day, last_day + 1)
        years = range(date_of(first_day).year, date_of(last_day).year + 1)
        off = [(d - EPOCH).days for d in holidays.country_holidays(country, years=years)]
        work_day = ((day_numbers + 3) % 7 < 5) & ~np.isin(day_numbers, off)
        minute = np.arange(1440)
        work_minute = ((minute >= 540) & (minute < 780)) | ((minute >= 840) & (minute < 1080))
        self.mask = (work_day[:, None] & work_minute[None, :]).ravel()
        self.cum = np.cumsum(self.mask, dtype=np.int64)
        self.origin = first_day * DAY_SECONDS

    def after(self, received: np.ndarray, minutes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The moment `minutes` working minutes after each received time; -1 past the calendar."""
        m = (received - self.origin) // 60
        target = self.cum[m] - self.mask[m] + minutes
        at = np.searchsorted(self.cum, target, side="left")
        inside = at < self.cum.size
        moment = self.origin + at * 60 + rng.integers(0, 60, at.size)
        return np.where(inside, moment, -1)


@dataclass(frozen=True)
class Context:
    """What every page's simulation shares."""

    seed: int
    start_day: int
    end_day: int
    outage: np.ndarray
    calendars: dict[str, WorkCalendar]
    # National scale: every page is snapshotted every day (no weekly collection), so rows = pages × days.
    every_day: bool = False

    @property
    def end_ts(self) -> int:
        """Last second of the end day."""
        return self.end_day * DAY_SECONDS + DAY_SECONDS - 1
