"""The national scale's pages: the demo's, and those of every synthetic territory, and the cut of N pages."""

from __future__ import annotations

import datetime as dt
import zlib
from functools import cache
from typing import Any

import numpy as np

from etl.demo.names import feminine, genitive_national, handle_stem, slug
from etl.demo.national_more import more_national_pages
from etl.demo.national_territories import national_territories
from etl.demo.period import date_between, granted_mark
from etl.demo.platforms import OPENED_ON
from etl.demo.registry import Page, Registry
from etl.demo.stories import demo_registry
from etl.demo.territories import Territory, fixed_rng

NATIONAL_ACCOUNTS = 100_000


# Institutions of synthetic territories: (sphere, role key, name[, share of territories that have one]).
_RU_SETTLEMENT_INSTITUTIONS = (
    ("education", "school", "Школа", 0.95),
    ("culture", "dk", "Дом культуры", 0.8),
    ("culture", "library", "Библиотека", 0.55),
    ("health", "fap", "Фельдшерско-акушерский пункт", 0.4),
)
_RU_DISTRICT_INSTITUTIONS = (
    ("health", "crb", "Центральная районная больница"),
    ("social", "kcson", "Комплексный центр социального обслуживания населения"),
    ("services", "mfc", "Многофункциональный центр"),
    ("education", "uo", "Управление образования администрации"),
    ("media", "gazeta", "Редакция газеты"),
    ("sport", "sport", "Спортивная школа"),
    ("youth", "youth", "Молодёжный центр"),
    ("culture", "museum", "Краеведческий музей"),
)


def _ru_national_pages(reg: Registry, territories: list[Territory]) -> None:
    """Pages of the synthetic Russian territories: heads, governments, administrations, settlements, institutions."""
    by_code = {t.code: t for t in territories}
    for t in territories:
        if t.country != "RU" or t.level == "country" or t.code.startswith("RU-ALT"):
            continue
        rng = fixed_rng(t.code + "/national-pages")
        g, s = genitive_national(t.name_ru), slug(t.code)
        pages: list[tuple[str, str, str, str, str, dt.date, dict[str, Any]]] = []
        if t.level == "region":
            title = "Глава" if "Республик" in t.name_ru else "Мэр" if t.code == "RU-MOW" else "Губернатор"
            head = dict(owner_kind="person", owner_role="head", owner_name=f"{title} {g}", sphere="", required=0)
            body = dict(owner_kind="body", owner_role="body", owner_name=f"Правительство {g}", sphere="", required=1)
            for role, prefix, tier, traits in (
                ("head", "head", "ru_governor", head),
                ("body", "gov", "ru_government", body),
            ):
                for platform in ("vk", "ok", "telegram"):
                    mark = "0" if platform == "telegram" else granted_mark(rng, 0.95)
                    created = date_between(rng, "2012-01-01", "2019-12-31")
                    pages.append((platform, role, f"{prefix}_{s}", tier, mark, created, traits))
        elif t.level == "district":
            owner = f"Администрация {g}"
            body = dict(owner_kind="body", owner_role="body", owner_name=owner, sphere="", required=1)
            for platform, share in (("vk", 1.0), ("ok", 0.7)):
                if rng.random() < share:
                    created = date_between(rng, "2013-01-01", "2022-12-31")
                    pages.append((platform, "body", f"adm_{s}", "ru_district", granted_mark(rng, 0.9), created, body))
            if rng.random() < 0.6:
                head = dict(owner_kind="person", owner_role="head", owner_name=f"Глава {g}", sphere="", required=0)
                created = date_between(rng, "2016-01-01", "2022-12-31")
                pages.append(("vk", "head", f"glava_{s}", "ru_district_head", granted_mark(rng, 0.5), created, head))
            schools = int(np.clip(t.population // 6_000, 2, 30)) if t.urban else int(rng.integers(2, 6))
            spheres = [(sp, key, name) for sp, key, name in _RU_DISTRICT_INSTITUTIONS if rng.random() < 0.8]
            spheres += [("education", f"school{n}", f"Средняя школа № {n}") for n in range(1, schools + 1)]
            for sphere, key, name in spheres:
                traits = dict(owner_kind="body", owner_role="institution", owner_name=f"{name} {g}", sphere=sphere)
                platform = "ok" if rng.random() < 0.15 else "vk"
                created = date_between(rng, "2013-01-01", "2022-12-31")
                pages.append((platform, key, f"{key}_{s}", "ru_institution", granted_mark(rng, 0.5), created, traits))
        else:
            owner = f"Администрация {g}"
            body = dict(owner_kind="body", owner_role="body", owner_name=owner, sphere="", required=1)
            for platform, share in (("vk", 1.0), ("ok", 0.35)):
                if rng.random() < share:
                    created = date_between(rng, "2022-06-01", "2023-01-31")
                    pages.append(
                        (platform, "body", f"adm_{s}", "ru_municipality", granted_mark(rng, 0.75), created, body)
                    )
            village = t.name_ru.split("«")[1].rstrip("»")
            district = genitive_national(by_code[t.parent_code].name_ru)
            for sphere, key, name, share in _RU_SETTLEMENT_INSTITUTIONS:
                if rng.random() >= share:
                    continue
                owner = f"МБОУ «{feminine(village)} СОШ» {district}" if key == "school" else f"{name} {g}"
                traits = dict(owner_kind="body", owner_role="institution", owner_name=owner, sphere=sphere)
                created = date_between(rng, "2015-01-01", "2023-06-30")
                pages.append(("vk", key, f"{key}_{s}", "ru_institution", granted_mark(rng, 0.5), created, traits))
        for platform, role, handle, tier, mark, created, traits in pages:
            reg.add(
                platform,
                f"{t.code}/{role}",
                reg.handle(platform, handle, "ru"),
                t,
                display_name=str(traits["owner_name"]),
                mark=mark,
                created=created,
                tier=tier,
                **{"required": 1, **traits},
            )


def _kz_national_pages(reg: Registry, territories: list[Territory], core: set[str]) -> None:
    """Rural akims and village schools of the synthetic Kazakh rural districts."""
    by_code = {t.code: t for t in territories}
    for t in territories:
        if t.country != "KZ" or t.level != "settlement" or t.code in core:
            continue
        rng = fixed_rng(t.code + "/national-pages")
        g, district = t.genitive, by_code[t.parent_code]
        root = handle_stem(t.name_en)
        reg.add(
            "instagram",
            f"{t.code}/head",
            reg.handle("instagram", f"{root}_auyl_akimi", district.stem),
            t,
            display_name=f"Аким {g}",
            owner_kind="person",
            owner_role="head",
            owner_name=f"Аким {g}",
            sphere="",
            required=1,
            mark="0",
            created=date_between(rng, "2019-04-01", "2021-12-31"),
            tier="kz_rural_head",
        )
        if rng.random() < 0.8:
            owner = f"Средняя школа {g}"
            reg.add(
                "instagram",
                f"{t.code}/education",
                reg.handle("instagram", f"{root}_mektebi", slug(t.code)),
                t,
                display_name=owner,
                owner_kind="body",
                owner_role="institution",
                owner_name=owner,
                sphere="education",
                required=0,
                mark="0",
                created=date_between(rng, "2017-01-01", "2022-12-31"),
                tier="kz_institution",
            )


class TooManyAccounts(ValueError):
    """More pages asked for than the national registry holds."""

    def __init__(self, accounts: int, size: int) -> None:
        super().__init__(f"--accounts {accounts:,} is more than the national registry's {size:,} pages")
        self.accounts, self.size = accounts, size


@cache
def national_layers() -> tuple[tuple[Territory, ...], tuple[Page, ...], tuple[Page, ...]]:
    """All territories and the two layers of pages: the demo's (but its MAX channels) and the synthetic, then more."""
    core_territories, demo_pages = demo_registry()
    # Every page is snapshotted every day from before the period: channels of lately opened platforms stay out.
    core_pages = tuple(p for p in demo_pages if p.platform not in OPENED_ON)
    territories = national_territories(core_territories)
    reg = Registry()
    reg.pages = list(core_pages)
    reg.ids = {(p.platform, p.account_id) for p in core_pages}
    reg.handles = {(p.platform, h) for p in core_pages for h in (p.handle, p.old_handle) if h}
    _kz_national_pages(reg, territories, {t.code for t in core_territories})
    _ru_national_pages(reg, territories)
    first = len(reg.pages)
    more_national_pages(reg, territories)
    return tuple(territories), tuple(reg.pages[:first]), tuple(reg.pages[first:])


@cache
def national_registry() -> tuple[tuple[Territory, ...], tuple[Page, ...]]:
    """All territories and pages of the national scale, in registry order: the first layer, then the second."""
    territories, first, more = national_layers()
    return territories, first + more


def _spread(pages: tuple[Page, ...], accounts: int) -> tuple[Page, ...]:
    """`accounts` of the pages, chosen by a hash of their ids, in their order."""
    if accounts >= len(pages):
        return pages
    rank = np.array([zlib.crc32(f"{p.platform}:{p.account_id}".encode()) for p in pages], dtype=np.int64) * len(
        pages
    ) + np.arange(len(pages))
    keep = np.sort(np.argsort(rank, kind="stable")[:accounts])
    return tuple(pages[i] for i in keep.tolist())


def national_pages(accounts: int = NATIONAL_ACCOUNTS) -> tuple[Page, ...]:
    """`accounts` pages of the national registry, spread over it (chosen by a hash of their ids), in registry order.

    The first layer is cut first: up to its size a cut is the very pages it was before the second layer came, so
    that figures measured on it stay comparable; past it, the cut adds pages spread over the second layer.
    """
    _, first, more = national_layers()
    if accounts > len(first) + len(more):
        raise TooManyAccounts(accounts, len(first) + len(more))
    return _spread(first, accounts) + _spread(more, max(accounts - len(first), 0))
