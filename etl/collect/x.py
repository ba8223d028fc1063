"""X: followers of official accounts, their posts with public metrics, and citizens' mentions with the first reply."""

import math
import os
import re
import time
from collections.abc import Iterator
from typing import Any

from etl.collect.base import Credential, Harvest, Page, Platform, Progress, RunFailed, Window, stamp
from etl.collect.http import ApiError, Client
from etl.collect.x_rows import Found, listed, page_rows, reason, refusals
from etl.collect.x_saved import read_saved

API_BASE = "https://api.x.com/2"
USER_ID = re.compile(r"[1-9]\d{0,19}")
USERS_PER_CALL = 100  # GET /2/users takes up to a hundred ids
PAGE_SIZE = 100  # max_results of the timelines
USER_FIELDS = "public_metrics,username,protected"
# author_id and entities let saved answers be told apart by page, and a link post from a text one.
TWEET_FIELDS = (
    "created_at,public_metrics,conversation_id,in_reply_to_user_id,referenced_tweets,attachments,author_id,entities"
)
EXPANSIONS = "referenced_tweets.id,attachments.media_keys"
TOKEN = Credential(
    "GOVPULSE_X_TOKEN",
    "the Bearer Token of your X app (developer.x.com → Projects & Apps → your app → Keys and tokens), on a plan "
    "that reads user timelines (Basic or pay-per-use); see docs/collect/x.md",
)
WAIT = "GOVPULSE_X_RATE_WAIT"
PATIENCE = 60.0  # seconds a run waits for a rate limit to reset; beyond that it stops
WAITS_PER_CALL = 3
WRONG_TOKEN = {"unsupported-authentication"}  # a user's token where the app's Bearer Token is wanted


class Stopped(Exception):
    """X closed the run: a rate limit far from its reset, the plan's cap, no credits, no access to an endpoint."""


class PageClosed(Exception):
    """X gives nothing of this page's posts (suspended or protected since its profile was read)."""


class Api:
    """X API v2 over the run's client: the Bearer Token in its header, rate limits waited out within bounds, a run
    stopped once X's plan or credits close it, a refused token ending it."""

    def __init__(self, client: Client, token: str, patience: float) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}
        self.patience = patience
        self.stopped = ""  # why X stopped the run

    def get(self, path: str, params: dict[str, Any]) -> dict[str, Any]:
        """One answer; Stopped once the run is closed, RunFailed when X refuses the token, ApiError otherwise."""
        waits = 0
        while True:
            if self.stopped:
                raise Stopped(self.stopped)
            try:
                answer = self.client.call(path, params, headers=self.headers)
            except ApiError as exc:
                seconds = self.refused(endpoint(path), exc, waits)
                waits += 1
                self.client.wait(seconds)
                continue
            return answer if isinstance(answer, dict) else {}

    def refused(self, name: str, exc: ApiError, waits: int) -> float:
        """The seconds to wait before asking again after a refusal; otherwise the refusal raised as what it means."""
        body = exc.body if isinstance(exc.body, dict) else {}
        kind = str(body.get("type") or "").rsplit("/problems/", 1)[-1]
        said = " ".join(dict.fromkeys(str(body[k]) for k in ("title", "detail") if body.get(k))) or f"HTTP {exc.status}"
        if exc.status == 401 or kind in WRONG_TOKEN:
            raise RunFailed(f"X refused {TOKEN.env}: {said} (HTTP {exc.status})") from None
        if kind == "usage-capped":
            self.stopped = f"X's usage cap is reached on {name} ({said}): the plan's post reads are used up"
        elif exc.status == 402 or kind == "credits-depleted":
            self.stopped = f"X has no credits left for the app ({said}, HTTP 402): top them up in the Developer Console"
        elif exc.status == 403 and (body.get("reason") == "client-not-enrolled" or kind == "client-forbidden"):
            self.stopped = (
                f"X refused {name}: {said} ({body.get('reason') or kind}): the app's plan does not include it; "
                "user timelines and mentions need paid access (Basic or pay-per-use)"
            )
        elif exc.status == 429:
            reset = _number(exc.headers.get("x-rate-limit-reset"))
            seconds = None if reset is None else max(reset - time.time(), 0.0)
            if seconds is not None and seconds <= self.patience and waits < WAITS_PER_CALL:
                return seconds
            when = "at an unknown time" if reset is None else f"at {stamp(reset)}"
            beyond = f"beyond the {self.patience:g} s a run waits" if waits < WAITS_PER_CALL else f"after {waits} waits"
            self.stopped = f"X's rate limit of {name} resets {when}, {beyond}"
        else:
            raise exc
        raise Stopped(self.stopped) from None


def collect(client: Client, creds: dict[str, str], pages: list[Page], window: Window, progress: Progress) -> Harvest:
    """Followers, posts since `window.since` and the citizens' posts to every page; pages X closes are skipped, and
    a run X stops (rate limit, cap, credits) skips the pages left with a note."""
    api = Api(client, creds[TOKEN.env], patience())
    harvest = Harvest()
    valid = []
    for page in pages:
        if USER_ID.fullmatch(page.account_id):
            valid.append(page)
        else:
            harvest.skip(page, "account_id must be the numeric X user id (such as 1318497381264687104), not a handle")
            progress(page)
    users = fetch_users(api, valid, harvest)
    officials = {page.account_id for page in pages}
    for page in valid:
        if page.account_id not in harvest.skipped:
            try:
                if page.account_id not in users:
                    raise Stopped(api.stopped)  # the run stopped before the page's profile was read
                harvest.take(collect_page(api, page, users[page.account_id], window, officials))
            except Stopped:
                harvest.skip(page, f"not collected: {api.stopped}")
            except (PageClosed, ApiError) as exc:
                harvest.skip(page, str(exc))
            except (KeyError, TypeError, ValueError) as exc:  # one odd answer must not end a national run
                harvest.skip(page, f"unexpected answer from X ({type(exc).__name__})")
        progress(page)
    if api.stopped:
        left = sum(reason.startswith("not collected: ") for reason in harvest.skipped.values())
        harvest.notices.append(f"X stopped the run: {api.stopped}; {left} pages left for the next run")
    return harvest


def patience() -> float:
    """Seconds a run waits for a rate limit to reset: GOVPULSE_X_RATE_WAIT, or a minute."""
    value = os.environ.get(WAIT, "").strip()
    seconds = _number(value) if value else PATIENCE
    if seconds is None or not 0 <= seconds < math.inf:
        raise RunFailed(f"{WAIT} must be a number of seconds, not {value!r}")
    return seconds


def collect_page(api: Api, page: Page, user: dict[str, Any], window: Window, officials: set[str]) -> Harvest:
    """One page's snapshot, its posts in the window, the citizens' posts to it and its replies to them."""
    found = Found()
    own, asked = (
        [t for answer in fetch_timeline(api, f"users/{page.account_id}/{timeline}", window) for t in found.add(answer)]
        for timeline in ("tweets", "mentions")
    )
    return page_rows(page, user, own, asked, found, officials, window.day(page), window.now)


def fetch_users(api: Api, pages: list[Page], harvest: Harvest) -> dict[str, dict[str, Any]]:
    """Followers, post count and username of the pages, a hundred a call; suspended, unknown and protected
    accounts are skipped with X's reason."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(pages), USERS_PER_CALL):
        batch = pages[start : start + USERS_PER_CALL]
        try:
            answer = api.get("users", {"ids": ",".join(p.account_id for p in batch), "user.fields": USER_FIELDS})
        except Stopped:
            return found
        except ApiError as exc:
            for page in batch:
                harvest.skip(page, str(exc))
            continue
        users = {str(user.get("id")): user for user in listed(answer.get("data"))}
        refused = refusals(answer)
        for page in batch:
            user = users.get(page.account_id)
            if user is None:
                harvest.skip(page, refused.get(page.account_id, "not found on X"))
            elif user.get("protected"):
                harvest.skip(page, "protected account: X shows its posts to approved followers only")
            else:
                found[page.account_id] = user
    return found


def fetch_timeline(api: Api, path: str, window: Window) -> Iterator[dict[str, Any]]:
    """Every answer of a user's posts or mentions timeline from the window's start, newest first, page by page."""
    params: dict[str, Any] = {
        "start_time": window.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "max_results": PAGE_SIZE,
        "tweet.fields": TWEET_FIELDS,
        "expansions": EXPANSIONS,
        "media.fields": "type",
    }
    while True:
        answer = api.get(path, params)
        if "data" not in answer and "meta" not in answer and answer.get("errors"):
            raise PageClosed("; ".join(reason(e) for e in answer["errors"] if isinstance(e, dict)))
        yield answer
        following = (answer.get("meta") or {}).get("next_token")
        if not following or following == params.get("pagination_token"):
            return
        params = {**params, "pagination_token": following}


def endpoint(path: str) -> str:
    """An endpoint's name without the page in it: users/:id/mentions."""
    return re.sub(r"/\d+(?=/|$)", "/:id", path.strip("/"))


def _number(value: Any) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


PLATFORM = Platform(
    name="x",
    api_base=API_BASE,
    credentials=(TOKEN,),
    # One request a second keeps the mentions timeline (450 a 15-minute window per app) within its limit.
    per_second=1.0,
    collect=collect,
    read_saved=read_saved,
)
