"""The collectors' HTTP client against a real local server: retries, pace, timeouts, bad answers, no secrets."""

import time

import pytest

from etl.collect.http import ApiError, Client
from tests.collect.conftest import FakeApi


def client(api: FakeApi, **kwargs: float) -> Client:
    """A client of the test server, quick to give up."""
    options = {"per_second": 1000.0, "timeout": 2.0, "retries": 2, "backoff": 0.01, **kwargs}
    return Client(api.url, secrets=["s3cret-token"], **options)  # type: ignore[arg-type]


def test_a_server_error_is_retried_then_answered(api: FakeApi) -> None:
    """A 500 is retried with backoff; the answer after it is returned and both requests are counted."""
    api.on("/m", {"boom": True}, status=500, times=1)
    api.on("/m", {"ok": 1})
    with client(api) as c:
        assert c.call("m", {"a": "1"}) == {"ok": 1}
        assert (c.requests, c.errors) == (2, 0)


def test_persistent_errors_end_in_an_api_error_without_the_token(api: FakeApi) -> None:
    """A 503 that never clears ends in ApiError after the retries; the message has no token."""
    api.on("/m", {}, status=503)
    with client(api) as c, pytest.raises(ApiError) as caught:
        c.call("m", {"access_token": "s3cret-token"})
    assert "s3cret-token" not in str(caught.value)
    assert api.count("/m") == 3


def test_malformed_json_is_an_api_error(api: FakeApi) -> None:
    """An answer that is not JSON is named as such."""
    api.on("/m", "<html>maintenance", raw=True)
    with client(api) as c, pytest.raises(ApiError, match="not JSON"):
        c.call("m")


def test_a_timeout_is_an_api_error(api: FakeApi) -> None:
    """A server slower than the timeout gives ApiError naming the timeout."""
    api.on("/m", {}, delay=1.0)
    with client(api, timeout=0.3, retries=0) as c, pytest.raises(ApiError, match=r"no answer within 0\.3 s"):
        c.call("m")


def test_requests_keep_the_pace(api: FakeApi) -> None:
    """At 20 requests a second, 6 requests take at least a quarter of a second."""
    api.on("/m", {})
    with client(api, per_second=20) as c:
        start = time.monotonic()
        for _ in range(6):
            c.call("m")
    assert time.monotonic() - start >= 0.25


def test_form_parameters_are_seen_by_the_server(api: FakeApi) -> None:
    """POSTed form parameters reach the server (tokens travel in the body, not the URL)."""
    api.on("/m", {"ok": 1}, owner_id="-1")
    with client(api) as c:
        assert c.call("m", method="POST", data={"owner_id": -1}) == {"ok": 1}


def test_google_s_error_reasons_are_named_and_kept(api: FakeApi) -> None:
    """A Google API's refusal names its reasons (errors[] and details[]) in the message and on the error."""
    body = {
        "error": {
            "code": 400,
            "message": "API key not valid.",
            "errors": [{"reason": "badRequest"}],
            "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID"}],
        }
    }
    api.on("/m", body, status=400)
    with client(api) as c, pytest.raises(ApiError) as caught:
        c.call("m")
    assert str(caught.value) == "m: HTTP 400 (badRequest, API_KEY_INVALID)"
    assert (caught.value.status, caught.value.codes) == (400, ("badRequest", "API_KEY_INVALID"))


def test_a_refused_request_carries_the_platforms_explanation(api: FakeApi) -> None:
    """The JSON body of a 4xx travels with the ApiError (Telegram's retry_after), the HTTP status too."""
    api.on("/m", {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}, status=400)
    with client(api) as c, pytest.raises(ApiError) as caught:
        c.call("m")
    assert caught.value.status == 400 and caught.value.body["description"] == "Bad Request: chat not found"


def test_a_token_in_the_path_is_in_no_message(api: FakeApi) -> None:
    """Where a token must be in the URL's path, a timeout, a refusal and a page that is not JSON name it as ***."""
    api.on("/bots3cret-token/slow", {}, delay=1.0)
    api.on("/bots3cret-token/html", "<html>", raw=True)
    api.on("/bots3cret-token/gone", {}, status=404)
    with client(api, timeout=0.3, retries=0) as c:
        for path, words in (("html", "not JSON"), ("gone", "HTTP 404"), ("slow", "no answer within")):
            with pytest.raises(ApiError, match=words) as caught:
                c.call(f"bots3cret-token/{path}")
            assert str(caught.value).startswith(f"bot***/{path}: ")


def test_fetch_gives_a_page_as_it_came(api: FakeApi) -> None:
    """A page that is not JSON (the Telegram preview's HTML) comes back undecoded, after its redirect."""
    api.on("/old", "", raw=True, status=302, headers={"Location": "/new"})
    api.on("/new", "<html>page</html>", raw=True, headers={"Content-Type": "text/html; charset=utf-8"})
    with client(api) as c:
        response = c.fetch("old")
    assert response.text == "<html>page</html>" and response.url.endswith("/new") and response.history
