"""The OpenID Connect provider the sign-in browser test starts (tests/dashboard/oidc_provider.py) is a strict one:
it publishes valid metadata, signs in only known people through its form, sends codes only to the registered
redirect URI, exchanges a code once and only with the client's secret and the PKCE verifier, and signs ID tokens
that its JWKS verifies; userinfo wants the access token. Plain HTTP against it on 127.0.0.1, no browser."""

import base64
import hashlib
import secrets
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import KeySet

from tests.dashboard.oidc_provider import Client, Person, Provider, serving

CLIENT = Client("govpulse", secrets.token_urlsafe(16), "http://127.0.0.1:9/oauth2callback")
PRESS = Person("press", "press@karasu.kz", ("/govpulse/loader/KZ-KUS-KRS",))


@pytest.fixture
def provider() -> Iterator[Provider]:
    """The provider on a free port, knowing one person and the dashboard's client."""
    with serving([PRESS], CLIENT) as found:
        yield found


def asked(verifier: str, **changes: str) -> dict[str, str]:
    """An authorization request's parameters as Streamlit's client sends them."""
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return {
        "response_type": "code", "client_id": CLIENT.client_id, "redirect_uri": CLIENT.redirect_uri,
        "scope": "openid email profile", "state": "s1", "nonce": "n1", "code_challenge": challenge,
        "code_challenge_method": "S256", "prompt": "select_account",
    } | changes  # fmt: skip


def code_for(provider: Provider, verifier: str, user: str = "press", **changes: str) -> requests.Response:
    """The answer to the sign-in form sent for `user` in an authorization request."""
    return requests.post(f"{provider.issuer}/authorize", params=asked(verifier, **changes), data={"username": user},
                         allow_redirects=False, timeout=10)  # fmt: skip


def exchange(provider: Provider, code: str, verifier: str, secret: str = CLIENT.client_secret) -> requests.Response:
    """A token request for `code` with the client's secret (HTTP Basic) and the PKCE verifier."""
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": CLIENT.redirect_uri,
            "code_verifier": verifier}  # fmt: skip
    return requests.post(f"{provider.issuer}/token", data=data, auth=(CLIENT.client_id, secret), timeout=10)


def code_of(answer: requests.Response) -> str:
    """The code in the redirect to the client."""
    assert answer.status_code == 302, answer.text
    sent = urlsplit(answer.headers["Location"])
    assert f"{sent.scheme}://{sent.netloc}{sent.path}" == CLIENT.redirect_uri
    found = parse_qs(sent.query)
    assert found["state"] == ["s1"]
    return found["code"][0]


def test_a_code_becomes_an_id_token_signed_by_the_published_key(provider: Provider) -> None:
    """The discovery document names the endpoints; the form shows for a valid request; the code is exchanged once
    for an RS256 ID token with the issuer, audience, nonce, times, e-mail and groups, which the JWKS verifies."""
    meta: dict[str, Any] = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=10).json()
    assert meta["issuer"] == provider.issuer and meta["code_challenge_methods_supported"] == ["S256"]
    verifier = secrets.token_urlsafe(48)
    form = requests.get(meta["authorization_endpoint"], params=asked(verifier), allow_redirects=False, timeout=10)
    assert form.status_code == 200 and 'name="username"' in form.text
    token = exchange(provider, code_of(code_for(provider, verifier)), verifier)
    assert token.status_code == 200, token.text
    found = token.json()
    keys = KeySet.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())
    decoded = jwt.decode(found["id_token"], keys, algorithms=["RS256"])
    claims = decoded.claims
    assert decoded.header["alg"] == "RS256"
    assert (claims["iss"], claims["aud"], claims["nonce"], claims["email"], claims["groups"]) == (
        provider.issuer, "govpulse", "n1", "press@karasu.kz", ["/govpulse/loader/KZ-KUS-KRS"],
    )  # fmt: skip
    assert claims["iat"] <= claims["exp"] and claims["sub"] == "user-press"
    bearer = {"Authorization": f"Bearer {found['access_token']}"}
    assert requests.get(meta["userinfo_endpoint"], headers=bearer, timeout=10).json()["email"] == "press@karasu.kz"
    assert requests.get(meta["userinfo_endpoint"], timeout=10).status_code == 401
    assert provider.issued == [("press@karasu.kz", "client_secret_basic", True)]


def test_the_token_endpoint_wants_the_secret_the_verifier_and_a_fresh_code(provider: Provider) -> None:
    """A wrong client secret, a wrong PKCE verifier or a code used before get no token."""
    verifier = secrets.token_urlsafe(48)
    code = code_of(code_for(provider, verifier))
    assert exchange(provider, code, verifier, secret="wrong").json()["error"] == "invalid_client"
    assert exchange(provider, code, secrets.token_urlsafe(48)).json()["error"] == "invalid_grant"
    assert exchange(provider, code, verifier).status_code == 200
    assert exchange(provider, code, verifier).json()["error"] == "invalid_grant"


def test_the_form_signs_in_known_people_for_the_registered_client_only(provider: Provider) -> None:
    """An unknown user name gets the form again; an unregistered redirect URI or a request without a nonce or a
    PKCE challenge gets no code."""
    verifier = secrets.token_urlsafe(48)
    again = code_for(provider, verifier, user="stranger")
    assert again.status_code == 200 and "Unknown user name" in again.text
    elsewhere = code_for(provider, verifier, redirect_uri="http://127.0.0.1:9/elsewhere")
    assert elsewhere.status_code == 400 and "Location" not in elsewhere.headers
    for missing in ("nonce", "code_challenge"):
        refused = code_for(provider, verifier, **{missing: ""})
        assert refused.status_code == 302 and "error=invalid_request" in refused.headers["Location"], missing
    assert provider.codes == {}
