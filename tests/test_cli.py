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


BROKEN = {
    "image.csv": (Path(__file__).parent.parent / "docs" / "screenshots" / "growth.png").read_bytes(),
    "bytes.csv": b"date,platform,account_id,followers\n2026-03-06,instagram,1001,\x98\xff\n",
    "fields.csv": b"date,platform,account_id,followers\n2026-03-06,instagram,1001,12\n2026-03-07,instagram,1001,1,3\n",
    "quote.csv": b'date,platform,account_id,followers\n2026-03-06,instagram,"1001,12\n2026-03-07,instagram,1001,13\n',
    "nul.csv": b"date,platform,account_id,followers,handle\n2026-03-06,instagram,1001,12,ak\x00im\n",
}
SAID = {
    "image.csv": "line 1: not text but binary data (PNG)",
    "bytes.csv": "line 2: byte 0x98 is not text in UTF-8, UTF-16 or cp1251",
    "fields.csv": "line 3: 5 fields where the header has 4",
    "quote.csv": 'line 2: a quote (") opened here is never closed',
    "nul.csv": "line 2, column handle, value 'ak\\x00im': contains a NUL character",
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_a_broken_file_is_one_line_exit_1_and_no_traceback(tmp_path: Path, name: str) -> None:
    """A file that is not text, not CSV or holds a NUL is said in one line naming the file and the line; exit 1."""
    from etl.store.db import get_engine
    from tests.conftest import dump

    assert runner.invoke(app, ["load", str(DATA)]).exit_code == 0
    before = dump(get_engine())
    bad = tmp_path / name
    bad.write_bytes(BROKEN[name])
    result = runner.invoke(app, ["load", str(bad)])
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    [line] = [line for line in result.output.splitlines() if SAID[name] in line]
    assert line.lstrip().startswith(str(bad))
    assert dump(get_engine()) == before


def test_a_folder_with_nothing_to_load_says_so_and_exits_1(tmp_path: Path) -> None:
    """A folder without any CSV, TSV, TXT or XLSX file is named with what was looked for; exit 1."""
    folder = tmp_path / "march"
    folder.mkdir()
    (folder / "notes.docx").write_bytes(b"PK\x03\x04")
    result = runner.invoke(app, ["load", str(folder)])
    assert result.exit_code == 1
    assert f"{folder}: no file to load in this folder (CSV, TSV, TXT or XLSX files are loaded)" in result.output


def test_settings_lists_every_variable() -> None:
    """`settings` shows each environment variable with its meaning."""
    result = runner.invoke(app, ["settings"])
    assert result.exit_code == 0
    assert "GOVPULSE_DATABASE_URL" in result.output
    assert "GOVPULSE_MIN_SAMPLE_INQUIRIES" in result.output
