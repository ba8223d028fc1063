"""The demo's pages: Kazakh akims, akimats and institutions; Altai Krai's governor, government and administrations."""

from __future__ import annotations

import numpy as np

from etl.demo.names import handle_stem
from etl.demo.period import date_between
from etl.demo.platforms import OPENED_ON
from etl.demo.registry import Registry
from etl.demo.ru_places import ALT_MARKED, TRAINING_DISTRICT
from etl.demo.territories import Territory, fixed_rng

_HEAD_IG = ("akim_{s}", "{s}_akimi", "akim.{s}", "{s}.akim")
_BODY_IG = ("{s}_akimat", "akimat_{s}", "{s}.akimdigi", "{s}_akimdigi")
_INSTITUTIONS = (
    ("education", "Средняя школа № {n} {g}", ("{s}_mektep{n}", "school{n}_{s}")),
    ("culture", "Дом культуры {g}", ("{s}_madeniet", "dk_{s}")),
    ("employment", "Центр занятости населения {g}", ("enbek_{s}", "{s}_czn")),
    ("health", "Районная больница {g}", ("{s}_aurukhana", "crb_{s}")),
)


def kz_pages(reg: Registry, territories: list[Territory]) -> None:
    """Akims, akimats, deputies, press services, institutions and rural akims of Kazakhstan."""
    by_code = {t.code: t for t in territories}
    for t in territories:
        if t.country != "KZ" or t.level == "country":
            continue
        rng = fixed_rng(t.code + "/pages")
        g = t.genitive
        region = t if t.level == "region" else by_code[t.parent_code]
        fallback = region.code.removeprefix("KZ-").lower()
        if t.level == "region":
            s = t.stem if t.urban else f"{t.stem}_obl"
            head = dict(owner_kind="person", owner_role="head", owner_name=f"Аким {g}", sphere="", required=1)
            for platform, pattern in (("instagram", "akim_{s}"), ("facebook", "akim.{s}"), ("telegram", "akim_{s}")):
                reg.add(
                    platform,
                    f"{t.code}/head",
                    reg.handle(platform, pattern.format(s=s), fallback),
                    t,
                    display_name=f"Аким {g}",
                    mark="0" if platform == "telegram" else "1",
                    created=date_between(rng, "2016-01-01", "2019-06-30"),
                    tier="kz_region_head",
                    **head,
                )
            body = dict(owner_kind="body", owner_role="body", owner_name=f"Акимат {g}", sphere="", required=1)
            for platform, pattern in (("instagram", "{s}_akimat"), ("facebook", "akimat.{s}")):
                reg.add(
                    platform,
                    f"{t.code}/body",
                    reg.handle(platform, pattern.format(s=s), fallback),
                    t,
                    display_name=f"Акимат {g}",
                    mark="1" if platform == "instagram" else "0",
                    created=date_between(rng, "2014-01-01", "2018-12-31"),
                    tier="kz_region_body",
                    **body,
                )
            if t.urban or rng.random() < 0.2:
                for platform in ("instagram", "facebook"):
                    reg.add(
                        platform,
                        f"{t.code}/deputy",
                        reg.handle(platform, f"deputy_akim_{s}", fallback),
                        t,
                        display_name=f"Заместитель акима {g}",
                        owner_kind="person",
                        owner_role="deputy",
                        owner_name=f"Заместитель акима {g}",
                        sphere="",
                        required=0,
                        mark="0",
                        created=date_between(rng, "2017-01-01", "2021-12-31"),
                        tier="kz_deputy",
                    )
            if t.urban or rng.random() < 0.35:
                reg.add(
                    "telegram",
                    f"{t.code}/press",
                    reg.handle("telegram", f"{s}_press", fallback),
                    t,
                    display_name=f"Пресс-служба акимата {g}",
                    owner_kind="body",
                    owner_role="press_service",
                    owner_name=f"Пресс-служба акимата {g}",
                    sphere="",
                    required=0,
                    mark="0",
                    created=date_between(rng, "2020-01-01", "2022-12-31"),
                    tier="kz_press",
                )
        elif t.level == "district":
            s = t.stem
            head = dict(owner_kind="person", owner_role="head", owner_name=f"Аким {g}", sphere="", required=1)
            body = dict(owner_kind="body", owner_role="body", owner_name=f"Акимат {g}", sphere="", required=1)
            marked = "1" if rng.random() < 0.1 else "0"
            channels = [
                ("instagram", "head", _HEAD_IG[int(rng.integers(4))], "kz_district_head", head, 1.0),
                ("instagram", "body", _BODY_IG[int(rng.integers(4))], "kz_district_body", body, 1.0),
                ("facebook", "body", "akimat.{s}", "kz_district_body", body, 0.45),
                ("telegram", "head", "akim_{s}_official", "kz_district_head", head, 0.2),
                ("facebook", "head", "akim.{s}", "kz_district_head", head, 0.15),
            ]
            for platform, role, pattern, tier, traits, share in channels:
                if rng.random() >= share:
                    continue
                reg.add(
                    platform,
                    f"{t.code}/{role}",
                    reg.handle(platform, pattern.format(s=s), fallback),
                    t,
                    display_name=str(traits["owner_name"]),
                    mark=marked if platform == "instagram" else "0",
                    created=date_between(rng, "2019-03-15", "2020-12-31"),
                    tier=tier,
                    **traits,
                )
            if rng.random() < 0.35:
                picks = rng.choice(len(_INSTITUTIONS), int(rng.integers(1, 4)), replace=False)
                for pick in sorted(picks):
                    sphere, name, patterns = _INSTITUTIONS[pick]
                    n = int(rng.integers(1, 40))
                    owner = name.format(n=n, g=g)
                    if sphere == "health" and t.urban:
                        owner = owner.replace("Районная", "Городская")
                    platform = "facebook" if rng.random() < 0.15 else "instagram"
                    reg.add(
                        platform,
                        f"{t.code}/{sphere}",
                        reg.handle(platform, patterns[int(rng.integers(2))].format(s=s, n=n), fallback),
                        t,
                        display_name=owner,
                        owner_kind="body",
                        owner_role="institution",
                        owner_name=owner,
                        sphere=sphere,
                        required=0,
                        mark="0",
                        created=date_between(rng, "2017-01-01", "2022-12-31"),
                        tier="kz_institution",
                        recent_days=int(rng.integers(45, 400)) if rng.random() < 0.1 else 0,
                    )
        else:
            district = by_code[t.parent_code]
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


def ru_pages(reg: Registry, territories: list[Territory]) -> None:
    """The governor and government of Altai Krai, district administrations and settlement pages."""
    by_code = {t.code: t for t in territories}
    krai = by_code["RU-ALT"]
    rng = fixed_rng("RU-ALT/pages")
    for platform, handle in (("vk", "gubernator_altai"), ("ok", "gubernatoraltai"), ("telegram", "gubernator22")):
        reg.add(
            platform,
            "RU-ALT/head",
            reg.handle(platform, handle, "alt"),
            krai,
            display_name="Губернатор Алтайского края",
            owner_kind="person",
            owner_role="head",
            owner_name="Губернатор Алтайского края",
            sphere="",
            required=0,
            mark="0" if platform == "telegram" else date_between(rng, "2022-12-01", "2023-02-28").isoformat(),
            created=date_between(rng, "2016-01-01", "2019-12-31"),
            tier="ru_governor",
        )
    for platform, handle in (("vk", "altai_krai_gov"), ("ok", "altaikraigov"), ("telegram", "altai_krai_gov")):
        reg.add(
            platform,
            "RU-ALT/body",
            reg.handle(platform, handle, "alt"),
            krai,
            display_name="Правительство Алтайского края",
            owner_kind="body",
            owner_role="body",
            owner_name="Правительство Алтайского края",
            sphere="",
            required=1,
            mark="0" if platform == "telegram" else date_between(rng, "2022-12-01", "2023-01-31").isoformat(),
            created=date_between(rng, "2012-01-01", "2017-12-31"),
            tier="ru_government",
        )
    settlements = [t for t in territories if t.country == "RU" and t.level == "settlement"]
    marked = set(fixed_rng("RU-ALT/marks").choice(len(settlements), ALT_MARKED, replace=False).tolist())
    training = next(t.code for t in territories if t.name_ru == f"{TRAINING_DISTRICT} район")
    candidates = [i for i, t in enumerate(settlements) if t.parent_code != training]
    dormant = set(fixed_rng("RU-ALT/dormant").choice(candidates, len(settlements) // 20, replace=False).tolist())
    for t in territories:
        if t.country != "RU" or t.level == "country" or t.code == "RU-ALT":
            continue
        rng = fixed_rng(t.code + "/pages")
        owner = f"Администрация {t.genitive}"
        if t.level == "district":
            vk = ("adm_{s}", "{s}_adm", "admin{s}") if t.urban else ("adm_{s}", "{s}_rayon", "admin{s}")
            for platform, pattern in (("vk", vk), ("ok", ("adm{s}", "{s}adm"))):
                reg.add(
                    platform,
                    f"{t.code}/body",
                    reg.handle(platform, pattern[int(rng.integers(len(pattern)))].format(s=t.stem), "alt"),
                    t,
                    display_name=f"{owner} Алтайского края" if not t.urban else owner,
                    owner_kind="body",
                    owner_role="body",
                    owner_name=owner,
                    sphere="",
                    required=1,
                    mark=date_between(rng, "2023-01-15", "2023-10-31").isoformat()
                    if rng.random() < (0.95 if platform == "vk" else 0.7)
                    else "0",
                    created=date_between(rng, "2013-01-01", "2020-12-31")
                    if platform == "vk"
                    else date_between(rng, "2022-09-01", "2023-01-31"),
                    tier="ru_district",
                )
        else:
            i = settlements.index(t)
            stem, district = handle_stem(t.name_en), handle_stem(by_code[t.parent_code].name_en)
            custom = rng.random() < 0.55
            wanted = f"{stem}_ss" if rng.random() < 0.5 else f"adm_{stem}"
            handle = reg.handle("vk", wanted, district) if custom else ""
            reg.add(
                "vk",
                f"{t.code}/body",
                handle or "public{id}",
                t,
                display_name=owner,
                owner_kind="body",
                owner_role="body",
                owner_name=owner,
                sphere="",
                required=1,
                mark=date_between(rng, "2023-01-20", "2023-12-20").isoformat() if i in marked else "0",
                created=date_between(rng, "2022-06-01", "2023-01-31"),
                tier="ru_settlement",
                story="training" if t.parent_code == training else "",
                dormant_days=int(rng.integers(70, 300)) if i in dormant else 0,
            )


def _gos_handle(rng: np.random.Generator) -> str:
    """A state body's MAX link: id, a taxpayer number of Altai Krai (22…) and _gos."""
    return f"id22{int(rng.integers(10**7, 10**8))}_gos"


def ru_max_channels(reg: Registry, territories: list[Territory]) -> None:
    """Altai Krai's MAX channels: the governor's, the government's and about half of the district administrations'."""
    # A state body's channel is verified as it opens: the mark dates from its creation.
    opened = OPENED_ON["max"].isoformat()
    rng = fixed_rng("RU-ALT/max")
    krai = next(t for t in territories if t.code == "RU-ALT")
    for role, handle, owner_kind, owner, tier in (
        ("head", "gubernator22", "person", "Губернатор Алтайского края", "ru_governor"),
        ("body", _gos_handle(rng), "body", "Правительство Алтайского края", "ru_government"),
    ):
        created = date_between(rng, opened, "2025-08-31")
        reg.add(
            "max",
            f"RU-ALT/{role}",
            reg.handle("max", handle, "alt"),
            krai,
            display_name=owner,
            owner_kind=owner_kind,
            owner_role=role,
            owner_name=owner,
            sphere="",
            required=0,
            mark=created.isoformat(),
            created=created,
            tier=tier,
        )
    for t in territories:
        if t.country != "RU" or t.level != "district":
            continue
        rng = fixed_rng(t.code + "/max")
        # Towns have one more often than rural districts.
        if rng.random() >= (0.7 if t.urban else 0.45):
            continue
        owner = f"Администрация {t.genitive}"
        created = date_between(rng, opened, "2025-12-31")
        reg.add(
            "max",
            f"{t.code}/body",
            reg.handle("max", _gos_handle(rng), "alt"),
            t,
            display_name=f"{owner} Алтайского края" if not t.urban else owner,
            owner_kind="body",
            owner_role="body",
            owner_name=owner,
            sphere="",
            required=0,
            mark=created.isoformat(),
            created=created,
            tier="ru_district",
        )
