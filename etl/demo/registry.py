"""The registry of pages: each page's row and traits, built with unique ids and handles."""

from __future__ import annotations

import datetime as dt
import itertools
from dataclasses import dataclass
from typing import Any

from etl.demo.platforms import page_id
from etl.demo.territories import Territory


@dataclass(frozen=True)
class Page:
    """A registry row and the fixed traits the simulation starts from."""

    platform: str
    account_id: str
    handle: str
    display_name: str
    territory: Territory
    owner_kind: str
    owner_role: str
    owner_name: str
    sphere: str
    required: int
    mark: str
    created: dt.date
    tier: str
    story: str = ""
    old_handle: str = ""
    dormant_days: int = 0
    recent_days: int = 0


class Registry:
    """Builds the pages with unique ids and handles."""

    def __init__(self) -> None:
        self.pages: list[Page] = []
        self.handles: set[tuple[str, str]] = set()
        self.ids: set[tuple[str, str]] = set()

    def handle(self, platform: str, wanted: str, fallback: str) -> str:
        """The wanted handle, or a suffixed one when another page already holds it."""
        if (platform, wanted) not in self.handles:
            self.handles.add((platform, wanted))
            return wanted
        numbered = (f"{wanted}{n}" for n in range(2, 99))
        for candidate in itertools.chain((f"{wanted}_{fallback}",), numbered):
            if (platform, candidate) not in self.handles:
                self.handles.add((platform, candidate))
                return candidate
        raise ValueError(wanted)

    def add(self, platform: str, key: str, handle: str, territory: Territory, **traits: Any) -> Page:
        """Register a page under a stable key."""
        account_id, n = page_id(platform, key), 2
        while (platform, account_id) in self.ids:
            account_id, n = page_id(platform, f"{key}/{n}"), n + 1
        self.ids.add((platform, account_id))
        if "{id}" in handle:
            handle = handle.replace("{id}", account_id)
        page = Page(platform=platform, account_id=account_id, handle=handle, territory=territory, **traits)
        self.pages.append(page)
        return page
