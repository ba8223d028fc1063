"""The catalogs of every language say the same things, and numbers and dates are written the language's way."""

import datetime as dt
import re
import string
from pathlib import Path

import pandas as pd
import pytest
from babel import Locale

from dashboard.exports import _briefing_catalog
from dashboard.filters import LEVELS, PERIODS, ROLES
from dashboard.i18n import LANGUAGES, Tr, catalog, name_column, pick_language, territory_names
from dashboard.ranking import COMPONENTS
from etl.ingest.contract import kinds
from etl.metrics.worktime import BACKLOG_BUCKETS, DEADLINE_PRESETS

DASHBOARD = Path(__file__).parents[2] / "dashboard"
# The modules that speak through the main catalogs (the briefing exports keep their own, in locales/briefing).
SPEAKERS = [
    "app.py",
    "cards.py",
    "charts.py",
    "ranking.py",
    "sidebar.py",
    "ui.py",
    "uploads.py",
    "delivery_ui.py",
    "app_pages/*.py",
]


def fields(text: object) -> set[str]:
    """The {placeholders} of a message (or of all its plural forms)."""
    texts = text.values() if isinstance(text, dict) else [text]
    return {name for t in texts for _, name, _, _ in string.Formatter().parse(str(t)) if name}


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    """Every message exists in every language with the same placeholders and the same Markdown."""
    en = catalog("en")
    for lang in LANGUAGES:
        messages = catalog(lang)
        assert set(messages) == set(en), (lang, set(messages) ^ set(en))
        for key in en:
            assert fields(messages[key]) == fields(en[key]), (lang, key)
            assert str(messages[key]).count("**") == str(en[key]).count("**"), (lang, key)


def test_plural_tables_have_the_forms_of_their_language() -> None:
    """A count's message has every plural form the language's rules pick (Kazakh: one, other)."""
    for lang in LANGUAGES:
        tags = Locale.parse(lang).plural_form.tags | {"other"}
        tables = {key: value for key, value in catalog(lang).items() if isinstance(value, dict)}
        assert tables, lang
        for key, forms in tables.items():
            assert tags <= set(forms), (lang, key, tags - set(forms))


# Latin words a Kazakh message may hold: names of platforms, formats and tools, units, identifiers.
LATIN_IN_KAZAKH = {
    "ER", "PNG", "SVG", "CSV", "Excel", "PPTX", "PDF", "Instagram", "Telegram", "VK", "Facebook", "MAX", "OK",
    "YouTube", "TikTok", "Threads", "Reels", "X", "Twitter", "UTC", "p90", "govpulse", "id", "Id", "URL", "API",
    "CrowdTangle", "UTF", "cp1251", "Chromium", "Chrome", "BROWSER_PATH", "n", "NUL",
}  # fmt: skip
# Not words: code (`govpulse load`), command options (--load), placeholders, document paths (docs/metrics.md).
NOT_WORDS = re.compile(r"`[^`]*`|--[a-z-]+|\{[^}]*\}|docs/[\w./-]+")


def test_kazakh_is_written_in_cyrillic() -> None:
    """Every Kazakh message is Cyrillic but for names of platforms, formats and units; no "госметка" anywhere."""
    messages = catalog("kk") | _briefing_catalog("kk")
    for key, message in messages.items():
        if key == "fmt.date_input":  # the date picker's format code
            continue
        for text in message.values() if isinstance(message, dict) else [message]:
            latin = set(re.findall(r"[A-Za-z][A-Za-z0-9_]*", NOT_WORDS.sub(" ", str(text)))) - LATIN_IN_KAZAKH
            assert not latin, (key, latin)
            assert "госметк" not in str(text).lower() and "госпаблик" not in str(text).lower(), key
    assert sum(bool(re.search("[әғқңөұүһі]", str(m))) for m in messages.values()) > len(messages) / 2


def test_every_message_the_code_asks_for_exists() -> None:
    """Each literal message key in the dashboard's code is in the catalogs."""
    used = set()
    for path in (p for pattern in SPEAKERS for p in DASHBOARD.glob(pattern)):
        used |= set(re.findall(r"""\btr\(\s*"([a-z_0-9]+\.[a-z_0-9.]+)\"""", path.read_text(encoding="utf-8")))
        used |= set(re.findall(r"""\("((?:col|unit|kpi|empty)\.[a-z_0-9]+)\"""", path.read_text(encoding="utf-8")))
    missing = sorted(k for k in used if k not in catalog("en"))
    assert not missing


@pytest.mark.parametrize(
    "group, values",
    [
        ("role", ROLES),
        ("period", PERIODS),
        ("level", LEVELS),
        ("component", tuple(COMPONENTS)),
        ("bucket", BACKLOG_BUCKETS),
        ("deadline", DEADLINE_PRESETS),
        ("who", ("owner", "press_service", "other", "nobody")),
        ("stage", ("required", "existing", "verified", "active", "answering")),
        ("platform", kinds()["accounts"].fields[0].enum or ()),
    ],
)
def test_every_choice_has_a_label(group: str, values: tuple[str, ...]) -> None:
    """Every option the filters and pages offer has a label in both languages."""
    for lang in LANGUAGES:
        for value in values:
            assert f"{group}.{value}" in catalog(lang), (lang, group, value)


def test_numbers_follow_the_language() -> None:
    """8 513 in Russian and Kazakh (non-breaking space, decimal comma), 8,513 in English."""
    ru, kk, en = Tr("ru"), Tr("kk"), Tr("en")
    assert ru.num(8513) == kk.num(8513) == "8\xa0513" and en.num(8513) == "8,513"
    assert ru.num(1234.5, 1) == kk.num(1234.5, 1) == "1\xa0234,5" and en.num(1234.5, 1) == "1,234.5"
    assert ru.pct(12.34) == "12,3 %" and en.pct(12.34) == "12.3%" and kk.pct(12.34) == "12,3%"
    assert kk.signed(-4.25, 1) == "−4,2" and kk.minutes(90) == "1,5 сағ"
    assert ru.separators == kk.separators == ", " and en.separators == ".,"
    assert ru.date_axis == kk.date_axis == "%d.%m.%y" and kk.month_axis == "%m.%Y" and en.month_axis == "%b %Y"
    assert ru.signed(-4) == "−4" and en.signed(1200) == "+1,200" and en.signed(0) == "±0"
    assert ru.num(None) == ru.num(float("nan")) == ru.pct(None) == "—"


def test_a_card_tells_counts_from_a_million_short() -> None:
    """Exactly under a million; from a million in the language's short form to three significant digits, rounded up
    into the next unit (999,999,999 is 1 млрд, not 1000 млн), with its sign when asked; never Kazakh's "м." of
    hundreds of thousands."""
    ru, kk, en = Tr("ru"), Tr("kk"), Tr("en")
    assert ru.short(999_999) == kk.short(999_999) == "999\xa0999" and en.short(999_999) == "999,999"
    assert ru.short(10_079_712) == kk.short(10_079_712) == "10,1\xa0млн" and en.short(10_079_712) == "10.1M"
    assert [en.short(v) for v in (1_000_000, 1_234_567, 123_456_789, 999_999_999, 2.5e9)] == [
        "1M", "1.23M", "123M", "1B", "2.5B",
    ]  # fmt: skip
    assert ru.short(999_999_999) == "1\xa0млрд" and kk.short(2_500_000_000) == "2,5\xa0млрд"
    assert kk.short(138_732, sign=True) == "+138\xa0732" and en.short(-1_234_567, sign=True) == "−1.23M"
    assert ru.short(1_500_000, sign=True) == "+1,5\xa0млн" and en.short(0, sign=True) == "±0"
    assert ru.short(None) == en.short(float("nan"), sign=True) == "—"
    assert not any(" м." in kk.short(v).replace("\xa0", " ") for v in (120_000, 999_999, 1_200_000, 7.5e8))


def test_changes_are_told_as_a_person_reads_them() -> None:
    """A change that rounds to zero has no sign; a duration's change is in the unit of its size."""
    ru, en = Tr("ru"), Tr("en")
    assert en.signed(0.04, 1, "pp") == "±0.0 pp" and en.signed(-0.04, 1) == "±0.0" and en.signed(0.06, 1) == "+0.1"
    assert ru.signed_minutes(-296) == "−4,9 ч" and en.signed_minutes(15) == "+15 min"
    assert en.signed_minutes(0.3) == "±0 min" and en.signed_minutes(-3000) == "−2.1 d"


def test_country_terms() -> None:
    """Kazakh pages are verified, not "with госметка"; Russia keeps its term; other countries the default."""
    ru = Tr("ru")
    assert ru("kpi.coverage") == ru.in_country("RU")("kpi.coverage") == "Охват госметкой"
    assert "госметк" not in ru.in_country("KZ")("kpi.coverage") + ru.in_country("KZ")("coverage.unverified")
    assert ru.in_country("") is ru
    kk = Tr("kk")
    assert kk("kpi.coverage") == kk.in_country("RU")("kpi.coverage") == "Мемлекеттік белгімен қамту"
    assert "верификация" in kk.in_country("KZ")("kpi.coverage").lower()
    assert "верификацияланбаған" in kk.in_country("KZ")("coverage.unverified").lower()


def test_dates_and_durations_follow_the_language() -> None:
    """Dates and reply times are written in the language."""
    ru, en = Tr("ru"), Tr("en")
    day = dt.date(2026, 11, 22)
    assert ru.date(day) == "22 нояб. 2026" and en.date(day) == "22 Nov 2026"
    assert "нояб." in ru.span(dt.date(2026, 11, 1), day) and "Nov" in en.span(dt.date(2026, 11, 1), day)
    assert ru.minutes(45) == "45 мин" and en.minutes(90) == "1.5 h" and ru.minutes(4320) == "3,0 дн."
    assert ru.date(None) == "—"
    kk = Tr("kk")
    assert kk.date(day) == "22 қар. 2026" and "қар." in kk.span(dt.date(2026, 11, 1), day)
    assert kk.minutes(45) == "45 мин" and kk.minutes(4320) == "3,0 күн"


def test_plural_forms() -> None:
    """Russian counts take their plural forms: 1 место, 3 места, 5 мест, 21 место."""
    ru, en = Tr("ru"), Tr("en")
    assert [ru.plural("rank.places", n) for n in (1, 3, 5, 21)] == ["место", "места", "мест", "место"]
    assert [en.plural("rank.places", n) for n in (1, 4)] == ["place", "places"]
    assert [Tr("kk").plural("rank.places", n) for n in (1, 3, 5)] == ["орын"] * 3


def test_language_from_the_url_then_the_browser() -> None:
    """The URL's language wins; else the browser's (ru-RU, en-US); else Russian."""
    assert pick_language("en", "ru-RU") == "en"
    assert pick_language(None, "en-US") == "en"
    assert pick_language("de", "de-DE") == "ru"
    assert pick_language(None, None) == "ru"
    assert pick_language("kk", "ru-RU") == "kk" and pick_language(None, "kk-KZ") == "kk"


def test_territory_names_fall_back_to_russian() -> None:
    """A territory without a Kazakh name is named in Russian; English and Russian take their own column."""
    places = pd.DataFrame(
        {
            "name_ru": ["Костанайская область", "Алтайский край", "Тест"],
            "name_en": ["Kostanay Region", "Altai Krai", "Test"],
            "name_kk": ["Қостанай облысы", None, " "],
        },
        index=["KZ-KUS", "RU-ALT", "XX"],
    )
    assert list(territory_names(places, "kk")) == ["Қостанай облысы", "Алтайский край", "Тест"]
    assert list(territory_names(places, "en")) == ["Kostanay Region", "Altai Krai", "Test"]
    assert list(territory_names(places, "ru")) == list(places["name_ru"])
    assert [name_column(lang) for lang in ("ru", "kk", "en", "xx")] == ["name_ru", "name_kk", "name_en", "name_ru"]


def test_data_values_get_labels_or_stay_as_they_are() -> None:
    """Known values are translated; unknown ones are shown as they are."""
    assert Tr("ru").label("topic", "roads") == "Дороги"
    assert Tr("ru").label("topic", "bridges") == "bridges"
    assert Tr("en").label("platform", None) == "—"
