"""The digest: a Kazakh region's week sent once to e-mail (a real SMTP server with STARTTLS), Telegram and MAX (a local
HTTP server as their Bot APIs), with the briefing pack attached; its numbers are the dashboard's."""

import datetime as dt
import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from dashboard import queries
from dashboard.brief import territory_row
from dashboard.cli import app
from dashboard.deliver import Message
from dashboard.digest import DIGEST_SENTENCES, last_period
from dashboard.exports import translator
from dashboard.filters import Period, Scope
from dashboard.headlines import headlines, kpi_values
from etl.metrics.kpis import kpi_table
from etl.store.db import get_engine
from tests.collect.conftest import FakeApi
from tests.dashboard.delivery_support import (
    FILE_TOKEN,
    MAX_TOKEN,
    PUBLIC_URL,
    SECRETS,
    SMTP_USER,
    TELEGRAM_TOKEN,
    Inbox,
    bot_api,
    delivery_setting,
    parts,
    private_demo,
    smtp_server,
)

runner = CliRunner()
CODE, LANG = "KZ-MAN", "kk"
WEEK = Period(dt.date(2026, 11, 16), dt.date(2026, 11, 22))  # the last whole week before Monday 23 November
TELEGRAM_CHAT, MAX_CHAT, ADDRESS = "-1001234567890", "-72345678901234", "akimat@mangystau.example.kz"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, Inbox, FakeApi]]:
    """A private demo database, the mail server and the bot APIs, with every credential in the environment."""
    folder = private_demo(tmp_path_factory, "digest")
    with (
        smtp_server(folder) as (port, inbox, cert),
        bot_api() as api,
        pytest.MonkeyPatch.context() as mp,
        delivery_setting(folder, port, cert, mp),
    ):
        yield folder, inbox, api


@pytest.fixture(scope="module")
def sent(world: tuple[Path, Inbox, FakeApi]) -> Result:
    """The week's digest of Mangystau region in Kazakh, sent once to all three channels (one pack is built)."""
    _, _, api = world
    result = runner.invoke(app, [
        "digest", "--territory", CODE, "--period", "week", "--lang", LANG, "--date", "2026-11-23",
        "--to", f"email:{ADDRESS}", "--to", f"telegram:{TELEGRAM_CHAT}", "--to", f"max:{MAX_CHAT}",
        "--api-base", api.url,
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    return result


def pdf_text(data: bytes, folder: Path) -> str:
    """The text of a PDF as pdftotext reads it, spaces made plain and runs of them one."""
    path = folder / "attached.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.replace("\xa0", " ").split())


def plain(text: str) -> str:
    return " ".join(text.replace("\xa0", " ").split())


def test_the_week_is_the_last_whole_one_and_the_month_the_last_calendar_one() -> None:
    """Monday 23 November gives 16–22 November; a Sunday does not give its own unfinished week; data that end on
    Wednesday 18 November give the week before; months end on their last day."""
    monday, sunday = dt.date(2026, 11, 23), dt.date(2026, 11, 22)
    assert last_period("week", monday, dt.date(2026, 12, 31)) == WEEK
    assert last_period("week", sunday, dt.date(2026, 12, 31)) == Period(dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    assert last_period("week", monday, dt.date(2026, 11, 18)) == Period(dt.date(2026, 11, 9), dt.date(2026, 11, 15))
    assert last_period("month", dt.date(2026, 12, 1), dt.date(2026, 12, 31)) == Period(
        dt.date(2026, 11, 1), dt.date(2026, 11, 30)
    )
    assert last_period("month", dt.date(2026, 12, 5), dt.date(2026, 11, 22)) == Period(
        dt.date(2026, 10, 1), dt.date(2026, 10, 31)
    )


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext missing: apt-get install poppler-utils")
def test_the_email_arrives_in_kazakh_with_the_pack(sent: Result, world: tuple[Path, Inbox, FakeApi]) -> None:
    """One e-mail, logged in over STARTTLS: text and HTML in Kazakh, the pack attached as a PDF that opens and says
    the same headline sentences on its key-figures slide."""
    folder, inbox, _ = world
    assert len(inbox.envelopes) == 1
    envelope, message = inbox.envelopes[0], inbox.messages[0]
    assert envelope.rcpt_tos == [ADDRESS] and envelope.smtp_utf8 is False
    assert message["To"] == ADDRESS and SMTP_USER in message["From"]
    span = translator(LANG).span(*WEEK)  # Babel's "2026 ж. 16–22 қар.", with its narrow spaces
    assert message["Subject"] == f"govpulse: Маңғыстау облысы, {span}"
    found = parts(message)
    assert f"Апта қорытындысы: {span}" in found["text"]
    assert "Негізгі көрсеткіштер" in found["text"] and "Жауап күтуде" in found["text"]
    assert '<html lang="kk">' in found["html"] and "Маңғыстау облысы" in found["html"]
    assert list(found["files"]) == ["govpulse_KZ-MAN_2026-11-16_2026-11-22.pdf"]
    pdf = found["files"]["govpulse_KZ-MAN_2026-11-16_2026-11-22.pdf"]
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf, folder)
    assert "Маңғыстау облысы" in text
    sentences = [line.removeprefix("• ") for line in found["text"].splitlines() if line.startswith("• ")]
    # The first four sentences are the pack's key-figures slide; the fifth (engagement) is the digest's own.
    for sentence in sentences[:4]:
        assert plain(sentence) in text, sentence


def test_the_numbers_are_the_dashboards(sent: Result, world: tuple[Path, Inbox, FakeApi]) -> None:
    """The sentences are those the headline engine writes from the dashboard's KPI table of the same week and the
    week before; the followers and the response rate are those of `govpulse report` (etl's KPI table); the backlog
    is the Responsiveness page's."""
    _, inbox, _ = world
    text = parts(inbox.messages[0])["text"]
    tr = translator(LANG).in_country("KZ")  # as the pack speaks of Kazakhstan's pages
    scope = Scope(CODE, "region_code")
    now = queries.kpis("region", *WEEK, scope, LANG)
    before = queries.kpis("region", *WEEK.previous(), scope, LANG, WEEK.days)
    row = lambda t: territory_row(t, CODE)  # noqa: E731
    expected = headlines(tr, kpi_values(row(now)), kpi_values(row(before)), DIGEST_SENTENCES)
    assert len(expected) == 5
    for sentence in expected:
        assert f"• {sentence}" in text
    report = kpi_table(get_engine(), "region", *WEEK, parent="KZ")
    mine = report[report["territory_code"] == CODE].iloc[0]
    assert tr.compact(mine["followers_end"]).replace(" ", "\xa0") in expected[0]
    assert tr.pct(mine["response_rate_pct"], 1 if mine["response_rate_pct"] % 1 else 0).replace(" ", "\xa0") in text
    waiting = int(queries.backlog(WEEK.end, scope)[0]["count"].sum())
    assert waiting > 0
    assert f"{tr.date(WEEK.end)} соңында жауапсыз: {tr.num(waiting)}" in text


def test_telegram_gets_an_html_message_and_the_document(sent: Result, world: tuple[Path, Inbox, FakeApi]) -> None:
    """sendMessage in HTML mode with the names escaped and the dashboard's link, then sendDocument with the PDF."""
    _, _, api = world
    [message] = [c for c in api.calls if c.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"]
    assert message.params["chat_id"] == TELEGRAM_CHAT and message.params["parse_mode"] == "HTML"
    assert message.params["text"].startswith("<b>govpulse · Маңғыстау облысы</b>\n")
    view = "lang=kk&country=KZ&region=KZ-MAN&period=custom&from=2026-11-16&to=2026-11-22"
    link = f"{PUBLIC_URL}/?{view}".replace("&", "&amp;")
    assert f'<a href="{link}">govpulse жүйесінде ашу</a>' in message.params["text"]
    [document] = [c for c in api.calls if c.path == f"/bot{TELEGRAM_TOKEN}/sendDocument"]
    assert document.params["chat_id"] == TELEGRAM_CHAT
    name, data = document.files["document"]
    assert name == "govpulse_KZ-MAN_2026-11-16_2026-11-22.pdf" and data.startswith(b"%PDF")


def test_max_uploads_the_file_then_sends_it_with_the_text(sent: Result, world: tuple[Path, Inbox, FakeApi]) -> None:
    """POST /uploads?type=file with the token in the Authorization header; the file to the URL it gave, without the
    token; then one message to the chat in HTML with the file attached by the upload's token."""
    _, _, api = world
    [endpoint] = [c for c in api.calls if c.path == "/uploads"]
    assert endpoint.params == {"type": "file"} and endpoint.headers["Authorization"] == MAX_TOKEN
    [upload] = [c for c in api.calls if c.path == "/upload.do"]
    assert "Authorization" not in upload.headers and upload.files["data"][1].startswith(b"%PDF")
    [message] = [c for c in api.calls if c.path == "/messages"]
    assert message.params == {"chat_id": MAX_CHAT} and message.headers["Authorization"] == MAX_TOKEN
    assert message.json["format"] == "html" and message.json["text"].startswith("<b>govpulse · Маңғыстау облысы</b>")
    assert message.json["attachments"] == [{"type": "file", "payload": {"token": FILE_TOKEN}}]


def test_no_secret_is_printed(sent: Result) -> None:
    """The output names where the digest went and never a token or a password."""
    assert f"Sent to email:{ADDRESS}" in sent.output and f"Sent to max:{MAX_CHAT}" in sent.output
    assert not [s for s in SECRETS if s in sent.output]


def _state(folder: Path) -> str:
    """A digest of the database files as they are on disk."""
    h = hashlib.sha256()
    for path in sorted(folder.glob("govpulse.db*")):
        h.update(path.read_bytes())
    return h.hexdigest()


def test_dry_run_prints_the_message_and_writes_nothing(sent: Result, world: tuple[Path, Inbox, FakeApi]) -> None:
    """--dry-run prints the text and what would be attached, sends nothing and leaves the database as it was."""
    folder, inbox, api = world
    get_engine().dispose()
    calls, mails, before = len(api.calls), len(inbox.messages), _state(folder)
    result = runner.invoke(app, ["digest", "--territory", CODE, "--lang", "en", "--date", "2026-11-23",
                                 "--to", "telegram:@mangystau_akimat", "--dry-run", "--api-base", api.url])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"govpulse · Mangystau Region\nThe week of {translator('en').span(*WEEK)}\n" in result.output
    pack = "govpulse_KZ-MAN_2026-11-16_2026-11-22.pdf"
    assert f"Dry run: nothing sent; {pack} would go to telegram:@mangystau_akimat" in result.output
    get_engine().dispose()
    assert (len(api.calls), len(inbox.messages), _state(folder)) == (calls, mails, before)


@pytest.mark.parametrize(
    ("args", "code", "said"),
    [
        (["--to", "sms:+77010000000"], 2, "'sms:+77010000000': write a channel as telegram:CHAT"),
        (["--to", "telegram:me"], 2, "after telegram: comes a chat id"),
        (["--to", "email:akimat"], 2, "after email: comes an address"),
        (["--to", "email:a@b.kz", "--period", "year"], 2, "must be week or month"),
        (["--to", "email:a@b.kz", "--all"], 2, "--all sends the stored subscriptions"),
    ],
)
def test_bad_arguments_are_one_line_errors(world: tuple[Path, Inbox, FakeApi], args: list[str], code: int,
                                           said: str) -> None:  # fmt: skip
    """A bad channel, period or mix of options names the value and the rule, without a traceback."""
    result = runner.invoke(app, ["digest", "--territory", CODE, *args])
    assert result.exit_code == code, result.output
    assert said in " ".join(result.output.replace("│", " ").split())  # in a box that wraps at 80 columns
    assert "Traceback" not in result.output


def test_unknown_territory_and_missing_credentials_are_named(world: tuple[Path, Inbox, FakeApi],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    """An unknown territory is named; a missing token is named before any pack is built; nothing is sent."""
    _, _, api = world
    calls = len(api.calls)
    result = runner.invoke(app, ["digest", "--territory", "KZ-XXX", "--to", "email:a@b.kz", "--date", "2026-11-23"])
    assert result.exit_code == 1 and "Неизвестный код территории 'KZ-XXX'" in result.output
    monkeypatch.delenv("GOVPULSE_TELEGRAM_TOKEN")
    result = runner.invoke(app, ["digest", "--territory", CODE, "--to", "telegram:-100", "--api-base", api.url])
    assert result.exit_code == 1
    assert "telegram:-100: GOVPULSE_TELEGRAM_TOKEN is not set" in result.output
    assert len(api.calls) == calls


def test_a_refusal_names_the_channel_and_the_platforms_reason(world: tuple[Path, Inbox, FakeApi]) -> None:
    """Telegram's error description reaches the output with the channel, the token in the URL does not; a MAX
    upload answer without its URL is named."""
    _, _, api = world
    refused = {"ok": False, "error_code": 400, "description": "Bad Request: chat not found"}
    api.on(f"/bot{TELEGRAM_TOKEN}/sendMessage", refused, status=400, times=1)
    from dashboard.deliver import DeliveryError, send
    from etl.store.subscriptions import parse_channel

    message = Message("en", "s", "t", [], [("h", ["a"])])
    with pytest.raises(DeliveryError) as caught:
        send(parse_channel("telegram:-100999"), message, api_base=api.url, timeout=5)
    assert "telegram:-100999" in str(caught.value) and "chat not found" in str(caught.value)
    assert TELEGRAM_TOKEN not in str(caught.value)
    api.on("/uploads", {"error": "nothing to give"}, times=1)
    with pytest.raises(DeliveryError) as caught:
        send(parse_channel("max:-5"), replace(message, attachment=("a.pdf", b"%PDF-")), api_base=api.url, timeout=5)
    assert str(caught.value) == "max:-5: uploads: an answer without the upload url"


def test_chat_html_escapes_names_and_keeps_lines() -> None:
    """A name with markup characters is sent as text; sections are bold headings over bullet lines."""
    message = Message("en", "subject", "govpulse · A & B <Region>", ["Week"], [("Key figures", ["x < y"])],
                      link="https://h/?a=1&b=2", link_text="Open")  # fmt: skip
    chat = message.chat()
    assert chat.splitlines()[0] == "<b>govpulse · A &amp; B &lt;Region&gt;</b>"
    assert "<b>Key figures</b>\n• x &lt; y" in chat and '<a href="https://h/?a=1&amp;b=2">Open</a>' in chat
    page = message.html()
    assert "A &amp; B &lt;Region&gt;" in page and "<li" in page


def test_the_email_page_renders_in_chromium(sent: Result, world: tuple[Path, Inbox, FakeApi], tmp_path: Path) -> None:
    """The e-mail's HTML as a browser draws it: a picture of the page's size (the README's screenshot is made so)."""
    import sys

    sys.path.insert(0, str(Path(__file__).parents[2] / "scripts"))
    import screenshots

    if shutil.which(screenshots.CHROMIUM) is None and not Path(screenshots.CHROMIUM).exists():
        pytest.skip("no Chromium: apt-get install chromium")
    _, inbox, _ = world
    target = tmp_path / "email.png"
    # In a thread of its own: the browser tests' session-wide Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        pool.submit(screenshots.email_picture, parts(inbox.messages[0])["html"], target).result()
    from PIL import Image

    with Image.open(target) as picture:
        width, height = picture.size
    assert width == screenshots.EMAIL_WIDTH * 2 and height > 600


def test_every_message_the_messages_ask_for_exists() -> None:
    """Each literal message key of the digest and the alert messages is in every language's catalogs."""
    used: set[str] = set()
    for name in ("digest.py", "alerting.py"):
        source = (Path(__file__).parents[2] / "dashboard" / name).read_text(encoding="utf-8")
        used |= set(re.findall(r"""\btr\(\s*"([a-z_0-9]+\.[a-z_0-9.]+)\"""", source))
    assert {"digest.subject", "alerting.title", "brief.page_line"} <= used
    for lang in ("ru", "kk", "en"):
        assert sorted(k for k in used if k not in translator(lang).messages) == [], lang


def test_a_digest_of_the_datas_first_days_compares_with_nothing(world: tuple[Path, Inbox, FakeApi]) -> None:
    """A week the data begin just before: the intro says the data's date and why nothing is compared, and the
    sentences are those of the week's figures alone; the pack's week (a covered one) is compared."""
    from dashboard import queries_posts
    from dashboard.digest import compose_period

    scope = Scope(CODE, "region_code")
    first = queries_posts.first_day(scope)
    assert first is not None
    week = Period(first + dt.timedelta(days=3), first + dt.timedelta(days=9))
    tr = translator("en").in_country("KZ")
    digest = compose_period(CODE, "week", week, "en")
    intro = digest.message().intro
    assert digest.before is None and intro[1] == tr("digest.as_of", day=tr.date(digest.data_date))
    assert intro[2] == tr("kpi.no_before", span=tr.span(*week.previous()), first=tr.date(first))
    now = queries.kpis("region", *week, scope, "en")
    row = territory_row(now, CODE)
    assert digest.headlines == headlines(tr, kpi_values(row), {}, DIGEST_SENTENCES)
    covered = compose_period(CODE, "week", WEEK, "en")
    assert covered.before == WEEK.previous() and covered.message().intro[1].startswith("Compared with")
