"""One collection run: the registry's pages of a platform, their harvest from the API, its record in the database."""

import datetime as dt
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import Engine

from etl.collect.base import Harvest, Page, Platform, Window, credentials
from etl.collect.files import write_harvest
from etl.collect.http import Client
from etl.store import audit
from etl.store.audit import Actor
from etl.store.changes import changed
from etl.store.models import CollectionRun, table_of
from etl.store.scope import ACCOUNT, TERRITORY, resolve_scope


@dataclass
class Outcome:
    """What a run did: its harvest, the files written, and what the API calls cost."""

    platform: str
    window: Window
    pages: list[Page]
    harvest: Harvest
    files: list[Path] = field(default_factory=list)
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0

    @property
    def collected(self) -> int:
        """Pages collected in full."""
        return len(self.pages) - len(self.harvest.skipped)


def registry_pages(engine: Engine, platform: str, territory: str | None = None) -> list[Page]:
    """The registry's pages of `platform` (in `territory`'s subtree), with their territory's time zone; ValueError
    names an unknown territory."""
    a, t = ACCOUNT.c, TERRITORY.c
    today = dt.date.today()
    with engine.connect() as conn:
        scope = resolve_scope(conn, "account", today, today, territory, platform)
        stmt = (
            select(a.account_id, a.handle, a.display_name, t.timezone)
            .select_from(ACCOUNT.join(TERRITORY, t.code == a.territory_code))
            .where(*scope.where(a.platform))
            .order_by(a.account_id)
        )
        rows = conn.execute(stmt).all()
    return [Page(str(i), handle or "", name or "", zone) for i, handle, name, zone in rows]


def collect(
    spec: Platform,
    pages: list[Page],
    window: Window,
    out_dir: Path,
    *,
    api_base: str | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float = 30.0,
    progress: Callable[[Page, int, int], None] | None = None,
) -> Outcome:
    """Collect `pages` from the platform's API and write the contract files into `out_dir`; `progress` is told of each
    page done with the requests and failed requests so far."""
    secrets = credentials(spec.credentials, environ)
    started = time.perf_counter()
    with Client(
        api_base or spec.api_base, per_second=spec.per_second, secrets=secrets.values(), timeout=timeout
    ) as client:

        def done(page: Page) -> None:
            if progress is not None:
                progress(page, client.requests, client.errors)

        harvest = spec.collect(client, secrets, pages, window, done)
        requests, errors = client.requests, client.errors
        harvest.skipped = {k: client.redact(v) for k, v in harvest.skipped.items()}
        harvest.notices = [client.redact(n) for n in harvest.notices]
    files = write_harvest(harvest, out_dir)
    return Outcome(spec.name, window, pages, harvest, files, requests, errors, time.perf_counter() - started)


def record(
    engine: Engine, outcome: Outcome, territory: str | None, finished: dt.datetime, actor: Actor | None = None
) -> None:
    """Keep the run in the collection log the Data page shows (and the `actor`'s run in the audit)."""
    skipped = "\n".join(f"{page}: {reason}" for page, reason in sorted(outcome.harvest.skipped.items()))
    run = dict(
        platform=outcome.platform,
        started_at=outcome.window.now,
        finished_at=finished.astimezone(dt.UTC),
        since=outcome.window.since,
        territory_code=territory,
        pages=len(outcome.pages),
        collected=outcome.collected,
        skipped=len(outcome.harvest.skipped),
        skipped_detail=skipped,
        notices="\n".join(outcome.harvest.notices),
        requests=outcome.requests,
        errors=outcome.errors,
        posts=len(outcome.harvest.posts),
        inquiries=len(outcome.harvest.inquiries),
        out_dir=str(outcome.files[0].parent) if outcome.files else "",
    )
    with engine.begin() as conn:
        conn.execute(table_of(CollectionRun).insert(), run)
        changed(conn, "collect")
        if actor is not None:
            said = "collected" if not outcome.harvest.skipped else "collected, pages skipped"
            cost = f"{len(outcome.pages):,} page(s), {outcome.requests:,} request(s), {outcome.errors:,} failed"
            audit.record(conn, actor, "collect", outcome.platform, said, territory=territory,
                         accepted=outcome.collected, rejected=len(outcome.harvest.skipped), detail=cost)  # fmt: skip
