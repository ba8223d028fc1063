"""The national registry's second layer: kindergartens, more schools, village clubs, offices, pages kept on OK too."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from functools import cache
from typing import Any

import numpy as np

from etl.demo.names import feminine, genitive_national, neuter, slug
from etl.demo.national_territories import ru_roots
from etl.demo.period import date_between, granted_mark
from etl.demo.platforms import page_id
from etl.demo.registry import Page, Registry
from etl.demo.territories import Territory, fixed_rng

# Appended after the first layer (etl/demo/national_accounts.py), with their own seeds: the first layer's pages, ids
# and handles stay exactly as they were, so that older cuts of the registry are the same pages.

_RU_NICKNAMES = (
    "Солнышко", "Колосок", "Ромашка", "Берёзка", "Теремок", "Светлячок", "Радуга", "Сказка", "Улыбка", "Ласточка",
    "Колокольчик", "Алёнушка", "Дюймовочка", "Журавушка", "Звёздочка", "Капелька", "Малыш", "Рябинка", "Ручеёк",
    "Чебурашка", "Василёк", "Одуванчик", "Золотой ключик",
)  # fmt: skip
_KZ_NICKNAMES = ("Балапан", "Балдырган", "Акбота", "Айголек", "Еркетай", "Куаныш", "Солнышко", "Радуга", "Теремок")
# Offices and institutions of a Russian district or city: (sphere, role key, name, share of districts that have one).
_RU_DISTRICT_OFFICES = (
    ("employment", "czn", "Центр занятости населения", 0.85),
    ("social", "uszn", "Управление социальной защиты населения", 0.7),
    ("culture", "dshi", "Детская школа искусств", 0.85),
    ("culture", "cbs", "Центральная библиотека", 0.7),
    ("education", "ddt", "Дом детского творчества", 0.6),
    ("sport", "fok", "Физкультурно-оздоровительный комплекс", 0.45),
    ("safety", "edds", "Единая дежурно-диспетчерская служба", 0.5),
    ("culture", "kdc", "Культурно-досуговый центр", 0.5),
)
# Departments and institutions of a Kazakh district or city: (sphere, role key, name, share, handle pattern).
_KZ_DISTRICT_OFFICES = (
    ("education", "bilim", "Отдел образования", 0.8, "{s}_bilim"),
    ("employment", "enbek", "Отдел занятости и социальных программ", 0.7, "{s}_enbek"),
    ("services", "con", "Центр обслуживания населения", 0.6, "con_{s}"),
    ("health", "emhana", "Поликлиника", 0.6, "{s}_emhana"),
    ("sport", "sport", "Отдел физической культуры и спорта", 0.5, "{s}_sport"),
    ("youth", "jastar", "Молодёжный ресурсный центр", 0.55, "{s}_jastar"),
    ("culture", "madeniet", "Отдел культуры и развития языков", 0.5, "{s}_madeniet_bolimi"),
)
# Share of the first layer's VK institution pages that the institution keeps on OK as well, by sphere.
_OK_TWINS = {"culture": 0.45, "education": 0.35, "health": 0.15}

_Wanted = tuple[str, str, str, str, str, dt.date, dict[str, Any]]


@cache
def _root_index() -> dict[str, int]:
    """The place of each settlement name (Никольское) among the stems (Никольский)."""
    return {neuter(r): i for i, r in enumerate(ru_roots())}


def _institution(owner: str, sphere: str) -> dict[str, Any]:
    """Traits of an institution's page."""
    return dict(owner_kind="body", owner_role="institution", owner_name=owner, sphere=sphere, required=0)


def _ok_twins(rng: np.random.Generator, reg: Registry, pages: list[Page], share: float) -> list[_Wanted]:
    """OK pages of the territory's VK pages: its administration's (when it has none on OK yet) and institutions'."""
    out: list[_Wanted] = []
    for p in pages:
        if p.platform != "vk" or p.owner_role not in ("body", "institution"):
            continue
        chance = share if p.owner_role == "body" else _OK_TWINS.get(p.sphere, 0.0)
        key = f"{p.territory.code}/body" if p.owner_role == "body" else f"{p.territory.code}/ok/{p.account_id}"
        if rng.random() >= chance or ("ok", page_id("ok", key)) in reg.ids:
            continue
        created = date_between(rng, "2016-01-01", "2023-06-30")
        traits = {f: getattr(p, f) for f in ("owner_kind", "owner_role", "owner_name", "sphere", "required")}
        mark = granted_mark(rng, 0.7 if p.owner_role == "body" else 0.4)
        out.append(("ok", key, p.handle, p.tier, mark, created, traits))
    return out


def _ru_district(rng: np.random.Generator, t: Territory, g: str, s: str) -> list[_Wanted]:
    """Kindergartens, offices, and a city's polyclinics and MFC offices."""
    out: list[_Wanted] = []
    n_gardens = int(np.clip(t.population // 4_000, 3, 60)) if t.urban else int(rng.integers(2, 6))
    nicks = rng.integers(len(_RU_NICKNAMES), size=n_gardens)
    for n, nick in enumerate(nicks.tolist(), start=1):
        traits = _institution(f"Детский сад № {n} «{_RU_NICKNAMES[nick]}» {g}", "education")
        created = date_between(rng, "2015-01-01", "2023-06-30")
        out.append(("vk", f"ds{n}", f"ds{n}_{s}", "ru_small_institution", granted_mark(rng, 0.4), created, traits))
    offices = [(sp, key, f"{name} {g}") for sp, key, name, share in _RU_DISTRICT_OFFICES if rng.random() < share]
    if t.urban:
        polyclinics = int(np.clip(t.population // 50_000, 1, 8))
        offices += [("health", f"gp{n}", f"Городская поликлиника № {n} {g}") for n in range(1, polyclinics + 1)]
        mfc = int(np.clip(t.population // 80_000, 1, 5))
        offices += [("services", f"mfc{n}", f"Офис МФЦ № {n} {g}") for n in range(1, mfc + 1)]
    for sphere, key, owner in offices:
        platform = "ok" if rng.random() < 0.15 else "vk"
        created = date_between(rng, "2013-01-01", "2022-12-31")
        traits = _institution(owner, sphere)
        out.append((platform, key, f"{key}_{s}", "ru_institution", granted_mark(rng, 0.5), created, traits))
    return out


def _ru_settlement(rng: np.random.Generator, t: Territory, g: str, s: str, district: str) -> list[_Wanted]:
    """Kindergartens, a second school, and the clubs, libraries and basic schools of the settlement's other villages."""
    out: list[_Wanted] = []
    village = t.name_ru.split("«")[1].rstrip("»")
    gardens = int(rng.random() < 0.85) + int(t.population > 2_500) + int(t.population > 6_000)
    for n, nick in enumerate(rng.choice(len(_RU_NICKNAMES), gardens, replace=False).tolist(), start=1):
        traits = _institution(f"Детский сад «{_RU_NICKNAMES[nick]}» {g}", "education")
        created = date_between(rng, "2016-01-01", "2023-06-30")
        out.append(("vk", f"ds{n}", f"detsad{n}_{s}", "ru_small_institution", granted_mark(rng, 0.4), created, traits))
    if t.population > 5_000:
        traits = _institution(f"МБОУ «{feminine(village)} СОШ № 2» {district}", "education")
        created = date_between(rng, "2015-01-01", "2023-06-30")
        out.append(("vk", "school2", f"school2_{s}", "ru_institution", granted_mark(rng, 0.5), created, traits))
    roots, own = ru_roots(), _root_index()[village]
    for j, pick in enumerate(rng.choice(len(roots) - 1, int(rng.integers(1, 5)), replace=False).tolist(), start=1):
        root = roots[pick + (pick >= own)]
        for sphere, key, owner, share in (
            ("culture", "club", f"{root} сельский клуб {g}", 0.6),
            ("culture", "lib", f"{feminine(root)} сельская библиотека {g}", 0.45),
            ("education", "oosh", f"МБОУ «{feminine(root)} ООШ» {district}", 0.25),
        ):
            if rng.random() < share:
                created = date_between(rng, "2015-01-01", "2023-06-30")
                traits = _institution(owner, sphere)
                out.append(("vk", f"{key}{j}", f"{key}{j}_{s}", "ru_small_institution", "0", created, traits))
    for wanted in list(out):
        if wanted[1].startswith("ds") and rng.random() < 0.15:
            out.append(
                ("ok", *wanted[1:4], granted_mark(rng, 0.3), date_between(rng, "2016-01-01", "2023-06-30"), wanted[6])
            )
    return out


def _kz_settlement(rng: np.random.Generator, t: Territory, g: str) -> list[_Wanted]:
    """The rural akim on Facebook and Telegram, a kindergarten, a basic school, a clinic, a club and a library."""
    out: list[_Wanted] = []
    head = dict(owner_kind="person", owner_role="head", owner_name=f"Аким {g}", sphere="", required=1)
    root = t.stem
    for platform, share, pattern in (("facebook", 0.25, "akim.{r}"), ("telegram", 0.3, "{r}_akimi")):
        if rng.random() < share:
            created = date_between(rng, "2019-04-01", "2022-12-31")
            out.append((platform, "head", pattern.format(r=root), "kz_rural_head", "0", created, head))
    nick = _KZ_NICKNAMES[int(rng.integers(len(_KZ_NICKNAMES)))]
    for sphere, key, owner, share, pattern in (
        ("education", "balabaksha", f"Детский сад «{nick}» {g}", 0.6, "{r}_balabakshasy"),
        ("education", "education2", f"Основная средняя школа {g}", 0.4, "{r}_oom"),
        ("health", "health", f"Врачебная амбулатория {g}", 0.45, "{r}_ambulatoriya"),
        ("culture", "club", f"Сельский клуб {g}", 0.35, "{r}_klub"),
        ("culture", "library", f"Сельская библиотека {g}", 0.3, "{r}_kitaphana"),
    ):
        if rng.random() < share:
            platform = "facebook" if rng.random() < 0.15 else "instagram"
            created = date_between(rng, "2017-01-01", "2023-06-30")
            traits = _institution(owner, sphere)
            out.append((platform, key, pattern.format(r=root), "kz_institution", "0", created, traits))
    if rng.random() < 0.3:
        created = date_between(rng, "2020-01-01", "2023-06-30")
        traits = _institution(f"Средняя школа {g}", "education")
        out.append(("telegram", "education", f"{root}_mektebi", "kz_institution", "0", created, traits))
    return out


def _kz_district(rng: np.random.Generator, t: Territory, g: str) -> list[_Wanted]:
    """Schools and nursery schools by number, and the akimat's departments and institutions."""
    out: list[_Wanted] = []
    s = t.stem
    schools = int(np.clip(t.population // 8_000, 3, 25))
    for n in range(1, schools + 1):
        created = date_between(rng, "2017-01-01", "2023-06-30")
        traits = _institution(f"Средняя школа № {n} {g}", "education")
        out.append(("instagram", f"school{n}", f"{s}_school{n}", "kz_institution", "0", created, traits))
    gardens = int(np.clip(t.population // 10_000, 2, 20))
    for n, nick in enumerate(rng.integers(len(_KZ_NICKNAMES), size=gardens).tolist(), start=1):
        created = date_between(rng, "2017-01-01", "2023-06-30")
        traits = _institution(f"Ясли-сад № {n} «{_KZ_NICKNAMES[nick]}» {g}", "education")
        out.append(("instagram", f"yasli{n}", f"{s}_yasli{n}", "kz_institution", "0", created, traits))
    for sphere, key, name, share, pattern in _KZ_DISTRICT_OFFICES:
        if rng.random() >= share:
            continue
        owner = f"{name} {g}" if key != "emhana" else f"{'Городская' if t.urban else 'Районная'} поликлиника {g}"
        for platform, chance in (("instagram", 1.0), ("facebook", 0.3), ("telegram", 0.25)):
            if rng.random() < chance:
                created = date_between(rng, "2018-01-01", "2023-06-30")
                traits = _institution(owner, sphere)
                out.append((platform, key, pattern.format(s=s), "kz_institution", "0", created, traits))
    return out


def more_national_pages(reg: Registry, territories: list[Territory]) -> None:
    """The second layer of pages under every Kazakh district and rural district and every synthetic Russian one."""
    by_code = {t.code: t for t in territories}
    first: dict[str, list[Page]] = defaultdict(list)
    for p in reg.pages:
        first[p.territory.code].append(p)
    for t in territories:
        if t.level not in ("district", "settlement") or t.code.startswith("RU-ALT"):
            continue
        rng = fixed_rng(t.code + "/national-more")
        if t.country == "KZ":
            pages = _kz_district(rng, t, t.genitive) if t.level == "district" else _kz_settlement(rng, t, t.genitive)
            fallback = slug(t.code)
        else:
            g, s = genitive_national(t.name_ru), slug(t.code)
            if t.level == "district":
                pages = _ru_district(rng, t, g, s) + _ok_twins(rng, reg, first[t.code], 0.6)
            else:
                pages = _ru_settlement(rng, t, g, s, genitive_national(by_code[t.parent_code].name_ru))
                pages += _ok_twins(rng, reg, first[t.code], 0.4)
            fallback = "ru"
        # A page the first layer already has under the same name (a district's school № 3) is not made twice.
        taken = {(p.platform, p.owner_name) for p in first[t.code]}
        for platform, key, handle, tier, mark, created, traits in pages:
            if (platform, traits["owner_name"]) in taken:
                continue
            if "/" not in key:
                key = f"{t.code}/{key}"
            reg.add(
                platform,
                key,
                reg.handle(platform, handle, fallback),
                t,
                display_name=str(traits["owner_name"]),
                mark=mark,
                created=created,
                tier=tier,
                **traits,
            )
