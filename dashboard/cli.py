"""The `govpulse` command line: etl's commands, and those that need the dashboard (serve, brief) or manage it
(users, audit)."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from etl.cli import app, err, out, parse_day
from etl.settings import get_settings

__all__ = ["app", "serve_command"]


@app.command()
def serve(port: Annotated[int, typer.Option(help="Port to listen on")] = 8501) -> None:
    """Serve the dashboard at http://127.0.0.1:PORT."""
    import subprocess

    raise typer.Exit(subprocess.call(serve_command(port), env=os.environ.copy()))


def serve_command(port: int) -> list[str]:
    """The command serving the dashboard at 127.0.0.1:`port`: `streamlit run` of dashboard/app.py, its modules
    imported before the first visit (dashboard/serve.py)."""
    script = Path(__file__).resolve().parent / "app.py"
    # No file watcher: a served dashboard does not change under it, and the watcher walks every imported module
    # after each script run (about half a second).
    return [sys.executable, "-m", "dashboard.serve", str(script), "--server.headless", "true",
            "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false",
            "--server.fileWatcherType", "none"]  # fmt: skip


@app.command()
def brief(
    territory: Annotated[str, typer.Option(help="Territory code: a country, region or district (KZ-KUS, RU-ALT…)")],
    date_from: Annotated[str, typer.Option("--from", help="First day of the period (YYYY-MM-DD or DD.MM.YYYY)")],
    date_to: Annotated[str, typer.Option("--to", help="Last day of the period")],
    out_file: Annotated[Path, typer.Option("--out", help="File to write (.pptx or .pdf)")],
    lang: Annotated[str | None, typer.Option(help="ru, kk or en (default: the language setting)")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="pptx or pdf (default: from the --out suffix)")] = None,
) -> None:
    """Write the briefing pack of a territory and period: 16:9 slides (PPTX) or the same pages as PDF."""
    form = fmt or out_file.suffix.lstrip(".").lower() or "pptx"
    if form not in {"pptx", "pdf"}:
        raise typer.BadParameter("must be pptx or pdf", param_hint="--format")
    language = lang or get_settings().language
    if language not in {"ru", "kk", "en"}:  # dashboard.i18n.LANGUAGES (not imported: it loads pandas and Babel)
        raise typer.BadParameter("must be ru, kk or en", param_hint="--lang")
    start, stop = parse_day(date_from), parse_day(date_to)
    if stop < start:
        raise typer.BadParameter("--to is before --from", param_hint="--to")
    from dashboard.render import ExportUnavailable, warm_up

    try:
        warm_up()  # the browser starts (seconds) while the dashboard's modules load and the data is read
    except ExportUnavailable as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    import streamlit.logger

    streamlit.logger.set_log_level("error")  # the dashboard's cached queries warn "no runtime" outside Streamlit
    from dashboard.brief import BriefError, build

    try:
        data = build(territory, start, stop, language, form)
    except (BriefError, ExportUnavailable) as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    out_file.parent.mkdir(parents=True, exist_ok=True)
    out_file.write_bytes(data)
    err.print(f"Briefing pack written to {escape(str(out_file))} ({len(data) / 1e6:.1f} MB)")


users_app = typer.Typer(
    help="Who may use the signed-in dashboard: each person's role (viewer, loader, admin) and territory.",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")
PERSON = typer.Argument(metavar="EMAIL", help="The e-mail the sign-in service gives, or the user name of the header")


@users_app.command("add")
def users_add(
    person: Annotated[str, PERSON],
    role: Annotated[str, typer.Option(help="viewer (reads), loader (also uploads) or admin (also users, weights)")],
    territory: Annotated[
        str | None, typer.Option(help="A country, region or district code; none: the whole database")
    ] = None,
) -> None:
    """Give a person a role over a territory, or change theirs (the table wins over the sign-in service's groups)."""
    from etl.store.audit import cli_actor
    from etl.store.db import get_engine
    from etl.store.users import UserError, add

    try:
        outcome = add(get_engine(), person, role, territory, cli_actor())
    except UserError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    err.print(f"{escape(person.strip().lower())} {outcome}: {role} of {escape(territory or 'the whole database')}")


@users_app.command("list")
def users_list() -> None:
    """List every person of the users table with their role and territory."""
    from rich.table import Table

    from etl.store.db import get_engine
    from etl.store.users import listing

    table = Table(title="Users")
    for col in ("user", "role", "territory", "changed by", "changed at (UTC)"):
        table.add_column(col)
    for row in listing(get_engine()).to_dict("records"):
        place, when = row["territory_code"] or "(all)", str(row["changed_at"])[:16]
        table.add_row(escape(str(row["person"])), str(row["role"]), str(place), escape(str(row["changed_by"])), when)
    out.print(table)


@users_app.command("remove")
def users_remove(person: Annotated[str, PERSON]) -> None:
    """Take a person's role away (the sign-in service's groups may still give one)."""
    from etl.store.audit import cli_actor
    from etl.store.db import get_engine
    from etl.store.users import UserError, remove

    try:
        found = remove(get_engine(), person, cli_actor())
    except UserError as exc:
        err.print(f"[bold red]Error:[/] {escape(str(exc))}")
        raise typer.Exit(1) from None
    if not found:
        err.print(f"[bold red]Error:[/] {escape(person)} is not in the users table (`govpulse users list`)")
        raise typer.Exit(1)
    err.print(f"{escape(person.strip().lower())} removed")


@app.command()
def audit(
    since: Annotated[str | None, typer.Option(help="From this day on, UTC (YYYY-MM-DD or DD.MM.YYYY)")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table or csv")] = "table",
) -> None:
    """List the audit, newest first: who loaded, collected or changed what, and when."""
    from etl.store.audit import entries
    from etl.store.db import get_engine

    if fmt not in {"table", "csv"}:
        raise typer.BadParameter("must be table or csv", param_hint="--format")
    log = entries(get_engine(), parse_day(since) if since else None)
    if fmt == "csv":
        sys.stdout.write(log.to_csv(index=False, date_format="%Y-%m-%d %H:%M:%S"))
        return
    from rich.table import Table

    table = Table(title="Audit" + (f" since {parse_day(since).isoformat()}" if since else ""))
    heads = ("at (UTC)", "who", "via", "action", "file or object", "outcome", "territory", "accepted", "rejected",
             "sha256", "details")  # fmt: skip
    for col in heads:
        table.add_column(col, justify="right" if col in {"accepted", "rejected"} else "left")
    for e in log.to_dict("records"):
        counts = ["" if pd_missing(e[c]) else f"{int(e[c]):,}" for c in ("rows_accepted", "rows_rejected")]
        cells = [e["at"].strftime("%Y-%m-%d %H:%M:%S"), escape(str(e["actor"])), str(e["via"]), str(e["action"]),
                 escape(str(e["target"])), str(e["outcome"]), str(e["territory_code"] or "(all)"), *counts,
                 str(e["sha256"] or "")[:12], escape(str(e["detail"]))]  # fmt: skip
        table.add_row(*cells)
    out.print(table)


def pd_missing(value: object) -> bool:
    """Whether a table cell is empty (None or NaN)."""
    return value is None or value != value
