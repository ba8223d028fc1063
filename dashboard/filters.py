"""The shared filters as one value, and its round trip through the URL's query string."""

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import NamedTuple

from dashboard.i18n import DEFAULT_LANGUAGE, LANGUAGES

PERIODS = ("7d", "30d", "90d", "quarter", "year", "custom")
LEVELS = ("region", "district", "settlement")
ROLES = ("head", "deputy", "body", "institution", "press_service")
DAYS = {"7d": 7, "30d": 30, "90d": 90}
# The URL keys the filters own; pages keep their own keys (account, ids, weights…) beside them.
KEYS = ("lang", "country", "region", "district", "level", "platform", "role", "period", "from", "to")


class Period(NamedTuple):
    """Local calendar days from `start` to `end`, both included."""

    start: dt.date
    end: dt.date

    @property
    def days(self) -> int:
        """Number of days in the period."""
        return (self.end - self.start).days + 1

    def previous(self) -> "Period":
        """The period of equal length just before this one."""
        return Period(self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1))

    def year_before(self) -> "Period":
        """The same calendar days a year earlier (29 February as the 28th)."""
        return Period(_year_back(self.start), _year_back(self.end))


class Scope(NamedTuple):
    """What the data is cut to: a territory's subtree (the ancestor column and code), platforms and owner roles."""

    parent: str
    column: str
    platforms: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class Filters:
    """The sidebar's choices; an empty tuple of platforms or roles means all of them."""

    lang: str = DEFAULT_LANGUAGE
    country: str = ""
    region: str = ""
    district: str = ""
    level: str = "region"
    platforms: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    period: str = "30d"
    start: dt.date | None = None
    end: dt.date | None = None

    @property
    def parent(self) -> str:
        """The narrowest territory chosen."""
        return self.district or self.region or self.country

    @property
    def parent_level(self) -> str:
        """The level of `parent`."""
        return "district" if self.district else "region" if self.region else "country"

    def levels(self) -> tuple[str, ...]:
        """The levels below the chosen territory (a district has settlements, a region districts and settlements)."""
        below = {"country": 0, "region": 1, "district": 2}[self.parent_level]
        return LEVELS[below:]

    @property
    def row_level(self) -> str:
        """The level asked for, or the first one possible under the chosen territory."""
        return self.level if self.level in self.levels() else self.levels()[0]

    def scope(self) -> Scope:
        """The data scope of these filters."""
        return Scope(self.parent, f"{self.parent_level}_code", self.platforms, self.roles)

    def span(self, last_day: dt.date, first_day: dt.date | None = None) -> Period:
        """The chosen period, its presets ending on `last_day` (the latest day with data)."""
        if self.period == "custom" and self.start and self.end:
            return Period(min(self.start, self.end), max(self.start, self.end))
        if self.period == "quarter":
            start = dt.date(last_day.year, 3 * ((last_day.month - 1) // 3) + 1, 1)
        elif self.period == "year":
            start = dt.date(last_day.year, 1, 1)
        else:
            start = last_day - dt.timedelta(days=DAYS.get(self.period, 30) - 1)
        if first_day is not None:
            start = max(start, min(first_day, last_day))
        return Period(start, last_day)

    def to_query(self) -> dict[str, str]:
        """The query-string parameters of these filters; defaults are left out."""
        out = {
            "lang": self.lang,
            "country": self.country,
            "region": self.region,
            "district": self.district,
            "level": self.level if self.level != "region" else "",
            "platform": ",".join(self.platforms),
            "role": ",".join(self.roles),
            "period": self.period if self.period != "30d" else "",
        }
        if self.period == "custom":
            out |= {
                "from": self.start.isoformat() if self.start else "",
                "to": self.end.isoformat() if self.end else "",
            }
        return {k: v for k, v in out.items() if v}

    @classmethod
    def from_query(cls, params: Mapping[str, str], default_lang: str = DEFAULT_LANGUAGE) -> "Filters":
        """Filters from query-string parameters; anything malformed falls back to its default."""

        def items(key: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
            values = [v.strip() for v in params.get(key, "").split(",") if v.strip()]
            return tuple(dict.fromkeys(v for v in values if allowed is None or v in allowed))

        lang = params.get("lang", "")
        level = params.get("level", "")
        period = params.get("period", "")
        f = cls(
            lang=lang if lang in LANGUAGES else default_lang,
            country=params.get("country", "").strip(),
            region=params.get("region", "").strip(),
            district=params.get("district", "").strip(),
            level=level if level in LEVELS else "region",
            platforms=items("platform"),
            roles=items("role", ROLES),
            period=period if period in PERIODS else "30d",
            start=_day(params.get("from")),
            end=_day(params.get("to")),
        )
        if f.period == "custom" and not (f.start and f.end):
            f = replace(f, period="30d", start=None, end=None)
        return f


def _year_back(day: dt.date) -> dt.date:
    leap_day = (day.month, day.day) == (2, 29)
    return day.replace(year=day.year - 1, day=28) if leap_day else day.replace(year=day.year - 1)


def _day(text: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text) if text else None
    except ValueError:
        return None
