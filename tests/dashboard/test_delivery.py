"""Subscriptions and alerts on a private demo database: the command line and the Data page keep subscriptions, `digest
--all` sends each its due digest once, `alerts` tells each episode once and again only after it clears and reopens,
and the Overview lists the open alerts."""

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import text
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner, Result

from dashboard.cli import app
from etl.metrics.alerts import open_alerts
from etl.settings import get_settings
from etl.store.db import get_engine
from tests.collect.conftest import FakeApi
from tests.dashboard.delivery_support import (
    SECRETS,
    TELEGRAM_TOKEN,
    Inbox,
    bot_api,
    delivery_setting,
    parts,
    private_demo,
    smtp_server,
)
from tests.dashboard.support import ROOT

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")
runner = CliRunner()
CHAT, ADDRESS = "-1009876543210", "press@altai.example.ru"
SEND_MESSAGE, SEND_DOCUMENT = f"/bot{TELEGRAM_TOKEN}/sendMessage", f"/bot{TELEGRAM_TOKEN}/sendDocument"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Inbox, FakeApi]]:
    """A private demo database, the mail server and the bot APIs, with every credential in the environment, and two
    subscriptions to Altai Krai's weekly digest in Russian: a Telegram chat with alerts, an address without."""
    folder = private_demo(tmp_path_factory, "delivery")
    with (
        smtp_server(folder) as (port, inbox, cert),
        bot_api() as api,
        pytest.MonkeyPatch.context() as mp,
        delivery_setting(folder, port, cert, mp),
    ):
        for args in ([f"telegram:{CHAT}"], [f"email:{ADDRESS}", "--no-alerts"]):
            result = runner.invoke(app, ["subscriptions", "add", *args, "--territory", "RU-ALT", "--lang", "ru"])
            assert result.exit_code == 0, result.output
        yield folder, inbox, api


def rows(sql: str) -> list[tuple[object, ...]]:
    with get_engine().connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


def calls(api: FakeApi, path: str) -> int:
    return sum(c.path == path for c in api.calls)


def cli(*args: str) -> Result:
    result = runner.invoke(app, list(args))
    assert not [s for s in SECRETS if s in result.output]
    return result


def test_subscriptions_are_listed_and_bad_ones_refused(world: tuple[Path, Inbox, FakeApi]) -> None:
    """`list` shows both; a duplicate, a settlement, an unknown territory or a malformed channel is refused with one
    line naming it and leaves the table as it was; `remove` of an unknown id says so."""
    before = rows("SELECT * FROM subscription ORDER BY id")
    listed = cli("subscriptions", "list").output
    assert f"telegram:{CHAT}" in listed and f"email:{ADDRESS}" in listed and "RU-ALT" in listed
    refused = {
        (f"telegram:{CHAT}", "RU-ALT"): f"telegram:{CHAT} already gets the weekly digest of RU-ALT (subscription 1)",
        ("max:-72345678901234", "RU-ALT-TLM-01"): "a digest is made for a country, region or district, not a "
        "settlement",
        ("max:-72345678901234", "RU-XXX"): "territory 'RU-XXX': no such territory code",
        ("max:channel", "RU-ALT"): "'max:channel': after max: comes a chat id",
    }
    for (channel, territory), said in refused.items():
        result = cli("subscriptions", "add", channel, "--territory", territory)
        assert result.exit_code == 1 and said in " ".join(result.output.split()), result.output
        assert "Traceback" not in result.output
    result = cli("subscriptions", "remove", "99")
    assert result.exit_code == 1 and "no subscription 99" in result.output
    assert rows("SELECT * FROM subscription ORDER BY id") == before


def test_all_sends_each_subscription_its_due_digest_once(world: tuple[Path, Inbox, FakeApi]) -> None:
    """On Monday 23 November both get the week of 16–22 November (one pack built for both); run again, neither gets
    it twice; the list shows the week sent."""
    _, inbox, api = world
    mails, documents = len(inbox.messages), calls(api, SEND_DOCUMENT)
    result = cli("digest", "--all", "--date", "2026-11-23", "--api-base", api.url)
    assert result.exit_code == 0, result.output
    assert "subscription 1 (telegram:-1009876543210, RU-ALT, week): sent the digest of 2026-11-16..2026-11-22" in (
        " ".join(result.output.split())
    )
    assert calls(api, SEND_DOCUMENT) == documents + 1 and len(inbox.messages) == mails + 1
    mail = parts(inbox.messages[-1])
    assert mail["text"].startswith("govpulse · Алтайский край\nИтоги недели: 16–22 нояб. 2026")
    assert list(mail["files"]) == ["govpulse_RU-ALT_2026-11-16_2026-11-22.pdf"]
    assert rows("SELECT id, last_sent_end FROM subscription ORDER BY id") == [(1, "2026-11-22"), (2, "2026-11-22")]
    again = cli("digest", "--all", "--date", "2026-11-24", "--api-base", api.url)
    assert again.exit_code == 0, again.output
    assert again.output.count("already has the digest of 2026-11-16..2026-11-22") == 2
    assert calls(api, SEND_DOCUMENT) == documents + 1 and len(inbox.messages) == mails + 1
    assert "to 2026-11-22" in cli("subscriptions", "list").output


def alert_messages(api: FakeApi, since: int) -> list[str]:
    """The texts of the alert messages Telegram got after the first `since` calls."""
    return [
        c.params["text"] for c in api.calls[since:] if c.path == SEND_MESSAGE and "Новые тревоги" in c.params["text"]
    ]


def test_an_alert_is_told_once_and_again_only_after_it_clears_and_reopens(
    world: tuple[Path, Inbox, FakeApi], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first run opens the alerts and tells the Telegram chat (alerts on) in one message, not the address
    (alerts off); a second run tells nothing; the silent pages clear when the setting is raised and, told again when
    it is set back, come as new episodes — the waiting-citizens alerts, open all along, are not repeated."""
    _, inbox, api = world
    mails, start = len(inbox.messages), len(api.calls)
    first = cli("alerts", "--api-base", api.url)
    assert first.exit_code == 0, first.output
    opened = rows("SELECT count(*) FROM alert WHERE state = 'open'")[0][0]
    assert opened > 0 and f"{opened:,} opened, 0 still open, 0 cleared" in first.output
    [told] = alert_messages(api, start)
    assert told.startswith("<b>Новые тревоги: Алтайский край</b>\nПо данным на 22 нояб. 2026")
    assert "<b>Обязательные страницы молчат 14+ дней: " in told and "ждут ответа дольше срока" in told
    assert len(inbox.messages) == mails
    episodes = rows("SELECT id FROM alert WHERE kind = 'silent' ORDER BY id")

    middle = len(api.calls)
    second = cli("alerts", "--api-base", api.url)
    assert f"0 opened, {opened:,} still open, 0 cleared" in second.output
    assert alert_messages(api, middle) == []

    monkeypatch.setenv("GOVPULSE_ACTIVE_DAYS", "100000")
    get_settings.cache_clear()
    cleared = cli("alerts", "--api-base", api.url)
    assert f"{len(episodes):,} cleared" in cleared.output and alert_messages(api, middle) == []
    monkeypatch.setenv("GOVPULSE_ACTIVE_DAYS", "14")
    get_settings.cache_clear()
    reopened = cli("alerts", "--api-base", api.url)
    assert f"{len(episodes):,} opened" in reopened.output
    [again] = alert_messages(api, middle)
    assert "<b>Обязательные страницы молчат 14+ дней: " in again and "ждут ответа дольше срока" not in again
    new = rows("SELECT id FROM alert WHERE kind = 'silent' AND state = 'open' ORDER BY id")
    assert len(new) == len(episodes) and min(new)[0] > max(episodes)[0]  # type: ignore[operator]
    assert rows("SELECT DISTINCT channel FROM alertsent") == [(f"telegram:{CHAT}",)]


def test_the_overview_lists_the_open_alerts(world: tuple[Path, Inbox, FakeApi]) -> None:
    """After the alerts ran, the Overview of the Talmensky district counts its open alerts and lists them by page."""
    st.cache_data.clear()
    cli("alerts", "--dry-run")
    expected = len(open_alerts(get_engine(), "RU-ALT-TLM", "district_code"))
    assert expected > 0
    at = AppTest.from_file(str(ROOT / "app_pages" / "overview.py"), default_timeout=180)
    at.query_params.update({"lang": "ru", "country": "RU", "region": "RU-ALT", "district": "RU-ALT-TLM"})
    at.run()
    assert not at.exception, at.exception
    assert f"**Тревоги рассылки: открыто {expected}**" in [m.value for m in at.markdown]
    table = at.dataframe[0].value
    assert len(table) == expected
    assert any(str(d).startswith("нет публикаций ") for d in table["Тревога"])
    assert any(str(d).endswith(" ждут дольше срока") for d in table["Тревога"])


def test_the_data_page_adds_lists_and_removes_subscriptions(world: tuple[Path, Inbox, FakeApi]) -> None:
    """The Data page's form adds a subscription, refuses a malformed channel in the page's language, lists them and
    removes one."""
    st.cache_data.clear()
    at = AppTest.from_file(str(ROOT / "app_pages" / "data.py"), default_timeout=180)
    at.query_params.update({"lang": "en", "country": "RU", "region": "RU-ALT"})
    at.run()
    assert not at.exception, at.exception
    channel = next(t for t in at.text_input if t.label == "Channel")  # the users' form has its own
    channel.input("telegram:akimat")
    next(b for b in at.button if b.label == "Subscribe").click().run()
    assert [e.value for e in at.error] == [
        "telegram:akimat: write a channel as `telegram:CHAT`, `max:CHAT` or `email:ADDRESS`."
    ]
    next(t for t in at.text_input if t.label == "Channel").input("max:-72345678901234")
    next(b for b in at.button if b.label == "Subscribe").click().run()
    assert not at.exception, at.exception
    [added] = rows("SELECT id, channel, territory_code, period, language FROM subscription WHERE channel LIKE 'max:%'")
    assert added[1:] == ("max:-72345678901234", "RU-ALT", "week", "en")
    assert [s.value for s in at.success] == [f"Subscription {added[0]} added."]
    shown = at.dataframe[0].value
    assert list(shown["Address"]) == [CHAT, ADDRESS, "-72345678901234"]
    remover = next(s for s in at.selectbox if s.label == "Subscription")
    remover.select(added[0]).run()
    next(b for b in at.button if b.label == "Remove").click().run()
    assert not at.exception, at.exception
    assert rows("SELECT id FROM subscription WHERE channel LIKE 'max:%'") == []
    assert [s.value for s in at.success] == [f"Subscription {added[0]} removed."]
