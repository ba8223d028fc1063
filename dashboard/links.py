"""Addresses of pages and posts on their platforms, from the ids the collectors store (docs/metrics.md, "Links")."""

import re

# A link is only as good as the id it is built from: each platform's pattern is the form its collector writes.
_NUMBER = re.compile(r"-?\d{1,20}")
_DIGITS = re.compile(r"\d{1,20}")
_YOUTUBE_VIDEO = re.compile(r"[A-Za-z0-9_-]{11}")
_YOUTUBE_CHANNEL = re.compile(r"UC[A-Za-z0-9_-]{22}")
_TELEGRAM_CHAT = re.compile(r"-100\d{5,15}")
_TELEGRAM_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{3,31}")
_X_NAME = re.compile(r"[A-Za-z0-9_]{1,15}")
_INSTAGRAM_NAME = re.compile(r"[A-Za-z0-9._]{1,30}")
_MAX_NAME = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_WEB = re.compile(r"https?://[^\s/$.?#][^\s]*", re.IGNORECASE)


def _text(value: object) -> str:
    """A value of a text column as text; empty for a missing one (None, NaN)."""
    return value.strip() if isinstance(value, str) else ""


def page_url(url: str | None) -> str | None:
    """The registry's address of a page when it is a web address (http or https), else None."""
    text = _text(url)
    return text if _WEB.fullmatch(text) else None


def _own_number(post_id: str, account_id: str) -> str | None:
    """The message number of a post id written `{account_id}_{number}`, as the VK and Telegram collectors do."""
    head, _, number = post_id.rpartition("_")
    return number if head == account_id and _DIGITS.fullmatch(number) else None


def post_url(platform: str, account_id: str, handle: str, post_id: str, url: str | None = None) -> str | None:
    """The address of a post on its platform; the page's address where the post's cannot be built; None without
    either. Ids that name their own page (VK, Telegram) or have YouTube's own form are trusted alone; bare numbers
    and handles (OK, X, Instagram, MAX) only for a page whose registry row gives its address, since a synthetic or
    hand-made file holds numbers and names of the same form that lead to someone else's page."""
    page = page_url(url)
    handle, account_id, post_id = _text(handle).lstrip("@"), _text(account_id), _text(post_id)
    if platform == "vk" and _NUMBER.fullmatch(account_id) and _own_number(post_id, account_id):
        return f"https://vk.com/wall{post_id}"
    if platform == "telegram" and _TELEGRAM_CHAT.fullmatch(account_id) and _TELEGRAM_NAME.fullmatch(handle):
        number = _own_number(post_id, account_id)
        if number:
            return f"https://t.me/{handle}/{number}"
    if platform == "youtube" and _YOUTUBE_CHANNEL.fullmatch(account_id) and _YOUTUBE_VIDEO.fullmatch(post_id):
        return f"https://www.youtube.com/watch?v={post_id}"
    if page is None:
        return None
    if platform == "ok" and _DIGITS.fullmatch(account_id) and _DIGITS.fullmatch(post_id):
        return f"https://ok.ru/group/{account_id}/topic/{post_id}"
    if platform == "x" and _DIGITS.fullmatch(post_id):
        return f"https://x.com/{handle if _X_NAME.fullmatch(handle) else 'i/web'}/status/{post_id}"
    if platform == "instagram" and _INSTAGRAM_NAME.fullmatch(handle):
        # The Graph API's media id is not the permalink's shortcode: the profile is the nearest address known.
        return f"https://www.instagram.com/{handle}/"
    if platform == "max" and _MAX_NAME.fullmatch(handle):
        # A MAX post's public link uses a short code the Bot API's `mid` does not give: the channel it is in.
        return f"https://max.ru/{handle}"
    return page
