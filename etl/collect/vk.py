"""VK: followers of communities and people's pages, their wall posts, and citizens' comments with the page's reply."""

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from etl.collect.base import Credential, Harvest, Page, Platform, Progress, RunFailed, Saved, Window, stamp
from etl.collect.http import ApiError, Client

# Pinned: the answers' shapes (groups.getById returns {"groups": […]} since 5.139) are those of this version.
VERSION = "5.199"
OWNER_ID = re.compile(r"-?[1-9]\d{0,18}")
GROUPS_PER_CALL = 500
USERS_PER_CALL = 1000
PAGE_SIZE = 100
THREAD_ITEMS = 10
RETRIES_ON_FLOOD = 5
TOKEN = Credential(
    "GOVPULSE_VK_TOKEN",
    "a service key of your VK app (id.vk.com/business/go → your app → Keys → Service key); see docs/collect/vk.md",
)
# Errors that close one page to us: the page is skipped by name, the run goes on.
PAGE_ERRORS = {
    15: "access denied",
    18: "page deleted or banned",
    30: "private profile",
    100: "invalid page id",
    113: "invalid user id",
    125: "invalid group id",
    203: "access to the community denied",
}
AUTH_ERRORS = {5, 28}
TOO_FAST = 6
TRANSIENT = {1, 10}  # unknown and internal errors: VK asks to repeat the call later
METHOD_CLOSED = {9, 29}  # flood control, the method's daily limit
NO_COMMENTS = {212, 801}  # comments of that post closed or hidden


class VkError(Exception):
    """An error object of VK's answer."""

    def __init__(self, method: str, code: int, message: str) -> None:
        super().__init__(f"{method}: {message} (VK error {code})")
        self.method, self.code, self.message = method, code, message


class MethodClosed(VkError):
    """VK closed a method for this run (flood control or the daily limit)."""


@dataclass
class Vk:
    """VK's API over the run's client: the version and token on every call, error 6 waited out, closed methods."""

    client: Client
    token: str
    closed: dict[str, str] = field(default_factory=dict)

    def call(self, method: str, **params: Any) -> Any:
        """The `response` of one VK method; VkError for VK's own errors, RunFailed when the token is refused."""
        if method in self.closed:
            raise MethodClosed(method, 29, self.closed[method])
        # The token travels in the POST body, never in a URL that proxies and logs keep.
        data = {**params, "access_token": self.token, "v": VERSION}
        for attempt in range(RETRIES_ON_FLOOD + 1):
            answer = self.client.call(method, method="POST", data=data)
            if not isinstance(answer, dict) or ("response" not in answer and "error" not in answer):
                raise ApiError(f"{method}: an answer without response or error")
            error = answer.get("error")
            if error is None:
                return answer["response"]
            code, message = int(error.get("error_code", 0)), str(error.get("error_msg", ""))
            if (code == TOO_FAST or code in TRANSIENT) and attempt < RETRIES_ON_FLOOD:
                self.client.wait(1.0)
                continue
            if code in AUTH_ERRORS:
                raise RunFailed(f"VK refused {TOKEN.env}: {message} (VK error {code})")
            if code in METHOD_CLOSED:
                self.closed[method] = f"{message} (VK error {code})"
                raise MethodClosed(method, code, message)
            raise VkError(method, code, message)
        raise AssertionError("unreachable")  # pragma: no cover


def collect(client: Client, creds: dict[str, str], pages: list[Page], window: Window, progress: Progress) -> Harvest:
    """Followers, posts since `window.since` and their comments for every page; pages VK closes are skipped."""
    vk = Vk(client, creds[TOKEN.env])
    harvest = Harvest()
    valid = []
    for page in pages:
        if OWNER_ID.fullmatch(page.account_id):
            valid.append(page)
        else:
            harvest.skip(page, "account_id must be VK's owner_id: -123456 for a community, 236298625 for a person")
            progress(page)
    profiles = fetch_profiles(vk, valid, harvest)
    for page in valid:
        if page.account_id not in harvest.skipped:
            try:
                harvest.take(collect_page(vk, page, profiles[page.account_id], window))
            except VkError as exc:
                harvest.skip(page, _reason(exc))
            except ApiError as exc:
                harvest.skip(page, str(exc))
        progress(page)
    harvest.notices.extend(
        f"VK closed {m} for this run: {why}; pages collected without it" for m, why in vk.closed.items()
    )
    return harvest


def collect_page(vk: Vk, page: Page, profile: dict[str, Any], window: Window) -> Harvest:
    """One page's follower snapshot, posts in the window and the citizens' comments on them."""
    owner = int(page.account_id)
    total, posts = fetch_wall(vk, owner, window)
    rows = Harvest(
        followers=[follower_row(page, profile, total, window)], posts=[post_row(page, p, window) for p in posts]
    )
    for post in posts:
        if not post.get("comments", {}).get("count"):
            continue
        try:
            comments = list(fetch_comments(vk, owner, int(post["id"])))
        except MethodClosed:
            break
        except VkError as exc:
            if exc.code in NO_COMMENTS:
                rows.notices.append(f"{page.account_id}_{post['id']}: comments not readable ({exc.message})")
                continue
            raise
        rows.inquiries.extend(inquiry_rows(page, int(post["id"]), comments))
    return rows


def fetch_profiles(vk: Vk, pages: list[Page], harvest: Harvest) -> dict[str, dict[str, Any]]:
    """Followers and handle of each page, asked in batches; deleted, banned or unknown pages are skipped."""
    found: dict[str, dict[str, Any]] = {}
    communities = [p for p in pages if p.account_id.startswith("-")]
    people = [p for p in pages if not p.account_id.startswith("-")]
    for batch in _batches(communities, GROUPS_PER_CALL):
        ids = ",".join(p.account_id[1:] for p in batch)
        try:
            answer = vk.call("groups.getById", group_ids=ids, fields="members_count,screen_name")
        except (VkError, ApiError) as exc:
            _skip_all(harvest, batch, exc)
            continue
        groups = answer.get("groups", []) if isinstance(answer, dict) else answer
        for g in groups:
            found[f"-{g['id']}"] = {"followers": g.get("members_count"), "handle": g.get("screen_name", ""), **g}
    for batch in _batches(people, USERS_PER_CALL):
        try:
            answer = vk.call(
                "users.get", user_ids=",".join(p.account_id for p in batch), fields="followers_count,domain"
            )
        except (VkError, ApiError) as exc:
            _skip_all(harvest, batch, exc)
            continue
        for u in answer:
            found[str(u["id"])] = {"followers": u.get("followers_count"), "handle": u.get("domain", ""), **u}
    for page in pages:
        profile = found.get(page.account_id)
        if page.account_id in harvest.skipped:
            continue
        if profile is None:
            harvest.skip(page, "not found on VK")
        elif profile.get("deactivated"):
            harvest.skip(page, f"page {profile['deactivated']} on VK")
        elif profile.get("followers") is None:
            harvest.skip(page, "VK does not show its followers (closed page)")
    return found


def fetch_wall(vk: Vk, owner: int, window: Window) -> tuple[int, list[dict[str, Any]]]:
    """The page's own post count and its posts published since the window's start, newest first."""
    since = window.since.timestamp()
    posts: list[dict[str, Any]] = []
    offset, total = 0, 0
    while True:
        answer = vk.call("wall.get", owner_id=owner, count=PAGE_SIZE, offset=offset, filter="owner")
        total, items = int(answer.get("count", 0)), answer.get("items", [])
        posts.extend(p for p in items if p.get("date", 0) >= since)
        offset += len(items)
        # A pinned post comes first whatever its age: only an older unpinned post ends the window.
        older = any(p.get("date", 0) < since and not p.get("is_pinned") for p in items)
        if older or not items or offset >= total:
            return total, posts


def fetch_comments(vk: Vk, owner: int, post: int) -> Iterator[dict[str, Any]]:
    """A post's comments with every item of their threads, oldest first."""
    offset = 0
    while True:
        answer = vk.call(
            "wall.getComments", owner_id=owner, post_id=post, count=PAGE_SIZE, offset=offset, sort="asc",
            thread_items_count=THREAD_ITEMS, need_likes=0, extended=0,
        )  # fmt: skip
        items = answer.get("items", [])
        for comment in items:
            thread = comment.get("thread") or {}
            replies = list(thread.get("items", []))
            if thread.get("count", 0) > len(replies):
                replies = list(fetch_thread(vk, owner, post, int(comment["id"])))
            yield {**comment, "thread": {"count": len(replies), "items": replies}}
        offset += len(items)
        if not items or offset >= int(answer.get("current_level_count", answer.get("count", 0))):
            return


def fetch_thread(vk: Vk, owner: int, post: int, comment: int) -> Iterator[dict[str, Any]]:
    """Every reply in a comment's thread, oldest first."""
    offset = 0
    while True:
        answer = vk.call(
            "wall.getComments", owner_id=owner, post_id=post, comment_id=comment, count=PAGE_SIZE, offset=offset,
            sort="asc", need_likes=0, extended=0,
        )  # fmt: skip
        items = answer.get("items", [])
        yield from items
        offset += len(items)
        if not items or offset >= int(answer.get("count", 0)):
            return


def follower_row(page: Page, profile: dict[str, Any], total: int, window: Window) -> dict[str, Any]:
    """The page's follower snapshot of the run's day."""
    return {
        "date": window.day(page).isoformat(),
        "platform": "vk",
        "account_id": page.account_id,
        "followers": int(profile["followers"]),
        "posts_total": total,
        "handle": profile.get("handle") or "",
    }


def post_type(post: dict[str, Any]) -> str:
    """The contract's type of a VK post: a repost, else by its attachments."""
    if post.get("copy_history") or post.get("post_type") == "copy":
        return "repost"
    kinds = [a.get("type") for a in post.get("attachments", [])]
    if "video" in kinds:
        video = next(a["video"] for a in post["attachments"] if a.get("type") == "video")
        return "live" if video.get("live") else "video"
    if kinds.count("photo") > 1 or "album" in kinds:
        return "album"
    if "photo" in kinds:
        return "photo"
    return "link" if "link" in kinds else "text"


def post_row(page: Page, post: dict[str, Any], window: Window) -> dict[str, Any]:
    """A wall post's metrics as collected now."""
    views = post.get("views", {}).get("count")
    return {
        "collected_at": stamp(window.now),
        "platform": "vk",
        "account_id": page.account_id,
        "post_id": f"{page.account_id}_{post['id']}",
        "published_at": stamp(post["date"]),
        "post_type": post_type(post),
        "likes": int(post.get("likes", {}).get("count", 0)),
        "comments": int(post.get("comments", {}).get("count", 0)),
        "shares": int(post.get("reposts", {}).get("count", 0)),
        "views": "" if views is None else int(views),
    }


def inquiry_rows(page: Page, post: int, comments: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Citizens' top-level comments, each with the page's first reply in its thread or addressed to it."""
    owner = int(page.account_id)
    # The page may also answer at the top level, naming the comment it replies to.
    answers: dict[int, int] = {}
    for c in comments:
        if c.get("from_id") == owner and c.get("reply_to_comment"):
            answers[int(c["reply_to_comment"])] = min(answers.get(int(c["reply_to_comment"]), c["date"]), c["date"])
    for c in comments:
        if c.get("deleted") or c.get("from_id") == owner or "date" not in c:
            continue
        received = int(c["date"])
        replies = [r["date"] for r in c.get("thread", {}).get("items", []) if r.get("from_id") == owner]
        if int(c["id"]) in answers:
            replies.append(answers[int(c["id"])])
        first = min((t for t in replies if t >= received), default=None)
        yield {
            "platform": "vk",
            "account_id": page.account_id,
            "inquiry_id": f"{page.account_id}_{post}_{c['id']}",
            "channel": "comment",
            "post_id": f"{page.account_id}_{post}",
            "received_at": stamp(received),
            "first_reply_at": "" if first is None else stamp(first),
            "replied_by": "" if first is None or owner < 0 else "owner",
            "topic": "",
        }


def _batches(pages: list[Page], size: int) -> Iterator[list[Page]]:
    for start in range(0, len(pages), size):
        yield pages[start : start + size]


def _reason(exc: VkError) -> str:
    plain = PAGE_ERRORS.get(exc.code)
    return f"{plain} (VK error {exc.code} in {exc.method})" if plain else str(exc)


def _skip_all(harvest: Harvest, pages: list[Page], exc: Exception) -> None:
    for page in pages:
        harvest.skip(page, _reason(exc) if isinstance(exc, VkError) else str(exc))


def read_saved(saved: Saved) -> Harvest:
    """Rows of saved groups.getById, users.get, wall.get and wall.getComments answers, for the registry's pages."""
    pages = {p.account_id: p for p in saved.pages}
    window = Window(dt.datetime.min.replace(tzinfo=dt.UTC), saved.saved_at)
    profiles: dict[str, dict[str, Any]] = {}
    totals: dict[str, int] = {}
    posts: dict[str, dict[str, Any]] = {}
    comments: dict[tuple[str, int], list[dict[str, Any]]] = {}
    for name, document in saved.documents:
        for answer in _answers(document):
            kind = _saved_kind(answer)
            if kind is None:
                raise ValueError(f"{name}: not a VK answer of {', '.join(SAVED_KINDS)}")
            items = answer if isinstance(answer, list) else answer.get("groups") or answer.get("items") or []
            if kind == "groups.getById":
                profiles |= {f"-{g['id']}": {"followers": g.get("members_count"), "handle": g.get("screen_name", ""),
                                             **g} for g in items}  # fmt: skip
            elif kind == "users.get":
                profiles |= {str(u["id"]): {"followers": u.get("followers_count"), "handle": u.get("domain", ""),
                                            **u} for u in items}  # fmt: skip
            elif kind == "wall.get":
                for post in items:
                    owner = str(post["owner_id"])
                    posts[f"{owner}_{post['id']}"] = post
                    totals[owner] = max(totals.get(owner, 0), int(answer.get("count", 0)))
            else:
                for comment in (c for c in items if "owner_id" in c and "post_id" in c):
                    comments.setdefault((str(comment["owner_id"]), int(comment["post_id"])), []).append(comment)
    harvest = Harvest()
    for account_id, profile in profiles.items():
        page = pages.get(account_id)
        if page is not None and not profile.get("deactivated") and profile.get("followers") is not None:
            row = follower_row(page, profile, totals.get(account_id, 0), window)
            harvest.followers.append({**row, "date": saved.day.isoformat(), "posts_total": totals.get(account_id, "")})
    for post in posts.values():
        if (page := pages.get(str(post["owner_id"]))) is not None:
            harvest.posts.append(post_row(page, post, window))
    for (owner, post_id), items in comments.items():
        if (page := pages.get(owner)) is not None:
            harvest.inquiries.extend(inquiry_rows(page, post_id, _threads(items)))
    seen = set(profiles) | {str(p["owner_id"]) for p in posts.values()} | {owner for owner, _ in comments}
    if outside := sorted(seen - set(pages)):
        shown = ", ".join(outside[:5]) + (", …" if len(outside) > 5 else "")
        harvest.notices.append(
            f"{len(outside)} pages of the answers are not in the registry and were left out: {shown}"
        )
    return harvest


SAVED_KINDS = ("groups.getById", "users.get", "wall.get", "wall.getComments")


def _answers(document: Any) -> list[Any]:
    """The answers in a saved document: one answer, a list of them, each with or without VK's `response` wrapper."""
    if isinstance(document, dict) and "response" in document:
        return [document["response"]]
    if isinstance(document, list) and document and all(isinstance(d, dict) and "response" in d for d in document):
        return [d["response"] for d in document]
    return [document]


def _saved_kind(answer: Any) -> str | None:
    """Which method gave an answer, told by its shape."""
    if isinstance(answer, list):
        return "users.get" if all(isinstance(u, dict) and "first_name" in u for u in answer) else None
    if not isinstance(answer, dict):
        return None
    if isinstance(answer.get("groups"), list):
        return "groups.getById"
    items = answer.get("items")
    if not isinstance(items, list) or "count" not in answer:
        return None
    if any("post_id" in i and "parents_stack" in i for i in items):
        return "wall.getComments"  # a deleted comment keeps only its id
    return "wall.get" if all("owner_id" in i and "date" in i for i in items) else None


def _threads(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A post's saved comments as the collector reads them: replies saved apart are put into their threads."""
    top = {int(c["id"]): {**c, "thread": {"items": list((c.get("thread") or {}).get("items", []))}}
           for c in items if not c.get("parents_stack")}  # fmt: skip
    for reply in items:
        parents = reply.get("parents_stack") or []
        if parents and int(parents[0]) in top:
            thread = top[int(parents[0])]["thread"]["items"]
            if all(r.get("id") != reply.get("id") for r in thread):
                thread.append(reply)
    return list(top.values())


PLATFORM = Platform(
    name="vk",
    api_base="https://api.vk.com/method",
    credentials=(TOKEN,),
    per_second=3.0,
    collect=collect,
    read_saved=read_saved,
)
