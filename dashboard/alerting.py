"""Alerts told to subscribers: after each load (or `govpulse alerts`), each channel gets one message with the open
alerts it has not been told of, and each episode reaches a channel once."""

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy.engine import Engine

from dashboard import queries
from dashboard.brief import BriefError, filters_for
from dashboard.deliver import DeliveryError, Message, send
from dashboard.digest import link
from dashboard.exports import translator
from dashboard.i18n import Tr, territory_names
from etl.metrics import alerts
from etl.settings import Settings, get_settings
from etl.store.subscriptions import SubscriptionError, parse_channel

LINES = 4  # pages named under each kind of alert; the others are counted


@dataclass(frozen=True)
class Told:
    """One channel's message: how many alerts it told, or why it was not sent."""

    channel: str
    alerts: int
    error: str = ""


def _detail(tr: Tr, row: pd.Series) -> str:
    """What an alert's figure says: days silent, citizens waiting, followers gained or lost on a day."""
    if row["kind"] == "silent":
        return tr("brief.silent_detail", days=tr.num(row["figure"]))
    if row["kind"] == "overdue":
        return tr("alerting.overdue_detail", n=tr.num(row["figure"]))
    return tr("alerting.jump_detail", change=tr.signed(row["figure"]), day=tr.date(row["day"]))


def message(rows: pd.DataFrame, conf: Settings) -> Message:
    """The message of one channel's alerts (rows of `alerts.unsent`), in its subscription's language."""
    code, lang = str(rows["subscribed"].iloc[0]), str(rows["language"].iloc[0])
    tr = translator(lang).in_country(code.split("-")[0])
    places = queries.territories()
    name = str(territory_names(places.loc[[code]], tr.lang).iloc[0]) if code in places.index else code
    sections = []
    for kind in alerts.KINDS:
        part = rows[rows["kind"] == kind]
        if part.empty:
            continue
        part = part.assign(size=part["figure"].abs()).sort_values(["size", "id"], ascending=[False, True])
        items = [
            tr("brief.page_line", name=f"{r['owner_name']} ({tr.label('platform', r['platform'])} {r['handle']})",
               detail=_detail(tr, r))
            for _, r in part.head(LINES).iterrows()
        ]  # fmt: skip
        if len(part) > LINES:
            items.append(tr("brief.and_more", n=tr.num(len(part) - LINES)))
        head = tr(f"alerting.{kind}", days=conf.active_days, k=tr.num(conf.alert_overdue), n=tr.num(len(part)))
        sections.append((head, items))
    try:
        view = link(conf.public_url, filters_for(code, tr.lang))
    except BriefError:
        view = ""
    return Message(
        lang=tr.lang,
        subject=tr("alerting.subject", name=name),
        title=tr("alerting.title", name=name),
        intro=[tr("alerting.as_of", day=tr.date(rows["day"].max()))],
        sections=sections,
        link=view,
        link_text=tr("digest.open"),
        notes=[tr("alerting.rule")],
    )


def tell(
    engine: Engine, pending: pd.DataFrame, now: dt.datetime, *, api_base: str | None = None, timeout: float = 30.0
) -> list[Told]:
    """Send each channel its pending alerts (rows of `alerts.unsent`) and record those told; a channel that cannot be
    reached keeps its alerts for the next run."""
    conf = get_settings()
    out = []
    for channel, rows in pending.groupby("channel", sort=False):
        try:
            send(parse_channel(str(channel)), message(rows, conf), api_base=api_base, timeout=timeout)
        except (DeliveryError, SubscriptionError) as exc:
            out.append(Told(str(channel), len(rows), str(exc)))
            continue
        alerts.mark_sent(engine, [(int(i), str(channel)) for i in rows["id"]], now)
        out.append(Told(str(channel), len(rows)))
    return out
