"""A small but real OpenID Connect provider for tests, made of Authlib's server components and served on 127.0.0.1
in a thread: discovery, a sign-in form (a user name and a button), the authorization code grant of a confidential
client with PKCE and a nonce, ID tokens signed RS256 by a key made for the run (JWKS), userinfo and sign-out.

It keeps no password: whoever types a known user name is signed in as that person, with their e-mail and groups.
"""

import hmac
import html
import json
import threading
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

from authlib.common.security import generate_token
from authlib.consts import default_json_headers
from authlib.oauth2.rfc6749 import (
    AuthorizationCodeGrant,
    AuthorizationServer,
    ClientMixin,
    InvalidRequestError,
    OAuth2Error,
    OAuth2Request,
    ResourceProtector,
    TokenMixin,
    scope_to_list,
)
from authlib.oauth2.rfc6749.requests import BasicOAuth2Payload
from authlib.oauth2.rfc6750 import BearerTokenGenerator, BearerTokenValidator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc import discovery, rpinitiated
from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo, UserInfoEndpoint
from joserfc.jwk import KeySet, RSAKey

SCOPES = ("openid", "email", "profile")
CODE_SECONDS = 600  # an authorization code is good for ten minutes, once
HTML = [("Content-Type", "text/html; charset=utf-8")]


@dataclass(frozen=True)
class Person:
    """Someone the provider signs in: the user name typed into its form and the claims of their tokens."""

    login: str
    email: str
    groups: tuple[str, ...] = ()
    name: str = ""

    def claims(self, groups_claim: str) -> dict[str, Any]:
        """The person's claims: the ID token's and the userinfo's alike (like Keycloak's group mapper with both on)."""
        found = {"sub": f"user-{self.login}", "email": self.email, "email_verified": True,
                 "preferred_username": self.login, groups_claim: list(self.groups)}  # fmt: skip
        return found | ({"name": self.name} if self.name else {})


@dataclass
class Client(ClientMixin):
    """The dashboard, registered as a confidential client with one redirect URI (also where sign-out returns)."""

    client_id: str
    client_secret: str
    redirect_uri: str

    @property
    def client_metadata(self) -> dict[str, Any]:
        """Registration metadata Authlib's endpoints read."""
        return {"post_logout_redirect_uris": [self.redirect_uri]}

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_allowed_scope(self, scope: str) -> str:
        return " ".join(s for s in scope_to_list(scope or "") if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code(AuthorizationCodeMixin):
    """An authorization code with what the token request must match: client, redirect URI, PKCE challenge."""

    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: Person
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None
    auth_time: int = field(default_factory=lambda: int(time.time()))

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass
class Token(TokenMixin):
    """An access token issued to the client for a person (what userinfo accepts)."""

    access_token: str
    client: Client
    person: Person
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)

    def check_client(self, client: Client) -> bool:
        return client.client_id == self.client.client_id

    def get_scope(self) -> str:
        return self.scope

    def get_expires_in(self) -> int:
        return self.expires_in

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> Person:
        return self.person

    def get_client(self) -> Client:
        return self.client


class Request(OAuth2Request):
    """An HTTP request as Authlib's grants read it: the query and the form body (what Flask's integration does)."""

    def __init__(self, method: str, uri: str, headers: Any, query: dict[str, str], form: dict[str, str]) -> None:
        super().__init__(method, uri, headers=headers)
        self.payload = BasicOAuth2Payload({**query, **form})
        self._query, self._form = query, form

    @property
    def args(self) -> dict[str, str]:
        return self._query

    @property
    def form(self) -> dict[str, str]:
        return self._form


class CodeGrant(AuthorizationCodeGrant):
    """The authorization code grant, its codes kept in the provider's memory."""

    TOKEN_ENDPOINT_AUTH_METHODS: ClassVar[list[str]] = ["client_secret_basic", "client_secret_post"]

    def save_authorization_code(self, code: str, request: Request) -> None:
        data = request.payload.data
        self.server.nonces.add(data.get("nonce"))
        self.server.codes[code] = Code(code, request.client.client_id, data.get("redirect_uri") or "", request.scope,
                                       request.user, data.get("nonce"), data.get("code_challenge"),
                                       data.get("code_challenge_method"))  # fmt: skip

    def query_authorization_code(self, code: str, client: Client) -> Code | None:
        found: Code | None = self.server.codes.get(code)
        if found is None or found.client_id != client.client_id or time.time() > found.auth_time + CODE_SECONDS:
            return None
        return found

    def delete_authorization_code(self, authorization_code: Code) -> None:
        self.server.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: Code) -> Person:
        return authorization_code.person


class Pkce(CodeChallenge):
    """PKCE with S256 required of every client, confidential ones too (a Keycloak client's "PKCE method: S256")."""

    SUPPORTED_CODE_CHALLENGE_METHOD: ClassVar[list[str]] = ["S256"]

    def validate_code_challenge(self, grant: CodeGrant, redirect_uri: str) -> None:
        if not grant.request.payload.data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge'")
        super().validate_code_challenge(grant, redirect_uri)


class IDToken(OpenIDCode):
    """OpenID Connect on the code grant: a nonce is required, the ID token is signed RS256 with the run's key."""

    def __init__(self, provider: "Provider") -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: Request) -> bool:
        return nonce in self.provider.nonces

    def resolve_client_private_key(self, client: Client) -> RSAKey:
        return self.provider.key

    def get_client_algorithm(self, client: Client) -> str:
        return "RS256"

    def get_encode_header(self, client: Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": str(self.provider.key.kid), "typ": "JWT"}

    def get_client_claims(self, client: Client) -> dict[str, Any]:
        now = int(time.time())
        return {"iss": self.provider.issuer, "aud": client.client_id, "iat": now, "exp": now + 300}

    def generate_user_info(self, user: Person, scope: str) -> UserInfo:
        return UserInfo(user.claims(self.provider.groups_claim))


class Bearer(BearerTokenValidator):
    """Bearer tokens the provider issued."""

    def __init__(self, tokens: Mapping[str, Token]) -> None:
        super().__init__()
        self.tokens = tokens

    def authenticate_token(self, token_string: str) -> Token | None:
        return self.tokens.get(token_string)


class Protector(ResourceProtector):
    """The bearer token of the request being served (each request has a thread of its own, as in Flask's)."""

    def __init__(self, tokens: Mapping[str, Token]) -> None:
        super().__init__()
        self.register_token_validator(Bearer(tokens))
        self.serving = threading.local()

    def acquire_token(self, scopes: str) -> Token:
        return self.validate_request(scope_to_list(scopes), self.serving.request)


class Userinfo(UserInfoEndpoint):
    """The userinfo endpoint: the person's claims for a bearer of the openid scope."""

    resource_protector: Protector

    def create_endpoint_request(self, request: Request) -> Request:
        self.resource_protector.serving.request = request
        return request

    def generate_user_info(self, user: Person, scope: str) -> UserInfo:
        return UserInfo(user.claims(self.server.groups_claim))

    def get_issuer(self) -> str:
        return str(self.server.issuer)


class EndSession(rpinitiated.EndSessionEndpoint):
    """RP-initiated sign-out: the ID token named by its hint is the provider's; back to the client's redirect URI."""

    def get_server_jwks(self) -> KeySet:
        return KeySet([self.server.key])

    def end_session(self, end_session_request: rpinitiated.EndSessionRequest) -> None:
        claims = end_session_request.id_token_claims or {}
        self.server.ended.append(str(claims.get("email", "")))


class Provider(AuthorizationServer):
    """The provider: people by user name, one client, codes and tokens in memory, what happened for tests to read."""

    def __init__(self, people: Iterable[Person], client: Client, groups_claim: str = "groups") -> None:
        super().__init__(scopes_supported=list(SCOPES))
        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.http.provider = self
        self.issuer = f"http://127.0.0.1:{self.http.server_address[1]}"
        self.people = {p.login: p for p in people}
        self.client, self.groups_claim = client, groups_claim
        self.key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
        self.key.ensure_kid()
        self.codes: dict[str, Code] = {}
        self.tokens: dict[str, Token] = {}
        self.nonces: set[str | None] = set()
        self.issued: list[tuple[str, str, bool]] = []  # e-mail, client authentication, PKCE verified
        self.ended: list[str] = []  # e-mails signed out
        self.register_token_generator("default", BearerTokenGenerator(lambda *a, **k: generate_token(42)))
        self.register_grant(CodeGrant, [Pkce(required=True), IDToken(self)])
        self.register_endpoint(Userinfo(resource_protector=Protector(self.tokens)))
        self.register_endpoint(EndSession)

    @property
    def metadata(self) -> dict[str, Any]:
        """The discovery document, checked by Authlib's own validation of OpenID provider metadata."""
        found = discovery.OpenIDProviderMetadata(
            issuer=self.issuer, authorization_endpoint=f"{self.issuer}/authorize",
            token_endpoint=f"{self.issuer}/token", userinfo_endpoint=f"{self.issuer}/userinfo",
            jwks_uri=f"{self.issuer}/jwks", end_session_endpoint=f"{self.issuer}/logout",
            scopes_supported=list(SCOPES), response_types_supported=["code"],
            grant_types_supported=["authorization_code"], subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"], code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=CodeGrant.TOKEN_ENDPOINT_AUTH_METHODS,
            claims_supported=["sub", "iss", "aud", "exp", "iat", "nonce", "email", "preferred_username", "name",
                              self.groups_claim],
        )  # fmt: skip
        found.validate(metadata_classes=[rpinitiated.OpenIDProviderMetadata])
        return dict(found)

    def query_client(self, client_id: str) -> Client | None:
        return self.client if client_id == self.client.client_id else None

    def save_token(self, token: dict[str, Any], request: Request) -> None:
        verifier = bool(request.form.get("code_verifier"))
        self.tokens[token["access_token"]] = Token(token["access_token"], request.client, request.user,
                                                   token["scope"], token["expires_in"])  # fmt: skip
        self.issued.append((request.user.email, request.auth_method, verifier))

    def create_oauth2_request(self, request: Request) -> Request:
        return request

    def handle_response(self, status: int, body: Any, headers: list[tuple[str, str]]) -> tuple[int, Any, list]:
        return status, body, headers

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        """No signals: nobody listens."""

    def answer(self, path: str, request: Request) -> tuple[int, Any, list[tuple[str, str]]]:
        """The response to a request for `path`: status, body (a dict is sent as JSON) and headers."""
        if path == "/.well-known/openid-configuration":
            return 200, self.metadata, default_json_headers
        if path == "/jwks":
            return 200, KeySet([self.key]).as_dict(private=False), default_json_headers
        if path == "/authorize":
            return self.authorize(request)
        if path == "/token" and request.method == "POST":
            return self.create_token_response(request)
        if path == "/userinfo":
            return self.create_endpoint_response("userinfo", request)
        if path == "/logout":
            done = self.create_endpoint_response("end_session", request)
            return done or (200, page("Signed out", "<p>You are signed out.</p>"), HTML)
        return 404, {"error": "not_found"}, default_json_headers

    def authorize(self, request: Request) -> tuple[int, Any, list[tuple[str, str]]]:
        """The sign-in form for a valid authorization request; its answer sends the browser back with a code."""
        person = self.people.get(request.form.get("username", "").strip()) if request.method == "POST" else None
        try:
            grant = self.get_consent_grant(request, end_user=person)
        except OAuth2Error as error:
            if error.redirect_uri:
                return self.handle_error_response(request, error)
            return 400, page("Sign-in refused", f"<p>{html.escape(str(error.description))}</p>"), HTML
        if person is not None:
            return self.create_authorization_response(request, grant_user=person, grant=grant)
        unknown = "<p role='alert'>Unknown user name.</p>" if request.method == "POST" else ""
        action = html.escape(urlsplit(request.uri).path + "?" + urlsplit(request.uri).query)
        return 200, page("Sign in", f"""{unknown}<form method="post" action="{action}">
<label>User name <input name="username" autocomplete="username" autofocus></label>
<button type="submit">Sign in</button></form>"""), HTML  # fmt: skip


def page(title: str, body: str) -> str:
    """A small HTML page."""
    return f"<!doctype html><html><head><title>{title}</title></head><body><h1>{title}</h1>{body}</body></html>"


class Handler(BaseHTTPRequestHandler):
    """HTTP in and out of the provider."""

    server: ThreadingHTTPServer

    def do_GET(self) -> None:
        self.respond()

    def do_POST(self) -> None:
        self.respond()

    def respond(self) -> None:
        """Read the request, let the provider answer, write its answer."""
        provider: Provider = self.server.provider
        parts = urlsplit(self.path)
        form: dict[str, str] = {}
        if self.command == "POST":
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
            form = dict(parse_qsl(body, keep_blank_values=True))
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        status, body, headers = provider.answer(parts.path, Request(self.command, provider.issuer + self.path,
                                                                    self.headers, query, form))  # fmt: skip
        data = (json.dumps(body) if isinstance(body, dict) else str(body or "")).encode()
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a test reads what happened from the provider."""


@contextmanager
def serving(people: Iterable[Person], client: Client, groups_claim: str = "groups") -> Iterator[Provider]:
    """The provider served on a free port of 127.0.0.1 in a thread, stopped at the end."""
    provider = Provider(people, client, groups_claim)
    thread = threading.Thread(target=provider.http.serve_forever, daemon=True)
    thread.start()
    try:
        yield provider
    finally:
        provider.http.shutdown()
        provider.http.server_close()
        thread.join(timeout=5)
