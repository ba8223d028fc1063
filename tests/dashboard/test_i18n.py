"""The Russian and English catalogs say the same things, and numbers and dates are written the language's way."""

import datetime as dt
import re
import string
from pathlib import Path

import pytest

from dashboard.filters import LEVELS, PERIODS, ROLES
from dashboard.i18n import LANGUAGES, Tr, catalog, pick_language
from dashboard.ranking import COMPONENTS
from etl.ingest.contract import kinds
from etl.metrics.worktime import BACKLOG_BUCKETS, DEADLINE_PRESETS

DASHBOARD = Path(__file__).parents[2] / "dashboard"
# The modules that speak through the main catalogs (the briefing exports keep their own, in locales/briefing).
SPEAKERS = ["app.py", "cards.py", "charts.py", "ranking.py", "sidebar.py", "ui.py", "uploads.py", "app_pages/*.py"]


def fields(text: object) -> set[str]:
    """The {placeholders} of a message (or of all its plural forms)."""
    texts = text.values() if isinstance(text, dict) else [text]
    return {name for t in texts for _, name, _, _ in string.Formatter().parse(str(t)) if name}


def test_catalogs_have_the_same_keys_and_placeholders() -> None:
    """Every message exists in both languages with the same placeholders."""
    ru, en = catalog("ru"), catalog("en")
    assert set(ru) == set(en), set(ru) ^ set(en)
    for key in en:
        assert fields(ru[key]) == fields(en[key]), key


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
    """8 513 in Russian (non-breaking space, decimal comma), 8,513 in English."""
    ru, en = Tr("ru"), Tr("en")
    assert ru.num(8513) == "8\xa0513" and en.num(8513) == "8,513"
    assert ru.num(1234.5, 1) == "1\xa0234,5" and en.num(1234.5, 1) == "1,234.5"
    assert ru.pct(12.34) == "12,3 %" and en.pct(12.34) == "12.3%"
    assert ru.signed(-4) == "−4" and en.signed(1200) == "+1,200" and en.signed(0) == "±0"
    assert ru.num(None) == ru.num(float("nan")) == ru.pct(None) == "—"


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


def test_dates_and_durations_follow_the_language() -> None:
    """Dates and reply times are written in the language."""
    ru, en = Tr("ru"), Tr("en")
    day = dt.date(2026, 11, 22)
    assert ru.date(day) == "22 нояб. 2026" and en.date(day) == "22 Nov 2026"
    assert "нояб." in ru.span(dt.date(2026, 11, 1), day) and "Nov" in en.span(dt.date(2026, 11, 1), day)
    assert ru.minutes(45) == "45 мин" and en.minutes(90) == "1.5 h" and ru.minutes(4320) == "3,0 дн."
    assert ru.date(None) == "—"


def test_plural_forms() -> None:
    """Russian counts take their plural forms: 1 место, 3 места, 5 мест, 21 место."""
    ru, en = Tr("ru"), Tr("en")
    assert [ru.plural("rank.places", n) for n in (1, 3, 5, 21)] == ["место", "места", "мест", "место"]
    assert [en.plural("rank.places", n) for n in (1, 4)] == ["place", "places"]


def test_language_from_the_url_then_the_browser() -> None:
    """The URL's language wins; else the browser's (ru-RU, en-US); else Russian."""
    assert pick_language("en", "ru-RU") == "en"
    assert pick_language(None, "en-US") == "en"
    assert pick_language("de", "de-DE") == "ru"
    assert pick_language(None, None) == "ru"


def test_data_values_get_labels_or_stay_as_they_are() -> None:
    """Known values are translated; unknown ones are shown as they are."""
    assert Tr("ru").label("topic", "roads") == "Дороги"
    assert Tr("ru").label("topic", "bridges") == "bridges"
    assert Tr("en").label("platform", None) == "—"
