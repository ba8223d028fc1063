"""Translations and number / date formatting for the dashboard's languages (catalogs in dashboard/locales)."""

import copy
import datetime as dt
import math
import tomllib
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd
from babel import Locale
from babel.dates import format_date, format_datetime, format_interval, get_day_names
from babel.numbers import format_compact_decimal, get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

LANGUAGES = {"ru": "Русский", "kk": "Қазақша", "en": "English"}
DEFAULT_LANGUAGE = "ru"
LOCALES = Path(__file__).with_name("locales")
DASH = "—"
# Cards show counts from a million in the short form: a four-card row has room for "8 792 873", not "10 079 712".
# Not from a thousand: Babel's Kazakh short form of hundreds of thousands is "250 м.", read as metres or millions.
SHORT_FROM = 1_000_000


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested TOML tables as dotted keys; a table of plural forms (one/few/many/other) stays a leaf."""
    out: dict[str, Any] = {}
    for key, value in tree.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict) and not set(value) <= {"zero", "one", "two", "few", "many", "other"}:
            out.update(_flatten(value, name + "."))
        else:
            out[name] = value
    return out


@cache
def catalog(lang: str) -> dict[str, Any]:
    """Every message of a language, by dotted key."""
    return _flatten(tomllib.loads((LOCALES / f"{lang}.toml").read_text(encoding="utf-8")))


def pick_language(wanted: str | None, browser_locale: str | None = None) -> str:
    """`wanted` if it is a known language, else the browser's language if known, else the default."""
    for candidate in (wanted, (browser_locale or "")[:2].lower()):
        if candidate in LANGUAGES:
            return str(candidate)
    return DEFAULT_LANGUAGE


def name_column(lang: str) -> str:
    """The territory table's column of names in `lang` (Russian for a language without its own)."""
    return {"en": "name_en", "kk": "name_kk"}.get(lang, "name_ru")


def territory_names(places: pd.DataFrame, lang: str) -> pd.Series:
    """Territory names in `lang`, by the rows of `places`; the Russian name where a territory has none in `lang`."""
    names = places[name_column(lang)]
    if names.name == "name_ru":
        return names
    blank = names.isna() | (names.astype("string").str.strip() == "")
    return names.where(~blank, places["name_ru"])


def _missing(value: Any) -> bool:
    """Whether a value is empty: None, NaN, NaT or pandas' NA."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _three_digits(value: float) -> tuple[float, int]:
    """A count of 1,000 or more (or less than -1,000) rounded to three significant digits, and the fraction digits
    its compact form needs: 10,079,712 → (10,100,000, 1), as '10,1 млн'."""
    magnitude = 10 ** (int(math.log10(abs(value))) - 2)
    rounded = round(value / magnitude) * magnitude
    exponent = int(math.log10(abs(rounded)))
    scaled = round(rounded / 10 ** (exponent - exponent % 3), 2)
    # Only the digits that are there: a whole "25 тысяч" takes the plural of a whole number, not "25,0 тысячи".
    return rounded, 0 if scaled == int(scaled) else 1 if round(scaled, 1) == scaled else 2


class Tr:
    """Messages and formats of one language: `tr("key", n=3)`, `tr.num(8513)` → '8 513' or '8,513'."""

    def __init__(self, lang: str) -> None:
        self.lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
        self.messages = catalog(self.lang)
        self.locale = Locale.parse(self.lang)
        # Python's own grouping and rounding (half to even, as Babel's) with the language's marks: the same text as
        # Babel's format_decimal, five times faster (tables format every cell).
        marks = (get_group_symbol(self.locale), get_decimal_symbol(self.locale), get_minus_sign_symbol(self.locale))
        self._marks = str.maketrans(dict(zip(",.-", marks, strict=True)))

    def __call__(self, key: str, **values: Any) -> str:
        """The message `key` with `values` filled in; the key itself when no catalog has it."""
        text = self.messages.get(key) or catalog("en").get(key) or key
        if isinstance(text, dict):
            text = text.get("other", key)
        return str(text).format(**values) if values else str(text)

    def in_country(self, country: str) -> "Tr":
        """This translator speaking of `country`'s pages in its own terms (госметка is Russian: Kazakh pages are
        verified by the platform); itself when the catalog has no such terms."""
        prefix = f"country.{country}."
        terms = {k[len(prefix) :]: v for k, v in self.messages.items() if country and k.startswith(prefix)}
        if not terms:
            return self
        local = copy.copy(self)
        local.messages = self.messages | terms
        return local

    def label(self, group: str, value: Any) -> str:
        """The translated label of a data value (a platform, role, topic…), or the value itself when unknown."""
        if _missing(value) or value == "":
            return DASH
        return str(self.messages.get(f"{group}.{value}") or catalog("en").get(f"{group}.{value}") or value)

    def plural(self, key: str, count: int, **values: Any) -> str:
        """The plural form of `key` that fits `count` ({n} is the formatted count)."""
        forms = self.messages.get(key) or catalog("en").get(key) or {}
        text = forms.get(self.locale.plural_form(abs(count)), forms.get("other", key)) if forms else key
        return str(text).format(n=self.num(count), **values)

    def num(self, value: Any, digits: int = 0) -> str:
        """A number with the language's digit grouping and decimal mark; a dash when empty."""
        if _missing(value):
            return DASH
        number = Decimal(repr(float(value))) if digits else round(float(value))
        return f"{number:,.{digits}f}".translate(self._marks)

    def compact(self, value: Any) -> str:
        """A large count in words to three significant digits, as a sentence tells it ('1,12 миллиона', '84.3
        thousand'); counts under 10,000 exactly."""
        if _missing(value):
            return DASH
        if abs(float(value)) < 10_000:
            return self.num(value)
        rounded, digits = _three_digits(float(value))
        return format_compact_decimal(rounded, format_type="long", locale=self.locale, fraction_digits=digits)

    def short(self, value: Any, sign: bool = False) -> str:
        """A count as a KPI card shows it: exactly under a million ('8 792 873'), else to three significant digits
        in the language's short form ('10,1 млн', '10.1M'); with its sign ('+1,2 млн', '±0') when `sign`."""
        if _missing(value):
            return DASH
        if abs(round(float(value))) < SHORT_FROM:
            return self.signed(value) if sign else self.num(value)
        rounded, digits = _three_digits(abs(float(value)))
        text = format_compact_decimal(rounded, format_type="short", locale=self.locale, fraction_digits=digits)
        return ("+" if value > 0 else "−") + text if sign or value < 0 else text

    def pct(self, value: Any, digits: int = 1) -> str:
        """A percentage already multiplied by 100: '12,5 %' or '12.5%'."""
        if _missing(value):
            return DASH
        return self("fmt.pct", value=self.num(value, digits))

    def signed(self, value: Any, digits: int = 0, unit: str = "") -> str:
        """A change with its sign: '+1 200', '−4,5 п. п.'."""
        if _missing(value):
            return DASH
        # The sign of the number shown: a change that rounds to zero is no change (no arrow, no colour).
        shown = round(float(value), digits)
        sign = "+" if shown > 0 else ("−" if shown < 0 else "±")
        text = sign + self.num(abs(value), digits)
        return f"{text} {unit}" if unit else text

    def signed_minutes(self, value: Any) -> str:
        """A change of a duration in the unit of its size: '−4,9 ч', '+15 мин', '±0 мин'."""
        if _missing(value):
            return DASH
        if round(abs(value)) == 0:
            return "±" + self.minutes(0)
        return ("+" if value > 0 else "−") + self.minutes(abs(value))

    def approx(self, shown: str) -> str:
        """A shown figure marked approximate ("≈ 45 min"); a dash stays a dash."""
        return shown if shown == DASH else self("fmt.approx", value=shown)

    def minutes(self, value: Any) -> str:
        """A duration in minutes as minutes, hours or days."""
        if _missing(value):
            return DASH
        if value < 60:
            return self("fmt.min", value=self.num(value, 0))
        if value < 48 * 60:
            return self("fmt.hours", value=self.num(value / 60, 1))
        return self("fmt.days", value=self.num(value / 1440, 1))

    def date(self, day: Any) -> str:
        """A date: '22 нояб. 2026', '22 Nov 2026'; a dash when empty."""
        return DASH if _missing(day) else str(format_date(day, "d MMM y", locale=self.locale))

    def moment(self, when: Any) -> str:
        """A day and time of day, as it was (no time zone applied): '22 нояб., 14:05', '22 Nov, 14:05'; a dash
        when empty."""
        return DASH if _missing(when) else str(format_datetime(when, "d MMM, HH:mm", locale=self.locale))

    def weekdays(self) -> list[str]:
        """The weekdays' short names, Monday first: 'Пн' … 'Вс', 'Mon' … 'Sun'."""
        names = get_day_names("abbreviated", locale=self.locale)
        return [str(names[day])[:1].upper() + str(names[day])[1:] for day in range(7)]

    def span(self, first: dt.date, last: dt.date) -> str:
        """A date range: '1–22 нояб. 2026 г.', 'Nov 1 – 22, 2026'."""
        if first == last:
            return self.date(first)
        return str(format_interval(first, last, "yMMMd", locale=self.locale))

    @property
    def separators(self) -> str:
        """Plotly's `separators`: the decimal mark, then the thousands separator (a space for Babel's no-break one)."""
        decimal, group = get_decimal_symbol(self.locale), get_group_symbol(self.locale)
        return decimal + (" " if group.isspace() else group)

    @property
    def date_axis(self) -> str:
        """The d3 date format of chart axes (numeric but in English: plotly's month names are English)."""
        return "%b %d, %Y" if self.lang == "en" else "%d.%m.%y"

    @property
    def month_axis(self) -> str:
        """The d3 format of month ticks (numeric but in English, as `date_axis`)."""
        return "%b %Y" if self.lang == "en" else "%m.%Y"


@cache
def translator(lang: str) -> Tr:
    """The shared translator of a language."""
    return Tr(lang)
