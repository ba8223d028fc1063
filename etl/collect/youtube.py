"""YouTube: subscribers of official channels, their videos' views and likes, citizens' comments with the reply."""

import datetime as dt
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from etl.collect.base import Credential, Harvest, Page, Platform, Progress, RunFailed, Saved, Window, stamp
from etl.collect.http import ApiError, Client

API_BASE = "https://www.googleapis.com/youtube/v3"
CHANNEL_ID = re.compile(r"UC[0-9A-Za-z_-]{22}")
IDS_PER_CALL = 50  # channels.list and videos.list take at most 50 ids
PAGE_SIZE = 50  # playlistItems.list's maximum of maxResults
COMMENTS_PER_CALL = 100  # commentThreads.list's and comments.list's maximum of maxResults
COST = {"channels": 1, "playlistItems": 1, "videos": 1, "commentThreads": 1, "comments": 1}  # quota units a call
QUOTA_ENV = "GOVPULSE_YOUTUBE_QUOTA"
DAILY_QUOTA = 10_000  # a Google Cloud project's default daily quota of the YouTube Data API
ROUNDED_FROM = 1000  # YouTube shows subscriber counts from here on to three significant figures
PAUSES = (1.0, 5.0, 20.0)  # seconds before each new try of a call YouTube refused as too fast
KEY = Credential(
    "GOVPULSE_YOUTUBE_KEY",
    "an API key of a Google Cloud project with the YouTube Data API v3 enabled (console.cloud.google.com → APIs & "
    "Services → Credentials → Create credentials → API key); see docs/collect/youtube.md",
)

CHANNEL_PARTS = "statistics,contentDetails,snippet"
VIDEO_PARTS = "statistics,snippet,contentDetails,liveStreamingDetails"  # one unit whatever the parts
# Only the ids and times the metrics need: no comment text and no commenters' names cross the network.
THREAD_FIELDS = (
    "kind,nextPageToken,items(id,snippet(videoId,totalReplyCount,topLevelComment(id,snippet(authorChannelId,"
    "publishedAt))),replies(comments(id,snippet(authorChannelId,parentId,publishedAt))))"
)
REPLY_FIELDS = "kind,nextPageToken,items(id,snippet(authorChannelId,parentId,publishedAt))"

TOO_FAST = {"rateLimitExceeded", "userRateLimitExceeded", "RATE_LIMIT_EXCEEDED"}
QUOTA_USED_UP = {"quotaExceeded", "dailyLimitExceeded"}
# The key itself refused: no call of this run gets past it.
KEY_REFUSED = {
    "keyInvalid", "keyExpired", "API_KEY_INVALID", "accessNotConfigured", "SERVICE_DISABLED",
    "API_KEY_SERVICE_BLOCKED", "API_KEY_HTTP_REFERRER_BLOCKED", "API_KEY_IP_ADDRESS_BLOCKED", "ipRefererBlocked",
}  # fmt: skip
NOT_ENABLED = {"accessNotConfigured", "SERVICE_DISABLED"}
FORBIDDEN = "forbidden"  # the key refused, except for a video's comments: then only those are closed
COMMENTS_CLOSED = {"commentsDisabled", FORBIDDEN, "videoNotFound"}

KINDS = {
    "youtube#channelListResponse": "channels",
    "youtube#playlistItemListResponse": "playlistItems",
    "youtube#videoListResponse": "videos",
    "youtube#commentThreadListResponse": "commentThreads",
    "youtube#commentListResponse": "comments",
}
ITEM_KINDS = {
    "youtube#channel": "channels",
    "youtube#playlistItem": "playlistItems",
    "youtube#video": "videos",
    "youtube#commentThread": "commentThreads",
    "youtube#comment": "comments",
}


class QuotaReached(Exception):
    """No more calls this run: its quota budget is spent, or YouTube says the project's quota is used up."""


class YouTube:
    """The Data API over the run's client: the key in a header, each call's units counted against the budget."""

    def __init__(self, client: Client, key: str, budget: int) -> None:
        self.client = client
        self.budget = budget
        self.spent = 0  # units of the requests sent, retries included: what Google counts, at most
        self.stopped = ""  # why no more calls are made
        # Google's APIs take the key in this header as well as in ?key=: it stays out of URLs and their logs.
        self._headers = {"X-goog-api-key": key}

    def call(self, method: str, **params: Any) -> Any:
        """One method's answer; QuotaReached, RunFailed when the key is refused, else ApiError."""
        for pause in (*PAUSES, None):
            if not self.stopped and self.spent + COST[method] > self.budget:
                self.stopped = f"daily quota reached: the next call would pass the budget of {self.budget:,} units"
            if self.stopped:
                raise QuotaReached(self.stopped)
            sent = self.client.requests
            try:
                return self.client.call(method, params, headers=self._headers)
            except ApiError as exc:
                codes = set(exc.codes)
                if codes & TOO_FAST and pause is not None:
                    self.client.wait(pause)
                    continue
                if codes & QUOTA_USED_UP:
                    self.stopped = f"daily quota reached: YouTube says the project's quota is used up ({exc})"
                    raise QuotaReached(self.stopped) from None
                if codes & KEY_REFUSED or (FORBIDDEN in codes and method not in ("commentThreads", "comments")):
                    hint = "; enable the YouTube Data API v3 in its project" if codes & NOT_ENABLED else ""
                    raise RunFailed(f"YouTube refused {KEY.env}: {exc}{hint}") from None
                raise
            finally:
                self.spent += (self.client.requests - sent) * COST[method]
        raise AssertionError("unreachable")  # the last try either returns or raises


def budget(environ: Mapping[str, str] | None = None) -> int:
    """The run's quota budget in units: GOVPULSE_YOUTUBE_QUOTA, else the default daily quota."""
    text = (os.environ if environ is None else environ).get(QUOTA_ENV, "").strip().replace("_", "")
    if not text:
        return DAILY_QUOTA
    if not text.isdigit() or int(text) < 1:
        raise RunFailed(f"{QUOTA_ENV} must be a whole number of quota units, such as 10000")
    return int(text)


def collect(client: Client, creds: dict[str, str], pages: list[Page], window: Window, progress: Progress) -> Harvest:
    """Subscribers, uploads since `window.since` and the comments on them for every channel, within the quota."""
    api = YouTube(client, creds[KEY.env], budget())
    harvest = Harvest()
    valid = []
    for page in pages:
        if CHANNEL_ID.fullmatch(page.account_id):
            valid.append(page)
        else:
            harvest.skip(page, "account_id must be the channel id (UC and 22 more characters); the @handle is handle")
            progress(page)
    channels = fetch_channels(api, valid, harvest)
    for page in valid:
        if page.account_id not in harvest.skipped:
            try:
                harvest.take(collect_channel(api, page, channels[page.account_id], window))
            except QuotaReached as exc:
                harvest.skip(page, str(exc))
            except ApiError as exc:
                harvest.skip(page, str(exc))
            except (KeyError, TypeError, ValueError) as exc:  # one odd answer must not end a national run
                harvest.skip(page, f"unexpected answer from YouTube ({type(exc).__name__})")
        progress(page)
    harvest.notices.append(f"YouTube Data API: {api.spent:,} quota units spent of the run's {api.budget:,}")
    if api.stopped:
        unfinished = sum(reason == api.stopped for reason in harvest.skipped.values())
        harvest.notices.append(f"the run stopped early, {api.stopped}; {unfinished} pages skipped, to collect again")
    return harvest


def collect_channel(api: YouTube, page: Page, channel: dict[str, Any], window: Window) -> Harvest:
    """One channel's subscriber snapshot, its uploads in the window and the citizens' comments on them."""
    rows = Harvest()
    channel_rows(page, channel, window.day(page), rows)
    uploads = ((channel.get("contentDetails") or {}).get("relatedPlaylists") or {}).get("uploads")
    for video in fetch_videos(api, fetch_uploads(api, uploads, window.since) if uploads else []):
        if not is_post(video):
            continue
        post = post_row(page, video, window.now)
        rows.posts.append(post)
        if not post["comments"]:
            continue  # nothing to read: a unit saved
        try:
            threads = list(fetch_threads(api, post["post_id"]))
        except ApiError as exc:
            if exc.status not in (403, 404) or not set(exc.codes) & COMMENTS_CLOSED:
                raise
            rows.notices.append(f"{page.account_id} video {post['post_id']}: comments not readable ({exc})")
            continue
        rows.inquiries.extend(inquiry_rows(page, post["post_id"], threads))
    return rows


def fetch_channels(api: YouTube, pages: list[Page], harvest: Harvest) -> dict[str, dict[str, Any]]:
    """The channels by id, fifty a call; channels YouTube does not know, or the quota does not reach, are skipped."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(pages), IDS_PER_CALL):
        found |= fetch_channel_batch(api, pages[start : start + IDS_PER_CALL], harvest)
    return found


def fetch_channel_batch(api: YouTube, batch: list[Page], harvest: Harvest) -> dict[str, dict[str, Any]]:
    """One channels.list call for these pages; a batch refused as not found is asked again channel by channel."""
    try:
        answer = api.call("channels", part=CHANNEL_PARTS, id=",".join(page.account_id for page in batch))
    except QuotaReached as exc:
        for page in batch:
            harvest.skip(page, str(exc))
        return {}
    except ApiError as exc:
        if exc.status == 404 and len(batch) > 1:
            found: dict[str, dict[str, Any]] = {}
            for page in batch:
                found |= fetch_channel_batch(api, [page], harvest)
            return found
        for page in batch:
            harvest.skip(page, f"channel not found ({exc})" if exc.status == 404 else str(exc))
        return {}
    listed = {str(item.get("id")): item for item in answer.get("items") or [] if isinstance(item, dict)}
    for page in batch:
        if page.account_id not in listed:
            harvest.skip(page, "not found on YouTube (channels.list returned no such channel)")
    return {page.account_id: listed[page.account_id] for page in batch if page.account_id in listed}


def fetch_uploads(api: YouTube, playlist: str, since: dt.datetime) -> list[str]:
    """The ids of the uploads published from `since` on: the uploads playlist, newest first, paged back to `since`."""
    ids: list[str] = []
    token = ""
    while True:
        try:
            answer = api.call(
                "playlistItems", part="contentDetails", playlistId=playlist, maxResults=PAGE_SIZE,
                **({"pageToken": token} if token else {}),
            )  # fmt: skip
        except ApiError as exc:
            if exc.status == 404 and "playlistNotFound" in exc.codes:
                return ids  # a channel without public uploads has no uploads playlist to read
            raise
        items = answer.get("items") or []
        older = False
        for item in items:
            details = item.get("contentDetails") or {}
            if not details.get("videoPublishedAt"):
                continue  # a private or deleted upload shows no publication time
            if _time(details["videoPublishedAt"]) >= since:
                ids.append(str(details["videoId"]))
            else:
                older = True
        following = answer.get("nextPageToken") or ""
        if older or not items or not following or following == token:
            return ids
        token = following


def fetch_videos(api: YouTube, ids: list[str]) -> list[dict[str, Any]]:
    """The videos' statistics, snippet and details, fifty a call, in the order asked; vanished videos left out."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), IDS_PER_CALL):
        answer = api.call("videos", part=VIDEO_PARTS, id=",".join(ids[start : start + IDS_PER_CALL]))
        found |= {str(v.get("id")): v for v in answer.get("items") or [] if isinstance(v, dict)}
    return [found[i] for i in ids if i in found]


def fetch_threads(api: YouTube, video: str) -> Iterator[dict[str, Any]]:
    """A video's comment threads, newest first, each with all its replies (a thread shows at most five)."""
    threads = _paged(api, "commentThreads", part="snippet,replies", videoId=video, maxResults=COMMENTS_PER_CALL,
                     order="time", fields=THREAD_FIELDS)  # fmt: skip
    for thread in threads:
        shown = _replies(thread)
        if int((thread.get("snippet") or {}).get("totalReplyCount") or 0) > len(shown):
            parent = thread["snippet"]["topLevelComment"]["id"]
            try:
                shown = list(_paged(api, "comments", part="snippet", parentId=parent,
                                    maxResults=COMMENTS_PER_CALL, fields=REPLY_FIELDS))  # fmt: skip
            except ApiError as exc:
                if exc.status != 404:
                    raise  # a thread deleted meanwhile keeps the replies it showed
        yield {**thread, "replies": {"comments": shown}}


def _paged(api: YouTube, method: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every item of a list method, one call a page, following nextPageToken."""
    token = ""
    while True:
        answer = api.call(method, **params, **({"pageToken": token} if token else {}))
        yield from (item for item in answer.get("items") or [] if isinstance(item, dict))
        following = answer.get("nextPageToken") or ""
        if not following or following == token:
            return
        token = following


def channel_rows(page: Page, channel: dict[str, Any], day: dt.date, rows: Harvest) -> None:
    """The channel's follower snapshot of `day`, with a notice where YouTube rounds or hides the count."""
    stats = channel.get("statistics") or {}
    if stats.get("hiddenSubscriberCount") or stats.get("subscriberCount") is None:
        rows.notices.append(f"{page.account_id}: YouTube hides the channel's subscriber count; no follower figure")
        return
    row = follower_row(page, channel, day)
    if row["followers"] >= ROUNDED_FROM:
        rows.notices.append(
            f"{page.account_id}: {row['followers']:,} subscribers is YouTube's rounded estimate (three significant "
            "figures), stored as given"
        )
    rows.followers.append(row)


def follower_row(page: Page, channel: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """The channel's subscribers, public videos and @handle as YouTube gives them."""
    stats, snippet = channel.get("statistics") or {}, channel.get("snippet") or {}
    videos = stats.get("videoCount")
    return {
        "date": day.isoformat(),
        "platform": PLATFORM.name,
        "account_id": page.account_id,
        "followers": int(stats["subscriberCount"]),
        "posts_total": int(videos) if videos is not None else "",
        "handle": str(snippet.get("customUrl") or ""),
    }


def is_post(video: dict[str, Any]) -> bool:
    """A video the public can watch: a scheduled stream or premiere is not a post until it starts."""
    return (video.get("snippet") or {}).get("liveBroadcastContent") != "upcoming"


def post_type(video: dict[str, Any]) -> str:
    """live for a broadcast (running or recorded), else video: the API does not tell a Short from a video."""
    live = video.get("liveStreamingDetails") or (video.get("snippet") or {}).get("liveBroadcastContent") == "live"
    return "live" if live else "video"


def post_row(page: Page, video: dict[str, Any], collected: dt.datetime) -> dict[str, Any]:
    """A video's metrics as collected: likes (0 where the channel hides them), comments, views; no shares in the API."""
    stats = video.get("statistics") or {}
    views = stats.get("viewCount")
    return {
        "collected_at": stamp(collected),
        "platform": PLATFORM.name,
        "account_id": page.account_id,
        "post_id": str(video["id"]),
        "published_at": stamp(_time(video["snippet"]["publishedAt"])),
        "post_type": post_type(video),
        "likes": int(stats.get("likeCount") or 0),
        "comments": int(stats.get("commentCount") or 0),
        "shares": 0,
        "views": int(views) if views is not None else "",
    }


def inquiry_rows(page: Page, video: str, threads: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each citizen's top-level comment, with the time of the channel's first reply in its thread."""
    rows = []
    for thread in threads:
        top = (thread.get("snippet") or {}).get("topLevelComment") or {}
        if _author(top) == page.account_id:
            continue  # the channel's own comment
        received = _time(top["snippet"]["publishedAt"])
        official = [_time(r["snippet"]["publishedAt"]) for r in _replies(thread) if _author(r) == page.account_id]
        first = min((when for when in official if when >= received), default=None)
        rows.append(
            {
                "platform": PLATFORM.name,
                "account_id": page.account_id,
                "inquiry_id": str(top.get("id") or thread["id"]),
                "channel": "comment",
                "post_id": video,
                "received_at": stamp(received),
                "first_reply_at": stamp(first) if first else "",
                "replied_by": "",  # a channel answers as itself: the head and the press service look alike
                "topic": "",
            }
        )
    return sorted(rows, key=lambda row: (row["received_at"], row["inquiry_id"]))


def read_saved(saved: Saved) -> Harvest:
    """The rows of saved list answers through the collector's row functions (playlistItems and errors give none)."""
    found: dict[str, dict[str, dict[str, Any]]] = {kind: {} for kind in (*KINDS.values(), "error", "empty")}
    for name, document in saved.documents:
        for answer in document if isinstance(document, list) else [document]:
            kind = kind_of(answer)
            if kind is None:
                raise ValueError(
                    f"{name}: not an answer of the YouTube Data API that govpulse reads; it reads the answers of "
                    f"{', '.join(f'{k}.list' for k in KINDS.values())} (and error answers)"
                )
            found[kind] |= {str(item.get("id")): item for item in answer.get("items") or [] if isinstance(item, dict)}
    pages = {page.account_id: page for page in saved.pages}
    harvest = Harvest()
    for channel_id, channel in found["channels"].items():
        if channel_id in pages:
            channel_rows(pages[channel_id], channel, saved.day, harvest)
    owners: dict[str, Page] = {}
    for video_id, video in found["videos"].items():
        page = pages.get(str((video.get("snippet") or {}).get("channelId")))
        if page is not None and is_post(video):
            harvest.posts.append(post_row(page, video, saved.saved_at))
            owners[video_id] = page
    replies: dict[str, list[dict[str, Any]]] = {}
    for reply in found["comments"].values():
        replies.setdefault(str((reply.get("snippet") or {}).get("parentId")), []).append(reply)
    by_video: dict[str, list[dict[str, Any]]] = {}
    for thread in found["commentThreads"].values():
        snippet = thread.get("snippet") or {}
        video_id = str(snippet.get("videoId"))
        page = owners.get(video_id) or pages.get(str(snippet.get("channelId")))
        if page is not None:
            owners[video_id] = page
            top = str((snippet.get("topLevelComment") or {}).get("id") or thread.get("id"))
            merged = {r.get("id"): r for r in [*_replies(thread), *replies.get(top, [])]}
            by_video.setdefault(video_id, []).append({**thread, "replies": {"comments": list(merged.values())}})
    for video_id, threads in by_video.items():
        harvest.inquiries.extend(inquiry_rows(owners[video_id], video_id, threads))
    return harvest


def kind_of(answer: Any) -> str | None:
    """Which list method a saved answer is of, by its kind or its items' shape; None when it is none of them."""
    if not isinstance(answer, dict):
        return None
    if isinstance(answer.get("error"), dict):
        return "error"
    if "kind" in answer:
        return KINDS.get(answer["kind"])
    items = answer.get("items")
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        return None
    if not items:
        return "empty"
    first = items[0]
    if first.get("kind") in ITEM_KINDS:
        return ITEM_KINDS[first["kind"]]
    snippet, details = first.get("snippet") or {}, first.get("contentDetails") or {}
    if "topLevelComment" in snippet:
        return "commentThreads"
    if "relatedPlaylists" in details or "subscriberCount" in (first.get("statistics") or {}):
        return "channels"
    if "videoId" in details:
        return "playlistItems"
    if "authorChannelId" in snippet or "parentId" in snippet:
        return "comments"
    return "videos" if "statistics" in first and "channelId" in snippet else None


def _replies(thread: dict[str, Any]) -> list[dict[str, Any]]:
    return [r for r in (thread.get("replies") or {}).get("comments") or [] if isinstance(r, dict)]


def _author(comment: dict[str, Any]) -> str:
    author = (comment.get("snippet") or {}).get("authorChannelId")
    return str(author.get("value") or "") if isinstance(author, dict) else str(author or "")


def _time(text: str) -> dt.datetime:
    """A time as YouTube writes it (2026-11-19T12:00:00Z, fractions allowed), in UTC."""
    when = dt.datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    return when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)


PLATFORM = Platform(
    name="youtube",
    api_base=API_BASE,
    credentials=(KEY,),
    per_second=10.0,
    collect=collect,
    read_saved=read_saved,
)
