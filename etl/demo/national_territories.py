"""The national scale's territories: the demo's, and synthetic ones below every Kazakh district and Russian region."""

from __future__ import annotations

from functools import cache

import numpy as np

from etl.demo.kz_places import KZ_RURAL_ROOTS
from etl.demo.names import abbr, neuter, translit
from etl.demo.ru_places import ALT_DISTRICTS, ALT_SETTLEMENT_ROOTS, RU_REGIONS
from etl.demo.territories import Territory, block_rows, fixed_rng, split_population

# `govpulse demo --scale national`: the demo's Kazakhstan and Altai Krai, plus synthetic rural districts under every
# Kazakh district, and synthetic municipal districts, settlements and institutions under every other Russian region:
# a registry of about 255,000 pages, each snapshotted every day. Region names are real (ISO 3166-2:RU); every
# territory below them is invented (names built from common place-name stems), and so are all pages and numbers.


@cache
def ru_roots() -> tuple[str, ...]:
    """Adjective place-name stems for synthetic districts and settlements."""
    words = ALT_SETTLEMENT_ROOTS.split() + [w for w in ALT_DISTRICTS.split() if "_" not in w]
    return tuple(sorted({w for w in words if w.endswith(("ий", "ый", "ой"))}))


def national_territories(core: tuple[Territory, ...]) -> list[Territory]:
    """The demo's territories, synthetic rural districts under every Kazakh district, the other Russian regions."""
    out = list(core)
    rural_roots = block_rows(KZ_RURAL_ROOTS)
    has_rural = {t.parent_code for t in core if t.level == "settlement"}
    for d in core:
        if d.country != "KZ" or d.level != "district" or d.urban or d.code in has_rural:
            continue
        rng = fixed_rng(d.code + "/national")
        n = int(rng.integers(8, 17))
        picks = rng.choice(len(rural_roots), n, replace=False)
        for i, (pick, pop) in enumerate(zip(picks, split_population(int(d.population * 0.8), n, d.code), strict=True)):
            r_ru, r_kk, r_en = rural_roots[pick]
            out.append(
                Territory(
                    f"{d.code}-{i + 1:02d}",
                    f"сельский округ {r_ru}",
                    f"{r_en} Rural District",
                    f"{r_kk} ауылдық округі",
                    "settlement",
                    d.code,
                    pop,
                    d.timezone,
                    "KZ",
                    False,
                )
            )
    roots = ru_roots()
    cities = [r for r in roots if r.endswith("ский")]
    for code, ru, en, tz, thousands in block_rows(RU_REGIONS):
        population = int(thousands) * 1000
        urban = code in {"MOW", "SPE"}
        region = Territory(f"RU-{code}", ru, en, "", "region", "RU", population, tz, "RU", urban)
        out.append(region)
        rng = fixed_rng(region.code + "/national")
        n = int(np.clip(round(population / 55_000), 5, 60))
        n_cities = n if urban else max(1, n // 8)
        names = rng.choice(len(roots), n, replace=False)
        city_names = rng.choice(len(cities), n_cities, replace=False)
        taken: set[str] = set()
        pops = split_population(population, n, region.code, first_share=0.0 if urban else 0.25)
        for i, (pick, pop) in enumerate(zip(names, pops, strict=True)):
            root = roots[pick]
            if urban:
                d_ru, d_en = f"муниципальный округ «{neuter(root)}»", f"{translit(neuter(root))} Municipal Okrug"
            elif i < n_cities:
                city = cities[city_names[i]][:-2]
                d_ru, d_en = f"город {city}", translit(city)
            else:
                d_ru, d_en = f"{root} район", f"{translit(root)} District"
            d_code = f"{region.code}-{abbr(d_en, taken)}"
            is_city = urban or i < n_cities
            district = Territory(d_code, d_ru, d_en, "", "district", region.code, pop, tz, "RU", is_city)
            out.append(district)
            if is_city:
                continue
            d_rng = fixed_rng(d_code + "/national")
            k = int(d_rng.integers(4, 15))
            s_pops = split_population(int(pop * 0.9), k, d_code, first_share=0.3)
            for j, (s_pick, s_pop) in enumerate(zip(d_rng.choice(len(roots), k, replace=False), s_pops, strict=True)):
                s_root = neuter(roots[s_pick])
                out.append(
                    Territory(
                        f"{d_code}-{j + 1:02d}",
                        f"сельское поселение «{s_root}»",
                        f"{translit(s_root)} Rural Settlement",
                        "",
                        "settlement",
                        d_code,
                        s_pop,
                        tz,
                        "RU",
                        False,
                    )
                )
    return out
