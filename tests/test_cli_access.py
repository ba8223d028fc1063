"""The command line's users and audit: roles given and taken away, every load and change recorded with who made it."""

import csv
import datetime as dt
import getpass
import io
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dashboard.cli import app
from tests.conftest import DATA

runner = CliRunner()


@pytest.fixture(autouse=True)
def private_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test gets its own database file, without GOVPULSE_ACTOR unless it sets it."""
    from etl.settings import get_settings
    from etl.store.db import get_engine

    monkeypatch.setenv("GOVPULSE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("GOVPULSE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("GOVPULSE_ACTOR", raising=False)
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.mark.parametrize("command", [["users", "add"], ["users", "list"], ["users", "remove"], ["audit"]])
def test_the_commands_explain_themselves(command: list[str]) -> None:
    """Each command has help."""
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "Usage" in result.output


def test_users_are_added_listed_changed_and_removed() -> None:
    """A role is given over a district, changed, listed and taken away; each change is in the audit with the
    operating-system user who made it."""
    assert runner.invoke(app, ["load", str(DATA)]).exit_code == 0
    added = runner.invoke(app, ["users", "add", "Press@Karasu.kz", "--role", "loader", "--territory", "KZ-KUS-KRS"])
    assert added.exit_code == 0, added.output
    assert "press@karasu.kz added: loader of KZ-KUS-KRS" in added.output
    changed = runner.invoke(app, ["users", "add", "press@karasu.kz", "--role", "viewer"])
    assert "press@karasu.kz changed: viewer of the whole database" in changed.output
    listed = runner.invoke(app, ["users", "list"])
    assert "press@karasu.kz" in listed.output and "viewer" in listed.output and "(all)" in listed.output
    assert runner.invoke(app, ["users", "remove", "PRESS@karasu.kz"]).exit_code == 0
    assert "press@karasu.kz" not in runner.invoke(app, ["users", "list"]).output
    log = list(csv.DictReader(io.StringIO(runner.invoke(app, ["audit", "--format", "csv"]).stdout)))
    assert [(e["action"], e["outcome"], e["target"]) for e in log[:3]] == [
        ("users", "removed", "press@karasu.kz"),
        ("users", "changed", "press@karasu.kz"),
        ("users", "added", "press@karasu.kz"),
    ]
    assert log[1]["detail"] == "loader, KZ-KUS-KRS → viewer, *"
    assert {e["actor"] for e in log} == {getpass.getuser()}


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--role", "owner"], "role 'owner': must be one of viewer, loader, admin"),
        (["--role", "viewer", "--territory", "KZ-NOPE"], "territory 'KZ-NOPE' is not in the database"),
        (["--role", "viewer", "--territory", "RU-ALT-ZAR-01"], "'RU-ALT-ZAR-01' is a settlement"),
    ],
)
def test_a_wrong_role_or_territory_is_one_clear_line(args: list[str], said: str) -> None:
    """A role that does not exist, an unknown territory or a settlement is refused in one line, nothing stored."""
    runner.invoke(app, ["load", str(DATA)])
    result = runner.invoke(app, ["users", "add", "someone@region.ru", *args])
    assert result.exit_code == 1
    assert said in result.output and "Traceback" not in result.output
    assert "someone@region.ru" not in runner.invoke(app, ["users", "list"]).output


def test_removing_nobody_is_an_error() -> None:
    """Removing a person who has no row says so and exits 1."""
    result = runner.invoke(app, ["users", "remove", "nobody@region.ru"])
    assert result.exit_code == 1 and "is not in the users table" in result.output


def test_loads_are_audited_with_the_actor(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Every file of a load, the rejected one too, is in the audit with GOVPULSE_ACTOR as who; --since reads from a
    day on."""
    from etl.settings import get_settings

    monkeypatch.setenv("GOVPULSE_ACTOR", "night-loader")
    get_settings.cache_clear()
    assert runner.invoke(app, ["load", str(DATA)]).exit_code == 0
    bad = tmp_path / "followers.csv"
    bad.write_text("date,platform,account_id,followers\n2026-03-06,instagram,1001,-4\n", encoding="utf-8")
    assert runner.invoke(app, ["load", str(bad)]).exit_code == 1
    result = runner.invoke(app, ["audit", "--since", dt.date.today().isoformat()])
    assert result.exit_code == 0, result.output
    assert result.output.count("night-loader") == 6 and "rejected" in result.output
    log = list(csv.DictReader(io.StringIO(runner.invoke(app, ["audit", "--format", "csv"]).stdout)))
    assert (log[0]["target"], log[0]["outcome"], log[0]["rows_rejected"]) == (str(bad), "rejected", "1")
    assert log[-1]["target"] == str(DATA / "territories.csv") and log[-1]["rows_accepted"] == "8"
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    assert "night-loader" not in runner.invoke(app, ["audit", "--since", tomorrow]).output
