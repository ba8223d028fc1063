"""The command line: help for every command, clear errors, exit codes."""

from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from tests.conftest import DATA

runner = CliRunner()
COMMANDS = ["load", "demo", "collect", "report", "refresh", "settings", "serve", "brief"]


@pytest.fixture(autouse=True)
def private_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every CLI test gets its own database file."""
    from etl.settings import get_settings
    from etl.store.db import get_engine

    monkeypatch.setenv("GOVPULSE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("GOVPULSE_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(command: str) -> None:
    """Each command explains itself."""
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    assert "Usage" in result.output
    first_help_line = app.registered_commands[COMMANDS.index(command)].callback.__doc__  # type: ignore[union-attr]
    assert first_help_line


def test_load_prints_summary() -> None:
    """`load` loads a folder and prints the summary table with what it detected."""
    result = runner.invoke(app, ["load", str(DATA)])
    assert result.exit_code == 0, result.output
    assert "Load summary" in result.output
    assert "detected utf-8, comma-delimited" in result.output


def test_bad_file_exits_non_zero_without_traceback(tmp_path: Path) -> None:
    """A bad file names file, line, column, value and rule, exits 1, and shows no traceback."""
    runner.invoke(app, ["load", str(DATA)])
    bad = tmp_path / "bad.csv"
    bad.write_text("date,platform,account_id,followers\n2026-03-06,myspace,1001,12\n", encoding="utf-8")
    result = runner.invoke(app, ["load", str(bad)])
    assert result.exit_code == 1
    assert "line 2, column platform, value 'myspace': must be one of" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    """A path that does not exist is named, not a traceback."""
    result = runner.invoke(app, ["load", str(tmp_path / "nope.csv")])
    assert result.exit_code == 1
    assert "nope.csv: no such file" in result.output


def test_settings_lists_every_variable() -> None:
    """`settings` shows each environment variable with its meaning."""
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 0
    assert "GOVPULSE_DATABASE_URL" in result.output
    assert "GOVPULSE_MIN_SAMPLE_INQUIRIES" in result.output


@pytest.mark.parametrize(
    "command", [["digest"], ["alerts"], ["subscriptions"], ["subscriptions", "add"], ["subscriptions", "list"],
                ["subscriptions", "remove"]],
)  # fmt: skip
def test_delivery_commands_have_help(command: list[str]) -> None:
    """The digest, alerts and subscriptions commands explain themselves."""
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    assert "Usage" in result.output


def test_every_load_ends_with_the_alerts(monkeypatch: pytest.MonkeyPatch) -> None:
    """`load` judges the alerts at the data's last day and stores those it opened; nothing is owed to anyone."""
    from sqlalchemy import text

    from etl.settings import get_settings
    from etl.store.db import get_engine

    monkeypatch.setenv("GOVPULSE_ACTIVE_DAYS", "2")
    get_settings.cache_clear()
    result = runner.invoke(app, ["load", str(DATA)])
    assert result.exit_code == 0, result.output
    with get_engine().connect() as conn:
        opened = conn.execute(text("SELECT count(*) FROM alert WHERE state = 'open' AND kind = 'silent'")).scalar()
    assert opened and f"Alerts at 2026-03-05: {opened} opened, 0 still open, 0 cleared" in result.output
    again = runner.invoke(app, ["load", str(DATA)])
    assert "Alerts at" not in again.output  # the same files again change nothing: no alerts to judge


def test_settings_hide_the_database_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """`settings` shows the database URL with its password, and any password parameter, as ***; so does the
    settings' repr, which a log or a traceback may print."""
    from etl.settings import get_settings

    url = "postgresql+psycopg://govpulse:S3CRET@db.internal:5432/govpulse?sslmode=require&sslpassword=K3Y"
    monkeypatch.setenv("GOVPULSE_DATABASE_URL", url)
    get_settings.cache_clear()
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 0
    assert (
        "GOVPULSE_DATABASE_URL = postgresql+psycopg://govpulse:***@db.internal:5432/govpulse?sslmode=require&"
        "sslpassword=***" in result.output
    )
    assert "S3CRET" not in result.output + repr(get_settings()) + str(get_settings())
    assert "K3Y" not in result.output


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql+psycopg://u:S3CRET@h/db", "postgresql+psycopg://u:***@h/db"),
        ("postgresql+psycopg://u:p%40S3CRET@h/db", "postgresql+psycopg://u:***@h/db"),
        (
            "postgresql+psycopg://u@h/db?password=S3CRET&connect_timeout=5",
            "postgresql+psycopg://u@h/db?password=***&connect_timeout=5",
        ),
        (
            "postgresql+psycopg://u:S3CRET@h:port/db",
            "postgresql+psycopg://u:***@h:port/db",
        ),  # not a URL SQLAlchemy reads
        ("sqlite:///data/govpulse.db", "sqlite:///data/govpulse.db"),
    ],
)
def test_masked_url(url: str, shown: str) -> None:
    """A database URL is printed with every password masked and the rest as written."""
    from etl.settings import masked_url

    assert masked_url(url) == shown
