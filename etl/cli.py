"""The `govpulse` command line: thin commands over the etl library."""

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from etl.settings import Settings, get_settings, masked_url

if TYPE_CHECKING:
    from rich.table import Table

    from etl.collect.base import Page, Platform, Window
    from etl.collect.run import Outcome
    from etl.ingest.headers import Mapping
    from etl.ingest.load import FileResult

# The database, pandas and the loader are imported by the commands that use them: --help stays quick.

app = typer.Typer(
    help="govpulse: load social-network data of officials and government bodies, report KPIs, serve the dashboard.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
# Called after every load that changed the database: the dashboard's command line adds the alerts' evaluation and
# sending here (etl never imports the dashboard).
AFTER_LOAD: list[Callable[[], None]] = []
# Piped output (CI, cron, files) gets a wide console so that tables are not cut to 80 columns.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True, soft_wrap=True)


def parse_day(value: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            pass
    raise typer.BadParameter(f"{value!r} is not a date (YYYY-MM-DD or DD.MM.YYYY)")


def _summary(results: "list[FileResult]") -> "Table":
    from rich.table import Table

    table = Table(title="Load summary")
    numbers = ("read", "new", "updated", "same", "rejected", "s")
    for col in ("file", "kind", "status", *numbers):
        table.add_column(col, justify="right" if col in numbers else "left")
    for r in results:
        style = {"rejected": "red", "loaded, rows rejected": "yellow"}.get(r.status, "")
        table.add_row(
            escape(r.path.name),
            r.kind,
            f"[{style}]{r.status}[/]" if style else r.status,
            f"{r.rows_read:,}",
            f"{r.inserted:,}",
            f"{r.updated:,}",
            f"{r.unchanged:,}",
            f"{r.rejected:,}",
            f"{r.seconds:.1f}",
        )
    return table


def _explain(r: "FileResult") -> None:
    if r.dialect:
        err.print(f"{escape(str(r.path))}: {r.kind}, detected {r.dialect}")
    if r.message:
        err.print(
            f"[bold]{escape(str(r.path))}[/]: {escape(r.message)}" if r.status != "rejected" else escape(r.message)
        )
    if "header not recognised" in r.message:
        err.print("  the headers each column is known by: docs/data-format.md; name others with --map FILE.toml")
    if r.ignored:
        shown = escape(", ".join(r.ignored))
        err.print(f"{escape(str(r.path))}: columns not in the contract were ignored (not stored): {shown}")
    if r.error_count and len(r.errors):
        verb = "rejected whole" if r.status == "rejected" else "loaded without these rows"
        err.print(f"[bold red]{escape(str(r.path))}[/]: {r.error_count:,} error(s), file {verb}:")
        where = f"{escape(str(r.path))}, " + (f"sheet {escape(r.sheet)}, row" if r.sheet is not None else "line")
        for e in r.errors.itertuples(index=False):
            err.print(f"  {where} {e.line}, column {e.column}, value {e.value!r}: {escape(str(e.rule))}")
        if r.error_count > len(r.errors):
            err.print(f"  … and {r.error_count - len(r.errors):,} more")
        for column, names in r.unknown.items():
            shown = ", ".join(sorted(names)[:200])
            more = f" and {len(names) - 200:,} more" if len(names) > 200 else ""
            err.print(f"  unknown {column} ({len(names):,}): {escape(shown)}{more}")
    if r.rejected_path:
        err.print(f"  rejected rows with reasons written to {escape(str(r.rejected_path))}")


def run_load(
    paths: list[Path], skip_bad_rows: bool, mapping: "Mapping | None" = None, sheet: str | None = None
) -> "list[FileResult]":
    """Load with a progress bar, print the summary and problems; return the results."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TaskID, TextColumn, TimeRemainingColumn

    from etl.ingest.load import load_paths
    from etl.store.audit import cli_actor
    from etl.store.db import get_engine

    with Progress(
        TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn(), console=err
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def progress(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = bar.add_task(Path(name).name, total=total)
            bar.update(tasks[name], completed=done)

        results = load_paths(
            get_engine(), paths, skip_bad_rows=skip_bad_rows, progress=progress, mapping=mapping, sheet=sheet,
            actor=cli_actor(),
        )  # fmt: skip
    out.print(_summary(results))
    for r in results:
        _explain(r)
    if any(r.inserted or r.updated for r in results):
        for hook in AFTER_LOAD:
            hook()
    return results


@app.command()
def load(
    paths: Annotated[list[Path], typer.Argument(help="CSV or XLSX files, or folders of them, in any order")],
    skip_bad_rows: Annotated[
        bool, typer.Option(help="Load the good rows; write bad ones with reasons to *.rejected.csv beside the file")
    ] = False,
    mapping_file: Annotated[
        Path | None,
        typer.Option("--map", help="TOML file naming the files' own headers of the contract's columns, by kind"),
    ] = None,
    sheet: Annotated[
        str | None, typer.Option(help="The sheet to read of each XLSX workbook (default: its first)")
    ] = None,
) -> None:
    """Validate and load data files into the database; a file with any bad row is rejected whole."""
    from etl.ingest.headers import MappingError, read_mapping

    try:
        mapping = read_mapping(mapping_file) if mapping_file else None
    except MappingError as exc:
        raise typer.BadParameter(str(exc), param_hint="--map") from None
    results = run_load(paths, skip_bad_rows, mapping, sheet)
    if any(r.status == "rejected" for r in results):
        raise typer.Exit(1)


@app.command()
def demo(
    out_dir: Annotated[Path | None, typer.Option("--out", help="Folder for the demo CSV files")] = None,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same data")] = 2019,
    end: Annotated[str | None, typer.Option(help="Last day of the demo data (default: yesterday)")] = None,
    months: Annotated[int | None, typer.Option(help="Months of history (default: 18; national: 12)")] = None,
    no_load: Annotated[bool, typer.Option("--no-load", help="Only write the CSV files")] = False,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the database already has accounts")
    ] = False,
    scale: Annotated[
        str,
        typer.Option(
            help="demo (Kazakhstan and Altai Krai) or national (a registry of about 255,000 pages, every day)"
        ),
    ] = "demo",
    accounts: Annotated[
        int | None,
        typer.Option(
            help="National: this many pages, spread over the registry (default 100,000; at most the registry's)", min=1
        ),
    ] = None,
    only_day: Annotated[
        str | None, typer.Option(help="National: write only this day's followers, posts and inquiries (a daily file)")
    ] = None,
) -> None:
    """Generate synthetic data (the demo, or the national scale) and load it through the normal load path."""
    if scale not in {"demo", "national"}:
        raise typer.BadParameter("must be demo or national", param_hint="--scale")
    if scale == "demo" and (accounts is not None or only_day is not None):
        raise typer.BadParameter("--accounts and --only-day need --scale national")
    from etl.store.db import get_engine, has_accounts

    if if_empty and has_accounts(get_engine()):
        err.print("The database already has data: demo not built.")
        return
    from etl import demo as generator  # imported here: only this command needs it

    last = parse_day(end) if end else None
    if scale == "national":
        folder = out_dir or get_settings().data_dir / "national"
        try:
            files = generator.write_national(
                folder,
                seed=seed,
                end=last,
                months=months or generator.NATIONAL_MONTHS,
                accounts=accounts or generator.NATIONAL_ACCOUNTS,
                only_day=parse_day(only_day) if only_day else None,
            )
        except generator.TooManyAccounts as exc:
            err.print(f"[bold red]Error:[/] {exc}: ask for at most {exc.size:,}.")
            raise typer.Exit(1) from None
    else:
        folder = out_dir or get_settings().data_dir / "demo"
        files = generator.write_demo(folder, seed=seed, end=last, months=months or 18)
    err.print(f"Synthetic {scale} data written to {folder} ({len(files)} files)")
    if not no_load:
        results = run_load(files, skip_bad_rows=False)
        if any(r.status == "rejected" for r in results):
            raise typer.Exit(1)


@app.command()
def collect(
    platform: Annotated[str, typer.Argument(help="vk, ok, max, telegram, youtube, instagram or x")],
    territory: Annotated[str | None, typer.Option(help="Only the pages under this territory code")] = None,
    since: Annotated[
        str | None, typer.Option(help="Posts published from this day on (default: 30 days back); their metrics refresh")
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder for the CSV files (default: data/incoming/DATE/PLATFORM)")
    ] = None,
    load_files: Annotated[bool, typer.Option("--load", help="Load the files into the database when written")] = False,
    api_base: Annotated[str | None, typer.Option(help="Another API server (a proxy; tests)")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for an answer before retrying", min=0.1)] = 30.0,
) -> None:
    """Fetch today's followers, the recent posts and the citizens' comments of the registry's pages from a platform."""
    from etl.collect import PLATFORMS
    from etl.collect import platform as collector
    from etl.collect.base import MissingCredential, Window
    from etl.collect.run import record, registry_pages
    from etl.store.audit import cli_actor
    from etl.store.db import get_engine

    if platform not in PLATFORMS:
        raise typer.BadParameter(f"must be one of {', '.join(PLATFORMS)}", param_hint="PLATFORM")
    spec = collector(platform)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = dt.datetime.combine(parse_day(since), dt.time(), dt.UTC) if since else now - dt.timedelta(days=30)
    if start > now:
        raise typer.BadParameter("is in the future", param_hint="--since")
    engine = get_engine()
    try:
        pages = registry_pages(engine, platform, territory)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--territory") from None
    if not pages:
        where = f" under {territory}" if territory else ""
        err.print(f"[bold red]Error:[/] the registry has no {platform} pages{where}: load an accounts file first.")
        raise typer.Exit(1)
    folder = out_dir or get_settings().data_dir / "incoming" / now.date().isoformat() / platform
    try:
        outcome = _run_collect(spec, pages, Window(start, now), folder, api_base, timeout)
    except MissingCredential as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(2) from None
    record(engine, outcome, territory, dt.datetime.now(dt.UTC), cli_actor())
    out.print(_collect_summary(outcome))
    for account_id, reason in sorted(outcome.harvest.skipped.items()):
        err.print(f"  skipped {platform} {escape(account_id)}: {escape(reason)}")
    for notice in outcome.harvest.notices:
        err.print(f"  [yellow]note:[/] {escape(notice)}")
    err.print(f"Files written to {escape(str(folder))}")
    failed = False
    if load_files:
        failed = any(r.status == "rejected" for r in run_load(outcome.files, skip_bad_rows=False))
    if failed or outcome.harvest.skipped:
        raise typer.Exit(1)


@app.command("import")
def import_saved(
    platform: Annotated[str, typer.Argument(help="vk, youtube, instagram, x, …")],
    files: Annotated[list[Path], typer.Argument(help="JSON files of the platform's API answers", show_default=False)],
    day: Annotated[
        str | None, typer.Option("--date", help="Day of the follower figures (default: the files' modification day)")
    ] = None,
    out_dir: Annotated[
        Path | None,
        typer.Option("--out", help="Folder for the CSV files (default: data/incoming/DATE/PLATFORM-import)"),
    ] = None,
    load_files: Annotated[bool, typer.Option("--load", help="Load the files into the database when written")] = False,
) -> None:
    """Turn API answers saved as JSON (by an API console, another tool) into contract files for the registry's pages."""
    from etl.collect import PLATFORMS
    from etl.collect import platform as collector
    from etl.collect.run import registry_pages
    from etl.collect.saved import NotSaved, import_saved, saved_on
    from etl.store.db import get_engine

    if platform not in PLATFORMS:
        raise typer.BadParameter(f"must be one of {', '.join(PLATFORMS)}", param_hint="PLATFORM")
    missing = [str(f) for f in files if not f.is_file()]
    if missing:
        raise typer.BadParameter(f"no such file: {', '.join(missing)}", param_hint="FILES")
    saved_at = saved_on(files)
    snapshot = parse_day(day) if day else saved_at.date()
    if snapshot > dt.date.today():
        raise typer.BadParameter("is in the future", param_hint="--date")
    if day and snapshot != saved_at.date():
        saved_at = min(
            dt.datetime.combine(snapshot, dt.time(12), dt.UTC), dt.datetime.now(dt.UTC).replace(microsecond=0)
        )
    err.print(
        f"Followers dated {snapshot.isoformat()}" + ("" if day else " (the files' modification day; --date to set it)")
    )
    pages = registry_pages(get_engine(), platform)
    folder = out_dir or get_settings().data_dir / "incoming" / dt.date.today().isoformat() / f"{platform}-import"
    try:
        outcome = import_saved(collector(platform), pages, files, snapshot, saved_at, folder)
    except NotSaved as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    out.print(_collect_summary(outcome, title="Import summary"))
    for notice in outcome.harvest.notices:
        err.print(f"  [yellow]note:[/] {escape(notice)}")
    if not outcome.pages:
        err.print(f"[yellow]None of the answers is of a {platform} page in the registry:[/] load its accounts first.")
    err.print(f"Files written to {escape(str(folder))}")
    if load_files and any(r.status == "rejected" for r in run_load(outcome.files, skip_bad_rows=False)):
        raise typer.Exit(1)


def _run_collect(spec: "Platform", pages: "list[Page]", window: "Window", folder: Path, api_base: str | None,
                 timeout: float) -> "Outcome":  # fmt: skip
    """A collection run with a progress bar of pages, requests and errors."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from etl.collect.base import RunFailed
    from etl.collect.run import collect

    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("pages"),
        TextColumn("· {task.fields[requests]:,} requests · {task.fields[errors]:,} failed"), TimeRemainingColumn(),
        console=err,
    ) as bar:  # fmt: skip
        task = bar.add_task(spec.name, total=len(pages), requests=0, errors=0)

        def advance(_: "Page", requests: int, errors: int) -> None:
            bar.update(task, advance=1, requests=requests, errors=errors)

        try:
            return collect(spec, pages, window, folder, api_base=api_base, timeout=timeout, progress=advance)
        except RunFailed as exc:
            bar.stop()
            err.print(f"[bold red]Error:[/] {escape(str(exc))}")
            raise typer.Exit(2) from None


def _collect_summary(outcome: "Outcome", title: str = "Collection summary") -> "Table":
    from rich.table import Table

    table = Table(title=f"{title}: {outcome.platform}")
    heads = ("pages", "collected", "skipped", "followers", "posts", "inquiries", "requests", "errors", "s")
    for col in heads:
        table.add_column(col, justify="right")
    h = outcome.harvest
    values = (len(outcome.pages), outcome.collected, len(h.skipped), len(h.followers), len(h.posts), len(h.inquiries),
              outcome.requests, outcome.errors)  # fmt: skip
    table.add_row(*(f"{v:,}" for v in values), f"{outcome.seconds:.1f}")
    return table


@app.command()
def report(
    level: Annotated[
        str, typer.Option(help="One row per: region, district, settlement or account", case_sensitive=False)
    ] = "region",
    date_from: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD or DD.MM.YYYY)")] = "",
    date_to: Annotated[str, typer.Option("--to", help="Last day of the period")] = "",
    parent: Annotated[str | None, typer.Option(help="Only territories under this territory code")] = None,
    platform: Annotated[str | None, typer.Option(help="Only this platform (instagram, vk, …)")] = None,
    deadline: Annotated[
        str | None,
        typer.Option(
            help="Answer deadline of within_deadline_pct: 8wh, 9wh (working hours), 24h (calendar hours), "
            "1wd (working days) or any N wh / h / wd; default: the deadline setting (8wh)"
        ),
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json")] = "table",
    exact: Annotated[
        bool,
        typer.Option(
            "--exact",
            help="Reply-time medians and p90 of regions computed from every inquiry, not read from the histograms "
            "(within 1 %)",
        ),
    ] = False,
) -> None:
    """Print the KPI table for a period, one row per territory or account (definitions in docs/metrics.md)."""
    from etl.metrics.kpis import format_table, kpi_table
    from etl.metrics.schedules import ScheduleError
    from etl.metrics.worktime import Deadline
    from etl.store.db import get_engine

    if level not in {"region", "district", "settlement", "account"}:
        raise typer.BadParameter("must be region, district, settlement or account", param_hint="--level")
    if fmt not in {"table", "csv", "json"}:
        raise typer.BadParameter("must be table, csv or json", param_hint="--format")
    if not date_from or not date_to:
        raise typer.BadParameter("both --from and --to are needed", param_hint="--from/--to")
    start, stop = parse_day(date_from), parse_day(date_to)
    if stop < start:
        raise typer.BadParameter("--to is before --from", param_hint="--to")
    try:
        rule = Deadline.parse(deadline) if deadline is not None else None
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--deadline") from None
    try:
        get_settings()
    except ValidationError as exc:
        for problem in exc.errors():
            name = "GOVPULSE_" + "_".join(map(str, problem["loc"])).upper()
            err.print(f"[bold red]{name}[/]: {escape(problem['msg'])} (got {escape(repr(problem['input']))})")
        raise typer.Exit(2) from None
    try:
        table = kpi_table(
            get_engine(), level, start, stop, parent=parent, platform=platform, deadline=rule, exact=exact
        )
    except ScheduleError as exc:
        err.print(f"[bold red]The schedule file is not valid[/]: {escape(str(exc))}")
        raise typer.Exit(1) from None
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None
    as_of = table.attrs.get("as_of")
    when = f", the latest {as_of[:16].replace('T', ' ')} UTC" if as_of else ""
    err.print(
        f"within_deadline_pct: deadline {table.attrs.get('deadline')}; unanswered inquiries judged at the latest "
        f"time in each region's data{when}"
    )
    if table.attrs.get("approximate"):
        err.print(
            "reply_median_min, reply_p90_min, reply_median_work_min, reply_p90_work_min: approximate, within 1 %, "
            "read from the reply-time histograms; --exact computes them from every inquiry"
        )
    form: Literal["table", "csv", "json"] = fmt  # type: ignore[assignment]
    sys.stdout.write(format_table(table, form))


@app.command()
def refresh() -> None:
    """Time every inquiry again on the working clocks (after editing schedules.csv) and bring the rollups up to date."""
    from etl.ingest.timing import record_data_times, retime
    from etl.store.changes import changed
    from etl.store.db import get_engine
    from etl.store.rollups import refresh_rollups
    from etl.store.scope import write_lock

    with get_engine().begin() as conn:
        write_lock(conn)
        timed = retime(conn)
        record_data_times(conn)
        refresh_rollups(conn)
        changed(conn, "refresh")
    err.print(f"{timed:,} answered inquiries timed again; rollups are up to date.")


@app.command()
def settings() -> None:
    """Show every setting, its value, its environment variable and what it means."""
    current = get_settings()
    for name, info in Settings.model_fields.items():
        value = getattr(current, name)
        shown = masked_url(value) if name == "database_url" else value
        out.print(f"GOVPULSE_{name.upper()} = {escape(str(shown))}", soft_wrap=True)
        out.print(f"    {info.description}", soft_wrap=True)
