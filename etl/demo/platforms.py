"""How each platform looks and behaves: its ids, post types, likes, comments and views."""

from __future__ import annotations

import datetime as dt
import hashlib

_ID_RANGES = {
    "instagram": ("", 1_000_000_000, 60_000_000_000),
    "facebook": ("", 100_064_000_000_000, 1_000_000_000_000),
    "telegram": ("-100", 1_000_000_000, 9_000_000_000),
    "vk": ("", 10_000_000, 220_000_000),
    "ok": ("", 70_000_000_000_000, 1_000_000_000_000),
    "max": ("-", 60_000_000_000_000, 10_000_000_000_000),
}
# Platforms that opened to official channels lately, and since when: their pages never predate it.
OPENED_ON = {"max": dt.date(2025, 8, 1)}


def page_id(platform: str, key: str) -> str:
    """A platform-looking numeric id derived from a stable key."""
    prefix, base, span = _ID_RANGES[platform]
    h = int.from_bytes(hashlib.blake2b(f"{platform}:{key}".encode(), digest_size=8).digest(), "big")
    return f"{prefix}{base + h % span}"


POST_TYPES = {
    "instagram": (("photo", "album", "reel", "video", "story", "live"), (0.34, 0.2, 0.2, 0.1, 0.13, 0.03)),
    "facebook": (("photo", "video", "link", "live", "text"), (0.5, 0.15, 0.15, 0.05, 0.15)),
    "telegram": (("text", "photo", "video", "link"), (0.35, 0.4, 0.15, 0.1)),
    "vk": (("photo", "text", "video", "repost", "link"), (0.5, 0.15, 0.12, 0.15, 0.08)),
    "ok": (("photo", "text", "video", "repost", "link"), (0.55, 0.2, 0.13, 0.05, 0.07)),
    "max": (("text", "photo", "video"), (0.3, 0.5, 0.2)),
}
TYPE_LIKES = {
    "photo": 1.0,
    "album": 1.1,
    "reel": 1.6,
    "video": 1.2,
    "story": 0.3,
    "live": 0.8,
    "text": 0.6,
    "link": 0.4,
    "repost": 0.5,
}
LIKE_RATE = {"instagram": 0.02, "facebook": 0.006, "telegram": 0.006, "vk": 0.012, "ok": 0.01, "max": 0.003}
COMMENT_FACTOR = {"instagram": 1.0, "facebook": 0.8, "telegram": 0.25, "vk": 0.8, "ok": 0.6, "max": 0.2}
# Views shown by the platform: None = every post, else only for these post types.
VIEWS: dict[str, tuple[float, frozenset[str] | None]] = {
    "instagram": (0.6, frozenset({"reel", "video", "story", "live"})),
    "facebook": (0.2, frozenset({"video", "live"})),
    "telegram": (0.4, None),
    "vk": (0.8, None),
    "ok": (0.4, None),
    "max": (0.45, None),
}
# Channels take no direct messages: their inquiries are comments and mentions.
NO_DIRECT_MESSAGES = frozenset({"telegram", "max"})
# Yearly follower growth a platform adds to its pages' own: MAX channels fill as the messenger spreads.
GROWTH = {"max": 0.8}
