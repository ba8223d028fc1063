"""What the delivery tests share: a private copy of the demo database, a real SMTP server with STARTTLS and login,
and a local HTTP server standing in for the Telegram and MAX Bot APIs."""

import email
import email.policy
import socket
import sqlite3
import ssl
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from pytest_httpserver import HTTPServer

from tests.collect.conftest import FakeApi
from tests.dashboard.support import demo_database, using

TELEGRAM_TOKEN = "7000000001:AAtest-telegram-token-do-not-print"
MAX_TOKEN = "max-test-token-do-not-print"
SMTP_USER, SMTP_PASSWORD = "digests@govpulse.test", "smtp-password-do-not-print"
PUBLIC_URL = "https://govpulse.example.kz"
SECRETS = (TELEGRAM_TOKEN, MAX_TOKEN, SMTP_PASSWORD)
FILE_TOKEN = "uploaded-file-token-1"


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Inbox:
    """An aiosmtpd handler keeping every message it receives."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[Envelope] = []

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        self.envelopes.append(envelope)
        content = envelope.content if isinstance(envelope.content, bytes) else str(envelope.content).encode()
        self.messages.append(email.message_from_bytes(content, policy=email.policy.default))  # type: ignore[arg-type]
        return "250 OK"


def _login(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> AuthResult:
    """Only the test's user and password get in."""
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (SMTP_USER.encode(), SMTP_PASSWORD.encode())
    return AuthResult(success=ok, handled=False)


@contextmanager
def smtp_server(folder: Path) -> Iterator[tuple[int, Inbox, Path]]:
    """A mail server on 127.0.0.1 that requires STARTTLS (a self-signed certificate made by openssl) before login:
    its port, its inbox and the certificate a client must trust."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    inbox, port = Inbox(), free_port()
    controller = Controller(
        inbox, hostname="127.0.0.1", port=port, tls_context=context, require_starttls=True,
        authenticator=_login, auth_require_tls=True,
    )  # fmt: skip
    controller.start()
    try:
        yield port, inbox, cert
    finally:
        controller.stop()


@contextmanager
def bot_api() -> Iterator[FakeApi]:
    """The Telegram and MAX Bot APIs on a local HTTP server: messages, documents and MAX's two-step upload."""
    server = HTTPServer(host="127.0.0.1", port=0)
    server.start()
    api = FakeApi(server)
    ok = {"ok": True, "result": {"message_id": 1}}
    api.on(f"/bot{TELEGRAM_TOKEN}/sendMessage", ok)
    api.on(f"/bot{TELEGRAM_TOKEN}/sendDocument", ok)
    api.on("/uploads", {"url": f"{api.url}/upload.do?id=1"})
    api.on("/upload.do", {"token": FILE_TOKEN})
    api.on("/messages", {"message": {"recipient": {"chat_type": "channel"}, "timestamp": 1, "body": {"mid": "m1"}}})
    try:
        yield api
    finally:
        server.clear()
        server.stop()


@contextmanager
def delivery_setting(folder: Path, smtp_port: int, cert: Path, mp: pytest.MonkeyPatch) -> Iterator[None]:
    """Credentials and settings of every channel in the environment, govpulse pointed at the database in `folder`."""
    mp.setenv("GOVPULSE_TELEGRAM_TOKEN", TELEGRAM_TOKEN)
    mp.setenv("GOVPULSE_MAX_TOKEN", MAX_TOKEN)
    for name, value in {"HOST": "127.0.0.1", "PORT": str(smtp_port), "USER": SMTP_USER, "PASSWORD": SMTP_PASSWORD,
                        "FROM": "govpulse <digests@govpulse.test>"}.items():  # fmt: skip
        mp.setenv(f"GOVPULSE_SMTP_{name}", value)
    mp.setenv("GOVPULSE_PUBLIC_URL", PUBLIC_URL)
    mp.setenv("SSL_CERT_FILE", str(cert))  # the client trusts the test server's certificate, as a real CA's
    with using(folder):
        yield


def private_demo(factory: pytest.TempPathFactory, name: str) -> Path:
    """A copy of the session's demo database that a test module may change."""
    folder = factory.mktemp(name)
    source = sqlite3.connect(demo_database(factory) / "govpulse.db")
    target = sqlite3.connect(folder / "govpulse.db")
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return folder


def parts(message: EmailMessage) -> dict[str, Any]:
    """An e-mail's plain text, HTML and attachments (file name → bytes)."""
    text = message.get_body(("plain",))
    page = message.get_body(("html",))
    files = {str(a.get_filename()): a.get_payload(decode=True) for a in message.iter_attachments()}
    return {
        "text": text.get_content() if text is not None else "",
        "html": page.get_content() if page is not None else "",
        "files": files,
    }
