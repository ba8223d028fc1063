"""Subscriptions: channels read or refused by rule, stored once per channel, territory and period, removed by id."""

import datetime as dt

import pytest
from sqlalchemy.engine import Engine

from etl.store.subscriptions import Channel, SubscriptionError, add, listing, mark_sent, parse_channel, remove
from tests.conftest import dump

NOW = dt.datetime(2026, 3, 6, 7, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("written", "channel"),
    [
        ("telegram:-1001234567890", Channel("telegram", "-1001234567890")),
        (" Telegram:@kostanay_akimat ", Channel("telegram", "@kostanay_akimat")),
        ("max:-72345678901234", Channel("max", "-72345678901234")),
        ("email:press@akimat.kz", Channel("email", "press@akimat.kz")),
    ],
)
def test_channels_are_read_as_written(written: str, channel: Channel) -> None:
    """A chat id or @channel for Telegram, a chat id for MAX, an address for e-mail; the kind in any case."""
    assert parse_channel(written) == channel
    assert str(parse_channel(written)) == f"{channel.kind}:{channel.address}"


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("sms:+77010000000", "'sms:+77010000000': write a channel as telegram:CHAT, max:CHAT or email:ADDRESS"),
        ("-1001234567890", "write a channel as telegram:CHAT, max:CHAT or email:ADDRESS"),
        ("telegram:akimat", "after telegram: comes a chat id (-1001234567890) or @channel"),
        ("max:@akimat", "after max: comes a chat id"),
        ("email:press@akimat", "after email: comes an address"),
        ("email:a@b.kz, c@d.kz", "after email: comes an address"),
    ],
)
def test_malformed_channels_are_named_with_the_rule(written: str, said: str) -> None:
    """A malformed channel is refused with its value and how to write it."""
    with pytest.raises(SubscriptionError) as caught:
        parse_channel(written)
    assert said in str(caught.value) and caught.value.rule == "channel" and caught.value.value == written


def test_add_list_mark_and_remove(loaded: Engine) -> None:
    """Subscriptions are stored with their territory, period, language and alerts flag, the latest digest sent is
    kept, and one is removed by its id."""
    weekly = add(loaded, "telegram:-1001234567890", "KZ-KUS", "week", "ru", True, NOW)
    monthly = add(loaded, "email:press@akimat.kz", "KZ", "month", "kk", False, NOW)
    mark_sent(loaded, weekly, dt.date(2026, 3, 1))
    table = listing(loaded)
    got = table[["id", "channel", "territory_code", "period", "language", "alerts", "last_sent_end"]]
    assert [tuple(r) for r in got.itertuples(index=False)] == [
        (weekly, "telegram:-1001234567890", "KZ-KUS", "week", "ru", True, dt.date(2026, 3, 1)),
        (monthly, "email:press@akimat.kz", "KZ", "month", "kk", False, None),
    ]
    assert remove(loaded, weekly) and not remove(loaded, weekly)
    assert listing(loaded)["id"].tolist() == [monthly]


@pytest.mark.parametrize(
    ("args", "rule", "said"),
    [
        (("telegram:-1001", "KZ-KUS", "week", "ru"), "duplicate", "already gets the weekly digest of KZ-KUS"),
        (("telegram:-1001", "RU-ALT-ZAR-01", "week", "ru"), "level", "not a settlement"),
        (("telegram:-1001", "KZ-XXX", "week", "ru"), "territory", "'KZ-XXX': no such territory code"),
        (("telegram:-1001", "KZ", "day", "ru"), "period", "period 'day': must be week or month"),
        (("telegram:-1001", "KZ", "week", "de"), "language", "language 'de': must be ru, kk or en"),
    ],
)
def test_a_refused_subscription_leaves_the_database_as_it_was(
    loaded: Engine, args: tuple[str, str, str, str], rule: str, said: str
) -> None:
    """A duplicate, a settlement, an unknown territory, period or language is refused by rule and changes nothing."""
    add(loaded, "telegram:-1001", "KZ-KUS", "week", "ru", True, NOW)
    before = dump(loaded)
    with pytest.raises(SubscriptionError) as caught:
        add(loaded, *args, alerts=True, now=NOW)
    assert caught.value.rule == rule and said in str(caught.value)
    assert dump(loaded) == before
