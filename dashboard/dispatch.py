"""The delivery commands' work: a digest to channels, each subscription's due digest, the alerts after a load; each
says on the console what it sent, and why something was not."""

import datetime as dt

import pandas as pd
from rich.markup import escape

from dashboard import alerting
from dashboard.brief import BriefError, build
from dashboard.deliver import DeliveryError, Message, check, send
from dashboard.digest import Digest, DigestError, compose, is_due
from dashboard.render import ExportUnavailable, warm_up
from etl.cli import err, out
from etl.metrics import alerts
from etl.settings import get_settings
from etl.store.db import get_engine
from etl.store.subscriptions import Channel, SubscriptionError, listing, mark_sent, parse_channel


def _error(text: str) -> None:
    err.print(f"[bold red]Error:[/] {escape(text)}")


def _show(message: Message) -> None:
    """A message's text on standard output, as it would be sent."""
    out.print(message.text(), markup=False, highlight=False, soft_wrap=True)


def _pack(d: Digest) -> bytes | None:
    """The digest's briefing pack as PDF; None (and the reason printed) when it cannot be made."""
    try:
        warm_up()
        return build(d.code, *d.period, d.lang, "pdf")
    except (ExportUnavailable, BriefError) as exc:
        _error(f"the briefing pack of {d.code}: {exc}")
        return None


def _note_link() -> None:
    """Say that digests carry no link when the dashboard's address is not set."""
    if not get_settings().public_url:
        err.print("[yellow]note:[/] GOVPULSE_PUBLIC_URL is not set: the digest has no link to the dashboard")


def send_digest(code: str, kind: str, today: dt.date, lang: str, channels: list[Channel], dry_run: bool,
                api_base: str | None, timeout: float) -> bool:  # fmt: skip
    """Send a territory's digest to channels (print it with `dry_run`); True when anything failed."""
    if not dry_run:
        try:
            check(channels)
        except DeliveryError as exc:
            _error(str(exc))
            return True
    try:
        d = compose(code, kind, today, lang)
    except DigestError as exc:
        _error(str(exc))
        return True
    _note_link()
    if dry_run:
        _show(d.message())
        err.print(f"Dry run: nothing sent; {d.file_name} would go to {escape(', '.join(map(str, channels)))}")
        return False
    pdf = _pack(d)
    if pdf is None:
        return True
    failed = False
    for channel in channels:
        try:
            send(channel, d.message(pdf), api_base=api_base, timeout=timeout)
            err.print(f"Sent to {escape(str(channel))}: {escape(d.message().subject)}")
        except DeliveryError as exc:
            _error(str(exc))
            failed = True
    return failed


def send_subscriptions(today: dt.date, dry_run: bool, api_base: str | None, timeout: float) -> bool:
    """Send each subscription the digest of its latest complete period unless it has it; True when anything failed."""
    engine = get_engine()
    subs = listing(engine)
    if subs.empty:
        err.print("No subscriptions: add one with `govpulse subscriptions add`")
        return False
    _note_link()
    made: dict[tuple[str, str, str], Digest | str] = {}
    packs: dict[tuple[str, str, str], bytes | None] = {}
    failed = False
    for sub in subs.to_dict("records"):
        key = (str(sub["territory_code"]), str(sub["period"]), str(sub["language"]))
        if key not in made:
            try:
                made[key] = compose(key[0], key[1], today, key[2])
            except DigestError as exc:
                made[key] = str(exc)
        d = made[key]
        label = escape(f"subscription {sub['id']} ({sub['channel']}, {key[0]}, {key[1]})")
        if isinstance(d, str):
            _error(f"subscription {sub['id']}: {d}")
            failed = True
            continue
        span = f"{d.period.start.isoformat()}..{d.period.end.isoformat()}"
        last = None if pd.isna(sub["last_sent_end"]) else sub["last_sent_end"]
        if not is_due(last, d.period):
            err.print(f"{label}: already has the digest of {span}")
            continue
        if dry_run:
            if key not in packs:
                _show(d.message())
                packs[key] = None
            err.print(f"{label}: would get the digest of {span} (dry run: nothing sent)")
            continue
        if key not in packs:
            packs[key] = _pack(d)
        pdf = packs[key]
        if pdf is None:
            failed = True
            continue
        try:
            send(parse_channel(str(sub["channel"])), d.message(pdf), api_base=api_base, timeout=timeout)
        except (DeliveryError, SubscriptionError) as exc:
            _error(str(exc))
            failed = True
            continue
        mark_sent(engine, int(sub["id"]), d.period.end)
        err.print(f"{label}: sent the digest of {span}")
    return failed


def run_alerts(*, dry_run: bool = False, api_base: str | None = None, timeout: float = 30.0) -> bool:
    """Judge the alerts, store them (not with `dry_run`) and tell each channel its new ones; True when anything
    failed."""
    engine = get_engine()
    now = dt.datetime.now(dt.UTC)
    try:
        changes = alerts.evaluate(engine, now, dry_run=dry_run)
    except Exception as exc:  # the data stand whatever the alerts do (a load has ended): the reason is told
        _error(f"alerts not judged: {type(exc).__name__}: {exc}")
        return True
    if changes.day is None:
        err.print("No data loaded: no alerts to judge")
        return False
    err.print(
        f"Alerts at {changes.day.isoformat()}: {len(changes.opened):,} opened, {changes.kept:,} still open, "
        f"{changes.cleared:,} cleared" + (" (dry run: nothing stored)" if dry_run else "")
    )
    pending = changes.pending
    if pending.empty:
        return False
    if dry_run:
        conf = get_settings()
        for channel, rows in pending.groupby("channel", sort=False):
            err.print(f"Would tell {escape(str(channel))} {len(rows):,} alert(s):")
            _show(alerting.message(rows, conf))
        return False
    told = alerting.tell(engine, pending, now, api_base=api_base, timeout=timeout)
    for t in told:
        if t.error:
            _error(f"{t.error} ({t.alerts:,} alert(s) kept for the next run)")
        else:
            err.print(f"Told {escape(t.channel)} {t.alerts:,} alert(s)")
    return any(t.error for t in told)
