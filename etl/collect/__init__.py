"""Collectors: fetch snapshots of official pages from the platforms' APIs and write them as contract CSV files."""

import importlib

from etl.collect.base import Platform

PLATFORMS = ("vk", "ok", "max", "telegram", "youtube", "instagram", "x")


def platform(name: str) -> Platform:
    """The collector of a platform (imported on demand: a run needs only its own)."""
    if name not in PLATFORMS:
        raise ValueError(f"no collector for {name!r}; there are: {', '.join(PLATFORMS)}")
    module = importlib.import_module(f"etl.collect.{name}")
    found: Platform = module.PLATFORM
    return found
