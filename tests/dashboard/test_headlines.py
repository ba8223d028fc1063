"""Headline sentences written from the numbers, in Russian and English, with the languages' number formats."""

from dashboard.exports import translator
from dashboard.headlines import clause, headlines


def nb(text: str) -> str:
    """The text with no-break spaces, as headlines keep numbers and units together."""
    return text.replace(" ", "\u00a0")


def test_headline_example_of_the_issue() -> None:
    """Counts change in %, shares in percentage points, numbers formatted by the language."""
    now, before = {"followers": 84_312, "response": 71.0}, {"followers": 75_280, "response": 77.0}
    assert headlines(translator("ru"), now, before) == [
        f"Подписчики выросли на {nb('12 %')} до {nb('84,3 тысячи')}; "
        f"доля ответов упала на {nb('6 п. п.')} до {nb('71 %')}."
    ]
    assert headlines(translator("en"), now, before) == [
        f"Followers grew 12% to {nb('84.3 thousand')}; the response rate fell {nb('6 pp')} to 71%."
    ]


def test_headline_clauses() -> None:
    """Changes below 10 keep a decimal unless whole, no change says so, no previous value gives the value, no value
    says nothing; durations are told in minutes or hours, large counts to three digits."""
    ru, en = translator("ru"), translator("en")
    assert clause(ru, "within", 64.0, 64.4) == f"доля ответов в срок упала на {nb('0,4 п. п.')} до {nb('64 %')}"
    assert clause(ru, "response", 69.5, 67.1) == f"доля ответов выросла на {nb('2,4 п. п.')} до {nb('69,5 %')}"
    assert clause(ru, "followers", 950, 950) == "число подписчиков не изменилось: 950"
    assert clause(en, "followers", 1_000, 0) == "followers: 1,000"
    assert clause(en, "response", 8.25, None) == "response rate: 8.2%"
    assert clause(en, "response", None, 70) is None
    assert clause(ru, "reply_median", 45, 60) == "медианное время ответа сократилось на 15\xa0мин до 45\xa0мин"
    assert clause(en, "reply_median", 180, 120) == "the median reply time grew 1.0\xa0h to 3.0\xa0h"
    assert clause(en, "posts_per_week", 1.52, 1.5) == "posting rose 1.3% to 1.5 posts per page a week"
    assert clause(ru, "followers", 1_234_567, 1_000_000) == "подписчики выросли на 23,5\xa0% до 1,23\xa0миллиона"
    assert clause(ru, "response", 71.0, 83.3) == f"доля ответов упала на {nb('12,3 п. п.')} до {nb('71 %')}"


def test_a_headline_says_the_figure_of_its_card() -> None:
    """Followers change by the period's growth (the Growth card), not against the previous period's end: a card of
    0.9 % and a sentence of "1 %" cannot meet on one slide."""
    now, before = {"followers": 84_312, "growth": 0.9}, {"followers": 83_300}
    [sentence] = headlines(translator("ru"), now, before)
    assert sentence == f"Подписчики выросли на {nb('0,9 %')} до {nb('84,3 тысячи')}."


def test_headlines_skip_metrics_without_values() -> None:
    """A sentence is made of the clauses that have values; a sentence without any is left out."""
    sentences = headlines(translator("en"), {"coverage": 75.0, "response": None}, {})
    assert sentences == ["Required pages with the verification mark: 75%."]
    assert headlines(translator("en"), {"coverage": 14.1}, {"coverage": 14.1}) == [
        "The share of required pages with the verification mark held at 14.1%."
    ]


def test_engagement_is_told_in_hundredths_as_its_card() -> None:
    """The digest's fifth sentence tells engagement with two decimals, as the card shows it; a change under a
    hundredth of a point is no change."""
    ru, en = translator("ru"), translator("en")
    assert clause(en, "er", 0.97, 1.03) == f"engagement fell {nb('0.06 pp')} to 0.97%"
    assert clause(ru, "er", 1.2, 0.954) == f"вовлечённость выросла на {nb('0,25 п. п.')} до {nb('1,20 %')}"
    assert clause(ru, "er", 0.971, 0.974) == f"вовлечённость не изменилась: {nb('0,97 %')}"
    assert headlines(en, {"er": 0.5}, {}, (("er",),)) == ["Engagement: 0.50%."]
