"""The national scale: about 255,000 pages under every region, every page every day, streamed in batches."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from etl import demo
from etl.demo import national as national_scale
from etl.demo import national_accounts, stories
from etl.demo.registry import Page
from etl.demo.tiers import PROFILES, TIERS
from tests.demo.contract_rules import KINDS, keep_to_the_contract, keys_resolve

END = dt.date(2026, 10, 31)

NATIONAL_PAGES = 60
NATIONAL_MONTHS = 1  # 2026-10-01 … 2026-10-31
NATIONAL_DAYS = 31

# The registry as it was before its second layer came, digested by the code of then: its 102,086 pages' ids, their
# every field, and the ids of the default cut of 100,000 pages.
FIRST_LAYER = 102_086
FIRST_LAYER_IDS = "e7b09696c72a45659dc0391320218dfb4ca33069bd1c641941a283aec708070b"
FIRST_LAYER_ROWS = "36fc3e2848f9039ca1d44964d36589c8fa7971f5f24db6902137647588b9253d"
DEFAULT_CUT_IDS = "3f5f710ead1f0ffd87f6fcbef06cc56592767af34c36d807658855203b21237a"


def digest(pages: Iterable[Page], row: Callable[[Page], Sequence[str]]) -> str:
    """The sha256 digest of the pages' rows, one line of fields joined by | per page."""
    h = hashlib.sha256()
    for p in pages:
        h.update(("|".join(row(p)) + "\n").encode())
    return h.hexdigest()


def ids(p: Page) -> tuple[str, str]:
    """A page's key."""
    return p.platform, p.account_id


def fields(p: Page) -> list[str]:
    """Every field of a page, its territory by code."""
    return [p.territory.code if f.name == "territory" else str(getattr(p, f.name)) for f in dataclasses.fields(p)]


@pytest.fixture(scope="module")
def national_paths(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A tiny national data set: 60 pages over one month, written in batches of 7 pages."""
    folder = tmp_path_factory.mktemp("national")
    return demo.write_national(folder, seed=7, end=END, months=NATIONAL_MONTHS, accounts=NATIONAL_PAGES, batch=7)


@pytest.fixture(scope="module")
def national(national_paths: list[Path]) -> dict[str, pd.DataFrame]:
    """The tiny national files as text frames."""
    return {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in national_paths}


def test_national_registry_is_national() -> None:
    """Over 230,000 pages under every Kazakh region and all 83 Russian regions; the demo's come first, but MAX's."""
    territories, pages = national_accounts.national_registry()
    assert len(pages) >= 230_000
    _, demo_pages = stories.demo_registry()
    core = tuple(p for p in demo_pages if p.platform != "max")
    assert pages[: len(core)] == core and all(p.platform != "max" for p in pages)
    regions = [t for t in territories if t.level == "region"]
    assert sum(t.country == "RU" for t in regions) == 83 and sum(t.country == "KZ" for t in regions) == 20
    assert len({t.code for t in territories}) == len(territories)
    assert len({(p.platform, p.account_id) for p in pages}) == len(pages)
    assert len({(p.platform, p.handle) for p in pages}) == len(pages)
    assert sum(t.level == "settlement" for t in territories) > 15_000
    people = [p.owner_name for p in pages if p.owner_kind == "person"]
    assert all(re.match(r"(Аким|Заместитель акима|Губернатор|Глава|Мэр) ", name) for name in people)


def test_national_cut_is_spread_and_nested() -> None:
    """A cut of N pages is N distinct registry pages from every part of the registry, in registry order."""
    _, pages = national_accounts.national_registry()
    position = {(p.platform, p.account_id): i for i, p in enumerate(pages)}
    small, large = demo.national_pages(500), demo.national_pages(5_000)
    assert len(set(small)) == 500 and len(set(large)) == 5_000
    indexes = [position[(p.platform, p.account_id)] for p in large]
    assert indexes == sorted(indexes)
    assert set(small) <= set(large)
    countries = {p.territory.country for p in small}
    regions = {p.territory.code.split("-")[1] for p in large}
    assert countries == {"KZ", "RU"} and len(regions) > 80


def test_national_registry_keeps_its_first_pages() -> None:
    """The registry's first 102,086 pages are the pages it held before it grew, field for field, in the same order;
    the default cut of 100,000 pages is the very same pages too."""
    _, pages = national_accounts.national_registry()
    assert digest(pages[:FIRST_LAYER], ids) == FIRST_LAYER_IDS
    assert digest(pages[:FIRST_LAYER], fields) == FIRST_LAYER_ROWS
    assert digest(demo.national_pages(demo.NATIONAL_ACCOUNTS), ids) == DEFAULT_CUT_IDS


def test_national_registry_size_is_the_documented_one() -> None:
    """README.md and docs/performance.md give the registry's size as it is."""
    size = f"{len(national_accounts.national_registry()[1]):,} pages"
    root = Path(__file__).parents[2]
    readme, performance = (
        " ".join((root / d).read_text(encoding="utf-8").split()) for d in ("README.md", "docs/performance.md")
    )
    assert f"a registry of {size}" in readme and f"{size} in all" in performance


def test_national_cut_of_200000_pages() -> None:
    """--accounts 200,000 gives 200,000 distinct pages with distinct handles, in registry order: every page of the first
    layer and pages spread over the second, in both countries and every region; each kind of page has its profile."""
    _, pages = national_accounts.national_registry()
    position = {ids(p): i for i, p in enumerate(pages)}
    cut = demo.national_pages(200_000)
    assert len({ids(p) for p in cut}) == 200_000 and len({(p.platform, p.handle) for p in cut}) == 200_000
    indexes = [position[ids(p)] for p in cut]
    assert indexes == sorted(indexes) and indexes[:FIRST_LAYER] == list(range(FIRST_LAYER))
    second = [p for p, i in zip(cut, indexes, strict=True) if i >= FIRST_LAYER]
    quarters = {(i - FIRST_LAYER) * 4 // (len(pages) - FIRST_LAYER) for i in indexes[FIRST_LAYER:]}
    assert quarters == {0, 1, 2, 3}
    assert {p.territory.country for p in second} == {"KZ", "RU"}
    assert len({p.territory.code.split("-")[1] for p in second}) > 90
    assert {p.tier for p in pages} <= set(TIERS) and {(p.tier, p.platform) for p in pages} <= set(PROFILES)


def test_national_has_a_snapshot_per_page_and_day(national: dict[str, pd.DataFrame]) -> None:
    """followers.csv holds exactly pages × days rows: every page, every day of the period."""
    followers = national["followers"]
    assert len(national["accounts"]) == NATIONAL_PAGES
    assert len(followers) == NATIONAL_PAGES * NATIONAL_DAYS
    per_page = followers.groupby(["platform", "account_id"]).date.agg(["nunique", "min", "max"])
    assert (per_page["nunique"] == NATIONAL_DAYS).all()
    assert (per_page["min"] == "2026-10-01").all() and (per_page["max"] == END.isoformat()).all()
    created = national["accounts"].created_on
    assert (created < "2026-10-01").all()


def test_national_keeps_to_the_contract(national: dict[str, pd.DataFrame]) -> None:
    """The same format as the demo: contract constraints, unique keys, resolving references, posts and inquiries."""
    assert list(national) == KINDS
    keep_to_the_contract(national)
    keys_resolve(national)
    assert len(national["posts"]) > 0 and len(national["inquiries"]) > 0


def test_national_is_labelled_synthetic(national_paths: list[Path]) -> None:
    """The folder says the data is synthetic, and how many of the registry's pages it holds."""
    readme = (national_paths[0].parent / "README.md").read_text(encoding="utf-8")
    size = len(national_accounts.national_registry()[1])
    assert "SYNTHETIC" in readme and f"{NATIONAL_PAGES} of the national registry's {size:,} pages" in readme


def test_national_output_does_not_depend_on_the_batch(tmp_path: Path, national_paths: list[Path]) -> None:
    """Batches only bound memory: one page at a time writes the very same bytes, and so does the same seed again."""
    again = demo.write_national(tmp_path, seed=7, end=END, months=NATIONAL_MONTHS, accounts=NATIONAL_PAGES, batch=1)
    for a, b in zip(national_paths, again, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_national_memory_is_bounded_by_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rows are streamed: at most one batch of pages is simulated before its rows are written out."""
    events: list[str] = []
    simulate, writer = national_scale.simulate, csv.writer

    def logged_simulate(*args: Any) -> Any:
        events.append("simulate")
        return simulate(*args)

    class LoggedWriter:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            self.inner = writer(*args, **kwargs)

        def writerow(self, row: Any) -> Any:
            return self.inner.writerow(row)

        def writerows(self, rows: Any) -> Any:
            events.append("write")
            return self.inner.writerows(rows)

    monkeypatch.setattr(national_scale, "simulate", logged_simulate)
    monkeypatch.setattr(csv, "writer", LoggedWriter)
    demo.write_national(tmp_path, seed=1, end=END, months=1, accounts=23, batch=5)
    runs = [len(run) for run in "".join("s" if e == "simulate" else "w" for e in events).split("w") if run]
    assert sum(runs) == 23 and max(runs) == 5


def test_national_only_day_is_one_daily_delivery(tmp_path: Path, national: dict[str, pd.DataFrame]) -> None:
    """--only-day writes that day's followers (one row per page), posts and inquiries, and no registry."""
    day = END + dt.timedelta(days=1)
    paths = demo.write_national(tmp_path, seed=7, months=NATIONAL_MONTHS, accounts=NATIONAL_PAGES, only_day=day)
    assert [p.name for p in paths] == ["followers.csv", "posts.csv", "inquiries.csv"]
    frames = {p.stem: pd.read_csv(p, dtype=str, keep_default_na=False) for p in paths}
    followers = frames["followers"]
    assert len(followers) == NATIONAL_PAGES and (followers.date == day.isoformat()).all()
    pages = set(zip(national["accounts"].platform, national["accounts"].account_id, strict=True))
    assert set(zip(followers.platform, followers.account_id, strict=True)) == pages
    assert (frames["posts"].published_at.str[:10] == day.isoformat()).all()
    assert (frames["inquiries"].received_at.str[:10] == day.isoformat()).all()
    assert len(frames["inquiries"]) > 0


def test_national_loads_through_the_etl(tmp_path: Path) -> None:
    """A tiny national set and then its next day load without a rejected row; the rollups reach the new day."""
    from sqlalchemy import text

    from etl.ingest.load import load_paths
    from etl.store.db import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'national.db'}")
    base = demo.write_national(tmp_path / "base", seed=5, end=END, months=1, accounts=25)
    nxt = demo.write_national(tmp_path / "next", seed=5, months=1, accounts=25, only_day=END + dt.timedelta(days=1))
    for paths in (base, nxt):
        results = load_paths(engine, paths)
        assert all(r.ok for r in results), [(r.path.name, r.message, r.errors.head()) for r in results]
    with engine.connect() as conn:
        last = conn.execute(text("SELECT max(day), count(DISTINCT account_pk) FROM accountday")).one()
    assert str(last[0])[:10] == (END + dt.timedelta(days=1)).isoformat() and last[1] == 25
    engine.dispose()


def test_cli_national_writes_without_loading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`govpulse demo --scale national --accounts N --no-load --out DIR` writes the files; --accounts needs national."""
    from typer.testing import CliRunner

    from etl.cli import app
    from etl.settings import get_settings
    from etl.store.db import get_engine

    monkeypatch.setenv("GOVPULSE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    runner = CliRunner()
    out = tmp_path / "out"
    args = ["demo", "--scale", "national", "--accounts", "12", "--months", "1", "--end", END.isoformat()]
    result = runner.invoke(app, [*args, "--no-load", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert sum(1 for _ in (out / "followers.csv").open(encoding="utf-8")) == 1 + 12 * NATIONAL_DAYS
    refused = runner.invoke(app, ["demo", "--accounts", "12", "--no-load", "--out", str(tmp_path / "x")])
    assert refused.exit_code != 0 and "--scale national" in refused.output
    get_settings.cache_clear()
    get_engine.cache_clear()


def test_cli_national_refuses_more_pages_than_the_registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """--accounts past the registry is one line naming the registry's size; exit 1, no traceback, no file written."""
    from typer.testing import CliRunner

    from etl.cli import app
    from etl.settings import get_settings
    from etl.store.db import get_engine

    monkeypatch.setenv("GOVPULSE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    get_settings.cache_clear()
    get_engine.cache_clear()
    size = len(national_accounts.national_registry()[1])
    out = tmp_path / "out"
    args = ["demo", "--scale", "national", "--accounts", str(size + 1), "--no-load", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.output
    assert [line for line in result.output.splitlines() if line.strip()] == [
        f"Error: --accounts {size + 1:,} is more than the national registry's {size:,} pages: ask for at most {size:,}."
    ]
    assert not out.exists()
    get_settings.cache_clear()
    get_engine.cache_clear()
