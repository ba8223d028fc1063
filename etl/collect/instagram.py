"""Instagram: followers and posts of official professional accounts, and citizens' comments on the office's own
account with its first reply, through Meta's Graph API (the Instagram API with Facebook Login)."""

import datetime as dt
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any

from etl.collect.base import Credential, Harvest, Page, Platform, Progress, RunFailed, Window
from etl.collect.http import ApiError, Client
from etl.collect.instagram_rows import PLATFORM_NAME, account_rows, as_int, inquiry_rows, published, read_saved

# Pinned: the fields asked for and the answers' shapes are those of this version (Meta keeps one for two years).
VERSION = "v25.0"
API_BASE = f"https://graph.facebook.com/{VERSION}"
PAGE_SIZE = 50  # media, comments or replies a request
MAX_PAGES = 400  # a list whose cursor never ends stops here
MEDIA_FIELDS = "id,timestamp,media_type,media_product_type,like_count,comments_count,permalink"
OWN_MEDIA_FIELDS = f"{MEDIA_FIELDS},owner"  # `owner` is given for the app user's own media only
PROFILE_FIELDS = "id,username,followers_count,media_count"
# Only what the metrics need: `from` tells the office's comments from citizens' and is dropped at once.
COMMENT_FIELDS = "id,timestamp,from,media,replies{id,timestamp,from}"
REPLY_FIELDS = "id,timestamp,from,parent_id"
ACCOUNT_ID = re.compile(r"[1-9]\d{0,24}")
USERNAME = re.compile(r"[A-Za-z0-9._]{1,30}")
USAGE_LIMIT = 95  # the share (%) of a rate limit Meta reports used at which the run sends nothing more
USAGE_SHARES = ("call_count", "total_time", "total_cputime")
PAUSES = (15.0, 60.0, 180.0)  # seconds before each new try of a throttled request
TOKEN = Credential(
    "GOVPULSE_INSTAGRAM_TOKEN",
    "a long-lived access token for the Facebook Page linked to the office's Instagram professional account, with "
    "instagram_basic, instagram_manage_comments, instagram_manage_insights and pages_read_engagement (Meta for "
    "Developers → your app → Facebook Login for Business; a 60-day token); see docs/collect/instagram.md",
)
USER_ID = Credential(
    "GOVPULSE_INSTAGRAM_USER_ID",
    "the id of the office's own Instagram professional account (Graph API Explorer: "
    "me/accounts?fields=instagram_business_account); other accounts are looked up from it; see "
    "docs/collect/instagram.md",
)
TOKEN_REFUSED = {102, 190}  # the session or the access token is invalid, expired or revoked
THROTTLED = {4, 17, 32, 613, 80002}  # the app's, the user's, the Page's, a method's, the Instagram account's limit
UNKNOWN_OBJECT = (100, 33)  # "Unsupported get request": no such object, or one the token cannot read
RENAMED = "put the account's current username in the registry"
# Why a page is not collected, by Meta's error subcode, else by its code.
SUBCODE_REASONS = {
    2207013: "no business or creator account has this username (personal accounts cannot be looked up)",
    33: "Meta does not show this object to the token",
}
CODE_REASONS = {
    10: "the token lacks a permission",
    100: "Meta rejected the request",
    110: "no business or creator account has this username",
    200: "the token lacks a permission",
}


class GraphError(Exception):
    """An error object of a Graph API answer: its code, subcode and Meta's message."""

    def __init__(self, path: str, error: Mapping[str, Any]) -> None:
        self.path = path
        self.code = as_int(error.get("code"))
        self.subcode = as_int(error.get("error_subcode"))
        self.message = str(error.get("message") or "")
        label = f"{self.code}/{self.subcode}" if self.subcode else str(self.code)
        super().__init__(f"{self.message} (Graph error {label})")

    @property
    def reason(self) -> str:
        """A skipped page's reason: what the error means for the page, then Meta's words and code."""
        plain = SUBCODE_REASONS.get(self.subcode) or CODE_REASONS.get(self.code)
        return f"{plain}: {self}" if plain else str(self)


class Throttled(Exception):
    """Meta throttles the app or the account: the run sends nothing more."""


class Skip(Exception):
    """A page that cannot be collected, and why."""


class Graph:
    """The Graph API over the run's client: the token in a header, Meta's usage watched, throttling waited out."""

    def __init__(self, client: Client, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.usage = (0, "")  # the highest share (%) of a rate limit the latest answer reported, and its header
        self._response: Any = None
        # The shared client gives back only the decoded body; Meta's usage headers and the error object of a refused
        # request are read from the response itself, which requests hands to this hook.
        client.session.hooks["response"].append(self._keep)

    def _keep(self, response: Any, *_: Any, **__: Any) -> None:
        self._response = response

    def get(self, path: str, **params: Any) -> dict[str, Any]:
        """The answer of one GET; GraphError for Meta's errors, Throttled, or RunFailed when the token is refused."""
        for pause in (*PAUSES, None):
            if self.usage[0] >= USAGE_LIMIT:
                raise Throttled(f"Meta reports {self.usage[0]} % of a rate limit used ({self.usage[1]})")
            self._response = None
            try:
                answer = self.client.call(path, params, headers=self.headers)
            except ApiError:
                error = self._seen(path)
                if error is None:
                    raise
            else:
                self._seen(path)
                return answer if isinstance(answer, dict) else {}
            if error.code in THROTTLED:
                if pause is None:
                    raise Throttled(f"Meta throttles the requests: {error}")
                self.client.wait(pause)
                continue
            if error.code in TOKEN_REFUSED:
                raise RunFailed(self.client.redact(f"Meta refused {TOKEN.env}: {error}; see docs/collect/instagram.md"))
            raise error
        raise AssertionError("unreachable")  # the last try either returns or raises

    def _seen(self, path: str) -> GraphError | None:
        """Note the usage the latest response reported; the error object it carried, if any."""
        response = self._response
        if response is None:
            return None  # no answer at all: a timeout or a broken connection
        self.usage = usage(response.headers) or self.usage
        if response.status_code < 400:
            return None
        try:
            error = response.json().get("error")
        except (ValueError, AttributeError):
            return None
        return GraphError(path, error) if isinstance(error, dict) else None


def usage(headers: Mapping[str, str]) -> tuple[int, str] | None:
    """The highest share (%) of a rate limit that X-App-Usage or X-Business-Use-Case-Usage reports, if either is
    there; the second names the header."""
    found: tuple[int, str] | None = None
    for name in ("X-App-Usage", "X-Business-Use-Case-Usage"):
        try:
            value = json.loads(headers.get(name) or "null")
        except ValueError:
            continue
        if name == "X-App-Usage":
            entries = [value]
        else:  # {business id: [{"type": "instagram", "call_count": 12, …}]}
            entries = [e for v in (value.values() if isinstance(value, dict) else ()) if isinstance(v, list) for e in v]
        for entry in entries:
            if isinstance(entry, dict):
                share = max(as_int(entry.get(key)) for key in USAGE_SHARES)
                if found is None or share > found[0]:
                    found = (share, name)
    return found


def collect(client: Client, creds: dict[str, str], pages: list[Page], window: Window, progress: Progress) -> Harvest:
    """Followers and posts since `window.since` of every account; citizens' comments on the office's own account."""
    own = creds[USER_ID.env]
    if not ACCOUNT_ID.fullmatch(own):
        raise RunFailed(f"{USER_ID.env} must be the numeric id of the office's Instagram professional account")
    graph = Graph(client, creds[TOKEN.env])
    harvest = Harvest()
    stopped = ""
    for page in pages:
        try:
            if stopped:
                raise Skip(f"left for the next run: {stopped}")
            harvest.take(collect_page(graph, own, page, window))
        except Skip as exc:
            harvest.skip(page, str(exc))
        except Throttled as exc:
            stopped = str(exc)
            harvest.skip(page, f"left for the next run: {stopped}")
        except GraphError as exc:
            if exc.path == own and (exc.code, exc.subcode) == UNKNOWN_OBJECT:
                raise RunFailed(f"Meta does not let the token read {USER_ID.env}'s account: {exc}") from None
            harvest.skip(page, exc.reason)
        except ApiError as exc:
            harvest.skip(page, str(exc))
        except (KeyError, TypeError, ValueError) as exc:  # one odd answer must not end a national run
            harvest.skip(page, f"unexpected answer from Meta ({type(exc).__name__})")
        progress(page)
    if stopped:
        left = sum(reason.startswith("left for the next run") for reason in harvest.skipped.values())
        harvest.notices.append(f"the run stopped early, {left} pages left for the next run: {stopped}")
    return harvest


def collect_page(graph: Graph, own: str, page: Page, window: Window) -> Harvest:
    """One account's rows: the office's own through its edges, any other through business discovery."""
    if not ACCOUNT_ID.fullmatch(page.account_id):
        raise Skip("account_id must be the Instagram user id, a number such as 17841405309211844")
    if page.account_id == own:
        return collect_own(graph, page, window)
    handle = page.handle.strip().removeprefix("@")
    if not USERNAME.fullmatch(handle):
        raise Skip("handle must be the account's Instagram username: business discovery finds accounts by it")
    account, media = fetch_discovered(graph, own, handle, page, window.since)
    return account_rows(page, account, media, window.day(page), window.now)


def collect_own(graph: Graph, page: Page, window: Window) -> Harvest:
    """The office's own account: followers, posts since the window's start, citizens' comments and its replies."""
    account = graph.get(page.account_id, fields=PROFILE_FIELDS)
    media = list(fetch_own_media(graph, page.account_id, window.since))
    rows = account_rows(page, account, media, window.day(page), window.now)
    username = str(account.get("username") or page.handle)
    for item in media:
        if as_int(item.get("comments_count")):
            comments = list(fetch_comments(graph, str(item["id"])))
            rows.inquiries.extend(inquiry_rows(page, username, str(item["id"]), comments))
    return rows


def discovery_fields(handle: str, after: str | None = None) -> str:
    """The `fields` of a business discovery request: the account, and a page of its media from cursor `after`."""
    edge = f"media.after({after}).limit({PAGE_SIZE})" if after else f"media.limit({PAGE_SIZE})"
    return f"business_discovery.username({handle}){{{PROFILE_FIELDS},{edge}{{{MEDIA_FIELDS}}}}}"


def fetch_discovered(
    graph: Graph, own: str, handle: str, page: Page, since: dt.datetime
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The account business discovery finds by `handle` and its posts published since `since`, newest first."""
    account: dict[str, Any] = {}
    media: list[dict[str, Any]] = []
    after, read = None, 0
    for _ in range(MAX_PAGES):
        found = graph.get(own, fields=discovery_fields(handle, after)).get("business_discovery")
        if not isinstance(found, dict):
            raise Skip("business discovery gave no account for this username")
        if str(found.get("id")) != page.account_id:
            raise Skip(f"the username {handle} now belongs to another account: {RENAMED}")
        account = account or found
        edge = found.get("media") or {}
        items = [m for m in edge.get("data") or [] if isinstance(m, dict)]
        media.extend(m for m in items if published(m) >= since)
        read += len(items)
        following = ((edge.get("paging") or {}).get("cursors") or {}).get("after")
        total = account.get("media_count")
        if _older(items, since) or not following or following == after or (total is not None and read >= as_int(total)):
            break
        after = following
    return account, media


def fetch_own_media(graph: Graph, account_id: str, since: dt.datetime) -> Iterator[dict[str, Any]]:
    """The office's posts published since `since`, newest first."""
    params = {"fields": OWN_MEDIA_FIELDS, "since": int(since.timestamp()), "limit": PAGE_SIZE}
    for items in _listed(graph, f"{account_id}/media", params):
        yield from (m for m in items if published(m) >= since)
        if _older(items, since):
            return


def fetch_comments(graph: Graph, media_id: str) -> Iterator[dict[str, Any]]:
    """A post's top-level comments, each with every reply in its thread."""
    for items in _listed(graph, f"{media_id}/comments", {"fields": COMMENT_FIELDS, "limit": PAGE_SIZE}):
        for comment in items:
            replies = comment.get("replies") or {}
            if (replies.get("paging") or {}).get("next"):
                params = {"fields": REPLY_FIELDS, "limit": PAGE_SIZE}
                thread = [r for part in _listed(graph, f"{comment['id']}/replies", params) for r in part]
                comment = {**comment, "replies": {"data": thread}}
            yield comment


def _listed(graph: Graph, path: str, params: dict[str, Any]) -> Iterator[list[dict[str, Any]]]:
    """Each page of a Graph API list, asked again with the answer's `after` cursor while it has a next page."""
    after = None
    for _ in range(MAX_PAGES):
        answer = graph.get(path, **params, **({"after": after} if after else {}))
        items = [item for item in answer.get("data") or [] if isinstance(item, dict)]
        yield items
        paging = answer.get("paging") or {}
        following = (paging.get("cursors") or {}).get("after")
        # `next` may carry the token in its query: the cursor is sent instead, the token staying in the header.
        if not items or not paging.get("next") or not following or following == after:
            return
        after = following


def _older(items: list[dict[str, Any]], since: dt.datetime) -> bool:
    # Newest first: once a page's last post is older than the window, so is everything after it.
    return not items or published(items[-1]) < since


PLATFORM = Platform(
    name=PLATFORM_NAME,
    api_base=API_BASE,
    credentials=(TOKEN, USER_ID),
    per_second=2.0,
    collect=collect,
    read_saved=read_saved,
)
