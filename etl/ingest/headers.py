"""Reading a header row: the names offices give the contract's columns, the user's own mapping, platform names."""

import re
import tomllib
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from etl.ingest.contract import Kind, kinds

# The headers offices write for each contract column, by language (the first of a language is the one shown to its
# readers). A header names a column only within a kind of file: "Код территории" is `code` in a territories file and
# `territory_code` in an accounts file. Compared by key(): case, spaces, ё/е, punctuation and a part in parentheses
# aside ("Подписчики (чел.):" is "Подписчики").
ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "code": {"ru": ("Код", "Код территории"), "en": ("Code", "Territory code"), "kk": ("Коды", "Аумақ коды")},
    "name_ru": {
        "ru": ("Название", "Наименование", "Название (рус.)", "Название на русском"),
        "en": ("Name (Russian)", "Russian name"),
        "kk": ("Атауы (орысша)",),
    },
    "name_en": {
        "ru": ("Название (англ.)", "Название на английском"),
        "en": ("Name (English)", "English name", "Name"),
        "kk": ("Атауы (ағылшынша)",),
    },
    "name_kk": {
        "ru": ("Название (каз.)", "Название на казахском"),
        "en": ("Name (Kazakh)", "Kazakh name"),
        "kk": ("Атауы", "Атауы (қазақша)"),
    },
    "level": {"ru": ("Уровень",), "en": ("Level",), "kk": ("Деңгейі", "Деңгей")},
    "parent_code": {
        "ru": ("Код родителя", "Родительский код", "Код вышестоящей территории"),
        "en": ("Parent code", "Parent"),
        "kk": ("Жоғары аумақ коды",),
    },
    "population": {
        "ru": ("Население", "Численность населения", "Жители"),
        "en": ("Population", "Residents"),
        "kk": ("Халық саны", "Тұрғындар"),
    },
    "timezone": {"ru": ("Часовой пояс",), "en": ("Time zone", "TZ"), "kk": ("Уақыт белдеуі",)},
    "platform": {
        "ru": ("Платформа", "Соцсеть", "Социальная сеть", "Сеть"),
        "en": ("Platform", "Network", "Social network"),
        "kk": ("Платформа", "Әлеуметтік желі", "Желі"),
    },
    "account_id": {
        "ru": ("ID страницы", "ID аккаунта", "Идентификатор", "Идентификатор страницы", "ИД страницы"),
        "en": ("Page ID", "Account ID"),
        "kk": ("Парақша ID", "Парақша идентификаторы"),
    },
    "handle": {
        "ru": ("Ник", "Имя пользователя", "Короткое имя", "Логин"),
        "en": ("Handle", "Username", "User name", "Screen name"),
        "kk": ("Пайдаланушы аты", "Лақап ат"),
    },
    "display_name": {
        "ru": ("Название страницы", "Имя страницы", "Наименование страницы", "Отображаемое имя"),
        "en": ("Display name", "Page name", "Page title"),
        "kk": ("Парақша атауы",),
    },
    "territory_code": {
        "ru": ("Код территории", "Территория"),
        "en": ("Territory code", "Territory"),
        "kk": ("Аумақ коды", "Аумақ"),
    },
    "owner_kind": {
        "ru": ("Тип владельца", "Вид владельца"),
        "en": ("Owner kind", "Owner type"),
        "kk": ("Иесінің түрі",),
    },
    "owner_role": {"ru": ("Роль владельца", "Роль"), "en": ("Owner role", "Role"), "kk": ("Иесінің рөлі", "Рөлі")},
    "owner_name": {"ru": ("Владелец", "Должность", "Орган"), "en": ("Owner name", "Owner"), "kk": ("Иесі", "Лауазымы")},
    "sphere": {"ru": ("Сфера", "Отрасль"), "en": ("Sphere", "Sector"), "kk": ("Сала",)},
    "required": {
        "ru": ("Обязательная", "Обязательная страница", "Обязательный"),
        "en": ("Required", "Mandatory"),
        "kk": ("Міндетті",),
    },
    "official_mark": {
        "ru": ("Госметка", "Официальная отметка", "Отметка", "Верификация"),
        "en": ("Official mark", "Verified", "Verification"),
        "kk": ("Ресми белгі", "Верификация"),
    },
    "created_on": {
        "ru": ("Дата создания", "Создана"),
        "en": ("Created on", "Created", "Creation date"),
        "kk": ("Құрылған күні",),
    },
    "url": {
        "ru": ("Ссылка", "Ссылка на страницу", "Адрес страницы", "Адрес"),
        "en": ("URL", "Link", "Page URL", "Page link"),
        "kk": ("Сілтеме", "Парақша сілтемесі"),
    },
    "date": {"ru": ("Дата", "День", "Дата замера"), "en": ("Date", "Day", "Snapshot date"), "kk": ("Күні", "Күн")},
    "followers": {
        "ru": ("Подписчики", "Подписчиков", "Число подписчиков", "Количество подписчиков", "Кол-во подписчиков"),
        "en": ("Followers", "Subscribers", "Follower count"),
        "kk": ("Жазылушылар", "Жазылушылар саны"),
    },
    "posts_total": {
        "ru": ("Публикаций всего", "Всего публикаций", "Постов всего", "Всего постов", "Число публикаций"),
        "en": ("Posts total", "Total posts", "Post count"),
        "kk": ("Жарияланымдар саны", "Барлық жарияланымдар"),
    },
    "collected_at": {
        "ru": ("Дата сбора", "Время сбора", "Собрано"),
        "en": ("Collected at", "Collected", "Collection time"),
        "kk": ("Жиналған уақыты",),
    },
    "post_id": {
        "ru": ("ID публикации", "ID поста", "ID записи", "Идентификатор публикации"),
        "en": ("Post ID",),
        "kk": ("Жарияланым ID",),
    },
    "published_at": {
        "ru": ("Дата публикации", "Время публикации", "Опубликовано"),
        "en": ("Published at", "Published", "Publication date"),
        "kk": ("Жарияланған уақыты", "Жарияланған күні"),
    },
    "post_type": {
        "ru": ("Тип публикации", "Тип поста", "Тип", "Формат"),
        "en": ("Post type", "Type"),
        "kk": ("Жарияланым түрі", "Түрі"),
    },
    "likes": {
        "ru": ("Лайки", "Лайков", "Нравится", "Отметки «Нравится»", "Реакции"),
        "en": ("Likes", "Reactions"),
        "kk": ("Лайктар", "Ұнатулар"),
    },
    "comments": {"ru": ("Комментарии", "Комментариев"), "en": ("Comments",), "kk": ("Пікірлер", "Түсініктемелер")},
    "shares": {"ru": ("Репосты", "Репостов", "Поделились"), "en": ("Shares", "Reposts"), "kk": ("Бөлісулер",)},
    "views": {"ru": ("Просмотры", "Просмотров"), "en": ("Views",), "kk": ("Қаралымдар", "Көрулер")},
    "inquiry_id": {
        "ru": ("ID обращения", "ID комментария", "Номер обращения", "Идентификатор обращения"),
        "en": ("Inquiry ID", "Comment ID", "Message ID"),
        "kk": ("Өтініш ID",),
    },
    "channel": {"ru": ("Канал", "Тип обращения"), "en": ("Channel",), "kk": ("Арна",)},
    "received_at": {
        "ru": ("Дата обращения", "Время обращения", "Дата поступления", "Получено"),
        "en": ("Received at", "Received"),
        "kk": ("Түскен уақыты",),
    },
    "first_reply_at": {
        "ru": ("Дата ответа", "Время ответа", "Первый ответ", "Время первого ответа"),
        "en": ("First reply at", "First reply", "Replied at"),
        "kk": ("Жауап уақыты", "Алғашқы жауап"),
    },
    "replied_by": {"ru": ("Кто ответил", "Ответил"), "en": ("Replied by",), "kk": ("Жауап берген",)},
    "topic": {
        "ru": ("Тема", "Тематика", "Категория"),
        "en": ("Topic", "Subject", "Category"),
        "kk": ("Тақырып", "Санат"),
    },
}

# Platform names as offices write them, for the contract's platform values.
PLATFORM_NAMES: dict[str, tuple[str, ...]] = {
    "vk": ("ВКонтакте", "ВК", "VKontakte"),
    "ok": ("Одноклассники", "ОК", "Odnoklassniki"),
    "telegram": ("Телеграм", "Телеграмм"),
    "instagram": ("Инстаграм", "Инстаграмм"),
    "youtube": ("Ютуб", "Ютьюб"),
    "max": ("МАКС",),
    "facebook": ("Фейсбук",),
    "tiktok": ("ТикТок",),
    "x": ("Twitter", "Твиттер"),
    "threads": ("Тредс",),
}
HEAD_ROWS = 10  # the header row is looked for among a file's first rows (a title may stand above it)


def key(text: str) -> str:
    """A header as compared: lower case, ё as е, each run of spaces and punctuation as one space."""
    return re.sub(r"[\W_]+", " ", text.lower().replace("ё", "е")).strip()


def bare_key(text: str) -> str:
    """The key of a header without its parts in parentheses or brackets (units: "Подписчики (чел.)")."""
    return key(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text))


@cache
def names_of(kind: str) -> dict[str, str]:
    """Every header a kind's columns are known by (their contract names too), by key, with the column it names."""
    out: dict[str, str] = {}
    for f in kinds()[kind].fields:
        for text in (f.name, *(a for names in ALIASES.get(f.name, {}).values() for a in names)):
            out.setdefault(key(text), f.name)
    return out


@cache
def _platforms() -> dict[str, str]:
    return {key(name): platform for platform, names in PLATFORM_NAMES.items() for name in (platform, *names)}


def platform_value(text: str) -> str:
    """The contract's name of a platform written as offices write it ("ВКонтакте" → vk); the text when unknown."""
    return _platforms().get(key(text), text)


class MappingError(Exception):
    """A mapping file that cannot be used."""


@dataclass(frozen=True)
class Mapping:
    """The user's own headers for contract columns: {kind: {column: header}}, from a TOML file."""

    name: str
    kinds: dict[str, dict[str, str]]


def parse_mapping(text: str, name: str) -> Mapping:
    """A mapping from TOML: a [kind] table per kind of file, of column = "header as in the file" lines."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise MappingError(f"{name}: not a TOML file: {exc}") from None
    known = kinds()
    out: dict[str, dict[str, str]] = {}
    for kind, table in raw.items():
        if kind not in known:
            raise MappingError(f"{name}: [{kind}] is not a kind of file; the kinds are: {', '.join(known)}")
        if not isinstance(table, dict):
            raise MappingError(f'{name}: {kind} must be a table: [{kind}], then lines of column = "header"')
        for column, header in table.items():
            if column not in known[kind].field_names:
                columns = ", ".join(known[kind].field_names)
                raise MappingError(f"{name}: [{kind}] {column} is not a column of {kind}; its columns are: {columns}")
            if not isinstance(header, str) or not key(header):
                raise MappingError(f"{name}: [{kind}] {column} must be a header of the file, in quotes")
        twice = [h for h, n in Counter(key(h) for h in table.values()).items() if n > 1]
        if twice:
            columns = ", ".join(c for c, h in table.items() if key(h) == twice[0])
            raise MappingError(f"{name}: [{kind}] one header is given for several columns: {columns}")
        out[kind] = {column: header.strip() for column, header in table.items()}
    if not out:
        raise MappingError(f'{name}: maps nothing: write a [followers] table (or another kind) of column = "header"')
    return Mapping(name, out)


def read_mapping(path: Path) -> Mapping:
    """A mapping from a TOML file (see parse_mapping)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise MappingError(f"{path}: cannot be read: {exc}") from None
    return parse_mapping(text, str(path))


@dataclass
class Header:
    """A header row read as a kind's: the column each cell names (None: not one of the kind's)."""

    kind: Kind
    cells: list[str]
    fields: list[str | None]
    absent: list[str] = field(default_factory=list)
    mapped: dict[str, str] = field(default_factory=dict)

    @property
    def found(self) -> set[str]:
        """The kind's columns the row has."""
        return {f for f in self.fields if f}

    @property
    def missing(self) -> list[str]:
        """Required columns the row lacks."""
        return sorted(self.kind.required_names - self.found)

    @property
    def complete(self) -> bool:
        """Whether the row has every required column and every header the mapping names."""
        return not self.missing and not self.absent


def read_header(cells: list[str], kind: Kind, mapping: Mapping | None = None) -> Header:
    """The row's cells as `kind`'s columns. The mapping's header of a column comes first, then its contract name, then
    its other names: a cell of a lesser rank than another of the same column is left out (as a file's extra `day`
    column beside `date` always was), two of the best rank stay for the loader to refuse."""
    own = mapping.kinds.get(kind.name, {}) if mapping else {}
    wanted = {key(header): column for column, header in own.items()}
    names = names_of(kind.name)
    ranked: list[tuple[str | None, int]] = []
    for cell in cells:
        k = key(cell)
        column = wanted.get(k) or (names.get(k) or names.get(bare_key(cell)) if k else None)
        rank = 0 if k in wanted else 1 if column and k == key(column) else 2
        ranked.append((column, rank))
    best: dict[str, int] = {}
    for column, rank in ranked:
        if column:
            best[column] = min(rank, best.get(column, rank))
    fields = [column if column and rank == best[column] else None for column, rank in ranked]
    keys = {key(c) for c in cells}
    absent = [f"{column} «{header}»" for column, header in own.items() if key(header) not in keys]
    return Header(kind, cells, fields, absent, own)


def best_header(cells: list[str], mapping: Mapping | None = None) -> Header:
    """The kind the row is the header of (the most specific complete reading), else the closest one: the most of its
    columns found, then the fewest required ones missing."""
    readings = [read_header(cells, kind, mapping) for kind in kinds().values()]
    # The most specific match wins: a posts file also carries every column a follower file requires.
    complete = [r for r in readings if r.complete]
    return max(complete or readings, key=lambda r: (len(r.found), -len(r.missing)))


def alias_table() -> str:
    """The accepted header names of every column, as the Markdown table of docs/data-format.md."""
    lines = ["| column | Russian | English | Kazakh |", "|---|---|---|---|"]
    order = dict.fromkeys(f.name for kind in kinds().values() for f in kind.fields)
    for column in order:
        names = ALIASES[column]
        lines.append(f"| `{column}` | " + " | ".join(", ".join(names[lang]) for lang in ("ru", "en", "kk")) + " |")
    lines += ["", "| platform | also written as |", "|---|---|"]
    lines += [f"| `{p}` | {', '.join(names)} |" for p, names in PLATFORM_NAMES.items()]
    return "\n".join(lines)
