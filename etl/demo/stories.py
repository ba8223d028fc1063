"""The demo's story lines and the registry that carries them: territories and pages, story pages marked."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from functools import cache
from typing import NamedTuple

from etl.demo.pages import kz_pages, ru_max_channels, ru_pages
from etl.demo.platforms import page_id
from etl.demo.registry import Page, Registry
from etl.demo.ru_places import TRAINING_DISTRICT
from etl.demo.territories import Territory, kz_territories, ru_territories


class Story(NamedTuple):
    """A story line of the demo: the accounts that show it, when it happens and what to look for."""

    accounts: tuple[tuple[str, str], ...]
    days_before_end: int
    description: str
    territory_code: str = ""


# Story lines that sit on one named page: (region or district code, English name, platform, role key).
_STORY_PAGES = {
    "new_akim": ("KZ-KUS", "Karasu District", "instagram", "head"),
    "campaign": ("KZ", "North Kazakhstan Region", "instagram", "head"),
    "bought_followers": ("KZ-MAN", "Munaily District", "instagram", "head"),
    "rename": ("KZ-PAV", "Ekibastuz", "instagram", "body"),
}
_NEVER_ANSWER = (
    ("KZ-ATY", "Makat District", "instagram", "body"),
    ("KZ-ZAP", "Kaztalov District", "instagram", "body"),
    ("KZ-AKT", "Shalkar District", "instagram", "head"),
    ("RU-ALT", "Suetsky District", "vk", "body"),
)
_DORMANT = (
    ("KZ-ZHA", "Sarysu District", "instagram", "head"),
    ("KZ-VOS", "Zaisan District", "instagram", "body"),
)
STORY_DAYS = {"new_akim": 120, "campaign": 150, "bought_followers": 100, "rename": 90, "training": 183}


@cache
def demo_registry() -> tuple[tuple[Territory, ...], tuple[Page, ...]]:
    """The territories and pages of the demo; the same for every seed."""
    territories = kz_territories() + ru_territories()
    reg = Registry()
    kz_pages(reg, territories)
    ru_pages(reg, territories)
    ru_max_channels(reg, territories)
    pages = reg.pages

    def find(parent: str, name_en: str, platform: str, role: str) -> int:
        code = next(t.code for t in territories if t.parent_code == parent and t.name_en == name_en)
        account_id = page_id(platform, f"{code}/{role}")
        return next(i for i, p in enumerate(pages) if p.platform == platform and p.account_id == account_id)

    for story, spec in _STORY_PAGES.items():
        i = find(*spec)
        page = replace(pages[i], story=story)
        if story == "rename":
            new = reg.handle(page.platform, f"akimat_{page.territory.stem}_official", "pav")
            page = replace(page, old_handle=page.handle, handle=new)
        pages[i] = page
    for spec in _NEVER_ANSWER:
        i = find(*spec)
        pages[i] = replace(pages[i], story="never_answers")
    for n, spec in enumerate(_DORMANT):
        i = find(*spec)
        pages[i] = replace(pages[i], dormant_days=95 + 60 * n)
    return tuple(territories), tuple(pages)


def _stories() -> dict[str, Story]:
    """The story lines, pointing at their pages."""
    territories, pages = demo_registry()

    def ids(match: Iterable[Page]) -> tuple[tuple[str, str], ...]:
        return tuple((p.platform, p.account_id) for p in match)

    training = next(t.code for t in territories if t.name_ru == f"{TRAINING_DISTRICT} район")
    story_page = {p.story: p for p in pages if p.story}
    stories = {
        "new_akim": Story(
            ids([story_page["new_akim"]]),
            STORY_DAYS["new_akim"],
            "A new district akim's personal Instagram: 0 to ~1,000 followers in two months, then slow growth",
        ),
        "campaign": Story(
            ids([story_page["campaign"]]),
            STORY_DAYS["campaign"],
            "A regional akim's Instagram gains ~15,000 followers in under three weeks (a campaign)",
        ),
        "never_answers": Story(
            ids(p for p in pages if p.story == "never_answers"),
            0,
            "District pages that never answer: inquiries arrive, first_reply_at is always empty",
        ),
        "dormant": Story(
            ids(p for p in pages if p.dormant_days),
            min(p.dormant_days for p in pages if p.dormant_days),
            "Dormant pages: no posts for 70+ days and flat followers (about 5 % of Altai settlement pages)",
        ),
        "training": Story(
            ids(p for p in pages if p.story == "training"),
            STORY_DAYS["training"],
            "Settlements of a district trained by the regional centre: replies jump from ~30 % to ~85 %",
            training,
        ),
        "bought_followers": Story(
            ids([story_page["bought_followers"]]),
            STORY_DAYS["bought_followers"],
            "A district akim's Instagram gains ~8,000 bought followers in one day, then loses part of them",
        ),
        "rename": Story(
            ids([story_page["rename"]]),
            STORY_DAYS["rename"],
            "A city akimat's Instagram renames its handle; the registry holds the new one",
        ),
    }
    return stories


STORIES: dict[str, Story] = _stories()
