"""Telegram's public web preview of a channel (t.me/s/NAME): its posts' ids, times, kinds, views and comment counts."""

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser

SCALE = {"": 1, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}
COUNT = re.compile(r"(\d+)(?:[.,](\d+))?([KMB]?)\b")
# A post's kind from the classes of its parts, the first found wins: a forward is a repost whatever it carries.
KINDS = (
    ("tgme_widget_message_forwarded_from", "repost"),
    ("tgme_widget_message_grouped_wrap", "album"),
    ("tgme_widget_message_video_player", "video"),
    ("tgme_widget_message_roundvideo_player", "video"),
    ("tgme_widget_message_photo_wrap", "photo"),
    ("tgme_widget_message_link_preview", "link"),
)


@dataclass(frozen=True)
class PreviewPost:
    """A channel post as the preview shows it; views and comments None where it shows none."""

    message_id: int
    published: dt.datetime
    post_type: str
    views: int | None
    comments: int | None


@dataclass(frozen=True)
class Preview:
    """One preview page: whether it is a channel's history, its posts, its smallest message id (services too)."""

    is_history: bool
    posts: list[PreviewPost]
    oldest_id: int | None


def count(text: str) -> int | None:
    """A counter as the preview writes it ("987", "1.2K", "15,3K", "3M") as a whole number; None if there is none."""
    found = COUNT.search(text)
    if found is None:
        return None
    whole, part, scale = found.groups()
    if part is None:
        return int(whole) * SCALE[scale]
    if not scale and len(part) == 3:  # "1,234": a thousands separator, not a fraction
        return int(whole + part)
    return int(Decimal(f"{whole}.{part}") * SCALE[scale])


def parse_preview(html: str) -> Preview:
    """The posts of one preview page (service messages left out), oldest first as the page lists them."""
    reader = _Reader()
    reader.feed(html)
    reader.close()
    posts = [p for m in reader.messages if (p := m.post()) is not None]
    ids = [m.message_id for m in reader.messages if m.message_id is not None]
    return Preview(reader.is_history, posts, min(ids) if ids else None)


@dataclass
class _Message:
    """What the reader has gathered of one message block."""

    message_id: int | None
    service: bool
    classes: set[str] = field(default_factory=set)
    time: str | None = None  # the datetime of the message's own date link
    any_time: str | None = None  # the first datetime met, if the date link has none
    views: str | None = None
    replies: str | None = None

    def post(self) -> PreviewPost | None:
        """The post it shows; None for a service message or a block without id or time."""
        when = self.time or self.any_time
        if self.service or self.message_id is None or when is None:
            return None
        kind = next((k for cls, k in KINDS if cls in self.classes), "text")
        published = dt.datetime.fromisoformat(when)
        if published.tzinfo is None:
            published = published.replace(tzinfo=dt.UTC)
        views = count(self.views) if self.views is not None else None
        comments = count(self.replies) if self.replies is not None else None
        return PreviewPost(self.message_id, published.astimezone(dt.UTC), kind, views, comments)


class _Reader(HTMLParser):
    """Walks the page once: a message is the `tgme_widget_message` div with `data-post`, up to its closing div."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.is_history = False
        self.messages: list[_Message] = []
        self._current: _Message | None = None
        self._divs = 0  # open divs, the message's own included
        self._in_date = False
        self._capture: tuple[str, str, int] | None = None  # (field, tag, depth of that tag) whose text is read
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        classes = set(values.get("class", "").split())
        if "tgme_channel_history" in classes:
            self.is_history = True
        if self._current is None:
            if tag == "div" and "tgme_widget_message" in classes and "data-post" in values:
                number = values["data-post"].rsplit("/", 1)[-1]
                self._current = _Message(int(number) if number.isdigit() else None, "service_message" in classes)
                self._divs = 1
            return
        message = self._current
        if tag == "div":
            self._divs += 1
        message.classes |= classes
        if self._capture is not None and tag == self._capture[1]:
            self._capture = (self._capture[0], tag, self._capture[2] + 1)
        elif self._capture is None and classes & {"tgme_widget_message_views", "tgme_widget_message_replies"}:
            name = "views" if "tgme_widget_message_views" in classes else "replies"
            self._capture, self._text = (name, tag, 1), []
        if tag == "a" and "tgme_widget_message_date" in classes:
            self._in_date = True
        if tag == "time" and values.get("datetime"):
            if self._in_date:
                message.time = values["datetime"]
            message.any_time = message.any_time or values["datetime"]

    def handle_endtag(self, tag: str) -> None:
        if self._current is None:
            return
        if self._capture is not None and tag == self._capture[1]:
            name, _, depth = self._capture
            if depth > 1:
                self._capture = (name, tag, depth - 1)
            else:
                setattr(self._current, name, " ".join("".join(self._text).split()))
                self._capture = None
        if tag == "a":
            self._in_date = False
        if tag == "div":
            self._divs -= 1
            if self._divs == 0:
                self.messages.append(self._current)
                self._current, self._capture, self._in_date = None, None, False

    def handle_data(self, data: str) -> None:
        if self._capture is not None:
            self._text.append(data)
