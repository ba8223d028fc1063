"""Working weeks of territories: country defaults and the per-territory schedule file (schedules.csv)."""

import codecs
import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

Interval = tuple[int, int]
DayHours = tuple[Interval, ...]


def parse_hhmm(text: str) -> int:
    """Minutes since midnight of an "HH:MM" time between 00:00 and 24:00."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text.strip())
    if not m or int(m[2]) > 59 or int(m[1]) * 60 + int(m[2]) > 1440:
        raise ValueError(f"{text!r} is not a time HH:MM between 00:00 and 24:00")
    return int(m[1]) * 60 + int(m[2])


def day_hours(start: int, end: int, lunch: tuple[int, int] | None = None) -> DayHours:
    """A day's working intervals in minutes since midnight, with the lunch break cut out."""
    if not 0 <= start < end <= 1440:
        raise ValueError(f"the working day must end after it starts (got {_hhmm(start)}–{_hhmm(end)})")
    if lunch is None:
        return ((start, end),)
    if not start <= lunch[0] < lunch[1] <= end:
        raise ValueError(
            f"lunch {_hhmm(lunch[0])}–{_hhmm(lunch[1])} must end after it starts and lie within "
            f"{_hhmm(start)}–{_hhmm(end)}"
        )
    return tuple(iv for iv in ((start, lunch[0]), (lunch[1], end)) if iv[0] < iv[1])


def _hhmm(minutes: int) -> str:
    """Minutes since midnight written as HH:MM."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@dataclass(frozen=True)
class Week:
    """Working intervals of each ISO weekday (index 0 = Monday); an empty tuple is a day off."""

    days: tuple[DayHours, ...]

    def __hash__(self) -> int:
        return self._hash

    @cached_property
    def _hash(self) -> int:
        # Weeks key the calendars of tens of thousands of territories: hash the nested tuples once.
        return hash(self.days)

    @classmethod
    def office(
        cls,
        start: str = "09:00",
        end: str = "18:00",
        lunch: tuple[str, str] | None = ("13:00", "14:00"),
        weekdays: Collection[int] = (1, 2, 3, 4, 5),
    ) -> "Week":
        """The same hours on each of `weekdays` (1 = Monday … 7 = Sunday), the other days off."""
        brk = (parse_hhmm(lunch[0]), parse_hhmm(lunch[1])) if lunch else None
        hours = day_hours(parse_hhmm(start), parse_hhmm(end), brk)
        return cls(tuple(hours if d in weekdays else () for d in range(1, 8)))

    @property
    def transferred_day(self) -> DayHours:
        """Hours of a weekend day made working by decree: Monday's, or the first weekday that has hours."""
        return next((h for h in self.days if h), ())

    @property
    def day_minutes(self) -> int:
        """Minutes of a standard working day (the hours of `transferred_day`): the unit of ages in working days."""
        return sum(e - s for s, e in self.transferred_day)


STANDARD_WEEK = Week.office()
COUNTRY_WEEKS: dict[str, Week] = {"KZ": STANDARD_WEEK, "RU": STANDARD_WEEK}


class ScheduleError(ValueError):
    """A schedules.csv that breaks the format; `errors` holds (line, column, value, rule) for every problem."""

    def __init__(self, path: Path, errors: list[tuple[int, str, str, str]]) -> None:
        self.errors = errors
        shown = "\n".join(f"  line {ln}, column {col}: {val!r} — {rule}" for ln, col, val, rule in errors[:50])
        more = f"\n  … and {len(errors) - 50} more" if len(errors) > 50 else ""
        super().__init__(f"{path}: {len(errors)} error(s)\n{shown}{more}")


SCHEDULE_COLUMNS = ("territory_code", "weekday", "start", "end", "lunch_start", "lunch_end")
_NAMES = [
    ("monday", "пн", "понедельник"),
    ("tuesday", "вт", "вторник"),
    ("wednesday", "ср", "среда"),
    ("thursday", "чт", "четверг"),
    ("friday", "пт", "пятница"),
    ("saturday", "сб", "суббота"),
    ("sunday", "вс", "воскресенье"),
]
_WEEKDAYS = {name: i for i, names in enumerate(_NAMES, 1) for name in (*names, names[0][:3], str(i))}


def _weekdays(text: str) -> list[int]:
    """ISO weekdays named by "3", "wed", "ср", or an ascending range such as "1-5", "mon-fri" or "пн-пт"."""
    ends = [_WEEKDAYS.get(t.lower(), 0) for t in re.split(r"\s*[-–]\s*", text.strip())]
    if len(ends) in (1, 2) and all(ends) and ends[0] <= ends[-1]:
        return list(range(ends[0], ends[-1] + 1))
    raise ValueError("must be a weekday 1–7 (1 = Monday), mon…sun or пн…вс, or an ascending range like mon-fri")


def read_schedules(path: Path, known_territories: Collection[str] | None = None) -> dict[str, Week]:
    """The per-territory weeks of a schedules.csv, validated; {} when the file does not exist."""
    if not path.exists():
        return {}
    errors: list[tuple[int, str, str, str]] = []
    hours: dict[str, dict[int, tuple[DayHours, int]]] = {}
    with io.StringIO(_decode(path.read_bytes()), newline="") as f:
        header = f.readline()
        delimiter = max(",;\t", key=header.count)
        columns = [c.strip().lower() for c in next(csv.reader([header], delimiter=delimiter), [])]
        missing = [c for c in SCHEDULE_COLUMNS[:4] if c not in columns]
        unknown = [c for c in columns if c not in SCHEDULE_COLUMNS]
        errors += [(1, c, "", "required column is missing") for c in missing]
        errors += [(1, c, c, f"unknown column; expected {', '.join(SCHEDULE_COLUMNS)}") for c in unknown]
        if missing or unknown:
            raise ScheduleError(path, errors)
        for line, values in enumerate(csv.reader(f, delimiter=delimiter), start=2):
            if not any(v.strip() for v in values):
                continue
            row = dict(zip(columns, (v.strip() for v in values), strict=False))
            errors += _schedule_row(line, row, known_territories, hours)
    if errors:
        raise ScheduleError(path, errors)
    return {code: Week(tuple(days[d][0] if d in days else () for d in range(1, 8))) for code, days in hours.items()}


def _decode(raw: bytes) -> str:
    """Text of a small file saved by a spreadsheet: UTF-8 (with or without BOM), UTF-16 with BOM, or Windows-1251."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1251")


def _schedule_row(
    line: int,
    row: dict[str, str],
    known: Collection[str] | None,
    hours: dict[str, dict[int, tuple[DayHours, int]]],
) -> list[tuple[int, str, str, str]]:
    """Check one schedules.csv row and record its hours; the problems found."""
    errs: list[tuple[int, str, str, str]] = []
    code = row.get("territory_code", "")
    if not code:
        errs.append((line, "territory_code", code, "required: must not be empty"))
    elif known is not None and code not in known:
        errs.append((line, "territory_code", code, "no such territory in the registry"))
    days: list[int] = []
    try:
        days = _weekdays(row.get("weekday", ""))
    except ValueError as e:
        errs.append((line, "weekday", row.get("weekday", ""), str(e)))
    times: dict[str, int] = {}
    for col in SCHEDULE_COLUMNS[2:]:
        text = row.get(col, "")
        if text or col in ("start", "end"):
            try:
                times[col] = parse_hhmm(text)
            except ValueError:
                errs.append((line, col, text, "must be a time HH:MM between 00:00 and 24:00"))
    if ("lunch_start" in times) != ("lunch_end" in times) and not errs:
        col = "lunch_end" if "lunch_start" in times else "lunch_start"
        errs.append((line, col, "", "give both lunch_start and lunch_end, or neither"))
    if errs:
        return errs
    start, end = times["start"], times["end"]
    lunch = (times["lunch_start"], times["lunch_end"]) if "lunch_start" in times else None
    ls, le = lunch or (start, end)
    checks = [
        ("end", end <= start, f"must be after start {_hhmm(start)}"),
        ("lunch_start", ls < start, f"must not be before start {_hhmm(start)}"),
        ("lunch_end", le <= ls, f"must be after lunch_start {_hhmm(ls)}"),
        ("lunch_end", le > end, f"must not be after end {_hhmm(end)}"),
    ]
    for col, broken, rule in checks:
        if broken:
            return [(line, col, row[col], rule)]
    day = day_hours(start, end, lunch)
    seen = hours.setdefault(code, {})
    for d in days:
        if d in seen:
            errs.append(
                (line, "weekday", row["weekday"], f"weekday {d} of {code} is already given on line {seen[d][1]}")
            )
        else:
            seen[d] = (day, line)
    return errs
