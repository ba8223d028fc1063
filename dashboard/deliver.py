"""Messages out of govpulse: one message written as plain text, chat HTML and an e-mail page, sent through the
Telegram Bot API, the MAX Bot API or SMTP with STARTTLS; credentials from the environment only."""

import html
import json
import smtplib
import ssl
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from etl.collect import max as max_api
from etl.collect import telegram
from etl.collect.base import Credential, MissingCredential, credentials
from etl.collect.http import ApiError, Client
from etl.settings import get_settings
from etl.store.subscriptions import Channel

# The collectors' variables (one bot per administration), told where a digest needs them.
TELEGRAM_TOKEN = Credential(
    telegram.TOKEN.env,
    "the token of your administration's bot from @BotFather, the bot added to the chat or channel "
    "the messages go to; see docs/delivery.md",
)
MAX_TOKEN = Credential(
    max_api.TOKEN.env,
    "the token of your organisation's bot (business.max.ru), the bot added to the chat or channel "
    "the messages go to; see docs/delivery.md",
)
SMTP_PASSWORD = Credential(
    "GOVPULSE_SMTP_PASSWORD", "the password of GOVPULSE_SMTP_USER on the mail server; see docs/delivery.md"
)
CHAT_LIMIT = 4000  # characters of a chat message: MAX's limit (Telegram's is 4096); messages are written shorter
PDF = "application/pdf"
MAX_ATTEMPTS = 5  # MAX refuses a file still being processed ("attachment.not.ready"): the message is sent again
MAX_PAUSE = 2.0  # seconds between those attempts


class DeliveryError(Exception):
    """A message that could not be sent: the channel and the reason, never a credential."""


@dataclass(frozen=True)
class Message:
    """A message: title, lines under it, sections of lines, a link, closing notes and an attached file."""

    lang: str
    subject: str
    title: str
    intro: list[str]
    sections: list[tuple[str, list[str]]]
    link: str = ""
    link_text: str = ""
    notes: list[str] = field(default_factory=list)
    attachment: tuple[str, bytes] | None = None

    def text(self) -> str:
        """The message as plain text."""
        lines = [self.title, *self.intro, ""]
        for heading, items in self.sections:
            lines += [heading, *(f"• {item}" for item in items), ""]
        if self.link:
            lines += [f"{self.link_text}: {self.link}", ""]
        return "\n".join([*lines, *self.notes]).strip() + "\n"

    def chat(self) -> str:
        """The message in the HTML of chat messages (the tags Telegram and MAX both read: b, i, a; lines)."""
        e = html.escape
        lines = [f"<b>{e(self.title)}</b>", *(e(line) for line in self.intro), ""]
        for heading, items in self.sections:
            lines += [f"<b>{e(heading)}</b>", *(f"• {e(item)}" for item in items), ""]
        if self.link:
            lines += [f'<a href="{e(self.link)}">{e(self.link_text)}</a>', ""]
        return "\n".join([*lines, *(f"<i>{e(note)}</i>" for note in self.notes)]).strip()

    def html(self) -> str:
        """The message as an e-mail's HTML page (inline styles: mail programs drop style sheets)."""
        e = html.escape
        body = [f'<h1 style="{H1}">{e(self.title)}</h1>', *(f'<p style="{MUTED}">{e(x)}</p>' for x in self.intro)]
        for heading, items in self.sections:
            body.append(f'<h2 style="{H2}">{e(heading)}</h2>')
            body.append(f'<ul style="{UL}">' + "".join(f'<li style="{LI}">{e(i)}</li>' for i in items) + "</ul>")
        if self.link:
            body.append(f'<p><a href="{e(self.link)}" style="{BUTTON}">{e(self.link_text)}</a></p>')
        body += [f'<p style="{NOTE}">{e(note)}</p>' for note in self.notes]
        return (
            f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8"><title>{e(self.subject)}</title>'
            f'</head><body style="{BODY}"><div style="{PAGE}">{"".join(body)}</div></body></html>\n'
        )


BODY = "margin:0;padding:24px;background:#f3f5f7;font-family:'DejaVu Sans',Arial,sans-serif;color:#1d2733"
PAGE = "max-width:640px;margin:0 auto;padding:24px 28px;background:#ffffff;border-top:6px solid #1f6f8b"
H1 = "font-size:22px;margin:0 0 8px"
H2 = "font-size:16px;margin:22px 0 6px;color:#1f6f8b"
MUTED = "margin:2px 0;color:#5b6770;font-size:14px"
UL = "margin:0;padding-left:20px"
LI = "margin:4px 0;font-size:15px;line-height:1.45"
BUTTON = "display:inline-block;margin-top:14px;padding:10px 16px;background:#1f6f8b;color:#ffffff;text-decoration:none"
NOTE = "margin:14px 0 0;color:#5b6770;font-size:12px"


def needed(channel: Channel) -> tuple[Credential, ...]:
    """The environment variables a channel's kind needs."""
    if channel.kind == "telegram":
        return (TELEGRAM_TOKEN,)
    if channel.kind == "max":
        return (MAX_TOKEN,)
    return (SMTP_PASSWORD,) if get_settings().smtp_user else ()


def check(channels: list[Channel], environ: Mapping[str, str] | None = None) -> None:
    """DeliveryError naming the first credential or setting missing for these channels."""
    for channel in channels:
        conf = get_settings()
        if channel.kind == "email" and not conf.smtp_host:
            raise DeliveryError(f"{channel}: GOVPULSE_SMTP_HOST is not set: the mail server that sends e-mail")
        if channel.kind == "email" and not (conf.smtp_from or conf.smtp_user):
            raise DeliveryError(f"{channel}: GOVPULSE_SMTP_FROM is not set: the sender's address")
        try:
            credentials(needed(channel), environ)
        except MissingCredential as exc:
            raise DeliveryError(f"{channel}: {exc}") from None


def send(
    channel: Channel,
    message: Message,
    *,
    api_base: str | None = None,
    environ: Mapping[str, str] | None = None,
    timeout: float = 30.0,
) -> None:
    """Send a message to a channel (with its attachment); DeliveryError says why it was not sent."""
    check([channel], environ)
    secrets = credentials(needed(channel), environ)
    if channel.kind == "email":
        return _email(channel.address, message, secrets.get(SMTP_PASSWORD.env, ""), timeout)
    token = next(iter(secrets.values()))
    base = api_base or (telegram.API if channel.kind == "telegram" else max_api.PLATFORM.api_base)
    # Telegram wants about one message a second in a chat; MAX allows a bot 30 requests a second.
    pace = 1.0 if channel.kind == "telegram" else max_api.PLATFORM.per_second
    with Client(base, per_second=pace, secrets=[token], timeout=timeout) as client:
        try:
            if channel.kind == "telegram":
                _telegram(client, token, channel.address, message)
            else:
                _max(client, token, channel.address, message)
        except ApiError as exc:
            raise DeliveryError(client.redact(f"{channel}: {_reason(exc)}")) from None


def _reason(exc: ApiError) -> str:
    """What the platform said of a refused request: Telegram's description, MAX's message, or the client's words."""
    body = exc.body if isinstance(exc.body, dict) else {}
    said = body.get("description") or body.get("message")
    return f"{exc} — {said}" if said else str(exc)


def _telegram(client: Client, token: str, chat: str, message: Message) -> None:
    """sendMessage in HTML (names escaped), then sendDocument with the attachment as a multipart upload."""
    text = {"chat_id": chat, "text": message.chat(), "parse_mode": "HTML",
            "link_preview_options": json.dumps({"is_disabled": True})}  # fmt: skip
    client.call(f"bot{token}/sendMessage", method="POST", data=text)
    if message.attachment is not None:
        name, data = message.attachment
        form = {"chat_id": chat, "caption": message.subject[:1024]}
        client.call(f"bot{token}/sendDocument", method="POST", data=form, files={"document": (name, data, PDF)})


def _max(client: Client, token: str, chat: str, message: Message) -> None:
    """The attachment uploaded (POST /uploads?type=file, then the file to the URL it gives), then one message with
    the text in HTML and the file attached (POST /messages?chat_id=…)."""
    headers = {"Authorization": token}  # the schema's security scheme: a header, never the URL
    body: dict[str, object] = {"text": message.chat(), "format": "html"}
    if message.attachment is not None:
        name, data = message.attachment
        endpoint = client.call("uploads", {"type": "file"}, method="POST", headers=headers)
        if not isinstance(endpoint, dict) or not endpoint.get("url"):
            raise ApiError("uploads: an answer without the upload url")
        # The upload URL is the file store's own: the bot's token is not sent there.
        uploaded = client.call(str(endpoint["url"]), method="POST", files={"data": (name, data, PDF)})
        file_token = (uploaded.get("token") if isinstance(uploaded, dict) else None) or endpoint.get("token")
        if not file_token:
            raise ApiError("upload: the file store gave no token for the file")
        body["attachments"] = [{"type": "file", "payload": {"token": file_token}}]
    for attempt in range(MAX_ATTEMPTS):
        try:
            client.call("messages", {"chat_id": chat}, method="POST", headers=headers, json=body)
            return
        except ApiError as exc:
            if "attachment.not.ready" not in exc.codes or attempt == MAX_ATTEMPTS - 1:
                raise
            time.sleep(MAX_PAUSE)


def _email(address: str, message: Message, password: str, timeout: float) -> None:
    """One e-mail: text/plain and text/html alternatives and the attachment, over SMTP with STARTTLS."""
    conf = get_settings()
    mail = EmailMessage()
    mail["Subject"] = message.subject
    mail["From"] = conf.smtp_from or conf.smtp_user
    mail["To"] = address
    mail["Date"] = formatdate(usegmt=True)
    mail["Message-ID"] = make_msgid("govpulse")
    mail.set_content(message.text())
    mail.add_alternative(message.html(), subtype="html")
    if message.attachment is not None:
        name, data = message.attachment
        mail.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    try:
        with smtplib.SMTP(conf.smtp_host, conf.smtp_port, timeout=timeout) as smtp:
            if conf.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if conf.smtp_user:
                smtp.login(conf.smtp_user, password)
            smtp.send_message(mail)
    except (smtplib.SMTPException, OSError) as exc:
        reason = str(exc).replace(password, "***") if password else str(exc)
        raise DeliveryError(f"email:{address}: {type(exc).__name__}: {reason}") from None
