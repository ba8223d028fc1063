"""The `govpulse` command line: etl's commands, and those that need the dashboard (serve, brief, digest,
subscriptions, alerts) or manage it (users, audit); every load ends with the alerts."""

import datetime as dt
import os
import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape

from etl.cli import AFTER_LOAD, app, err, out, parse_day
from etl.settings import get_settings

__all__ = ["app", "serve_command"]

LOCAL = "127.0.0.1"  # where the dashboard listens unless told: this machine only, a reverse proxy in front


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on: 127.0.0.1 (this machine), 0.0.0.0 (all)")] = LOCAL,
    port: Annotated[int, typer.Option(help="Port to listen on")] = 8501,
) -> None:
    """Serve the dashboard at http://HOST:PORT (health check: /_stcore/health) until stopped (Ctrl-C, SIGTERM)."""
    from dashboard.listen import problem

    found = problem(host, port)
    if found:
        err.print(f"[bold red]Error:[/] {escape(found)}")
        raise typer.Exit(1)
    command = serve_command(port, host)
    sys.stdout.flush()
    sys.stderr.flush()
    # Streamlit takes this process's place: a signal (systemd's SIGTERM, Ctrl-C) reaches the server itself, which
    # stops, and no server is left running without its parent.
    os.execv(command[0], command)


def serve_command(port: int, host: str = LOCAL) -> list[str]:
    """The command serving the dashboard at `host`:`port`: `streamlit run` of dashboard/app.py, its modules imported
    before the first visit (dashboard/serve.py)."""
    script = Path(__file__).resolve().parent / "app.py"
    # No file watcher: a served dashboard does not change under it, and the watcher walks every imported module
    # after each script run (about half a second).
    # -P: the working folder is not put on sys.path, so that a file there (a click.py) cannot stand in for a module.
    return [sys.executable, "-P", "-m", "dashboard.serve", str(script), "--server.headless", "true",
            "--server.address", host, "--server.port", str(port), "--browser.gatherUsageStats", "false",
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


def _quiet_streamlit() -> None:
    """Silence the dashboard's cached queries, which warn "no runtime" outside Streamlit."""
    import streamlit.logger

    streamlit.logger.set_log_level("error")


def _fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[bold red]Error:[/] {escape(message)}")
    raise typer.Exit(code)


def _language(lang: str | None) -> str:
    language = lang or get_settings().language
    if language not in {"ru", "kk", "en"}:
        raise typer.BadParameter("must be ru, kk or en", param_hint="--lang")
    return language


@app.command()
def digest(
    territory: Annotated[str | None, typer.Option(help="Territory code: a country, region or district")] = None,
    period: Annotated[
        str, typer.Option(help="week (the last Monday to Sunday) or month (the last calendar month)")
    ] = "week",
    to: Annotated[
        list[str] | None, typer.Option("--to", help="telegram:CHAT, max:CHAT or email:ADDRESS; may be repeated")
    ] = None,
    lang: Annotated[str | None, typer.Option(help="ru, kk or en (default: the language setting)")] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Send each subscription the digest of its latest complete period, once")
    ] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the message; send and record nothing")] = False,
    day: Annotated[str | None, typer.Option("--date", help="Make the digest as on this day (default: today)")] = None,
    api_base: Annotated[str | None, typer.Option(help="Another Bot API server for Telegram and MAX (tests)")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for an answer", min=0.1)] = 30.0,
) -> None:
    """Send the digest of a territory's last complete week or month: headline sentences, the backlog, the ranking's
    laggards and leaders, a link to the dashboard and the briefing pack as PDF."""
    from etl.store.subscriptions import SubscriptionError, parse_channel

    today = parse_day(day) if day else dt.date.today()
    if period not in {"week", "month"}:
        raise typer.BadParameter("must be week or month", param_hint="--period")
    if every and (territory or to):
        raise typer.BadParameter("--all sends the stored subscriptions: leave out --territory and --to")
    if not every and not (territory and to):
        raise typer.BadParameter("give --territory and at least one --to, or --all")
    try:
        channels = [parse_channel(t) for t in to or []]
    except SubscriptionError as exc:
        raise typer.BadParameter(str(exc), param_hint="--to") from None
    language = _language(lang)
    _quiet_streamlit()
    from dashboard import dispatch

    if every:
        failed = dispatch.send_subscriptions(today, dry_run, api_base, timeout)
    else:
        failed = dispatch.send_digest(str(territory), period, today, language, channels, dry_run, api_base, timeout)
    if failed:
        raise typer.Exit(1)


subscriptions_app = typer.Typer(help="Who gets digests and alerts: add, list and remove subscriptions.",
                                no_args_is_help=True)  # fmt: skip
app.add_typer(subscriptions_app, name="subscriptions")


@subscriptions_app.command("add")
def subscriptions_add(
    channel: Annotated[str, typer.Argument(help="telegram:CHAT, max:CHAT or email:ADDRESS")],
    territory: Annotated[str, typer.Option(help="Territory code: a country, region or district")],
    period: Annotated[str, typer.Option(help="week or month")] = "week",
    lang: Annotated[str | None, typer.Option(help="ru, kk or en (default: the language setting)")] = None,
    alerts: Annotated[
        bool, typer.Option("--alerts/--no-alerts", help="Send this channel the territory's alerts")
    ] = True,
) -> None:
    """Subscribe a channel to a territory's weekly or monthly digest (and its alerts)."""
    from etl.store.db import get_engine
    from etl.store.subscriptions import SubscriptionError, add

    now = dt.datetime.now(dt.UTC)
    try:
        found = add(get_engine(), channel, territory, period, _language(lang), alerts, now)
    except SubscriptionError as exc:
        _fail(str(exc))
    err.print(f"Subscription {found} added: {escape(channel)} gets the {period}ly digest of {escape(territory)}")


@subscriptions_app.command("list")
def subscriptions_list() -> None:
    """List every subscription."""
    import pandas as pd
    from rich.table import Table

    from etl.store.db import get_engine
    from etl.store.subscriptions import listing

    table = Table(title="Subscriptions")
    for col in ("id", "channel", "territory", "period", "language", "alerts", "last digest"):
        table.add_column(col, justify="right" if col == "id" else "left")
    for sub in listing(get_engine()).to_dict("records"):
        last = "" if pd.isna(sub["last_sent_end"]) else f"to {sub['last_sent_end'].isoformat()}"
        table.add_row(str(sub["id"]), escape(str(sub["channel"])), str(sub["territory_code"]), str(sub["period"]),
                      str(sub["language"]), "yes" if sub["alerts"] else "no", last)  # fmt: skip
    out.print(table)


@subscriptions_app.command("remove")
def subscriptions_remove(subscription: Annotated[int, typer.Argument(help="The subscription's id (see list)")]) -> None:
    """Remove a subscription."""
    from etl.store.db import get_engine
    from etl.store.subscriptions import remove

    if not remove(get_engine(), subscription):
        _fail(f"no subscription {subscription}: `govpulse subscriptions list` shows them")
    err.print(f"Subscription {subscription} removed")


@app.command()
def alerts(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Print the messages; store and send nothing")] = False,
    api_base: Annotated[str | None, typer.Option(help="Another Bot API server for Telegram and MAX (tests)")] = None,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for an answer", min=0.1)] = 30.0,
) -> None:
    """Judge the alerts at the data's last day and tell each subscribed channel the new ones, once (every load does
    this by itself)."""
    _quiet_streamlit()
    from dashboard import dispatch

    if dispatch.run_alerts(dry_run=dry_run, api_base=api_base, timeout=timeout):
        raise typer.Exit(1)


def _alerts_after_load() -> None:
    """The alerts of the data just loaded, judged and told; a failure is reported, the load stands."""
    _quiet_streamlit()
    from dashboard import dispatch

    dispatch.run_alerts()


AFTER_LOAD.append(_alerts_after_load)


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
