"""MAX: subscribers of official channels, their posts with views, and citizens' comments with the channel's reply."""

import re
from collections.abc import Iterator
from typing import Any

from etl.collect.base import Credential, Harvest, Page, Platform, Progress, RunFailed, Window, stamp
from etl.collect.http import ApiError, Client

CHAT_ID = re.compile(r"-?[1-9]\d{0,18}")
PAGE_SIZE = 100  # the schema's maximum of `count` for messages and comments
TOKEN = Credential(
    "GOVPULSE_MAX_TOKEN",
    "the token of your organisation's bot (MAX for partners: business.max.ru → Chat bots → Integration), the bot "
    "added to each channel as an administrator; see docs/collect/max.md",
)
# A channel the bot cannot read: skipped by name, the run goes on.
CLOSED = {403: "the bot has no access to the channel", 404: "channel not found"}


def collect(client: Client, creds: dict[str, str], pages: list[Page], window: Window, progress: Progress) -> Harvest:
    """Subscribers, posts since `window.since` and their comments for every channel; closed channels are skipped."""
    # The schema's security scheme: the token in the Authorization header, never in a URL.
    headers = {"Authorization": creds[TOKEN.env]}
    harvest = Harvest()
    for page in pages:
        if not CHAT_ID.fullmatch(page.account_id):
            harvest.skip(page, "account_id must be the channel's chat_id in MAX, e.g. -72345678901234")
        else:
            try:
                harvest.take(collect_channel(client, headers, page, window))
            except ChannelClosed as exc:
                harvest.skip(page, str(exc))
            except ApiError as exc:
                if exc.status == 401:
                    raise RunFailed(f"MAX refused {TOKEN.env}: {exc}") from None
                reason = CLOSED.get(exc.status or 0)
                harvest.skip(page, f"{reason} ({exc})" if reason else str(exc))
        progress(page)
    return harvest


class ChannelClosed(Exception):
    """The bot is no longer a member of the channel."""


def collect_channel(client: Client, headers: dict[str, str], page: Page, window: Window) -> Harvest:
    """One channel's subscriber snapshot, its posts in the window and the citizens' comments on them."""
    chat = client.call(f"chats/{page.account_id}", headers=headers)
    if chat.get("status") not in (None, "active"):
        raise ChannelClosed(f"the bot is no longer in the channel (status {chat['status']})")
    rows = Harvest(followers=[follower_row(page, chat, window)])
    admins: set[int] | None = None  # asked once a post has comments
    for message in fetch_posts(client, headers, page, window):
        if message.get("sender") is not None:
            continue
        comments = list(fetch_comments(client, headers, message["body"]["mid"], window))
        rows.posts.append(post_row(page, message, len(comments), window))
        if comments:
            admins = fetch_admins(client, headers, page) if admins is None else admins
            rows.inquiries.extend(inquiry_rows(page, message["body"]["mid"], comments, admins))
    return rows


def fetch_posts(client: Client, headers: dict[str, str], page: Page, window: Window) -> Iterator[dict[str, Any]]:
    """The channel's messages published since the window's start, newest first, paged back in time."""
    after, before = int(window.since.timestamp() * 1000), int(window.now.timestamp() * 1000)
    while True:
        answer = client.call(
            "messages",
            {"chat_id": page.account_id, "after": after, "before": before, "count": PAGE_SIZE},
            headers=headers,
        )
        messages = [m for m in answer.get("messages", []) if m.get("timestamp", 0) >= after]
        yield from messages
        if len(answer.get("messages", [])) < PAGE_SIZE or not messages:
            return
        before = min(m["timestamp"] for m in messages) - 1


def fetch_admins(client: Client, headers: dict[str, str], page: Page) -> set[int]:
    """The channel's administrators (a press secretary answering under their own name is the channel answering)."""
    try:
        answer = client.call(f"chats/{page.account_id}/members/admins", headers=headers)
    except ApiError:
        return set()  # without the right to list them, only answers on behalf of the channel count
    return {int(m["user_id"]) for m in answer.get("members", []) if "user_id" in m}


def fetch_comments(client: Client, headers: dict[str, str], mid: str, window: Window) -> Iterator[dict[str, Any]]:
    """Every comment of a post, newest first (the API's order), paged back in time."""
    before = int(window.now.timestamp() * 1000)
    while True:
        answer = client.call(f"messages/{mid}/comments", {"before": before, "count": PAGE_SIZE}, headers=headers)
        comments = answer.get("messages", [])
        yield from comments
        if len(comments) < PAGE_SIZE:
            return
        before = min(c["timestamp"] for c in comments) - 1


def follower_row(page: Page, chat: dict[str, Any], window: Window) -> dict[str, Any]:
    """The channel's subscriber snapshot of the run's day."""
    link = str(chat.get("link") or "")
    return {
        "date": window.day(page).isoformat(),
        "platform": "max",
        "account_id": page.account_id,
        "followers": int(chat["participants_count"]),
        "posts_total": chat.get("messages_count") if chat.get("messages_count") is not None else "",
        "handle": link.rstrip("/").rsplit("/", 1)[-1] if link else "",
    }


def post_type(message: dict[str, Any]) -> str:
    """The contract's type of a channel post: a forward, else by its attachments."""
    if (message.get("link") or {}).get("type") == "forward":
        return "repost"
    kinds = [a.get("type") for a in (message.get("body") or {}).get("attachments") or []]
    if "video" in kinds:
        return "video"
    if kinds.count("image") > 1:
        return "album"
    if "image" in kinds:
        return "photo"
    return "link" if "share" in kinds else "text"


def post_row(page: Page, message: dict[str, Any], comments: int, window: Window) -> dict[str, Any]:
    """A channel post's metrics as collected now (MAX shows views; reactions and forwards are not in the API)."""
    views = (message.get("stat") or {}).get("views")
    return {
        "collected_at": stamp(window.now),
        "platform": "max",
        "account_id": page.account_id,
        "post_id": str(message["body"]["mid"]),
        "published_at": stamp(message["timestamp"] // 1000),
        "post_type": post_type(message),
        "likes": 0,
        "comments": comments,
        "shares": 0,
        "views": "" if views is None else int(views),
    }


def inquiry_rows(page: Page, post: str, comments: list[dict[str, Any]], admins: set[int]) -> Iterator[dict[str, Any]]:
    """Citizens' comments, each with the first official comment that replies to it."""

    def official(comment: dict[str, Any]) -> bool:
        sender = comment.get("sender")
        return sender is None or int(sender.get("user_id", 0)) in admins

    answers: dict[str, int] = {}
    for c in comments:
        link = c.get("link") or {}
        replied = ((link.get("message") or {}).get("mid")) if link.get("type") == "reply" else None
        if replied and official(c):
            answers[replied] = min(answers.get(replied, c["timestamp"]), c["timestamp"])
    for c in sorted(comments, key=lambda c: c["timestamp"]):
        if official(c):
            continue
        mid, received = str(c["body"]["mid"]), int(c["timestamp"])
        first = answers.get(mid)
        first = first if first is not None and first >= received else None
        yield {
            "platform": "max",
            "account_id": page.account_id,
            "inquiry_id": mid,
            "channel": "comment",
            "post_id": post,
            "received_at": stamp(received // 1000),
            "first_reply_at": "" if first is None else stamp(first // 1000),
            "replied_by": "",
            "topic": "",
        }


PLATFORM = Platform(
    name="max", api_base="https://platform-api2.max.ru", credentials=(TOKEN,), per_second=30.0, collect=collect
)
