"""The territory tree of the demo: Kazakhstan and Russia's Altai Krai, from the country down to settlements."""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np

from etl.demo.kz_places import KZ_DISTRICTS, KZ_REGIONS, KZ_RURAL, KZ_RURAL_ROOTS
from etl.demo.names import abbr, genitive_case, handle_stem, translit
from etl.demo.ru_places import ALT_CITIES, ALT_DISTRICTS, ALT_SETTLEMENT_ROOTS, ALT_SETTLEMENTS, TRAINING_DISTRICT


def fixed_rng(key: str) -> np.random.Generator:
    """A generator seeded by a name: the registry is the same for every seed."""
    return np.random.default_rng(zlib.crc32(key.encode()))


@dataclass(frozen=True)
class Territory:
    """A row of territories.csv and what the generator needs to name pages after it."""

    code: str
    name_ru: str
    name_en: str
    name_kk: str
    level: str
    parent_code: str
    population: int
    timezone: str
    country: str
    urban: bool

    @property
    def genitive(self) -> str:
        """Name in the genitive case."""
        return genitive_case(self.name_ru)

    @property
    def stem(self) -> str:
        """Latin stem for handles."""
        return handle_stem(self.name_en)


def block_rows(block: str) -> list[list[str]]:
    """Non-empty lines of a data block split on |."""
    return [line.split("|") for line in block.strip().splitlines() if line.strip()]


def split_population(total: int, n: int, key: str, first_share: float = 0.0) -> list[int]:
    """Split a population over n parts with uneven, fixed weights."""
    weights = fixed_rng(key).lognormal(0.0, 0.45, n)
    if first_share and n > 1:
        weights[0] = weights[1:].sum() * first_share / (1 - first_share)
    return [max(int(round(total * w / weights.sum(), -2)), 300) for w in weights]


def kz_territories() -> list[Territory]:
    """Kazakhstan: the country, regions and cities of republican significance, districts, rural districts."""
    out = [
        Territory("KZ", "Казахстан", "Kazakhstan", "Қазақстан", "country", "", 20_300_000, "Asia/Almaty", "KZ", False)
    ]
    rural_roots = block_rows(KZ_RURAL_ROOTS)
    for code, ru, en, kk, tz, pop in block_rows(KZ_REGIONS):
        region = Territory(f"KZ-{code}", ru, en, kk, "region", "KZ", int(pop), tz, "KZ", ru.startswith("город"))
        out.append(region)
        rows = block_rows(KZ_DISTRICTS[code])
        known = sum(int(r[3]) for r in rows if len(r) > 3)
        unknown = [r for r in rows if len(r) == 3]
        rest = split_population(max(region.population - known, region.population // 5), len(unknown), code)
        pops = iter(rest)
        taken: set[str] = set()
        for row in rows:
            d_ru, d_en, d_kk = row[:3]
            d_pop = int(row[3]) if len(row) > 3 else next(pops)
            d_code = f"{region.code}-{abbr(d_en, taken)}"
            urban = region.urban or d_ru.startswith("город")
            district = Territory(d_code, d_ru, d_en, d_kk, "district", region.code, d_pop, tz, "KZ", urban)
            out.append(district)
            n_rural = KZ_RURAL.get((code, d_en), 0)
            if not n_rural:
                continue
            picks = fixed_rng(d_code).choice(len(rural_roots), n_rural, replace=False)
            pops_r = split_population(int(d_pop * 0.8), n_rural, d_code + "/rural")
            for i, (pick, r_pop) in enumerate(zip(picks, pops_r, strict=True), start=1):
                r_ru, r_kk, r_en = rural_roots[pick]
                out.append(
                    Territory(
                        f"{d_code}-{i:02d}",
                        f"сельский округ {r_ru}",
                        f"{r_en} Rural District",
                        f"{r_kk} ауылдық округі",
                        "settlement",
                        d_code,
                        r_pop,
                        tz,
                        "KZ",
                        False,
                    )
                )
    return out


def ru_territories() -> list[Territory]:
    """Russia: the country, Altai Krai, its city okrugs and municipal districts, and 639 settlements."""
    tz = "Asia/Barnaul"
    out = [
        Territory("RU", "Россия", "Russia", "", "country", "", 146_000_000, "Europe/Moscow", "RU", False),
        Territory("RU-ALT", "Алтайский край", "Altai Krai", "", "region", "RU", 2_115_000, tz, "RU", False),
    ]
    taken: set[str] = set()
    for ru, en, city_pop in block_rows(ALT_CITIES):
        code = f"RU-ALT-{abbr(en, taken)}"
        out.append(Territory(code, ru, en, "", "district", "RU-ALT", int(city_pop), tz, "RU", True))
    names = ALT_DISTRICTS.split()
    pops = split_population(2_115_000 - sum(int(r[2]) for r in block_rows(ALT_CITIES)), len(names), "RU-ALT")
    # Settlements per district: uneven but summing to exactly 639; the training district gets a good sample.
    rng = fixed_rng("RU-ALT/settlements")
    counts = rng.integers(6, 16, len(names))
    training = names.index(TRAINING_DISTRICT)
    counts[training] = 16
    while (gap := ALT_SETTLEMENTS - int(counts.sum())) != 0:
        i = int(rng.integers(len(names)))
        if i != training and counts[i] + np.sign(gap) >= 5:
            counts[i] += np.sign(gap)
    roots = ALT_SETTLEMENT_ROOTS.split()
    for name, pop, count in zip(names, pops, counts, strict=True):
        adj = name.replace("_", " ")
        en = "German National District" if adj.startswith("Немецкий") else f"{translit(adj.split()[0])} District"
        code = f"RU-ALT-{abbr(en, taken)}"
        out.append(Territory(code, f"{adj} район", en, "", "district", "RU-ALT", pop, tz, "RU", False))
        rng = fixed_rng(code)
        own = [] if " " in adj or adj in roots else [adj]
        picked = own + [roots[j] for j in rng.choice(len(roots), int(count) - len(own), replace=False)]
        s_pops = split_population(int(pop * 0.95), int(count), code, first_share=0.3)
        for i, (root, s_pop) in enumerate(zip(picked, s_pops, strict=True), start=1):
            kind = "поссовет" if i == 1 and rng.random() < 0.25 else "сельсовет"
            out.append(
                Territory(
                    f"{code}-{i:02d}",
                    f"{root} {kind}",
                    f"{translit(root)} {'possovet' if kind == 'поссовет' else 'selsovet'}",
                    "",
                    "settlement",
                    code,
                    s_pop,
                    tz,
                    "RU",
                    False,
                )
            )
    return out
