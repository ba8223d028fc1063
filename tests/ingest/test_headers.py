"""Header rows as offices write them: known names of every column, platform names, and the user's own mapping."""

from collections import defaultdict

import pytest

from etl.ingest.contract import kinds
from etl.ingest.headers import (
    ALIASES,
    MappingError,
    best_header,
    key,
    parse_mapping,
    platform_value,
    read_header,
)


def test_every_column_has_russian_english_and_kazakh_names() -> None:
    """Each column of each kind is known by at least one Russian, English and Kazakh header."""
    columns = {f.name for kind in kinds().values() for f in kind.fields}
    assert set(ALIASES) == columns
    assert [c for c in columns if not all(ALIASES[c].get(lang) for lang in ("ru", "en", "kk"))] == []


@pytest.mark.parametrize("kind", list(kinds()))
def test_no_header_names_two_columns_of_a_kind(kind: str) -> None:
    """Within a kind, a header (as compared: case, spaces, punctuation aside) names one column only."""
    named: dict[str, set[str]] = defaultdict(set)
    for f in kinds()[kind].fields:
        for text in (f.name, *(a for names in ALIASES[f.name].values() for a in names)):
            named[key(text)].add(f.name)
    assert {k: v for k, v in named.items() if len(v) > 1} == {}


@pytest.mark.parametrize("lang", ["ru", "en", "kk"])
@pytest.mark.parametrize("kind", list(kinds()))
def test_a_header_row_in_each_language_is_its_kind(kind: str, lang: str) -> None:
    """A header row of every column's first name in a language is recognised as its kind, each cell as its column."""
    fields = kinds()[kind].fields
    cells = [ALIASES[f.name][lang][0] for f in fields]
    header = best_header(cells)
    assert header.complete and header.kind.name == kind
    assert header.fields == [f.name for f in fields]


def test_case_spaces_yo_punctuation_and_units_do_not_matter() -> None:
    """«  ДАТА: », «Число подписчиков (чел.)», «Кол-во подписчиков», «Публикаций  всего» are the columns they name."""
    header = best_header(["  ДАТА: ", "Соцсеть", "ID страницы", "Число подписчиков (чел.)", "Публикаций  всего"])
    assert header.kind.name == "followers"
    assert header.fields == ["date", "platform", "account_id", "followers", "posts_total"]
    assert read_header(["Кол-во подписчиков"], kinds()["followers"]).fields == ["followers"]
    # A part in parentheses names the column when the whole does: the territory's name in each language.
    names = read_header(["Название (рус.)", "Название (англ.)", "Название (каз.)"], kinds()["territories"])
    assert names.fields == ["name_ru", "name_en", "name_kk"]


def test_a_header_names_the_column_of_its_own_kind() -> None:
    """«Код территории» is the code of a territories file and the territory of an accounts file."""
    assert read_header(["Код территории"], kinds()["territories"]).fields == ["code"]
    assert read_header(["Код территории"], kinds()["accounts"]).fields == ["territory_code"]


def test_platforms_as_offices_write_them() -> None:
    """ВКонтакте, ВК, Одноклассники, ОК, Телеграм, Инстаграм, Ютуб, МАКС: the contract's names; others stay."""
    written = ["ВКонтакте", "вк", "Одноклассники", "ОК", "Телеграм", "Инстаграм", "Ютуб", "МАКС", "Twitter", "myspace"]
    assert [platform_value(w) for w in written] == [
        *("vk", "vk", "ok", "ok", "telegram", "instagram", "youtube", "max", "x"),
        "myspace",
    ]


def test_a_contract_name_comes_before_another_name_of_its_column() -> None:
    """A file with `date` and an extra `day` column reads `date` (and ignores `day`, as before names were known);
    two other names of one column («Дата», «День») both stay, for the loader to refuse."""
    assert read_header(["date", "day", "Дата"], kinds()["followers"]).fields == ["date", None, None]
    assert read_header(["Дата", "День"], kinds()["followers"]).fields == ["date", "date"]


def test_a_mapping_names_the_files_own_headers_first() -> None:
    """The mapping's headers name their columns; a known name of a column the mapping gives is then left out."""
    mapping = parse_mapping(
        '[followers]\ndate = "Отчётная дата"\naccount_id = "Код страницы"\nfollowers = "Кол-во подписчиков"\n', "m.toml"
    )
    header = best_header(["Отчетная  дата", "Дата", "Платформа", "КОД СТРАНИЦЫ", "Кол-во подписчиков"], mapping)
    assert header.complete and header.kind.name == "followers"
    assert header.fields == ["date", None, "platform", "account_id", "followers"]


def test_a_mapping_header_the_file_lacks_is_named() -> None:
    """A file of a kind the mapping gives, without one of its headers, is incomplete and names what it lacks."""
    mapping = parse_mapping('[followers]\nfollowers = "Всего на конец дня"\n', "m.toml")
    header = best_header(["Дата", "Платформа", "ID страницы", "Подписчики"], mapping)
    assert not header.complete
    assert header.absent == ["followers «Всего на конец дня»"]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[followers\ndate = 1", r"m\.toml: not a TOML file: "),
        ('[folowers]\ndate = "Дата"\n', r"m\.toml: \[folowers\] is not a kind of file; the kinds are: territories, "),
        ('[followers]\nsubscribers = "Подп"\n', r"\[followers\] subscribers is not a column of followers; its columns"),
        ("[followers]\ndate = 3\n", r"m\.toml: \[followers\] date must be a header of the file, in quotes"),
        ('[followers]\ndate = "  "\n', r"\[followers\] date must be a header of the file, in quotes"),
        (
            '[followers]\ndate = "Дата"\nfollowers = "дата"\n',
            r"one header is given for several columns: date, followers",
        ),
        ('followers = "Подписчики"\n', r"m\.toml: followers must be a table: \[followers\], then lines of"),
        ("# nothing\n", r"m\.toml: maps nothing"),
    ],
)
def test_a_mapping_that_cannot_be_used_says_why(text: str, reason: str) -> None:
    """An unknown kind or column, a header not in quotes or given twice, broken TOML: each named with the file."""
    with pytest.raises(MappingError, match=reason):
        parse_mapping(text, "m.toml")
