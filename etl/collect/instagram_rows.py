"""Instagram's rows: Graph API answers, fetched by a run or saved as JSON files, as followers, posts and inquiries."""

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

from etl.collect.base import Harvest, Page, Saved, stamp

PLATFORM_NAME = "instagram"
KINDS = "business_discovery answers, an account's own profile (followers_count), lists of media, comments or replies"


def account_rows(
    page: Page, account: dict[str, Any] | None, media: list[dict[str, Any]], day: dt.date, collected_at: dt.datetime
) -> Harvest:
    """An account's follower snapshot of `day` (when its profile gives followers) and its posts' metrics as of
    `collected_at`."""
    rows = Harvest(posts=[post_row(page, m, collected_at) for m in media])
    if account is not None and account.get("followers_count") is not None:
        rows.followers.append(follower_row(page, account, day))
    hidden = sum("like_count" not in m for m in media)
    if hidden:
        who = page.handle or page.account_id
        rows.notices.append(f"{who}: {hidden} of {len(media)} posts hide their like count (likes written as 0)")
    return rows


def follower_row(page: Page, account: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """The account's follower snapshot of the page's local day."""
    total = account.get("media_count")
    return {
        "date": day.isoformat(),
        "platform": PLATFORM_NAME,
        "account_id": page.account_id,
        "followers": int(account["followers_count"]),
        "posts_total": "" if total is None else as_int(total),
        "handle": str(account.get("username") or ""),
    }


def post_type(media: dict[str, Any]) -> str:
    """The contract's type of a post: a reel or story by where it was published, else by its media."""
    product, kind = media.get("media_product_type"), media.get("media_type")
    if product == "REELS":
        return "reel"
    if product == "STORY":
        return "story"
    if kind == "CAROUSEL_ALBUM":
        return "album"
    return "video" if kind == "VIDEO" else "photo"


def post_row(page: Page, media: dict[str, Any], collected_at: dt.datetime) -> dict[str, Any]:
    """A post's metrics as collected: the API gives no views of posts and no shares."""
    return {
        "collected_at": stamp(collected_at),
        "platform": PLATFORM_NAME,
        "account_id": page.account_id,
        "post_id": str(media["id"]),
        "published_at": stamp(published(media)),
        "post_type": post_type(media),
        "likes": as_int(media.get("like_count")),  # absent when the owner hides the post's likes
        "comments": as_int(media.get("comments_count")),
        "shares": 0,
        "views": "",
    }


def inquiry_rows(page: Page, username: str, post: str, comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Citizens' top-level comments on a post, each with the account's first reply in its thread."""

    def official(item: dict[str, Any]) -> bool:
        # `from.id` is Instagram-scoped and need not equal the account's id; the username identifies it too.
        who = item.get("from") or {}
        name = str(who.get("username") or "").casefold()
        return str(who.get("id")) == page.account_id or bool(username and name == username.casefold())

    rows = []
    for comment in sorted(comments, key=lambda c: str(c.get("timestamp"))):
        if "timestamp" not in comment or official(comment):
            continue
        received = published(comment)
        thread = (comment.get("replies") or {}).get("data") or []
        answers = [published(r) for r in thread if isinstance(r, dict) and "timestamp" in r and official(r)]
        first = min((when for when in answers if when >= received), default=None)
        rows.append(
            {
                "platform": PLATFORM_NAME,
                "account_id": page.account_id,
                "inquiry_id": str(comment["id"]),
                "channel": "comment",
                "post_id": post,
                "received_at": stamp(received),
                "first_reply_at": "" if first is None else stamp(first),
                "replied_by": "",  # the account answers as itself: who wrote is not shown
                "topic": "",
            }
        )
    return rows


def published(item: Mapping[str, Any]) -> dt.datetime:
    """A Graph API time (2026-11-28T09:15:22+0000) in UTC."""
    return dt.datetime.strptime(str(item["timestamp"]), "%Y-%m-%dT%H:%M:%S%z").astimezone(dt.UTC)


def as_int(value: Any) -> int:
    """A count or code as an int; 0 for one absent or not a number."""
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def read_saved(saved: Saved) -> Harvest:
    """The rows of saved Graph API answers, through the collector's row functions; ValueError names a file holding
    an answer of no kind understood."""
    pages = {page.account_id: page for page in saved.pages}
    accounts: dict[str, dict[str, Any]] = {}  # account id → its profile
    media: dict[str, dict[str, dict[str, Any]]] = {}  # account id → media id → media
    comments: dict[str, dict[str, dict[str, Any]]] = {}  # media id → comment id → comment
    replies: dict[str, dict[str, dict[str, Any]]] = {}  # comment id → reply id → reply
    harvest = Harvest()
    for name, answer in _answers(saved.documents):
        kind = kind_of(answer)
        if not kind:
            raise ValueError(f"{name}: not an Instagram Graph API answer govpulse reads; it reads {KINDS}")
        if kind in ("discovery", "profile"):
            account = answer["business_discovery"] if kind == "discovery" else answer
            if str(account.get("id")) in pages:
                accounts[str(account["id"])] = {**accounts.get(str(account["id"]), {}), **account}
                listed = (account.get("media") or {}).get("data") or []
                media.setdefault(str(account["id"]), {}).update((str(m["id"]), m) for m in listed)
        elif kind == "media":
            owner = _owner(answer["data"], pages)
            if owner is None:
                harvest.notices.append(f"{name}: media that name no owner (ask for the owner field) skipped")
            elif owner:
                media.setdefault(owner, {}).update((str(m["id"]), m) for m in answer["data"])
        elif kind == "comments":
            for comment in answer["data"]:
                where = str((comment.get("media") or {}).get("id") or "")
                comments.setdefault(where, {})[str(comment["id"])] = comment
        elif kind == "replies":
            for reply in answer["data"]:
                replies.setdefault(str(reply["parent_id"]), {})[str(reply["id"])] = reply
    for page in saved.pages:
        if page.account_id not in accounts and page.account_id not in media:
            continue
        account = accounts.get(page.account_id)
        items = list(media.get(page.account_id, {}).values())
        harvest.take(account_rows(page, account, items, saved.day, saved.saved_at))
        username = str((account or {}).get("username") or page.handle)
        for item in items:
            thread = [_with_replies(c, replies) for c in comments.pop(str(item["id"]), {}).values()]
            harvest.inquiries.extend(inquiry_rows(page, username, str(item["id"]), thread))
    unplaced = sum(len(found) for found in comments.values())
    if unplaced:
        harvest.notices.append(f"{unplaced} saved comments are on posts of no saved media list: skipped")
    return harvest


def kind_of(answer: Any) -> str:
    """What a saved answer is, by its shape: discovery, profile, media, comments, replies, empty, or "" for none."""
    if not isinstance(answer, dict):
        return ""
    found = answer.get("business_discovery")
    if isinstance(found, dict) and "id" in found:
        media = (found.get("media") or {}).get("data") or []
        return "discovery" if _all(media, "id", "timestamp") else ""
    if "followers_count" in answer and "id" in answer:
        return "profile"
    items = answer.get("data")
    if not isinstance(items, list) or not _all(items, "id"):
        return ""
    if not items:
        return "empty"
    if all("media_type" in i or "media_product_type" in i for i in items):
        return "media" if _all(items, "timestamp") else ""
    if all("parent_id" in i and "timestamp" in i for i in items):
        return "replies"
    return "comments" if all("timestamp" in i for i in items) else ""


def _all(items: Any, *keys: str) -> bool:
    """Whether `items` is a list of objects that each have these keys."""
    return isinstance(items, list) and all(isinstance(i, dict) and all(k in i for k in keys) for i in items)


def _answers(documents: list[tuple[str, Any]]) -> Iterator[tuple[str, Any]]:
    """Each answer with its file's name: a file holds one answer or a list of them."""
    for name, content in documents:
        for answer in content if isinstance(content, list) else [content]:
            yield name, answer


def _owner(items: list[dict[str, Any]], pages: Mapping[str, Page]) -> str | None:
    """The account id of a media list's owner: "" for an account not in the registry, None when nothing says."""
    ids = {str((item.get("owner") or {}).get("id")) for item in items if isinstance(item.get("owner"), dict)}
    names = {str(item["username"]).casefold() for item in items if item.get("username")}
    if not ids and not names:
        return next(iter(pages)) if len(pages) == 1 else None
    found = [p.account_id for p in pages.values() if p.account_id in ids or (p.handle and p.handle.casefold() in names)]
    return found[0] if found else ""


def _with_replies(comment: dict[str, Any], replies: Mapping[str, Mapping[str, dict[str, Any]]]) -> dict[str, Any]:
    """A comment whose thread holds its nested replies and those of saved reply lists."""
    more = replies.get(str(comment["id"]))
    if not more:
        return comment
    nested = (comment.get("replies") or {}).get("data") or []
    thread = {str(r.get("id")): r for r in nested if isinstance(r, dict)} | dict(more)
    return {**comment, "replies": {"data": list(thread.values())}}
