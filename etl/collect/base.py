"""What every collector shares: the pages it is given, the rows it returns, its credentials and its report."""

import datetime as dt
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from etl.collect.http import Client


@dataclass(frozen=True)
class Page:
    """A registry page to collect: its platform id as the registry keeps it, handle, name and time zone."""

    account_id: str
    handle: str = ""
    name: str = ""
    timezone: str = "UTC"


@dataclass(frozen=True)
class Credential:
    """An environment variable a collector needs, and where to get its value."""

    env: str
    where: str


class MissingCredential(Exception):
    """A credential's environment variable is not set."""

    def __init__(self, credential: Credential) -> None:
        super().__init__(f"{credential.env} is not set: {credential.where}")


def credentials(needed: tuple[Credential, ...], environ: Mapping[str, str] | None = None) -> dict[str, str]:
    """The values of the needed environment variables; MissingCredential names the first one absent."""
    env = os.environ if environ is None else environ
    values = {}
    for credential in needed:
        value = env.get(credential.env, "").strip()
        if not value:
            raise MissingCredential(credential)
        values[credential.env] = value
    return values


@dataclass(frozen=True)
class Window:
    """The run's clock: posts published from `since` on are collected, metrics as of `now` (both UTC)."""

    since: dt.datetime
    now: dt.datetime

    def day(self, page: Page) -> dt.date:
        """The page's local date of this run: the day its follower snapshot is for."""
        return self.now.astimezone(ZoneInfo(page.timezone or "UTC")).date()


def stamp(when: dt.datetime | float | int) -> str:
    """A UTC time as the contract writes it (2026-10-01T09:12:00Z); numbers are Unix seconds."""
    if not isinstance(when, dt.datetime):
        when = dt.datetime.fromtimestamp(int(when), dt.UTC)
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class Harvest:
    """What a run fetched, as contract rows, and the pages it had to skip with the reason."""

    followers: list[dict[str, Any]] = field(default_factory=list)
    posts: list[dict[str, Any]] = field(default_factory=list)
    inquiries: list[dict[str, Any]] = field(default_factory=list)
    skipped: dict[str, str] = field(default_factory=dict)  # account_id → reason
    notices: list[str] = field(default_factory=list)  # run-wide: a method stopped for the run, a quota reached

    def skip(self, page: Page, reason: str) -> None:
        """Record a page that could not be collected."""
        self.skipped[page.account_id] = reason

    def take(self, page: "Harvest") -> None:
        """Add the rows and notices of one page, gathered apart until it was collected in full."""
        self.followers += page.followers
        self.posts += page.posts
        self.inquiries += page.inquiries
        self.notices += page.notices


class Progress(Protocol):
    """Told when a page is done, so that the command can show a bar."""

    def __call__(self, page: Page) -> None: ...


Collect = Callable[[Client, dict[str, str], list[Page], Window, Progress], Harvest]


@dataclass(frozen=True)
class Saved:
    """API answers saved as JSON files, read as a run's would be: each file's name and parsed content, the registry's
    pages, the followers' snapshot day and when the answers were saved (the posts' `collected_at`, UTC)."""

    documents: list[tuple[str, Any]]
    pages: list[Page]
    day: dt.date
    saved_at: dt.datetime


ReadSaved = Callable[[Saved], Harvest]


@dataclass(frozen=True)
class Platform:
    """A collector: the platform it reads, its API, credentials, pace, and the function that collects."""

    name: str
    api_base: str
    credentials: tuple[Credential, ...]
    per_second: float
    collect: Collect
    read_saved: ReadSaved | None = None  # `govpulse import`: saved answers through the same row functions


class RunFailed(Exception):
    """The run cannot go on (the platform refused the credentials): the message says why."""
