"""How each kind of page behaves: its audience, inquiries and replies, and its followers and posts by platform."""

from __future__ import annotations

from typing import NamedTuple


class Tier(NamedTuple):
    """How a kind of page behaves."""

    ref_population: float
    comment_rate: float
    question_share: float
    direct_rate: float
    reply_rate: float
    reply_minutes: float
    weekly: bool
    growth: float
    person: bool


TIERS = {
    "kz_region_head": Tier(800_000, 0.0010, 0.04, 0.06, 0.75, 150, False, 0.20, True),
    "kz_region_body": Tier(800_000, 0.0005, 0.06, 0.06, 0.85, 90, False, 0.15, False),
    "kz_deputy": Tier(800_000, 0.0006, 0.06, 0.04, 0.60, 240, False, 0.15, True),
    "kz_press": Tier(800_000, 0.0003, 0.10, 0.0, 0.80, 60, False, 0.25, False),
    "kz_district_head": Tier(40_000, 0.0015, 0.07, 0.06, 0.70, 180, False, 0.25, True),
    "kz_district_body": Tier(40_000, 0.0010, 0.07, 0.05, 0.75, 150, False, 0.20, False),
    "kz_institution": Tier(40_000, 0.0008, 0.10, 0.02, 0.60, 300, True, 0.15, False),
    "kz_rural_head": Tier(4_000, 0.0040, 0.20, 0.06, 0.65, 300, True, 0.20, True),
    "ru_governor": Tier(2_000_000, 0.0008, 0.06, 0.06, 0.70, 200, False, 0.12, True),
    "ru_government": Tier(2_000_000, 0.0004, 0.08, 0.06, 0.90, 60, False, 0.10, False),
    "ru_district": Tier(15_000, 0.0015, 0.15, 0.06, 0.80, 120, False, 0.12, False),
    "ru_settlement": Tier(1_400, 0.0040, 0.25, 0.06, 0.70, 240, True, 0.10, False),
    # National scale only.
    "ru_district_head": Tier(15_000, 0.0015, 0.10, 0.05, 0.70, 180, False, 0.12, True),
    "ru_municipality": Tier(1_400, 0.0080, 0.30, 0.15, 0.70, 240, True, 0.10, False),
    "ru_institution": Tier(3_000, 0.0050, 0.25, 0.10, 0.60, 300, True, 0.10, False),
    # Kindergartens, village clubs, libraries and basic schools: an audience of a few hundred families.
    "ru_small_institution": Tier(20_000, 0.0040, 0.20, 0.06, 0.60, 300, True, 0.08, False),
}

# Median followers and posts a day, by tier and platform.
PROFILES: dict[tuple[str, str], tuple[float, float]] = {
    ("kz_region_head", "instagram"): (60_000, 0.8),
    ("kz_region_head", "facebook"): (12_000, 0.4),
    ("kz_region_head", "telegram"): (8_000, 1.0),
    ("kz_region_body", "instagram"): (40_000, 1.0),
    ("kz_region_body", "facebook"): (10_000, 0.7),
    ("kz_deputy", "instagram"): (25_000, 0.4),
    ("kz_deputy", "facebook"): (10_000, 0.3),
    ("kz_press", "telegram"): (5_000, 1.5),
    ("kz_district_head", "instagram"): (5_000, 0.25),
    ("kz_district_head", "telegram"): (1_500, 0.3),
    ("kz_district_head", "facebook"): (2_000, 0.2),
    ("kz_district_body", "instagram"): (7_000, 0.3),
    ("kz_district_body", "facebook"): (2_000, 0.3),
    ("kz_institution", "instagram"): (1_200, 0.15),
    ("kz_institution", "facebook"): (600, 0.1),
    ("kz_rural_head", "instagram"): (900, 0.12),
    ("ru_governor", "vk"): (90_000, 0.8),
    ("ru_governor", "ok"): (25_000, 0.5),
    ("ru_governor", "telegram"): (45_000, 1.2),
    ("ru_government", "vk"): (60_000, 3.0),
    ("ru_government", "ok"): (20_000, 1.0),
    ("ru_government", "telegram"): (30_000, 3.0),
    ("ru_governor", "max"): (12_000, 1.0),
    ("ru_government", "max"): (8_000, 2.5),
    ("ru_district", "vk"): (3_000, 0.4),
    ("ru_district", "ok"): (1_500, 0.3),
    ("ru_district", "max"): (600, 0.35),
    ("ru_settlement", "vk"): (450, 0.07),
    # National scale only.
    ("ru_municipality", "vk"): (450, 0.25),
    ("ru_municipality", "ok"): (250, 0.12),
    ("ru_district_head", "vk"): (2_500, 0.35),
    ("ru_institution", "vk"): (700, 0.32),
    ("ru_institution", "ok"): (350, 0.2),
    ("ru_small_institution", "vk"): (450, 0.3),
    ("ru_small_institution", "ok"): (250, 0.15),
    ("kz_institution", "telegram"): (500, 0.3),
    ("kz_rural_head", "facebook"): (300, 0.08),
    ("kz_rural_head", "telegram"): (400, 0.15),
}
