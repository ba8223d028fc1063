"""OK (Odnoklassniki) collector: groups' members, their topics since the window's start, citizens' comments on them."""

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from etl.collect.base import Credential, Harvest, Page, Platform, Progress, RunFailed, Window, stamp
from etl.collect.http import ApiError, Client

API_BASE = "https://api.ok.ru"
ENDPOINT = "fb.do"
APP_KEY = "GOVPULSE_OK_APP_KEY"
APP_SECRET = "GOVPULSE_OK_APP_SECRET"
TOKEN = "GOVPULSE_OK_TOKEN"

GROUPS_PER_CALL = 100  # group.getInfo's documented maximum of uids
TOPICS_PER_CALL = 50  # a window's topics of most groups in one call, the answer (with every media block) still short
COMMENTS_PER_CALL = 100
PAUSES = (2.0, 10.0, 30.0)  # seconds before each new try of an answer OK asks to repeat later

GROUP_FIELDS = "uid,name,shortname,members_count,access_type,private"
TOPIC_FIELDS = "media_topic.*"
# Only what the metrics need: no comment text, no commenters' names.
COMMENT_FIELDS = "comment.ID,comment.AUTHOR_ID,comment.AUTHOR_REF,comment.REPLY_TO_COMMENT_ID,comment.DATE"
OK_SERVER_TIME = ZoneInfo("Europe/Moscow")  # a comment's text "date" is the servers' time; "date_ms" is preferred

ERROR_NAMES = {
    1: "UNKNOWN",
    2: "SERVICE",
    8: "FLOOD_BLOCKED",
    9: "IP_BLOCKED",
    10: "PERMISSION_DENIED",
    11: "LIMIT_REACHED",
    100: "PARAM",
    101: "PARAM_API_KEY",
    102: "PARAM_SESSION_EXPIRED",
    103: "PARAM_SESSION_KEY",
    104: "PARAM_SIGNATURE",
    160: "PARAM_GROUP_ID",
    200: "PARAM_PERMISSION",
    210: "PARAM_APPLICATION_DISABLED",
    300: "NOT_FOUND",
    453: "SESSION_REQUIRED",
    455: "FRIEND_RESTRICTION",
    456: "GROUP_RESTRICTION",
    457: "UNAUTHORIZED_RESTRICTION",
    458: "PRIVACY_RESTRICTION",
}
RETRIED = {1, 2, 8}  # unknown, service unavailable, flood: OK asks to try again later
LIMIT_REACHED = 11  # the method's calls are used up for the day
# Errors no call of this run gets past (mostly the credentials themselves): the run ends.
REFUSED = {
    9: "OK blocks calls from this address for suspicious activity; try later",
    101: f"OK does not know the application key: check {APP_KEY}",
    102: f"OK says the access token has expired: renew {TOKEN}",
    103: f"OK refuses the access token: check {TOKEN}",
    104: f"OK refuses the request signature: check that {APP_SECRET} and {TOKEN} belong to the application {APP_KEY}",
    210: f"OK has disabled the application {APP_KEY}",
    453: f"OK wants a user session: set {TOKEN} to a user's or the application's access token",
}
NEEDED = "it needs GROUP_CONTENT and VALUABLE_ACCESS, granted on request by api-support@ok.ru"
NO_GROUP_ACCESS = {10, 200}  # from group.getInfo: the application lacks GROUP_CONTENT or VALUABLE_ACCESS
PAGE_ERRORS = {
    10: "no access",
    100: "rejected",
    160: "not a group id",
    300: "not found",
    455: "closed to outsiders",
    456: "closed by the group",
    457: "closed to the application",
    458: "closed by privacy settings",
}


class OkError(Exception):
    """An error answer of OK's API (HTTP 200 with error_code): the message names the code only."""

    def __init__(self, code: int) -> None:
        self.code = code
        self.name = ERROR_NAMES.get(code, "")
        super().__init__(f"OK error {code} {self.name}".rstrip())

    @property
    def reason(self) -> str:
        """A skipped page's reason: what it means for the page and the error's code and name."""
        return f"{PAGE_ERRORS.get(self.code, 'failed')} ({self})"


class MethodStopped(Exception):
    """A method whose daily calls are used up: it is not called again in this run."""


class Api:
    """OK's REST API over a Client: calls signed as OK documents, error answers raised, used-up methods stopped."""

    def __init__(self, client: Client, creds: dict[str, str], harvest: Harvest) -> None:
        self.client = client
        self.harvest = harvest
        self.stopped: set[str] = set()
        self._key = creds[APP_KEY]
        self._token = creds[TOKEN]
        self._secret = _md5(creds[TOKEN] + creds[APP_SECRET])  # the signing key of calls with an access_token

    def call(self, method: str, **params: Any) -> Any:
        """The decoded answer of one method; OkError, MethodStopped, RunFailed or ApiError when it fails."""
        if method in self.stopped:
            raise MethodStopped(method)
        for pause in (*PAUSES, None):
            answer = self.client.call(ENDPOINT, method="POST", data=self.signed(method, params))
            code = answer.get("error_code") if isinstance(answer, dict) else None
            if code is None:
                return answer
            error = OkError(int(code))
            if error.code in RETRIED and pause is not None:
                self.client.wait(pause)
                continue
            if error.code in REFUSED:
                raise RunFailed(f"{REFUSED[error.code]} ({error})")
            if error.code == LIMIT_REACHED:
                self.stopped.add(method)
                self.harvest.notices.append(f"OK {method}: the day's calls are used up ({error}); stopped for this run")
                raise MethodStopped(method)
            raise error
        raise AssertionError("unreachable")  # the last try either returns or raises

    def signed(self, method: str, params: dict[str, Any]) -> dict[str, str]:
        """The call's parameters with OK's sig: md5 of the sorted key=value pairs and md5(token + secret key)."""
        query = {"application_key": self._key, "format": "json", "method": method}
        query |= {name: str(value) for name, value in params.items()}
        text = "".join(f"{name}={query[name]}" for name in sorted(query))
        return {**query, "sig": _md5(text + self._secret), "access_token": self._token}


def collect(client: Client, creds: dict[str, str], pages: list[Page], window: Window, progress: Progress) -> Harvest:
    """Followers, posts published since window.since and citizens' comments on them, for every OK group."""
    harvest = Harvest()
    api = Api(client, creds, harvest)
    groups = fetch_groups(api, pages, harvest)
    for page in pages:
        if page.account_id not in harvest.skipped:
            try:
                harvest.take(collect_page(api, page, groups.get(page.account_id), window))
            except ApiError as exc:
                harvest.skip(page, str(exc))
            except OkError as exc:
                harvest.skip(page, exc.reason)
            except (KeyError, TypeError, ValueError) as exc:  # one odd answer must not end a national run
                harvest.skip(page, f"unexpected answer from OK ({type(exc).__name__})")
        progress(page)
    return harvest


def collect_page(api: Api, page: Page, group: dict[str, Any] | None, window: Window) -> Harvest:
    """One group's follower snapshot, its topics in the window and the inquiries in their comments."""
    rows = Harvest()
    if group is not None and group.get("members_count") is not None:
        rows.followers.append(follower_row(page, group, fetch_posts_total(api, page), window))
    for topic in fetch_topics(api, page, window.since):
        post = post_row(page, topic, window)
        if not post["comments"]:
            rows.posts.append(post)
            continue  # no discussion to read: a call saved
        try:
            comments = fetch_comments(api, post["post_id"])
        except OkError as exc:
            if exc.code != 300:
                raise
            continue  # deleted between the list and its comments
        rows.posts.append(post)
        rows.inquiries.extend(inquiry_rows(page, post["post_id"], comments))
    return rows


def fetch_groups(api: Api, pages: list[Page], harvest: Harvest) -> dict[str, dict[str, Any]]:
    """The open groups' info by account_id, a hundred groups a call; missing and closed groups are skipped."""
    groups: dict[str, dict[str, Any]] = {}
    try:
        for start in range(0, len(pages), GROUPS_PER_CALL):
            groups |= fetch_group_batch(api, pages[start : start + GROUPS_PER_CALL], harvest)
    except MethodStopped:
        pass  # pages go on without a follower snapshot
    return groups


def fetch_group_batch(api: Api, batch: list[Page], harvest: Harvest) -> dict[str, dict[str, Any]]:
    """One group.getInfo call for these pages; a call that fails on a bad id is repeated for each group alone."""
    try:
        answer = api.call("group.getInfo", uids=",".join(group_id(page) for page in batch), fields=GROUP_FIELDS)
    except ApiError as exc:
        for page in batch:
            harvest.skip(page, str(exc))
        return {}
    except OkError as exc:
        if exc.code in NO_GROUP_ACCESS:
            raise RunFailed(f"the application {APP_KEY} has no access to groups: {NEEDED} ({exc})") from None
        if len(batch) == 1:
            harvest.skip(batch[0], exc.reason)
            return {}
        found: dict[str, dict[str, Any]] = {}
        for page in batch:
            found |= fetch_group_batch(api, [page], harvest)
        return found
    listed = {str(group.get("uid")): group for group in _groups_of(answer)}
    found = {}
    for page in batch:
        group = listed.get(group_id(page))
        if group is None:
            harvest.skip(page, "not found (OK group.getInfo returned no such group)")
        elif _closed(group):
            harvest.skip(page, f"closed group (OK access_type {group.get('access_type') or 'CLOSED'})")
        else:
            found[page.account_id] = group
    return found


def fetch_posts_total(api: Api, page: Page) -> int | str:
    """The number of topics in the group (group.getCounters' themes), or "" when OK does not give it."""
    try:
        answer = api.call("group.getCounters", group_id=group_id(page), counterTypes="themes")
    except (MethodStopped, OkError):
        return ""  # a count OK withholds leaves posts_total empty; the page's other data stands
    counters = answer.get("counters", answer) if isinstance(answer, dict) else {}
    themes = counters.get("themes") if isinstance(counters, dict) else None
    return int(themes) if themes is not None else ""


def fetch_topics(api: Api, page: Page, since: dt.datetime) -> list[dict[str, Any]]:
    """The group's topics published from `since` on: OK lists them newest first, paged back with its anchor."""
    topics: dict[str, dict[str, Any]] = {}
    params = {"gid": group_id(page), "count": TOPICS_PER_CALL, "direction": "FORWARD", "fields": TOPIC_FIELDS}
    try:
        for topic in _listed(api, "mediatopic.getTopics", "media_topics", params):
            if _published(topic) >= since:
                topics.setdefault(str(topic["id"]), topic)
            elif not topic.get("is_sticky"):
                break  # a pinned old topic heads the list; the first other old one ends the window
    except MethodStopped:
        pass
    return list(topics.values())


def fetch_comments(api: Api, topic_id: str) -> list[dict[str, Any]]:
    """A topic's comments, oldest first, every page of them; [] once the method is stopped."""
    params = {
        "discussionId": topic_id,
        "discussionType": "GROUP_TOPIC",
        "count": COMMENTS_PER_CALL,
        "direction": "FORWARD",
        "fields": COMMENT_FIELDS,
    }
    try:
        return list(_listed(api, "discussions.getComments", "comments", params, anchor="FIRST"))
    except MethodStopped:
        return []


def _listed(api: Api, method: str, key: str, params: dict[str, Any], anchor: str = "") -> Iterator[Any]:
    """Every item of an anchor-paged OK list, one call a page, for as long as the caller reads."""
    while True:
        answer = api.call(method, **params, **({"anchor": anchor} if anchor else {}))
        answer = answer if isinstance(answer, dict) else {}  # OK answers null for nothing
        items = answer.get(key) or []
        yield from items
        following = answer.get("anchor")
        if not items or not answer.get("has_more") or not following or following == anchor:
            return
        anchor = following


def follower_row(page: Page, group: dict[str, Any], posts_total: int | str, window: Window) -> dict[str, Any]:
    """The page's follower snapshot of the run's local day: members, topics, the group's short name."""
    return {
        "date": window.day(page).isoformat(),
        "platform": PLATFORM.name,
        "account_id": page.account_id,
        "followers": int(group["members_count"]),
        "posts_total": posts_total,
        "handle": str(group.get("shortname") or ""),
    }


def post_row(page: Page, topic: dict[str, Any], window: Window) -> dict[str, Any]:
    """A topic's metrics as of the run: likes (Klass), comments, reshares, views where OK gives them."""
    views = topic.get("views_count")
    return {
        "collected_at": stamp(window.now),
        "platform": PLATFORM.name,
        "account_id": page.account_id,
        "post_id": str(topic["id"]),
        "published_at": stamp(_published(topic)),
        "post_type": post_type(topic),
        "likes": _count(topic, "like_summary", "count"),
        "comments": _count(topic, "discussion_summary", "comments_count"),
        "shares": _count(topic, "reshare_summary", "count"),
        "views": int(views) if views is not None else "",
    }


def post_type(topic: dict[str, Any]) -> str:
    """The contract's kind of a topic, from its media blocks: a reshare, video, photos, link, else text."""
    media = [block for block in topic.get("media") or [] if isinstance(block, dict)]
    kinds = {block.get("type") for block in media}
    if "topic" in kinds or any(block.get("reshare") for block in media):
        return "repost"
    if "movie" in kinds:
        return "video"
    photos = sum(len(block.get("photo_refs") or [None]) for block in media if block.get("type") == "photo")
    if photos:
        return "album" if photos > 1 else "photo"
    return "link" if "link" in kinds else "text"  # a poll, text or anything else reads as text


def inquiry_rows(page: Page, topic_id: str, comments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each citizen's comment on a topic as an inquiry, with the time of the group's first reply to it."""
    gid = group_id(page)
    official = [(_commented(c), c.get("reply_to_comment_id")) for c in comments if _by_group(c, gid)]
    rows = []
    for comment in comments:
        if _by_group(comment, gid) or str(comment.get("author_ref")).startswith("group:"):
            continue  # the page's own comment, or another community's: no citizen's inquiry
        received = _commented(comment)
        # The group's comment answering it by reply, or the group's first comment after it that answers no one.
        replies = [when for when, to in official if when >= received and to in (None, "", comment.get("id"))]
        rows.append(
            {
                "platform": PLATFORM.name,
                "account_id": page.account_id,
                "inquiry_id": f"{gid}_{topic_id}_{comment['id']}",
                "channel": "comment",
                "post_id": topic_id,
                "received_at": stamp(received),
                "first_reply_at": stamp(min(replies)) if replies else "",
                "replied_by": "",  # a group answers as itself: the head and the press service look alike
                "topic": "",
            }
        )
    return rows


def group_id(page: Page) -> str:
    """The group id to send to OK for a page (the registry's account_id)."""
    return page.account_id.strip()


def _groups_of(answer: Any) -> list[dict[str, Any]]:
    # OK answers group.getInfo with a list; its documentation shows the list under "groups".
    groups = answer.get("groups") if isinstance(answer, dict) else answer
    return [group for group in groups or [] if isinstance(group, dict)]


def _closed(group: dict[str, Any]) -> bool:
    return group.get("access_type") in ("CLOSED", "SECRET") or group.get("private") is True


def _by_group(comment: dict[str, Any], gid: str) -> bool:
    return comment.get("author_ref") == f"group:{gid}" or str(comment.get("author_id")) == gid


def _published(topic: dict[str, Any]) -> dt.datetime:
    return dt.datetime.fromtimestamp(int(topic["created_ms"]) // 1000, dt.UTC)


def _commented(comment: dict[str, Any]) -> dt.datetime:
    if comment.get("date_ms") is not None:
        return dt.datetime.fromtimestamp(int(comment["date_ms"]) // 1000, dt.UTC)
    local = dt.datetime.strptime(str(comment["date"]), "%Y-%m-%d %H:%M:%S")
    return local.replace(tzinfo=OK_SERVER_TIME).astimezone(dt.UTC)


def _count(topic: dict[str, Any], summary: str, key: str) -> int:
    value = (topic.get(summary) or {}).get(key)
    return max(int(value), 0) if value is not None else 0


def _md5(text: str) -> str:
    return hashlib.md5(text.encode("utf-8"), usedforsecurity=False).hexdigest()  # OK's signature scheme


WHERE_KEY = (
    "the application's public key: in OK's letter on registering the application (get developer rights at "
    "ok.ru/devaccess first) and on the application's settings page"
)
WHERE_SECRET = "the application's secret key: in the same letter and on the application's settings page"
WHERE_TOKEN = (
    "the access token: the application's eternal access_token from its settings page, or an OAuth token of an "
    "account with VALUABLE_ACCESS, GROUP_CONTENT and LONG_ACCESS_TOKEN"
)
PLATFORM = Platform(
    name="ok",
    api_base=API_BASE,
    credentials=(
        Credential(APP_KEY, WHERE_KEY),
        Credential(APP_SECRET, WHERE_SECRET),
        Credential(TOKEN, WHERE_TOKEN),
    ),
    per_second=3.0,
    collect=collect,
)
