"""The HTTP client every collector uses: one session, timeouts, retries with backoff, the platform's rate limit."""

import logging
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

RETRY_STATUSES = (429, 500, 502, 503, 504)
URLLIB3_LOGGERS = ("urllib3.connectionpool", "urllib3.util.retry")


class ApiError(Exception):
    """A request that failed after its retries, or an answer that is not JSON; the message never holds a secret."""

    def __init__(
        self,
        message: str,
        status: int | None = None,
        codes: tuple[str, ...] = (),
        headers: Mapping[str, str] | None = None,
        body: Any = None,
    ) -> None:
        super().__init__(message)
        self.status = status  # the HTTP status of a refused request
        self.codes = codes  # the platform's error keys in its answer (chat.not.found; quotaExceeded)
        self.headers = headers or {}  # its answer's headers (a rate limit's reset time)
        self.body = body  # its decoded JSON body, where the platform explains the refusal (None if not JSON)


class Client:
    """A platform's API over one `requests.Session`, at most `per_second` requests a second."""

    def __init__(
        self,
        base_url: str,
        *,
        per_second: float,
        secrets: Iterable[str] = (),
        timeout: float = 30.0,
        retries: int = 4,
        backoff: float = 0.5,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.requests = 0  # HTTP requests sent, retries included
        self.errors = 0  # requests that failed after their retries
        self._secrets = [s for s in secrets if s]
        self._interval = 1.0 / per_second
        self._next = 0.0
        self._lock = threading.Lock()
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            backoff_factor=backoff,
            backoff_max=30,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,  # the read APIs collectors call are safe to repeat, POST included
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.session = requests.Session()
        self.session.headers["User-Agent"] = "govpulse-collector"
        self.session.mount("http://", HTTPAdapter(max_retries=retry))
        self.session.mount("https://", HTTPAdapter(max_retries=retry))
        # urllib3 names the URL when it retries a broken connection: a token in a URL's path must not reach a log.
        self._scrub = _Scrub(self.redact)
        for name in URLLIB3_LOGGERS:
            logging.getLogger(name).addFilter(self._scrub)

    def close(self) -> None:
        """Close the session's connections."""
        self.session.close()
        for name in URLLIB3_LOGGERS:
            logging.getLogger(name).removeFilter(self._scrub)

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def wait(self, seconds: float) -> None:
        """Hold every following request back by this many seconds (a platform asked to slow down)."""
        with self._lock:
            self._next = max(self._next, time.monotonic() + seconds)

    def _pace(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self._interval
        if start > now:
            time.sleep(start - now)

    def redact(self, text: str) -> str:
        """The text with every secret of this client replaced by ***."""
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def fetch(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        method: str = "GET",
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> requests.Response:
        """One request's answer as it came (redirects followed); ApiError after retries or on HTTP errors. `json` is
        sent as a JSON body, `files` (field → name, bytes, type) as a multipart form with `data`."""
        self._pace()
        url = path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"
        name = _name(path)
        self.requests += 1
        try:
            response = self.session.request(
                method, url, params=params, data=data, headers=headers, json=json, files=files, timeout=self.timeout
            )
        except requests.RequestException as exc:
            self.errors += 1
            if _timed_out(exc):
                raise ApiError(self.redact(f"{name}: no answer within {self.timeout:g} s")) from None
            # The exception's text holds the URL, and with it any token in the query: name only its kind.
            raise ApiError(self.redact(f"{name}: connection failed ({type(exc).__name__})")) from None
        self.requests += _retries(response)
        if response.status_code >= 400:
            self.errors += 1
            body = _json(response)
            codes = _error_codes(body)
            named = f" ({', '.join(codes)})" if codes else ""
            raise ApiError(
                self.redact(f"{name}: HTTP {response.status_code}{named}"),
                response.status_code,
                codes,
                response.headers,
                body,
            )
        return response

    def call(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        method: str = "GET",
        data: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        files: Mapping[str, tuple[str, bytes, str]] | None = None,
    ) -> Any:
        """The decoded JSON answer of one API request; ApiError after retries, on HTTP errors or on non-JSON."""
        response = self.fetch(path, params, method=method, data=data, headers=headers, json=json, files=files)
        try:
            return response.json()
        except ValueError:
            self.errors += 1
            raise ApiError(self.redact(f"{_name(path)}: the answer is not JSON")) from None


class _Scrub(logging.Filter):
    """Replaces the client's secrets in a log record by ***."""

    def __init__(self, redact: Callable[[str], str]) -> None:
        super().__init__()
        self._redact = redact

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg, record.args = self._redact(record.getMessage()), None
        return True


def _name(path: str) -> str:
    """How a request is named in messages: its path below the base, or the whole URL it was given."""
    return path if path.startswith(("http://", "https://")) else path.split("?", 1)[0].strip("/")


def _retries(response: requests.Response) -> int:
    history = getattr(getattr(response.raw, "retries", None), "history", ())
    return len(history)


def _timed_out(exc: requests.RequestException) -> bool:
    # After retries, urllib3's read timeout reaches requests as a ConnectionError around MaxRetryError.
    reason = exc.args[0] if exc.args else None
    return isinstance(exc, requests.Timeout) or (
        isinstance(reason, MaxRetryError) and isinstance(reason.reason, ReadTimeoutError)
    )


def _json(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None


def _error_codes(body: Any) -> tuple[str, ...]:
    """A refused answer's error keys: MAX's `code`, or Google's reasons in `error.errors[]` and `error.details[]`."""
    if not isinstance(body, dict):
        return ()
    found = [body.get("code")]
    error = body.get("error")
    if isinstance(error, dict):
        for listed in ("errors", "details"):
            found += [item.get("reason") for item in error.get(listed) or [] if isinstance(item, dict)]
    return tuple(dict.fromkeys(c for c in found if isinstance(c, str) and 0 < len(c) < 80))
