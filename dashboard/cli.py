"""The `govpulse` command line: etl's commands, and those that need the dashboard (serve, brief)."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from etl.cli import app, err, parse_day
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
