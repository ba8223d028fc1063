"""Telegram: channels' subscribers, their posts with views from the web preview, and comments with the first reply."""

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from etl.collect.base import Credential, Harvest, Page, Platform, Progress, RunFailed, Saved, Window, stamp
from etl.collect.http import ApiError, Client
from etl.collect.tme import PreviewPost, parse_preview

API = "https://api.telegram.org"
PREVIEW = "https://t.me"
CHAT_ID = re.compile(r"-100[1-9]\d{0,15}")
UPDATES_PER_CALL = 100  # getUpdates' largest `limit`
ALLOWED_UPDATES = '["message","edited_message","channel_post"]'
UPDATE_PAGES = 1000  # a guard: a queue of 100,000 updates is read in one run
PREVIEW_PAGES = 500  # a guard: about 20 posts a page
PREVIEW_PAUSE = 1.0  # seconds before each preview page: t.me is a web page, not an API with a published rate
FLOOD_WAITS = 3
LONGEST_WAIT = 60  # seconds: a longer retry_after fails the call rather than stalling the run
TOKEN = Credential(
    "GOVPULSE_TELEGRAM_TOKEN",
    "the token of your administration's bot from @BotFather (/newbot), the bot added to each channel's discussion "
    "group as an administrator or with privacy mode off; see docs/collect/telegram.md",
)
# A channel the run cannot read: skipped by name, the run goes on.
CLOSED = {400: "channel not found", 403: "the bot has no access to the channel"}
SERVICE = {"new_chat_members", "left_chat_member", "pinned_message", "new_chat_title", "new_chat_photo"}
OFFICIAL, CITIZEN = "official", "citizen"


class TelegramError(Exception):
    """An error answer of the Bot API: {"ok": false, "error_code": …, "description": …}."""

    def __init__(self, method: str, code: int, description: str) -> None:
        super().__init__(f"{method}: {description} (Telegram error {code})")
        self.method, self.code, self.description = method, code, description


class PageClosed(Exception):
    """A channel the run cannot read; the message is the reason it is skipped."""


@dataclass
class Bot:
    """The Bot API over the run's client: the token in the path, `retry_after` waited out, a refused token fatal."""

    client: Client
    token: str

    def call(self, method: str, **params: Any) -> Any:
        """The `result` of one method; TelegramError for its error answers, RunFailed when the token is refused."""
        for attempt in range(FLOOD_WAITS + 1):
            try:
                answer = self.client.call(f"bot{self.token}/{method}", params or None)
            except ApiError as exc:
                error = exc.body if isinstance(exc.body, dict) and "error_code" in exc.body else None
                if error is None:  # a timeout, a broken connection, a proxy's page: the client's own words
                    raise ApiError(f"{method}: {str(exc).split(': ', 1)[-1]}", exc.status) from None
                code, text = int(error["error_code"]), str(error.get("description", ""))
                wait = (error.get("parameters") or {}).get("retry_after")
                if code == 429 and isinstance(wait, int) and wait <= LONGEST_WAIT and attempt < FLOOD_WAITS:
                    self.client.wait(wait)
                    continue
                if code in (401, 404):  # 404: the Bot API knows no bot with that token
                    raise RunFailed(f"Telegram refused {TOKEN.env}: {text} (Telegram error {code})") from None
                raise TelegramError(method, code, text) from None
            if not isinstance(answer, dict) or "result" not in answer:
                raise ApiError(f"{method}: an answer without result")
            return answer["result"]
        raise AssertionError("unreachable")  # pragma: no cover


@dataclass
class Channel:
    """What the run read of one channel before the updates: its chat, subscribers and the preview's posts."""

    page: Page
    chat: dict[str, Any]
    members: int
    posts: list[PreviewPost]

    @property
    def group(self) -> int | None:
        """The linked discussion group's chat id, if the channel has one."""
        linked = self.chat.get("linked_chat_id")
        return None if linked is None else int(linked)

    @property
    def label(self) -> str:
        """The channel as notices name it."""
        return f"{self.page.account_id} (@{self.chat.get('username') or self.page.handle})"


def collect(client: Client, creds: dict[str, str], pages: list[Page], window: Window, progress: Progress) -> Harvest:
    """Subscribers, posts since `window.since` and their groups' comments for every channel; closed ones skipped."""
    bot = Bot(client, creds[TOKEN.env])
    harvest = Harvest()
    try:
        me = bot.call("getMe")
    except (TelegramError, ApiError) as exc:
        for page in pages:
            harvest.skip(page, str(exc))
            progress(page)
        return harvest
    channels = []
    for page in pages:
        if not CHAT_ID.fullmatch(page.account_id):
            harvest.skip(page, "account_id must be the channel's id as the Bot API writes it, e.g. -1001234567890")
        else:
            try:
                channels.append(read_channel(bot, page, window))
            except PageClosed as exc:
                harvest.skip(page, str(exc))
            except TelegramError as exc:
                reason = CLOSED.get(exc.code)
                harvest.skip(page, f"{reason} ({exc})" if reason else str(exc))
            except ApiError as exc:
                harvest.skip(page, str(exc))
        progress(page)
    # Last, once for every group: reading the updates confirms them, and Telegram then forgets them.
    updates = fetch_updates(bot, harvest) if any(c.group is not None for c in channels) else None
    for channel in channels:
        harvest.take(channel_rows(bot, channel, me, updates, window))
    return harvest


def read_channel(bot: Bot, page: Page, window: Window) -> Channel:
    """One channel's chat, subscriber count and the posts of its public preview in the window."""
    chat = fetch_chat(bot, page)
    members = int(bot.call("getChatMemberCount", chat_id=chat["id"]))
    username = chat.get("username")
    if not username:
        raise PageClosed("the channel has no public username, so no public preview of its posts")
    return Channel(page, chat, members, list(fetch_posts(bot.client, str(username), window)))


def fetch_chat(bot: Bot, page: Page) -> dict[str, Any]:
    """The channel's ChatFullInfo, asked by its @username (a bot sees public channels it is not in), else by id."""
    handle = page.handle.lstrip("@")
    chat = None
    if handle:
        try:
            chat = bot.call("getChat", chat_id=f"@{handle}")
        except TelegramError as exc:
            if exc.code != 400:
                raise
            # The username was given up or changed: the id still finds a channel the bot belongs to.
    if chat is None:
        chat = bot.call("getChat", chat_id=page.account_id)
    if str(chat.get("id")) != page.account_id:
        raise PageClosed(f"the username @{handle} now belongs to another chat ({chat.get('id')})")
    return dict(chat)


def fetch_posts(client: Client, username: str, window: Window) -> Iterator[PreviewPost]:
    """The channel's posts published since the window's start, from its public preview, paged back with `before`."""
    base = PREVIEW if client.base_url == API else client.base_url  # --api-base serves the preview too
    before: int | None = None
    for _ in range(PREVIEW_PAGES):
        client.wait(PREVIEW_PAUSE)
        response = client.fetch(f"{base}/s/{username}", {"before": before} if before else None)
        preview = parse_preview(response.text)
        if not preview.is_history:  # a redirect to the channel's contact page, not one to its canonical name
            raise PageClosed(
                f"the channel has no public preview: t.me/s/{username} leads to its contact page (a private "
                "channel, or one that hides its posts from the web)"
            )
        yield from (p for p in preview.posts if p.published >= window.since)
        oldest = preview.oldest_id
        if oldest is None or oldest <= 1 or (before is not None and oldest >= before):
            return
        if any(p.published < window.since for p in preview.posts):
            return
        before = oldest


def fetch_updates(bot: Bot, harvest: Harvest) -> list[dict[str, Any]] | None:
    """Every update Telegram holds for the bot, oldest first; None if none could be read."""
    # Asking for a page confirms the pages before it: the last page stays unconfirmed, and the next run reads it
    # again (giving the same rows) once this run's files are written.
    updates: list[dict[str, Any]] = []
    params: dict[str, Any] = {"limit": UPDATES_PER_CALL, "timeout": 0, "allowed_updates": ALLOWED_UPDATES}
    for _ in range(UPDATE_PAGES):
        try:
            page = bot.call("getUpdates", **params)
        except (TelegramError, ApiError) as exc:
            if updates:
                harvest.notices.append(f"Telegram stopped giving updates ({exc}); comments of the {len(updates)} read")
                return updates
            harvest.notices.append(f"Telegram gave no updates ({exc}); comments not collected")
            return None
        updates += page
        if len(page) < UPDATES_PER_CALL:
            break
        params["offset"] = max(int(u["update_id"]) for u in page) + 1
    return updates


def channel_rows(
    bot: Bot, channel: Channel, me: dict[str, Any], updates: list[dict[str, Any]] | None, window: Window
) -> Harvest:
    """One channel's subscriber snapshot, its posts, and the citizens' comments its discussion group received."""
    page = channel.page
    rows = Harvest(followers=[follower_row(page, channel.chat, channel.members, window.day(page).isoformat())])
    counts: Counter[int] = Counter()
    group = channel.group
    if group is not None and updates is not None:
        readable, notice = membership(bot, group, me)
        if notice:
            rows.notices.append(f"{channel.label}: {notice}")
        if readable:
            messages = group_messages(updates, group)
            admins = fetch_admins(bot, group) if messages else set()
            inquiries, counts = discussion_rows(page, group, messages, admins)
            rows.inquiries.extend(inquiries)
    rows.posts = [
        post_row(page, p, counts.get(p.message_id, 0) if p.comments is None else p.comments, window)
        for p in channel.posts
    ]
    return rows


def membership(bot: Bot, group: int, me: dict[str, Any]) -> tuple[bool, str]:
    """Whether the bot's updates hold the discussion group's messages, and a notice if it sees them not or in part."""
    try:
        member = bot.call("getChatMember", chat_id=group, user_id=me.get("id"))
    except (TelegramError, ApiError) as exc:
        return False, f"comments not collected: the bot cannot reach the discussion group {group} ({exc})"
    status = member.get("status")
    if status in ("left", "kicked"):
        return False, f"comments not collected: the bot is not a member of the discussion group {group} ({status})"
    if status not in ("creator", "administrator") and not me.get("can_read_all_group_messages"):
        return True, (
            f"the bot's privacy mode is on and it is not an administrator of the discussion group {group}: it does "
            "not see citizens' comments (@BotFather → /setprivacy → Disable, or make it an administrator)"
        )
    return True, ""


def fetch_admins(bot: Bot, group: int) -> set[int]:
    """The group's administrators (a press secretary answering under their own name answers for the channel)."""
    try:
        members = bot.call("getChatAdministrators", chat_id=group)
    except (TelegramError, ApiError):
        return set()  # then only answers on behalf of the channel or the group count
    return admin_ids(members)


def admin_ids(members: list[dict[str, Any]]) -> set[int]:
    """The user ids of a getChatAdministrators result."""
    return {int(m["user"]["id"]) for m in members if isinstance(m.get("user"), dict) and "id" in m["user"]}


def group_messages(updates: list[dict[str, Any]], group: int) -> list[dict[str, Any]]:
    """The messages, new or edited, that the updates hold of one group, in the updates' order."""
    found = []
    for update in updates:
        message = update.get("message") or update.get("edited_message")
        if isinstance(message, dict) and (message.get("chat") or {}).get("id") == group:
            found.append(message)
    return found


def threads(channel: int, messages: list[dict[str, Any]]) -> dict[int, int]:
    """The group's message ids of the channel's posts forwarded into it, each the start of a post's comments → post."""
    # A forward is also seen as the message a comment replies to, when the forward itself came on an earlier day.
    roots = {}
    for message in messages:
        for seen in (message, message.get("reply_to_message") or {}):
            if not seen.get("is_automatic_forward"):
                continue
            origin = seen.get("forward_origin") or {}
            chat = (origin.get("chat") or seen.get("forward_from_chat") or {}).get("id")
            post = origin.get("message_id", seen.get("forward_from_message_id"))
            if chat == channel and post is not None:
                roots[int(seen["message_id"])] = int(post)
    return roots


def discussion_rows(
    page: Page, group: int, messages: list[dict[str, Any]], admins: set[int]
) -> tuple[list[dict[str, Any]], Counter[int]]:
    """Citizens' comments in the discussion group with the first official reply, and each post's comments seen."""
    channel = int(page.account_id)
    roots = threads(channel, messages)
    seen: dict[int, dict[str, Any]] = {}
    for message in messages:
        if not message.get("is_automatic_forward") and not SERVICE & message.keys():
            seen.setdefault(int(message["message_id"]), message)  # an edit keeps the message's first date

    def side(message: dict[str, Any]) -> str | None:
        sender = (message.get("sender_chat") or {}).get("id")
        user = message.get("from") or {}
        if sender in (channel, group):
            return OFFICIAL  # on behalf of the channel, or an anonymous administrator of the group
        if sender is None and user.get("is_bot"):
            return None  # the group's helper bots neither ask nor answer
        return OFFICIAL if sender is None and user.get("id") in admins else CITIZEN

    def thread(message: dict[str, Any]) -> tuple[bool, int | None]:
        """Whether the message is in a post's comments, and that post's id where the thread's start was seen."""
        replied = message.get("reply_to_message") or {}
        top = replied.get("message_id") if replied.get("is_automatic_forward") else message.get("message_thread_id")
        if top is None:
            return False, None
        if int(top) in roots:
            return True, roots[int(top)]
        return int(top) not in seen, None  # a thread under a plain message of the group is the group's own talk

    counts: Counter[int] = Counter()
    asked: dict[int, dict[str, Any]] = {}
    answers: dict[int, int] = {}
    for number, message in seen.items():
        who, (commented, post) = side(message), thread(message)
        if who is None or not commented:
            continue
        if post is not None:
            counts[post] += 1
        if who == CITIZEN:
            asked.setdefault(number, message)
            continue
        replied = message.get("reply_to_message") or {}
        if replied and not replied.get("is_automatic_forward") and side(replied) == CITIZEN:
            # A reply carries the message it answers, date included: an inquiry of an earlier run gets its answer.
            key, when = int(replied["message_id"]), int(message["date"])
            answers[key] = min(answers.get(key, when), when)
            if thread(replied)[0]:
                asked.setdefault(key, replied)
    rows = []
    for number, message in sorted(asked.items(), key=lambda item: (int(item[1]["date"]), item[0])):
        received, first = int(message["date"]), answers.get(number)
        post = thread(message)[1]
        rows.append({
            "platform": "telegram",
            "account_id": page.account_id,
            "inquiry_id": f"{group}_{number}",
            "channel": "comment",
            "post_id": "" if post is None else f"{page.account_id}_{post}",
            "received_at": stamp(received),
            "first_reply_at": stamp(first) if first is not None and first >= received else "",
            "replied_by": "",
            "topic": "",
        })  # fmt: skip
    return rows, counts


def follower_row(page: Page, chat: dict[str, Any], members: int, day: str) -> dict[str, Any]:
    """The channel's subscriber snapshot of a day (the run's local day of the page)."""
    return {
        "date": day,
        "platform": "telegram",
        "account_id": page.account_id,
        "followers": members,
        "posts_total": "",
        "handle": str(chat.get("username") or ""),
    }


def post_row(page: Page, post: PreviewPost, comments: int, window: Window) -> dict[str, Any]:
    """A channel post's metrics as collected now (the preview shows views; reactions and forwards it does not)."""
    return {
        "collected_at": stamp(window.now),
        "platform": "telegram",
        "account_id": page.account_id,
        "post_id": f"{page.account_id}_{post.message_id}",
        "published_at": stamp(post.published),
        "post_type": post.post_type,
        "likes": 0,
        "comments": comments,
        "shares": 0,
        "views": "" if post.views is None else post.views,
    }


KINDS_READ = "getChat, getChatMemberCount, getChatAdministrators, getUpdates (and getMe, getChatMember, not needed)"


def read_saved(saved: Saved) -> Harvest:
    """Saved Bot API answers as the collector's followers and inquiries (the preview's HTML is no JSON: no posts)."""
    chats: dict[int, dict[str, Any]] = {}
    counts: list[tuple[str, int | None, int]] = []  # file, the chat whose answer came just before it, subscribers
    admins: set[int] = set()
    updates: dict[int, dict[str, Any]] = {}
    for name, document in saved.documents:
        before: int | None = None
        for answer in document if isinstance(document, list) else [document]:
            kind = saved_kind(answer)
            result: Any = answer["result"] if kind else None
            if kind == "chat":
                before = int(result["id"])
                chats[before] = result
            elif kind == "count":
                counts.append((name, before, int(result)))
            elif kind == "admins":
                admins |= admin_ids(result)
            elif kind == "updates":
                updates.update({int(u["update_id"]): u for u in result})
            elif kind is None:
                raise ValueError(f"{name}: not a saved Telegram answer govpulse reads; it reads the Bot API's JSON "
                                 f"answers of {KINDS_READ}; the preview's HTML pages are not read")  # fmt: skip
    members = {}
    for name, before, value in counts:
        whose = before if before is not None else named(name, saved.pages)
        if whose is None:
            raise ValueError(f"{name}: a getChatMemberCount answer says not whose it is: save it in a list right after "
                             "its getChat answer, or put the channel's id or @username in the file's name")  # fmt: skip
        members[whose] = value
    ordered = [updates[key] for key in sorted(updates)]
    harvest = Harvest()
    for page in saved.pages:
        chat = chats.get(int(page.account_id)) if CHAT_ID.fullmatch(page.account_id) else None
        if chat is None:
            continue
        if int(page.account_id) in members:
            harvest.followers.append(follower_row(page, chat, members[int(page.account_id)], saved.day.isoformat()))
        group = chat.get("linked_chat_id")
        if group is not None:
            harvest.inquiries.extend(discussion_rows(page, int(group), group_messages(ordered, int(group)), admins)[0])
    if outside := sorted(str(c) for c in chats if str(c) not in {p.account_id for p in saved.pages}):
        shown = ", ".join(outside[:5]) + (", …" if len(outside) > 5 else "")
        harvest.notices.append(
            f"{len(outside)} chats of the answers are not in the registry and were left out: {shown}"
        )
    return harvest


def saved_kind(answer: Any) -> str | None:
    """Which method's answer a saved document is, by its shape; None if it is none that govpulse reads."""
    if not isinstance(answer, dict) or answer.get("ok") is not True or "result" not in answer:
        return None
    result = answer["result"]
    if isinstance(result, int) and not isinstance(result, bool):
        return "count"
    if isinstance(result, dict):
        if "is_bot" in result and "id" in result:
            return "me"
        if "status" in result and "user" in result:
            return "member"
        return "chat" if "id" in result and "type" in result else None
    if isinstance(result, list) and all(isinstance(u, dict) and "update_id" in u for u in result):
        return "updates"
    if isinstance(result, list) and all(isinstance(m, dict) and "status" in m and "user" in m for m in result):
        return "admins"
    return None


def named(name: str, pages: list[Page]) -> int | None:
    """The channel whose id or @username a file's name carries."""
    for page in pages:
        handle = re.escape(page.handle.lstrip("@"))
        if re.search(rf"(?<![\d-]){re.escape(page.account_id)}(?!\d)", name) or (
            handle and re.search(rf"@{handle}(?![A-Za-z0-9_])", name, re.I)
        ):
            return int(page.account_id) if CHAT_ID.fullmatch(page.account_id) else None
    return None


PLATFORM = Platform(
    name="telegram",
    api_base=API,
    credentials=(TOKEN,),
    per_second=25.0,
    collect=collect,
    read_saved=read_saved,
)
