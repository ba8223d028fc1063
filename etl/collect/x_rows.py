"""X's answers as contract rows: a page's profile, its own posts, and citizens' posts to it with its first reply.

The collector and saved answers share these functions; saved v1.1 objects take the v2 shape first (x_saved)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from etl.collect.base import Harvest, Page, stamp

Tweet = dict[str, Any]
# X's ids are snowflakes: the milliseconds since this instant, shifted 22 bits to the left.
EPOCH = dt.datetime(2010, 11, 4, 1, 42, 54, 657000, tzinfo=dt.UTC)
VIDEO = {"video", "animated_gif"}


@dataclass
class Found:
    """The posts X's answers hold, by id (their own and the expanded ones), and the media types by key."""

    tweets: dict[str, Tweet] = field(default_factory=dict)
    media: dict[str, str] = field(default_factory=dict)

    def add(self, answer: dict[str, Any]) -> list[Tweet]:
        """Keep one v2 answer's posts and media; its own posts (`data`), in the answer's order."""
        includes = answer.get("includes") or {}
        for tweet in includes.get("tweets") or []:
            self.tweets.setdefault(str(tweet["id"]), tweet)
        for item in includes.get("media") or []:
            if item.get("media_key"):
                self.media[str(item["media_key"])] = str(item.get("type") or "")
        data = listed(answer.get("data"))
        for tweet in data:
            self.tweets[str(tweet["id"])] = tweet
        return data


def listed(data: Any) -> list[dict[str, Any]]:
    """The objects of an answer's `data`: a list, or the one object of a single lookup."""
    items = [data] if isinstance(data, dict) else data or []
    return [item for item in items if isinstance(item, dict)]


def refusals(answer: dict[str, Any]) -> dict[str, str]:
    """The users an answer could not give (suspended, unknown, not authorised) by id, with X's reason."""
    refused = {}
    for error in answer.get("errors") or []:
        if isinstance(error, dict) and error.get("resource_type") == "user":
            refused[str(error.get("resource_id") or error.get("value"))] = reason(error)
    return refused


def reason(error: dict[str, Any]) -> str:
    """X's own words for a refusal: its detail and title."""
    detail, title = error.get("detail") or "refused", error.get("title")
    return f"{detail} (X {title})" if title else f"{detail} (X)"


def posted(tweet_id: str) -> dt.datetime:
    """The time an X id was made, to the millisecond: the id's bits above the 22nd count from EPOCH."""
    return EPOCH + dt.timedelta(milliseconds=int(tweet_id) >> 22)


def created(tweet: Tweet) -> dt.datetime:
    """When a post was written: its created_at, else (a post X did not expand) the time in its id."""
    text = tweet.get("created_at")
    return dt.datetime.fromisoformat(str(text)).astimezone(dt.UTC) if text else posted(str(tweet["id"]))


def referenced(tweet: Tweet, kind: str) -> str | None:
    """The id of the post this one refers to as `kind` (replied_to, retweeted, quoted), if any."""
    refs = tweet.get("referenced_tweets") or []
    return next((str(r["id"]) for r in refs if isinstance(r, dict) and r.get("type") == kind), None)


def is_reply(tweet: Tweet) -> bool:
    """A reply, to anyone (the page itself included)."""
    return referenced(tweet, "replied_to") is not None or tweet.get("in_reply_to_user_id") is not None


def follower_row(page: Page, user: dict[str, Any], day: dt.date) -> dict[str, Any]:
    """The page's follower snapshot of the day: followers, posts (reposts and replies included), username."""
    metrics = user.get("public_metrics") or {}
    total = metrics.get("tweet_count")
    return {
        "date": day.isoformat(),
        "platform": "x",
        "account_id": page.account_id,
        "followers": int(metrics["followers_count"]),
        "posts_total": "" if total is None else int(total),
        "handle": str(user.get("username") or ""),
    }


def post_type(tweet: Tweet, media: dict[str, str]) -> str:
    """The contract's kind of a post: a repost or quote, else by its media, else a link, else text."""
    if referenced(tweet, "retweeted") or referenced(tweet, "quoted"):
        return "repost"
    kinds = [media.get(str(key), "") for key in (tweet.get("attachments") or {}).get("media_keys") or []]
    if VIDEO & set(kinds):
        return "video"
    if kinds.count("photo"):
        return "album" if kinds.count("photo") > 1 else "photo"
    # v2 lists attached media among the urls too, each with its media_key.
    urls = (tweet.get("entities") or {}).get("urls") or []
    return "link" if any(isinstance(u, dict) and not u.get("media_key") for u in urls) else "text"


def post_row(page: Page, tweet: Tweet, media: dict[str, str], collected_at: dt.datetime) -> dict[str, Any]:
    """A post's public metrics as collected: likes, replies, reposts and quotes, impressions where X gives them."""
    metrics = tweet.get("public_metrics") or {}
    views = metrics.get("impression_count")
    return {
        "collected_at": stamp(collected_at),
        "platform": "x",
        "account_id": page.account_id,
        "post_id": str(tweet["id"]),
        "published_at": stamp(created(tweet)),
        "post_type": post_type(tweet, media),
        "likes": _count(metrics, "like_count"),
        "comments": _count(metrics, "reply_count"),
        "shares": _count(metrics, "retweet_count") + _count(metrics, "quote_count"),
        "views": "" if views is None else int(views),
    }


def inquiry_rows(
    page: Page, own: list[Tweet], mentions: list[Tweet], found: Found, officials: set[str]
) -> list[dict[str, Any]]:
    """Citizens' posts to the page (mentions, replies, and posts the page answered), each with the page's first
    reply to it; the page's own posts, other official pages' and reposts are none."""
    me = page.account_id
    mine = {str(t["id"]) for t in own}
    answers: dict[str, list[dt.datetime]] = {}
    for tweet in own:
        to = referenced(tweet, "replied_to")
        # A reply to itself continues the page's thread: it answers no one.
        if to is not None and str(tweet.get("in_reply_to_user_id")) != me:
            answers.setdefault(to, []).append(created(tweet))

    def citizen(tweet: Tweet) -> bool:
        author = tweet.get("author_id")
        return str(tweet["id"]) not in mine and (author is None or str(author) not in officials | {me})

    asked = {str(t["id"]): t for t in mentions if citizen(t) and referenced(t, "retweeted") is None}
    for to in answers:
        tweet = found.tweets.get(to) or {"id": to}
        if to not in asked and citizen(tweet):
            asked[to] = tweet
    rows = []
    for inquiry, tweet in sorted(asked.items(), key=lambda item: (created(item[1]), int(item[0]))):
        received = created(tweet)
        first = min((when for when in answers.get(inquiry, []) if when >= received), default=None)
        to_page = str(tweet.get("in_reply_to_user_id")) == me
        commented = tweet.get("conversation_id") or referenced(tweet, "replied_to") if to_page else None
        rows.append(
            {
                "platform": "x",
                "account_id": me,
                "inquiry_id": inquiry,
                "channel": "comment" if to_page else "mention",
                "post_id": str(commented or ""),
                "received_at": stamp(received),
                "first_reply_at": "" if first is None else stamp(first),
                "replied_by": "",  # a page answers as itself: the head and the press service look alike
                "topic": "",
            }
        )
    return rows


def page_rows(
    page: Page,
    user: dict[str, Any] | None,
    own: list[Tweet],
    mentions: list[Tweet],
    found: Found,
    officials: set[str],
    day: dt.date,
    collected_at: dt.datetime,
) -> Harvest:
    """One page's rows: its snapshot (where its profile was read), its posts and reposts (its replies are answers,
    not posts), and the inquiries it received."""
    unique = list({str(t["id"]): t for t in own}.values())
    return Harvest(
        followers=[follower_row(page, user, day)] if user is not None else [],
        posts=[post_row(page, t, found.media, collected_at) for t in unique if not is_reply(t)],
        inquiries=inquiry_rows(page, unique, mentions, found, officials),
    )


def _count(metrics: dict[str, Any], key: str) -> int:
    value = metrics.get(key)
    return max(int(value), 0) if value is not None else 0
