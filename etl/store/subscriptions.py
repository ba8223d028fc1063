"""Who gets digests and alerts: channels (telegram:CHAT, max:CHAT, email:ADDRESS), territories, periods, languages."""

import datetime as dt
import re
from typing import NamedTuple

import pandas as pd
from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine

from etl.store.models import Subscription, Territory, table_of
from etl.store.scope import read_frame

SUBSCRIPTION = table_of(Subscription)
TERRITORY = table_of(Territory)
KINDS = ("telegram", "max", "email")
PERIODS = ("week", "month")
LANGUAGES = ("ru", "kk", "en")
# The levels a digest is made for: those of the briefing pack.
LEVELS = ("country", "region", "district")
_ADDRESS = {
    # A chat's id as the Bot API writes it, or a public channel's @username.
    "telegram": re.compile(r"-?[1-9]\d{0,18}|@[A-Za-z][A-Za-z0-9_]{3,31}"),
    "max": re.compile(r"-?[1-9]\d{0,18}"),
    "email": re.compile(r"[^@\s<>,;:\"]+@[^@\s<>,;:\"]+\.[^@\s<>,;:\".]+"),
}
_WRITTEN = {"telegram": "a chat id (-1001234567890) or @channel", "max": "a chat id", "email": "an address"}


class SubscriptionError(ValueError):
    """A subscription's value that breaks a rule: the rule's name (channel, period, language, territory, level,
    duplicate), the value, and the message that says both."""

    def __init__(self, rule: str, value: str, message: str) -> None:
        super().__init__(message)
        self.rule, self.value = rule, value


class Channel(NamedTuple):
    """Where a message goes: the kind (telegram, max, email) and the chat or address."""

    kind: str
    address: str

    def __str__(self) -> str:
        """The channel as written: telegram:-1001234567890."""
        return f"{self.kind}:{self.address}"


def parse_channel(text: str) -> Channel:
    """A channel written as telegram:CHAT, max:CHAT or email:ADDRESS; SubscriptionError says what is wrong."""
    kind, sep, address = text.strip().partition(":")
    kind, address = kind.strip().lower(), address.strip()
    if not sep or kind not in KINDS:
        raise SubscriptionError(
            "channel", text, f"{text!r}: write a channel as telegram:CHAT, max:CHAT or email:ADDRESS"
        )
    if not _ADDRESS[kind].fullmatch(address):
        raise SubscriptionError("channel", text, f"{text!r}: after {kind}: comes {_WRITTEN[kind]}")
    return Channel(kind, address)


def check(engine: Engine, channel: str, territory: str, period: str, language: str) -> Channel:
    """The parsed channel when a subscription's values are valid; SubscriptionError names the value and the rule."""
    found = parse_channel(channel)
    if period not in PERIODS:
        raise SubscriptionError("period", period, f"period {period!r}: must be week or month")
    if language not in LANGUAGES:
        raise SubscriptionError("language", language, f"language {language!r}: must be ru, kk or en")
    with engine.connect() as conn:
        level = conn.execute(select(TERRITORY.c.level).where(TERRITORY.c.code == territory)).scalar()
    if level is None:
        message = f"territory {territory!r}: no such territory code (load the territories file first)"
        raise SubscriptionError("territory", territory, message)
    if level not in LEVELS:
        message = f"territory {territory!r}: a digest is made for a country, region or district, not a {level}"
        raise SubscriptionError("level", territory, message)
    return found


def add(
    engine: Engine, channel: str, territory: str, period: str, language: str, alerts: bool, now: dt.datetime
) -> int:
    """Store a subscription and return its id; SubscriptionError for a bad value or one already stored."""
    found = str(check(engine, channel, territory, period, language))
    s = SUBSCRIPTION.c
    with engine.begin() as conn:
        same = conn.execute(
            select(s.id).where(s.channel == found, s.territory_code == territory, s.period == period)
        ).scalar()
        if same is not None:
            message = f"{found} already gets the {period}ly digest of {territory} (subscription {same})"
            raise SubscriptionError("duplicate", str(same), message)
        row = dict(channel=found, territory_code=territory, period=period, language=language, alerts=alerts,
                   created_at=now.astimezone(dt.UTC))  # fmt: skip
        return int(conn.execute(SUBSCRIPTION.insert().values(**row).returning(s.id)).scalar_one())


def remove(engine: Engine, subscription: int) -> bool:
    """Delete a subscription; False when there is none with that id."""
    with engine.begin() as conn:
        return bool(conn.execute(delete(SUBSCRIPTION).where(SUBSCRIPTION.c.id == subscription)).rowcount)


def listing(engine: Engine) -> pd.DataFrame:
    """Every subscription, by id."""
    s = SUBSCRIPTION.c
    with engine.connect() as conn:
        frame = read_frame(conn, select(SUBSCRIPTION).order_by(s.id))
    # SQLite stores flags as 0/1, PostgreSQL as booleans: the same on both.
    return frame.assign(alerts=frame["alerts"].astype(bool))


def mark_sent(engine: Engine, subscription: int, end: dt.date) -> None:
    """Record that a subscription got the digest of the period ending on `end`."""
    with engine.begin() as conn:
        conn.execute(update(SUBSCRIPTION).where(SUBSCRIPTION.c.id == subscription).values(last_sent_end=end))
