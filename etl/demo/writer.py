"""The demo's CSV files: territories, accounts, followers, posts and inquiries, written row by row."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np

from etl.demo.columns import HEADERS, KINDS
from etl.demo.period import Context, WorkCalendar, day_number, months_before
from etl.demo.registry import Page
from etl.demo.simulation import created_on, exists_by_end, official_mark, simulate
from etl.demo.stories import demo_registry
from etl.demo.territories import Territory


def territory_row(t: Territory) -> list[Any]:
    """A territories.csv row."""
    values = {
        "code": t.code,
        "name_ru": t.name_ru,
        "name_en": t.name_en,
        "name_kk": t.name_kk,
        "level": t.level,
        "parent_code": t.parent_code,
        "population": t.population,
        "timezone": t.timezone,
    }
    return [values[c] for c in HEADERS["territories"]]


def account_row(page: Page, ctx: Context) -> list[Any]:
    """An accounts.csv row; url stays empty because the pages are synthetic."""
    values = {
        "platform": page.platform,
        "account_id": page.account_id,
        "handle": page.handle,
        "display_name": page.display_name,
        "territory_code": page.territory.code,
        "owner_kind": page.owner_kind,
        "owner_role": page.owner_role,
        "owner_name": page.owner_name,
        "sphere": page.sphere,
        "required": page.required,
        "official_mark": official_mark(page, ctx),
        "created_on": created_on(page, ctx).isoformat(),
        "url": "",
    }
    return [values[c] for c in HEADERS["accounts"]]


def write_demo(out_dir: Path, *, seed: int = 2019, end: dt.date | None = None, months: int = 18) -> list[Path]:
    """Write the demo CSV files into out_dir; return their paths: territories, accounts, followers, posts, inquiries."""
    end = end or dt.date.today() - dt.timedelta(days=1)
    start = months_before(end, months)
    start_day, end_day = day_number(start), day_number(end)
    # A collector misses a whole day now and then; daily series get gaps the ETL carries forward.
    outage = np.zeros(end_day - start_day + 1, dtype=bool)
    n_out = max(1, outage.size // 120)
    outage[np.random.default_rng([seed, 0]).choice(np.arange(1, outage.size - 1), n_out, replace=False)] = True
    ctx = Context(seed, start_day, end_day, outage, {c: WorkCalendar(c, start_day, end_day) for c in ("KZ", "RU")})
    territories, every_page = demo_registry()
    pages = [p for p in every_page if exists_by_end(p, ctx)]
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = [out_dir / f"{kind}.csv" for kind in KINDS]
    files = [p.open("w", encoding="utf-8", newline="") for p in paths]
    try:
        writers = [csv.writer(f, lineterminator="\n") for f in files]
        for writer, kind in zip(writers, KINDS, strict=True):
            writer.writerow(HEADERS[kind])
        writers[0].writerows(territory_row(t) for t in territories)
        writers[1].writerows(account_row(p, ctx) for p in pages)
        # Page by page: memory stays bounded by the largest page, whatever the number of pages.
        for page in pages:
            for writer, cols in zip(writers[2:], simulate(page, ctx), strict=True):
                writer.writerows(zip(*cols, strict=True))
    finally:
        for f in files:
            f.close()
    return paths
