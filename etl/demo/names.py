"""Forms of place names: the Russian genitive case, Latin transliteration, handle stems and short codes."""

from __future__ import annotations

import itertools

_GENITIVE_WORDS = {
    "район": "района",
    "область": "области",
    "город": "города",
    "сельсовет": "сельсовета",
    "поссовет": "поссовета",
    "округ": "округа",
    "край": "края",
    "Астана": "Астаны",
    "Шымкент": "Шымкента",
    "Конаев": "Конаева",
    "Уральск": "Уральска",
    "Тараз": "Тараза",
    "Талдыкорган": "Талдыкоргана",
    "Караганда": "Караганды",
    "Балхаш": "Балхаша",
    "Сарань": "Сарани",
    "Шахтинск": "Шахтинска",
    "Костанай": "Костаная",
    "Кызылорда": "Кызылорды",
    "Жанаозен": "Жанаозена",
    "Павлодар": "Павлодара",
    "Экибастуз": "Экибастуза",
    "Петропавловск": "Петропавловска",
    "Туркестан": "Туркестана",
    "Жезказган": "Жезказгана",
    "Сатпаев": "Сатпаева",
    "Каражал": "Каражала",
    "Усть-Каменогорск": "Усть-Каменогорска",
    "Риддер": "Риддера",
    "Семей": "Семея",
    "Курчатов": "Курчатова",
    "Степногорск": "Степногорска",
    "Барнаул": "Барнаула",
    "Бийск": "Бийска",
    "Рубцовск": "Рубцовска",
    "Новоалтайск": "Новоалтайска",
    "Заринск": "Заринска",
    "Камень-на-Оби": "Камня-на-Оби",
    "Славгород": "Славгорода",
    "Алейск": "Алейска",
    "Яровое": "Ярового",
    "Белокуриха": "Белокурихи",
}

_NATIONAL_GENITIVE = {
    "Республика": "Республики",
    "Северная": "Северная",
    "автономный": "автономного",
    "сельское": "сельского",
    "поселение": "поселения",
    "Москва": "Москвы",
    "Санкт-Петербург": "Санкт-Петербурга",
    "Югра": "Югры",
}

# Handles use the common short forms of the long region names.
_SHORT_STEMS = {"West Kazakhstan Region": "zko", "North Kazakhstan Region": "sko", "East Kazakhstan Region": "vko"}

_TRANSLIT = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y",
    "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f",
    "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def genitive_case(name_ru: str) -> str:
    """Genitive case of a territory name, as in «Аким Карасуского района»."""
    out = []
    for word in name_ru.split(" "):
        if word in _GENITIVE_WORDS:
            out.append(_GENITIVE_WORDS[word])
        elif word.endswith(("ский", "цкий", "ской", "ный", "ной")):
            out.append(word[:-2] + "ого")
        elif word.endswith("ая"):
            out.append(word[:-2] + "ой")
        else:
            out.append(word)
    return " ".join(out)


def translit(text: str) -> str:
    """Latin transliteration of a Russian word (the usual English spelling of place names)."""
    low = text.lower()
    for ending, latin in (("ский", "sky"), ("цкий", "tsky"), ("ской", "skoy"), ("ный", "ny"), ("ний", "ny")):
        if low.endswith(ending):
            low, tail = low[: -len(ending)], latin
            break
    else:
        tail = ""
    out = "".join(_TRANSLIT.get(ch, ch) for ch in low) + tail
    return "-".join(part[:1].upper() + part[1:] for part in out.split("-"))


def handle_stem(name_en: str) -> str:
    """Lower-case latin stem of a name, for handles."""
    if name_en in _SHORT_STEMS:
        return _SHORT_STEMS[name_en]
    for suffix in (" Rural District", " District", " Region", " selsovet", " possovet"):
        name_en = name_en.removesuffix(suffix)
    return "".join(ch if ch.isalnum() else "_" for ch in name_en.lower()).strip("_")


def abbr(name_en: str, taken: set[str]) -> str:
    """A short code unique among its siblings: first letter and two later consonants (Karasu → KRS)."""
    letters = "".join(ch for ch in handle_stem(name_en).upper() if "A" <= ch <= "Z")
    consonants = [ch for ch in letters[1:] if ch not in "AEIOUY"]
    for pool in (consonants, list(letters[1:])):
        for a, b in itertools.combinations(pool, 2):
            code = letters[0] + a + b
            if code not in taken:
                taken.add(code)
                return code
    n = 1
    while f"{letters[:2]}{n}" in taken:
        n += 1
    taken.add(f"{letters[:2]}{n}")
    return f"{letters[:2]}{n}"


def genitive_national(name_ru: str) -> str:
    """Genitive case of a national territory name (quoted names stay as they are, towns in -ск take -а)."""
    out = []
    for word in name_ru.split(" "):
        if word in _NATIONAL_GENITIVE:
            out.append(_NATIONAL_GENITIVE[word])
        elif word.startswith("«") or word in {"—", "(Якутия)"}:
            out.append(word)
        elif word.endswith("ск"):
            out.append(word + "а")
        else:
            out.append(genitive_case(word))
    return " ".join(out)


def neuter(adjective: str) -> str:
    """Никольский → Никольское, Лесной → Лесное."""
    return adjective[:-2] + "ое"


def feminine(adjective: str) -> str:
    """Никольский or Никольское → Никольская."""
    return adjective[:-2] + "ая"


def slug(code: str) -> str:
    """A territory code as a handle part: RU-TVE-NKL-03 → tve_nkl_03."""
    return code.lower().removeprefix("ru-").removeprefix("kz-").replace("-", "_")
