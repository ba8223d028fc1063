"""X API answers saved as JSON files, read into the rows a run would give: v2 answers as X returns them, v1.1 user
and tweet objects put into v2's shape first (keyed on id_str: the numeric id may have lost its last digits)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from etl.collect.base import Harvest, Saved
from etl.collect.x_rows import Found, Tweet, listed, page_rows, refusals

V2_KEYS = {"data", "includes", "meta", "errors"}
V1_TIME = "%a %b %d %H:%M:%S %z %Y"  # Wed Oct 10 20:19:24 +0000 2018
# v2's public_metrics from v1.1's counts (standard v1.1 has no reply or quote counts: they read as 0).
V1_COUNTS = {"like_count": "favorite_count", "reply_count": "reply_count", "retweet_count": "retweet_count",
             "quote_count": "quote_count"}  # fmt: skip
UNDERSTOOD = (
    "X API v2 users lookups and user posts or mentions timelines (data, includes, meta, errors), and X API v1.1 "
    "user objects, tweets, search answers (statuses) and timelines (lists of tweets)"
)


def read_saved(saved: Saved) -> Harvest:
    """The registry pages' rows from saved X answers, through the collector's row functions: followers on the day
    the answers were saved, posts as of then, and the citizens' posts to the pages with their first replies."""
    pool = Pool()
    for name, document in saved.documents:
        pool.read(name, document)
    officials = {page.account_id for page in saved.pages}
    harvest = Harvest()
    for page in saved.pages:
        me = page.account_id
        user = pool.users.get(me) or pool.authors.get(me)
        handle = str((user or {}).get("username") or page.handle).lower()
        own = [t for t in pool.posts.values() if str(t.get("author_id")) == me]
        asked = [t for t in pool.posts.values() if str(t.get("author_id")) != me and addressed(t, me, handle)]
        if user is None and me in pool.refused:
            harvest.skip(page, pool.refused[me])
        elif user is not None or own or asked:
            harvest.take(page_rows(page, user, own, asked, pool.found, officials, saved.day, saved.saved_at))
    return harvest


@dataclass
class Pool:
    """What all the saved answers say together: profiles, refused users, the posts asked for, every post seen."""

    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    authors: dict[str, dict[str, Any]] = field(default_factory=dict)  # v1.1 profiles inside the tweets
    refused: dict[str, str] = field(default_factory=dict)
    posts: dict[str, Tweet] = field(default_factory=dict)
    found: Found = field(default_factory=Found)

    def read(self, name: str, document: Any) -> None:
        """Take in one saved document, recognised by its shape: an answer, or a list of them (or of v1.1 tweets)."""
        if isinstance(document, list):
            for item in document:
                self.read(name, item)
        elif isinstance(document, dict) and isinstance(document.get("statuses"), list):
            for item in document["statuses"]:
                self.tweet(name, item)
        elif isinstance(document, dict) and "id_str" in document and "followers_count" in document:
            self.users[str(document["id_str"])] = user_v1(document)
        elif isinstance(document, dict) and "id_str" in document and "user" in document:
            self.tweet(name, document)
        elif isinstance(document, dict) and document and set(document) <= V2_KEYS:
            self.answer(name, document)
        else:
            raise ValueError(f"{name}: not an X API answer; understood are {UNDERSTOOD}")

    def answer(self, name: str, answer: dict[str, Any]) -> None:
        """A v2 answer: users (a lookup) or posts (a timeline), and the users it could not give."""
        items = listed(answer.get("data"))
        users = [item for item in items if "username" in item and "text" not in item]
        tweets = [item for item in items if "text" in item]
        if len(users) + len(tweets) < len(items):
            raise ValueError(f"{name}: X API v2 data that are neither users nor posts; understood are {UNDERSTOOD}")
        if any(tweet.get("author_id") is None for tweet in tweets):
            raise ValueError(f"{name}: X posts without author_id cannot be told apart by page (tweet.fields=author_id)")
        self.users |= {str(user["id"]): user for user in users}
        self.refused |= refusals(answer)
        for tweet in self.found.add({**answer, "data": tweets}):
            self.posts[str(tweet["id"])] = tweet

    def tweet(self, name: str, tweet: Any) -> None:
        """A v1.1 tweet, and the posts it carries (the one it reposts or quotes)."""
        if not _is_v1_tweet(tweet):
            raise ValueError(f"{name}: not an X API v1.1 tweet; understood are {UNDERSTOOD}")
        shaped = self.keep(tweet)
        self.posts[shaped["id"]] = shaped
        if "followers_count" in tweet["user"]:
            self.authors.setdefault(shaped["author_id"], user_v1(tweet["user"]))
        for inner in (tweet.get("retweeted_status"), tweet.get("quoted_status")):
            if _is_v1_tweet(inner):
                self.keep(inner)

    def keep(self, tweet: dict[str, Any]) -> Tweet:
        """A v1.1 tweet in v2's shape, kept among the posts seen with its media types."""
        shaped, media = tweet_v1(tweet)
        self.found.tweets.setdefault(shaped["id"], shaped)
        self.found.media |= media
        return shaped


def tweet_v1(tweet: dict[str, Any]) -> tuple[Tweet, dict[str, str]]:
    """A v1.1 tweet in v2's shape, and the types of its media by key."""
    tid = str(tweet["id_str"])
    refs = (
        ("retweeted", (tweet.get("retweeted_status") or {}).get("id_str")),
        ("quoted", tweet.get("quoted_status_id_str")),
        ("replied_to", tweet.get("in_reply_to_status_id_str")),
    )
    entities = tweet.get("entities") or {}
    items = (tweet.get("extended_entities") or {}).get("media") or entities.get("media") or []
    media = {str(m.get("id_str") or f"{tid}/{n}"): str(m.get("type") or "") for n, m in enumerate(items)}
    shaped: Tweet = {
        "id": tid,
        "author_id": str(tweet["user"]["id_str"]),
        "created_at": dt.datetime.strptime(str(tweet["created_at"]), V1_TIME).isoformat(),
        "public_metrics": {v2: tweet[v1] for v2, v1 in V1_COUNTS.items() if tweet.get(v1) is not None},
        "entities": {
            "urls": entities.get("urls") or [],  # v1.1 keeps media out of the urls
            "mentions": [
                {"id": str(m.get("id_str")), "username": str(m.get("screen_name") or "")}
                for m in entities.get("user_mentions") or []
                if isinstance(m, dict)
            ],
        },
    }
    if any(ref for _, ref in refs):
        shaped["referenced_tweets"] = [{"type": kind, "id": str(ref)} for kind, ref in refs if ref]
    if tweet.get("in_reply_to_user_id_str"):
        shaped["in_reply_to_user_id"] = str(tweet["in_reply_to_user_id_str"])
    if media:
        shaped["attachments"] = {"media_keys": list(media)}
    return shaped, media


def user_v1(user: dict[str, Any]) -> dict[str, Any]:
    """A v1.1 user object in v2's shape: followers, posts (statuses_count) and username."""
    return {
        "id": str(user["id_str"]),
        "username": str(user.get("screen_name") or ""),
        "protected": bool(user.get("protected")),
        "public_metrics": {"followers_count": user["followers_count"], "tweet_count": user.get("statuses_count")},
    }


def addressed(tweet: Tweet, me: str, handle: str) -> bool:
    """A post to the page: a reply to it, or one naming it (by id, or by its username)."""
    if str(tweet.get("in_reply_to_user_id")) == me:
        return True
    named = (tweet.get("entities") or {}).get("mentions") or []
    return any(
        isinstance(m, dict) and (str(m.get("id")) == me or (bool(handle) and str(m.get("username")).lower() == handle))
        for m in named
    )


def _is_v1_tweet(tweet: Any) -> bool:
    user = tweet.get("user") if isinstance(tweet, dict) else None
    return isinstance(user, dict) and "id_str" in user and "id_str" in tweet and "created_at" in tweet
